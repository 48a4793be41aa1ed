"""Forms of the clerks' voting desk; they check shape only and hand plain values to the services."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from pb.voting.labels import SEX_LABELS
from pb.voting.models import Channel

CHANNEL_CHOICES = [SelectChoice(Channel.PAPER.value, _l("Paper ballot")),
                   SelectChoice(Channel.IN_PERSON.value, _l("In person at the desk"))]
SEX_CHOICES = [SelectChoice("", _l("Not given")), *(SelectChoice(code, label) for code, label in SEX_LABELS.items())]


def upload_text(field: FileField) -> str | None:
    """The text of an uploaded file as UTF-8 (a byte-order mark is dropped); None when it is not UTF-8."""
    data = field.data.read() if field.data else b""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


class RegisterImportForm(FlaskForm):
    """Upload the council's register as CSV."""

    file = FileField(_l("Register file (CSV)"), validators=[DataRequired(message=_l("Choose the register file."))],
                     description=_l("Columns reference, birth_year and district, with their names in the first line; "
                                    "comma or semicolon; UTF-8."))


class LettersForm(FlaskForm):
    """The residents who get a voting-code letter, by register reference."""

    references = TextAreaField(_l("Register references"), validators=[Optional(), Length(max=2_000_000)],
                               description=_l("One per line. Each listed resident gets a new code; a code "
                                              "issued to them earlier stops working. For a window envelope, "
                                              "follow the reference with the address lines, separated by "
                                              "semicolons: AB-1001; Maria Papadopoulou; Odos Aristomenous 12; "
                                              "241 00 Kalamata. The addresses are printed, never stored."))
    file = FileField(_l("Or a file of references"),
                     description=_l("A text or CSV file with one reference per line, and the address lines after "
                                    "it if you have them."))

    def letter_lines(self, uploaded: str) -> list[tuple[str, tuple[str, ...]]]:
        """Each line typed and uploaded: its reference and the address lines after it (split by tabs, else
        semicolons, else commas)."""
        found = []
        for line in (self.references.data or "").splitlines() + uploaded.splitlines():
            if not line.strip():
                continue
            separator = "\t" if "\t" in line else ";" if ";" in line else ","
            cells = [cell.strip() for cell in line.split(separator)]
            found.append((cells[0], tuple(cell for cell in cells[1:] if cell)))
        return found

    def reference_list(self, uploaded: str) -> list[str]:
        """The references typed and uploaded, one per line (a CSV line counts by its first cell)."""
        return [reference for reference, _address in self.letter_lines(uploaded)]


class AssistedForm(FlaskForm):
    """Verify a resident who came to the desk with an identity document."""

    email = StringField(_l("The resident's e-mail address"), validators=[
        DataRequired(message=_l("Enter the e-mail address of the resident's account.")), Email(), Length(max=254)])
    reference = StringField(_l("Register reference"), validators=[
        DataRequired(message=_l("Enter the resident's register reference.")), Length(max=64)])
    note = StringField(_l("How you checked their identity"), validators=[Length(max=500)],
                       description=_l("For example: identity card seen. Kept in the audit log."))


class UnlinkForm(FlaskForm):
    """Undo a wrong link between an account and a register entry."""

    reference = StringField(_l("Register reference"), validators=[
        DataRequired(message=_l("Enter the register reference of the entry linked by mistake.")), Length(max=64)])
    reason = TextAreaField(_l("Why the link is wrong"), validators=[
        DataRequired(message=_l("Give the reason; it is kept in the audit log.")), Length(max=2000)],
        description=_l("For example: a parent's account was linked to their child's entry. The account can then "
                       "be verified again with the right entry."))


class PaperBallotForm(FlaskForm):
    """One paper or in-person ballot, typed from the keyboard."""

    form_token = HiddenField(validators=[DataRequired(), Length(max=64)])
    reference = StringField(_l("Register reference"), validators=[
        DataRequired(message=_l("Enter the resident's register reference.")), Length(max=64)])
    projects = StringField(_l("Projects"), validators=[Length(max=2000)])
    channel = SelectField(_l("Channel"), choices=CHANNEL_CHOICES, default=Channel.PAPER.value)
    sex = SelectField(_l("Sex (if the voter gave it)"), choices=SEX_CHOICES, validators=[Optional()])

    def fresh(self) -> PaperBallotForm:
        """A token of its own for a newly shown form: sending it twice enters one ballot."""
        self.form_token.data = secrets.token_urlsafe(24)
        return self


class SheetsForm(FlaskForm):
    """A CSV file of paper ballot sheets."""

    file = FileField(_l("Ballot sheets (CSV)"), validators=[DataRequired(message=_l("Choose the file of sheets."))],
                     description=_l("Columns reference and projects (codes separated by spaces), optionally channel "
                                    "(paper or in_person); names in the first line; UTF-8."))


class CloseForm(FlaskForm):
    """Close the vote and count: first shown for confirmation, then confirmed."""

    reason = TextAreaField(_l("Reason for closing early"), validators=[Optional(), Length(max=2000)],
                           description=_l("Needed only before the scheduled end of voting; kept in the audit log."))
    confirmed = HiddenField()


class InvalidateForm(FlaskForm):
    """Invalidate the participation of a resident found to have voted fraudulently."""

    reference = StringField(_l("Register reference"), validators=[
        DataRequired(message=_l("Enter the resident's register reference.")), Length(max=64)])
    reason = TextAreaField(_l("Why the participation is invalid"), validators=[
        DataRequired(message=_l("Give the reason; it is kept in the audit log.")), Length(max=2000)],
        description=_l("For example: registered with a stolen reference (police report 123/2026). "
                       "The ballot is voided without anyone seeing what it chose."))


class AnnulPoolForm(FlaskForm):
    """Annul the vote of a whole pool, when fraud in it cannot be traced to single residents."""

    pool = SelectField(_l("Pool"), coerce=int, validate_choice=True)
    reason = TextAreaField(_l("Why the vote in this pool is annulled"), validators=[
        DataRequired(message=_l("Give the reason; residents see it beside the pool.")), Length(max=2000)],
        description=_l("For example: council decision 41/2026, mass registration with scraped references in "
                       "this district."))
    understood = BooleanField(
        _l("I understand: every ballot of this pool stops counting, nobody can vote in it any more, and it "
           "cannot be undone."),
        validators=[InputRequired(message=_l("Tick the box to confirm."))])
