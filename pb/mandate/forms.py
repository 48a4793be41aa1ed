"""Forms of the mandate area; they check shape only and hand plain values to the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from pb.core.forms import WholeNumberField
from pb.core.money import to_major
from pb.mandate.labels import (
    CHARACTER_LABELS,
    EXPENDITURE_LABELS,
    FIELD_LABELS,
    OUTCOME_LABELS,
    WINNER_FAILS_LABELS,
)
from pb.mandate.models import DecisionOutcome, MandateCharacter
from pb.mandate.terms import TERMS

TEXT_MAX = 5000
# Far above any municipal budget, below what a BigInteger of minor units holds.
MAX_DECISION_COST = Decimal(1000000000000)
L = FIELD_LABELS


def _choices(labels: dict, blank: Any = None) -> list[SelectChoice]:
    options = [SelectChoice(getattr(value, "value", value), label) for value, label in labels.items()]
    return ([SelectChoice("", blank)] if blank else []) + options


def _line(name: str, max_length: int, description: Any = None) -> StringField:
    return StringField(L[name], description=description, validators=[Optional(), Length(max=max_length)])


def _text(name: str, description: Any = None) -> TextAreaField:
    return TextAreaField(L[name], description=description, validators=[Optional(), Length(max=TEXT_MAX)])


def _count(name: str, description: Any = None) -> WholeNumberField:
    return WholeNumberField(L[name], description=description,
                        validators=[Optional(), NumberRange(min=0, max=10_000_000,
                                                            message=_l("Enter a whole number, zero or more."))])


@dataclass(frozen=True)
class MandateInput:
    """A mandate version as typed; money in ``terms`` is a Decimal of whole units of the currency."""

    character: MandateCharacter
    basis_instrument: str = ""
    basis_title: str = ""
    basis_number: str = ""
    basis_article: str = ""
    basis_date: dt.date | None = None
    basis_journal: str = ""
    basis_url: str = ""
    enabling_decision: str = ""
    decision_body: str = ""
    bound_party: str = ""
    obligation: str = ""
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    terms: dict[str, Any] = field(default_factory=dict)


# The mandate columns the form edits (the terms are the keys of pb.mandate.terms.TERMS).
COLUMNS = ("character", "basis_instrument", "basis_title", "basis_number", "basis_article", "basis_date",
           "basis_journal", "basis_url", "enabling_decision", "decision_body", "bound_party", "obligation",
           "effective_from", "effective_until")


class MandateForm(FlaskForm):
    """Every field of a mandate version, in the order a legal officer reads them."""

    character = SelectField(L["character"], choices=_choices(CHARACTER_LABELS),
                            validators=[InputRequired(message=_l("Choose the character of the vote."))])
    effective_from = DateField(L["effective_from"], validators=[Optional()],
                               description=_l("Left empty, the mandate is in force from the day it is put in force."))
    effective_until = DateField(L["effective_until"], validators=[Optional()])
    basis_instrument = _line("basis_instrument", 120, _l("For example: law, act, city charter, council decision."))
    basis_title = _line("basis_title", 500)
    basis_number = _line("basis_number", 80)
    basis_article = _line("basis_article", 80)
    basis_date = DateField(L["basis_date"], validators=[Optional()])
    basis_journal = _line("basis_journal", 200)
    basis_url = StringField(L["basis_url"], description=_l("Residents follow this link to read the text."),
                            validators=[Optional(), Length(max=500),
                                        URL(require_tld=False, message=_l("Enter a full address (https://…)."))])
    enabling_decision = _line("enabling_decision", 500,
                              _l("The council decision that starts this process, with its number and date."))
    decision_body = _line("decision_body", 200)
    bound_party = _line("bound_party", 200)
    obligation = _text("obligation")
    budget_amount = DecimalField(L["budget_amount"], places=2,
                                 description=_l("In whole units of the currency, e.g. 150000."),
                                 validators=[Optional(), NumberRange(min=0, max=Decimal(1000000000000))])
    budget_fiscal_year = WholeNumberField(L["budget_fiscal_year"], validators=[Optional(), NumberRange(min=2000, max=2200)])
    budget_line = _line("budget_line", 200)
    expenditure = SelectField(L["expenditure"], choices=_choices(EXPENDITURE_LABELS, _l("Not stated")))
    pools_note = _text("pools_note", _l("The pools of the process are listed on the mandate's page."))
    eligibility = _text("eligibility")
    screening_criteria = _text("screening_criteria")
    appeal_procedure = _text("appeal_procedure")
    support_signatures = _count("support_signatures", _l("Enter 0 when proposals need no signatures."))
    feasibility_veto = BooleanField(L["feasibility_veto"])
    legal_compliance = BooleanField(L["legal_compliance"])
    substantial_changes_allowed = BooleanField(L["substantial_changes_allowed"])
    winner_fails = SelectField(L["winner_fails"], choices=_choices(WINNER_FAILS_LABELS, _l("Not stated")))
    justification_days = _count("justification_days")
    justification_published = _line("justification_published", 500,
                                     _l("A page or gazette residents can find, e.g. the municipality's website."))
    delivering_department = _line("delivering_department", 200)
    delivery_months = _count("delivery_months", _l("Adopted projects still under way after this are shown as "
                                                   "overdue. Left empty, no deadline applies."))
    complaints_channel = _line("complaints_channel", 500)
    supervisory_authority = _line("supervisory_authority", 200)

    def to_input(self) -> MandateInput:
        """The version as a plain value."""
        def value(name: str) -> Any:
            f = getattr(self, name)
            return (f.data or "").strip() if isinstance(f, StringField | TextAreaField) else f.data

        return MandateInput(character=MandateCharacter(self.character.data),
                            **{name: value(name) for name in COLUMNS[1:]}, terms={key: value(key) for key in TERMS})

    @staticmethod
    def data_of(mandate: Any, currency: str) -> dict[str, Any]:
        """A version's values as the form shows them: money in whole units of the currency."""
        data = {name: getattr(mandate, name) for name in COLUMNS}
        data["character"] = mandate.character.value
        data.update(mandate.terms)
        if mandate.terms.get("budget_amount") is not None:
            data["budget_amount"] = to_major(mandate.terms["budget_amount"], currency)
        return data


class StartForm(FlaskForm):
    """Start the first version of a process's mandate, from a jurisdiction preset or from nothing."""

    preset = SelectField(_l("Start from"), validators=[Optional()])


class StepForm(FlaskForm):
    """A workflow step; the text is the opinion when signing and the reason when amending."""

    text = TextAreaField(_l("Text"), validators=[Optional(), Length(max=TEXT_MAX)])
    # The content hash of the version as the page showed it: a signature binds that version, not a later edit.
    reviewed = HiddenField(validators=[Optional(), Length(max=64)])


END_REASON_MISSING = _l("Give the reason for ending the mandate; it is kept in the audit log.")


class EndForm(FlaskForm):
    """End the mandate in force: a reason for the audit log and an explicit confirmation, both required."""

    reason = TextAreaField(_l("Why the mandate ends"), validators=[DataRequired(message=END_REASON_MISSING),
                                                                  Length(max=TEXT_MAX)],
                           description=_l("For example: the council withdrew the process (resolution 77/2026). "
                                          "Kept in the audit log."))
    understood = BooleanField(
        _l("I understand: from now on this mandate no longer governs the process, voting cannot open or go on "
           "until a new version is signed and put in force, and this cannot be undone."),
        validators=[InputRequired(message=_l("Tick the box to confirm."))])


@dataclass(frozen=True)
class DecisionInput:
    """The council's decision on one winning project."""

    outcome: DecisionOutcome
    decided_on: dt.date
    reason: str = ""
    legal_ground: str = ""
    decision_number: str = ""
    adopted_cost: Decimal | None = None
    """With "adopted with changes": the cost the council adopted, in whole units of the currency."""
    correction_reason: str = ""
    """When a recorded decision is corrected: why (kept with the earlier decision)."""


class DecisionForm(FlaskForm):
    """A clerk records the council's decision on a winning project."""

    outcome = SelectField(_l("Council's decision"), choices=_choices(OUTCOME_LABELS),
                          validators=[InputRequired(message=_l("Choose the council's decision."))])
    reason = TextAreaField(_l("Reason"), description=_l("Public: residents read why the council decided so."),
                           validators=[Optional(), Length(max=TEXT_MAX)])
    legal_ground = StringField(_l("Legal ground"), validators=[Optional(), Length(max=500)])
    decision_number = StringField(_l("Decision number"), validators=[Optional(), Length(max=80)])
    decided_on = DateField(_l("Date of the decision"),
                           validators=[DataRequired(message=_l("Give the date of the council's decision."))])
    adopted_cost = DecimalField(
        _l("Adopted cost"), places=2,
        description=_l("With “Adopted with changes”: the cost the council adopted, in whole units of the currency, "
                       "e.g. 12500.50. The annex funds this amount."),
        validators=[Optional(), NumberRange(min=0, max=MAX_DECISION_COST,
                                            message=_l("Enter a cost between 0 and 1,000,000,000,000."))])
    correction_reason = TextAreaField(
        _l("Why is the decision corrected?"),
        description=_l("Only when you change a decision already recorded: the earlier one stays in its history."),
        validators=[Optional(), Length(max=TEXT_MAX)])

    def to_input(self) -> DecisionInput:
        """The decision as a plain value."""
        def text(name: str) -> str:
            return (getattr(self, name).data or "").strip()

        return DecisionInput(outcome=DecisionOutcome(self.outcome.data), decided_on=self.decided_on.data,
                             reason=text("reason"), legal_ground=text("legal_ground"),
                             decision_number=text("decision_number"), adopted_cost=self.adopted_cost.data,
                             correction_reason=text("correction_reason"))
