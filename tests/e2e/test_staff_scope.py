"""Staff per municipality in a real Chromium: a legal officer of Assen is refused Perivoli's mandate (403), and
the demo's clerk of Assen sees only Assen's editions in the staff area, and is refused another's voting desk."""

from __future__ import annotations

import sqlalchemy as sa

from pb.accounts import second_factor
from pb.accounts.models import Role
from pb.accounts.services import create_account
from pb.core.db import utcnow
from pb.demo import DEMO_TOTP_SECRET
from pb.mandate.models import Mandate
from pb.processes.models import Municipality, Process
from tests.e2e.test_pages import ACCOUNTS, assert_accessible, sign_in

OFFICER, OFFICER_PASSWORD = "legal.assen@example.org", "a legal officer of Assen"


def _assen_officer_and_perivoli(app) -> tuple[int, int, int]:
    """A legal officer of Assen only; the ids of Perivoli's mandate, Perivoli's edition and Assen's edition."""
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        assen = db.session.scalars(sa.select(Municipality).where(Municipality.slug == "assen")).one()
        officer = create_account(None, OFFICER, Role.LEGAL_OFFICER, OFFICER_PASSWORD, display_name="Assen legal",
                                 municipalities=[assen])
        second_factor.set_secret(officer, DEMO_TOTP_SECRET)
        officer.totp_enabled_at = utcnow()
        perivoli = db.session.scalars(sa.select(Process).join(Municipality).where(Municipality.slug == "perivoli")).one()
        mandate = db.session.scalars(sa.select(Mandate).where(Mandate.process_id == perivoli.id)).first()
        assen_edition = assen.processes[0].id
        db.session.commit()
        return mandate.id, perivoli.id, assen_edition


def test_staff_of_one_municipality_stay_in_it(chromium, live_server):
    mandate_id, perivoli_id, assen_id = _assen_officer_and_perivoli(live_server.app)
    ACCOUNTS[OFFICER] = (OFFICER, OFFICER_PASSWORD)

    officer = chromium.new_context(base_url=live_server.url, locale="en-GB").new_page()
    sign_in(officer, OFFICER)
    refused = officer.goto(f"/staff/mandates/{mandate_id}")
    assert refused.status == 403
    assert officer.get_by_role("heading", name="Not allowed").is_visible()
    # No amend or end form of another municipality's mandate (issue 24 found both working).
    assert officer.locator(f"form[action*='/staff/mandates/{mandate_id}/']").count() == 0
    assert officer.goto(f"/staff/mandates/processes/{perivoli_id}").status == 403
    assert officer.goto(f"/staff/mandates/processes/{assen_id}").status == 200
    legal_desk = officer.goto("/staff/legal")
    assert legal_desk.status == 200
    assert "Assen Top Idee 2024" in officer.content() and "Perivoli" not in officer.content()
    assert_accessible(officer)
    officer.context.close()

    clerk = chromium.new_context(base_url=live_server.url, locale="en-GB").new_page()
    sign_in(clerk, "clerk.assen@example.org")
    clerk.goto("/staff/processes")
    listed = clerk.locator("main").inner_text()
    assert "Assen Top Idee 2024" in listed
    for other in ("Grochów", "Perivoli", "Kalamata", "Nea Akti"):
        assert other not in listed, other
    assert_accessible(clerk)
    assert clerk.goto(f"/staff/voting/{perivoli_id}").status == 403
    assert clerk.goto(f"/staff/processes/{assen_id}").status == 200
    clerk.context.close()
