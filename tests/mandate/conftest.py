"""Fixtures of the mandate tests: staff accounts, a process, a complete mandate and a counted vote."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pb.core.db import utcnow
from pb.mandate import services
from pb.mandate.forms import MandateInput
from pb.mandate.models import MandateCharacter

COMPLETE = {
    "basis_instrument": "Law", "basis_number": "3852/2010", "basis_article": "76", "basis_date": dt.date(2010, 6, 7),
    "basis_url": "https://city.example/law-3852-2010", "decision_body": "Municipal council",
    "bound_party": "Municipal council", "obligation": "Answer every winning project with reasons.",
}
COMPLETE_TERMS = {"budget_amount": Decimal(100000), "budget_fiscal_year": 2026, "winner_fails": "next_ranked",
                  "feasibility_veto": True, "legal_compliance": True, "justification_days": 60,
                  "justification_published": "https://city.example/pb/decisions"}


def complete_input(character: MandateCharacter = MandateCharacter.ADVISORY, terms: dict | None = None,
                   **fields) -> MandateInput:
    """A mandate that passes every general check (the process's pools hold EUR 100,000)."""
    return MandateInput(character=character, **{**COMPLETE, **fields}, terms={**COMPLETE_TERMS, **(terms or {})})


@pytest.fixture
def ctx(app):
    """A request context, so that services translate their messages as in a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def officer(make_user):
    return make_user(role="legal_officer", email="officer@example.org")


@pytest.fixture
def clerk(make_user):
    return make_user(role="clerk", email="clerk@example.org")


@pytest.fixture
def process(make_process):
    """A process voting in ten days, EUR 100,000 in one pool, in a municipality of 50,000 residents."""
    found = make_process(vote_in_days=10)
    found.municipality.population = 50_000
    # Created a year ago, so that council decisions dated in the past fall within the edition's life.
    found.created_at = utcnow() - dt.timedelta(days=400)
    return found


@pytest.fixture
def signed(db, ctx, process, officer):
    """A function (character, **fields) -> a complete version, signed and in force."""

    def build(character: MandateCharacter = MandateCharacter.ADVISORY, preset: str | None = None, **fields):
        mandate = services.start_mandate(officer, process, preset)
        services.update_mandate(officer, mandate, complete_input(character, **fields))
        services.submit_for_review(officer, mandate)
        services.sign_mandate(officer, mandate, "Sound.")
        services.put_in_force(officer, mandate)
        db.session.commit()
        return mandate

    return build


@pytest.fixture
def counted(db, make_project, request):
    """A function (process, n_winners, n_losers) -> (winners, losers): the vote closed, an official result."""
    from pb.voting.models import TallyResult, TallyResultProject

    # The result stands in for a count, with no ballots behind it: a recount could not reproduce it.
    request.node.add_marker(pytest.mark.breaks_vote_invariants)

    def build(process, winners: int = 2, losers: int = 1):
        projects = [make_project(process, status="on_ballot", title=f"Project {i}") for i in range(winners + losers)]
        result = TallyResult(pool_id=process.pools[0].id, rule=process.tally_rule, tie_break="lexico", is_official=True,
                             input_hash="0" * 64, library_version="test", ballots_counted=10,
                             budget=process.pools[0].amount, total_cost=0)
        for order, project in enumerate(projects, start=1):
            won = order <= winners
            result.projects.append(TallyResultProject(project_id=project.id, score=100 - order, cost=project.cost,
                                                      selected=won, selection_order=order if won else None,
                                                      reason="selected" if won else "did_not_fit"))
        db.session.add(result)
        process.vote_closed_at = utcnow()
        db.session.commit()
        return projects[:winners], projects[winners:]

    return build
