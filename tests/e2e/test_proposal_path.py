"""Issue 4's whole path in a real Chromium: from a resident's idea to a project on the ballot.

A new resident registers and confirms the address from the mail outbox, proposes two projects (one with a
PNG uploaded through the file input); a clerk opens the review phase early on the phases page, reviews one
project as feasible and one as not feasible (first without the required public reason, which is refused);
the author appeals and the clerk answers; the clerk opens the deliberation phase; residents comment and
support; a resident reports a comment and the clerk, as moderator, hides it with a public reason. In the end
the feasible project is "On the ballot" on its page and in the list, the hidden comment shows the
moderator's reason instead of its text, and the administrator's audit log lists the staff actions.
axe-core checks the submission form, the project page and the review page.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from pb.core.db import utcnow
from pb.processes.models import Municipality, Phase, Pool, Process
from pb.processes.phases import schedule_around_vote
from tests.e2e.test_pages import assert_accessible, sign_in

MUNICIPALITY = "assen"
SLUG = "2027-e2e"
PROCESS_NAME = "Assen Top Idee 2027 (e2e)"

FEASIBLE_TITLE = "Benches and shade trees in the Vaart park"
UNFEASIBLE_TITLE = "A cable car over the Drentsche Aa"
SPAM = "Buy cheap watches at watches.example — best prices!"
HIDE_REASON = "Advertising is not allowed in the discussion."
REFUSAL_REASON = "The river valley is a protected Natura 2000 area: no building is allowed there."


def _new_process(app) -> int:
    """A fresh process in the demo's Assen whose current phase is the proposals phase; returns its id."""
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        assen = db.session.execute(
            sa.select(Municipality).where(Municipality.slug == MUNICIPALITY)).scalar_one()
        vote_start = utcnow() + dt.timedelta(days=80)
        process = Process(municipality=assen, slug=SLUG, name=PROCESS_NAME, fiscal_year=2027, currency="EUR",
                          categories=list(assen.categories), beneficiary_groups=list(assen.beneficiary_groups))
        schedule = schedule_around_vote(vote_start, vote_start + dt.timedelta(days=14))
        for position, (kind, start, end) in enumerate(schedule):
            process.phases.append(Phase(kind=kind, position=position, starts_at=start, ends_at=end))
        process.pools.append(Pool(name="Assen (city-wide)", amount=50_000_000))
        db.session.add(process)
        db.session.commit()
        process_id = process.id
        db.session.remove()
    return process_id


def _flashed(page, text: str) -> None:
    """The page's flash messages (a role=status region) say ``text``; retried until the new page is there."""
    expect(page.get_by_role("status")).to_contain_text(text)


def _register(page, outbox, name: str, email: str, password: str) -> None:
    page.goto("/register")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Create the account").click()
    expect(page.locator("h1")).to_contain_text("Check your e-mail")
    mails = [m for m in outbox if m.to == email]
    assert mails, f"no mail to {email}"
    link = re.search(r"https?://\S+", mails[-1].body).group(0)
    page.goto(link)
    expect(page.get_by_text(email)).to_be_visible()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Confirm my address").click()
    _flashed(page, "Welcome")


def _propose(page, *, title: str, summary: str, description: str, cost: str, category: str, beneficiary: str,
             image=None, check_accessibility: bool = False) -> int:
    """Fill in and publish the submission form; returns the new project's id."""
    page.goto(f"/m/{MUNICIPALITY}/{SLUG}/propose")
    assert page.locator("h1").inner_text() == "Propose a project"
    if check_accessibility:
        assert_accessible(page)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill(summary)
    page.get_by_label("Description").fill(description)
    page.get_by_label("Estimated cost").fill(cost)
    page.get_by_label("District").select_option(label="Assen (city-wide)")
    page.get_by_role("group", name="Categories").get_by_label(category, exact=True).check()
    page.get_by_role("group", name="Who benefits").get_by_label(beneficiary, exact=True).check()
    page.get_by_label("Latitude").fill("52.9928")
    page.get_by_label("Longitude").fill("6.5642")
    if image is not None:
        page.get_by_label("Images").set_input_files(str(image))
    page.get_by_role("button", name="Publish").click()
    try:
        page.wait_for_url(re.compile(r"/projects/\d+$"), timeout=10_000)
    except PlaywrightTimeoutError:
        raise AssertionError(f"the project was not published: {page.locator('main').inner_text()}") from None
    _flashed(page, "Your project was published.")
    assert page.locator("h1").inner_text() == title
    return int(re.search(r"/projects/(\d+)$", page.url).group(1))


def _change_phase(page, process_id: int, phase: str, reason: str) -> None:
    """As a clerk, open a phase early on the process's phases page, giving the reason."""
    page.goto(f"/staff/processes/{process_id}/phases")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=phase, exact=True))
    row.get_by_label("Reason").fill(reason)
    row.get_by_role("button", name="Open now").click()
    _flashed(page, "The phase was changed")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=phase, exact=True))
    assert row.get_by_role("cell", name="Open", exact=True).is_visible()


def _review(page, project_id: int, feasibility: str, reason: str = "") -> None:
    page.goto(f"/staff/review/projects/{project_id}")
    page.get_by_label("Feasibility").select_option(label=feasibility)
    page.get_by_label("Legally compliant").select_option(label="Yes")
    page.get_by_label("Public reason").fill(reason)
    page.get_by_role("button", name="Record the review").click()


def _card(page, title: str):
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=title, exact=True))


def test_from_idea_to_ballot(chromium, live_server, tmp_path):
    process_id = _new_process(live_server.app)
    png = tmp_path / "park.png"
    Image.new("RGB", (64, 48), (40, 140, 60)).save(png, format="PNG")

    def tab():
        context = chromium.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(15_000)
        return context, context.new_page()

    contexts = []
    try:
        author_ctx, author = tab()
        clerk_ctx, clerk = tab()
        neighbour_ctx, neighbour = tab()
        contexts += [author_ctx, clerk_ctx, neighbour_ctx]

        # 1. A new resident registers and confirms the address from the mail in the outbox.
        _register(author, live_server.outbox, "Anneke de Vries", "anneke@example.org",
                  "a long enough passphrase 42")

        # 2. She proposes two projects in the proposals phase, the first with a PNG image.
        feasible_id = _propose(
            author, title=FEASIBLE_TITLE, summary="Six benches and twelve trees along the main path.",
            description="The path has no shade.\n\nOlder residents cannot rest on the way to the market.",
            cost="18500", category="Nature and greenery", beneficiary="Seniors", image=png,
            check_accessibility=True)
        image = author.get_by_role("img", name=f"Image 1 of the project “{FEASIBLE_TITLE}”")
        expect(image).to_be_visible()
        # The browser decoded the uploaded PNG (the image is lazy-loaded, so wait for it).
        author.wait_for_function("img => img.complete && img.naturalWidth === 64", arg=image.element_handle())
        served = author.request.get(image.get_attribute("src"))
        assert served.ok and served.headers["content-type"] == "image/png"
        assert served.headers["x-content-type-options"] == "nosniff"
        unfeasible_id = _propose(
            author, title=UNFEASIBLE_TITLE, summary="A cable car from the centre to the river valley.",
            description="Tourists would come from far away.", cost="450000", category="Public space",
            beneficiary="Adults")
        assert author.get_by_role("link", name="Edit the project").is_visible()

        # 3. The clerk opens the review phase early, with a reason, on the phases page.
        sign_in(clerk, "clerk")
        _change_phase(clerk, process_id, "Review", "All proposals are in; the review team starts early.")
        # Editing has closed for the author with the proposals phase.
        author.goto(f"/projects/{feasible_id}")
        assert author.get_by_role("link", name="Edit the project").count() == 0

        # 4. The clerk reviews: assigns a reviewer, then one project feasible.
        clerk.goto(f"/staff/review/processes/{process_id}")
        clerk.get_by_role("link", name=FEASIBLE_TITLE).click()
        clerk.wait_for_url(re.compile(rf"/staff/review/projects/{feasible_id}$"))
        assert_accessible(clerk)
        clerk.get_by_label("Reviewer").select_option(label="Demo Clerk")
        clerk.get_by_role("button", name="Assign").click()
        _flashed(clerk, "The reviewer was assigned.")
        _review(clerk, feasible_id, "Feasible")
        _flashed(clerk, "The review was recorded")
        assert clerk.get_by_text("On the ballot", exact=True).first.is_visible()

        # ... and the other not feasible: without a public reason it is refused, with one it is recorded.
        _review(clerk, unfeasible_id, "Not feasible")
        expect(clerk.get_by_role("alert")).to_contain_text("Give a public reason")
        assert clerk.get_by_label("Public reason").get_attribute("aria-invalid") == "true"
        assert_accessible(clerk)
        clerk.get_by_label("Feasibility").select_option(label="Not feasible")
        clerk.get_by_label("Legally compliant").select_option(label="Yes")
        clerk.get_by_label("Public reason").fill(REFUSAL_REASON)
        clerk.get_by_role("button", name="Record the review").click()
        _flashed(clerk, "The review was recorded")

        # 5. The author sees the outcome and its reason, and appeals.
        author.goto(f"/projects/{unfeasible_id}")
        outcome = author.get_by_role("region", name="Staff review")
        assert "Not feasible" in outcome.inner_text()
        assert REFUSAL_REASON in outcome.inner_text()
        author.get_by_label("Your appeal").fill("The cable car would stand outside the protected area.")
        author.get_by_role("button", name="Send the appeal").click()
        _flashed(author, "Your appeal was sent.")
        assert author.get_by_text("Waiting for an answer from the council's staff.").is_visible()

        # The clerk answers the appeal (rejected: the review stands).
        clerk.goto(f"/staff/review/projects/{unfeasible_id}")
        clerk.get_by_label("Decision").select_option(label="Rejected: the review stands")
        clerk.get_by_label("Answer").fill("Both stations would be inside the protected area.")
        clerk.get_by_role("button", name="Answer the appeal").click()
        _flashed(clerk, "The appeal was answered")

        # 6. The clerk opens the deliberation phase early.
        _change_phase(clerk, process_id, "Deliberation and supports",
                      "The review is finished for every project.")

        # 7. Residents comment and support.
        sign_in(neighbour, "resident")
        # Residents do not review.
        assert neighbour.goto(f"/staff/review/projects/{feasible_id}").status == 403
        neighbour.goto(f"/projects/{feasible_id}")
        neighbour.get_by_role("button", name="Support this project").click()
        _flashed(neighbour, "You support this project.")
        neighbour.get_by_label("Your comment").fill(SPAM)
        neighbour.get_by_role("button", name="Send comment").click()
        _flashed(neighbour, "Your comment was published.")

        author.goto(f"/projects/{feasible_id}")
        author.get_by_role("button", name="Support this project").click()
        _flashed(author, "You support this project.")
        assert author.get_by_text("2 residents support this project.").is_visible()
        author.get_by_label("Your comment").fill("Thank you all: the benches will face the *pond*.")
        author.get_by_label("Your stance (optional)").select_option(label="For the project")
        author.get_by_role("button", name="Send comment").click()
        _flashed(author, "Your comment was published.")

        # 8. The author reports the spam comment; the clerk, as moderator, hides it with a public reason.
        spam = author.get_by_role("article", name="Comment by Demo Resident")
        assert SPAM in spam.inner_text()
        spam.get_by_role("link", name="Report this comment").click()
        author.get_by_label("Spam or advertising").check()
        author.get_by_label("Note for the moderators (optional)").fill("An advert for watches.")
        author.get_by_role("button", name="Send the report").click()
        _flashed(author, "A moderator will look at your report.")

        clerk.goto("/staff/moderation")
        entry = clerk.get_by_role("region", name=f"Comment on “{FEASIBLE_TITLE}”")
        assert SPAM in entry.inner_text()
        entry.get_by_role("link", name="Hide with a public reason").click()
        clerk.get_by_label("Public reason").fill(HIDE_REASON)
        clerk.get_by_role("button", name="Hide", exact=True).click()
        _flashed(clerk, "The comment is hidden.")

        # 9. In the end: the feasible project is on the ballot, on its page and in the list ...
        neighbour.goto(f"/projects/{feasible_id}")
        facts = neighbour.locator("dl.facts").first
        assert "On the ballot" in facts.inner_text()
        hidden = neighbour.get_by_role("article", name="Comment by Demo Resident")
        assert f"Hidden by a moderator: {HIDE_REASON}" in hidden.inner_text()
        assert SPAM not in neighbour.content()
        assert "pond" in neighbour.get_by_role("article", name="Comment by Anneke de Vries").inner_text()
        assert neighbour.get_by_text("2 residents support this project.").is_visible()
        assert_accessible(neighbour)

        neighbour.goto(f"/m/{MUNICIPALITY}/{SLUG}/projects")
        assert "On the ballot" in _card(neighbour, FEASIBLE_TITLE).inner_text()
        assert "Not feasible" in _card(neighbour, UNFEASIBLE_TITLE).inner_text()
        neighbour.get_by_label("Status").select_option(label="On the ballot")
        neighbour.get_by_role("button", name="Show projects").click()
        expect(neighbour.get_by_role("heading", name="1 project", exact=True)).to_be_visible()
        expect(_card(neighbour, FEASIBLE_TITLE)).to_be_visible()

        # ... the not feasible one keeps its reason and the answered appeal.
        neighbour.goto(f"/projects/{unfeasible_id}")
        outcome = neighbour.get_by_role("region", name="Staff review").inner_text()
        assert REFUSAL_REASON in outcome and "Appeal rejected" in outcome

        # ... the author was told of the review outcomes, the comment's author of the hiding ...
        author.goto("/notifications")
        assert author.get_by_text(f"The review of “{FEASIBLE_TITLE}” has an outcome.").is_visible()
        assert author.get_by_text(f"The appeal on “{UNFEASIBLE_TITLE}” has been answered.").is_visible()
        neighbour.goto("/notifications")
        assert neighbour.get_by_text(f"A moderator hid content of yours on “{FEASIBLE_TITLE}”.").is_visible()

        # ... and the administrator's audit log lists the staff actions.
        admin_ctx, admin = tab()
        contexts.append(admin_ctx)
        sign_in(admin, "admin")
        admin.goto("/staff/audit")
        # The action cell names the action in words, then its code on the last line.
        rows = [(who, action.splitlines()[-1]) for _n, _when, who, action, *_rest in (
            row.locator("td").all_inner_texts() for row in admin.locator("table.audit tbody tr").all())]
        actions = [action for _who, action in rows]
        for action in ("phase.open_early", "review.assign", "review.record", "review.appeal",
                       "review.appeal_answer", "comment.hide"):
            assert action in actions, f"{action} is not in the audit log: {actions}"
        assert actions.count("phase.open_early") == 2
        assert actions.count("review.record") == 2  # the refused review left no trace
        staff = {action: who for who, action in rows if action.startswith(("phase.", "review.", "comment."))}
        assert staff.pop("review.appeal") == "anneke@example.org"
        assert set(staff.values()) == {"clerk@example.org"}, staff
        log = admin.locator("table.audit").inner_text()
        assert "All proposals are in; the review team starts early." in log
        assert HIDE_REASON in log
    finally:
        for context in contexts:
            context.close()
