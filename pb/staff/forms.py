"""Forms of the staff area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from pb.processes.models import PhaseKind


class PhaseChangeForm(FlaskForm):
    """Open or close one phase now, with the reason for the audit log."""

    phase = HiddenField(validators=[AnyOf([k.value for k in PhaseKind])])
    change = HiddenField(validators=[AnyOf(["open", "close", "extend"])])
    until = DateTimeLocalField(_l("New end"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()],
                               description=_l("In the time zone the dates are shown in."))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=2000)],
                           description=_l("Kept in the audit log with the change."))
