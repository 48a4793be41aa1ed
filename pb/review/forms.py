"""Forms of the review area; they check shape only and hand plain values to the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pb.proposals.models import AppealOutcome, Feasibility

FEASIBILITY_LABELS = {
    Feasibility.FEASIBLE.value: _l("Feasible"),
    Feasibility.UNFEASIBLE.value: _l("Not feasible"),
    Feasibility.NEEDS_CHANGES.value: _l("Needs changes"),
}

OUTCOME_LABELS = {
    AppealOutcome.UPHELD.value: _l("Upheld: the project is feasible and goes on the ballot"),
    AppealOutcome.REJECTED.value: _l("Rejected: the review stands"),
}

# Far above any municipal budget, below what a BigInteger of minor units holds.
MAX_COST = Decimal(1000000000000)
TEXT_MAX = 5000


@dataclass(frozen=True)
class ReviewInput:
    """What a reviewer decided about a project; the revised cost is in whole units of the currency."""

    feasibility: Feasibility
    legally_compliant: bool
    legal_note: str = ""
    revised_cost: Decimal | None = None
    cost_explanation: str = ""
    public_reason: str = ""
    internal_note: str = ""
    revise_by: dt.date | None = None
    """With "needs changes": the last day on which the author may revise the project."""


class ReviewForm(FlaskForm):
    """A reviewer's feasibility and legal check of a project."""

    feasibility = SelectField(_l("Feasibility"), choices=[SelectChoice(v, label) for v, label in FEASIBILITY_LABELS.items()],
                              validators=[InputRequired(message=_l("Choose whether the project is feasible."))])
    legally_compliant = SelectField(_l("Legally compliant"), choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
                                    validators=[InputRequired(message=_l("Say whether the project is lawful."))])
    legal_note = TextAreaField(_l("Note on legal compliance"), validators=[Optional(), Length(max=TEXT_MAX)])
    revised_cost = DecimalField(
        _l("Revised cost"), places=2,
        description=_l("Leave empty to keep the author's estimate. In whole units of the currency, e.g. 12500.50."),
        validators=[Optional(),
                    NumberRange(min=0, max=MAX_COST, message=_l("Enter a cost between 0 and 1,000,000,000,000."))],
    )
    cost_explanation = TextAreaField(_l("Explanation of the revised cost"),
                                     description=_l("Required when you revise the cost; shown to residents."),
                                     validators=[Optional(), Length(max=TEXT_MAX)])
    public_reason = TextAreaField(_l("Public reason"),
                                  description=_l("Shown to residents; required when the project is not feasible "
                                                 "or needs changes."),
                                  validators=[Optional(), Length(max=TEXT_MAX)])
    internal_note = TextAreaField(_l("Internal note"), description=_l("Seen by staff only."),
                                  validators=[Optional(), Length(max=TEXT_MAX)])
    revise_by = DateField(_l("The author may revise until"),
                          description=_l("Required when the project needs changes: the last day (in the "
                                         "municipality's time) on which its authors may change it, before the vote."),
                          validators=[Optional()])

    def to_input(self) -> ReviewInput:
        """The decision as a plain value."""
        return ReviewInput(
            feasibility=Feasibility(self.feasibility.data),
            legally_compliant=self.legally_compliant.data == "yes",
            legal_note=(self.legal_note.data or "").strip(),
            revised_cost=self.revised_cost.data,
            cost_explanation=(self.cost_explanation.data or "").strip(),
            public_reason=(self.public_reason.data or "").strip(),
            internal_note=(self.internal_note.data or "").strip(),
            revise_by=self.revise_by.data,
        )


class AssignForm(FlaskForm):
    """A clerk picks a reviewer; the view fills in the staff accounts to choose from."""

    reviewer = SelectField(_l("Reviewer"), coerce=int,
                           validators=[InputRequired(message=_l("Choose a reviewer."))])


class UnassignForm(FlaskForm):
    """The button that removes a reviewer from a project (a POST, with CSRF)."""


class AppealForm(FlaskForm):
    """An author's appeal against a review outcome."""

    text = TextAreaField(_l("Your appeal"),
                         description=_l("Say why the review should be reconsidered."),
                         validators=[DataRequired(message=_l("Write the reasons for your appeal.")),
                                     Length(max=TEXT_MAX)])


class AnswerForm(FlaskForm):
    """A clerk's answer to an appeal."""

    outcome = SelectField(_l("Decision"), choices=[SelectChoice(v, label) for v, label in OUTCOME_LABELS.items()],
                          validators=[InputRequired(message=_l("Choose a decision."))])
    answer = TextAreaField(_l("Answer"), description=_l("Public: the author and residents read it."),
                           validators=[DataRequired(message=_l("Write the answer to the appeal.")),
                                       Length(max=TEXT_MAX)])
