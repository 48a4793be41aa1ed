"""Forms of the residents' voting pages; they check shape only and hand plain values to the services."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from pb.core.forms import WholeNumberField
from pb.voting.ballot_rules import CUMULATIVE, RANKING, Choice

SEX_CHOICES = [SelectChoice("", _l("I prefer not to say")), SelectChoice("F", _l("Woman")),
               SelectChoice("M", _l("Man")), SelectChoice("X", _l("Other"))]


class RegisterMatchForm(FlaskForm):
    """Prove eligibility with the reference the council gave and the birth year."""

    reference = StringField(_l("Register reference"), validators=[DataRequired(), Length(max=64)],
                            description=_l("As printed on the council's letter or your resident card."))
    birth_year = WholeNumberField(_l("Year of birth"), validators=[InputRequired(), NumberRange(min=1900, max=2100)])


class CodeForm(FlaskForm):
    """Prove eligibility with a one-time voting code from a letter."""

    code = StringField(_l("Voting code"), validators=[DataRequired(), Length(max=40)],
                       description=_l("Twelve letters and digits, e.g. ABCD-EFGH-JK23."))


class BallotForm(FlaskForm):
    """The parts of a ballot form that are the same for every pool; the choices are read apart."""

    form_token = HiddenField(validators=[DataRequired(), Length(max=64)])
    # The version of the counted ballot this form was opened on (empty for none): an older form is refused.
    based_on = HiddenField(validators=[Optional(), Length(max=64)])
    sex = SelectField(_l("Sex (optional, for the equality assessment)"), choices=SEX_CHOICES,
                      validators=[Optional()], validate_choice=True)

    def fresh(self, based_on: str = "") -> BallotForm:
        """Give a newly shown form its own token (sending it twice then counts once) and the version of the
        ballot it would replace."""
        self.form_token.data = secrets.token_urlsafe(24)
        self.based_on.data = based_on
        return self


class ReceiptForm(FlaskForm):
    """Check that a ballot is in the count by its tracking code's hash: the page's script hashes the code in the
    browser, and without a script the resident gives the hash, so the code itself is never sent."""

    receipt_hash = StringField(_l("SHA-256 of your tracking code"), filters=[lambda v: (v or "").strip().lower()],
                               description=_l("64 letters and digits. Compute it on your own computer: in capital "
                                              "letters and without the dashes, e.g. for ABCD-EFGH-JKLM-NPQR: "
                                              "printf %s ABCDEFGHJKLMNPQR | sha256sum"),
                               validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$", message=_l(
                                   "Give the 64 letters and digits of the hash (0–9, a–f)."))])


def read_choices(kind: str, data: MultiDict, project_ids: list[int]) -> list[Choice]:
    """The choices a ballot form holds, in ballot order; anything that is not a number is left out.

    Approval-like ballots send ``project`` once per ticked project; cumulative ballots send
    ``points-<id>``; ranking ballots send ``rank-<id>`` and are ordered by that rank.
    """
    if kind == CUMULATIVE:
        chosen = []
        for project_id in project_ids:
            raw = (data.get(f"points-{project_id}") or "").strip()
            if raw.isdecimal() and int(raw) > 0:
                chosen.append(Choice(project_id, min(int(raw), 10**6)))
            elif raw and raw != "0":
                chosen.append(Choice(project_id, 0))
        return chosen
    if kind == RANKING:
        ranked = []
        for project_id in project_ids:
            raw = (data.get(f"rank-{project_id}") or "").strip()
            if raw.isdecimal() and int(raw) > 0:
                ranked.append((int(raw), project_id))
        return [Choice(project_id, rank=rank) for rank, project_id in sorted(ranked)]
    # Unknown or repeated ids are kept: the rules checker names them, instead of silently dropping them.
    return [Choice(int(raw)) for raw in data.getlist("project") if raw.isdecimal() and len(raw) < 12]
