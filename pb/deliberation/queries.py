"""What the deliberation pages show: the comment thread of a project, supports, follows, notifications
and the moderation queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from markupsafe import Markup
from werkzeug.routing import BuildError

from pb.accounts.models import Role, User
from pb.deliberation.forms import CommentForm
from pb.deliberation.markdown import render
from pb.deliberation.models import Comment, Flag, Follow, Notification, Support
from pb.deliberation.permissions import can_edit_comment, can_moderate, can_take_part, is_blocked
from pb.extensions import db
from pb.processes.models import Process
from pb.processes.services import Action, PhaseClosed, require_phase
from pb.proposals.models import Project
from pb.reports.models import RepresentationFlag
from pb.reports.monitoring import group_label

# Replies deeper than this are shown at this depth, so long threads stay readable on a phone.
MAX_DEPTH = 5


@dataclass
class CommentNode:
    """A comment as the thread shows it, with its replies."""

    comment: Comment
    author_name: str
    depth: int
    can_edit: bool
    is_mine: bool
    has_flagged: bool
    replies: list[CommentNode] = field(default_factory=list)

    @property
    def html(self) -> Markup:
        """The comment's text, rendered and sanitised; nothing once a moderator hid it (staff read it in the queue)."""
        if self.comment.hidden_at is not None:
            return Markup("")
        return render(self.comment.body)


@dataclass
class SupportState:
    """The project's supports and what the viewer may still do."""

    count: int
    is_open: bool
    message: str | None
    has_supported: bool
    limit: int | None
    remaining: int | None


@dataclass
class DeliberationView:
    """Everything the project page's discussion partial needs."""

    project: Project
    threads: list[CommentNode]
    thread_page: int
    thread_pages: int
    comment_count: int
    comment_form: CommentForm | None
    comment_message: str | None
    supports: SupportState
    is_following: bool
    can_take_part: bool
    is_signed_in: bool
    is_blocked: bool
    is_moderator: bool
    has_flagged_project: bool


def project_url(project_id: int, anchor: str | None = None) -> str:
    """The project's page (the proposals area's), or its discussion page when that page is not there."""
    # A link to one comment names it, so the page shows the page of threads that holds it.
    extra = {"comment": anchor.removeprefix("comment-")} if anchor and anchor.startswith("comment-") else {}
    try:
        if "proposals.project" in current_app.view_functions:
            return url_for("proposals.project", project_id=project_id, _anchor=anchor, **extra)
    except BuildError:
        pass
    return url_for("deliberation.discussion", project_id=project_id, _anchor=anchor, **extra)


def _phase_message(process: Process, action: Action) -> str | None:
    try:
        require_phase(process, action)
    except PhaseClosed as closed:
        return closed.message
    return None


# The thread is shown a page at a time: this many threads (a comment and all its replies), oldest first,
# as CONSUL does (10 top-level comments a page).
THREADS_PER_PAGE = 10


@dataclass
class ThreadPage:
    """One page of a project's comment threads."""

    threads: list[CommentNode]
    page: int
    pages: int


def _is_root(project_id: int):
    return sa.and_(Comment.project_id == project_id, Comment.parent_id.is_(None))


def _page_of_comment(project_id: int, comment_id: int) -> int | None:
    """The page of threads that shows a comment of the project (None if it is not one)."""
    ancestors = (sa.select(Comment.id, Comment.parent_id)
                 .where(Comment.id == comment_id, Comment.project_id == project_id)
                 .cte("ancestors", recursive=True))
    ancestors = ancestors.union_all(
        sa.select(Comment.id, Comment.parent_id).join(ancestors, ancestors.c.parent_id == Comment.id))
    root = db.session.execute(
        sa.select(Comment.id, Comment.created_at)
        .where(Comment.id.in_(sa.select(ancestors.c.id).where(ancestors.c.parent_id.is_(None))))
    ).first()
    if root is None:
        return None
    before = db.session.execute(
        sa.select(sa.func.count()).select_from(Comment).where(
            _is_root(project_id),
            sa.or_(Comment.created_at < root.created_at,
                   sa.and_(Comment.created_at == root.created_at, Comment.id < root.id)))
    ).scalar_one()
    return before // THREADS_PER_PAGE + 1


def comment_thread(project: Project, viewer: Any, page: int = 1, focus: int | None = None) -> ThreadPage:
    """One page of the project's comments as threads, oldest first, replies nested under their parent.

    ``focus`` (a comment id) picks the page that shows that comment, for links to one comment.
    """
    viewer_id = viewer.id if getattr(viewer, "is_authenticated", False) else None
    roots_total = db.session.execute(
        sa.select(sa.func.count()).select_from(Comment).where(_is_root(project.id))).scalar_one()
    pages = max(1, -(-roots_total // THREADS_PER_PAGE))
    if focus is not None:
        page = _page_of_comment(project.id, focus) or page
    page = min(max(1, page), pages)
    # The page's threads: its roots, then every reply below them (the database walks the tree).
    page_roots = (sa.select(Comment.id).where(_is_root(project.id))
                  .order_by(Comment.created_at, Comment.id)
                  .limit(THREADS_PER_PAGE).offset((page - 1) * THREADS_PER_PAGE))
    thread = sa.select(Comment.id).where(Comment.id.in_(page_roots)).cte("thread", recursive=True)
    thread = thread.union_all(sa.select(Comment.id).join(thread, Comment.parent_id == thread.c.id))
    rows = db.session.execute(
        sa.select(Comment, User.display_name)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.id.in_(sa.select(thread.c.id)))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    flagged: set[int] = set()
    if viewer_id is not None and rows:
        flagged = set(db.session.execute(
            sa.select(Flag.comment_id).where(Flag.comment_id.in_([c.id for c, _name in rows]),
                                             Flag.reporter_id == viewer_id)
        ).scalars())
    nodes: dict[int, CommentNode] = {}
    roots: list[CommentNode] = []
    for comment, name in rows:
        node = CommentNode(comment=comment, author_name=name or "", depth=0,
                           can_edit=viewer_id is not None and can_edit_comment(viewer, comment),
                           is_mine=viewer_id is not None and comment.author_id == viewer_id,
                           has_flagged=comment.id in flagged)
        nodes[comment.id] = node
        parent = nodes.get(comment.parent_id) if comment.parent_id is not None else None
        if parent is None:
            roots.append(node)
            continue
        # Past the depth limit a reply joins its parent's level instead of indenting further.
        while parent.depth >= MAX_DEPTH:
            grand = nodes.get(parent.comment.parent_id) if parent.comment.parent_id is not None else None
            if grand is None:
                break
            parent = grand
        node.depth = parent.depth + 1
        parent.replies.append(node)
    return ThreadPage(threads=roots, page=page, pages=pages)


def support_state(project: Project, process: Process, viewer: Any) -> SupportState:
    """The support count and, for a signed-in resident, whether they support it and how many remain."""
    count = db.session.execute(
        sa.select(sa.func.count()).select_from(Support).where(Support.project_id == project.id)).scalar_one()
    has_supported = False
    remaining = None
    limit = process.max_supports_per_resident
    if getattr(viewer, "is_authenticated", False):
        has_supported = db.session.execute(
            sa.select(Support.id).where(Support.project_id == project.id, Support.user_id == viewer.id)
        ).first() is not None
        if limit is not None:
            remaining = max(0, limit - supports_used(viewer.id, process.id))
    message = _phase_message(process, Action.SUPPORT)
    return SupportState(count=count, is_open=message is None, message=message, has_supported=has_supported,
                        limit=limit, remaining=remaining)


def supports_used(user_id: int, process_id: int) -> int:
    """How many projects of the process the resident supports."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(Support).join(Project, Project.id == Support.project_id)
        .where(Support.user_id == user_id, Project.process_id == process_id)
    ).scalar_one()


def project_deliberation(project: Project, viewer: Any, comments_page: int = 1,
                         focus_comment: int | None = None) -> dict[str, Any]:
    """The context of ``templates/deliberation/_project_deliberation.html``: spread it into the page's.

    ``comments_page`` is the page of comment threads to show; ``focus_comment`` a comment whose page to show.
    """
    process = db.session.get(Process, project.process_id)
    signed_in = bool(getattr(viewer, "is_authenticated", False))
    taking_part = can_take_part(viewer)
    thread_page = comment_thread(project, viewer, comments_page, focus_comment)
    comment_count = db.session.execute(
        sa.select(sa.func.count()).select_from(Comment).where(Comment.project_id == project.id)).scalar_one()
    message = _phase_message(process, Action.COMMENT)
    form = None
    if taking_part and message is None and project.hidden_at is None:
        form = CommentForm(formdata=None, prefix=f"comment-{project.id}")
    following = flagged_project = False
    if signed_in:
        following = db.session.get(Follow, (project.id, viewer.id)) is not None
        flagged_project = db.session.execute(
            sa.select(Flag.id).where(Flag.project_id == project.id, Flag.reporter_id == viewer.id)
        ).first() is not None
    view = DeliberationView(
        project=project, threads=thread_page.threads, thread_page=thread_page.page,
        thread_pages=thread_page.pages, comment_count=comment_count, comment_form=form, comment_message=message,
        supports=support_state(project, process, viewer), is_following=following, can_take_part=taking_part,
        is_signed_in=signed_in, is_blocked=is_blocked(viewer), is_moderator=can_moderate(viewer),
        has_flagged_project=flagged_project,
    )
    return {"deliberation": view}


@dataclass
class NotificationItem:
    """A notification with what its line needs."""

    notification: Notification
    project_title: str | None
    url: str


def notifications_for(user: User, limit: int = 100) -> list[NotificationItem]:
    """The user's newest notifications, with the project title and a link to the comment."""
    rows = db.session.execute(
        sa.select(Notification, Project.title)
        .outerjoin(Project, Project.id == Notification.project_id)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()
    items = []
    for notification, title in rows:
        if notification.representation_flag_id is not None:
            items.append(_flag_item(notification))
            continue
        anchor = f"comment-{notification.comment_id}" if notification.comment_id else None
        url = project_url(notification.project_id, anchor) if notification.project_id else url_for(
            "deliberation.notifications")
        items.append(NotificationItem(notification=notification, project_title=title, url=url))
    return items


def _flag_item(notification: Notification) -> NotificationItem:
    """A staff notification of a red flag of live representativeness: the group, linked to the live page."""
    flag = db.session.get(RepresentationFlag, notification.representation_flag_id)
    process = db.session.get(Process, flag.process_id)
    return NotificationItem(notification=notification,
                            project_title=f"{process.name}: {group_label(flag.attribute, flag.group)}",
                            url=url_for("reports.live", process_id=process.id))


@dataclass
class QueueEntry:
    """One flagged comment or project in the moderation queue, with its open flags."""

    kind: str  # "comment" or "project"
    comment: Comment | None
    project: Project
    author: User | None
    flags: list[Flag]
    reporters: dict[int, str]
    first_flagged_at: dt.datetime

    @property
    def reason_counts(self) -> dict[str, int]:
        """How many open flags give each reason."""
        counts: dict[str, int] = {}
        for flag in self.flags:
            counts[flag.reason.value] = counts.get(flag.reason.value, 0) + 1
        return counts


def moderation_queue(within: frozenset[int] | None = None) -> list[QueueEntry]:
    """Open flags grouped by their comment or project, the longest-waiting first (of the municipalities
    ``within``, when given)."""
    flags = db.session.execute(
        sa.select(Flag).where(Flag.resolved_at.is_(None)).order_by(Flag.created_at, Flag.id)
    ).scalars().all()
    groups: dict[tuple[str, int], list[Flag]] = {}
    for flag in flags:
        key = ("comment", flag.comment_id) if flag.comment_id is not None else ("project", flag.project_id)
        groups.setdefault(key, []).append(flag)  # type: ignore[arg-type]
    comment_ids = [i for kind, i in groups if kind == "comment"]
    comments = {c.id: c for c in db.session.execute(
        sa.select(Comment).where(Comment.id.in_(comment_ids))).scalars()} if comment_ids else {}
    project_ids = {i for kind, i in groups if kind == "project"} | {c.project_id for c in comments.values()}
    projects = {p.id: p for p in db.session.execute(
        sa.select(Project).where(Project.id.in_(project_ids))).scalars()} if project_ids else {}
    user_ids = {c.author_id for c in comments.values()} | {p.author_id for p in projects.values()} | {
        f.reporter_id for f in flags}
    users = {u.id: u for u in db.session.execute(
        sa.select(User).where(User.id.in_([i for i in user_ids if i is not None]))).scalars()}
    municipality_of_process = dict(db.session.execute(
        sa.select(Process.id, Process.municipality_id).where(Process.id.in_({p.process_id for p in projects.values()}))
    ).all()) if projects else {}
    entries = []
    for (kind, target_id), group in groups.items():
        comment = comments.get(target_id) if kind == "comment" else None
        project = projects[comment.project_id if comment is not None else target_id]
        if within is not None and municipality_of_process[project.process_id] not in within:
            continue
        author_id = comment.author_id if comment is not None else project.author_id
        reporters = {f.id: (users[f.reporter_id].display_name or users[f.reporter_id].email)
                     for f in group if f.reporter_id in users}
        entries.append(QueueEntry(kind=kind, comment=comment, project=project, author=users.get(author_id),
                                  flags=group, reporters=reporters, first_flagged_at=group[0].created_at))
    entries.sort(key=lambda e: e.first_flagged_at)
    return entries


def blocked_residents() -> list[User]:
    """Residents' accounts a moderator blocked, the most recent first."""
    return list(db.session.scalars(sa.select(User).where(User.role == Role.RESIDENT, User.blocked_at.is_not(None))
                                   .order_by(User.blocked_at.desc(), User.id)))
