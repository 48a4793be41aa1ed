"""Assessments with their stored versions and hashes, publishing, and the budget annex from the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import gettext
from pypdf import PdfReader

from pb.audit.models import AuditEvent
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.mandate import services as mandate_services
from pb.mandate.forms import DecisionInput
from pb.mandate.models import DecisionOutcome
from pb.mandate.queries import winners
from pb.reports import data, services
from pb.reports.annex import funded_total
from pb.reports.models import AssessmentMode


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _generate(officer, process, mode=AssessmentMode.EX_POST):
    assessment = services.assessment_for(process, mode)
    return services.generate_version(officer, assessment, translate=gettext, locale="en")


def test_versions_keep_their_pdf_hash_author_and_sections(db, ctx, counted, make_user):
    officer = make_user(role="legal_officer", display_name="Maria K.")
    assessment = services.assessment_for(counted.process, AssessmentMode.EX_POST)
    services.save_sections(officer, assessment, {"engagement": "Two meetings in North.", "impact": "Paper voters."})
    first = _generate(officer, counted.process)
    services.save_sections(officer, assessment, {"engagement": "Three meetings."})
    second = _generate(officer, counted.process)
    db.session.commit()
    assert (first.number, second.number) == (1, 2)
    assert first.sha256 == hashlib.sha256(first.pdf).hexdigest() and first.byte_size == len(first.pdf)
    assert first.generated_by_id == officer.id and first.locale == "en"
    assert first.sections["engagement"] == "Two meetings in North." and second.sections["impact"] == ""
    text = _text(first.pdf)
    assert "Two meetings in North." in text and "Maria K." in text and "DRAFT" not in text
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type.in_(
        ["assessment", "assessment_version"])).order_by(AuditEvent.id)).all()
    assert actions == ["assessment.edit", "assessment.generate", "assessment.edit", "assessment.generate"]


def test_publishing_is_audited_and_happens_once(db, ctx, counted, make_user):
    officer = make_user(role="legal_officer")
    version = _generate(officer, counted.process)
    assert services.published_versions(counted.process) == []
    services.publish_version(officer, version)
    db.session.commit()
    assert services.published_versions(counted.process) == [version]
    with pytest.raises(InvalidTransition):
        services.publish_version(officer, version)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "assessment.publish")).one()
    assert event.after["sha256"] == version.sha256


def test_only_legal_officers_write_and_ex_post_waits_for_the_count(db, ctx, voting_world, make_user):
    process = voting_world.process
    clerk = make_user(role="clerk")
    assessment = services.assessment_for(process, AssessmentMode.EX_POST)
    with pytest.raises(NotAllowed):
        services.save_sections(clerk, assessment, {"scope": "x"})
    officer = make_user(role="legal_officer")
    with pytest.raises(InvalidTransition, match="not been counted"):
        services.generate_version(officer, assessment, translate=gettext, locale="en")
    # Before the vote the ex-ante assessment works from the design.
    preview = services.preview(officer, services.assessment_for(process, AssessmentMode.EX_ANTE),
                               translate=gettext, locale="en")
    assert "DRAFT" in _text(preview)


def test_ex_post_counts_residents_once_across_city_and_district_pools(db, ctx, counted):
    pools = data.pool_results(counted.process)
    assert [len(pool.election.ballots) for pool in pools] == [3, 1]
    figures = data.figures(counted.process, AssessmentMode.EX_POST, data.population(counted.process))
    # The city-wide pool's three ballots stand for the participants, not its three plus North's one.
    assert figures.participation.voters == 3
    funded = {code for pool in pools for code in pool.funded}
    assert funded == {p.code for p in winners(counted.process)}


def test_the_annex_from_the_database_is_the_same_bytes_every_time(db, ctx, counted):
    first = services.annex_files(counted.process, translate=gettext, locale="en")
    second = services.annex_files(counted.process, translate=gettext, locale="en")
    assert first == second
    annex = data.budget_annex(counted.process)
    winning = {p.code for p in winners(counted.process)}
    assert {project.code for pool in annex.pools for project in pool.projects} == winning
    assert annex.mandate_character == "advisory" and annex.pools[0].ballots == 3
    assert "C1" in first["csv"].decode("utf-8-sig")


def test_finalising_is_refused_with_the_blockers_then_kept_with_hashes(db, ctx, counted):
    with pytest.raises(InvalidTransition) as refused:
        services.finalise_annex(counted.clerk, counted.process, translate=gettext, locale="en")
    assert "No council decision is recorded" in refused.value.message
    for project in winners(counted.process):
        mandate_services.record_decision(counted.clerk, project, DecisionInput(
            DecisionOutcome.ADOPTED, dt.date.today(), reason="Adopted as voted.", decision_number="12/2026"))
    final = services.finalise_annex(counted.clerk, counted.process, translate=gettext, locale="en")
    db.session.commit()
    assert final.number == 1 and final.pdf_sha256 == hashlib.sha256(final.pdf).hexdigest()
    assert final.xlsx_sha256 == hashlib.sha256(final.xlsx).hexdigest()
    csv_text = final.csv.decode("utf-8-sig")
    assert "Adopted (12/2026)" in csv_text
    assert "Adopted (12/2026)" in " ".join(_text(final.pdf).split())
    with pytest.raises(NotAllowed):
        services.finalise_annex(counted.resident, counted.process, translate=gettext, locale="en")
    # A second version says why it replaces the first.
    with pytest.raises(ValidationError, match="Annex 1 is already finalised: say why") as refused:
        services.finalise_annex(counted.clerk, counted.process, translate=gettext, locale="en")
    assert refused.value.field == "reason"
    second = services.finalise_annex(counted.clerk, counted.process, translate=gettext, locale="en",
                                     reason="The council corrected decision 12/2026.")
    db.session.commit()
    assert (second.number, second.reason) == (2, "The council corrected decision 12/2026.")
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "annex.finalise")
                               .order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert event.after["reason"] == "The council corrected decision 12/2026."


def test_the_annex_funds_what_the_council_adopted(db, ctx, counted):
    first, *others = winners(counted.process)
    mandate_services.record_decision(counted.clerk, first, DecisionInput(
        DecisionOutcome.REJECTED, dt.date.today(), reason="The site is not the council's.", decision_number="13/2026"))
    for project in others:
        mandate_services.record_decision(counted.clerk, project, DecisionInput(
            DecisionOutcome.ADOPTED_WITH_CHANGES, dt.date.today(), reason="Adopted, a month later.",
            decision_number="14/2026", adopted_cost=Decimal(project.cost) / 100 - 1))
    annex = data.budget_annex(counted.process)
    listed = {project.code: project for pool in annex.pools for project in pool.projects}
    assert not listed[first.code].adopted and all(listed[p.code].adopted for p in others)
    # Adopted with changes: the annex funds the cost the council adopted (one euro less each, here).
    assert sum(funded_total(pool) for pool in annex.pools) == sum(p.cost - 100 for p in others)


def test_the_assessment_says_who_its_voter_count_leaves_out(db, ctx, voting_world, make_user):
    from pb.voting import services as voting
    from pb.voting.ballot_rules import Choice

    w = voting_world
    voting.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "t-1", sex="F")
    voting.cast_ballot(w.resident, w.north, [Choice(w.north_projects[0].id)], "t-2", sex="F")
    voting.enter_paper_ballot(w.clerk, w.north, "AB-1002", [Choice(w.north_projects[1].id)], "t-3")
    voting.enter_paper_ballot(w.clerk, w.city, "AB-1005", [Choice(w.projects[1].id)], "t-4")
    voting.close_vote(w.clerk, w.process, reason="Closing the vote for the voter-count test.")
    db.session.commit()
    assert data.residents_who_voted(w.process) == 3
    assessment = services.assessment_for(w.process, AssessmentMode.EX_POST)
    document = data.assessment_document(assessment, number=1, is_draft=True, prepared_on="2026-11-28")
    assert document.metrics.participation.voters == 2
    assert "1 of the 3 residents who voted did so only in their district's pool and is not" in document.voters_note
    officer = make_user(role="legal_officer", display_name="Maria K.")
    text = " ".join(_text(_generate(officer, w.process).pdf).split())
    assert "did so only in their district's pool" in text


def test_the_assessment_has_no_note_when_everyone_is_counted(db, ctx, counted):
    assessment = services.assessment_for(counted.process, AssessmentMode.EX_POST)
    document = data.assessment_document(assessment, number=1, is_draft=True, prepared_on="2026-11-28")
    assert document.voters_note == ""


def test_one_answer_for_funded_in_the_assessment_annex_results_and_outcome(db, ctx, counted, client):
    from pb.mandate import funding

    first, *others = winners(counted.process)
    mandate_services.record_decision(counted.clerk, first, DecisionInput(
        DecisionOutcome.REJECTED, dt.date.today(), reason="The site is not the council's.", decision_number="13/2026"))
    db.session.commit()
    adopted = {p.code for p in others}
    assert {item.project.code for item in funding.funded(counted.process)} == adopted
    # The assessment's figures count only what the council adopted, and it says which it did not, and why.
    assert {code for pool in data.pool_results(counted.process) for code in pool.funded} == adopted
    assessment = services.assessment_for(counted.process, AssessmentMode.EX_POST)
    document = data.assessment_document(assessment, number=1, is_draft=True, prepared_on="2026-11-28")
    assert [(row.project, row.council_decision, row.reason) for row in document.not_adopted] == [
        (f"{first.code} {first.title}", "Rejected (13/2026)", "The site is not the council's.")]
    text = " ".join(_text(services.draft_pdf(assessment, translate=gettext, locale="en")).split())
    assert "Projects the council did not adopt" in text and "The site is not the council's." in text
    # The annex funds the same projects.
    annex = data.budget_annex(counted.process)
    assert {p.code for pool in annex.pools for p in pool.projects if p.adopted} == adopted
    # The results and "what happened to your vote" say the same.
    slug = f"/m/{counted.process.municipality.slug}/{counted.process.slug}"
    results = client.get(f"{slug}/results").get_data(as_text=True)
    assert "Council's decision: Rejected. Not funded." in results
    assert "Funded after the council's decisions" in results
    outcome = client.get(f"{slug}/outcome").get_data(as_text=True)
    row = outcome[outcome.index(first.title):].split("</tr>")[0]
    assert "<td>No</td>" in row


# The pool's kind changes beneath its counted approval ballots, which no longer fit it: only the labels are tested.
@pytest.mark.breaks_vote_invariants
def test_the_comply_or_explain_table_counts_a_cumulative_pool_in_points(db, ctx, counted):
    from pb.processes.models import BallotKind, Pool

    from tests.voting.test_sealed_vote import beneath_the_seal

    with beneath_the_seal(db, str(db.engine.url)):  # the vote is closed and sealed: write as the tables' owner
        db.session.execute(sa.update(Pool).where(Pool.id == counted.city.id).values(ballot_kind=BallotKind.CUMULATIVE))
    mandate = data.governing(counted.process)
    rows = {row.project.split()[0]: row.vote_result for row in data.comply_or_explain(counted.process, mandate)}
    assert rows["C1"].startswith("Funded by the vote (") and rows["C1"].endswith(" points)")
    assert rows["N1"].endswith(" votes)")
    assert data.budget_annex(counted.process).pools[0].in_points


def test_the_assessment_names_categories_in_its_language(db, ctx, counted):
    from flask_babel import force_locale

    from pb.proposals.models import ProjectCategory

    project = counted.projects[0]
    project.categories = [ProjectCategory(category="culture")]
    db.session.commit()
    assessment = services.assessment_for(counted.process, AssessmentMode.EX_POST)
    with force_locale("el"):
        document = data.assessment_document(assessment, number=1, is_draft=True, prepared_on="2026-11-28")
        text = " ".join(_text(services.draft_pdf(assessment, translate=gettext, locale="el")).split())
    assert document.group_labels["culture"] == "Πολιτισμός"
    assert "Πολιτισμός" in text
