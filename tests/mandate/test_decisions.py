"""The council's decisions after the vote: what each mandate requires, overdue responses, the annex's blockers."""

from __future__ import annotations

import datetime as dt

from decimal import Decimal

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
    # Recording again corrects the decision, saying why, with its before and after in the audit log.
    corrected = DecisionInput(outcome=O.INFEASIBLE, decided_on=TODAY, reason="The site is protected.",
                              decision_number="42/2026", correction_reason="The minutes say infeasible.")
    services.record_decision(clerk, second, corrected)
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
    decision = services.record_decision(clerk, second, DecisionInput(
        O.ADOPTED_WITH_CHANGES, TODAY, reason="Smaller, same site.", adopted_cost=Decimal(4000)))
    assert services.annex_blockers(process) == []
    # A reason lost outside the service (e.g. an import) blocks the annex again.
    decision.reason = ""
    assert services.annex_blockers(process) == [
        "The council's decision on “Project 1” deviates from the vote without a reason."]
    assert mandate.character is MandateCharacter.BINDING_SELF_COMMITMENT


def test_a_correction_keeps_the_earlier_decision_and_says_why(db, ctx, process, clerk, signed, counted):
    signed(MandateCharacter.ADVISORY)
    (first, _second), _losers = counted(process)
    services.record_decision(clerk, first, decide(O.REJECTED, "Too expensive."))
    # Recording the same decision again changes nothing and needs no reason.
    services.record_decision(clerk, first, decide(O.REJECTED, "Too expensive."))
    with pytest.raises(ValidationError, match="A decision is already recorded for this project") as refused:
        services.record_decision(clerk, first, decide(O.ADOPTED, "Adopted after all."))
    assert refused.value.field == "correction_reason"
    decision = services.record_decision(clerk, first, DecisionInput(
        O.ADOPTED, TODAY, reason="Adopted after all.", correction_reason="The council voted again on 3 December."))
    db.session.commit()
    assert decision.outcome is O.ADOPTED
    (earlier,) = services.decision_history(decision)
    assert (earlier.outcome, earlier.reason, earlier.correction_reason, earlier.corrected_by_id) == (
        O.REJECTED, "Too expensive.", "The council voted again on 3 December.", clerk.id)
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "decision.record")
                               .order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert event.after["correction_reason"] == "The council voted again on 3 December."


def test_a_decision_is_dated_within_the_life_of_the_edition(db, ctx, process, clerk, signed, counted):
    signed(MandateCharacter.ADVISORY)
    (first, _second), _losers = counted(process)
    process.created_at = utcnow() - dt.timedelta(days=30)
    db.session.commit()
    # The edition existed from its creation or its first phase, whichever came first (an import is dated back).
    began = min([process.created_at, *(phase.starts_at for phase in process.phases)]).date()
    with pytest.raises(ValidationError, match="before this edition existed") as refused:
        services.record_decision(clerk, first, decide(O.ADOPTED, "Fine.", decided_on=began - dt.timedelta(days=2)))
    assert refused.value.field == "decided_on"
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.record_decision(clerk, first, decide(O.ADOPTED, "Fine.", decided_on=dt.date.today()
                                                      + dt.timedelta(days=2)))


def test_adopted_with_changes_records_the_adopted_cost_and_the_annex_funds_it(db, ctx, process, clerk, signed,
                                                                             counted):
    from pb.mandate import funding

    signed(MandateCharacter.ADVISORY)
    (first, _second), _losers = counted(process)
    changed = DecisionInput(O.ADOPTED_WITH_CHANGES, TODAY, reason="A smaller playground.")
    with pytest.raises(ValidationError, match="Give the cost the council adopted") as refused:
        services.record_decision(clerk, first, changed)
    assert refused.value.field == "adopted_cost"
    with pytest.raises(ValidationError, match="more than the whole pool"):
        services.record_decision(clerk, first, DecisionInput(O.ADOPTED_WITH_CHANGES, TODAY, reason="Bigger.",
                                                             adopted_cost=Decimal("100000.01")))
    with pytest.raises(ValidationError, match="goes with “Adopted with changes” only"):
        services.record_decision(clerk, first, DecisionInput(O.ADOPTED, TODAY, reason="As voted.",
                                                             adopted_cost=Decimal(3000)))
    decision = services.record_decision(clerk, first, DecisionInput(
        O.ADOPTED_WITH_CHANGES, TODAY, reason="A smaller playground.", adopted_cost=Decimal("3000.50")))
    db.session.commit()
    assert decision.adopted_cost == 300_050
    item = next(i for i in funding.funded(process) if i.project.id == first.id)
    assert item.cost == 300_050 and item.counted_cost == first.cost


def test_the_next_ranked_project_is_proposed_and_funded_in_place_of_a_rejected_winner(db, ctx, process, clerk,
                                                                                      signed, counted):
    from pb.mandate import funding
    from pb.reports import data

    signed(MandateCharacter.ADVISORY)  # the complete mandate says: winner_fails = next_ranked
    (first, second), (loser,) = counted(process, winners=2, losers=1)
    # Before the council turns a winner down, nothing is proposed and a loser cannot be decided on.
    assert funding.replacement_proposals(process, queries.governing_mandate(process)) == []
    with pytest.raises(InvalidTransition, match="This project did not win the vote"):
        services.record_decision(clerk, loser, decide(O.ADOPTED, "Next in line."))
    services.record_decision(clerk, first, decide(O.REJECTED, "The land is not the council's."))
    services.record_decision(clerk, second, decide(O.ADOPTED, "As voted."))
    (proposal,) = funding.replacement_proposals(process, queries.governing_mandate(process))
    assert (proposal.project.id, proposal.replaces.id) == (loser.id, first.id)
    assert any("record the council's decision on “Project 2”" in b for b in services.annex_blockers(process))
    decision = services.record_decision(clerk, loser, decide(O.ADOPTED, "Next in line, as the mandate says."))
    db.session.commit()
    assert decision.replaces_project_id == first.id
    assert services.annex_blockers(process) == []
    assert {i.project.id for i in funding.funded(process)} == {second.id, loser.id}
    shown = {p.code: p for pool in data.budget_annex(process).pools for p in pool.projects}
    assert shown[loser.code].adopted and f"in place of {first.code}" in shown[loser.code].council_decision


def test_without_a_next_ranked_rule_nothing_replaces_a_rejected_winner(db, ctx, process, clerk, signed, counted):
    from pb.mandate import funding

    signed(MandateCharacter.ADVISORY, terms={"winner_fails": "back_to_pool"})
    (first, _second), (loser,) = counted(process, winners=2, losers=1)
    services.record_decision(clerk, first, decide(O.REJECTED, "The land is not the council's."))
    assert funding.replacement_proposals(process, queries.governing_mandate(process)) == []
    with pytest.raises(InvalidTransition, match="This project did not win the vote"):
        services.record_decision(clerk, loser, decide(O.ADOPTED, "Next in line."))
