"""The report pages: the legal officer's editor, versions and publishing; the clerk's annex and census import;
the public list; each for the role it is for."""

from __future__ import annotations

import hashlib
import io

import sqlalchemy as sa

from pb.reports.models import Assessment, AssessmentVersion, PopulationBaseline


def test_the_legal_officer_writes_previews_generates_and_publishes(client, db, login, make_user, counted):
    login(make_user(role="legal_officer"))
    base = f"/staff/assessments/processes/{counted.process.id}/ex-post"
    page = client.get(base).get_data(as_text=True)
    assert "Eligible residents: Sex F" in page  # the census is missing, so the page lists the gaps
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 0  # viewing creates nothing
    response = client.post(base, data={"engagement": "Μία συνάντηση στο Βορρά.", "impact": ""})
    assert response.status_code == 302
    preview = client.get(f"{base}/preview.pdf")
    assert preview.mimetype == "application/pdf" and preview.headers["Content-Disposition"].startswith("inline")
    assert client.get(f"{base}/preview.pdf?download=1").headers["Content-Disposition"].startswith("attachment")
    assert client.post(f"{base}/versions").status_code == 302
    version = db.session.scalars(sa.select(AssessmentVersion)).one()
    assert version.sections["engagement"] == "Μία συνάντηση στο Βορρά."
    # Not published yet: the public cannot read it.
    assert client.get(f"/assessments/{version.id}.pdf").status_code == 404
    assert client.post(f"/staff/assessments/versions/{version.id}/publish").status_code == 302
    public = client.get(f"/assessments/{version.id}.pdf")
    assert public.status_code == 200 and hashlib.sha256(public.data).hexdigest() == version.sha256
    listing = client.get("/m/testville/vote/assessments").get_data(as_text=True)
    assert version.sha256 in listing
    assert "/m/testville/vote/assessments" in client.get("/m/testville/vote").get_data(as_text=True)


def test_ex_post_before_the_count_is_refused_with_a_message(client, login, make_user, voting_world):
    login(make_user(role="legal_officer"))
    response = client.get(f"/staff/assessments/processes/{voting_world.process.id}/ex-post/preview.pdf",
                          follow_redirects=True)
    assert "not been counted yet" in response.get_data(as_text=True)


def test_the_clerk_imports_the_census_and_sees_why_the_annex_cannot_be_finalised(client, db, login, counted):
    login(counted.clerk)
    url = f"/staff/annex/processes/{counted.process.id}"
    bad = {"file": (io.BytesIO(b"district,population\nnorth,10\nmoon,5\n"), "census.csv"), "source": "Census",
           "as_of": "2021-05-01"}
    page = client.post(f"{url}/census", data=bad, content_type="multipart/form-data").get_data(as_text=True)
    assert "line 3 has “moon”, which is not a district code" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PopulationBaseline)) == 0
    good = {"file": (io.BytesIO(b"district,population,eligible\nnorth,12000,9000\n"), "census.csv"),
            "source": "Census 2021", "as_of": "2021-05-01"}
    assert client.post(f"{url}/census", data=good, content_type="multipart/form-data").status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Census 2021" in page and "No council decision is recorded" in page
    response = client.post(f"{url}/finalise", follow_redirects=True)
    assert "cannot be finalised yet" in response.get_data(as_text=True)
    for fmt, mimetype in (("pdf", "application/pdf"), ("csv", "text/csv")):
        assert client.get(f"{url}/annex.{fmt}").mimetype == mimetype
    xlsx = client.get(f"{url}/annex.xlsx")
    assert xlsx.data[:2] == b"PK" and xlsx.data == client.get(f"{url}/annex.xlsx").data


def test_residents_and_clerks_do_not_reach_the_assessment_editor(client, login, make_user, counted):
    login(counted.clerk)
    assert client.get(f"/staff/assessments/processes/{counted.process.id}/ex-ante").status_code == 403
    assert client.get("/staff/reports").status_code == 200


def test_the_annex_page_leaves_a_rejected_project_out_of_the_funded_total(client, db, login, counted):
    import datetime as dt

    from pb.core.money import format_money
    from pb.mandate import services as mandate_services
    from pb.mandate.forms import DecisionInput
    from pb.mandate.models import DecisionOutcome
    from pb.mandate.queries import winners

    rejected, *adopted = winners(counted.process)
    mandate_services.record_decision(counted.clerk, rejected, DecisionInput(
        DecisionOutcome.REJECTED, dt.date.today(), reason="The site is not the council's."))
    db.session.commit()
    login(counted.clerk)
    page = client.get(f"/staff/annex/processes/{counted.process.id}").get_data(as_text=True)
    assert "Chosen by the vote, not adopted by the council" in page
    assert format_money(rejected.cost, "EUR", "en") in page
    city_funded = sum(p.cost for p in adopted if p.pool_id == counted.city.id)
    assert f'<td class="num">{format_money(city_funded, "EUR", "en")}</td>' in page


def _pdf_words(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_papers_come_in_the_municipality_s_language_or_the_one_chosen(client, db, login, make_user, counted):
    counted.process.municipality.languages = ["el", "en"]
    db.session.commit()
    clerk = counted.clerk
    login(clerk)  # the clerk's screen is in English
    annex = client.get(f"/staff/annex/processes/{counted.process.id}/annex.pdf")
    assert "Παράρτημα προϋπολογισμού" in _pdf_words(annex.data)
    english = client.get(f"/staff/annex/processes/{counted.process.id}/annex.pdf?language=en")
    assert "Budget annex" in _pdf_words(english.data)
    page = client.get(f"/staff/annex/processes/{counted.process.id}").get_data(as_text=True)
    assert 'name="language"' in page and "Ελληνικά" in page
    letters = client.post(f"/staff/voting/{counted.process.id}/letters", data={"references": "AB-1002"})
    assert "Λήξη ψηφοφορίας" in _pdf_words(letters.data)
