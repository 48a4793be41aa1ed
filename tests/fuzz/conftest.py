"""The fuzzers' world: a process in each phase that has forms (proposals, review, deliberation, voting), with
the objects every form names, one account per role, and a crawler that finds every form the pages render."""

from __future__ import annotations

import collections
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.fuzz.strategies import Form, harvest_forms
from tests.test_routes_by_role import route_world  # noqa: F401  (fixtures: process 1 and what the route table names)
from tests.voting.conftest import voting_world  # noqa: F401  (fixture: an open vote)

ROLES = ("resident", "clerk", "legal_officer", "admin")
# Pages not worth fetching while crawling: downloads, and links that end the session.
SKIP = re.compile(r"^/static/|\.(pdf|pb|csv|xlsx|txt|json|png|jpg)$|/images/|^/logout")


@pytest.fixture
def fuzz_world(route_world, voting_world, db, make_user, make_process, make_project):  # noqa: F811
    """Process 1 ("2026", deliberation) from the route table, process "vote" (voting open, resident verified),
    process "prop" (proposals open, a draft by the resident) and "rev" (review open); one account per role."""
    from pb.deliberation.models import Comment

    proposals = make_process(slug="prop", vote_in_days=70)
    review = make_process(slug="rev", vote_in_days=40)
    resident = voting_world.resident
    draft = make_project(proposals, status="draft", author=resident)
    published = make_project(proposals, status="published", author=resident)
    in_review = make_project(review, status="published", author=resident)
    db.session.add(Comment(project_id=1, author_id=resident.id, body="My own comment"))
    db.session.commit()
    users = {"resident": resident, "clerk": voting_world.clerk, "legal_officer": make_user(role="legal_officer"),
             "admin": make_user(role="admin")}
    return SimpleNamespace(voting=voting_world, proposals=proposals, review=review, users=users,
                           projects=(draft, published, in_review))


def sign_in(client, db, user) -> None:
    """Put ``user``'s session in the client's cookie, as signing in would (no password hashing, no second
    factor: the fuzzers test the forms behind the sign-in, not the sign-in)."""
    from pb.accounts.models import User

    db.session.rollback()
    stored = db.session.get(User, user.id)
    if getattr(stored, "is_staff", False) and hasattr(stored, "has_second_factor") and not stored.has_second_factor:
        # Staff need an enrolled second factor to see their pages (ASVS 2.7); enrol one with the tests' secret.
        from pb.accounts import second_factor
        from pb.core.db import utcnow
        from tests.conftest import TOTP_SECRET

        second_factor.set_secret(stored, TOTP_SECRET)
        stored.totp_enabled_at = utcnow()
        db.session.commit()
    token = db.session.scalar(sa.select(User.session_token).where(User.id == user.id))
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = token
        session["_fresh"] = True


def sign_out(client) -> None:
    """Forget the client's session."""
    with client.session_transaction() as session:
        session.clear()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def seed_paths(app) -> list[str]:
    """Every GET route with its arguments filled with the world's small ids and slugs."""
    import itertools

    slugs = [("testville", s) for s in ("2026", "vote", "prop", "rev")]
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        args = sorted(rule.arguments)
        choices = []
        for arg in args:
            if arg in ("municipality", "slug"):
                continue
            converter = rule._converters[arg]
            if hasattr(converter, "items"):
                choices.append([(arg, item) for item in sorted(converter.items)])
            elif arg == "token":
                choices.append([(arg, "not-a-token")])
            else:
                choices.append([(arg, n) for n in (1, 2, 3, 5)])
        slug_choices = slugs if "slug" in args else [None]
        for combo in itertools.product(*choices):
            for slug in slug_choices:
                values = dict(combo)
                if slug:
                    values.update(municipality=slug[0], slug=slug[1])
                try:
                    paths.append(app.url_map.bind("pb.test").build(rule.endpoint, values))
                except Exception:  # noqa: BLE001 - a combination the rule does not accept
                    continue
    return sorted(set(paths))


def crawl(app, client, limit: int = 550) -> tuple[dict[str, list[Form]], collections.Counter]:
    """Fetch the seed pages and every same-site link from them (breadth first, at most ``limit`` pages); the
    POST forms found, by endpoint, and the status codes seen."""
    adapter = app.url_map.bind("pb.test")
    queue = collections.deque(seed_paths(app))
    seen = set(queue)
    forms: dict[str, list[Form]] = collections.defaultdict(list)
    statuses: collections.Counter = collections.Counter()
    fetched = 0
    while queue and fetched < limit:
        path = queue.popleft()
        response = client.get(path)
        fetched += 1
        statuses[response.status_code] += 1
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        html = response.get_data(as_text=True)
        for form in harvest_forms(path, html):
            try:
                endpoint, _ = adapter.match(form.action, method="POST")
            except Exception:  # noqa: BLE001 - a form posting somewhere else
                continue
            if endpoint == "accounts.logout" and forms.get(endpoint):
                continue
            forms[endpoint].append(form)
        parser = _Links()
        parser.feed(html)
        for href in parser.links:
            parts = urlsplit(href)
            if parts.netloc and parts.netloc != "pb.test":
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path.startswith("/") and target not in seen and not SKIP.search(parts.path):
                seen.add(target)
                queue.append(target)
    return forms, statuses
