"""Pages of outreach: a resident opts in per municipality, the one-click unsubscribe (RFC 8058), and the
clerk's reminder to a district or age band. ``flask --app pb outreach send`` makes what is due (cron)."""

from __future__ import annotations

import click
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from pb.accounts.permissions import is_signed_in, public, requires
from pb.core.db import writing
from pb.errors import attempt
from pb.extensions import csrf, db
from pb.outreach import services
from pb.outreach.forms import ReminderForm, SubscriptionForm, UnsubscribeForm
from pb.processes.models import Municipality, Process
from pb.reports.labels import target_label
from pb.reports.permissions import can_watch_vote

bp = Blueprint("outreach", __name__, cli_group="outreach")


@bp.route("/m/<municipality>/news", methods=["GET", "POST"])
@requires(is_signed_in)
def subscription(municipality: str):
    """Opt in to (or out of) the municipality's news of its votes."""
    found = db.session.scalar(db.select(Municipality).where(Municipality.slug == municipality))
    if found is None:
        abort(404)
    current = services.subscription_of(current_user, found)
    form = SubscriptionForm(data={"subscribed": bool(current and current.is_active),
                                  "sms_number": current.sms_number if current else ""})
    if form.validate_on_submit():
        def save():
            if form.subscribed.data:
                return services.subscribe(current_user, found, form.sms_number.data or "")
            return services.unsubscribe(current.token) if current else None
        if attempt(save, form).ok:
            flash(_("You will get news of the vote of %(municipality)s.", municipality=found.name)
                  if form.subscribed.data else _("You will get no more news from %(municipality)s.",
                                                 municipality=found.name), "success")
            return redirect(url_for("outreach.subscription", municipality=found.slug))
    return render_template("outreach/subscription.html", municipality=found, form=form)


@bp.get("/unsubscribe/<token>")
@public
def unsubscribe_page(token: str):
    """The page the mail's link opens: one button (opening the link alone changes nothing)."""
    return render_template("outreach/unsubscribe.html", token=token, form=UnsubscribeForm(), done=False)


@bp.post("/unsubscribe/<token>")
@public
@csrf.exempt
def unsubscribe(token: str):
    """One-click unsubscribe: the mail program's POST (RFC 8058, no session, no CSRF token) or the page's button."""
    found = services.unsubscribe(token)
    db.session.commit()
    if found is None:
        abort(404)
    return render_template("outreach/unsubscribe.html", token=token, form=None, done=True)


@bp.post("/staff/outreach/processes/<int:process_id>/reminder")
@requires(can_watch_vote)
def reminder(process_id: int):
    """A clerk's reminder to a district or age band, recorded as a mitigation action."""
    process = db.get_or_404(Process, process_id)
    form = ReminderForm()
    form.target.choices = [SelectChoice(services.mitigation.target_key(a, g), target_label(a, g))
                           for a, g in services.reminder_targets(process)]
    if form.validate_on_submit():
        done = attempt(lambda: services.send_reminder(current_user, process, form.target.data or "",
                                                      form.message.data or ""), form)
        if done.ok:
            flash(_("The reminder was recorded in the mitigation plan and made for %(n)d residents.",
                    n=done.value[1]), "success")
        else:
            for errors in form.errors.values():
                for message in errors:
                    flash(message, "error")
    return redirect(url_for("reports.mitigation_plan", process_id=process.id))


@bp.cli.command("send")
def send_command() -> None:
    """Make the outreach messages that are due and send the SMS (cron, e.g. every 15 minutes)."""
    with current_app.test_request_context(), writing():
        made = services.make_due(commit_each=True)
        db.session.commit()
        texts = services.deliver_sms(db.session, current_app.config)
    click.echo(f"made {made} outreach message(s), sent {texts} SMS; the mail worker delivers the e-mails")


def reminder_form(process: Process) -> ReminderForm:
    """An empty reminder form with the process's targets (the mitigation page shows it)."""
    form = ReminderForm(formdata=None)
    form.target.choices = [SelectChoice(services.mitigation.target_key(a, g), target_label(a, g))
                           for a, g in services.reminder_targets(process)]
    return form


@bp.app_context_processor
def outreach_helpers():
    """The mitigation page offers the reminder form."""
    return {"reminder_form": reminder_form}


