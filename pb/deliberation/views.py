"""Pages of the deliberation area: comments, supports, follows, reports, notifications and moderation."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pb.accounts.models import User
from pb.accounts.permissions import is_signed_in, municipality_scope, public, requires
from pb.core.requests import id_arg, page_arg
from pb.deliberation import queries, services
from pb.deliberation.markdown import render
from pb.deliberation.forms import BlockForm, CommentForm, FlagForm, HideForm, UnblockForm
from pb.deliberation.models import Comment, FlagReason, NotificationKind, Stance
from pb.deliberation.notifications import unread_count
from pb.deliberation.permissions import can_edit_comment, can_moderate
from pb.errors import PBError, ValidationError, attempt
from pb.extensions import db
from pb.proposals.models import Project, ProjectStatus
from pb.web import safe_next

bp = Blueprint("deliberation", __name__)

STANCE_LABELS = {Stance.FOR: _l("For"), Stance.AGAINST: _l("Against"), Stance.NEUTRAL: _l("Neutral")}
FLAG_REASON_LABELS = {FlagReason.SPAM: _l("Spam or advertising"), FlagReason.OFFENSIVE: _l("Offensive or abusive"),
                      FlagReason.OFF_TOPIC: _l("Off-topic")}
NOTIFICATION_TEXTS = {
    NotificationKind.REPLY: _l("Someone replied to your comment on “%(project)s”."),
    NotificationKind.COMMENT: _l("New comment on “%(project)s”."),
    NotificationKind.REVIEW_OUTCOME: _l("The review of “%(project)s” has an outcome."),
    NotificationKind.APPEAL_ANSWER: _l("The appeal on “%(project)s” has been answered."),
    NotificationKind.HIDDEN: _l("A moderator hid content of yours on “%(project)s”."),
    NotificationKind.DELIVERY_STATUS: _l("The delivery of “%(project)s” has a new status."),
    NotificationKind.DELIVERY_UPDATE: _l("News about the delivery of “%(project)s”."),
    NotificationKind.REPRESENTATION_FLAG: _l("Red flag while the vote is open: %(project)s."),
}


@bp.app_context_processor
def deliberation_context():
    """Labels for the deliberation templates, and the unread count for the header's link."""

    def unread_notifications() -> int:
        if not is_signed_in(current_user):
            return 0
        return unread_count(db.session, current_user.id)

    return {
        "stance_label": lambda stance: str(STANCE_LABELS.get(Stance(stance), stance)),
        "flag_reason_label": lambda reason: str(FLAG_REASON_LABELS.get(FlagReason(reason), reason)),
        "unread_notifications": unread_notifications,
        "render_comment": render,
    }


def _safe_next(default: str) -> str:
    """The local page the form came from, or ``default``; never another site (pb.web.safe_next)."""
    return safe_next(request.values.get("next"), default)


def _to_comment(back: str, comment_id: int) -> str:
    """``back`` (a local page) showing one comment: the page of threads that holds it, scrolled to it."""
    path, _sep, query = back.split("#")[0].partition("?")
    args = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in ("comment", "comments")]
    args.append(("comment", str(comment_id)))
    return f"{path}?{urlencode(args)}#comment-{comment_id}"


def _visible_project(project_id: int) -> Project:
    project = db.get_or_404(Project, project_id)
    if project.status is ProjectStatus.DRAFT:
        abort(404)
    return project


def _comment_page(template: str, **context):
    return render_template(f"deliberation/{template}", **context)


# Residents ------------------------------------------------------------------------------------


@bp.get("/projects/<int:project_id>/discussion")
@public
def discussion(project_id: int):
    """A project's discussion on a page of its own (the project page includes the same partial)."""
    project = _visible_project(project_id)
    return render_template("deliberation/discussion.html", project=project,
                           **queries.project_deliberation(project, current_user,
                                                          page_arg("comments"), id_arg("comment")))


@bp.route("/projects/<int:project_id>/comments", methods=["GET", "POST"])
@requires(is_signed_in)
def new_comment(project_id: int):
    """Write a comment on a project."""
    project = _visible_project(project_id)
    form = CommentForm(prefix=f"comment-{project.id}")
    back = _safe_next(queries.project_url(project.id))
    if form.validate_on_submit():
        try:
            comment = services.add_comment(current_user, project, form.value())
        except ValidationError as error:
            _form_error(form, error)
        except PBError as error:
            flash(error.message, "error")
            return redirect(back)
        else:
            db.session.commit()
            flash(_("Your comment was published."), "success")
            return redirect(_to_comment(back, comment.id))
    return _comment_page("comment_form.html", form=form, project=project, parent=None, comment=None, back=back,
                         title=_("Comment on “%(title)s”", title=project.title))


@bp.route("/comments/<int:comment_id>/reply", methods=["GET", "POST"])
@requires(is_signed_in)
def reply(comment_id: int):
    """Reply to a comment."""
    parent = db.get_or_404(Comment, comment_id)
    project = _visible_project(parent.project_id)
    form = CommentForm(prefix=f"comment-{project.id}")
    back = _safe_next(queries.project_url(project.id))
    if form.validate_on_submit():
        try:
            comment = services.add_comment(current_user, project, form.value(), parent=parent)
        except ValidationError as error:
            _form_error(form, error)
        except PBError as error:
            flash(error.message, "error")
            return redirect(back)
        else:
            db.session.commit()
            flash(_("Your reply was published."), "success")
            return redirect(_to_comment(back, comment.id))
    return _comment_page("comment_form.html", form=form, project=project, parent=parent, comment=None, back=back,
                         parent_author=_author_name(parent.author_id),
                         title=_("Reply on “%(title)s”", title=project.title))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@requires(is_signed_in)
def edit_comment(comment_id: int):
    """The author edits their comment."""
    comment = db.get_or_404(Comment, comment_id)
    if not can_edit_comment(current_user, comment):  # not the author's, or hidden: its text is not shown again
        abort(403)
    project = _visible_project(comment.project_id)
    back = _safe_next(queries.project_url(project.id))
    form = CommentForm(prefix=f"comment-{project.id}",
                       data=None if request.method == "POST" else {
                           "body": comment.body, "stance": comment.stance.value if comment.stance else ""})
    if form.validate_on_submit():
        try:
            services.edit_comment(current_user, comment, form.value())
        except ValidationError as error:
            _form_error(form, error)
        except PBError as error:
            flash(error.message, "error")
            return redirect(back)
        else:
            db.session.commit()
            flash(_("Your comment was changed."), "success")
            return redirect(_to_comment(back, comment.id))
    return _comment_page("comment_form.html", form=form, project=project, parent=None, comment=comment, back=back,
                         title=_("Edit your comment on “%(title)s”", title=project.title))


def _form_error(form, error: ValidationError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, error.message]
    else:
        flash(error.message, "error")


def _author_name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None and user.display_name else _("A former resident")


def _act(action, project: Project, success: str | None):
    """Run a one-button action on a project, commit, flash, and go back where the resident was."""
    back = _safe_next(queries.project_url(project.id))
    try:
        result = action(current_user, project)
    except PBError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    if success:
        flash(success if result is not False else _("Nothing changed: it was already so."),
              "success" if result is not False else "info")
    return redirect(back)


@bp.post("/projects/<int:project_id>/support")
@requires(is_signed_in)
def support(project_id: int):
    """Support (endorse) a project."""
    return _act(services.support_project, _visible_project(project_id), _("You support this project."))


@bp.post("/projects/<int:project_id>/support/withdraw")
@requires(is_signed_in)
def withdraw_support(project_id: int):
    """Withdraw a support."""
    return _act(services.withdraw_support, _visible_project(project_id), _("Your support was withdrawn."))


@bp.post("/projects/<int:project_id>/follow")
@requires(is_signed_in)
def follow(project_id: int):
    """Follow a project."""
    return _act(services.follow_project, _visible_project(project_id), _("You follow this project."))


@bp.post("/projects/<int:project_id>/unfollow")
@requires(is_signed_in)
def unfollow(project_id: int):
    """Stop following a project."""
    return _act(services.unfollow_project, _visible_project(project_id), _("You no longer follow this project."))


@bp.route("/comments/<int:comment_id>/flag", methods=["GET", "POST"])
@requires(is_signed_in)
def flag_comment(comment_id: int):
    """Report a comment to the moderators."""
    comment = db.get_or_404(Comment, comment_id)
    project = _visible_project(comment.project_id)
    return _flag_page(project, lambda value: services.flag_comment(current_user, comment, value),
                      comment=comment, title=_("Report a comment"))


@bp.route("/projects/<int:project_id>/flag", methods=["GET", "POST"])
@requires(is_signed_in)
def flag_project(project_id: int):
    """Report a project to the moderators."""
    project = _visible_project(project_id)
    return _flag_page(project, lambda value: services.flag_project(current_user, project, value),
                      comment=None, title=_("Report the project “%(title)s”", title=project.title))


def _flag_page(project: Project, report, *, comment: Comment | None, title: str):
    form = FlagForm()
    back = _safe_next(queries.project_url(project.id))
    if form.validate_on_submit():
        try:
            report(form.value())
        except ValidationError as error:
            _form_error(form, error)
        except PBError as error:
            flash(error.message, "error")
            return redirect(back)
        else:
            db.session.commit()
            flash(_("Thank you. A moderator will look at your report."), "success")
            return redirect(back)
    return render_template("deliberation/flag.html", form=form, project=project, comment=comment, back=back,
                           title=title)


@bp.get("/notifications")
@requires(is_signed_in)
def notifications():
    """The signed-in person's notifications, newest first; opening the page marks them read."""
    items = queries.notifications_for(current_user)
    services.mark_notifications_read(current_user)
    db.session.commit()
    return render_template("deliberation/notifications.html", items=items, notification_text=notification_text)


def notification_text(kind: NotificationKind, project_title: str | None) -> str:
    """The line a notification shows, in the user's language."""
    text = NOTIFICATION_TEXTS.get(NotificationKind(kind), NOTIFICATION_TEXTS[NotificationKind.COMMENT])
    return str(text) % {"project": project_title or _("a project")}


# Moderators -----------------------------------------------------------------------------------


@bp.get("/staff/moderation")
@requires(can_moderate)
def moderation():
    """The moderation queue: open reports grouped by comment or project, the oldest first."""
    return render_template("deliberation/moderation.html",
                           entries=queries.moderation_queue(municipality_scope(current_user)),
                           blocked=queries.blocked_residents())


@bp.route("/staff/moderation/comments/<int:comment_id>/hide", methods=["GET", "POST"])
@requires(can_moderate)
def hide_comment(comment_id: int):
    """Hide a comment with a public reason."""
    comment = db.get_or_404(Comment, comment_id)
    project = db.get_or_404(Project, comment.project_id)
    return _hide_page(lambda reason: services.hide_comment(current_user, comment, reason), project=project,
                      comment=comment, title=_("Hide a comment"), done=_("The comment is hidden."))


@bp.route("/staff/moderation/projects/<int:project_id>/hide", methods=["GET", "POST"])
@requires(can_moderate)
def hide_project(project_id: int):
    """Hide a project with a public reason."""
    project = db.get_or_404(Project, project_id)
    return _hide_page(lambda reason: services.hide_project(current_user, project, reason), project=project,
                      comment=None, title=_("Hide the project “%(title)s”", title=project.title),
                      done=_("The project is hidden."))


def _hide_page(hide, *, project: Project, comment: Comment | None, title: str, done: str):
    form = HideForm()
    if form.validate_on_submit():
        try:
            hide(form.reason.data)
        except ValidationError as error:
            _form_error(form, error)
        except PBError as error:
            flash(error.message, "error")
            return redirect(url_for("deliberation.moderation"))
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("deliberation.moderation"))
    author_id = comment.author_id if comment is not None else project.author_id
    return render_template("deliberation/hide.html", form=form, project=project, comment=comment, title=title,
                           author=db.session.get(User, author_id) if author_id else None)


@bp.post("/staff/moderation/comments/<int:comment_id>/dismiss")
@requires(can_moderate)
def dismiss_comment_flags(comment_id: int):
    """Dismiss the open reports on a comment."""
    comment = db.get_or_404(Comment, comment_id)
    return _dismiss(lambda: services.dismiss_flags(current_user, comment=comment))


@bp.post("/staff/moderation/projects/<int:project_id>/dismiss")
@requires(can_moderate)
def dismiss_project_flags(project_id: int):
    """Dismiss the open reports on a project."""
    project = db.get_or_404(Project, project_id)
    return _dismiss(lambda: services.dismiss_flags(current_user, project=project))


def _dismiss(dismiss):
    try:
        dismiss()
    except PBError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The reports were dismissed."), "success")
    return redirect(url_for("deliberation.moderation"))


@bp.route("/staff/moderation/users/<int:user_id>/block", methods=["GET", "POST"])
@requires(can_moderate)
def block_user(user_id: int):
    """Block an account with a reason."""
    user = db.get_or_404(User, user_id)
    form = BlockForm()
    if form.validate_on_submit():
        try:
            services.block_user(current_user, user, form.reason.data)
        except ValidationError as error:
            _form_error(form, error)
        except PBError as error:
            flash(error.message, "error")
            return redirect(url_for("deliberation.moderation"))
        else:
            db.session.commit()
            flash(_("The account was blocked and signed out."), "success")
            return redirect(url_for("deliberation.moderation"))
    return render_template("deliberation/block.html", form=form, user=user)


@bp.route("/staff/moderation/users/<int:user_id>/unblock", methods=["GET", "POST"])
@requires(can_moderate)
def unblock_user(user_id: int):
    """Unblock a resident's account with a reason."""
    user = db.get_or_404(User, user_id)
    form = UnblockForm()
    if form.validate_on_submit():
        done = attempt(lambda: services.unblock_user(current_user, user, form.reason.data), form)
        if done.ok:
            flash(_("The account was unblocked; it can sign in again."), "success")
            return redirect(url_for("deliberation.moderation"))
    return render_template("deliberation/unblock.html", form=form, user=user), 422 if form.errors else 200
