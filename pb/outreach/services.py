"""Outreach to residents who opted in: "voting has opened", "last days", "you have not voted in pool X",
"the results are out", and a clerk's reminder to one district or age band (recorded as a mitigation action).

Rules, each enforced here:
- only active subscribers of the process's municipality get anything; "not yet voted in pool X" goes to a
  resident about their own participation only, and only while the vote is open;
- each message is recorded in ``OutreachMessage`` under a key (process, kind, pool or action) that the database
  holds once per subscription and channel, so no run, and no second worker, makes it twice;
- at most ``PB_OUTREACH_WEEKLY_CAP`` e-mails per subscription in any 7 days; a message over the cap is not made
  (an announcement that is still due is made by a later run, once the week allows it);
- the subscription row is locked while its messages are counted and made, so two workers take turns;
- every e-mail carries a one-click unsubscribe (List-Unsubscribe and List-Unsubscribe-Post, RFC 8058).

E-mails go through the outbox (``pb.core.mail``) in the caller's transaction; SMS, for subscribers who gave a
number, are delivered by ``deliver_sms`` through ``pb.outreach.sms``. Services flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from pb.accounts.models import User
from pb.audit.services import record
from pb.core.db import utcnow
from pb.core.mail import Message, queue
from pb.core.urls import external_url
from pb.errors import NotAllowed, ValidationError
from pb.extensions import db
from pb.mandate.queries import local_today
from pb.outreach import sms
from pb.outreach.models import OutreachMessage, OutreachSubscription
from pb.processes.models import Municipality, Pool, Process
from pb.reports import mitigation
from pb.reports.census import AGE_BAND_LABELS
from pb.reports.models import MitigationAction
from pb.reports.permissions import can_watch_vote
from pb.tally.measures import age_band
from pb.voting.models import Participation, TallyResult, VoterRegisterEntry
from pb.voting.services import vote_year

#: The kinds of outreach message.
VOTING_OPENED, LAST_DAYS, NOT_CAST, RESULTS_OUT, REMINDER = "voting_opened", "last_days", "not_cast", "results", \
    "reminder"

#: Groups a clerk's reminder may target: what the register knows of a resident (not sex: it holds none).
REMINDER_ATTRIBUTES = ("", "district", "age_band")


# ---------------------------------------------------------------------------------------------- subscriptions


def subscription_of(user: User, municipality: Municipality) -> OutreachSubscription | None:
    """The resident's subscription to the municipality's outreach, active or not."""
    return db.session.scalar(sa.select(OutreachSubscription).where(
        OutreachSubscription.user_id == user.id, OutreachSubscription.municipality_id == municipality.id))


def subscribe(user: User, municipality: Municipality, sms_number: str = "") -> OutreachSubscription:
    """Opt in to the municipality's outreach (again); an SMS number, when given, gets the same news by SMS."""
    number = "".join(ch for ch in (sms_number or "") if not ch.isspace())
    if number and not (number.lstrip("+").isdecimal() and 6 <= len(number.lstrip("+")) <= 15):
        raise ValidationError("sms_number", _("Give the mobile number with its country code, e.g. +30 69…"))
    found = subscription_of(user, municipality)
    if found is None:
        found = OutreachSubscription(user_id=user.id, municipality_id=municipality.id)
        db.session.add(found)
    found.unsubscribed_at, found.sms_number = None, number or None
    db.session.flush()
    return found


def unsubscribe(token: str, now: dt.datetime | None = None) -> OutreachSubscription | None:
    """Stop every outreach message of the subscription the token names (the one-click link); None when the
    token names none. Unsubscribing twice changes nothing."""
    found = db.session.scalar(sa.select(OutreachSubscription).where(OutreachSubscription.token == token))
    if found is not None and found.unsubscribed_at is None:
        found.unsubscribed_at = now or utcnow()
        db.session.flush()
    return found


# ---------------------------------------------------------------------------------------------- making messages


@dataclass(frozen=True)
class Text:
    """What one message says, in the recipient's language."""

    subject: str
    body: str


def _cap() -> int:
    return int(current_app.config.get("PB_OUTREACH_WEEKLY_CAP", 3))


def _sent_this_week(session: Session, subscription: OutreachSubscription, now: dt.datetime) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(OutreachMessage).where(
        OutreachMessage.subscription_id == subscription.id, OutreachMessage.channel == "email",
        OutreachMessage.created_at > now - dt.timedelta(days=7))) or 0


def _make(subscription_id: int, process: Process, kind: str, key: str, text_of, now: dt.datetime) -> bool:
    """Make one message for one subscription, under its row lock: unless it was made already, the subscription
    is no longer active, or the weekly cap is reached. Whether it was made."""
    session = db.session
    subscription = session.execute(sa.select(OutreachSubscription).where(OutreachSubscription.id == subscription_id)
                                   .with_for_update()).scalar_one_or_none()
    if subscription is None or not subscription.is_active:
        return False
    made = set(session.scalars(sa.select(OutreachMessage.channel).where(
        OutreachMessage.subscription_id == subscription.id, OutreachMessage.key == key)))
    if "email" in made or _sent_this_week(session, subscription, now) >= _cap():
        return False
    user = session.get(User, subscription.user_id)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text: Text = text_of(user)
        link = external_url("outreach.unsubscribe", token=subscription.token)
        footer = _("You get this because you asked %(municipality)s for news of its participatory budget. "
                   "Stop it with one click: %(url)s", municipality=process.municipality.name, url=link)
    queue(session, Message(to=user.email, subject=text.subject, body=f"{text.body}\n\n-- \n{footer}\n", headers=(
        ("List-Unsubscribe", f"<{link}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))))
    session.add(OutreachMessage(subscription_id=subscription.id, process_id=process.id, kind=kind, key=key,
                                channel="email", created_at=now))
    if subscription.sms_number and "sms" not in made:
        session.add(OutreachMessage(subscription_id=subscription.id, process_id=process.id, kind=kind, key=key,
                                    channel="sms", body=text.subject, created_at=now))
    session.flush()
    return True


def _process_url(process: Process, endpoint: str = "processes.process") -> str:
    return external_url(endpoint, municipality=process.municipality.slug, slug=process.slug)


def _announcement(process: Process, kind: str, pool: Pool | None = None):
    """The text of an announcement, built in the recipient's language when called."""
    def text_of(user: User) -> Text:
        name = process.name
        if kind == VOTING_OPENED:
            return Text(_("Voting has opened: %(process)s", process=name),
                        _("The vote of %(process)s is open until %(end)s. See the projects and vote:\n%(url)s",
                          process=name, end=_end(process), url=_process_url(process)))
        if kind == LAST_DAYS:
            return Text(_("Last days to vote: %(process)s", process=name),
                        _("The vote of %(process)s closes on %(end)s.\n%(url)s", process=name, end=_end(process),
                          url=_process_url(process)))
        if kind == NOT_CAST:
            return Text(_("You have not voted in “%(pool)s” yet", pool=pool.name),
                        _("You may still vote in “%(pool)s” of %(process)s until %(end)s. Only you get this "
                          "message: it says nothing of anyone else.\n%(url)s", pool=pool.name, process=name,
                          end=_end(process), url=_process_url(process)))
        return Text(_("The results are out: %(process)s", process=name),
                    _("The vote of %(process)s is counted. See what was funded and why:\n%(url)s", process=name,
                      url=_process_url(process, "voting.results")))
    return text_of


def _end(process: Process) -> str:
    phase = process.voting_phase
    return local_today(process, phase.ends_at - dt.timedelta(seconds=1)).isoformat() if phase else ""


def _subscribers(process: Process) -> list[int]:
    return list(db.session.scalars(sa.select(OutreachSubscription.id).where(
        OutreachSubscription.municipality_id == process.municipality_id,
        OutreachSubscription.unsubscribed_at.is_(None)).order_by(OutreachSubscription.id)))


def _not_cast(process: Process, pool: Pool) -> list[int]:
    """Subscriptions of residents who may vote in the pool (their register entry, of voting age) and have no
    valid participation in it."""
    voted = sa.select(Participation.register_entry_id).where(Participation.pool_id == pool.id,
                                                            Participation.invalidated_at.is_(None),
                                                            Participation.register_entry_id.is_not(None))
    statement = (sa.select(OutreachSubscription.id, VoterRegisterEntry.birth_year)
                 .join(VoterRegisterEntry, VoterRegisterEntry.user_id == OutreachSubscription.user_id)
                 .where(OutreachSubscription.municipality_id == process.municipality_id,
                        OutreachSubscription.unsubscribed_at.is_(None), VoterRegisterEntry.process_id == process.id,
                        VoterRegisterEntry.id.not_in(voted)))
    if pool.district_id is not None:
        statement = statement.where(VoterRegisterEntry.district_id == pool.district_id)
    year = vote_year(process)
    return [sid for sid, born in db.session.execute(statement.order_by(OutreachSubscription.id))
            if born is None or year - born >= process.min_voter_age]


def due(process: Process, now: dt.datetime) -> list[tuple[str, str, Pool | None, list[int]]]:
    """What is due now for a process: (kind, key, pool, subscription ids)."""
    phase = process.voting_phase
    if phase is None:
        return []
    found = []
    running = process.vote_closed_at is None and phase.is_open(now)
    if running:
        found.append((VOTING_OPENED, f"{process.id}:{VOTING_OPENED}", None, _subscribers(process)))
        days = int(current_app.config.get("PB_OUTREACH_LAST_DAYS", 3))
        if now >= phase.ends_at - dt.timedelta(days=days):
            found.append((LAST_DAYS, f"{process.id}:{LAST_DAYS}", None, _subscribers(process)))
            for pool in process.pools:
                if pool.annulled_at is None:
                    found.append((NOT_CAST, f"{process.id}:{NOT_CAST}:{pool.id}", pool, _not_cast(process, pool)))
    counted = db.session.scalar(sa.select(sa.func.count()).select_from(TallyResult).join(Pool).where(
        Pool.process_id == process.id, TallyResult.is_official))
    if process.vote_closed_at is not None and counted:
        found.append((RESULTS_OUT, f"{process.id}:{RESULTS_OUT}", None, _subscribers(process)))
    return found


def make_due(now: dt.datetime | None = None, *, commit_each: bool = False) -> int:
    """Make every outreach message due now, for every process; how many were made. With ``commit_each`` (the
    command) each subscription's message is committed on its own, so a worker holds each lock briefly."""
    now = now or utcnow()
    made = 0
    for process in db.session.scalars(sa.select(Process).order_by(Process.id)).all():
        for kind, key, pool, subscriptions in due(process, now):
            text_of = _announcement(process, kind, pool)
            for subscription_id in subscriptions:
                made += _make(subscription_id, process, kind, key, text_of, now)
                if commit_each:
                    db.session.commit()
    return made


# ---------------------------------------------------------------------------------------------- reminders


def _in_group(process: Process, attribute: str, group: str) -> list[int]:
    """Subscriptions of residents of the process's register in the group who have not taken part in any pool."""
    voted = sa.select(Participation.register_entry_id).join(Pool).where(
        Pool.process_id == process.id, Participation.invalidated_at.is_(None),
        Participation.register_entry_id.is_not(None))
    statement = (sa.select(OutreachSubscription.id, VoterRegisterEntry.birth_year, VoterRegisterEntry.district_id)
                 .join(VoterRegisterEntry, VoterRegisterEntry.user_id == OutreachSubscription.user_id)
                 .where(OutreachSubscription.municipality_id == process.municipality_id,
                        OutreachSubscription.unsubscribed_at.is_(None), VoterRegisterEntry.process_id == process.id,
                        VoterRegisterEntry.id.not_in(voted)).order_by(OutreachSubscription.id))
    district = {d.name: d.id for d in process.municipality.districts}.get(group) if attribute == "district" else None
    year = vote_year(process)
    found = []
    for sid, born, district_id in db.session.execute(statement):
        if attribute == "district" and district_id != district:
            continue
        if attribute == "age_band" and (born is None or age_band(str(year - born)) != group):
            continue
        found.append(sid)
    return found


def send_reminder(actor: User, process: Process, target: str, message: str,
                  now: dt.datetime | None = None) -> tuple[MitigationAction, int]:
    """A clerk's reminder to the residents of one district or age band (or everyone) who have not voted yet:
    recorded as a mitigation action of kind "reminder" and made for every subscriber of the group (within their
    weekly cap). Returns the action and how many messages were made."""
    if not can_watch_vote(actor):
        raise NotAllowed(_("Only a clerk or a legal officer can send a reminder."))
    now = now or utcnow()
    phase = process.voting_phase
    if process.vote_closed_at is not None or phase is None or not phase.is_open(now):
        raise ValidationError("target", _("A reminder can be sent only while the vote is open."))
    attribute = target.split(":", 1)[0] if target else ""
    if attribute not in REMINDER_ATTRIBUTES:
        raise ValidationError("target", _("A reminder goes to a district or an age band: the register knows "
                                          "nothing else of a resident."))
    text = (message or "").strip()
    if not text:
        raise ValidationError("message", _("Write what the reminder says."))
    today = local_today(process, now)
    action = mitigation.add_action(actor, process, mitigation.ActionInput(
        kind="reminder", target=target, description=_("E-mail reminder: %(text)s", text=text), starts_on=today,
        ends_on=today, owner=actor.display_name or actor.email), now=now)
    group = action.target_group
    subject = _("A reminder from %(municipality)s: %(process)s", municipality=process.municipality.name,
                process=process.name)

    def text_of(user: User) -> Text:
        return Text(subject, f"{text}\n\n{_process_url(process)}")

    made = sum(_make(sid, process, REMINDER, f"{process.id}:{REMINDER}:{action.id}", text_of, now)
               for sid in _in_group(process, action.target_attribute, group))
    record(db.session, actor, "outreach.reminder", "process", process.id,
           after={"action": action.id, "target": [action.target_attribute, group], "messages": made})
    return action, made


def reminder_targets(process: Process) -> list[tuple[str, str]]:
    """The groups a reminder may go to: everyone, each district, each age band of voting age."""
    return [(a, g) for a, g in mitigation.targets(process)
            if a in REMINDER_ATTRIBUTES and not (a == "age_band" and g not in AGE_BAND_LABELS)]


# ---------------------------------------------------------------------------------------------- SMS


def deliver_sms(session: Session, config, limit: int = 100) -> int:
    """Send the SMS that are due, each claimed under a row lock other workers skip; how many were sent."""
    sent = 0
    for _ in range(limit):
        row = session.execute(
            sa.select(OutreachMessage).where(OutreachMessage.channel == "sms", OutreachMessage.sent_at.is_(None))
            .order_by(OutreachMessage.id).limit(1).with_for_update(skip_locked=True)).scalar_one_or_none()
        if row is None:
            break
        subscription = session.get(OutreachSubscription, row.subscription_id)
        if subscription.is_active and subscription.sms_number:
            sms.send(config, subscription.sms_number, row.body)
            sent += 1
        row.sent_at = utcnow()
        session.commit()
    return sent


def messages_of(subscriptions: Iterable[int]) -> list[OutreachMessage]:
    """The ledger of some subscriptions, oldest first (for the resident's page and the tests)."""
    return list(db.session.scalars(sa.select(OutreachMessage).where(
        OutreachMessage.subscription_id.in_(list(subscriptions))).order_by(OutreachMessage.id)))
