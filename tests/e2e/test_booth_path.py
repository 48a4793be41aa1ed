"""The voting booth in the browser, at 1280 and 390 px and in English and Greek: cast through the review step,
the tracking code kept through a reload and a language switch, a stale tab and a resubmission refused with
their explanation, the budget bar right after Back, the code found on the receipts page; axe on every page."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_pages import assert_accessible, sign_in
from tests.e2e.test_voting_path import PROCESS, _issue_code

# A phone in Greek and a desktop in English: both widths and both languages, each on both databases.
CASES = [(1280, "en"), (390, "el")]


def _city_pool_id(live_server) -> int:
    from pb.processes import queries

    with live_server.app.app_context():
        process = queries.process_by_slug("perivoli", "2027")
        found = next(p.id for p in process.pools if p.district_id is None)
        live_server.app.extensions["sqlalchemy"].session.remove()
    return found


def _project_id(live_server, code: str) -> str:
    import sqlalchemy as sa

    from pb.processes import queries
    from pb.proposals.models import Project

    with live_server.app.app_context():
        db = live_server.app.extensions["sqlalchemy"]
        process = queries.process_by_slug("perivoli", "2027")
        found = db.session.scalar(sa.select(Project.id).where(Project.process_id == process.id, Project.code == code))
        db.session.remove()
    return str(found)


def _fits(page) -> None:
    """Nothing is wider than the window, and axe finds nothing serious."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, (page.url, overflow)
    assert_accessible(page)


def _switch(page, language: str) -> None:
    page.locator(f'button[name="language"][value="{language}"]').click()
    page.wait_for_selector(f'html[lang="{language}"]')


def _tick(page, code: str) -> None:
    page.locator(f'[data-code="{code}"] input[name="project"]').check()


def _bar(page) -> tuple[int, int, str]:
    """Ticked boxes, the bar's count, and its spent amount."""
    return (page.locator('input[name="project"]:checked').count(), int(page.locator("[data-count]").inner_text()),
            page.locator("[data-total]").inner_text().replace("\u00a0", " "))


@pytest.mark.parametrize(("width", "language"), CASES)
def test_cast_keep_the_code_refuse_stale_forms_and_find_the_code(chromium, live_server, width, language):
    other = {"en": "el", "el": "en"}[language]
    code = _issue_code(live_server, "PRV-0004")
    pool = _city_pool_id(live_server)
    context = chromium.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, "resident")
        _switch(page, language)
        page.goto(PROCESS + "/verify")
        page.locator("#code-code").fill(code)
        page.locator("form:has(#code-code) button[type=submit]").click()
        page.wait_for_url(re.compile(r"/vote$"))

        page.goto(f"/pools/{pool}/ballot")
        _fits(page)
        # A second tab, opened on the same (empty) ballot before anything is cast.
        stale_tab = context.new_page()
        stale_tab.goto(f"/pools/{pool}/ballot")
        _tick(page, "C1")
        _tick(page, "C3")
        ticked, counted, spent = _bar(page)
        assert (ticked, counted) == (2, 2) and not spent.startswith("€0")
        page.locator('button[value="review"]').click()
        review = page.locator("table.review")
        assert "C1" in review.inner_text() and "C3" in review.inner_text() and "C2" not in review.inner_text()
        _fits(page)
        # Back to the ballot: the browser puts the ticks back, and the bar counts them.
        page.go_back()
        page.wait_for_selector("form.ballot")
        ticked, counted, spent = _bar(page)
        assert ticked == counted, (ticked, counted)
        assert ticked == 0 or not spent.startswith("€0"), spent
        while page.locator('input[name="project"]:checked').count():
            page.locator('input[name="project"]:checked').first.uncheck()
        _tick(page, "C1")
        _tick(page, "C3")
        page.locator('button[value="review"]').click()
        page.locator('button[value="cast"]').click()
        page.wait_for_url(re.compile(r"/receipt$"))
        receipt = page.locator("#receipt-code code").inner_text().strip()
        assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", receipt)
        assert page.evaluate("document.activeElement.id") == "receipt-code"
        _fits(page)
        page.reload()
        assert page.locator("#receipt-code code").inner_text().strip() == receipt
        _switch(page, other)
        assert page.locator("#receipt-code code").inner_text().strip() == receipt
        _fits(page)
        _switch(page, language)
        assert page.locator("#receipt-code code").inner_text().strip() == receipt

        # The resident finds the code on the receipts page, typed as they may type it: the browser hashes it.
        page.goto(PROCESS + "/receipts")
        typed = receipt.lower() if language == "en" else receipt.translate(str.maketrans("ABEHKMNPTXZ", "ΑΒΕΗΚΜΝΡΤΧΖ"))
        page.locator("#tracking-code").fill(typed)
        page.locator("form[data-receipt-check] button[type=submit]").click()
        page.wait_for_selector(".flash--success")
        assert "tracking-code=" not in page.url and page.locator("#receipt_hash").is_hidden()
        _fits(page)
        page.goto(f"/pools/{pool}/receipt")

        # The tab opened before the ballot was cast cannot replace it.
        stale_tab.locator('[data-code="C2"] input[name="project"]').check()
        stale_tab.locator('button[value="review"]').click()
        stale_tab.locator('button[value="cast"]').click()
        stale_tab.wait_for_selector(".flash--error")
        assert stale_tab.locator(f'a[href="/pools/{pool}/ballot"]').count() == 1
        _fits(stale_tab)
        # Changing the ballot; then Back from its receipt and the form sent again (what the browser's "Confirm
        # form resubmission" sends), with other choices: refused, and the change stands.
        page.goto(f"/pools/{pool}/ballot")
        _fits(page)
        page.locator(f'a[href="/pools/{pool}/ballot?change=1"]').click()
        assert page.locator('input[name="project"]:checked').count() == 0  # a new ballot starts empty
        _tick(page, "C4")
        page.locator('button[value="review"]').click()
        sent = page.locator("form.ballot-review").evaluate(
            "form => Object.fromEntries(new FormData(form).entries())")
        page.locator('button[value="cast"]').click()
        page.wait_for_url(re.compile(r"/receipt$"))
        changed = page.locator("#receipt-code code").inner_text().strip()
        assert changed != receipt
        again = page.request.post(f"/pools/{pool}/ballot", form={**sent, "action": "cast",
                                                                 "project": _project_id(live_server, "C2")},
                                  max_redirects=0)
        assert again.status == 409 and "class=\"flash flash--error\"" in again.text()
        page.goto(f"/pools/{pool}/receipt")
        assert page.locator("#receipt-code code").inner_text().strip() == changed
        stale_tab.close()
    finally:
        context.close()


def test_without_javascript_the_receipts_page_asks_for_the_hash(chromium, live_server):
    import hashlib

    import sqlalchemy as sa

    from pb.processes import queries
    from pb.voting.models import Ballot, CountedBallot
    from pb.processes.models import Pool

    with live_server.app.app_context():
        db = live_server.app.extensions["sqlalchemy"]
        process = queries.process_by_slug("perivoli", "2027")
        digest = db.session.scalar(sa.select(Ballot.receipt_hash).join(CountedBallot, CountedBallot.ballot_id == Ballot.id)
                                   .join(Pool).where(Pool.process_id == process.id).limit(1))
        db.session.remove()
    assert len(digest) == 64 and digest != hashlib.sha256(b"").hexdigest()
    context = chromium.new_context(base_url=live_server.url, locale="en-GB", java_script_enabled=False,
                                   viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        page.goto(PROCESS + "/receipts")
        assert page.locator("#tracking-code").is_hidden() and page.locator("#receipt_hash").is_visible()
        assert "sha256sum" in page.locator("[data-hash-field]").inner_text()
        page.locator("#receipt_hash").fill(digest)
        page.locator("form[data-receipt-check] button[type=submit]").click()
        page.wait_for_selector(".flash--success")
        # (axe and the width check need scripts; the page with scripts passes both in the test above.)
    finally:
        context.close()
