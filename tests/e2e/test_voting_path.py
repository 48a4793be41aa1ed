"""A vote from end to end in the browser: verify with a code, a knapsack ballot with a violation explained,
submit, change, the receipt; a paper ballot at the desk and a refused second one; the close; results, the
receipt check and the Pabulib export."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_pages import assert_accessible, sign_in

PROCESS = "/m/perivoli/2027"


def _issue_code(live_server, reference: str) -> str:
    """What a clerk's letter would carry; issued through the service, as the letters page does."""
    from pb.accounts.services import find_user
    from pb.processes import queries
    from pb.voting import services

    with live_server.app.app_context():
        db = live_server.app.extensions["sqlalchemy"]
        process = queries.process_by_slug("perivoli", "2027")
        code = services.issue_codes(find_user("clerk@example.org"), process, [reference])[0].code
        db.session.commit()
        return code


def _process_id(live_server) -> int:
    from pb.processes import queries

    with live_server.app.app_context():
        found = queries.process_by_slug("perivoli", "2027").id
        live_server.app.extensions["sqlalchemy"].session.remove()
    return found


def _tick(page, code: str, on: bool = True) -> None:
    box = page.locator(f'[data-code="{code}"]').get_by_role("checkbox")
    box.check() if on else box.uncheck()


def test_a_resident_votes_changes_and_checks_the_receipt(page, live_server):
    code = _issue_code(live_server, "PRV-0004")
    sign_in(page, "resident")
    page.goto(PROCESS)
    page.get_by_role("link", name="Vote", exact=True).click()
    page.get_by_role("link", name="Verify that I may vote").click()
    assert_accessible(page)
    page.get_by_role("textbox", name="Voting code").fill("WRONG-CODE-1234")
    page.get_by_role("button", name="Use the code").click()
    expect(page.get_by_text("This voting code is not valid").first).to_be_visible()
    page.get_by_role("textbox", name="Voting code").fill(code.lower())
    page.get_by_role("button", name="Use the code").click()
    page.get_by_text("You are verified: you may vote").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Fill in the ballot.*City-wide")).click()
    _tick(page, "C1")
    _tick(page, "C2")
    # The running total follows the ticks and warns before anything is sent.
    assert page.locator("[data-total]").inner_text().replace("\u00a0", " ").startswith("€300,000")
    assert page.locator("[data-over]").is_visible()
    page.get_by_role("button", name="Review my ballot").click()
    expect(page.locator("#error-summary")).to_contain_text("more than the pool")
    assert_accessible(page)
    _tick(page, "C2", on=False)
    _tick(page, "C3")
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Cast my ballot").click()
    page.get_by_role("heading", name="Your ballot is cast").wait_for()
    first = page.locator("#receipt-code code").inner_text().strip()
    assert_accessible(page)

    page.get_by_role("link", name="Back to my pools").click()
    page.get_by_role("link", name=re.compile("Change my ballot.*City-wide")).click()
    page.get_by_role("link", name="Start a new ballot").click()
    assert page.locator("input[name=project]:checked").count() == 0  # the new ballot starts empty
    _tick(page, "C4")
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Cast my ballot").click()
    page.get_by_role("heading", name="Your ballot is changed").wait_for()
    second = page.locator("#receipt-code code").inner_text().strip()
    assert second != first

    page.goto(PROCESS + "/receipts")
    page.get_by_label("Tracking code", exact=True).fill(second)
    page.get_by_role("button", name="Check").click()
    page.get_by_text("This ballot is recorded").wait_for()
    # Nothing is counted in public before the close.
    page.goto(PROCESS + "/results")
    assert "No counts are shown before then" in page.content()


def test_paper_ballots_the_close_and_what_anyone_can_check_afterwards(page, live_server):
    code = _issue_code(live_server, "PRV-0004")
    sign_in(page, "resident")
    page.goto(PROCESS + "/verify")
    page.get_by_role("textbox", name="Voting code").fill(code)
    page.get_by_role("button", name="Use the code").click()
    page.get_by_role("link", name=re.compile("Fill in the ballot.*City-wide")).click()
    _tick(page, "C1")
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Cast my ballot").click()
    receipt = page.locator("#receipt-code code").inner_text().strip()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "clerk")
    page.goto("/staff/voting")
    # Perivoli's edition: Kalamata's, in its proposals phase, has the same name.
    page.get_by_role("link", name=re.compile("Συμμετοχικός προϋπολογισμός 2027")).and_(
        page.locator(f'[href$="/staff/voting/{_process_id(live_server)}"]')).click()
    page.wait_for_url(re.compile(r"/staff/voting/\d+$"))
    desk = page.url
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Enter ballots of .*City-wide")).click()
    page.wait_for_url(re.compile(r"/staff/voting/pools/\d+/paper$"))
    paper = page.url
    assert_accessible(page)
    # A paper ballot for a resident who has not voted: typed, entered, confirmed.
    page.get_by_label("Register reference").fill("PRV-0005")
    page.get_by_label("Projects").fill("C3 C4")
    page.get_by_role("button", name="Enter the ballot").click()
    page.get_by_text(re.compile("PRV-0005")).first.wait_for()
    # The resident who voted online is refused a paper ballot, with the reason.
    page.get_by_label("Register reference").fill("PRV-0004")
    page.get_by_label("Projects").fill("C2")
    page.get_by_role("button", name="Enter the ballot").click()
    expect(page.get_by_text("already voted online").first).to_be_visible()
    assert page.get_by_label("Register reference").input_value() == "PRV-0004"

    page.goto(desk)
    page.get_by_label("Reason for closing early").fill("The council ends the demo vote for the browser test.")
    page.get_by_role("button", name=re.compile("Close the vote")).first.click()
    page.get_by_role("button", name="Close the vote and count now").click()
    page.get_by_text(re.compile("counted|closed", re.I)).first.wait_for()

    page.goto(PROCESS + "/results")
    assert "Ballots counted" in page.content() and "What other counting rules" in page.content()
    assert_accessible(page)
    page.goto(PROCESS + "/receipts")
    page.get_by_label("Tracking code", exact=True).fill(receipt)
    page.get_by_role("button", name="Check").click()
    page.get_by_text("This ballot was counted").wait_for()
    page.goto(PROCESS + "/results")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Pabulib")).first.click()
    from pb.tally import pabulib

    election = pabulib.read(download.value.path())
    assert election.voter_count >= 2 and election.project("C1").extra["selected"] in ("0", "1")
    assert paper


def _voting_end_and_ids(live_server) -> tuple:
    """The demo vote's end in the time zone the pages show, the process id, and the Kentro pool's name."""
    import zoneinfo

    from pb.processes import queries
    from pb.processes.models import PhaseKind

    with live_server.app.app_context():
        process = queries.process_by_slug("perivoli", "2027")
        voting = next(p for p in process.phases if p.kind is PhaseKind.VOTING)
        local = voting.ends_at.astimezone(zoneinfo.ZoneInfo(live_server.app.config["PB_TIMEZONE"]))
        kentro = next(p for p in process.pools if p.district is not None)
        return local, process.id, kentro.name


def test_a_clerk_extends_the_vote_and_annuls_a_district_and_residents_see_why(page, live_server, chromium):
    end, process_id, district_pool = _voting_end_and_ids(live_server)
    new_end = (end + __import__("datetime").timedelta(days=2)).replace(hour=20, minute=0)
    sign_in(page, "clerk")
    page.goto(f"/staff/processes/{process_id}/phases")
    page.locator("#until-voting").fill(new_end.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#extend-reason-voting").fill("The site was down for six hours; council decision 12/2027.")
    page.get_by_role("button", name="Extend").first.click()
    page.get_by_text("The phase was changed").wait_for()
    assert_accessible(page)

    page.goto(f"/staff/voting/{process_id}/invalidate")
    page.get_by_label("Pool", exact=True).select_option(label=district_pool)
    page.get_by_label("Why the vote in this pool is annulled").fill("Council decision 13/2027: mass registration.")
    page.get_by_role("button", name="Annul the vote of this pool").click()
    expect(page.get_by_text("Tick the box to confirm.").first).to_be_visible()
    page.get_by_label("Why the vote in this pool is annulled").fill("Council decision 13/2027: mass registration.")
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Annul the vote of this pool").click()
    page.get_by_text(re.compile("is annulled")).first.wait_for()
    assert_accessible(page)

    visitor = chromium.new_context(base_url=live_server.url, locale="en-GB").new_page()
    visitor.goto(PROCESS)
    text = visitor.content()
    assert "Extended until" in text and "council decision 12/2027" in text
    assert "8:00:00" in text  # the 20:00 the clerk typed, in the time zone the pages show
    assert "annulled the vote in this pool" in text and "mass registration" in text
    assert_accessible(visitor)
    visitor.context.close()
