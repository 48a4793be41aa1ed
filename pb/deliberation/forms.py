"""Forms of the deliberation area; they check shape only and hand plain values to the services."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from pb.deliberation.models import FlagReason, Stance

MAX_COMMENT_LENGTH = 5000
MAX_NOTE_LENGTH = 500


@dataclass(frozen=True)
class CommentInput:
    """What a resident wrote, and their optional stance."""

    body: str
    stance: Stance | None


@dataclass(frozen=True)
class FlagInput:
    """A resident's report: why, and an optional note for the moderators."""

    reason: FlagReason
    note: str


def stance_choices() -> list[SelectChoice]:
    """The stance options, in the user's language."""
    return [SelectChoice("", _l("No stance")), SelectChoice(Stance.FOR.value, _l("For the project")),
            SelectChoice(Stance.AGAINST.value, _l("Against the project")),
            SelectChoice(Stance.NEUTRAL.value, _l("Neutral"))]


def flag_reason_choices() -> list[SelectChoice]:
    """The flag reasons, in the user's language."""
    return [SelectChoice(FlagReason.SPAM.value, _l("Spam or advertising")),
            SelectChoice(FlagReason.OFFENSIVE.value, _l("Offensive or abusive")),
            SelectChoice(FlagReason.OFF_TOPIC.value, _l("Off-topic"))]


class CommentForm(FlaskForm):
    """A comment, a reply or an edit."""

    body = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(message=_l("Write something before you send it.")),
                    Length(max=MAX_COMMENT_LENGTH, message=_l("A comment has at most 5,000 characters."))],
        description=_l("Plain text or simple Markdown: *emphasis*, **strong**, [link](https://…), lists and "
                       "`code`. At most 5,000 characters."),
        render_kw={"rows": 5, "maxlength": MAX_COMMENT_LENGTH},
    )
    stance = SelectField(_l("Your stance (optional)"), choices=stance_choices(), validators=[Optional()],
                         default="")

    def value(self) -> CommentInput:
        """The comment as a plain value."""
        stance = (self.stance.data or "").strip()
        return CommentInput(body=self.body.data or "", stance=Stance(stance) if stance else None)


class FlagForm(FlaskForm):
    """A resident reports a comment or a project to the moderators."""

    reason = RadioField(_l("Why should a moderator look at this?"), choices=flag_reason_choices(),
                        validators=[DataRequired(message=_l("Choose a reason."))])
    note = TextAreaField(_l("Note for the moderators (optional)"),
                         validators=[Optional(), Length(max=MAX_NOTE_LENGTH,
                                                        message=_l("The note has at most 500 characters."))],
                         render_kw={"rows": 3, "maxlength": MAX_NOTE_LENGTH})

    def value(self) -> FlagInput:
        """The report as a plain value."""
        return FlagInput(reason=FlagReason(self.reason.data), note=(self.note.data or "").strip())


class HideForm(FlaskForm):
    """A moderator hides a comment or a project, with a public reason."""

    reason = TextAreaField(
        _l("Public reason"), validators=[DataRequired(message=_l("Give the public reason for hiding it."))],
        description=_l("Shown in place of the content, so residents know why it was hidden."),
        render_kw={"rows": 3})


class UnblockForm(FlaskForm):
    """A moderator unblocks a resident's account, with a reason."""

    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(message=_l("Give the reason for unblocking the account."))],
        description=_l("Kept in the audit log, beside the reason for the block."), render_kw={"rows": 3})


class BlockForm(FlaskForm):
    """A moderator blocks an account, with a reason."""

    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(message=_l("Give the reason for blocking the account."))],
        description=_l("Kept with the account and in the audit log."), render_kw={"rows": 3})
