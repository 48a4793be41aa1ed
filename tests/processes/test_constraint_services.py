"""The counting constraints a clerk records before voting opens: incompatible projects and a minimum vote share."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from pb.audit.models import AuditEvent
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.processes import constraints
from pb.processes.models import IncompatibleSet, IncompatibleSetMember, Pool, Process
from tests.voting.conftest import voting_world  # noqa: F401  (fixture: an open vote)


@pytest.fixture
def before_vote(app, db, make_process, make_project, make_user):
    """Process 2026, voting in ten days; three projects of the city-wide pool that may go to the ballot, a
    draft, and a project of another process; a clerk."""
    from types import SimpleNamespace

    process = make_process(vote_in_days=10)
    projects = [make_project(process, status=status) for status in ("on_ballot", "feasible", "under_review")]
    draft = make_project(process, status="draft")
    elsewhere = make_project(make_process(slug="other", vote_in_days=10), status="on_ballot")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield SimpleNamespace(process=process, pool=process.pools[0], projects=projects, draft=draft,
                              elsewhere=elsewhere, clerk=make_user(role="clerk"))


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_a_clerk_records_a_set_and_it_is_audited(db, before_vote):
    w = before_vote
    found = constraints.add_incompatible_set(w.clerk, w.pool, [w.projects[1].id, w.projects[0].id], "  One plot ")
    db.session.commit()
    assert found.note == "One plot" and sorted(found.project_ids) == sorted(p.id for p in w.projects[:2])
    (event,) = _events(db, "pool.incompatible_set.add")
    assert event.actor_id == w.clerk.id and event.object_id == str(w.pool.id)
    assert event.after == {"set": found.id, "projects": sorted([w.projects[0].code, w.projects[1].code]),
                           "note": "One plot"}
    constraints.remove_incompatible_set(w.clerk, found)
    db.session.commit()
    assert db.session.scalars(sa.select(IncompatibleSet)).all() == []
    assert db.session.scalars(sa.select(IncompatibleSetMember)).all() == []
    (removed,) = _events(db, "pool.incompatible_set.remove")
    assert removed.before["projects"] == event.after["projects"]


@pytest.mark.parametrize(
    ("pick", "field", "message"),
    [
        (lambda w: [w.projects[0].id], "projects", "at least two projects"),
        (lambda w: [w.projects[0].id, w.projects[0].id], "projects", "at least two projects"),
        (lambda w: [w.projects[0].id, w.draft.id], "projects", "projects of this pool"),
        (lambda w: [w.projects[0].id, w.elsewhere.id], "projects", "projects of this pool"),
        (lambda w: [w.projects[0].id, 999_999], "projects", "projects of this pool"),
    ],
)
def test_a_bad_set_is_refused_on_its_field(db, before_vote, pick, field, message):
    w = before_vote
    with pytest.raises(ValidationError, match=message) as caught:
        constraints.add_incompatible_set(w.clerk, w.pool, pick(w))
    assert caught.value.field == field


def test_the_same_set_twice_and_a_long_note_are_refused(db, before_vote):
    w = before_vote
    ids = [w.projects[0].id, w.projects[2].id]
    constraints.add_incompatible_set(w.clerk, w.pool, ids)
    db.session.commit()
    with pytest.raises(ValidationError, match="already form a set"):
        constraints.add_incompatible_set(w.clerk, w.pool, ids[::-1])
    with pytest.raises(ValidationError, match="under 300 characters") as caught:
        constraints.add_incompatible_set(w.clerk, w.pool, [w.projects[0].id, w.projects[1].id], "x" * 301)
    assert caught.value.field == "note"
    # A set that overlaps another is fine: a project may conflict with several.
    constraints.add_incompatible_set(w.clerk, w.pool, [w.projects[0].id, w.projects[1].id])


def test_only_clerks_change_the_constraints(db, before_vote, make_user):
    w = before_vote
    resident = make_user()
    with pytest.raises(NotAllowed):
        constraints.add_incompatible_set(resident, w.pool, [p.id for p in w.projects[:2]])
    with pytest.raises(NotAllowed):
        constraints.set_min_vote_share(resident, w.process, 500)


def test_the_minimum_vote_share_is_set_cleared_and_audited(db, before_vote):
    w = before_vote
    constraints.set_min_vote_share(w.clerk, w.process, 500)
    db.session.commit()
    assert w.process.min_vote_share_basis_points == 500
    assert constraints.describe_min_vote_share(500) == "5%"
    constraints.set_min_vote_share(w.clerk, w.process, 0)
    db.session.commit()
    assert w.process.min_vote_share_basis_points is None
    first, second = _events(db, "process.min_vote_share")
    assert first.before == {"min_vote_share_basis_points": None} and first.after == {"min_vote_share_basis_points": 500}
    assert second.after == {"min_vote_share_basis_points": None}


@pytest.mark.parametrize("value", [-1, 10_001, 2.5, True, "5"])
def test_a_bad_minimum_vote_share_is_refused_in_the_users_language(db, before_vote, value):
    w = before_vote
    with pytest.raises(ValidationError) as caught:
        constraints.set_min_vote_share(w.clerk, w.process, value)
    assert caught.value.field == "min_vote_share"
    assert caught.value.message == "The minimum share of the voters must be from 0.01% to 100%, in steps of 0.01%, " \
                                   "or empty for none."
    with force_locale("el"):
        with pytest.raises(ValidationError) as greek:
            constraints.set_min_vote_share(w.clerk, w.process, value)
    assert greek.value.message != caught.value.message and "0,01%" in greek.value.message
    db.session.rollback()
    assert db.session.get(Process, w.process.id).min_vote_share_basis_points is None


def test_the_constraints_are_fixed_once_voting_starts(app, db, voting_world):  # noqa: F811
    w = voting_world
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(InvalidTransition, match="fixed: voting has started"):
            constraints.add_incompatible_set(w.clerk, w.city, [p.id for p in w.projects[:2]])
        with pytest.raises(InvalidTransition, match="fixed: voting has started"):
            constraints.set_min_vote_share(w.clerk, w.process, 500)
        db.session.rollback()
        # Nor beneath the services: the flush refuses a new set, a new member, a removal or a new share.
        db.session.add(IncompatibleSet(pool_id=w.city.id, members=[
            IncompatibleSetMember(project_id=p.id) for p in w.projects[:2]]))
        with pytest.raises(InvalidTransition, match="fixed: voting has started"):
            db.session.flush()
        db.session.rollback()
        w.process.min_vote_share_basis_points = 100
        with pytest.raises(InvalidTransition, match="fixed: voting has started"):
            db.session.flush()
        db.session.rollback()


def test_a_set_recorded_before_the_vote_cannot_be_removed_during_it(app, db, before_vote):
    w = before_vote
    found = constraints.add_incompatible_set(w.clerk, w.pool, [p.id for p in w.projects[:2]])
    db.session.commit()
    # The vote opens (dates moved beneath the ORM, as a clerk's early opening would).
    from pb.processes.models import Phase, PhaseKind
    from pb.core.db import utcnow

    db.session.execute(sa.update(Phase).where(Phase.process_id == w.process.id, Phase.kind == PhaseKind.VOTING)
                       .values(starts_at=utcnow()))
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(InvalidTransition, match="fixed"):
        constraints.remove_incompatible_set(w.clerk, db.session.get(IncompatibleSet, found.id))
    db.session.rollback()
    pool = db.session.get(Pool, w.pool.id)
    pool.incompatible_sets.clear()
    with pytest.raises(InvalidTransition, match="fixed"):
        db.session.flush()
    db.session.rollback()
    member = db.session.scalars(sa.select(IncompatibleSetMember)).first()
    db.session.delete(member)
    with pytest.raises(InvalidTransition, match="fixed"):
        db.session.flush()
    db.session.rollback()
    assert len(db.session.get(IncompatibleSet, found.id).members) == 2
