"""Which municipality each staff object belongs to, and the check that every staff page makes with it.

Staff hold their role in some municipalities (pb.accounts.models.staff_municipality). Every staff page lives
under /staff/ and names its objects in its address (``/staff/mandates/<mandate_id>``); before any such page runs,
``check_request_scope`` finds the municipality of each object named and answers 403 when the member of staff does
not work there. The same table of objects filters the audit log to the events of one's own municipalities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from flask import abort, request
from flask_login import current_user

from pb.accounts.permissions import is_staff, works_in
from pb.audit.models import AuditEvent
from pb.deliberation.models import Comment
from pb.extensions import db
from pb.mandate.models import Mandate
from pb.processes.models import District, IncompatibleSet, Municipality, Pool, Process
from pb.proposals.models import Appeal, Project
from pb.reports.models import Assessment, AssessmentVersion, FinalAnnex
from pb.voting.models import Participation, VoterRegisterEntry


def _process_child(model) -> sa.Select:
    return sa.select(model.id.label("object_id"), Process.municipality_id).join(
        Process, model.process_id == Process.id)


def _pool_child(model) -> sa.Select:
    return sa.select(model.id.label("object_id"), Process.municipality_id).join(
        Pool, model.pool_id == Pool.id).join(Process, Pool.process_id == Process.id)


def _project_child(model) -> sa.Select:
    return sa.select(model.id.label("object_id"), Process.municipality_id).join(
        Project, model.project_id == Project.id).join(Process, Project.process_id == Process.id)


# Each kind of object (as the audit log names it) -> a query of (object_id, municipality_id) pairs.
OBJECTS: dict[str, Callable[[], sa.Select]] = {
    "municipality": lambda: sa.select(Municipality.id.label("object_id"), Municipality.id.label("municipality_id")),
    "district": lambda: sa.select(District.id.label("object_id"), District.municipality_id),
    "process": lambda: sa.select(Process.id.label("object_id"), Process.municipality_id),
    "pool": lambda: _process_child(Pool),
    "project": lambda: _process_child(Project),
    "mandate": lambda: _process_child(Mandate),
    "assessment": lambda: _process_child(Assessment),
    "assessment_version": lambda: sa.select(AssessmentVersion.id.label("object_id"), Process.municipality_id).join(
        Assessment, AssessmentVersion.assessment_id == Assessment.id).join(Process, Assessment.process_id == Process.id),
    "final_annex": lambda: _process_child(FinalAnnex),
    "voter_register_entry": lambda: _process_child(VoterRegisterEntry),
    "incompatible_set": lambda: _pool_child(IncompatibleSet),
    "participation": lambda: _pool_child(Participation),
    "appeal": lambda: _project_child(Appeal),
    "comment": lambda: _project_child(Comment),
}

# The names staff pages give their objects in the address -> the kind of object.
URL_OBJECTS = {
    "municipality_id": "municipality", "district_id": "district", "process_id": "process", "pool_id": "pool",
    "project_id": "project", "mandate_id": "mandate", "version_id": "assessment_version", "annex_id": "final_annex",
    "set_id": "incompatible_set", "appeal_id": "appeal", "comment_id": "comment",
}


def municipality_of(kind: str, object_id: int) -> int | None:
    """The municipality the object belongs to (None: no such object, so the page answers 404 itself)."""
    pairs = OBJECTS[kind]().subquery()
    return db.session.scalar(sa.select(pairs.c.municipality_id).where(pairs.c.object_id == object_id))


def check_request_scope() -> None:
    """Before a staff page: 403 when it names an object of a municipality the member of staff does not work in.

    Visitors who are not staff are left to the page's own ``requires`` (sign in, or 403)."""
    rule = request.url_rule
    if rule is None or not rule.rule.startswith("/staff/") or not is_staff(current_user):
        return
    for name, value in (request.view_args or {}).items():
        kind = URL_OBJECTS.get(name)
        if kind is None or not isinstance(value, int):
            continue
        municipality_id = municipality_of(kind, value)
        if municipality_id is not None and not works_in(current_user, municipality_id):
            abort(403)


def audit_events_within(municipality_ids: Iterable[int]) -> sa.ColumnElement[bool]:
    """A condition on audit events: those about an object of one of these municipalities."""
    ids = list(municipality_ids)
    conditions = []
    for kind, pairs_of in OBJECTS.items():
        pairs = pairs_of().subquery()
        owned = sa.select(sa.cast(pairs.c.object_id, sa.String)).where(pairs.c.municipality_id.in_(ids))
        conditions.append(sa.and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(owned)))
    return sa.or_(*conditions)
