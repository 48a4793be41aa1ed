"""The council's decisions after the vote: what each mandate requires, overdue responses, the annex's blockers."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.core.db import utcnow
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.mandate import queries, services
from pb.mandate.forms import DecisionInput
from pb.mandate.models import DecisionOutcome, MandateCharacter

O = DecisionOutcome
TODAY = dt.date.today() - dt.timedelta(days=1)


def decide(outcome, reason="", legal_ground="", decided_on=TODAY):
    return DecisionInput(outcome=outcome, decided_on=decided_on, reason=reason, legal_ground=legal_ground,
                         decision_number="42/2026")


def test_winners_are_the_selected_projects_of_official_results(db, ctx, process, counted):
    from pb.voting.models import TallyResult, TallyResultProject

    winners, losers = counted(process, winners=2, losers=1)
    # A comparison under another rule does not count.
    other = TallyResult(pool_id=process.pools[0].id, rule="equalshares", tie_break="lexico", is_official=False,
                        input_hash="1" * 64, library_version="test", ballots_counted=10, budget=1, total_cost=0)
    other.projects.append(TallyResultProject(project_id=losers[0].id, score=1, cost=1, selected=True,
                                             selection_order=1, reason="selected"))
    db.session.add(other)
    db.session.commit()
    assert [p.id for p in queries.winners(process)] == [p.id for p in winners]


def test_advisory_mandate_needs_a_reason_for_every_winner(db, ctx, process, clerk, signed, counted):
    signed(MandateCharacter.ADVISORY)
    (first, _second), _losers = counted(process)
    with pytest.raises(ValidationError, match="The vote is advisory: the council owes residents a reason") as refused:
        services.record_decision(clerk, first, decide(O.ADOPTED))
    assert refused.value.field == "reason"
    decision = services.record_decision(clerk, first, decide(O.ADOPTED, "It serves the most residents."))
    assert decision.outcome is O.ADOPTED and decision.recorded_by_id == clerk.id
    db.session.commit()
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "decision.record")).scalar_one()
    assert event.object_id == str(first.id) and event.after["reason"] == "It serves the most residents."


def test_binding_mandate_needs_a_reason_for_every_deviation(db, ctx, process, clerk, signed, counted):
    signed(MandateCharacter.BINDING_SELF_COMMITMENT, enabling_decision="Council decision 112/2026")
    (first, second), _losers = counted(process)
    services.record_decision(clerk, first, decide(O.ADOPTED))  # following the vote needs no reason
    for outcome in (O.ADOPTED_WITH_CHANGES, O.REJECTED, O.INFEASIBLE, O.DEFERRED):
        with pytest.raises(ValidationError, match="The vote is binding: give the reason why the council did not"):
            services.record_decision(clerk, second, decide(outcome))
    with pytest.raises(ValidationError, match="may reject a winning project only on a legal ground") as refused:
        services.record_decision(clerk, second, decide(O.REJECTED, "Too expensive."))
    assert refused.value.field == "legal_ground"
    services.record_decision(clerk, second, decide(O.REJECTED, "The site is protected.", "Natura 2000 rules"))
    # Recording again corrects the decision, with its before and after in the audit log.
    services.record_decision(clerk, second, decide(O.INFEASIBLE, "The site is protected."))
    db.session.commit()
    assert queries.decisions(process)[second.id].outcome is O.INFEASIBLE
    events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "decision.record")
                                .order_by(AuditEvent.id)).scalars().all()
    assert events[-1].before["outcome"] == "rejected" and events[-1].after["outcome"] == "infeasible"


def test_decisions_are_refused_before_the_count_for_losers_and_for_residents(db, ctx, process, clerk, make_user,
                                                                               signed, counted, make_project):
    signed()
    early = make_project(process, status="on_ballot")
    with pytest.raises(InvalidTransition, match="The vote has not been counted yet"):
        services.record_decision(clerk, early, decide(O.ADOPTED, "Fine."))
    (first, _second), (loser,) = counted(process)
    with pytest.raises(NotAllowed, match="Only a clerk can record the council's decisions."):
        services.record_decision(make_user(role="legal_officer"), first, decide(O.ADOPTED, "Fine."))
    with pytest.raises(InvalidTransition, match="This project did not win the vote"):
        services.record_decision(clerk, loser, decide(O.ADOPTED, "Fine."))
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.record_decision(clerk, first, decide(O.ADOPTED, "Fine.", decided_on=TODAY + dt.timedelta(days=5)))


def test_no_decision_without_a_mandate_that_was_in_force(db, ctx, process, clerk, counted):
    (first, _second), _losers = counted(process)
    with pytest.raises(InvalidTransition, match="never had a mandate in force"):
        services.record_decision(clerk, first, decide(O.ADOPTED, "Fine."))


def test_overdue_responses_are_flagged_after_the_deadline(db, ctx, process, clerk, signed, counted):
    signed()  # 60 days to answer
    (first, second), _losers = counted(process)
    result = queries.outcome(process)
    assert result.deadline == process.vote_closed_at + dt.timedelta(days=60)
    assert not result.is_overdue and result.overdue == []
    late = utcnow() + dt.timedelta(days=61)
    assert [p.id for p in queries.outcome(process, late).overdue] == [first.id, second.id]
    services.record_decision(clerk, first, decide(O.ADOPTED, "Fine."))
    assert [p.id for p in queries.outcome(process, late).overdue] == [second.id]
    services.record_decision(clerk, second, decide(O.DEFERRED, "Next year's budget."))
    late_result = queries.outcome(process, late)
    assert not late_result.is_overdue and [p.id for p, _d in late_result.deviations] == [second.id]


def test_annex_blockers(db, ctx, process, clerk, signed, counted):
    assert services.annex_blockers(process) == ["The process has no mandate that was ever in force."]
    mandate = signed(MandateCharacter.BINDING_SELF_COMMITMENT, enabling_decision="Council decision 112/2026")
    assert services.annex_blockers(process) == ["The vote has not been counted yet."]
    (first, second), _losers = counted(process)
    assert services.annex_blockers(process) == [
        "No council decision is recorded for the winning project “Project 0”.",
        "No council decision is recorded for the winning project “Project 1”."]
    services.record_decision(clerk, first, decide(O.ADOPTED))
    decision = services.record_decision(clerk, second, decide(O.ADOPTED_WITH_CHANGES, "Smaller, same site."))
    assert services.annex_blockers(process) == []
    # A reason lost outside the service (e.g. an import) blocks the annex again.
    decision.reason = ""
    assert services.annex_blockers(process) == [
        "The council's decision on “Project 1” deviates from the vote without a reason."]
    assert mandate.character is MandateCharacter.BINDING_SELF_COMMITMENT
