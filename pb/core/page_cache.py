"""A short-lived cache of the public pages as visitors who are not signed in see them.

During a vote most requests are anonymous visitors reading the same few pages (a project, the list, the
process); rendering one costs tens of milliseconds and a dozen statements, the same for every such visitor in
the same language. So each app process keeps what it rendered for a few seconds (``PB_PAGE_CACHE_SECONDS``),
like a proxy's micro-cache, and forgets all of it as soon as one of its own transactions changes anything a
visitor could see. Another process's change shows after at most those few seconds. Signed-in people, and
anyone with a message waiting to be shown, always get a fresh page.

The one per-visitor part of an anonymous page is the CSRF token of its forms (the language switch): it is
stored as a placeholder and put back for each visitor.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from cachelib import SimpleCache
from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import Session

# Tables no anonymous page shows (the vote before its close, accounts, the audit trail, mail): writing them
# leaves the cached pages as they are, so that a vote or a sign-in does not empty the cache.
PRIVATE_TABLES = frozenset({
    "audit_event", "audit_chain_head", "user_account", "recovery_code", "notification", "follow",
    "outbox_message", "voter_register_entry", "voting_code", "participation", "ballot", "ballot_choice",
    "counted_ballot",
})
_CHANGED = "pb_public_change"
_TOKEN_PLACEHOLDER = "\x00pb-csrf-token\x00"

# This process's content generation: part of every key, so moving it on forgets every cached page at once.
_generations = itertools.count()
_generation = next(_generations)


def forget_cached_pages() -> None:
    """Every page this process cached is stale from now on."""
    global _generation
    _generation = next(_generations)


def init_app(app: Flask) -> None:
    seconds = app.config["PB_PAGE_CACHE_SECONDS"]
    app.extensions["pb_page_cache"] = SimpleCache(threshold=app.config["PB_PAGE_CACHE_ENTRIES"],
                                                  default_timeout=seconds) if seconds > 0 else None


def _is_public(table: sa.Table | None) -> bool:
    return table is None or table.name not in PRIVATE_TABLES


@sa.event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _context: Any) -> None:
    for obj in itertools.chain(session.new, session.dirty, session.deleted):
        if _is_public(getattr(obj, "__table__", None)):
            session.info[_CHANGED] = True
            return


@sa.event.listens_for(Session, "do_orm_execute")
def _note_statement_changes(state: Any) -> None:
    # INSERT, UPDATE and DELETE statements run past the unit of work (bulk writes, ON CONFLICT inserts).
    if (state.is_insert or state.is_update or state.is_delete) and _is_public(getattr(state.statement, "table", None)):
        state.session.info[_CHANGED] = True


@sa.event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        forget_cached_pages()


@sa.event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def _anonymous() -> bool:
    # Read from the cookie, not through current_user: loading a user is what the cache saves.
    return ("_user_id" not in session and "_flashes" not in session
            and current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies)


def cached_for_visitors(vary: Callable[[], object] | None = None) -> Callable:
    """Serve the view's page from the cache to anonymous visitors.

    ``vary`` gives what else, beyond the address and the language, the page depends on (say, a visitor's own
    random order of projects)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            cache: SimpleCache | None = current_app.extensions.get("pb_page_cache")
            if cache is None or request.method not in ("GET", "HEAD") or not _anonymous():
                return view(*args, **kwargs)
            key = f"{_generation}|{get_locale()}|{request.full_path}|{vary() if vary else ''}"
            stored = cache.get(key)
            if stored is not None:
                return _from_cache(stored)
            generation = _generation
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code == 200 and not response.direct_passthrough and generation == _generation:
                cache.set(key, _to_cache(response))
            return response

        return wrapper

    return decorate


def _to_cache(response: Response) -> tuple[str, str, list[tuple[str, str]]]:
    body = response.get_data(as_text=True)
    token = g.get(current_app.config["WTF_CSRF_FIELD_NAME"])
    if token:
        body = body.replace(token, _TOKEN_PLACEHOLDER)
    headers = [(name, value) for name, value in response.headers.items()
               if name.lower() not in ("set-cookie", "content-length", "content-type")]
    return body, response.content_type, headers


def _from_cache(stored: tuple[str, str, list[tuple[str, str]]]) -> Response:
    body, content_type, headers = stored
    if _TOKEN_PLACEHOLDER in body:
        body = body.replace(_TOKEN_PLACEHOLDER, generate_csrf())
    return Response(body, content_type=content_type, headers=headers)
