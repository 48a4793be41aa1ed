"""Fixtures of the delivery tests: an edition past its vote whose council adopted projects, and its staff."""

from __future__ import annotations

import datetime as dt

import pytest

from pb.core.db import utcnow


@pytest.fixture
def ctx(app):
    """A request context, so that services translate their messages and build links as in a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def clerk(make_user):
    return make_user(role="clerk", email="clerk@example.org", display_name="Clerk Clara")


@pytest.fixture
def officer(make_user):
    """A department officer."""
    return make_user(role="department", email="parks@example.org", display_name="Parks Petra")


@pytest.fixture
def adopt(db, make_user):
    """A function (process, project, character="advisory", delivery_months=None) -> the council's decision
    adopting the project, under a mandate in force of that character."""
    import sqlalchemy as sa

    from pb.mandate.models import CouncilDecision, DecisionOutcome, Mandate, MandateCharacter, MandateStatus
    from pb.mandate.terms import empty_terms

    def build(process, project, character: str = "advisory", delivery_months: int | None = None):
        mandate = db.session.execute(sa.select(Mandate).where(Mandate.process_id == process.id)).scalars().first()
        if mandate is None:
            mandate = Mandate(process_id=process.id, version=1, status=MandateStatus.IN_FORCE,
                              character=MandateCharacter(character),
                              terms={**empty_terms(), "delivery_months": delivery_months},
                              created_by_id=make_user(role="legal_officer").id)
            db.session.add(mandate)
            db.session.flush()
        decision = CouncilDecision(process_id=process.id, project_id=project.id, mandate_id=mandate.id,
                                   outcome=DecisionOutcome.ADOPTED, decided_on=utcnow().date() - dt.timedelta(days=1))
        db.session.add(decision)
        db.session.commit()
        return decision

    return build


def spend(clerk, record, cents: int) -> None:
    """Record that ``cents`` were spent on the record (and committed), with an explanation in case it is needed."""
    from pb.delivery import services

    services.update_record(clerk, record, services.RecordInput(
        department=record.department, officer_id=record.officer_id, planned_start_on=None, planned_end_on=None,
        actual_start_on=None, actual_end_on=None, committed=cents, spent=cents, spending_explanation="As voted."))


@pytest.fixture
def world(db, ctx, make_process, make_project, make_user, adopt, clerk):
    """Process "2026" (EUR 100,000) with project "Park" (EUR 5,000, adopted) by an author, a co-author and a
    follower, and the clerk who opened its delivery record."""
    from pb.deliberation.models import Follow
    from pb.delivery import services
    from pb.proposals.models import ProjectCoauthor

    process = make_process()
    author = make_user(email="author@example.org")
    project = make_project(process, status="selected", author=author, cost=500_000, title="Park")
    coauthor, follower = make_user(email="coauthor@example.org"), make_user(email="follower@example.org")
    db.session.add(ProjectCoauthor(project_id=project.id, user_id=coauthor.id))
    db.session.add(Follow(project_id=project.id, user_id=follower.id))
    adopt(process, project)
    record = services.open_record(clerk, project)
    db.session.commit()
    return {"process": process, "project": project, "author": author, "coauthor": coauthor, "follower": follower,
            "record": record}
