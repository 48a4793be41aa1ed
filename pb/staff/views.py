"""The staff area's pages: dashboard, processes, municipalities, legal desk, accounts and the audit log."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_number, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from pb.accounts import services as account_services
from pb.accounts.forms import AccountStatusForm, GrantForm, StaffAccountForm
from pb.accounts.models import Role, User
from pb.accounts.permissions import (
    can_administer,
    can_manage_account,
    can_manage_mandates,
    can_manage_processes,
    can_view_audit_log,
    is_staff,
    municipality_scope,
    requires,
)
from pb.accounts.queries import staff_accounts
from pb.audit.export import events_csv
from pb.audit.labels import action_label, object_label
from pb.audit.labels import changes as audit_changes
from pb.audit.queries import EventFilter, events_page, events_to_export, recorded_actions, recorded_object_types
from pb.core.db import utcnow
from pb.core.requests import MAX_BIG_ID, id_arg
from pb.errors import PBError, ValidationError, attempt, show_on_form
from pb.extensions import db
from pb.mandate.queries import legal_desk
from pb.processes import constraints, queries
from pb.processes import services as process_services
from pb.processes.models import IncompatibleSet, Municipality, PhaseKind, Process
from pb.processes.services import close_phase_now, extend_phase, extension_limit_message, open_phase_now
from pb.setup import queries as setup_queries
from pb.staff.scope import audit_events_within, check_request_scope
from pb.staff.forms import AuditFilterForm, IncompatibleSetForm, PhaseChangeForm, PopulationForm

bp = Blueprint("staff", __name__, url_prefix="/staff")
# Every staff page, whatever its blueprint, checks the municipality of the objects its address names.
bp.before_app_request(check_request_scope)

PAGE_SIZE = 50


@bp.get("/")
@requires(is_staff)
def dashboard():
    """The staff start page: what each role can do from here."""
    return render_template("staff/dashboard.html")


@bp.get("/processes")
@requires(can_manage_processes)
def processes():
    """Every process with its current phase, for clerks."""
    return render_template("staff/processes.html",
                           municipalities=queries.municipalities_with_processes(municipality_scope(current_user)),
                           now=utcnow(), number=format_number)


def _municipality_page(municipality: Municipality, form: PopulationForm | None = None, status: int = 200):
    form = form or PopulationForm(formdata=None, data={"population": municipality.population})
    return render_template("staff/municipality.html", municipality=municipality, form=form,
                           number=format_number), status


@bp.get("/municipalities/<int:municipality_id>")
@requires(is_staff)
def municipality(municipality_id: int):
    """A municipality's recorded facts: its population, which clerks record and the mandate's checks read."""
    return _municipality_page(db.get_or_404(Municipality, municipality_id))


@bp.post("/municipalities/<int:municipality_id>")
@requires(can_manage_processes)
def record_population(municipality_id: int):
    """Record or correct the municipality's population; a wrong value shows the page again, as typed."""
    found = db.get_or_404(Municipality, municipality_id)
    form = PopulationForm()
    if form.validate_on_submit():
        try:
            process_services.record_population(current_user, found, form.population.data)
        except PBError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The population of %(municipality)s was recorded; the change is in the audit log.",
                    municipality=found.name), "success")
            return redirect(url_for("staff.municipality", municipality_id=found.id))
    return _municipality_page(found, form, 422)


@bp.get("/legal")
@requires(can_manage_mandates)
def legal():
    """The legal officer's desk: each process's mandate and its versions, signatures due, overdue responses and
    deviations from the vote."""
    processes = [process for municipality in queries.municipalities_with_processes(municipality_scope(current_user))
                 for process in municipality.processes]
    return render_template("staff/legal.html", rows=legal_desk(processes))


def _offer_municipalities(form: GrantForm) -> list[Municipality]:
    """The municipalities the signed-in administrator may grant, as the form's choices."""
    offered = setup_queries.municipalities(municipality_scope(current_user))
    form.municipalities.choices = [(m.id, m.name) for m in offered]
    return offered


def _chosen(form: GrantForm, offered: list[Municipality]) -> list[Municipality]:
    return [m for m in offered if m.id in (form.municipalities.data or [])]


@bp.route("/users", methods=["GET", "POST"])
@requires(can_administer)
def users():
    """The staff accounts the administrator manages, and a form to create one in their municipalities."""
    form = StaffAccountForm()
    offered = _offer_municipalities(form)
    if form.validate_on_submit():
        done = attempt(lambda: account_services.create_account(
            current_user, form.email.data, Role(form.role.data), form.password.data,
            display_name=form.display_name.data, municipalities=_chosen(form, offered),
            all_municipalities=bool(form.all_municipalities.data)), form)
        if done.ok:
            flash(_("The account %(email)s was created.", email=form.email.data), "success")
            return redirect(url_for("staff.users"))
    staff = [user for user in staff_accounts() if user.id == current_user.id or can_manage_account(current_user, user)]
    return render_template("staff/users.html", form=form, staff=staff), 422 if form.errors else 200


def _account_page(user: User, grant_form: GrantForm | None = None, status_form: AccountStatusForm | None = None,
                  status: int = 200):
    grant_form = grant_form or GrantForm(formdata=None, data={
        "municipalities": sorted(user.municipality_ids), "all_municipalities": user.all_municipalities})
    _offer_municipalities(grant_form)
    return render_template("staff/account.html", account=user, grant_form=grant_form,
                           status_form=status_form or AccountStatusForm(formdata=None, prefix="status")), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(can_administer)
def account(user_id: int):
    """One staff account: where it holds its role, changed by an administrator who manages it."""
    user = db.get_or_404(User, user_id)
    if not can_manage_account(current_user, user):
        abort(403)
    if request.method == "GET":
        return _account_page(user)
    form = GrantForm()
    offered = _offer_municipalities(form)
    if form.validate_on_submit():
        done = attempt(lambda: account_services.grant_municipalities(
            current_user, user, _chosen(form, offered), bool(form.all_municipalities.data)), form)
        if done.ok:
            flash(_("The municipalities of %(email)s were saved; the change is in the audit log.",
                    email=user.email), "success")
            return redirect(url_for("staff.account", user_id=user.id))
    return _account_page(user, form, status=422)


@bp.post("/users/<int:user_id>/<any(deactivate, reactivate):change>")
@requires(can_administer)
def account_status(user_id: int, change: str):
    """Deactivate a staff account (signed out everywhere, no sign-in) or reactivate it, with the reason."""
    user = db.get_or_404(User, user_id)
    if not can_manage_account(current_user, user):
        abort(403)
    form = AccountStatusForm(prefix="status")
    if form.validate_on_submit():
        service = (account_services.deactivate_account if change == "deactivate"
                   else account_services.reactivate_account)
        done = attempt(lambda: service(current_user, user, form.reason.data), form)
        if done.ok:
            flash(_("The account %(email)s was deactivated and signed out.", email=user.email) if change == "deactivate"
                  else _("The account %(email)s can sign in again.", email=user.email), "success")
            return redirect(url_for("staff.account", user_id=user.id))
    return _account_page(user, status_form=form, status=422)


def _audit_search() -> tuple[AuditFilterForm, sa.ColumnElement[bool] | None, EventFilter | None]:
    """The filter form as typed, the viewer's municipalities as a condition, and what to look for (None when the
    form is wrong)."""
    within = municipality_scope(current_user)
    where = None if within is None else audit_events_within(within)
    form = AuditFilterForm(request.args)
    form.action.choices = [("", _("Any action")), *((a, action_label(a)) for a in recorded_actions(where))]
    form.object_type.choices = [("", _("Any object")), *(
        (kind, object_label(kind, None)) for kind in recorded_object_types(where))]
    if not form.validate():
        return form, where, None
    # Days are those of the time zone the dates are shown in, by zone name (see phases()).
    local = zoneinfo.ZoneInfo(str(get_timezone()))

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), local).astimezone(dt.UTC)

    return form, where, EventFilter(
        who=form.who.data or "", action=form.action.data or "", object_type=form.object_type.data or "",
        object_id=form.object_id.data or "", since=midnight(form.since.data) if form.since.data else None,
        until=midnight(form.until.data + dt.timedelta(days=1)) if form.until.data else None)


@bp.get("/audit")
@requires(can_view_audit_log)
def audit():
    """The audit log, newest first, a page at a time, filtered by who, what, which object and when; staff of
    some municipalities see the events about theirs."""
    form, where, matching = _audit_search()
    if matching is None:
        return render_template("staff/audit.html", form=form, events=[], older=None, filters={}), 422
    events = events_page(id_arg("before", maximum=MAX_BIG_ID), PAGE_SIZE, where, matching)
    filters = {name: value for name, value in request.args.items() if name != "before" and value}
    return render_template("staff/audit.html", form=form, events=events, filters=filters, changes=audit_changes,
                           action_label=action_label, object_label=object_label,
                           older=events[-1].id if len(events) == PAGE_SIZE else None)


@bp.get("/audit.csv")
@requires(can_view_audit_log)
def audit_csv():
    """The events the filters find, as a CSV file whose cells no spreadsheet runs as formulas."""
    form, where, matching = _audit_search()
    if matching is None:
        return render_template("staff/audit.html", form=form, events=[], older=None, filters={}), 422
    content = events_csv(events_to_export(where, matching))
    return Response(content.encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=audit-{utcnow():%Y%m%d-%H%M}.csv"})


@bp.route("/processes/<int:process_id>/phases", methods=["GET", "POST"])
@requires(can_manage_processes)
def phases(process_id: int):
    """A process's phases with their dates; a clerk opens or closes one early, or extends it, giving the reason."""
    process = db.get_or_404(Process, process_id)
    form = PhaseChangeForm()
    if form.validate_on_submit():
        kind = PhaseKind(form.phase.data)
        try:
            if form.change.data == "extend":
                if form.until.data is None:
                    raise ValidationError("until", _("Give the new end: a date and a time."))
                # By zone name: Babel's pytz zone would put in local mean time (Athens: +1:35) with replace().
                local = zoneinfo.ZoneInfo(str(get_timezone()))
                try:
                    until = form.until.data.replace(tzinfo=local).astimezone(dt.UTC)
                except OverflowError:  # the last minutes of year 9999, west of Greenwich
                    raise ValidationError("until", extension_limit_message()) from None
                extend_phase(current_user, process, kind, until, form.reason.data)
            elif form.change.data == "open":
                open_phase_now(current_user, process, kind, form.reason.data, cut_appeals=bool(form.cut_appeals.data))
            else:
                close_phase_now(current_user, process, kind, form.reason.data)
        except ValidationError as error:
            db.session.rollback()
            getattr(form, error.field, form.reason).errors.append(error.message)
        except PBError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The phase was changed; the reason is in the audit log."), "success")
            return redirect(url_for("staff.phases", process_id=process.id))
    return render_template("staff/phases.html", process=process, form=form, now=utcnow())


@bp.route("/processes/<int:process_id>/incompatible", methods=["GET", "POST"])
@requires(can_manage_processes)
def incompatible_projects(process_id: int):
    """Each pool's sets of projects that cannot all be funded; a clerk adds one before voting opens."""
    process = db.get_or_404(Process, process_id)
    form = IncompatibleSetForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            pool = next((p for p in process.pools if p.id == form.pool.data), None)
            if pool is None:
                abort(404)
            try:
                constraints.add_incompatible_set(current_user, pool, form.projects.data or [], form.note.data or "")
            except PBError as error:
                db.session.rollback()
                show_on_form(form, error)
            else:
                db.session.commit()
                flash(_("The set was recorded; the count will fund at most one of its projects."), "success")
                return redirect(url_for("staff.incompatible_projects", process_id=process.id))
    pools = [(pool, constraints.candidate_projects(pool), constraints.set_projects(pool)) for pool in process.pools]
    return render_template("staff/incompatible.html", process=process, form=form, pools=pools,
                           fixed=constraints.is_fixed(process)), status


@bp.post("/incompatible-sets/<int:set_id>/remove")
@requires(can_manage_processes)
def remove_incompatible_set(set_id: int):
    """Remove a set of incompatible projects, before voting opens."""
    found = db.get_or_404(IncompatibleSet, set_id)
    process_id = found.pool.process_id
    try:
        constraints.remove_incompatible_set(current_user, found)
    except PBError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The set was removed."), "success")
    return redirect(url_for("staff.incompatible_projects", process_id=process_id))
