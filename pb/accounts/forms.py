"""Forms of the accounts area; they check shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from pb.accounts.models import Role
from pb.core.i18n import LANGUAGE_NAMES

_EMAIL = [DataRequired(message=_l("Enter your e-mail address.")), Length(max=254),
          Email(message=_l("Enter a valid e-mail address, like name@example.org."))]


class LoginForm(FlaskForm):
    """Sign in with e-mail and password."""

    email = EmailField(_l("E-mail address"), validators=_EMAIL, render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password.")),
                                                         Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))


class ConfirmForm(FlaskForm):
    """Confirm an address from its link with the account's password (a POST, with CSRF).

    The link alone proves only that someone had the mail: a link the owner of another account planted must not
    sign the visitor into that account.
    """

    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password.")),
                                                         Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


class RegisterForm(FlaskForm):
    """Create a resident account."""

    display_name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name.")),
                                                            Length(max=120)],
                               render_kw={"autocomplete": "name"})
    email = EmailField(_l("E-mail address"), validators=_EMAIL, render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Choose a password.")),
                                                         Length(max=1024)],
                             description=_l("At least 10 characters. A few unrelated words make a strong one."),
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Password again"), validators=[
        DataRequired(message=_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"})


class ResetRequestForm(FlaskForm):
    """Ask for a password reset link."""

    email = EmailField(_l("E-mail address"), validators=_EMAIL, render_kw={"autocomplete": "email"})


class ResetForm(FlaskForm):
    """Choose a new password through a reset link."""

    password = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Choose a password.")),
                                                             Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(message=_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"})


class ProfileForm(FlaskForm):
    """The account's name and language."""

    display_name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name.")),
                                                            Length(max=120)])
    locale = SelectField(_l("Language"), choices=[SelectChoice("", _l("As my browser says"))] + [
        SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGE_NAMES.items()],
        validators=[Optional()])


class PasswordChangeForm(FlaskForm):
    """Change the password while signed in."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(message=_l("Enter your password."))],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Choose a password.")),
                                                             Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(message=_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"})


ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.CLERK: _l("Council clerk"),
    Role.LEGAL_OFFICER: _l("Legal officer"),
    Role.ADMIN: _l("Administrator"),
    Role.DEPARTMENT: _l("Department officer"),
}


class MunicipalitiesField(SelectMultipleField):
    """The municipalities a member of staff works in, as checkboxes; the view offers the administrator's own."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GrantForm(FlaskForm):
    """Where a member of staff holds their role: some municipalities, or every one (administrators)."""

    municipalities = MunicipalitiesField(_l("Municipalities"), coerce=int,
                                         description=_l("The role holds only in the municipalities ticked."))
    all_municipalities = BooleanField(_l("Every municipality, present and future (administrators only)"))


class AccountStatusForm(FlaskForm):
    """An administrator deactivates or reactivates a staff account, saying why."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=2000)],
                           description=_l("Kept in the audit log."), render_kw={"rows": 3})


class StaffAccountForm(GrantForm):
    """An administrator creates an account with a role, in some municipalities."""

    display_name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=120)])
    email = EmailField(_l("E-mail address"), validators=_EMAIL)
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(message=_l("Choose a password.")),
                                                                 Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})


class CodeForm(FlaskForm):
    """The second step of a staff sign-in: a code from the authenticator app, or a recovery code."""

    code = StringField(_l("Code"), validators=[DataRequired(message=_l("Enter the code.")), Length(max=32)],
                       description=_l("The six digits your authenticator app shows, or one of your recovery codes."),
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"})


class EnrolForm(FlaskForm):
    """Confirm that the authenticator app was set up, with the code it shows."""

    code = StringField(_l("Code from the app"), validators=[DataRequired(message=_l("Enter the code.")),
                                                              Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
