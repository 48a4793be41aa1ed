"""The public accessibility statement: the EU model's parts, the municipality's contact, both languages, the
footer link on every page, and the assessment's accessibility line citing it."""

from __future__ import annotations

import datetime as dt

import pytest

from pb.errors import ValidationError
from pb.reports.accessibility import ContactInput

PARTS_EN = ["Accessibility statement", "Directive (EU) 2016/2102", "Compliance status", "partially compliant",
            "EN 301 549 V3.2.1", "WCAG) 2.1 at level AA", "Non-accessible content", "not tagged PDFs",
            "Preparation of this accessibility statement", "axe-core", "Feedback and contact information",
            "Enforcement procedure", "Greek Ombudsman"]
PARTS_EL = ["Δήλωση προσβασιμότητας", "Οδηγία (ΕΕ) 2016/2102", "Κατάσταση συμμόρφωσης", "εν μέρει σύμμορφος",
            "Μη προσβάσιμο περιεχόμενο", "Διαδικασία επιβολής", "Συνήγορο του Πολίτη"]


@pytest.fixture
def contact(db, make_process, make_user):
    """Testville (GR) with its accessibility contact filled in by a legal officer."""
    from pb.reports import accessibility

    process = make_process()
    accessibility.set_contact(make_user(role="legal_officer"), process.municipality, ContactInput(
        email="access@testville.example", phone="+30 210 000 0000", prepared_on=dt.date(2026, 11, 30),
        known_gaps="- The videos of the information evenings have no captions."))
    db.session.commit()
    return process


def test_the_statement_is_served_in_both_languages_with_the_contact_filled_in(client, contact):
    english = client.get("/accessibility").get_data(as_text=True)
    for part in PARTS_EN:
        assert part in english, part
    assert "access@testville.example" in english and "+30 210 000 0000" in english and "2026-11-30" in english
    assert "The videos of the information evenings have no captions." in english and "$" not in english
    client.post("/language", data={"language": "el", "next": "/accessibility"})
    greek = client.get("/accessibility/testville").get_data(as_text=True)
    for part in PARTS_EL:
        assert part in greek, part
    assert "access@testville.example" in greek


def test_without_a_contact_the_statement_says_what_is_missing(client, make_process):
    make_process()
    page = client.get("/accessibility").get_data(as_text=True)
    assert "by e-mail: not given yet" in page and "Testville" in page


def test_every_page_links_to_the_statement_in_its_footer(client, make_process):
    make_process()
    for path in ("/", "/login", "/m/testville/2026", "/accessibility"):
        page = client.get(path).get_data(as_text=True)
        footer = page[page.index('<footer class="site-footer">'):]
        assert 'href="/accessibility"' in footer, path


def test_a_contact_without_an_address_is_refused(db, make_process, make_user):
    from pb.reports import accessibility

    process = make_process()
    with pytest.raises(ValidationError) as refused:
        accessibility.set_contact(make_user(role="legal_officer"), process.municipality,
                                  ContactInput(email="nobody", phone="", prepared_on=dt.date(2026, 1, 1)))
    assert refused.value.field == "email"


def test_the_assessment_cites_the_statement(db, ctx, contact):
    import io
    import re

    from flask_babel import gettext
    from pypdf import PdfReader

    from pb.reports import services
    from pb.reports.models import AssessmentMode

    content = services.draft_pdf(services.assessment_for(contact, AssessmentMode.EX_ANTE), translate=gettext,
                                 locale="en")
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    assert ("Accessibility statement: http://pb.test/accessibility/testville, prepared on 2026-11-30; the site is "
            "partially compliant with EN 301 549 V3.2.1 / WCAG 2.1 AA") in text


def test_the_legal_officer_fills_in_the_contact(db, client, login, make_process, make_user):
    make_process()
    login(make_user(role="legal_officer"))
    response = client.post("/staff/reports/municipalities/1/accessibility", data={
        "email": "a11y@testville.example", "phone": "", "prepared_on": "2026-12-01", "known_gaps": ""},
        follow_redirects=True)
    assert "The accessibility statement was updated." in response.get_data(as_text=True)
    assert "a11y@testville.example" in client.get("/accessibility").get_data(as_text=True)
