"""Forms of the staff area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, HiddenField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from pb.core.forms import WholeNumberField
from pb.processes.constraints import MAX_NOTE
from pb.processes.models import PhaseKind
from pb.processes.services import population_rule


class PhaseChangeForm(FlaskForm):
    """Open or close one phase now, with the reason for the audit log."""

    phase = HiddenField(validators=[AnyOf([k.value for k in PhaseKind])])
    change = HiddenField(validators=[AnyOf(["open", "close", "extend"])])
    until = DateTimeLocalField(_l("New end"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()],
                               description=_l("In the time zone the dates are shown in."))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=2000)],
                           description=_l("Kept in the audit log with the change."))
    cut_appeals = BooleanField(_l("Open it anyway: I confirm that these authors can no longer appeal."))


class PopulationForm(FlaskForm):
    """The number of residents of a municipality; the service checks its range."""

    population = WholeNumberField(_l("Population"), validators=[InputRequired()],
                                  description=_l("The number of residents, from the latest official figure."))

    def validate(self, extra_validators=None) -> bool:
        """Whatever is wrong with what was typed (empty, not a whole number), one message that says what is
        expected, instead of WTForms' own."""
        valid = super().validate(extra_validators)
        if self.population.errors:
            self.population.errors = [population_rule()]
        return valid


class IncompatibleSetForm(FlaskForm):
    """A set of a pool's projects of which at most one may be funded; the service checks the projects."""

    pool = WholeNumberField(validators=[InputRequired()])
    # The pool's projects are offered as checkboxes; which ids are valid is the service's to say.
    projects = SelectMultipleField(_l("Projects"), coerce=int, validate_choice=False,
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    note = StringField(_l("Why they exclude each other (shown on the ballot)"),
                       validators=[Optional(), Length(max=MAX_NOTE)],
                       description=_l("For example: the same plot of land."))


class AuditFilterForm(FlaskForm):
    """What to look for in the audit log, all GET parameters (no CSRF: it changes nothing); the view offers the
    actions and kinds of object the log holds."""

    class Meta:
        csrf = False

    who = StringField(_l("Who"), validators=[Optional(), Length(max=254)],
                      description=_l("Part of the e-mail address, or “command line”."))
    action = SelectField(_l("What"), choices=[], validate_choice=False, validators=[Optional()])
    object_type = SelectField(_l("Object"), choices=[], validate_choice=False, validators=[Optional()])
    object_id = StringField(_l("Object number"), validators=[Optional(), Length(max=64)])
    since = DateField(_l("From"), validators=[Optional()], description=_l("The first day, included."))
    until = DateField(_l("Until"), validators=[Optional()], description=_l("The last day, included."))

    def validate(self, extra_validators=None) -> bool:
        """The dates in order; WTForms' own message for a date that is not one is replaced by a plain one."""
        valid = super().validate(extra_validators)
        for name in ("since", "until"):
            field = getattr(self, name)
            if field.errors:
                field.errors = [_l("Enter a date, like 2026-12-31.")]
        if valid and self.since.data and self.until.data and self.until.data < self.since.data:
            self.until.errors = [_l("The last day comes before the first.")]
            return False
        return valid
