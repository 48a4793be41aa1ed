"""Each role signs in through the browser, reaches its pages, and every page passes axe-core."""

from __future__ import annotations

import re

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from pb.demo import DEMO_ACCOUNTS, DEMO_TOTP_SECRET

# The first demo account of each role (the demo has a second clerk, of Assen only), and each account by address.
ACCOUNTS: dict[str, tuple[str, str]] = {}
for _email, _role, _password, _name in DEMO_ACCOUNTS:
    ACCOUNTS.setdefault(_role.value, (_email, _password))
    ACCOUNTS[_email] = (_email, _password)

PUBLIC_PAGES = ["/", "/m/warszawa/2026-grochow", "/m/assen/2024-top-idee", "/login", "/register", "/reset",
                "/no-such-page", "/m/warszawa/2026-grochow/projects", "/m/warszawa/2026-grochow/projects?sort=cost&q=park",
                "/projects/1", "/projects/1/versions", "/projects/1/discussion",
                "/m/warszawa/2026-grochow/results", "/m/warszawa/2026-grochow/statistics",
                "/m/warszawa/2026-grochow/receipts", "/m/perivoli/2027", "/m/perivoli/2027/vote",
                "/m/perivoli/2027/results", "/m/perivoli/2027/statistics", "/m/kalamata/2027",
                "/m/kalamata/2027/projects", "/m/nea-akti/2027", "/m/nea-akti/2027/projects",
                "/m/assen/2024-top-idee/delivery", "/accessibility"]
PAGES_BY_ROLE = {
    "resident": ["/", "/account", "/m/warszawa/2026-grochow", "/my/proposals", "/notifications",
                 "/m/assen/2024-top-idee/propose", "/projects/1", "/m/perivoli/2027/vote",
                 "/m/perivoli/2027/verify"],
    "clerk": ["/staff/", "/staff/processes", "/account", "/account/two-factor", "/staff/processes/1/phases", "/staff/review",
              "/staff/moderation", "/projects/1", "/staff/voting", "/staff/voting/3", "/staff/voting/3/register",
              "/staff/voting/3/letters", "/staff/voting/3/assisted", "/staff/voting/3/reconciliation",
              "/staff/voting/3/statistics", "/staff/voting/pools/3/paper", "/staff/voting/pools/3/sheets",
              "/staff/processes/new", "/staff/processes/4", "/staff/processes/4/edit", "/staff/processes/4/pools",
              "/staff/processes/4/schedule", "/staff/processes/4/vocabulary", "/staff/processes/4/projects/new",
              "/staff/processes/4/projects/import", "/staff/processes/4/copy", "/staff/processes/3",
              "/staff/delivery", "/staff/delivery/1", "/staff/delivery/municipalities/2/policy",
              "/staff/reports/processes/3/live", "/staff/reports/processes/3/mitigation"],
    "legal_officer": ["/staff/", "/staff/legal", "/staff/audit", "/staff/audit?who=clerk&since=2026-01-01",
                      "/staff/reports/municipalities/1/accessibility"],
    # Account 5 is the demo's clerk of Assen.
    "admin": ["/staff/", "/staff/users", "/staff/users/5", "/staff/audit", "/staff/processes", "/staff/legal", "/staff/municipalities",
              "/staff/municipalities/new", "/staff/municipalities/4/districts", "/staff/municipalities/4/edit",
              "/staff/municipalities/4/districts/import"],
    # The demo's parks officer answers for Assen's delivery records 1, 2 and 4.
    "department": ["/staff/", "/staff/delivery", "/staff/delivery/1"],
}
FORBIDDEN_BY_ROLE = {
    "resident": ["/staff/", "/staff/users"],
    "clerk": ["/staff/users", "/staff/legal", "/staff/municipalities"],
    "legal_officer": ["/staff/users", "/staff/processes"],
    "admin": [],
    "department": ["/staff/delivery/3", "/staff/processes", "/staff/users"],
}

_axe = Axe()


def assert_accessible(page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    page.wait_for_load_state()  # after a click, axe must not run on a page being replaced
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad)


def sign_in(page, role: str) -> None:
    """Sign a demo account in (by role, or by address); staff complete the second step with a code from the demo's
    TOTP secret."""
    email, password = ACCOUNTS[role]
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if email != ACCOUNTS["resident"][0]:
        page.wait_for_url(re.compile(r"/login/code$"))
        page.get_by_label("Code").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def test_public_pages_are_accessible(page):
    for path in PUBLIC_PAGES:
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)


@pytest.mark.parametrize("role", list(PAGES_BY_ROLE))
def test_each_role_signs_in_and_its_pages_are_accessible(page, role):
    sign_in(page, role)
    assert page.get_by_role("button", name="Sign out").is_visible()
    for path in PAGES_BY_ROLE[role]:
        response = page.goto(path)
        assert response.status == 200, path
        assert_accessible(page)
    for path in FORBIDDEN_BY_ROLE[role]:
        response = page.goto(path)
        assert response.status == 403, path
        assert "Not allowed" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_wrong_password_is_explained_and_fields_are_labelled(page):
    page.goto("/login")
    page.get_by_label("E-mail address").fill("clerk@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
    assert_accessible(page)


def test_registration_confirmation_in_the_browser(page, live_server):
    page.goto("/register")
    page.get_by_label("Your name").fill("Ελένη Παπαδοπούλου")
    page.get_by_label("E-mail address").fill("eleni@example.org")
    page.get_by_label("Password", exact=True).fill("ένας αρκετά μεγάλος κωδικός")
    page.get_by_label("Password again").fill("ένας αρκετά μεγάλος κωδικός")
    page.get_by_role("button", name="Create the account").click()
    expect(page.locator("h1")).to_contain_text("Check your e-mail")
    link = re.search(r"https?://\S+", live_server.outbox[-1].body).group(0)
    page.goto(link)
    expect(page.get_by_text("eleni@example.org")).to_be_visible()
    page.get_by_label("Password").fill("ένας αρκετά μεγάλος κωδικός")
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome")
    expect(page.get_by_role("link", name="My account")).to_be_visible()


def test_language_switch_on_every_page(page):
    page.goto("/login")
    page.get_by_role("button", name="Ελληνικά").click()
    # The address stays /login: wait for the page in its new language, not for the address.
    expect(page.locator("h1")).to_have_text("Σύνδεση")
    expect(page.locator("html")).to_have_attribute("lang", "el")
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Sign in")


def test_skip_link_is_the_first_stop_and_focus_is_visible(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


def test_sign_in_works_without_javascript(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, "clerk")
        assert page.goto("/staff/processes").status == 200
    finally:
        context.close()
