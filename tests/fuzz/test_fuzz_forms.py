"""Fuzzing: random values into every form and the JSON API, and an XSS probe corpus into every free-text field.

Every POST route of ``app.url_map`` is fuzzed with the forms the pages render for it (found by crawling the world
as each role; a few forms that no page shows in this world are described in ``UNSHOWN``), signed in as the role
that may use it. No answer may be a 5xx (in tests an exception in a view propagates, so it fails too), and after
the run no stored row may hold an impossible value (``check_stored``; the vote's invariants are checked after
every test by the ``app`` fixture). The bulk runs on SQLite with a fixed derandomised seed; PostgreSQL gets a
smaller smoke count of the same examples (``PB_FUZZ_SCALE`` multiplies both).
"""

from __future__ import annotations

import collections
import math
import os

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from flask.testing import EnvironBuilder

from pb import create_app
from tests.conftest import TEST_CONFIG
from tests.fuzz.conftest import ROLES, crawl, sign_in, sign_out
from tests.fuzz.strategies import XSS_MARK, XSS_PAYLOADS, Field, Form, form_data, live_markup, offered_data, \
    query_params

SCALE = float(os.environ.get("PB_FUZZ_SCALE", "1"))
# Generated requests per POST route on SQLite; PostgreSQL runs SMOKE of them.
EXAMPLES = 250
SMOKE = 20
# Routes that hash a password (argon2id, 64 MiB) or build a PDF on every valid submission are slower per request.
SLOW = {"accounts.login": 40, "accounts.register": 40, "accounts.reset": 40, "staff.users": 40,
        "accounts.account": 30, "reports.generate": 25, "desk.letters": 40, "reports.finalise": 25,
        "desk.close": 60}
API_EXAMPLES = 700
LIST_EXAMPLES = 300
# At least this many generated requests per run on SQLite, over every test below.
MINIMUM_REQUESTS = 10_000

# The routes no page of the world renders a form for, with the role that may use them and their fields.
UNSHOWN = {
    "accounts.confirm": ("anonymous", "/confirm/not-a-token", {"password": []}),
    "accounts.reset": ("anonymous", "/reset/not-a-token", {"password": [], "confirm": []}),
    # The second step of a staff sign-in (no password step pending here, so the form sends one back to it).
    "accounts.login_code": ("anonymous", "/login/code", {"code": []}),
    # Enrolling an authenticator app (the fuzzed staff are enrolled already; residents are offered it).
    "accounts.two_factor": ("resident", "/account/two-factor", {"code": [], "action": ["enrol", "disable"]}),
    # A co-author invitation's link, mailed to the invited resident.
    "proposals.accept_invitation": ("resident", "/projects/1/invitation/not-a-token", {}),
    "deliberation.dismiss_project_flags": ("clerk", "/staff/moderation/projects/1/dismiss", {}),
    # No resident of the world is blocked, so the moderation page offers no unblock form.
    "deliberation.unblock_user": ("clerk", "/staff/moderation/users/1/unblock", {"reason": []}),
    "deliberation.unfollow": ("resident", "/projects/1/unfollow", {"next": ["/projects/1"]}),
    "deliberation.withdraw_support": ("resident", "/projects/1/support/withdraw", {"next": ["/projects/1"]}),
    "mandate.record_decision": ("clerk", "/staff/decisions/projects/1", {
        "outcome": ["adopted", "rejected", "adopted_modified", "deferred"], "reason": [], "legal_ground": [],
        "decision_number": [], "decided_on": ["2026-05-01"]}),
    "reports.finalise": ("clerk", "/staff/annex/processes/1/finalise", {}),
    "reports.publish": ("legal_officer", "/staff/assessments/versions/1/publish", {}),
    "review.appeal": ("resident", "/projects/{in_review}/appeal", {"text": []}),
    "review.unassign": ("clerk", "/staff/review/projects/1/unassign/1", {}),
    # Project 1 has delivery record 1 already, so the desk offers no "open" button; it is not delivered yet, so
    # its page offers no rating form.
    "delivery.open_record": ("clerk", "/staff/delivery/projects/1/open", {}),
    "delivery.rate": ("resident", "/projects/1/delivery/rating", {"score": ["1", "5", "9"], "comment": []}),
    # District 1 is used (by the register), so its page offers no delete button.
    "setup.delete_district": ("admin", "/staff/districts/1/delete", {}),
    # No district of the world has a boundary, so no page offers to remove one.
    "setup.delete_district_boundary": ("admin", "/staff/districts/1/boundary/delete", {}),
}

# Findings: inputs that make a route answer 5xx or store an impossible value. Each is replayed exactly by
# test_known_finding (xfail, strict: it must keep failing until the fix lands, then the mark goes); the random
# test of the route is marked xfail too (not strict: whether its examples meet the bug depends on the draw).
FINDINGS: dict[str, tuple[str, str, dict]] = {
    "deliberation.new_comment": (
        "a stance of only whitespace passes Optional() and Stance(' ') raises ValueError (500); fix: drop "
        "Optional() from CommentForm.stance or test `.strip()` in CommentForm.value", "resident",
        {"path": "/projects/1/comments", "data": {"comment-1-body": "Fine", "comment-1-stance": " "}}),
    "deliberation.reply": (
        "same as new_comment: CommentForm.stance whitespace (500)", "resident",
        {"path": "/comments/1/reply", "data": {"comment-1-body": "Fine", "comment-1-stance": "\t\n"}}),
    "deliberation.edit_comment": (
        "same as new_comment: CommentForm.stance whitespace (500)", "resident",
        {"path": "/comments/2/edit", "data": {"comment-1-body": "Fine", "comment-1-stance": "\r"}}),
    "voting.receipts": (
        "a non-ASCII tracking code: secrecy.receipt_hash encodes the normalised code as ASCII and raises "
        "UnicodeEncodeError (500); fix: CODE_ALPHABET-only check in ReceiptForm (Regexp) or encode as UTF-8",
        "anonymous", {"path": "/m/testville/2026/receipts", "data": {"code": "\u00c0"}}),
    "desk.register": (
        "a register CSV with a bare CR inside a line: csv.Error 'new-line character seen in unquoted field' "
        "escapes the importer (500); fix: io.StringIO(text, newline='') and catch csv.Error as ValidationError",
        "clerk", {"path": "/staff/voting/1/register",
                  "file": b"reference,birth_year,district\nAB-77\r7,1980,north\n"}),
    "desk.sheets": (
        "the same csv.Error in the paper-sheet importer (pb/voting/paper.py) (500)", "clerk",
        {"path": "/staff/voting/pools/1/sheets", "file": b"reference,projects\nAB-77\r7,1\n"}),
    "mandate.edit": (
        "a huge integer in a count field (justification_days): OverflowError in validation (500); fix: "
        "NumberRange(min=0, max=10_000) on _count fields", "clerk",
        {"path": "/staff/mandates/1/edit", "data": {"justification_days": "9" * 400}}),
    "deliberation.new_comment:nul": (
        "NUL and other control characters are kept in comment bodies (SQLite stores them; PostgreSQL refuses NUL "
        "in text, a 500); fix: a form filter that strips C0 controls but \\t \\n \\r from every text field",
        "resident", {"path": "/projects/1/comments", "data": {"comment-1-body": "a\x00b\x02"}}),
    "reports.assessment": (
        "a NUL character in an assessment narrative: PostgreSQL refuses it (DataError, 500); fix: the same "
        "control-character filter", "legal_officer",
        {"path": "/staff/assessments/processes/1/ex-ante", "data": {"scope": "a\x00b"}, "backend": "postgresql"}),
    "url:nul-slug": (
        "a NUL character in a process slug of the URL (/m/testville/%00/projects): PostgreSQL refuses it in the "
        "query (DataError, 500); fix: 404 for slugs outside [a-z0-9-] (a url converter) before querying",
        "anonymous", {"path": "/m/testville/%00/projects", "get": True, "backend": "postgresql"}),
    "url:int32-id": (
        "an id past 2**31 - 1 (/api/v1/processes/2147483648/projects): the id columns are 32-bit on PostgreSQL, "
        "NumericValueOutOfRange (500); fix: an int converter with max=2**31 - 1 in create_app (404 everywhere)",
        "anonymous", {"path": f"/api/v1/processes/{2**31}/projects", "get": True, "backend": "postgresql"}),
    "url:nul-filter": (
        "a NUL in a filter of the project list's address (?category=%00): only form values were cleaned, so "
        "PostgreSQL got it in the query (DataError, 500); fix: CleanRequest cleans address parameters too",
        "anonymous", {"path": "/m/testville/rev/projects?category=%1d%00x&mm=%3C%3C", "get": True,
                      "backend": "postgresql"}),
}


def _post_endpoints() -> list[str]:
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods})


POST_ENDPOINTS = _post_endpoints()
REQUESTS: collections.Counter = collections.Counter()
_CRAWLED: dict[str, dict[str, list[Form]]] = {}


def _forms_by_role(app, client, db, world) -> dict[str, dict[str, list[Form]]]:
    """Every role's POST forms, by endpoint (the world is the same in every test, so it is crawled once)."""
    if not _CRAWLED:
        for role in ("anonymous", *ROLES):
            if role == "anonymous":
                sign_out(client)
            else:
                sign_in(client, db, world.users[role])
            forms, _ = crawl(app, client)
            _CRAWLED[role] = {endpoint: _distinct(found) for endpoint, found in forms.items()}
        sign_out(client)
    return _CRAWLED


def _distinct(forms: list[Form]) -> list[Form]:
    """One form per (action, fields): the same comment form on fifty pages is one form."""
    seen, kept = set(), []
    for form in forms:
        key = (form.action, tuple(form.fields))
        if key not in seen:
            seen.add(key)
            kept.append(form)
    return kept[:12]


def forms_for(endpoint: str, app, client, db, world) -> tuple[str, list[Form]]:
    """The role that may use ``endpoint`` and its forms: the first role whose pages render one (residents first,
    as the least privileged), else the ``UNSHOWN`` description."""
    crawled = _forms_by_role(app, client, db, world)
    for role in ("anonymous", *ROLES):
        if crawled[role].get(endpoint):
            return role, crawled[role][endpoint]
    role, path, fields = UNSHOWN[endpoint]
    path = path.format(in_review=world.projects[2].id)
    form = Form(page=path, action=path)
    for name, values in fields.items():
        form.fields[name] = Field(name, "select" if values else "text", list(values))
    return role, [form]


def check_stored(db) -> list[str]:
    """Impossible stored values: text longer than its column, negative money, coordinates off the globe,
    empty titles or comments, NUL characters (PostgreSQL refuses them; SQLite would keep them)."""
    problems = []
    session = db.session
    session.rollback()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.String) and column.type.length:
                over = session.scalar(sa.select(sa.func.count()).select_from(table).where(
                    sa.func.length(column) > column.type.length))
                if over:
                    problems.append(f"{table.name}.{column.name}: {over} values longer than {column.type.length}")
    from pb.deliberation.models import Comment
    from pb.processes.models import Pool
    from pb.proposals.models import Project

    for project in session.scalars(sa.select(Project)):
        if project.cost is None or project.cost < 0 or (project.estimated_cost or 0) < 0:
            problems.append(f"project {project.id}: cost {project.cost}, estimated {project.estimated_cost}")
        if not (project.title or "").strip():
            problems.append(f"project {project.id}: an empty title")
        for value, bound in ((project.latitude, 90), (project.longitude, 180)):
            if value is not None and not (math.isfinite(value) and -bound <= value <= bound):
                problems.append(f"project {project.id}: coordinate {value}")
        if any("\x00" in (text or "") for text in (project.title, project.summary, project.description)):
            problems.append(f"project {project.id}: a NUL character")
    for comment in session.scalars(sa.select(Comment)):
        if not (comment.body or "").strip() or "\x00" in comment.body:
            problems.append(f"comment {comment.id}: body {comment.body[:40]!r}")
    for pool in session.scalars(sa.select(Pool)):
        if pool.amount is None or pool.amount < 0:
            problems.append(f"pool {pool.id}: amount {pool.amount}")
    session.rollback()
    return problems


FUZZ_SETTINGS = dict(derandomize=True, database=None, deadline=None, print_blob=True,
                     phases=(Phase.explicit, Phase.generate),  # no shrinking in CI: derandomised, a failure replays
                     suppress_health_check=list(HealthCheck))


def _examples(endpoint: str, database_url: str) -> int:
    count = SLOW.get(endpoint, EXAMPLES)
    if database_url.startswith("postgresql"):
        count = min(count, SMOKE)
    return max(1, int(count * SCALE))


def _cases():
    for endpoint in POST_ENDPOINTS:
        yield pytest.param(endpoint, id=endpoint)


@pytest.fixture
def quiet_limits():
    """Rate limits off while fuzzing, so that examples reach the form and not the 429 page; restored after."""
    from pb.extensions import limiter

    was = limiter.enabled
    limiter.enabled = False
    yield
    limiter.enabled = was


# A large multipart body is spooled by Werkzeug's test client into a temporary file that nothing closes: a leak of
# the test client, not of the app, which filterwarnings=error would otherwise turn into a failure.
LEAKY_CLIENT = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
                pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


@pytest.mark.parametrize("endpoint", list(_cases()))
@LEAKY_CLIENT[0]
@LEAKY_CLIENT[1]
def test_form_survives_random_input(endpoint, app, db, client, fuzz_world, database_url, quiet_limits):
    """Random values into one form: never a 5xx, never an impossible stored value."""
    role, forms = forms_for(endpoint, app, client, db, fuzz_world)
    answers: collections.Counter = collections.Counter()

    @settings(max_examples=_examples(endpoint, database_url), **FUZZ_SETTINGS)
    @given(data=st.data())
    def post(data):
        form = data.draw(st.sampled_from(forms), label="form")
        body = data.draw(form_data(form), label="body")
        if role == "anonymous":
            sign_out(client)
        else:
            sign_in(client, db, fuzz_world.users[role])
        has_file = any(field.kind == "file" for field in form.fields.values())
        # Built here so that it can be closed: a large multipart body is spooled to a temporary file.
        builder = EnvironBuilder(app, path=form.action, method="POST", data=body,
                                 content_type="multipart/form-data" if has_file else None)
        try:
            response = client.open(builder)
            response.close()
        finally:
            builder.close()
        REQUESTS["forms"] += 1
        answers[response.status_code] += 1
        assert response.status_code < 500, (form.action, response.status_code)

    post()
    problems = check_stored(db)
    assert not problems, problems
    assert answers, endpoint


@pytest.mark.parametrize("endpoint", list(FINDINGS))
def test_known_finding(endpoint, app, db, client, fuzz_world, quiet_limits, database_url, request):
    """The exact input of each finding the fuzzer made (a 5xx or an impossible stored value), fixed since:
    kept so that none comes back."""
    import io

    _reason, role, case = FINDINGS[endpoint]
    if role == "anonymous":
        sign_out(client)
    else:
        sign_in(client, db, fuzz_world.users[role])
    if case.get("get"):
        response = client.get(case["path"])
    elif "file" in case:
        response = client.post(case["path"], data={"file": (io.BytesIO(case["file"]), "data.csv")},
                               content_type="multipart/form-data")
    else:
        response = client.post(case["path"], data=case["data"])
    assert response.status_code < 500, (endpoint, response.status_code)
    assert not check_stored(db)


def test_api_rejects_ids_beyond_64_bits(app, client, fuzz_world):
    """An id past the 64-bit range answers 404, not 500 (also a finding: see the report)."""
    response = client.get(f"/api/v1/processes/{2**63}/projects")
    assert response.status_code == 404


def test_every_post_route_is_fuzzed(app, db, client, fuzz_world, database_url):
    """Each POST route has a form that a page renders or a description in UNSHOWN, and no description is stale."""
    if database_url.startswith("postgresql"):
        pytest.skip("the same on both databases")
    crawled = _forms_by_role(app, client, db, fuzz_world)
    shown = {endpoint for forms in crawled.values() for endpoint in forms}
    assert set(POST_ENDPOINTS) <= shown | set(UNSHOWN), set(POST_ENDPOINTS) - shown - set(UNSHOWN)
    assert not (set(UNSHOWN) & shown), set(UNSHOWN) & shown


@pytest.mark.parametrize("path", ["/api/v1/processes", "/api/v1/processes/{n}/projects",
                                  "/m/testville/{slug}/projects", "/m/testville/{slug}/results.json"])
def test_api_and_lists_survive_random_parameters(path, app, client, fuzz_world, database_url):
    """Random query parameters (and ids) into the JSON API and the project list: never a 5xx; JSON stays JSON."""
    count = API_EXAMPLES if path.startswith("/api") else LIST_EXAMPLES
    if database_url.startswith("postgresql"):
        count = SMOKE * 2

    @settings(max_examples=max(1, int(count * SCALE)), **FUZZ_SETTINGS)
    @given(params=query_params, n=st.one_of(st.integers(1, 6), st.integers(-5, 2**31 - 1)),
           slug=st.sampled_from(["2026", "vote", "prop", "rev", "x", "%01", "ü", "a" * 300]))
    # Ids past 2**31 - 1 and NUL in a slug are findings of their own (FINDINGS, test_known_finding).
    def get(params, n, slug):
        target = path.format(n=n, slug=slug)
        response = client.get(target, query_string=params)
        response.close()
        REQUESTS["api"] += 1
        assert response.status_code < 500, (target, params, response.status_code)
        if target.startswith("/api") and response.status_code in (200, 400, 404):
            assert isinstance(response.get_json(), dict), (target, params)

    get()


# XSS ------------------------------------------------------------------------------------------------

# Plausible values for the non-text fields a submission needs to be stored, by field name (after any "prefix-").
PLAUSIBLE = {"cost": "1200.50", "latitude": "", "longitude": "", "birth_year": "1980", "budget_amount": "100000",
             "budget_fiscal_year": "2026", "support_signatures": "0", "justification_days": "60",
             "revised_cost": "", "effective_from": "2026-01-01", "effective_until": "", "basis_date": "2010-06-07",
             "decided_on": "2026-05-01", "as_of": "2026-01-01", "password": "a long enough password 1",
             "confirm": "a long enough password 1", "coauthors": "", "code": "", "basis_url": "",
             "justification_published": ""}
# Fields that name something (an address, a reference) rather than hold text shown back as written.
NOT_FREE_TEXT = {"email", "password", "confirm", "cost", "coauthors", "basis_url", "justification_published"}
# Forms not probed: they end the session or change the language, or cannot hold text.
NOT_PROBED = {"accounts.logout", "web.switch_language", "accounts.login", "accounts.reset_request",
              "deliberation.block_user", "deliberation.unblock_user"}


def test_xss_probes_come_back_escaped(app, db, client, fuzz_world, database_url, quiet_limits):
    """Every payload of the corpus into every free-text field of every form, then every page for every role:
    no element, attribute or URL from a payload is live. The markers must be seen on the pages (else the
    test would prove nothing)."""
    if database_url.startswith("postgresql"):
        pytest.skip("escaping does not depend on the database")
    crawled = _forms_by_role(app, client, db, fuzz_world)
    markers: dict[str, str] = {}
    problems: list[str] = []
    number = 0
    for endpoint in sorted(set(POST_ENDPOINTS) - NOT_PROBED):
        role, forms = forms_for(endpoint, app, client, db, fuzz_world)
        for form in forms[:1]:
            fields = [name for name in form.text_fields if name.split("-")[-1] not in NOT_FREE_TEXT]
            if not fields:
                continue
            for payload in XSS_PAYLOADS:
                number += 1
                body = offered_data(form)
                for name in form.fields:
                    short = name.split("-")[-1]
                    if short in PLAUSIBLE:
                        body.setlist(name, [PLAUSIBLE[short]])
                    if short == "email":
                        body.setlist(name, [f"probe{number}@example.org"])
                for name in fields:
                    marker = f"{XSS_MARK}{len(markers)}q"
                    markers[marker] = f"{endpoint}:{name}"
                    body.setlist(name, [payload.replace(XSS_MARK, marker)])
                if role == "anonymous":
                    sign_out(client)
                else:
                    sign_in(client, db, fuzz_world.users[role])
                response = client.post(form.action, data=body, follow_redirects=True)
                REQUESTS["xss"] += 1
                assert response.status_code < 500, (endpoint, payload, response.status_code)
                if response.mimetype == "text/html":
                    problems += [f"{endpoint} answer: {p}" for p in live_markup(response.get_data(as_text=True))]
    seen: set[str] = set()
    for role in ("anonymous", *ROLES):
        if role == "anonymous":
            sign_out(client)
        else:
            sign_in(client, db, fuzz_world.users[role])
        for path, html in _pages(app, client):
            problems += [f"{role} {path}: {p}" for p in live_markup(html)]
            seen.update(marker for marker in markers if marker in html)
    assert not problems, problems[:20]
    shown = {markers[m] for m in seen}
    # The texts residents and staff write that pages show: each must have come back (escaped) somewhere.
    for fields in (["proposals.new:title", "proposals.edit:title"], ["proposals.new:summary"],
                   ["proposals.new:description"], ["deliberation.new_comment:comment-1-body",
                                                   "deliberation.edit_comment:comment-1-body"],
                   ["deliberation.hide_project:reason"], ["staff.users:display_name", "accounts.account:profile-display_name"],
                   ["mandate.edit:obligation"], ["reports.assessment:scope"]):
        assert set(fields) & shown, (fields, sorted(shown))


def _pages(app, client):
    """Every page the crawler reaches, as (path, html)."""
    from tests.fuzz.conftest import _Links, seed_paths  # the crawler's own parts

    collected = []
    queue = collections.deque(seed_paths(app))
    seen = set(queue)
    while queue and len(collected) < 500:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        collected.append((path, html))
        links = _Links()
        links.feed(html)
        for href in links.links:
            if href.startswith("/") and href not in seen and not href.startswith(("/static", "/logout")) \
                    and "/images/" not in href and not href.endswith((".pdf", ".pb", ".csv", ".xlsx", ".txt")):
                seen.add(href)
                queue.append(href)
    return collected


def test_the_xss_check_can_fail():
    """The page check flags each payload when it is put into a page raw (so a pass above means escaped)."""
    for payload in XSS_PAYLOADS:
        raw = f"<html><body><p>{payload}</p></body></html>"
        if payload.startswith(("<math", "javascript:", "\\u003c", "&lt;", "\uff1c", "[click", "![", "[x]")):
            continue  # harmless as raw text: dangerous only once a renderer turns them into a link or tag
        assert live_markup(raw), payload
    assert not live_markup("<p>&lt;script&gt;alert('pbxss')&lt;/script&gt;</p>")


def test_enough_requests_were_generated():
    """The run's budget: at least MINIMUM_REQUESTS generated requests on SQLite over the tests above."""
    forms = sum(SLOW.get(e, EXAMPLES) for e in POST_ENDPOINTS if e not in FINDINGS)  # findings stop early
    planned = int((forms + 2 * API_EXAMPLES + 2 * LIST_EXAMPLES) * SCALE)
    assert SCALE < 1 or planned >= MINIMUM_REQUESTS, planned
