"""Issue 6's whole path in a real Chromium: from a Greek preset to the council's answer to the vote.

A legal officer starts a process's mandate from the Greek preset and completes it; signing is refused while
the legal basis lacks its date and link, then the basis is completed and the mandate signed and put in force.
A clerk, refused before, is refused again while the vote lacks its register and the ex-ante assessment the
Greek preset asks for; once the clerk imports the register and the legal officer publishes the assessment, the
clerk opens voting early on the phases page. After the vote (its official result is
written directly), the clerk records the council's decisions: a rejection without a reason is refused under the
advisory mandate. Residents read on the process page that their vote is advisory, and on "What happened to your
vote" what the council decided and why. axe-core checks the mandate form, the decisions page and the public pages.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from playwright.sync_api import expect

from pb.core.db import utcnow
from pb.processes.models import Municipality, Phase, Pool, Process
from pb.processes.phases import schedule_around_vote
from pb.proposals.models import Project, ProjectStatus
from pb.voting.models import TallyResult, TallyResultProject
from tests.e2e.test_pages import assert_accessible, sign_in

SLUG = "2027-mandate"
NAME = "Assen 2027 (mandate e2e)"
ADOPTED, REJECTED = "Shade trees on the market square", "A skate park by the station"
REJECTION_REASON = "The land by the station belongs to the railway, not to the city."


def _new_process(app) -> tuple[int, list[int]]:
    """A process in its deliberation phase, voting in five days, with two projects on the ballot."""
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        assen = db.session.execute(sa.select(Municipality).where(Municipality.slug == "assen")).scalar_one()
        author = db.session.execute(sa.text("SELECT id FROM user_account WHERE role = 'resident'")).scalars().first()
        start = utcnow() + dt.timedelta(days=5)
        process = Process(municipality=assen, slug=SLUG, name=NAME, fiscal_year=2027, currency="EUR")
        for position, (kind, begin, end) in enumerate(schedule_around_vote(start, start + dt.timedelta(days=14))):
            process.phases.append(Phase(kind=kind, position=position, starts_at=begin, ends_at=end))
        process.pools.append(Pool(name="Assen (city-wide)", amount=15_000_000))
        db.session.add(process)
        db.session.flush()
        projects = [Project(process_id=process.id, pool_id=process.pools[0].id, code=f"M{i}", title=title,
                            summary="A summary.", description="A description.", cost=5_000_000,
                            estimated_cost=5_000_000, status=ProjectStatus.ON_BALLOT, author_id=author)
                    for i, title in enumerate((ADOPTED, REJECTED))]
        db.session.add_all(projects)
        db.session.commit()
        ids = process.id, [p.id for p in projects]
        db.session.remove()
    return ids


def _count_the_vote(app, process_id: int, project_ids: list[int]) -> None:
    """Stand-in for the vote's closing step: both projects won under the official rule."""
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        process = db.session.get(Process, process_id)
        result = TallyResult(pool_id=process.pools[0].id, rule=process.tally_rule, tie_break="lexico",
                             is_official=True, input_hash="0" * 64, library_version="e2e", ballots_counted=120,
                             budget=15_000_000, total_cost=10_000_000)
        for order, project_id in enumerate(project_ids, start=1):
            result.projects.append(TallyResultProject(project_id=project_id, score=100 - order, cost=5_000_000,
                                                      selected=True, selection_order=order, reason="selected"))
        db.session.add(result)
        process.vote_closed_at = utcnow()
        db.session.commit()
        db.session.remove()


def _flashed(page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def _open_voting(page, process_id: int) -> None:
    page.goto(f"/staff/processes/{process_id}/phases")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Voting", exact=True))
    row.get_by_label("Reason").fill("The council asked to open the vote before the holidays.")
    row.get_by_role("button", name="Open now").click()


def _decide(page, title: str, outcome: str, reason: str = "") -> None:
    section = page.get_by_role("region", name=title)
    section.get_by_label("Council's decision").select_option(label=outcome)
    section.get_by_label("Reason").fill(reason)
    section.get_by_label("Decision number").fill("117/2027")
    section.get_by_label("Date of the decision").fill(utcnow().date().isoformat())
    section.get_by_role("button", name="Record the decision").click()


def test_from_greek_preset_to_the_councils_answer(chromium, live_server):
    process_id, (adopted_id, rejected_id) = _new_process(live_server.app)
    contexts = []

    def tab():
        context = chromium.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    try:
        officer, clerk, resident = tab(), tab(), tab()
        sign_in(clerk, "clerk")
        sign_in(officer, "legal_officer")

        # Without a mandate in force, voting cannot open.
        _open_voting(clerk, process_id)
        _flashed(clerk, "Voting cannot open: this process has no mandate yet.")

        # 1. The legal officer starts the mandate from the Greek preset, from the legal desk.
        officer.goto("/staff/mandates/presets")
        assert_accessible(officer)
        officer.goto("/staff/legal")
        with officer.expect_navigation():
            officer.get_by_role("link", name=NAME).click()
        assert_accessible(officer)
        officer.get_by_label("Start from").select_option(label="Greece (2026.3)")
        officer.get_by_role("button", name="Start the mandate").click()
        _flashed(officer, "The mandate was started.")
        expect(officer.get_by_label("Number", exact=True)).to_have_value("3852/2010")
        assert_accessible(officer)

        # 2. She completes the terms, but not yet the date of the law or a link to it, and submits it.
        officer.get_by_label("Amount authorised").fill("150000")
        officer.get_by_label("When a winning project fails").select_option(label="The next project in the ranking "
                                                                                  "that fits the budget is funded instead")
        officer.get_by_label("Deadline for the reasoned response (days after the vote)").fill("60")
        officer.get_by_label("Where the reasoned response is published").fill("https://assen.example/pb/besluiten")
        officer.get_by_label("Where complaints go").fill("The municipal ombudsman")
        officer.get_by_role("button", name="Save").click()
        _flashed(officer, "The mandate was saved.")
        officer.get_by_role("button", name="Submit for legal review").click()
        _flashed(officer, "Submitted for legal review.")

        # 3. Signing is refused: the legal basis is incomplete.
        officer.get_by_label("Your legal opinion").fill("Law 3852/2010 art. 76 makes the vote advisory.")
        officer.get_by_role("button", name="Sign the mandate").click()
        expect(officer.get_by_role("status")).to_contain_text("The mandate cannot be signed yet. The legal basis is "
                                                              "incomplete: Date of the instrument, a link to the text")
        expect(officer.get_by_label("Your legal opinion")).to_have_value("Law 3852/2010 art. 76 makes the vote advisory.")
        assert_accessible(officer)

        # 4. She completes the basis, signs, and puts the mandate in force.
        officer.get_by_role("link", name="Edit this version").click()
        officer.get_by_label("Date of the instrument").fill("2010-06-07")
        officer.get_by_label("Link to the text").fill("https://www.kodiko.gr/nomologia/document_navigation/3852-2010")
        officer.get_by_role("button", name="Save").click()
        _flashed(officer, "The mandate was saved.")
        assert officer.get_by_text("Every check passes.").is_visible()
        officer.get_by_label("Your legal opinion").fill("Law 3852/2010 art. 76 makes the vote advisory.")
        officer.get_by_role("button", name="Sign the mandate").click()
        _flashed(officer, "The mandate is signed.")
        officer.get_by_role("button", name="Put in force").click()
        _flashed(officer, "The mandate is in force: voting may open.")

        # 5. The vote is still not ready: no register, and the Greek preset asks for the ex-ante assessment.
        _open_voting(clerk, process_id)
        _flashed(clerk, "Import the voter register")
        _flashed(clerk, "Publish the ex-ante impact assessment")
        clerk.goto(f"/staff/voting/{process_id}/register")
        clerk.get_by_label("Register file (CSV)").set_input_files(files=[{
            "name": "register.csv", "mimeType": "text/csv",
            "buffer": b"reference,birth_year,district\nAS-1,1980,\nAS-2,1990,\n"}])
        clerk.get_by_role("button", name="Import").click()
        expect(clerk.get_by_text("The register now holds 2 residents")).to_be_visible()
        officer.goto(f"/staff/assessments/processes/{process_id}/ex-ante")
        officer.get_by_role("button", name="Generate a version from the data and sections as they are now").click()
        officer.get_by_role("button", name="Publish").click()
        _flashed(officer, "published")

        # 6. Now the clerk opens voting early.
        _open_voting(clerk, process_id)
        _flashed(clerk, "The phase was changed")

        # 7. After the vote, the clerk records the council's decisions.
        _count_the_vote(live_server.app, process_id, [adopted_id, rejected_id])
        clerk.goto(f"/staff/decisions/processes/{process_id}")
        assert_accessible(clerk)
        _decide(clerk, REJECTED, "Rejected")
        expect(clerk.get_by_role("alert")).to_contain_text("The vote is advisory: the council owes residents a reason")
        assert clerk.get_by_role("region", name=REJECTED).get_by_label("Reason").get_attribute("aria-invalid") == "true"
        _decide(clerk, REJECTED, "Rejected", REJECTION_REASON)
        _flashed(clerk, f"The council's decision on “{REJECTED}” was recorded.")
        _decide(clerk, ADOPTED, "Adopted", "Residents chose it; it fits next year's budget.")
        _flashed(clerk, f"The council's decision on “{ADOPTED}” was recorded.")

        # 7. Residents read the standing of their vote and what the council decided.
        resident.goto(f"/m/assen/{SLUG}")
        summary = resident.get_by_role("region", name="Is your vote binding?")
        expect(summary).to_contain_text("No. Your vote is advisory")
        expect(summary.get_by_role("link", name="Law, 3852/2010, article 76")).to_be_visible()
        assert_accessible(resident)
        summary.get_by_role("link", name=re.compile("What happened to your vote")).click()
        expect(resident.locator("h1")).to_have_text("What happened to your vote")
        rejected_row = resident.get_by_role("row").filter(has=resident.get_by_role("rowheader", name=REJECTED))
        expect(rejected_row).to_contain_text("Rejected")
        expect(rejected_row).to_contain_text(REJECTION_REASON)
        adopted_row = resident.get_by_role("row").filter(has=resident.get_by_role("rowheader", name=ADOPTED))
        expect(adopted_row).to_contain_text("Adopted")
        assert_accessible(resident)
    finally:
        for context in contexts:
            context.close()
