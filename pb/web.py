"""Site-wide routes and hooks: the language switch, the health check, security headers, template context."""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

from flask import Blueprint, Flask, abort, current_app, redirect, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf

from pb.accounts import permissions
from pb.accounts.forms import ROLE_LABELS
from pb.accounts.permissions import public
from pb.accounts.services import set_locale
from pb.core.db import reset_writing, set_writing
from pb.core.i18n import LANGUAGE_COOKIE, LANGUAGE_NAMES, offered_languages
from pb.core.mail import deliver_pending
from pb.core.money import format_money
from pb.core.requests import CONTROL
from pb.deliberation.markdown import render as render_markdown
from pb.extensions import db
from pb.processes.labels import ballot_kind_label, phase_label, phase_state, rule_label
from pb.proposals.vocabulary import category_label, status_label

bp = Blueprint("web", __name__)



def content_security_policy(image_origins: tuple[str, ...] = ()) -> str:
    """The policy of every page; a page with a map adds exactly the origin of its municipality's tiles."""
    images = " ".join(("'self'", "data:", *image_origins))
    return (f"default-src 'self'; img-src {images}; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'")


CONTENT_SECURITY_POLICY = content_security_policy()


class LanguageForm(FlaskForm):
    """The language switch shown on every page."""

    language = StringField(validators=[AnyOf(tuple(LANGUAGE_NAMES))])
    next = HiddenField()


def safe_next(target: str | None, fallback: str) -> str:
    """A local path to return to, for every ``next`` of the app; anything that could reach another site falls back.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so ``/\t/evil.example`` (sent as
    ``/%09/evil.example``, which Werkzeug decodes) and ``/\\evil.example`` lead to ``//evil.example``: a target
    with a control character or a backslash, raw or percent-encoded, is refused, and so is one whose decoded form
    starts with ``//`` or names a scheme or host. A newline would also make the redirect itself fail.
    """
    if not target or len(target) > 2000:
        return fallback
    for form in (target, unquote(target)):
        if "\\" in form or any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in form):
            return fallback
        parts = urlsplit(form)
        if parts.scheme or parts.netloc or not form.startswith("/") or form.startswith("//"):
            return fallback
    return target


@bp.post("/language")
@public
def switch_language():
    """Remember the chosen language (in the account when signed in) and go back to the page."""
    form = LanguageForm()
    back = safe_next(form.next.data, url_for("processes.home"))
    if not form.validate_on_submit():
        return redirect(back)
    language = form.language.data
    if current_user.is_authenticated:
        set_locale(current_user, language)
        db.session.commit()
    response = redirect(back)
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response


@bp.get("/healthz")
@public
def health():
    """For load balancers: the app answers and reaches its database."""
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


def register_web_hooks(app: Flask) -> None:
    """Security headers on every response and what every template needs."""

    def declare_writes():
        # State-changing requests write: on SQLite their transactions take the write lock at BEGIN.
        request.environ["pb.writing"] = set_writing(request.method not in ("GET", "HEAD", "OPTIONS"))

    def refuse_control_characters():
        # A control character in the address names no page (PostgreSQL would refuse it in a query).
        if CONTROL.search(request.path):
            abort(404)

    app.before_request_funcs.setdefault(None, []).insert(0, refuse_control_characters)
    # First of all hooks: any earlier one that reads (the signed-in user, a second-factor check) would
    # open the request's SQLite transaction as a reader, and its later write would find the lock taken.
    app.before_request_funcs.setdefault(None, []).insert(0, declare_writes)

    @app.teardown_request
    def end_writes(_error):
        # What runs after the request in this thread (a test, a command) gets back what it had said: a
        # leftover "writes" would make its next SQLite transaction hold the write lock while it only reads.
        # Request contexts that ran no hooks (test_request_context inside a writing() block) change nothing.
        token = request.environ.pop("pb.writing", None)
        if token is not None:
            reset_writing(token)

    @app.after_request
    def deliver_mail(response):
        # Development and tests: send what this request queued, after its commit. Production uses
        # the worker, so no request waits for the mail server.
        if app.config["PB_MAIL_DELIVERY"] == "inline" and request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                deliver_pending(db.session, app.config)
            except Exception:  # a mail problem must not break the page; the outbox keeps the mail
                logging.getLogger("pb.mail").exception("inline mail delivery failed")
                db.session.rollback()
        return response

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if "_user_id" in session:
            # Pages for a signed-in person (their account, recovery codes, staff data) stay out of shared caches
            # and the browser's disk cache; views that chose their own caching keep it.
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    @app.template_filter("money")
    def money(amount: int | None, currency: str) -> str:
        return "" if amount is None else format_money(amount, currency, str(get_locale()))

    app.jinja_env.filters["category_label"] = category_label
    app.jinja_env.filters["markdown"] = render_markdown

    @app.context_processor
    def template_context():
        return {
            "current_locale": str(get_locale()),
            "language_names": {code: LANGUAGE_NAMES[code] for code in offered_languages() if code in LANGUAGE_NAMES},
            "all_language_names": LANGUAGE_NAMES,
            "language_form": LanguageForm(formdata=None, next=request.full_path.rstrip("?")),
            "perm": permissions,
            "phase_label": phase_label,
            "phase_state": phase_state,
            "rule_label": rule_label,
            "ballot_kind_label": ballot_kind_label,
            "status_label": status_label,
            "role_label": lambda role: str(ROLE_LABELS.get(role, role)),
        }
