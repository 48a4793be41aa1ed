"""Forms of the report pages; they check shape only and hand plain values to the services."""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, FloatField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from pb.core.forms import WholeNumberField
from pb.reports.accessibility import ContactInput
from pb.reports.metrics import Thresholds
from pb.reports.mitigation import ActionInput, RiskInput

#: The written sections of an assessment with their labels and hints, in the order of the document.
SECTION_FIELDS = (
    ("scope", _l("Scope"), _l("What the assessment covers: the process, its pools, the population and the period.")),
    ("accessibility", _l("Accessibility statement"),
     _l("Conformance with WCAG 2.1 AA / EN 301 549 of the online ballot and the pages, and known gaps.")),
    ("expected_reach", _l("Expected reach"), _l("Ex ante: whom the process expects to reach, and how many.")),
    ("engagement", _l("Engagement"), _l("Who was reached and how: outreach, meetings, languages, help to vote.")),
    ("impact", _l("Impact per group"), _l("The impact on each group, read from the figures.")),
    ("mitigation", _l("Mitigation and action plan"), _l("What will change, who does it, by when.")),
    ("decision", _l("Decision and reasons"), _l("What the municipality decided in the light of the assessment.")),
    ("monitoring", _l("Monitoring"), _l("How and when the effects will be checked again.")),
)


class SectionsForm(FlaskForm):
    """The sections of an assessment that people write (one text area each, added below)."""

    def sections(self) -> dict[str, str]:
        """The sections as typed."""
        return {name: getattr(self, name).data or "" for name, _label, _hint in SECTION_FIELDS}


for _name, _label, _hint in SECTION_FIELDS:
    setattr(SectionsForm, _name, TextAreaField(_label, description=_hint, validators=[Length(max=20_000)]))


class CensusForm(FlaskForm):
    """Upload the census table as CSV, with its source and date."""

    file = FileField(_l("Census file (CSV)"), validators=[DataRequired(message=_l("Choose the census file."))],
                     description=_l("Columns district, age_band, sex, population and eligible, with their names "
                                    "in the first line; one group per line; comma or semicolon; UTF-8."))
    source = StringField(_l("Source"), validators=[DataRequired(message=_l("Say where the figures come from.")),
                                                   Length(max=300)],
                         description=_l("E.g. the statistical office and the name of the census."))
    as_of = DateField(_l("Date of the figures"), validators=[DataRequired(message=_l("Give the date of the figures."))])


class ConfirmForm(FlaskForm):
    """A button that changes something (generate, publish, finalise): only the CSRF token."""


class FinaliseForm(FlaskForm):
    """Finalise the annex; from the second version on, with the reason for a new one."""

    reason = TextAreaField(_l("Why a new version?"),
                           description=_l("Required when an annex was already finalised: the council reads why this "
                                          "version replaces the one before."),
                           validators=[Optional(), Length(max=5000)])


class _NumberField(FloatField):
    """A decimal number typed with a point or a comma (0.75 or 0,75), refused with a message in the user's
    language when it is not one; NaN and infinities are not numbers here."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is None or not math.isfinite(number):
            self.data = None
            raise ValueError(_l("Enter a number, e.g. 0.75.")) from None
        self.data = number


class _WholeNumberField(WholeNumberField):
    """A whole number, refused with a message in the user's language when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number of voters, e.g. 10.")) from None


def _number(label, hint):
    return _NumberField(label, description=hint, validators=[InputRequired(message=_l("Enter a number."))],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})


class ThresholdsForm(FlaskForm):
    """A municipality's thresholds for the assessment flags; the service checks that they make sense."""

    representation_green_low = _number(_l("Representation index: green from"),
                                       _l("A group is green when its index is from this value to the next one."))
    representation_green_high = _number(_l("Representation index: green up to"), _l("E.g. 1.25."))
    representation_amber_low = _number(_l("Representation index: amber from"),
                                       _l("Amber outside the green band but inside this one; red outside both."))
    representation_amber_high = _number(_l("Representation index: amber up to"), _l("E.g. 1.6."))
    spending_gini_green = _number(_l("Gini of money per head: green below"), _l("A fraction from 0 to 1, e.g. 0.2."))
    spending_gini_amber = _number(_l("Gini of money per head: amber up to"),
                                  _l("Red above it. A fraction from 0 to 1, e.g. 0.35."))
    funded_share_green = _number(_l("Share of voters with a funded project: green from"),
                                 _l("A fraction from 0 to 1: 0.75 means 75 per cent."))
    funded_share_amber = _number(_l("Share of voters with a funded project: amber from"),
                                 _l("Red below it. A fraction from 0 to 1, e.g. 0.5."))
    min_group = _WholeNumberField(_l("Smallest group shown (voters)"),
                                  description=_l("Groups with fewer voters show no figure, so that nobody's vote "
                                                 "can be told; e.g. 10."),
                                  validators=[InputRequired(message=_l("Enter a whole number of voters."))],
                                  render_kw={"inputmode": "numeric", "autocomplete": "off"})

    @classmethod
    def of(cls, value: Thresholds, **kwargs) -> ThresholdsForm:
        """The form filled with these thresholds (the data of a POST, if any, comes first)."""
        return cls(data={
            "representation_green_low": value.representation_green[0],
            "representation_green_high": value.representation_green[1],
            "representation_amber_low": value.representation_amber[0],
            "representation_amber_high": value.representation_amber[1],
            "spending_gini_green": value.spending_gini_green, "spending_gini_amber": value.spending_gini_amber,
            "funded_share_green": value.funded_share_green, "funded_share_amber": value.funded_share_amber,
            "min_group": value.min_group}, **kwargs)

    def thresholds(self) -> Thresholds:
        """The thresholds as typed."""
        return Thresholds(
            representation_green=(self.representation_green_low.data, self.representation_green_high.data),
            representation_amber=(self.representation_amber_low.data, self.representation_amber_high.data),
            spending_gini_green=self.spending_gini_green.data, spending_gini_amber=self.spending_gini_amber.data,
            funded_share_green=self.funded_share_green.data, funded_share_amber=self.funded_share_amber.data,
            min_group=self.min_group.data)


MITIGATION_KINDS = (
    ("station", _l("An extra paper or assisted-voting station")),
    ("reminder", _l("A reminder to the residents of a district or group")),
    ("translation", _l("Translated material")),
    ("phone_round", _l("A phone round")),
    ("door_to_door", _l("A door-to-door round")),
    ("other", _l("Other")),
)


class MitigationForm(FlaskForm):
    """One action of the mitigation plan; the view fills in the process's targets and flags."""

    kind = SelectField(_l("Kind"), choices=[SelectChoice(value, label) for value, label in MITIGATION_KINDS])
    target = SelectField(_l("Target group"), choices=[], validate_choice=False)
    description = TextAreaField(_l("What is done"), validators=[Length(max=5_000)])
    place = StringField(_l("Place"), validators=[Length(max=300)], description=_l("Where a station is."))
    hours = StringField(_l("Hours"), validators=[Length(max=200)], description=_l("E.g. Mon–Fri 9:00–17:00."))
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    owner = StringField(_l("Owner"), validators=[Length(max=200)], description=_l("Who answers for the action."))
    cost = StringField(_l("Cost"), validators=[Length(max=20)], description=_l("In the currency of the process; "
                                                                            "leave empty when there is none."))
    flag_id = SelectField(_l("Answers the red flag"), choices=[], validate_choice=False)

    def value(self) -> ActionInput:
        """The action as typed, for ``pb.reports.mitigation.add_action``."""
        flag = self.flag_id.data or ""
        return ActionInput(kind=self.kind.data or "", target=self.target.data or "",
                           description=self.description.data or "", starts_on=self.starts_on.data,
                           ends_on=self.ends_on.data, owner=self.owner.data or "", cost=self.cost.data or "",
                           place=self.place.data or "", hours=self.hours.data or "",
                           flag_id=int(flag) if flag.isdecimal() else None)


LIKELIHOODS = (("low", _l("low")), ("medium", _l("medium")), ("high", _l("high")))


class RiskForm(FlaskForm):
    """One line of the risk register; the view fills in the process's targets and actions."""

    risk_target = SelectField(_l("Group that may be left out"), choices=[], validate_choice=False)
    cause = TextAreaField(_l("Cause"), validators=[Length(max=5_000)])
    likelihood = SelectField(_l("Likelihood"), choices=[SelectChoice(value, label) for value, label in LIKELIHOODS])
    mitigation = TextAreaField(_l("Planned mitigation"), validators=[Length(max=5_000)],
                               description=_l("What is planned; or choose an action of the plan below."))
    action_id = SelectField(_l("Action of the plan"), choices=[], validate_choice=False)

    def value(self) -> RiskInput:
        """The line as typed, for ``pb.reports.mitigation.add_risk``."""
        action = self.action_id.data or ""
        return RiskInput(target=self.risk_target.data or "", cause=self.cause.data or "",
                         likelihood=self.likelihood.data or "", mitigation=self.mitigation.data or "",
                         action_id=int(action) if action.isdecimal() else None)


class AccessibilityContactForm(FlaskForm):
    """What the municipality fills into its accessibility statement."""

    email = StringField(_l("E-mail for accessibility feedback"), validators=[Length(max=254)])
    phone = StringField(_l("Telephone"), validators=[Length(max=64)])
    prepared_on = DateField(_l("Statement prepared or last reviewed on"), validators=[Optional()])
    known_gaps = TextAreaField(_l("Known gaps of your own"), validators=[Length(max=5_000)],
                               description=_l("Markdown list items, e.g. “- The videos of the information evenings "
                                              "have no captions.”; the statement already lists pb's own."))

    def value(self) -> ContactInput:
        """The contact as typed, for ``pb.reports.accessibility.set_contact``."""
        return ContactInput(email=self.email.data or "", phone=self.phone.data or "",
                            prepared_on=self.prepared_on.data, known_gaps=self.known_gaps.data or "")
