"""The mitigation plan of a process: actions recorded before the vote and while it runs, and what followed them.

Each action names a kind, a target group (as the assessment names groups), dates, an owner and a cost; one
recorded while the vote runs may answer a red flag of live representativeness. ``outcomes`` gives each action
the target group's turnout before and after its start (``pb.reports.live.before_after``): an association in
time, never proof of an effect. Services take the acting user, flush and audit; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from pb.accounts.models import User
from pb.audit.services import record
from pb.errors import NotAllowed, ValidationError
from pb.extensions import db
from pb.mandate.queries import local_today
from pb.processes.models import Process
from pb.proposals.services import parse_cost
from pb.reports import labels, monitoring
from pb.reports.documents import ActionLine, RiskLine
from pb.reports.census import AGE_BAND_LABELS, SEXES
from pb.reports.live import BeforeAfter, LiveFigures, before_after
from pb.reports.models import Likelihood, MitigationAction, MitigationKind, RepresentationFlag, Risk
from pb.reports.permissions import can_watch_vote
from pb.voting.models import Channel

#: The longest a description may be.
MAX_DESCRIPTION = 5_000


@dataclass(frozen=True)
class ActionInput:
    """A mitigation action as typed: the target is "attribute:group" ("" for everyone), cost in major units."""

    kind: str
    target: str
    description: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    owner: str
    cost: str = ""
    place: str = ""
    hours: str = ""
    flag_id: int | None = None


def targets(process: Process) -> list[tuple[str, str]]:
    """The groups an action may target, as (attribute, group): everyone, each district, age band, sex, channel."""
    found = [("", "")]
    found += [("district", d.name) for d in process.municipality.districts]
    found += [("age_band", band) for band in AGE_BAND_LABELS if band != "<18"]
    found += [("sex", sex) for sex in SEXES]
    found += [("channel", c.value) for c in (Channel.ONLINE, Channel.PAPER, Channel.IN_PERSON, Channel.ASSISTED)]
    return found


def target_key(attribute: str, group: str) -> str:
    """The form value of a target."""
    return f"{attribute}:{group}" if attribute else ""


def add_action(actor: User, process: Process, value: ActionInput, now: dt.datetime | None = None) -> MitigationAction:
    """Record an action of the mitigation plan; refused with the field and a reason when something is wrong."""
    if not can_watch_vote(actor):
        raise NotAllowed(_("Only a clerk or a legal officer can record a mitigation action."))
    try:
        kind = MitigationKind(value.kind)
    except ValueError:
        raise ValidationError("kind", _("Choose what kind of action it is.")) from None
    allowed = {target_key(a, g): (a, g) for a, g in targets(process)}
    if value.target not in allowed:
        raise ValidationError("target", _("Choose a group of this process, or everyone."))
    attribute, group = allowed[value.target]
    description = (value.description or "").strip()
    if not description:
        raise ValidationError("description", _("Say what the action is."))
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError("description", _("Keep the description under %(n)d characters.", n=MAX_DESCRIPTION))
    owner = (value.owner or "").strip()
    if not owner:
        raise ValidationError("owner", _("Say who answers for the action."))
    if value.starts_on is None:
        raise ValidationError("starts_on", _("Give the day the action starts."))
    if value.ends_on is not None and value.ends_on < value.starts_on:
        raise ValidationError("ends_on", _("The action cannot end before it starts."))
    if kind is MitigationKind.STATION and not value.place.strip():
        raise ValidationError("place", _("Say where the station is."))
    cost = parse_cost(value.cost, process.currency) if value.cost.strip() else None
    flag = None
    if value.flag_id is not None:
        flag = db.session.get(RepresentationFlag, value.flag_id)
        if flag is None or flag.process_id != process.id:
            raise ValidationError("flag_id", _("Choose a flag of this process."))
    action = MitigationAction(
        process_id=process.id, kind=kind, target_attribute=attribute, target_group=group, description=description,
        place=value.place.strip(), hours=value.hours.strip(), starts_on=value.starts_on, ends_on=value.ends_on,
        owner=owner, cost=cost, is_ex_ante=not process.voting_has_started(now), flag=flag, created_by_id=actor.id)
    db.session.add(action)
    db.session.flush()
    record(db.session, actor, "mitigation.add", "process", process.id, after={
        "action": action.id, "kind": kind.value, "target": [attribute, group], "starts_on": value.starts_on,
        "ends_on": value.ends_on, "owner": owner, "cost": cost, "flag": flag.id if flag else None,
        "ex_ante": action.is_ex_ante})
    return action


def actions_of(process: Process) -> list[MitigationAction]:
    """The process's mitigation plan, in the order of the actions' start."""
    return list(db.session.scalars(sa.select(MitigationAction).where(MitigationAction.process_id == process.id)
                                   .order_by(MitigationAction.starts_on, MitigationAction.id)))


@dataclass(frozen=True)
class ActionOutcome:
    """An action with its target group's turnout before and after its start, and its flag's state."""

    action: MitigationAction
    turnout: BeforeAfter | None
    flag_cleared: bool | None
    """Whether the flag the action answers is cleared now; None when it answers none."""


def outcomes(process: Process, figures: LiveFigures | None = None) -> list[ActionOutcome]:
    """Every action of the plan with the before/after turnout of its group, from the live figures."""
    actions = actions_of(process)
    if not actions:
        return []
    figures = figures or monitoring.live(process)
    return [ActionOutcome(
        action=action,
        turnout=before_after(figures, action.target_attribute, action.target_group, action.starts_on.isoformat(),
                             action.ends_on.isoformat() if action.ends_on else None),
        flag_cleared=None if action.flag is None else not action.flag.is_open) for action in actions]


def today(process: Process) -> dt.date:
    """The municipality's date today (the form's default start)."""
    return local_today(process)


# ---------------------------------------------------------------------------------------------- risk register


@dataclass(frozen=True)
class RiskInput:
    """A line of the risk register as typed; the target as in ``ActionInput``."""

    target: str
    cause: str
    likelihood: str
    mitigation: str = ""
    action_id: int | None = None


def add_risk(actor: User, process: Process, value: RiskInput) -> Risk:
    """Add a line to the process's risk register: a group, the cause, the likelihood, the planned mitigation."""
    if not can_watch_vote(actor):
        raise NotAllowed(_("Only a clerk or a legal officer can add to the risk register."))
    allowed = {target_key(a, g): (a, g) for a, g in targets(process)}
    if value.target not in allowed:
        raise ValidationError("risk_target", _("Choose a group of this process, or everyone."))
    cause = (value.cause or "").strip()
    if not cause:
        raise ValidationError("cause", _("Say why the group may be left out."))
    try:
        likelihood = Likelihood(value.likelihood)
    except ValueError:
        raise ValidationError("likelihood", _("Choose how likely it is.")) from None
    action = None
    if value.action_id is not None:
        action = db.session.get(MitigationAction, value.action_id)
        if action is None or action.process_id != process.id:
            raise ValidationError("action_id", _("Choose an action of this process's plan."))
    written = (value.mitigation or "").strip()
    if action is None and not written:
        raise ValidationError("mitigation", _("Say what is planned, or choose an action of the plan."))
    attribute, group = allowed[value.target]
    risk = Risk(process_id=process.id, target_attribute=attribute, target_group=group, cause=cause,
                likelihood=likelihood, mitigation=written, action=action, created_by_id=actor.id)
    db.session.add(risk)
    db.session.flush()
    record(db.session, actor, "risk.add", "process", process.id, after={
        "risk": risk.id, "target": [attribute, group], "cause": cause, "likelihood": likelihood.value,
        "mitigation": written, "action": action.id if action else None})
    return risk


def risks_of(process: Process) -> list[Risk]:
    """The process's risk register, the most likely first."""
    order = {Likelihood.HIGH: 0, Likelihood.MEDIUM: 1, Likelihood.LOW: 2}
    found = db.session.scalars(sa.select(Risk).where(Risk.process_id == process.id).order_by(Risk.id)).all()
    return sorted(found, key=lambda risk: order[risk.likelihood])


# ---------------------------------------------------------------------------------------------- in the assessment


def risk_lines(process: Process) -> tuple[RiskLine, ...]:
    """The risk register as the assessment shows it, in the reader's language."""
    return tuple(RiskLine(
        group=labels.target_label(risk.target_attribute, risk.target_group), cause=risk.cause,
        likelihood=labels.likelihood_label(risk.likelihood),
        mitigation=risk.action.description if risk.action is not None else risk.mitigation)
        for risk in risks_of(process))


def action_lines(process: Process, *, with_turnout: bool) -> tuple[ActionLine, ...]:
    """The mitigation plan as the assessment shows it; with each action's before/after turnout ex post."""
    if with_turnout:
        found = outcomes(process)
    else:
        found = [ActionOutcome(action, None, None) for action in actions_of(process)]
    lines = []
    for outcome in found:
        action, turnout = outcome.action, outcome.turnout
        where = ", ".join(part for part in (action.place, action.hours) if part)
        lines.append(ActionLine(
            kind=labels.mitigation_kind_label(action.kind),
            group=labels.target_label(action.target_attribute, action.target_group),
            description=action.description + (f" ({where})" if where else ""),
            dates=action.starts_on.isoformat() + (f" – {action.ends_on.isoformat()}" if action.ends_on else ""),
            owner=action.owner, cost=action.cost, is_ex_ante=action.is_ex_ante,
            answers=labels.target_label(action.flag.attribute, action.flag.group) if action.flag else "",
            before=turnout.before if turnout else None, after=turnout.after if turnout else None,
            electorate_before=turnout.electorate_before if turnout else None,
            electorate_after=turnout.electorate_after if turnout else None, flag_cleared=outcome.flag_cleared))
    return tuple(lines)
