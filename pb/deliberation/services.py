"""Deliberation's rules: comments, supports, follows, flags and moderation.

Services take the acting user, raise domain errors and flush; the view commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from pb.accounts.models import User
from pb.accounts.permissions import check_works_in
from pb.accounts.services import revoke_sessions
from pb.audit.services import changes, record
from pb.core.db import utcnow
from pb.core.races import hold_race_window
from pb.deliberation.forms import MAX_COMMENT_LENGTH, MAX_NOTE_LENGTH, CommentInput, FlagInput
from pb.deliberation.models import (
    Comment,
    Flag,
    FlagResolution,
    Follow,
    Notification,
    NotificationKind,
    Support,
)
from pb.deliberation.notifications import interested_users, notify
from pb.deliberation.permissions import can_edit_comment, can_moderate, is_blocked
from pb.deliberation.queries import supports_used
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.extensions import db
from pb.processes.models import Process
from pb.processes.services import Action, require_phase
from pb.proposals.models import Project, ProjectStatus

# Projects that are not (or no longer) public take no comments and no supports.
CLOSED_STATUSES = (ProjectStatus.DRAFT, ProjectStatus.WITHDRAWN)
# Supports go to projects that can still reach the ballot.
UNSUPPORTABLE_STATUSES = CLOSED_STATUSES + (ProjectStatus.UNFEASIBLE, ProjectStatus.NOT_SELECTED)


def _require_participant(actor: User) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Sign in first."))
    if is_blocked(actor):
        raise NotAllowed(_("Your account is blocked, so you cannot take part: %(reason)s",
                           reason=actor.blocked_reason or ""))


def _process(project: Project) -> Process:
    return db.session.get(Process, project.process_id)


def _require_open_project(project: Project) -> None:
    if project.hidden_at is not None:
        raise NotAllowed(_("This project was hidden by a moderator."))
    if project.status in CLOSED_STATUSES:
        raise NotAllowed(_("This project is not open for discussion."))


def _check_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise ValidationError("body", _("Write something before you send it."))
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationError("body", _("A comment has at most 5,000 characters."))
    return text


# Comments -------------------------------------------------------------------------------------


def add_comment(actor: User, project: Project, value: CommentInput, parent: Comment | None = None) -> Comment:
    """Post a comment, or a reply to ``parent``, while commenting is open; notify who is interested."""
    _require_participant(actor)
    _require_open_project(project)
    require_phase(_process(project), Action.COMMENT)
    if parent is not None:
        if parent.project_id != project.id:
            raise ValidationError(None, _("You can only reply to a comment on the same project."))
        if parent.hidden_at is not None:
            raise NotAllowed(_("This comment was hidden by a moderator and takes no replies."))
    comment = Comment(project_id=project.id, parent_id=parent.id if parent else None, author_id=actor.id,
                      body=_check_body(value.body), stance=value.stance)
    db.session.add(comment)
    db.session.flush()
    replied_to = parent.author_id if parent is not None else None
    if replied_to is not None:
        notify(db.session, [replied_to], NotificationKind.REPLY, project.id, comment.id, exclude=actor.id)
    others = interested_users(db.session, project) - {replied_to}
    notify(db.session, others, NotificationKind.COMMENT, project.id, comment.id, exclude=actor.id)
    return comment


def edit_comment(actor: User, comment: Comment, value: CommentInput) -> Comment:
    """The author changes their comment while commenting is open; it is shown as edited."""
    _require_participant(actor)
    if not can_edit_comment(actor, comment):
        raise NotAllowed(_("Only its author can edit a comment, and not after a moderator hid it."))
    project = db.session.get(Project, comment.project_id)
    _require_open_project(project)
    require_phase(_process(project), Action.COMMENT)
    body = _check_body(value.body)
    if body != comment.body or value.stance != comment.stance:
        comment.body = body
        comment.stance = value.stance
        comment.edited_at = utcnow()
        db.session.flush()
    return comment


# Supports -------------------------------------------------------------------------------------



def support_project(actor: User, project: Project) -> bool:
    """Endorse a project during the supports phase, within the process's limit per resident.

    Returns False when the resident already supported it (a double click), True when the support is new.
    """
    _require_participant(actor)
    _require_open_project(project)
    if project.status in UNSUPPORTABLE_STATUSES:
        raise NotAllowed(_("This project cannot be supported."))
    process = _process(project)
    require_phase(process, Action.SUPPORT)
    # Lock the resident's row so that two supports sent at once cannot both pass the limit.
    db.session.execute(sa.select(User.id).where(User.id == actor.id).with_for_update())
    if db.session.execute(sa.select(Support.id).where(Support.project_id == project.id,
                                                      Support.user_id == actor.id)).first() is not None:
        return False
    limit = process.max_supports_per_resident
    if limit is not None and supports_used(actor.id, process.id) >= limit:
        raise ValidationError(None, _("You have used all %(limit)d supports of this process. Withdraw a support "
                                      "to give it to this project.", limit=limit))
    hold_race_window()
    try:
        with db.session.begin_nested():
            db.session.add(Support(project_id=project.id, user_id=actor.id))
    except IntegrityError:
        # The same resident's other request got there first: the support exists, which is what they wanted.
        return False
    return True


def withdraw_support(actor: User, project: Project) -> bool:
    """Take back a support while the supports phase is open; False when there was none."""
    _require_participant(actor)
    require_phase(_process(project), Action.SUPPORT)
    result = db.session.execute(
        sa.delete(Support).where(Support.project_id == project.id, Support.user_id == actor.id))
    return bool(result.rowcount)


# Follows --------------------------------------------------------------------------------------


def follow_project(actor: User, project: Project) -> None:
    """Follow a project: new comments and review outcomes reach the resident as notifications."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Sign in first."))
    if project.hidden_at is not None or project.status is ProjectStatus.DRAFT:
        raise NotAllowed(_("This project cannot be followed."))
    if db.session.get(Follow, (project.id, actor.id)) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(Follow(project_id=project.id, user_id=actor.id))
    except IntegrityError:
        pass  # already following (a double click)


def unfollow_project(actor: User, project: Project) -> None:
    """Stop following a project."""
    db.session.execute(sa.delete(Follow).where(Follow.project_id == project.id, Follow.user_id == actor.id))


# Notifications --------------------------------------------------------------------------------


def mark_notifications_read(actor: User) -> int:
    """Mark every unread notification of the user as read; returns how many."""
    result = db.session.execute(
        sa.update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()))
    return result.rowcount or 0


# Flags ----------------------------------------------------------------------------------------


def _flag(actor: User, value: FlagInput, *, comment: Comment | None = None, project: Project | None = None) -> Flag:
    _require_participant(actor)
    if len(value.note) > MAX_NOTE_LENGTH:
        raise ValidationError("note", _("The note has at most 500 characters."))
    target = comment if comment is not None else project
    if target.hidden_at is not None:
        raise InvalidTransition(_("A moderator has already hidden this."))
    if target.author_id == actor.id:
        raise NotAllowed(_("You cannot report what you wrote yourself."))
    where = (Flag.comment_id == comment.id) if comment is not None else (Flag.project_id == project.id)
    if db.session.execute(sa.select(Flag.id).where(where, Flag.reporter_id == actor.id)).first() is not None:
        raise InvalidTransition(_("You have already reported this. A moderator will look at it."))
    flag = Flag(comment_id=comment.id if comment is not None else None,
                project_id=project.id if project is not None else None,
                reporter_id=actor.id, reason=value.reason, note=value.note)
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError:
        raise InvalidTransition(_("You have already reported this. A moderator will look at it.")) from None
    return flag


def flag_comment(actor: User, comment: Comment, value: FlagInput) -> Flag:
    """Report a comment to the moderators, once per resident."""
    return _flag(actor, value, comment=comment)


def flag_project(actor: User, project: Project, value: FlagInput) -> Flag:
    """Report a project to the moderators, once per resident."""
    if project.status is ProjectStatus.DRAFT:
        raise NotAllowed(_("This project is not public."))
    return _flag(actor, value, project=project)


# Moderation -----------------------------------------------------------------------------------

HIDDEN_FIELDS = ["hidden_at", "hidden_reason", "hidden_by_id"]


def _require_moderator(actor: User, project_id: int | None = None) -> None:
    """A moderator; of the project's municipality, when the moderation concerns a project or its comments."""
    if not can_moderate(actor):
        raise NotAllowed(_("Only a moderator can do this."))
    if project_id is not None:
        project = db.session.get(Project, project_id)
        check_works_in(actor, db.session.get(Process, project.process_id).municipality_id)


def _check_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError("reason", _("Give the public reason for hiding it."))
    return text


def _resolve_flags(actor: User, resolution: FlagResolution, *, comment_id: int | None = None,
                   project_id: int | None = None) -> list[int]:
    where = (Flag.comment_id == comment_id) if comment_id is not None else (Flag.project_id == project_id)
    flags = db.session.execute(sa.select(Flag).where(where, Flag.resolved_at.is_(None))).scalars().all()
    now = utcnow()
    for flag in flags:
        flag.resolved_at = now
        flag.resolved_by_id = actor.id
        flag.resolution = resolution
    return [flag.id for flag in flags]


def _hide(actor: User, target: Comment | Project, reason: str, already_hidden: str, **flag_target: int) -> dict:
    """Hide a comment or a project with a public reason (it is kept) and resolve its flags.

    Returns the audit's before-values, with the flags resolved under ``flags_resolved``.
    """
    _require_moderator(actor, target.project_id if isinstance(target, Comment) else target.id)
    text = _check_reason(reason)
    if target.hidden_at is not None:
        raise InvalidTransition(already_hidden)
    before = changes(target, HIDDEN_FIELDS)
    target.hidden_at = utcnow()
    target.hidden_reason = text
    target.hidden_by_id = actor.id
    flag_ids = _resolve_flags(actor, FlagResolution.HIDDEN, **flag_target)
    db.session.flush()
    return {"before": before, "flags_resolved": flag_ids}


def hide_comment(actor: User, comment: Comment, reason: str) -> Comment:
    """Hide a comment with a public reason (it is kept), resolve its flags and tell its author."""
    done = _hide(actor, comment, reason, _("This comment is already hidden."), comment_id=comment.id)
    record(db.session, actor, "comment.hide", "comment", comment.id, before=done["before"],
           after={**changes(comment, HIDDEN_FIELDS), "project_id": comment.project_id,
                  "flags_resolved": done["flags_resolved"]})
    notify(db.session, [comment.author_id], NotificationKind.HIDDEN, comment.project_id, comment.id,
           exclude=actor.id)
    return comment


def hide_project(actor: User, project: Project, reason: str) -> Project:
    """Hide a project with a public reason (it is kept), resolve its flags and tell its authors."""
    done = _hide(actor, project, reason, _("This project is already hidden."), project_id=project.id)
    record(db.session, actor, "project.hide", "project", project.id, before=done["before"],
           after={**changes(project, HIDDEN_FIELDS), "flags_resolved": done["flags_resolved"]})
    notify(db.session, interested_users(db.session, project), NotificationKind.HIDDEN, project.id,
           exclude=actor.id)
    return project


def dismiss_flags(actor: User, *, comment: Comment | None = None, project: Project | None = None) -> list[int]:
    """Close the open flags on a comment or a project without hiding it."""
    _require_moderator(actor, comment.project_id if comment is not None else project.id)
    if comment is not None:
        flag_ids = _resolve_flags(actor, FlagResolution.DISMISSED, comment_id=comment.id)
        obj_type, obj_id = "comment", comment.id
    else:
        flag_ids = _resolve_flags(actor, FlagResolution.DISMISSED, project_id=project.id)
        obj_type, obj_id = "project", project.id
    if not flag_ids:
        raise InvalidTransition(_("There are no open reports on this."))
    db.session.flush()
    record(db.session, actor, "flags.dismiss", obj_type, obj_id, before={"open_flags": flag_ids},
           after={"open_flags": [], "dismissed": flag_ids})
    return flag_ids


def block_user(actor: User, user: User, reason: str) -> User:
    """Block a resident's account with a reason and end all its sessions."""
    _require_moderator(actor)
    text = (reason or "").strip()
    if not text:
        raise ValidationError("reason", _("Give the reason for blocking the account."))
    if user.id == actor.id:
        raise NotAllowed(_("You cannot block your own account."))
    if user.is_staff:
        raise NotAllowed(_("Staff accounts are not blocked here; an administrator deactivates them on the accounts "
                           "page."))
    if user.blocked_at is not None:
        raise InvalidTransition(_("This account is already blocked."))
    before = changes(user, ["blocked_at", "blocked_reason"])
    user.blocked_at = utcnow()
    user.blocked_reason = text
    revoke_sessions(user)
    db.session.flush()
    record(db.session, actor, "account.block", "user", user.id, before=before,
           after=changes(user, ["blocked_at", "blocked_reason"]))
    return user


def unblock_user(actor: User, user: User, reason: str) -> User:
    """A moderator lifts the block of a resident's account (a mistake, or the time served), saying why; the
    reason for the block stays in the audit log."""
    _require_moderator(actor)
    text = (reason or "").strip()
    if not text:
        raise ValidationError("reason", _("Give the reason for unblocking the account."))
    if user.is_staff:
        raise NotAllowed(_("Staff accounts are reactivated by an administrator, on the accounts page."))
    if user.blocked_at is None:
        raise InvalidTransition(_("This account is not blocked."))
    before = changes(user, ["blocked_at", "blocked_reason"])
    user.blocked_at = None
    user.blocked_reason = None
    db.session.flush()
    record(db.session, actor, "account.unblock", "user", user.id, before=before,
           after={**changes(user, ["blocked_at", "blocked_reason"]), "reason": text})
    return user
