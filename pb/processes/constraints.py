"""The counting constraints of a process, recorded by a clerk before voting opens (pb.tally.constraints).

- Sets of incompatible projects, per pool: at most one project of each set is funded, whatever the rule.
- A minimum vote share, per process: a project that fewer than this share of its pool's voters chose is not
  counted at all.

Both are fixed once voting starts, like the ballot rules (pb.voting.services refuses any later change at
flush), and every change is in the audit log. Services flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import format_percent
from flask_babel import gettext as _

from pb.accounts.models import User
from pb.accounts.permissions import can_manage_processes, check_works_in
from pb.audit.services import record
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.extensions import db
from pb.processes.models import IncompatibleSet, IncompatibleSetMember, Pool, Process
from pb.processes.services import lock_process
from pb.proposals.models import Project, ProjectStatus

#: A share is stored in basis points: 10,000 is every voter.
ALL_VOTERS = 10_000
#: Projects that can still reach the ballot, among which a clerk picks a set.
OPEN_STATUSES = (ProjectStatus.PUBLISHED, ProjectStatus.UNDER_REVIEW, ProjectStatus.NEEDS_CHANGES,
                 ProjectStatus.FEASIBLE, ProjectStatus.ON_BALLOT)
MAX_NOTE = 300


def is_fixed(process: Process, now: dt.datetime | None = None) -> bool:
    """Whether the constraints can no longer change: voting has started (or the vote was closed)."""
    return process.voting_has_started(now)


def _require_clerk_before_vote(actor: User, process: Process, now: dt.datetime | None) -> None:
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can change how the votes of a process are counted."))
    check_works_in(actor, process.municipality_id)
    # Under the process lock, and with the latest dates: opening the vote (or a clerk's other change) may have
    # committed since this process was loaded. Pending changes are flushed first, so the refresh keeps them.
    db.session.flush()
    lock_process(process)
    db.session.refresh(process)
    if is_fixed(process, now):
        raise InvalidTransition(_("The counting constraints of “%(process)s” are fixed: voting has started.",
                                  process=process.name))


def min_vote_share_rule() -> str:
    """What a minimum vote share must be, in the user's language."""
    return _("The minimum share of the voters must be from %(least)s to %(most)s, in steps of %(least)s, or empty "
             "for none.", least=describe_min_vote_share(1), most=describe_min_vote_share(ALL_VOTERS))


def set_min_vote_share(actor: User, process: Process, basis_points: int | None,
                       now: dt.datetime | None = None) -> Process:
    """Set (or clear, with None or 0) the share of a pool's voters a project needs to be counted at all.

    ``basis_points``: 500 is 5% of the voters who cast a ballot in the pool. ValidationError on the field
    ``min_vote_share`` when it is not a whole number from 0 to 10,000; InvalidTransition once voting has
    started; the change is in the audit log.
    """
    if basis_points is not None and (isinstance(basis_points, bool) or not isinstance(basis_points, int)
                                     or not 0 <= basis_points <= ALL_VOTERS):
        raise ValidationError("min_vote_share", min_vote_share_rule())
    _require_clerk_before_vote(actor, process, now)
    before = process.min_vote_share_basis_points
    process.min_vote_share_basis_points = basis_points or None
    db.session.flush()
    record(db.session, actor, "process.min_vote_share", "process", process.id,
           before={"min_vote_share_basis_points": before},
           after={"min_vote_share_basis_points": process.min_vote_share_basis_points})
    return process


def describe_min_vote_share(basis_points: int | None) -> str:
    """The minimum vote share as residents read it ("5%"), or an empty string without one."""
    if not basis_points:
        return ""
    return format_percent(basis_points / ALL_VOTERS, "#,##0.##%")


def candidate_projects(pool: Pool) -> list[Project]:
    """The pool's projects that may go to the ballot, by code: those a set can name."""
    return list(db.session.scalars(
        sa.select(Project).where(Project.pool_id == pool.id, Project.status.in_(OPEN_STATUSES))
        .order_by(Project.code)))


def set_projects(pool: Pool) -> dict[int, Project]:
    """The projects the pool's sets name, by id (whatever their status now)."""
    ids = {i for found in pool.incompatible_sets for i in found.project_ids}
    return {p.id: p for p in db.session.scalars(sa.select(Project).where(Project.id.in_(ids)))} if ids else {}


def ballot_groups(pool: Pool, projects: Sequence[Project]) -> list[tuple[str, list[Project]]]:
    """The pool's sets of incompatible projects as the ballot shows them: each set's note and its projects on
    the ballot (``projects``, in their ballot order); a set with fewer than two there is left out."""
    if not pool.incompatible_sets:
        return []
    groups = []
    for found in pool.incompatible_sets:
        members = set(found.project_ids)
        shown = [p for p in projects if p.id in members]
        if len(shown) >= 2:
            groups.append((found.note, shown))
    return groups


def add_incompatible_set(actor: User, pool: Pool, project_ids: Sequence[int], note: str = "",
                         now: dt.datetime | None = None) -> IncompatibleSet:
    """Record that at most one of these projects of the pool may be funded.

    ValidationError on ``projects`` unless they are at least two different projects of the pool that may still
    go to the ballot, and not a set already recorded; on ``note`` when the note is too long. InvalidTransition
    once voting has started. The set is in the audit log, with the projects' codes.
    """
    process = pool.process
    _require_clerk_before_vote(actor, process, now)
    chosen = sorted(set(project_ids))
    note = (note or "").strip()
    if len(chosen) < 2:
        raise ValidationError("projects", _("Choose at least two projects that cannot both be funded."))
    candidates = {p.id: p for p in candidate_projects(pool)}
    if any(project_id not in candidates for project_id in chosen):
        raise ValidationError("projects", _("Choose projects of this pool that can still go to the ballot."))
    if any(sorted(existing.project_ids) == chosen for existing in pool.incompatible_sets):
        raise ValidationError("projects", _("These projects already form a set."))
    if len(note) > MAX_NOTE:
        raise ValidationError("note", _("Keep the note under %(most)d characters.", most=MAX_NOTE))
    found = IncompatibleSet(pool=pool, note=note,
                            members=[IncompatibleSetMember(project_id=project_id) for project_id in chosen])
    db.session.add(found)
    db.session.flush()
    record(db.session, actor, "pool.incompatible_set.add", "pool", pool.id,
           after={"set": found.id, "projects": [candidates[i].code for i in chosen], "note": note})
    return found


def remove_incompatible_set(actor: User, found: IncompatibleSet, now: dt.datetime | None = None) -> None:
    """Remove a set of incompatible projects; InvalidTransition once voting has started. Audited."""
    pool = found.pool
    _require_clerk_before_vote(actor, pool.process, now)
    codes = list(db.session.scalars(sa.select(Project.code).where(Project.id.in_(found.project_ids))
                                    .order_by(Project.code)))
    before = {"set": found.id, "projects": codes, "note": found.note}
    pool.incompatible_sets.remove(found)
    db.session.flush()
    record(db.session, actor, "pool.incompatible_set.remove", "pool", pool.id, before=before)
