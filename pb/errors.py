"""Domain errors raised by services, and the one place that renders error pages."""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, flash, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from pb.extensions import db, limiter

log = logging.getLogger(__name__)

# Seconds a client is asked to wait when the database cannot be reached; the 503 page says "a minute".
DATABASE_RETRY_AFTER = 60


class PBError(Exception):
    """A domain rule said no; the message is for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(PBError):
    """The input breaks a rule; ``field`` names the form field it belongs to, if any."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


class Problems(ValidationError):
    """Several inputs break rules at once (a form or a set-up file): each ``(field, message)`` in the order found.

    ``field`` is a form field's name, or a key path in a file (``process.pools[2].amount``)."""

    def __init__(self, problems: list[tuple[str | None, str]]) -> None:
        super().__init__(problems[0][0], " ".join(message for _field, message in problems))
        self.problems = list(problems)


class NotAllowed(PBError):
    """The acting user may not do this."""


class InvalidTransition(PBError):
    """The object's lifecycle does not allow this step now."""


class NotConfirmed(PBError):
    """The password was right but the e-mail address is not yet confirmed."""


# Titles and explanations of the error pages, in the user's language.
_PAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("There is no page at this address. It may have moved or been removed.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("What you sent is larger than we accept.")),
    429: (_l("Too many attempts"), _l("You have tried too often. Please wait a little and try again.")),
    500: (_l("Something went wrong"), _l("An error on our side stopped this page. It has been logged; please try again later.")),
    503: (_l("Temporarily unavailable"), _l("The service is briefly unavailable. Please try again in a minute.")),
}


def wants_json() -> bool:
    """API clients get JSON errors instead of pages."""
    return request.path.startswith("/api/")


def render_error(status: int, detail: str | None = None):
    """The error page for this status, in the user's language."""
    title, text = _PAGES.get(status, _PAGES[500])
    if wants_json():
        return {"error": str(title), "detail": str(detail or text)}, status
    try:
        return render_template("errors/error.html", status=status, title=title, text=detail or text), status
    except Exception:  # the page itself failed (e.g. the database is down): fall back to plain HTML
        log.exception("error page %s could not be rendered", status)
        return f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(text)}</p>", status


def _retry_after() -> int:
    """Seconds until the limit this request broke lets it through again; a minute if that cannot be read."""
    try:
        breached = limiter.current_limit
        seconds = breached.reset_at - time.time() if breached is not None and breached.breached else 60
    except Exception:  # the limit store is unreachable: a minute is a fair guess
        seconds = 60
    return max(1, math.ceil(seconds))


def _wait_message(seconds: int) -> str:
    """How long to wait before trying again, in words."""
    if seconds < 120:
        return ngettext("You have tried too often. Please wait %(num)d second and try again.",
                        "You have tried too often. Please wait %(num)d seconds and try again.", seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("You have tried too often. Please wait %(num)d minute and try again.",
                    "You have tried too often. Please wait %(num)d minutes and try again.", minutes)


def register_error_pages(app: Flask) -> None:
    """Render every HTTP error and every uncaught exception as a page; never a stack trace."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400, str(_l("The form had expired or was not sent from this site. Please reload the page and try again."))
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 429:
            wait = _retry_after()
            body, status = render_error(429, _wait_message(wait))
            return body, status, {"Retry-After": str(wait)}
        return render_error(error.code or 500)

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        # The database is down or restarting: a 503 that asks to come back, not a 500. pool_pre_ping
        # replaces the dead connections on the next request, so the app recovers by itself.
        if not (isinstance(error, (OperationalError, InterfaceError)) or error.connection_invalidated):
            return unexpected_error(error)
        # Only the driver's message: the statement's parameters (a ballot's choices) stay out of the log.
        log.warning("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        # Drop the session's connection without a ROLLBACK: sent to a dead server it would fail again when
        # the request ends, after this page, and turn it into a 500.
        with contextlib.suppress(Exception):
            db.session.invalidate()
        # The page must not reach for the database again (the signed-in user, their language).
        g._login_user = AnonymousUserMixin()
        body, status = render_error(503)
        return body, status, {"Retry-After": str(DATABASE_RETRY_AFTER)}

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)


def show_on_form(form, error: PBError, fields: dict[str, str] | None = None) -> None:
    """Put a domain error on the form field it names (``fields`` renames service fields), or flash it."""
    if isinstance(error, Problems):
        for name, message in error.problems:
            show_on_form(form, ValidationError(name, message), fields)
        return
    name = (fields or {}).get(error.field, error.field) if isinstance(error, ValidationError) else None
    field = getattr(form, name, None) if name and form is not None else None
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        flash(error.message, "error")


@dataclass(frozen=True)
class Attempt:
    """What calling a service from a view gave: whether it succeeded (and was committed), and its value."""

    ok: bool
    value: Any = None


def attempt(call: Callable[[], Any], form=None, fields: dict[str, str] | None = None) -> Attempt:
    """Call a service for a view: commit when it succeeds; when it raises a domain error, roll everything back
    and show the error on the form (or flash it). Any other exception rolls back and propagates."""
    try:
        value = call()
    except PBError as error:
        db.session.rollback()
        show_on_form(form, error, fields)
        return Attempt(False)
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return Attempt(True, value)
