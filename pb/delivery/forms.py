"""Forms of the delivery area: they check shape only and hand plain values to pb.delivery.services."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from pb.delivery.labels import PARTY_LABELS, PHOTO_LABELS, ROLE_LABELS, STATUS_LABELS
from pb.delivery.services import AgreementInput, OfferInput, RecordInput

TEXT_MAX = 5000
MAX_AMOUNT = Decimal(1_000_000_000_000)


def _choices(labels, blank=None) -> list[SelectChoice]:
    found = [SelectChoice(key.value, label) for key, label in labels.items()]
    return [SelectChoice("", blank), *found] if blank is not None else found


def _money(label, description=None) -> DecimalField:
    return DecimalField(label, places=2, description=description,
                        validators=[Optional(), NumberRange(min=0, max=MAX_AMOUNT,
                                                            message=_l("Enter an amount of 0 or more."))])


class RecordForm(FlaskForm):
    """Who answers for the delivery, its dates and its money."""

    department = StringField(_l("Responsible department"), validators=[Optional(), Length(max=200)])
    officer_id = SelectField(_l("Responsible officer"), choices=[],
                             description=_l("A department officer may edit only the records they answer for."))
    planned_start_on = DateField(_l("Planned start"), validators=[Optional()])
    planned_end_on = DateField(_l("Planned end"), validators=[Optional()])
    actual_start_on = DateField(_l("Actual start"), validators=[Optional()])
    actual_end_on = DateField(_l("Actual end"), validators=[Optional()])
    committed = _money(_l("Money committed"), _l("In whole units of the currency, e.g. 12500.50."))
    spent = _money(_l("Money spent"), _l("In whole units of the currency, e.g. 12500.50."))
    spending_explanation = TextAreaField(
        _l("Why spending differs from the voted amount"),
        description=_l("Required when spending differs from the voted amount by more than the municipality's "
                       "share; shown to residents."),
        validators=[Optional(), Length(max=TEXT_MAX)])

    def to_input(self) -> RecordInput:
        """The record's facts as a plain value."""
        return RecordInput(
            department=(self.department.data or "").strip(),
            officer_id=int(self.officer_id.data) if (self.officer_id.data or "").isdigit() else None,
            planned_start_on=self.planned_start_on.data, planned_end_on=self.planned_end_on.data,
            actual_start_on=self.actual_start_on.data, actual_end_on=self.actual_end_on.data,
            committed=self.committed.data or Decimal(0), spent=self.spent.data or Decimal(0),
            spending_explanation=self.spending_explanation.data or "")


class StatusForm(FlaskForm):
    """Move a record to another status."""

    status = SelectField(_l("New status"), choices=_choices(STATUS_LABELS),
                         validators=[InputRequired(message=_l("Choose a status."))])
    reason = TextAreaField(_l("Public reason"),
                           description=_l("Required when the project is cancelled or merged; shown to residents."),
                           validators=[Optional(), Length(max=TEXT_MAX)])
    decision_reference = StringField(_l("Council decision reference"),
                                     description=_l("Required to cancel or merge where the vote binds the council."),
                                     validators=[Optional(), Length(max=200)])


class MilestoneForm(FlaskForm):
    """A new milestone."""

    title = StringField(_l("Milestone"), validators=[InputRequired(message=_l("Name the milestone.")),
                                                     Length(max=200)])
    planned_on = DateField(_l("Planned for"), validators=[Optional()])


class MilestoneDoneForm(FlaskForm):
    """Mark a milestone done."""

    done_on = DateField(_l("Done on"), validators=[InputRequired(message=_l("Give the date it was done."))])


class UpdateForm(FlaskForm):
    """A public update in plain words."""

    body = TextAreaField(_l("Update for residents"), validators=[InputRequired(message=_l("Write the update.")),
                                                                 Length(max=TEXT_MAX)])


class PhotoForm(FlaskForm):
    """A before/after photo or a scanned document."""

    photo = FileField(_l("Picture (JPEG, PNG or WebP, at most 5 MB)"))
    kind = SelectField(_l("What it shows"), choices=_choices(PHOTO_LABELS))
    caption = StringField(_l("Caption"), validators=[Optional(), Length(max=300)])


class OfferForm(FlaskForm):
    """A resident's offer to co-produce a project."""

    party_kind = SelectField(_l("Who offers"), choices=_choices(PARTY_LABELS))
    party_name = StringField(_l("Name (yours or the organisation's)"),
                             validators=[InputRequired(message=_l("Say who offers: your name or the organisation's.")),
                                         Length(max=200)])
    name_public = BooleanField(_l("Show this name on the project's page"))
    role = SelectField(_l("What you offer"), choices=_choices(ROLE_LABELS))
    offer = TextAreaField(_l("What you would do"), validators=[InputRequired(message=_l("Say what you offer to do.")),
                                                               Length(max=TEXT_MAX)])

    def to_input(self) -> OfferInput:
        """The offer as a plain value."""
        return OfferInput(party_kind=self.party_kind.data, party_name=self.party_name.data or "",
                          name_public=bool(self.name_public.data), role=self.role.data, offer=self.offer.data or "")


class AgreementForm(FlaskForm):
    """The co-production agreement the clerk records."""

    co_producer_does = TextAreaField(_l("What the co-producer does"), validators=[Length(max=TEXT_MAX)])
    council_responsible_for = TextAreaField(_l("What the council stays responsible for"),
                                            validators=[Length(max=TEXT_MAX)])
    risk_cover = TextAreaField(_l("How risk and liability are covered"), validators=[Length(max=TEXT_MAX)])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])

    def to_input(self) -> AgreementInput:
        """The agreement as a plain value."""
        return AgreementInput(co_producer_does=self.co_producer_does.data or "",
                              council_responsible_for=self.council_responsible_for.data or "",
                              risk_cover=self.risk_cover.data or "", starts_on=self.starts_on.data,
                              ends_on=self.ends_on.data)


class RatingForm(FlaskForm):
    """A resident's rating of a delivered project."""

    score = SelectField(_l("Your rating"), choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)],
                        validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))])
    comment = TextAreaField(_l("A short comment"), validators=[Optional(), Length(max=500)])


class HideForm(FlaskForm):
    """A moderator hides a rating."""

    reason = StringField(_l("Reason"), validators=[InputRequired(message=_l("Give the reason for hiding it.")),
                                                   Length(max=500)])


class PolicyForm(FlaskForm):
    """The municipality's spending tolerance."""

    tolerance = DecimalField(_l("Share of the voted amount spending may differ by without an explanation (%)"),
                             places=2, validators=[InputRequired(message=_l("Enter a share.")),
                                                   NumberRange(min=0, max=100,
                                                               message=_l("The share must be between 0 and 100%%."))])
