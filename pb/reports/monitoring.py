"""Live representativeness while the vote is open, and the red flags it raises for staff.

The adapter between the database and ``pb.reports.live``: who took part and when comes from the
participations (one row per resident, their first participation in any pool of the process, with the
district and birth year of their register entry), sex from the counted ballots (ballots carry no time, so
sex has a total and no day). Eligible residents come from the assessment's baseline (``data.population``)
and the flags from the municipality's thresholds (``data.thresholds_for``).

``check_flags`` raises a ``RepresentationFlag`` the first time a group turns red and notifies the legal
officers and clerks in the app and by e-mail (through the outbox, in the caller's transaction); schedule it
with ``flask --app pb report flags`` while votes run. Services flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_decimal, format_percent
from flask_babel import gettext as _

from pb.accounts.models import Role, User
from pb.audit.services import record
from pb.core.db import utcnow
from pb.core.mail import Message, queue
from pb.core.urls import external_url
from pb.deliberation.models import Notification, NotificationKind
from pb.extensions import db
from pb.processes.models import Pool, Process
from pb.reports import data
from pb.reports.census import AGE_BAND_LABELS, SEXES
from pb.reports.labels import attribute_label, group_name
from pb.reports.live import Column, LiveFigures, LiveGroup, encode, live_figures
from pb.reports.metrics import Status
from pb.reports.models import RepresentationFlag
from pb.tally.measures import AGE_BANDS
from pb.voting.models import Ballot, Channel, CountedBallot, Participation, VoterRegisterEntry
from pb.voting.services import vote_year

#: The staff who hear of a red flag.
NOTIFIED_ROLES = (Role.LEGAL_OFFICER, Role.CLERK)


def vote_opened_at(process: Process) -> dt.datetime | None:
    """When the vote opened (the voting phase's start), None without a voting phase."""
    phase = process.voting_phase
    return phase.starts_at if phase is not None else None


def is_running(process: Process, now: dt.datetime | None = None) -> bool:
    """Whether the vote is open now: started, not closed by a clerk, before the phase's end."""
    phase = process.voting_phase
    now = now or utcnow()
    return process.vote_closed_at is None and phase is not None and phase.is_open(now)


def days_of(process: Process, now: dt.datetime | None = None) -> tuple[list[str], list[dt.datetime]]:
    """The local days of the vote so far (ISO dates, in the municipality's time zone) and the moment each
    begins (the first is the opening itself)."""
    opened = vote_opened_at(process)
    if opened is None:
        return [], []
    zone = ZoneInfo(process.municipality.timezone)
    phase = process.voting_phase
    end = min(now or utcnow(), process.vote_closed_at or phase.ends_at, phase.ends_at)
    day = opened.astimezone(zone).date()
    last = max(end, opened).astimezone(zone).date()
    labels, starts = [], []
    while day <= last:
        labels.append(day.isoformat())
        midnight = dt.datetime.combine(day, dt.time(), zone)
        starts.append(max(midnight.astimezone(dt.timezone.utc), opened))
        day += dt.timedelta(days=1)
    return labels, starts


def _day_of(column: sa.ColumnElement, starts: list[dt.datetime]) -> sa.ColumnElement:
    """The index of the day a time falls on, computed by the database: 0 before the second day's start."""
    if len(starts) < 2:
        return sa.literal(0)
    return sa.case(*((column < start, index) for index, start in enumerate(starts[1:])), else_=len(starts) - 1)


def _band_of(born: sa.ColumnElement, year: int) -> sa.ColumnElement:
    """The index in AGE_BAND_LABELS of a birth year's age band in the year of the vote (null without one)."""
    whens = [(born.is_(None), None)]
    whens += [(born >= year - high, index) for index, (_label, _low, high) in enumerate(AGE_BANDS[:-1])]
    return sa.case(*whens, else_=len(AGE_BANDS) - 1)


def _participants(process: Process, starts: list[dt.datetime]) -> list[tuple]:
    """(district id, age band index, channel, day index, residents), grouped by the database: per resident
    their first participation in any pool of the process, then the participations without a register entry
    (imported), with their pool's district. Grouping in SQL keeps the rows few: the page stays fast at
    100,000 voters (benchmarks/live.py)."""
    pool_ids = [pool.id for pool in process.pools]
    valid = sa.and_(Participation.pool_id.in_(pool_ids), Participation.invalidated_at.is_(None))
    if len(pool_ids) == 1:
        # One pool: a resident has at most one participation in it (a unique constraint), so no grouping.
        first = (sa.select(Participation.register_entry_id.label("entry"), Participation.created_at.label("at"),
                           Participation.channel.label("channel"))
                 .where(valid, Participation.register_entry_id.is_not(None)).subquery())
    else:
        first = (sa.select(Participation.register_entry_id.label("entry"),
                           sa.func.min(Participation.created_at).label("at"),
                           sa.func.min(Participation.channel).label("channel"))
                 .where(valid, Participation.register_entry_id.is_not(None))
                 .group_by(Participation.register_entry_id).subquery())
    day = _day_of(first.c.at, starts)
    band = _band_of(VoterRegisterEntry.birth_year, vote_year(process))
    registered = db.session.execute(
        sa.select(VoterRegisterEntry.district_id, band, first.c.channel, day, sa.func.count())
        .select_from(first).join(VoterRegisterEntry, VoterRegisterEntry.id == first.c.entry)
        .group_by(VoterRegisterEntry.district_id, band, first.c.channel, day)).all()
    day = _day_of(Participation.created_at, starts)
    imported = db.session.execute(
        sa.select(Pool.district_id, sa.null(), Participation.channel, day, sa.func.count())
        .select_from(Participation).join(Pool).where(valid, Participation.register_entry_id.is_(None))
        .group_by(Pool.district_id, Participation.channel, day)).all()
    return [tuple(row) for row in registered + imported]


def _sexes(process: Process) -> dict[str, int]:
    """Counted ballots by sex in the pool that stands for the participants: the first city-wide pool (every
    resident may vote there), else the only pool."""
    candidates = [p for p in process.pools if p.district_id is None] or list(process.pools)
    if not candidates:
        return {}
    return {sex: n for sex, n in db.session.execute(
        sa.select(Ballot.sex, sa.func.count()).select_from(CountedBallot)
        .join(Ballot, CountedBallot.ballot_id == Ballot.id)
        .where(CountedBallot.pool_id == candidates[0].id, CountedBallot.voided.is_(False), Ballot.sex.is_not(None))
        .group_by(Ballot.sex))}


def live(process: Process, now: dt.datetime | None = None) -> LiveFigures:
    """The live figures of the process's vote so far, flagged against the municipality's thresholds."""
    labels, starts = days_of(process, now)
    rows = _participants(process, starts)
    by_id = {d.id: d.name for d in process.municipality.districts}
    channels = [c.value for c in Channel]
    columns = {
        "district": encode([by_id.get(row[0]) for row in rows], list(by_id.values())),
        "age_band": Column(AGE_BAND_LABELS, np.fromiter((-1 if row[1] is None else row[1] for row in rows),
                                                        dtype=np.int64, count=len(rows))),
        "sex": Column(tuple(SEXES), np.full(len(rows), -1, dtype=np.int64), counts=_sexes(process)),
        "channel": encode([str(row[2]) if row[2] else None for row in rows], channels),
    }
    days = np.fromiter((int(row[3]) for row in rows), dtype=np.int64, count=len(rows))
    weights = np.fromiter((row[4] for row in rows), dtype=np.int64, count=len(rows))
    return live_figures(columns, days, labels or [""], data.population(process),
                        data.thresholds_for(process.municipality), weights=weights)


# ---------------------------------------------------------------------------------------------- flags


def flags_of(process: Process) -> list[RepresentationFlag]:
    """Every flag the process's vote raised, the oldest first."""
    return list(db.session.scalars(sa.select(RepresentationFlag).where(RepresentationFlag.process_id == process.id)
                                   .order_by(RepresentationFlag.raised_at, RepresentationFlag.id)))


def group_label(attribute: str, group: str) -> str:
    """"District North", "Age band 65+", "Sex Women", in the reader's language."""
    return f"{attribute_label(attribute)} {group_name(group)}"


def _notify(process: Process, flag: RepresentationFlag, group: LiveGroup) -> int:
    """Tell the legal officers and clerks of a new red flag, in the app and by e-mail; how many were told."""
    staff = db.session.scalars(sa.select(User).where(User.role.in_(NOTIFIED_ROLES), User.blocked_at.is_(None))
                               .order_by(User.id)).all()
    for user in staff:
        db.session.add(Notification(user_id=user.id, kind=NotificationKind.REPRESENTATION_FLAG,
                                    representation_flag_id=flag.id))
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            values = {"process": process.name, "group": group_label(flag.attribute, flag.group),
                      "index": format_decimal(flag.raised_representation, "0.00"),
                      "turnout": format_percent(group.turnout, "#,##0.0%") if group.turnout is not None else "–",
                      "municipality": process.municipality.name}
            if flag.raised_representation < 1:
                finding = _("While the vote of %(process)s is open, %(group)s is under-represented: representation "
                            "index %(index)s, turnout %(turnout)s, against the thresholds of %(municipality)s.",
                            **values)
            else:
                finding = _("While the vote of %(process)s is open, %(group)s is over-represented: representation "
                            "index %(index)s, turnout %(turnout)s, against the thresholds of %(municipality)s.",
                            **values)
            body = "\n\n".join((finding, _("The live figures, and the mitigation plan where an action can be "
                                           "recorded:") + "\n" + external_url("reports.live", process_id=process.id)))
            queue(db.session, Message(to=user.email, subject=_("Red flag in %(process)s: %(group)s", **values),
                                      body=body + "\n"))
    db.session.flush()
    return len(staff)


def check_flags(process: Process, now: dt.datetime | None = None,
                figures: LiveFigures | None = None) -> list[RepresentationFlag]:
    """Compare the live figures with the flags: raise (and notify) the groups newly red, clear those no longer
    red, reopen those red again (without a second notice). Returns the flags raised by this check."""
    now = now or utcnow()
    figures = figures or live(process, now)
    stored = {(f.attribute, f.group): f for f in flags_of(process)}
    raised = []
    for group in figures.groups:
        flag = stored.get((group.attribute, group.group))
        if group.status is Status.RED and flag is None:
            flag = RepresentationFlag(process_id=process.id, attribute=group.attribute, group=group.group,
                                      raised_at=now, raised_representation=group.representation,
                                      representation=group.representation, checked_at=now)
            db.session.add(flag)
            db.session.flush()
            told = _notify(process, flag, group)
            record(db.session, None, "representation.flag", "process", process.id, actor_label="pb",
                   after={"attribute": group.attribute, "group": group.group,
                          "representation": round(group.representation, 4), "notified": told})
            raised.append(flag)
        elif flag is not None:
            flag.representation, flag.checked_at = group.representation, now
            if group.status is Status.RED:
                flag.cleared_at = None
            elif group.status is not None and flag.cleared_at is None:
                flag.cleared_at = now
    db.session.flush()
    return raised


def check_running(now: dt.datetime | None = None) -> list[RepresentationFlag]:
    """``check_flags`` for every process whose vote is open now (schedule it: ``flask --app pb report flags``)."""
    now = now or utcnow()
    raised = []
    for process in db.session.scalars(sa.select(Process).where(Process.vote_closed_at.is_(None)).order_by(Process.id)):
        if is_running(process, now):
            raised += check_flags(process, now)
    return raised
