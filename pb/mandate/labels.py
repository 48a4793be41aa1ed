"""What people read for the mandate's characters, statuses, fields and the council's decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pb.core.money import format_money
from pb.mandate.models import DecisionOutcome, Mandate, MandateCharacter, MandateStatus
from pb.processes.labels import BALLOT_KIND_LABELS

CHARACTER_LABELS = {
    MandateCharacter.BINDING_STATUTE: _l("Binding by statute"),
    MandateCharacter.BINDING_SELF_COMMITMENT: _l("Binding by the council's own commitment"),
    MandateCharacter.ADVISORY: _l("Advisory"),
}

STATUS_LABELS = {
    MandateStatus.DRAFT: _l("Draft"),
    MandateStatus.LEGAL_REVIEW: _l("In legal review"),
    MandateStatus.SIGNED: _l("Signed, not yet in force"),
    MandateStatus.IN_FORCE: _l("In force"),
    MandateStatus.EXPIRED: _l("Expired"),
    MandateStatus.SUPERSEDED: _l("Superseded by a newer version"),
}

OUTCOME_LABELS = {
    DecisionOutcome.ADOPTED: _l("Adopted"),
    DecisionOutcome.ADOPTED_WITH_CHANGES: _l("Adopted with changes"),
    DecisionOutcome.REJECTED: _l("Rejected"),
    DecisionOutcome.INFEASIBLE: _l("Found infeasible"),
    DecisionOutcome.DEFERRED: _l("Deferred"),
}

WINNER_FAILS_LABELS = {
    "next_ranked": _l("The next project in the ranking that fits the budget is funded instead"),
    "back_to_pool": _l("Its money goes back to the pool and is shared out again"),
}

EXPENDITURE_LABELS = {
    "capital": _l("Capital (investment)"),
    "operating": _l("Operating"),
    "both": _l("Capital and operating"),
}

# Every field of a mandate version, the columns and the terms alike, in the order of the form.
FIELD_LABELS = {
    "character": _l("Character of the vote"),
    "effective_from": _l("In force from"),
    "effective_until": _l("In force until"),
    "basis_instrument": _l("Type of instrument"),
    "basis_title": _l("Title"),
    "basis_number": _l("Number"),
    "basis_article": _l("Article"),
    "basis_date": _l("Date of the instrument"),
    "basis_journal": _l("Official journal reference"),
    "basis_url": _l("Link to the text"),
    "enabling_decision": _l("Enabling council decision"),
    "decision_body": _l("Body that decides after the vote"),
    "bound_party": _l("Party bound by the vote"),
    "obligation": _l("Its obligation"),
    "budget_amount": _l("Amount authorised"),
    "budget_fiscal_year": _l("Fiscal year"),
    "budget_line": _l("Budget line"),
    "expenditure": _l("Kind of expenditure"),
    "pools_note": _l("How the pools divide the budget"),
    "eligibility": _l("Who may take part"),
    "screening_criteria": _l("Screening criteria before the vote"),
    "appeal_procedure": _l("Appeal procedure"),
    "support_signatures": _l("Signatures a proposal needs"),
    "feasibility_veto": _l("The council may set aside a winning project that proves infeasible"),
    "legal_compliance": _l("Winning projects must comply with the law"),
    "substantial_changes_allowed": _l("Winning projects may be changed substantially"),
    "winner_fails": _l("When a winning project fails"),
    "justification_days": _l("Deadline for the reasoned response (days after the vote)"),
    "justification_published": _l("Where the reasoned response is published"),
    "delivering_department": _l("Department delivering the projects"),
    "delivery_months": _l("Delivery deadline (months after the end of the fiscal year)"),
    "complaints_channel": _l("Where complaints go"),
    "supervisory_authority": _l("Supervisory authority"),
}

# The fields grouped as the form and the version page show them.
SECTIONS = [
    (_l("Character and period"), ["character", "effective_from", "effective_until"]),
    (_l("Legal basis"), ["basis_instrument", "basis_title", "basis_number", "basis_article", "basis_date",
                         "basis_journal", "basis_url", "enabling_decision"]),
    (_l("Who decides and who is bound"), ["decision_body", "bound_party", "obligation"]),
    (_l("Budget authorisation"), ["budget_amount", "budget_fiscal_year", "budget_line", "expenditure", "pools_note"]),
    (_l("Before the vote"), ["eligibility", "screening_criteria", "appeal_procedure", "support_signatures"]),
    (_l("After the vote"), ["feasibility_veto", "legal_compliance", "substantial_changes_allowed", "winner_fails",
                            "justification_days", "justification_published"]),
    (_l("Accountability"), ["delivering_department", "delivery_months", "complaints_channel", "supervisory_authority"]),
]


def character_label(character: MandateCharacter) -> str:
    """The character of a mandate in the user's language."""
    return str(CHARACTER_LABELS[character])


def status_label(status: MandateStatus) -> str:
    """The status of a mandate version in the user's language."""
    return str(STATUS_LABELS[status])


def field_label(name: str) -> str:
    """The label of a mandate field in the user's language."""
    return str(FIELD_LABELS.get(name, name))


def outcome_label(outcome: DecisionOutcome) -> str:
    """The council's decision in the user's language."""
    return str(OUTCOME_LABELS[outcome])


def value_of(mandate: Mandate, name: str) -> Any:
    """A field of a version, whether a column or one of its terms."""
    return getattr(mandate, name) if hasattr(Mandate, name) else mandate.terms.get(name)


def display_value(name: str, value: Any, currency: str) -> str:
    """A field's value as a reader sees it: labels for choices, money and dates in the user's language."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "character":
        return character_label(MandateCharacter(value))
    if name in ("winner_fails", "expenditure"):
        return str({**WINNER_FAILS_LABELS, **EXPENDITURE_LABELS}.get(value, value))
    if name == "budget_amount":
        return format_money(value, currency, str(get_locale() or "en"))
    if isinstance(value, dt.date):
        return format_date(value, "long")
    return str(value)


def ballot_kind_label(kind: Any) -> str:
    """How residents fill in a pool's ballot: read from the pool, never typed into the mandate."""
    return str(BALLOT_KIND_LABELS.get(kind, kind))
