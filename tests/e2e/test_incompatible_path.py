"""Incompatible projects in the browser: a clerk records a set before the vote opens, a resident sees it on the
ballot; both pages at 1280 and 390 pixels wide, every state passing axe-core."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from tests.e2e.test_pages import assert_accessible, sign_in

PROCESS = "/m/perivoli/2027"
WIDTHS = (1280, 390)


def _perivoli_id(live_server) -> int:
    from pb.processes import queries

    with live_server.app.app_context():
        return queries.process_by_slug("perivoli", "2027").id


def _vote_starts_in(live_server, delta: dt.timedelta) -> None:
    """Move the start of Perivoli's vote (beneath the ORM: the app only moves dates through a clerk's change)."""
    import sqlalchemy as sa

    from pb.core.db import utcnow
    from pb.processes import queries
    from pb.processes.models import Phase, PhaseKind

    with live_server.app.app_context():
        db = live_server.app.extensions["sqlalchemy"]
        process = queries.process_by_slug("perivoli", "2027")
        db.session.execute(sa.update(Phase).where(Phase.process_id == process.id, Phase.kind == PhaseKind.VOTING)
                           .values(starts_at=utcnow() + delta))
        db.session.commit()


def _fits(page) -> None:
    """At every width the page scrolls only down: nothing is wider than the window."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (page.url, width, overflow)
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_clerk_records_a_set_and_the_ballot_shows_it(page, live_server):
    _vote_starts_in(live_server, dt.timedelta(hours=2))
    sign_in(page, "clerk")
    page.goto(f"/staff/processes/{_perivoli_id(live_server)}")  # the edition's dashboard
    page.get_by_role("link", name="Projects that exclude each other").click()
    page.wait_for_url(re.compile(r"/staff/processes/\d+/incompatible$"))
    _fits(page)
    city = page.locator("section", has=page.get_by_role("heading", name=re.compile("City-wide")))
    city.locator("li", has_text="C1").get_by_role("checkbox").check()
    city.get_by_role("button", name="Record the set").click()
    # One project is not a set: the error is on the projects, and what was typed stays.
    expect(page.get_by_text("Choose at least two projects that cannot both be funded.")).to_be_visible()
    _fits(page)
    city = page.locator("section", has=page.get_by_role("heading", name=re.compile("City-wide")))
    city.locator("li", has_text="C1").get_by_role("checkbox").check()
    city.locator("li", has_text="C2").get_by_role("checkbox").check()
    city.get_by_label(re.compile("Why they exclude each other")).fill("Both use the old market square")
    city.get_by_role("button", name="Record the set").click()
    expect(page.get_by_text("The set was recorded")).to_be_visible()
    expect(page.get_by_role("cell", name="Both use the old market square")).to_be_visible()
    _fits(page)
    page.get_by_role("button", name="Sign out").click()

    _vote_starts_in(live_server, -dt.timedelta(days=1))
    sign_in(page, "resident")
    page.goto(PROCESS + "/verify")
    from tests.e2e.test_voting_path import _issue_code

    page.get_by_role("textbox", name="Voting code").fill(_issue_code(live_server, "PRV-0004"))
    page.get_by_role("button", name="Use the code").click()
    page.get_by_role("link", name=re.compile("Fill in the ballot.*City-wide")).click()
    note = page.locator("section", has=page.get_by_role("heading", name="Projects that exclude each other"))
    expect(note).to_contain_text("Both use the old market square")
    expect(note).to_contain_text("C1")
    expect(note).to_contain_text("C2")
    _fits(page)
