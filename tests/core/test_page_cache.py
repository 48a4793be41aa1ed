"""The micro-cache of public pages for visitors who are not signed in (pb/core/page_cache.py)."""

from __future__ import annotations

import contextlib
import re

import pytest
import sqlalchemy as sa

from pb.core import page_cache
from pb.core.i18n import LANGUAGE_COOKIE
from pb.voting.ballot_rules import Choice
from tests.conftest import sign_in_through_forms
from tests.voting.conftest import voting_world  # noqa: F401  (fixture: an open vote)


@contextlib.contextmanager
def counted_statements(db):
    """The SQL statements the block sends, as a list that fills while it runs."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def project(make_process, make_project):
    return make_project(make_process(), title="Shade trees on Elm Street")


def test_a_second_anonymous_visit_is_served_without_the_database(app, db, project):
    path = f"/projects/{project.id}"
    first = app.test_client().get(path)
    assert first.status_code == 200
    with counted_statements(db) as statements:
        second = app.test_client().get(path)
    assert second.status_code == 200
    assert statements == []
    assert "Shade trees on Elm Street" in second.get_data(as_text=True)
    assert second.headers["Content-Security-Policy"]  # headers are added to cached pages as to any other


def test_every_visitor_gets_a_token_of_their_own_that_works(make_app, project):
    app = make_app(WTF_CSRF_ENABLED=True)
    path = f"/projects/{project.id}"
    first, second = app.test_client(), app.test_client()
    first_token = csrf_token(first.get(path).get_data(as_text=True))
    token = csrf_token(second.get(path).get_data(as_text=True))  # from the cache
    assert token != first_token
    switched = second.post("/language", data={"csrf_token": token, "language": "el", "next": path})
    assert switched.status_code == 302
    assert 'lang="el"' in second.get(path).get_data(as_text=True)
    refused = second.post("/language", data={"csrf_token": first_token, "language": "en", "next": path})
    assert refused.status_code == 400


def test_a_committed_change_shows_at_once(app, db, project):
    visitor = app.test_client()
    assert "Shade trees" in visitor.get(f"/projects/{project.id}").get_data(as_text=True)
    project.title = "Fruit trees on Elm Street"
    db.session.commit()
    assert "Fruit trees" in visitor.get(f"/projects/{project.id}").get_data(as_text=True)


def test_a_rolled_back_change_keeps_the_cached_pages(app, db, project):
    app.test_client().get(f"/projects/{project.id}")
    generation = page_cache._generation
    project.title = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert page_cache._generation == generation


def test_a_ballot_keeps_the_cached_pages(app, db, voting_world):
    from pb.voting import services

    app.test_client().get(f"/projects/{voting_world.projects[0].id}")
    generation = page_cache._generation
    services.cast_ballot(voting_world.resident, voting_world.north,
                         [Choice(voting_world.north_projects[0].id)], "form-1")
    db.session.commit()
    assert page_cache._generation == generation


def test_signed_in_people_always_get_a_fresh_page(app, make_user, project):
    resident = make_user(display_name="Eleni")
    client = app.test_client()
    client.get(f"/projects/{project.id}")  # cached as a visitor sees it
    sign_in_through_forms(client, resident)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Sign out" in page
    assert "Sign in to support this project." not in page


def test_a_waiting_message_is_shown_not_cached(app, project):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this visitor only")]
    assert "A message for this visitor only" in client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "A message for this visitor only" not in app.test_client().get(f"/projects/{project.id}").get_data(
        as_text=True)


def test_pages_expire(app, db, project, monkeypatch):
    import cachelib.simple

    path = f"/projects/{project.id}"
    app.test_client().get(path)
    clock = cachelib.simple.time() + app.config["PB_PAGE_CACHE_SECONDS"] + 1
    monkeypatch.setattr(cachelib.simple, "time", lambda: clock)
    with counted_statements(db) as statements:
        app.test_client().get(path)
    assert statements


def test_languages_are_cached_apart(app, project):
    english = app.test_client().get(f"/projects/{project.id}").get_data(as_text=True)
    greek_client = app.test_client()
    greek_client.set_cookie(LANGUAGE_COOKIE, "el")
    greek = greek_client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'lang="en"' in english and 'lang="el"' in greek


def test_each_visitor_keeps_their_own_random_order(app, make_process, make_project):
    process = make_process()
    for n in range(30):
        make_project(process, title=f"Project number {n}")
    path = f"/m/testville/{process.slug}/projects?sort=random"

    def order(client):
        return re.findall(r"Project number \d+", client.get(path).get_data(as_text=True))

    visitors = [app.test_client() for _ in range(6)]
    orders = [order(v) for v in visitors]
    assert all(order(v) == seen for v, seen in zip(visitors, orders))  # the same on a second look
    assert len({tuple(o) for o in orders}) > 1  # but not the same for everyone


def test_off_when_set_to_zero(make_app, project):
    app = make_app(PB_PAGE_CACHE_SECONDS=0)
    assert app.extensions["pb_page_cache"] is None
