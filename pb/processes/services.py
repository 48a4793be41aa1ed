"""What a process allows now: each action in its phase, checked in one place; a clerk's early
opening or closing of a phase, or its extension, with a reason, in the audit log; and the municipality's
population, which the legal checks of a mandate read."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_babel import format_datetime, format_number, ngettext
from flask_babel import gettext as _

from pb.accounts.models import User
from pb.accounts.permissions import can_manage_processes, check_works_in
from pb.audit.services import changes, record
from pb.core.db import utcnow
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.extensions import db
from pb.mandate.queries import mandate_in_force
from pb.mandate.services import require_mandate_in_force
from pb.processes.labels import phase_label
from pb.processes.models import Municipality, Phase, PhaseKind, Process
from pb.proposals.models import Appeal, Project, ProjectStatus, Review
from pb.setup.labels import missing_text
from pb.setup.queries import missing_for
from pb.setup.rules import MAX_POPULATION


class Action(enum.StrEnum):
    """What residents and staff do that depends on the phase."""

    PROPOSE = "propose"
    EDIT_PROPOSAL = "edit_proposal"
    COMMENT = "comment"
    SUPPORT = "support"
    REVIEW = "review"
    APPEAL = "appeal"
    VOTE = "vote"


# The phases in which each action is open.
ACTION_PHASES: dict[Action, tuple[PhaseKind, ...]] = {
    Action.PROPOSE: (PhaseKind.PROPOSALS,),
    Action.EDIT_PROPOSAL: (PhaseKind.PROPOSALS,),
    Action.COMMENT: (PhaseKind.PROPOSALS, PhaseKind.REVIEW, PhaseKind.DELIBERATION, PhaseKind.VOTING),
    Action.SUPPORT: (PhaseKind.DELIBERATION,),
    Action.REVIEW: (PhaseKind.REVIEW,),
    Action.APPEAL: (PhaseKind.REVIEW, PhaseKind.DELIBERATION),
    Action.VOTE: (PhaseKind.VOTING,),
}


class PhaseClosed(NotAllowed):
    """The action is not open in the current phase; the message says when it opens, if it will."""


def is_open(process: Process, action: Action, now: dt.datetime | None = None) -> bool:
    """Whether the action is open in the process at ``now``."""
    now = now or utcnow()
    return any(p.kind in ACTION_PHASES[action] and p.is_open(now) for p in process.phases)


def require_phase(process: Process, action: Action, now: dt.datetime | None = None) -> None:
    """Raise PhaseClosed, saying why and when it opens, unless the action is open now."""
    now = now or utcnow()
    if is_open(process, action, now):
        return
    upcoming = sorted((p for p in process.phases if p.kind in ACTION_PHASES[action] and p.starts_at > now),
                      key=lambda p: p.starts_at)
    if upcoming:
        raise PhaseClosed(_("This is possible during the phase “%(phase)s”, which opens on %(date)s.",
                            phase=phase_label(upcoming[0].kind), date=format_datetime(upcoming[0].starts_at, "medium")))
    raise PhaseClosed(_("This is no longer possible: the phase for it has ended."))


def _phase(process: Process, kind: PhaseKind) -> Phase:
    for phase in process.phases:
        if phase.kind is kind:
            return phase
    raise InvalidTransition(_("This process has no phase “%(phase)s”.", phase=phase_label(kind)))


def appeals_cut_by_opening(process: Process, kind: PhaseKind, now: dt.datetime) -> list[Project]:
    """The projects whose author may still appeal now, and no longer could once ``kind`` opens: opening it ends
    the running phase in which appeals are heard, before their appeal periods end."""
    if kind in ACTION_PHASES[Action.APPEAL] or not is_open(process, Action.APPEAL, now):
        return []
    newest = (sa.select(Review.project_id, sa.func.max(Review.id).label("review_id"))
              .join(Project, Project.id == Review.project_id)
              .where(Project.process_id == process.id).group_by(Review.project_id).subquery())
    rows = db.session.execute(
        sa.select(Project, Review).join(newest, newest.c.project_id == Project.id)
        .join(Review, Review.id == newest.c.review_id)
        .where(Project.status.in_((ProjectStatus.UNFEASIBLE, ProjectStatus.NEEDS_CHANGES)),
               ~sa.exists().where(Appeal.review_id == Review.id))
        .order_by(Project.id)).all()
    return [project for project, review in rows
            if review.created_at + dt.timedelta(days=process.appeal_days) > now]


def open_phase_now(actor: User, process: Process, kind: PhaseKind, reason: str, now: dt.datetime | None = None,
                   *, cut_appeals: bool = False) -> Phase:
    """Open a phase before its date: it starts now, and the phase running until now ends now.

    Its published start is kept (for a vote, it fixes who is of voting age). When opening would end the phase in
    which authors may still appeal, it is refused with the number of projects affected, unless the clerk
    confirms (``cut_appeals``); the audit log names them.
    """
    _check_clerk(actor, process, reason)
    now = now or utcnow()
    phase = _phase(process, kind)
    if phase.is_open(now):
        raise InvalidTransition(_("The phase “%(phase)s” is already open.", phase=phase_label(kind)))
    if phase.ends_at <= now:
        raise InvalidTransition(_("The phase “%(phase)s” has ended and cannot be opened again.", phase=phase_label(kind)))
    if kind is PhaseKind.VOTING:
        # No vote without a legal standing: the mandate says whether it binds the council.
        require_mandate_in_force(process, now)
    lacking = missing_for(process, kind, now)
    if lacking:
        raise InvalidTransition(_("The phase “%(phase)s” is not ready to open: %(missing)s",
                                  phase=phase_label(kind), missing=missing_text(lacking)))
    cut = appeals_cut_by_opening(process, kind, now)
    if cut and not cut_appeals:
        raise ValidationError("cut_appeals", ngettext(
            "Opening “%(phase)s” now ends the time to appeal of %(num)d project whose author may still appeal "
            "against its review. Confirm to open it anyway: the project is named in the audit log.",
            "Opening “%(phase)s” now ends the time to appeal of %(num)d projects whose authors may still appeal "
            "against their reviews. Confirm to open it anyway: the projects are named in the audit log.",
            len(cut), phase=phase_label(kind)))
    before = {p.kind.value: changes(p, ["starts_at", "ends_at"]) for p in process.phases}
    for other in process.phases:
        if other is not phase and other.is_open(now):
            other.ends_at = now
    if phase.scheduled_starts_at is None:
        phase.scheduled_starts_at = phase.starts_at
    phase.starts_at = now
    _record(actor, process, "phase.open_early", kind, reason, before,
            appeals_cut=[project.id for project in cut])
    return phase


def close_phase_now(actor: User, process: Process, kind: PhaseKind, reason: str, now: dt.datetime | None = None) -> Phase:
    """Close a running phase before its date."""
    _check_clerk(actor, process, reason)
    now = now or utcnow()
    phase = _phase(process, kind)
    if not phase.is_open(now):
        raise InvalidTransition(_("The phase “%(phase)s” is not open.", phase=phase_label(kind)))
    if kind is PhaseKind.VOTING:
        raise InvalidTransition(_("Voting is closed through the vote's own closing step, which counts the ballots."))
    before = {p.kind.value: changes(p, ["starts_at", "ends_at"]) for p in process.phases}
    phase.ends_at = now
    _record(actor, process, "phase.close_early", kind, reason, before)
    return phase


# Built once: casting a ballot takes the shared lock, and building the statement costs more than sending it.
_LOCK = {shared: sa.select(Process.id).where(Process.id == sa.bindparam("process_id"))
         .with_for_update(read=shared) for shared in (False, True)}


def lock_process(process: Process, *, shared: bool = False) -> None:
    """Take the process row exclusively (or ``shared``) until the transaction ends.

    Whatever changes what a vote accepts (closing it, extending it, annulling a pool) or numbers a process's
    projects takes this lock; casting a ballot shares it, so no ballot is judged against half-made changes.
    """
    db.session.execute(_LOCK[shared], {"process_id": process.id})


#: How far ahead a phase may be extended: beyond it a date is a typing slip (year 9999), not a plan.
MAX_EXTENSION = dt.timedelta(days=5 * 366)


def extension_limit_message() -> str:
    """Why a new end too far ahead is refused, in the user's language."""
    return _("The new end must be within five years from now: check the year.")


def extend_phase(actor: User, process: Process, kind: PhaseKind, until: dt.datetime, reason: str,
                 now: dt.datetime | None = None) -> Phase:
    """Move the end of a running phase later (after an outage, say), or reopen a vote that ended uncounted.

    The phases after it move by as much when they would overlap. Residents see the end first published and
    the reason beside the new end; the audit log keeps both sets of dates.
    """
    _check_clerk(actor, process, reason)
    now = now or utcnow()
    lock_process(process)
    db.session.refresh(process)
    phase = _phase(process, kind)
    if phase.starts_at > now:
        raise InvalidTransition(_("The phase “%(phase)s” has not started: open it now or wait for its date.",
                                  phase=phase_label(kind)))
    if kind is PhaseKind.VOTING and process.vote_closed_at is not None:
        raise InvalidTransition(_("The vote was closed and counted: it cannot be extended."))
    if kind is not PhaseKind.VOTING and phase.ends_at <= now:
        raise InvalidTransition(_("The phase “%(phase)s” has ended and cannot be opened again.", phase=phase_label(kind)))
    if until <= max(now, phase.ends_at):
        raise ValidationError("until", _("The new end must be later than the present end, %(end)s, and in the future.",
                                         end=format_datetime(max(now, phase.ends_at), "medium")))
    if until > now + MAX_EXTENSION:
        raise ValidationError("until", extension_limit_message())
    if kind is PhaseKind.VOTING and mandate_in_force(process, until) is None:
        raise ValidationError("until", _("The mandate in force does not cover that date: a legal officer must "
                                         "amend it before the vote can run that long."))
    before = {p.kind.value: changes(p, ["starts_at", "ends_at"]) for p in process.phases}
    shift = until - phase.ends_at
    later = sorted((p for p in process.phases if p.position > phase.position), key=lambda p: p.position)
    if later and later[0].starts_at < until:
        for other in reversed(later):  # last first, so that no two phases ever overlap on the way
            other.ends_at += shift
            other.starts_at += shift
    if phase.scheduled_ends_at is None:
        phase.scheduled_ends_at = phase.ends_at
    phase.ends_at = until
    phase.extension_reason = reason.strip()
    _record(actor, process, "phase.extend", kind, reason, before)
    return phase


def _check_clerk(actor: User, process: Process, reason: str) -> None:
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can change the phases of a process."))
    check_works_in(actor, process.municipality_id)
    if len(reason.strip()) < 10:
        raise ValidationError("reason", _("Give the reason in a sentence: it is kept in the audit log."))


def _record(actor: User, process: Process, action: str, kind: PhaseKind, reason: str, before: dict,
            **extra: object) -> None:
    db.session.flush()
    after = {p.kind.value: changes(p, ["starts_at", "ends_at"]) for p in process.phases}
    record(db.session, actor, action, "process", process.id,
           before={"phases": before}, after={"phases": after, "phase": kind.value, "reason": reason.strip(),
                                             **extra})


def population_rule() -> str:
    """What a recorded population must be, in the user's language."""
    return _("Enter the number of residents: a whole number from 1 to %(max)s.", max=format_number(MAX_POPULATION))


def record_population(actor: User, municipality: Municipality, population: int) -> Municipality:
    """Record (or correct) the number of residents of the municipality, in the audit log.

    The legal checks of a mandate compare with it: in Poland, the signatures a proposal may need.
    """
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk or an administrator can record the municipality's population."))
    check_works_in(actor, municipality.id)
    if isinstance(population, bool) or not isinstance(population, int) or not 1 <= population <= MAX_POPULATION:
        raise ValidationError("population", population_rule())
    before = changes(municipality, ["population"])
    municipality.population = population
    db.session.flush()
    record(db.session, actor, "municipality.population", "municipality", municipality.id, before=before,
           after=changes(municipality, ["population"]))
    return municipality
