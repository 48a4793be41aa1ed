"""Forms of outreach: a resident's opt-in, the one-click unsubscribe button, a clerk's reminder."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length


class SubscriptionForm(FlaskForm):
    """Opt in (or out) of the municipality's news, by e-mail and optionally by SMS."""

    subscribed = BooleanField(_l("Send me news of the vote by e-mail"))
    sms_number = StringField(_l("Mobile number for SMS (optional)"), validators=[Length(max=32)],
                             description=_l("With its country code, e.g. +30 69…; leave empty for e-mail only."))


class UnsubscribeForm(FlaskForm):
    """The button of the unsubscribe page (the link in a mail only shows it: a link checker must not act)."""


class ReminderForm(FlaskForm):
    """A clerk's reminder to one district or age band; the view fills in the targets."""

    target = SelectField(_l("Residents of"), choices=[], validate_choice=False)
    message = TextAreaField(_l("What the reminder says"), validators=[Length(max=2_000)])
