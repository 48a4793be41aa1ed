"""The mandate's workflow and the council's decisions after the vote, with the rules the law puts on them.

Lifecycle of a version (guarded; each refusal raises InvalidTransition with a message for a legal officer):

    draft --submit--> legal_review --sign (legal officer, opinion)--> signed --put in force--> in_force
    legal_review --send back--> draft        in_force --expire--> expired
    signed | in_force --(a newer version is put in force)--> superseded

A signed version never changes: an amendment is a new draft version with a reason, compared field by field
with the one it amends. Services flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from pb.accounts.models import User
from pb.accounts.permissions import check_works_in
from pb.audit.services import changes, record
from pb.core.db import utcnow
from pb.core.i18n import paper_locale
from pb.core.money import minor_units
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.extensions import db
from pb.mandate import funding, queries
from pb.mandate.checks import BINDING, ERROR, Finding, general_findings, preset_findings
from pb.mandate.forms import COLUMNS, END_REASON_MISSING, DecisionInput, MandateInput
from pb.mandate.labels import field_label, outcome_label
from pb.mandate.models import (
    CouncilDecision,
    CouncilDecisionRevision,
    DecisionOutcome,
    Mandate,
    MandateCharacter,
    MandateStatus,
)
from pb.mandate.permissions import (
    can_draft_mandates,
    can_put_mandates_in_force,
    can_record_decisions,
    can_sign_mandates,
)
from pb.mandate.presets import preset
from pb.mandate.terms import TERMS, clean_terms, empty_terms
from pb.processes.models import Pool, Process
from pb.proposals.models import Project

S = MandateStatus
EDITABLE = (S.DRAFT, S.LEGAL_REVIEW)
AMENDABLE = (S.SIGNED, S.IN_FORCE, S.EXPIRED)
# What a version carries to its amendment; the workflow fields (status, signature ...) start afresh.
CARRIED = (*COLUMNS, "preset", "preset_version", "preset_sha256", "four_eyes")
WORKFLOW_FIELDS = ["status", "signed_by_id", "signed_at", "effective_from", "effective_until"]
DECISION_FIELDS = ["outcome", "reason", "legal_ground", "decision_number", "decided_on", "adopted_cost",
                   "replaces_project_id", "mandate_id"]


def _process(mandate: Mandate) -> Process:
    return db.session.get(Process, mandate.process_id)


def _snapshot(mandate: Mandate) -> dict[str, Any]:
    return changes(mandate, [*COLUMNS, "terms", "status"])


def content_hash(mandate: Mandate) -> str:
    """SHA-256 of everything a version says (its fields and terms): what a legal officer's signature binds."""
    content = {key: value for key, value in _snapshot(mandate).items() if key != "status"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


def _require_editable(mandate: Mandate) -> None:
    if mandate.status not in EDITABLE:
        raise InvalidTransition(_("Version %(version)s is signed and can no longer change. Amend it: the amendment "
                                  "becomes a new version, and this one stays as it was signed.",
                                  version=mandate.version))


def findings(mandate: Mandate) -> list[Finding]:
    """Every check of the version: those of every mandate, then those of its preset."""
    process = _process(mandate)
    found = general_findings(mandate, process)
    chosen = preset(mandate.preset)
    if chosen is not None:
        found += preset_findings(mandate, process, chosen)
    return found


def start_mandate(actor: User, process: Process, preset_key: str | None = None) -> Mandate:
    """Start the first version of a process's mandate, filled in from a jurisdiction preset if one is named."""
    if not can_draft_mandates(actor):
        raise NotAllowed(_("Only clerks and legal officers can draft a mandate."))
    check_works_in(actor, process.municipality_id)
    if queries.versions(process):
        raise InvalidTransition(_("This process already has a mandate: edit its draft, or amend its signed version."))
    mandate = Mandate(process_id=process.id, version=1, status=S.DRAFT, character=MandateCharacter.ADVISORY,
                      terms=empty_terms(), created_by_id=actor.id)
    if preset_key:
        chosen = preset(preset_key)
        if chosen is None:
            raise ValidationError("preset", _("There is no preset “%(name)s”.", name=preset_key))
        mandate.character = chosen.character
        # In the municipality's main language, as its papers are: a Greek council reads Greek.
        for name, value in chosen.fields_for(paper_locale(process.municipality.languages)).items():
            setattr(mandate, name, value)
        mandate.terms = {**empty_terms(), **{k: v for k, v in chosen.terms.items() if v not in (None, "")}}
        mandate.preset, mandate.preset_version, mandate.preset_sha256 = chosen.key, chosen.version, chosen.sha256
        mandate.four_eyes = chosen.four_eyes
    db.session.add(mandate)
    db.session.flush()
    record(db.session, actor, "mandate.start", "mandate", mandate.id, before=None,
           after={**_snapshot(mandate), "process_id": process.id, "version": 1, "preset": mandate.preset,
                  "preset_version": mandate.preset_version, "preset_sha256": mandate.preset_sha256})
    return mandate


def update_mandate(actor: User, mandate: Mandate, value: MandateInput) -> Mandate:
    """Change a draft or a version in legal review; a signed version refuses."""
    if not can_draft_mandates(actor):
        raise NotAllowed(_("Only clerks and legal officers can edit a mandate."))
    check_works_in(actor, _process(mandate).municipality_id)
    _require_editable(mandate)
    terms = clean_terms(value.terms, _process(mandate).currency)
    before = _snapshot(mandate)
    for item in fields(value):
        if item.name != "terms":
            setattr(mandate, item.name, getattr(value, item.name))
    mandate.terms = terms
    db.session.flush()
    record(db.session, actor, "mandate.update", "mandate", mandate.id, before=before, after=_snapshot(mandate))
    return mandate


def _step(actor: User, mandate: Mandate, action: str, new_status: MandateStatus, **extra: Any) -> Mandate:
    """Move the version to its new status and write the audit event."""
    before = changes(mandate, WORKFLOW_FIELDS)
    mandate.status = new_status
    db.session.flush()
    record(db.session, actor, action, "mandate", mandate.id, before=before,
           after={**changes(mandate, WORKFLOW_FIELDS), **extra})
    return mandate


def submit_for_review(actor: User, mandate: Mandate) -> Mandate:
    """A draft goes to legal review, where a legal officer signs it or sends it back."""
    if not can_draft_mandates(actor):
        raise NotAllowed(_("Only clerks and legal officers can submit a mandate for legal review."))
    check_works_in(actor, _process(mandate).municipality_id)
    if mandate.status is not S.DRAFT:
        raise InvalidTransition(_("Only a draft can be submitted for legal review."))
    return _step(actor, mandate, "mandate.submit", S.LEGAL_REVIEW)


def send_back(actor: User, mandate: Mandate, note: str = "") -> Mandate:
    """A legal officer returns a version in legal review to its drafters, saying why."""
    if not can_put_mandates_in_force(actor):
        raise NotAllowed(_("Only a legal officer can send a mandate back to its drafters."))
    check_works_in(actor, _process(mandate).municipality_id)
    if mandate.status is not S.LEGAL_REVIEW:
        raise InvalidTransition(_("Only a version in legal review can be sent back to draft."))
    return _step(actor, mandate, "mandate.send_back", S.DRAFT, note=note.strip())


def sign_mandate(actor: User, mandate: Mandate, opinion: str, now: dt.datetime | None = None, *,
                 reviewed: str | None = None) -> Mandate:
    """A legal officer signs a version in legal review with an opinion; every check must pass.

    ``reviewed`` is the content hash of the version as the officer's page showed it (``content_hash``): a version
    changed since (a clerk may edit it during the review) is refused, so the signature binds what was read. The
    sign form always sends it; None is for callers that hold the version as it is now (commands, the demo).
    """
    if not can_sign_mandates(actor):
        raise NotAllowed(_("Only a legal officer can sign a mandate."))
    check_works_in(actor, _process(mandate).municipality_id)
    if mandate.status is not S.LEGAL_REVIEW:
        if mandate.status is S.DRAFT:
            raise InvalidTransition(_("This version is still a draft: submit it for legal review before signing."))
        raise InvalidTransition(_("Version %(version)s is already signed.", version=mandate.version))
    if mandate.four_eyes and actor.id in queries.drafters(mandate):
        raise NotAllowed(_("Four eyes: you drafted this version, so another legal officer signs it."))
    signed_content = content_hash(mandate)
    if reviewed is not None and not hmac.compare_digest(reviewed, signed_content):
        raise InvalidTransition(_("Version %(version)s was changed while you were reviewing it. Read it again as it "
                                  "is now, then sign.", version=mandate.version))
    if not opinion.strip():
        raise ValidationError("text", _("Write your legal opinion: it is kept with the signature."))
    found = findings(mandate)
    errors = [f.message for f in found if f.severity == ERROR]
    if errors:
        raise ValidationError(None, _("The mandate cannot be signed yet. %(problems)s", problems=" ".join(errors)))
    mandate.signed_by_id = actor.id
    mandate.signed_at = now or utcnow()
    mandate.opinion = opinion.strip()
    return _step(actor, mandate, "mandate.sign", S.SIGNED, opinion=mandate.opinion,
                 warnings=[f.message for f in found], content_hash=signed_content)


def put_in_force(actor: User, mandate: Mandate, now: dt.datetime | None = None) -> Mandate:
    """A signed version comes into force; the version in force before it is superseded."""
    if not can_put_mandates_in_force(actor):
        raise NotAllowed(_("Only a legal officer can put a mandate in force."))
    check_works_in(actor, _process(mandate).municipality_id)
    if mandate.status is not S.SIGNED:
        raise InvalidTransition(_("Only a signed version can be put in force."))
    process = _process(mandate)
    today = queries.local_today(process, now)
    if mandate.effective_from and mandate.effective_from > today:
        raise InvalidTransition(_("This version comes into force on %(date)s, not before.",
                                  date=format_date(mandate.effective_from, "long")))
    if mandate.effective_until and mandate.effective_until < today:
        raise InvalidTransition(_("This version's period ended on %(date)s: amend it with a new period.",
                                  date=format_date(mandate.effective_until, "long")))
    for older in queries.versions(process):
        if older is not mandate and older.status in (S.SIGNED, S.IN_FORCE):
            _step(actor, older, "mandate.supersede", S.SUPERSEDED, by_version=mandate.version)
    if mandate.effective_from is None:
        mandate.effective_from = today
    return _step(actor, mandate, "mandate.in_force", S.IN_FORCE)


def expire_mandate(actor: User, mandate: Mandate, reason: str) -> Mandate:
    """The version in force ends (its period is over, or the council withdrew the process), for a reason kept in
    the audit log."""
    if not can_put_mandates_in_force(actor):
        raise NotAllowed(_("Only a legal officer can end a mandate."))
    check_works_in(actor, _process(mandate).municipality_id)
    if mandate.status is not S.IN_FORCE:
        raise InvalidTransition(_("Only the version in force can expire."))
    if not reason.strip():
        raise ValidationError("reason", str(END_REASON_MISSING))
    return _step(actor, mandate, "mandate.expire", S.EXPIRED, reason=reason.strip())


def amend_mandate(actor: User, mandate: Mandate, reason: str) -> Mandate:
    """A new draft version copied from a signed one, with the reason; the signed version stays unchanged."""
    if not can_draft_mandates(actor):
        raise NotAllowed(_("Only clerks and legal officers can amend a mandate."))
    check_works_in(actor, _process(mandate).municipality_id)
    if mandate.status not in AMENDABLE:
        raise InvalidTransition(_("Only a signed version can be amended; a draft is edited directly."))
    newest = queries.versions(_process(mandate))[0]
    if newest is not mandate:
        raise InvalidTransition(_("Version %(version)s is newer: amend or edit that one.", version=newest.version))
    if not reason.strip():
        raise ValidationError("text", _("Say why the mandate is amended: the reason is kept with the new version."))
    amendment = Mandate(process_id=mandate.process_id, version=mandate.version + 1, status=S.DRAFT,
                        amendment_reason=reason.strip(), created_by_id=actor.id, terms=dict(mandate.terms),
                        **{name: getattr(mandate, name) for name in CARRIED})
    db.session.add(amendment)
    db.session.flush()
    record(db.session, actor, "mandate.amend", "mandate", amendment.id, before={"version": mandate.version},
           after={"version": amendment.version, "reason": amendment.amendment_reason})
    return amendment


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between two versions."""

    field: str
    label: str
    before: Any
    after: Any


def diff_versions(old: Mandate, new: Mandate) -> list[FieldChange]:
    """The fields that differ between two versions, in the order of the form, with their labels."""
    changed = []
    for name in COLUMNS:
        if getattr(old, name) != getattr(new, name):
            changed.append(FieldChange(name, field_label(name), getattr(old, name), getattr(new, name)))
    for key in TERMS:
        if old.terms.get(key) != new.terms.get(key):
            changed.append(FieldChange(key, field_label(key), old.terms.get(key), new.terms.get(key)))
    return changed


def require_mandate_in_force(process: Process, now: dt.datetime | None = None) -> Mandate:
    """The version in force; raises InvalidTransition, saying what is missing, when voting may not open."""
    found = queries.mandate_in_force(process, now)
    if found is not None:
        return found
    newest = queries.versions(process)
    if not newest:
        raise InvalidTransition(_("Voting cannot open: this process has no mandate yet. A legal officer must record "
                                  "whether the vote is binding or advisory, sign it and put it in force."))
    if newest[0].status in (S.DRAFT, S.LEGAL_REVIEW, S.SIGNED):
        raise InvalidTransition(_("Voting cannot open: the mandate of this process is not in force yet (version "
                                  "%(version)s must be signed by a legal officer and put in force).",
                                  version=newest[0].version))
    raise InvalidTransition(_("Voting cannot open: the mandate of this process is no longer in force. Amend it "
                              "with a new period."))


def reason_required(mandate: Mandate, outcome: DecisionOutcome) -> bool:
    """Comply or explain: under an advisory mandate every decision has reasons; under a binding one every
    deviation from simply adopting the winner."""
    return mandate.character not in BINDING or outcome is not DecisionOutcome.ADOPTED


def _decision_cost(value: DecisionInput, process: Process, project: Project) -> int | None:
    """The adopted cost in minor units: required with "adopted with changes", refused with any other outcome."""
    if value.outcome is not DecisionOutcome.ADOPTED_WITH_CHANGES:
        if value.adopted_cost is not None:
            raise ValidationError("adopted_cost", _("An adopted cost goes with “Adopted with changes” only: leave "
                                                    "it empty for this decision."))
        return None
    if value.adopted_cost is None:
        raise ValidationError("adopted_cost", _("Give the cost the council adopted: the annex funds that amount."))
    scaled = value.adopted_cost * minor_units(process.currency)
    if scaled != scaled.to_integral_value():
        raise ValidationError("adopted_cost", _("The cost has more decimals than the currency %(currency)s has.",
                                                currency=process.currency))
    if scaled <= 0:
        raise ValidationError("adopted_cost", _("The adopted cost is more than zero; a project the council does not "
                                                "fund is rejected or deferred."))
    pool = db.session.get(Pool, project.pool_id) if project.pool_id else None
    if pool is not None and scaled > pool.amount:
        raise ValidationError("adopted_cost", _("The adopted cost is more than the whole pool “%(pool)s” holds.",
                                                pool=pool.name))
    return int(scaled)


def _check_date(value: DecisionInput, process: Process, now: dt.datetime | None) -> None:
    """A decision is dated between the day the edition was created and today, where the municipality is."""
    if value.decided_on > queries.local_today(process, now):
        raise ValidationError("decided_on", _("The date of the decision cannot be in the future."))
    # An edition imported after the fact (a past vote from Pabulib) existed from its first phase, not its import.
    began = min([process.created_at, *(phase.starts_at for phase in process.phases)])
    created = queries.local_today(process, began)
    if value.decided_on < created:
        raise ValidationError("decided_on", _("The date of the decision is before this edition existed (%(date)s).",
                                              date=format_date(created, "long")))


def _replaced_winner(process: Process, mandate: Mandate, project: Project) -> Project | None:
    """For a project that did not win: the winner it would be funded in place of, when the mandate's "next ranked"
    rule puts it before the council (or a decision on it already says so); else InvalidTransition."""
    earlier = db.session.execute(
        sa.select(CouncilDecision).where(CouncilDecision.project_id == project.id)).scalar_one_or_none()
    if earlier is not None and earlier.replaces_project_id is not None:
        return db.session.get(Project, earlier.replaces_project_id)
    proposal = next((p for p in funding.replacement_proposals(process, mandate) if p.project.id == project.id), None)
    if proposal is None:
        raise InvalidTransition(_("This project did not win the vote: the council's decisions here are about the "
                                  "winning projects, and about the next ranked projects the mandate funds instead "
                                  "of a winner the council did not adopt."))
    return proposal.replaces


def record_decision(actor: User, project: Project, value: DecisionInput, now: dt.datetime | None = None
                    ) -> CouncilDecision:
    """Record (or correct, saying why) the council's decision on a winning project, or on the next ranked project
    the mandate funds in place of one, with what the mandate requires. A correction keeps the earlier decision."""
    if not can_record_decisions(actor):
        raise NotAllowed(_("Only a clerk can record the council's decisions."))
    check_works_in(actor, db.session.get(Process, project.process_id).municipality_id)
    process = db.session.get(Process, project.process_id)
    if process.vote_closed_at is None:
        raise InvalidTransition(_("The vote has not been counted yet: the council decides on its winners after it."))
    mandate = queries.governing_mandate(process)
    if mandate is None:
        if not queries.is_winner(project):
            raise InvalidTransition(_("This project did not win the vote: the council's decisions here are about "
                                      "the winning projects."))
        raise InvalidTransition(_("This process never had a mandate in force, so there is nothing the council's "
                                  "decision can answer to."))
    replaces = None if queries.is_winner(project) else _replaced_winner(process, mandate, project)
    if reason_required(mandate, value.outcome) and not value.reason.strip():
        if mandate.character in BINDING:
            raise ValidationError("reason", _("The vote is binding: give the reason why the council did not simply "
                                              "adopt this winning project."))
        raise ValidationError("reason", _("The vote is advisory: the council owes residents a reason for its "
                                          "decision on every winning project."))
    if (mandate.character in BINDING and value.outcome is DecisionOutcome.REJECTED
            and not value.legal_ground.strip()):
        raise ValidationError("legal_ground", _("The vote is binding: the council may reject a winning project only "
                                                "on a legal ground. Name it."))
    _check_date(value, process, now)
    adopted_cost = _decision_cost(value, process, project)
    decision = db.session.execute(
        sa.select(CouncilDecision).where(CouncilDecision.project_id == project.id)).scalar_one_or_none()
    before = changes(decision, DECISION_FIELDS) if decision else None
    wanted = {"outcome": value.outcome, "reason": value.reason.strip(), "legal_ground": value.legal_ground.strip(),
              "decision_number": value.decision_number.strip(), "decided_on": value.decided_on,
              "adopted_cost": adopted_cost}
    if decision is not None:
        if all(getattr(decision, name) == wanted[name] for name in wanted):
            return decision
        if not value.correction_reason.strip():
            raise ValidationError("correction_reason", _(
                "A decision is already recorded for this project (%(outcome)s, %(date)s). Say why it is corrected: "
                "the earlier decision stays in its history.", outcome=outcome_label(decision.outcome),
                date=format_date(decision.decided_on, "long")))
        db.session.add(CouncilDecisionRevision(
            decision_id=decision.id, outcome=decision.outcome, reason=decision.reason,
            legal_ground=decision.legal_ground, decision_number=decision.decision_number,
            decided_on=decision.decided_on, adopted_cost=decision.adopted_cost,
            recorded_by_id=decision.recorded_by_id, recorded_at=decision.recorded_at,
            correction_reason=value.correction_reason.strip(), corrected_by_id=actor.id,
            corrected_at=now or utcnow()))
    if decision is None:
        decision = CouncilDecision(process_id=process.id, project_id=project.id)
        db.session.add(decision)
    decision.mandate_id = mandate.id
    for name, figure in wanted.items():
        setattr(decision, name, figure)
    decision.replaces_project_id = replaces.id if replaces is not None else None
    decision.recorded_by_id = actor.id
    decision.recorded_at = now or utcnow()
    db.session.flush()
    after = changes(decision, DECISION_FIELDS)
    if before is not None:
        after["correction_reason"] = value.correction_reason.strip()
    record(db.session, actor, "decision.record", "project", project.id, before=before, after=after)
    return decision


def decision_history(decision: CouncilDecision) -> list[CouncilDecisionRevision]:
    """The earlier versions of a decision, newest first."""
    return list(db.session.scalars(
        sa.select(CouncilDecisionRevision).where(CouncilDecisionRevision.decision_id == decision.id)
        .order_by(CouncilDecisionRevision.corrected_at.desc(), CouncilDecisionRevision.id.desc())))


def annex_blockers(process: Process) -> list[str]:
    """Why the budget annex of the process cannot be finalised yet; empty when it can."""
    result = queries.outcome(process)
    if result.mandate is None:
        return [_("The process has no mandate that was ever in force.")]
    if process.vote_closed_at is None:
        return [_("The vote has not been counted yet.")]
    blockers = []
    for project, decision in result.rows:
        if decision is None:
            blockers.append(_("No council decision is recorded for the winning project “%(title)s”.",
                              title=project.title))
        elif reason_required(result.mandate, decision.outcome) and not decision.reason.strip():
            blockers.append(_("The council's decision on “%(title)s” deviates from the vote without a reason.",
                              title=project.title))
    for proposal in funding.replacement_proposals(process, result.mandate):
        blockers.append(_("The mandate funds the next ranked project in place of “%(failed)s”: record the council's "
                          "decision on “%(title)s”.", failed=proposal.replaces.title, title=proposal.project.title))
    return blockers
