"""Sign-in, registration, password reset and the account page."""

from __future__ import annotations

import time

import segno
import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user
from markupsafe import Markup

from pb.accounts import second_factor, services
from pb.accounts.forms import (
    CodeForm,
    ConfirmForm,
    EnrolForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
    ResetRequestForm,
)
from pb.accounts.models import User
from pb.accounts.permissions import is_signed_in, is_staff, public, requires
from pb.errors import NotConfirmed, ValidationError
from pb.extensions import db, limiter
from pb.web import safe_next

bp = Blueprint("accounts", __name__)


# Built once: every signed-in request runs it.
_ACCOUNT_OF_SESSION = sa.select(User).where(User.session_token == sa.bindparam("token"))


def configure_login(manager: LoginManager) -> None:
    """Tell Flask-Login how to find the account of a session and where to sign in."""
    manager.login_view = "accounts.login"
    manager.login_message = _l("Please sign in to see this page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(session_token: str) -> User | None:
        user = db.session.execute(_ACCOUNT_OF_SESSION, {"token": session_token}).scalar_one_or_none()
        return user if user is not None and user.is_active else None


def _account_key() -> str:
    """The rate-limit key of the account a form names (sign-in attempts, mails to one address)."""
    return "account:" + services.normalise_email(request.form.get("email", ""))


def _mail_limit() -> str:
    return current_app.config["PB_MAIL_LIMIT_PER_TARGET"]


def _failed(response) -> bool:
    """Only failed sign-ins count against an account, so its owner is not locked out by success."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key,
               methods=["POST"], deduct_when=_failed)
def login():
    """Sign in; the same message for a wrong password and an unknown address."""
    if current_user.is_authenticated:
        return redirect(url_for("processes.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except NotConfirmed as refusal:
            db.session.commit()  # the confirmation mail was queued
            flash(refusal.message, "info")
            return render_template("accounts/login.html", form=form)
        if user is None:
            form.password.errors.append(_("The e-mail address or the password is not right."))
        else:
            next_url = safe_next(request.args.get("next"), url_for("processes.home"))
            # A new session at sign-in, so nothing planted before it survives (session fixation).
            session.clear()
            if user.has_second_factor:
                # Not signed in yet: the second step asks for a code first.
                session[_PENDING] = {"user": user.id, "remember": bool(form.remember.data), "next": next_url,
                                     "at": int(time.time())}
                db.session.commit()
                return redirect(url_for("accounts.login_code"))
            staff = user.is_staff  # read before the commit expires the account, which would cost a query
            login_user(user, remember=form.remember.data)
            db.session.commit()
            if staff:  # staff without a second factor set one up before anything else
                return redirect(url_for("accounts.two_factor", next=next_url))
            return redirect(next_url)
    return render_template("accounts/login.html", form=form)


# The session key of a sign-in waiting for its second step, and how long it may wait.
_PENDING = "pb_pending_sign_in"
PENDING_MAX_AGE = 300


def _pending_user() -> User | None:
    """The account whose password was right in this session a moment ago, still waiting for its code."""
    pending = session.get(_PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        return None
    user = db.session.get(User, pending.get("user"))
    return user if user is not None and user.is_active and user.has_second_factor else None


def _pending_key() -> str:
    """Codes are limited per account, however many sessions try them."""
    pending = session.get(_PENDING)
    return f"code:{pending.get('user') if isinstance(pending, dict) else None}"


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT_PER_ACCOUNT"], key_func=_pending_key,
               methods=["POST"], deduct_when=_failed)
def login_code():
    """The second step of a staff sign-in: the code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("processes.home"))
    user = _pending_user()
    if user is None:
        session.pop(_PENDING, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if second_factor.check_second_factor(user, form.code.data):
            pending = session[_PENDING]
            session.clear()
            login_user(user, remember=pending["remember"])
            db.session.commit()
            return redirect(pending["next"])
        form.code.errors.append(_("This code is not right, or it was already used."))
    return render_template("accounts/login_code.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@requires(is_staff)
def two_factor():
    """Set up the authenticator app of a staff account; once on, the page only says so."""
    if current_user.has_second_factor:
        return render_template("accounts/two_factor.html", enrolled=True,
                               recovery_left=second_factor.unused_recovery_codes(current_user))
    secret = second_factor.pending_secret(current_user)
    db.session.commit()  # the same secret while the page is reloaded, until a code confirms it
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(current_user, form.code.data)
        except ValidationError as error:
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            next_url = safe_next(request.args.get("next"), url_for("staff.dashboard"))
            # Shown once, on this answer only; a reload does not bring them back.
            return render_template("accounts/recovery_codes.html", codes=codes, next_url=next_url)
    uri = second_factor.provisioning_uri(current_user, secret)
    qr = Markup(segno.make(uri, error="m").svg_inline(scale=4, light="#fff", title=_("QR code of the key")))
    return render_template("accounts/two_factor.html", enrolled=False, form=form, secret=secret, uri=uri, qr=qr)


# Endpoints an enrolling staff member may reach besides public pages.
_ENROLMENT_ENDPOINTS = {"accounts.two_factor", "accounts.logout", "static"}


@bp.before_app_request
def require_second_factor():
    """Staff who have not set up their second factor are sent to do it before any page that needs an account."""
    if request.endpoint in _ENROLMENT_ENDPOINTS or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "permission", True) is None:  # public pages stay public
        return None
    if current_user.is_authenticated and current_user.is_staff and not current_user.has_second_factor:
        return redirect(url_for("accounts.two_factor", next=request.full_path.rstrip("?")))
    return None


@bp.post("/logout")
@requires(is_signed_in)
def logout():
    """Sign out here and on every other device."""
    user = current_user._get_current_object()
    logout_user()  # signals user_logged_out: other areas drop what they kept for this session, in this transaction
    services.revoke_sessions(user)
    db.session.commit()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("processes.home"))


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(_mail_limit, key_func=_account_key, methods=["POST"])
def register():
    """Create a resident account; the answer is the same whether the address is new or not."""
    if current_user.is_authenticated:
        return redirect(url_for("processes.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register(services.Registration(
                email=form.email.data, password=form.password.data,
                display_name=form.display_name.data, locale=_current_locale()))
        except ValidationError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            return render_template("accounts/check_mail.html", email=form.email.data)
    return render_template("accounts/register.html", form=form)


def _current_locale() -> str:
    return str(get_locale())


def _submitted(form) -> bool:
    """Which of several forms on one page was sent: the one whose prefixed fields are in the request."""
    return request.method == "POST" and any(key.startswith(form._prefix) for key in request.form)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def confirm(token: str):
    """Confirm the address from the link in the welcome mail with the account's password, then sign in.

    The page names the address being confirmed, and nothing happens without that account's password: a link
    planted by the owner of another account cannot sign a visitor into it (issue 18).
    """
    pending = services.user_for_confirmation(token)
    if pending is None:
        flash(_("This confirmation link is not valid any more. Sign in to get a new one."), "error")
        return redirect(url_for("accounts.login"))
    email = pending.email
    form = ConfirmForm()
    if form.validate_on_submit():
        user = services.confirm_email(token, form.password.data)
        if user is None:
            form.password.errors.append(_("This is not the password of the account %(email)s.", email=email))
            return render_template("accounts/confirm.html", form=form, email=email)
        db.session.commit()
        session.clear()
        if user.has_second_factor:  # a link is one factor: such accounts sign in with their code
            return redirect(url_for("accounts.login"))
        login_user(user)
        flash(_("Your address is confirmed. Welcome!"), "success")
        return redirect(url_for("processes.home"))
    return render_template("accounts/confirm.html", form=form, email=email)


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(_mail_limit, key_func=_account_key, methods=["POST"])
def reset_request():
    """Ask for a reset link; the answer never says whether the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/check_mail.html", email=form.email.data, reset=True)
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset(token: str):
    """Choose a new password through a valid reset link."""
    if services.user_for_reset(token) is None:
        flash(_("This reset link has expired or was already used. Ask for a new one."), "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except ValidationError as error:
            form.password.errors.append(error.message)
        else:
            if user is None:  # used or expired while the form was open
                flash(_("This reset link has expired or was already used. Ask for a new one."), "error")
                return redirect(url_for("accounts.reset_request"))
            db.session.commit()
            logout_user()
            flash(_("Your password is changed. Please sign in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@requires(is_signed_in)
def account():
    """The signed-in person's name, language and password."""
    profile = ProfileForm(prefix="profile", obj=current_user if request.method == "GET" else None)
    if request.method == "GET":
        profile.locale.data = current_user.locale or ""
    password = PasswordChangeForm(prefix="password")
    if _submitted(profile) and profile.validate_on_submit():
        services.update_profile(current_user, profile.display_name.data, profile.locale.data or None)
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return redirect(url_for("accounts.account"))
    if _submitted(password) and password.validate_on_submit():
        try:
            services.change_password(current_user, password.current.data, password.password.data)
        except ValidationError as error:
            getattr(password, error.field).errors.append(error.message)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())
            flash(_("Your password is changed; other devices are signed out."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", profile=profile, password=password)
