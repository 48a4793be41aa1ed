"""Deliberation: comments, supports, follows, notifications, reports and moderation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.deliberation import services
from pb.deliberation.forms import CommentInput, FlagInput
from pb.deliberation.models import (Comment, Flag, FlagReason, FlagResolution, Follow, Notification,
                                    NotificationKind, Stance, Support)
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.processes.services import PhaseClosed


@pytest.fixture
def world(make_user, make_process, make_project):
    """A process in its deliberation phase with one project on the ballot by its author."""
    author = make_user(display_name="Author")
    process = make_process(vote_in_days=10)
    project = make_project(process, status="on_ballot", author=author)
    return process, project, author


def comment_data(project, body, stance=""):
    return {f"comment-{project.id}-body": body, f"comment-{project.id}-stance": stance}


def events(db, action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def test_comment_reply_and_edit(client, db, login, make_user, world):
    _, project, author = world
    resident = make_user(display_name="Resident")
    login(resident)
    response = client.post(f"/projects/{project.id}/comments",
                           data={**comment_data(project, "I *like* it", "for"), "next": "/evil//"})
    assert response.status_code == 302
    comment = db.session.execute(sa.select(Comment)).scalar_one()
    assert (comment.author_id, comment.body, comment.stance) == (resident.id, "I *like* it", Stance.FOR)
    # The author is told of the new comment.
    kinds = db.session.execute(sa.select(Notification.user_id, Notification.kind)).all()
    assert kinds == [(author.id, NotificationKind.COMMENT)]

    page = client.get(f"/projects/{project.id}/discussion").get_data(as_text=True)
    assert "<em>like</em>" in page and "edited" not in page

    response = client.post(f"/comments/{comment.id}/reply", data=comment_data(project, "A reply"))
    assert response.status_code == 302
    reply = db.session.execute(sa.select(Comment).where(Comment.parent_id == comment.id)).scalar_one()
    assert reply.project_id == project.id

    response = client.post(f"/comments/{comment.id}/edit", data=comment_data(project, "I *love* it", "neutral"))
    assert response.status_code == 302
    db.session.refresh(comment)
    assert comment.body == "I *love* it" and comment.stance is Stance.NEUTRAL and comment.edited_at is not None
    page = client.get(f"/projects/{project.id}/discussion").get_data(as_text=True)
    assert "<em>love</em>" in page and "edited" in page


def test_only_the_author_edits(client, db, login, make_user, world):
    _, project, author = world
    comment = services.add_comment(author, project, CommentInput("Mine", None))
    db.session.commit()
    login(make_user())
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    assert client.post(f"/comments/{comment.id}/edit", data=comment_data(project, "Yours")).status_code == 403


def test_empty_and_oversized_comments_are_refused(client, db, login, make_user, world):
    _, project, _ = world
    login(make_user())
    response = client.post(f"/projects/{project.id}/comments", data=comment_data(project, "x" * 5001))
    assert response.status_code == 200
    assert "at most 5,000 characters" in response.get_data(as_text=True)
    response = client.post(f"/projects/{project.id}/comments", data=comment_data(project, "   "))
    assert response.status_code == 200
    assert db.session.execute(sa.select(sa.func.count()).select_from(Comment)).scalar_one() == 0
    with pytest.raises(ValidationError):
        services.add_comment(make_user(), project, CommentInput("", None))


def test_comment_refused_outside_its_phase(client, db, login, make_user, make_process, make_project):
    process = make_process(slug="later", vote_in_days=200)  # still in the information phase
    project = make_project(process, status="published")
    login(make_user())
    response = client.post(f"/projects/{project.id}/comments", data=comment_data(project, "Too early"),
                           follow_redirects=True)
    assert "This is possible during the phase" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Comment)).scalar_one() == 0
    page = client.get(f"/projects/{project.id}/discussion").get_data(as_text=True)
    assert "This is possible during the phase" in page and "Send comment" not in page


def test_blocked_account_cannot_comment(db, make_user, world):
    _, project, _ = world
    from pb.core.db import utcnow

    blocked = make_user(blocked_at=utcnow(), blocked_reason="Repeated insults")
    with pytest.raises(NotAllowed, match="blocked"):
        services.add_comment(blocked, project, CommentInput("Hello", None))
    with pytest.raises(NotAllowed, match="blocked"):
        services.support_project(blocked, project)


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                     "[x](javascript:alert(1))", '<a href="javascript:alert(1)">x</a>'])
def test_comments_are_sanitised(client, db, login, make_user, world, payload):
    _, project, _ = world
    login(make_user())
    assert client.post(f"/projects/{project.id}/comments", data=comment_data(project, payload)).status_code == 302
    assert db.session.execute(sa.select(Comment.body)).scalar_one() == payload  # stored as written
    page = client.get(f"/projects/{project.id}/discussion").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "<img" not in page
    assert '<a href="javascript' not in page.lower()
    assert "&lt;" in page or "javascript:alert(1)" in page  # shown as text, not markup


def test_links_get_rel_nofollow():
    from pb.deliberation.markdown import render

    html = render("See [the plan](https://example.org/plan) and **this**\n\n- one\n- two\n\n`code`")
    assert '<a href="https://example.org/plan" rel="nofollow noopener ugc">the plan</a>' in html
    assert "<strong>this</strong>" in html and "<li>one</li>" in html and "<code>code</code>" in html


def test_supports_limit_double_and_withdraw(client, db, login, make_user, make_process, make_project):
    process = make_process(vote_in_days=10, max_supports_per_resident=1)
    first, second = make_project(process, status="on_ballot"), make_project(process, status="on_ballot")
    resident = make_user()
    login(resident)
    assert client.post(f"/projects/{first.id}/support").status_code == 302
    # A double click: still one support, no error.
    response = client.post(f"/projects/{first.id}/support", follow_redirects=True)
    assert response.status_code == 200
    assert db.session.execute(sa.select(sa.func.count()).select_from(Support)).scalar_one() == 1
    response = client.post(f"/projects/{second.id}/support", follow_redirects=True)
    assert "You have used all 1 supports of this process" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(Support.project_id)).scalars().all() == [first.id]
    page = client.get(f"/projects/{first.id}/discussion").get_data(as_text=True)
    assert "1 resident supports this project." in page and "You can support 0 more projects" in page
    assert client.post(f"/projects/{first.id}/support/withdraw").status_code == 302
    assert client.post(f"/projects/{second.id}/support").status_code == 302
    assert db.session.execute(sa.select(Support.project_id)).scalars().all() == [second.id]


def test_double_support_is_harmless_in_the_service(db, make_user, world):
    _, project, _ = world
    resident = make_user()
    assert services.support_project(resident, project) is True
    assert services.support_project(resident, project) is False
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Support)).scalar_one() == 1


def test_supports_refused_outside_their_phase(db, make_user, make_process, make_project):
    process = make_process(vote_in_days=80)  # proposals phase
    project = make_project(process, status="published")
    with pytest.raises(PhaseClosed, match="This is possible during the phase"):
        services.support_project(make_user(), project)


def test_follow_and_notifications(client, db, login, make_user, world):
    _, project, author = world
    follower, other = make_user(), make_user()
    login(follower)
    assert client.post(f"/projects/{project.id}/follow").status_code == 302
    assert client.post(f"/projects/{project.id}/follow").status_code == 302  # twice is harmless
    assert db.session.execute(sa.select(Follow.user_id)).scalars().all() == [follower.id]

    mine = services.add_comment(follower, project, CommentInput("Following", None))
    db.session.commit()
    services.add_comment(other, project, CommentInput("A reply", None), parent=mine)
    db.session.commit()
    rows = db.session.execute(sa.select(Notification.user_id, Notification.kind)
                              .where(Notification.comment_id != mine.id)).all()
    # The follower is told once (as a reply, not also as a comment); the author as a comment.
    assert sorted(rows) == sorted([(follower.id, NotificationKind.REPLY), (author.id, NotificationKind.COMMENT)])

    assert "Notifications (1)" in client.get(f"/projects/{project.id}/discussion").get_data(as_text=True)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Someone replied to your comment on" in page and project.title in page
    assert db.session.execute(sa.select(Notification.read_at).where(Notification.user_id == follower.id)
                              ).scalar_one() is not None
    assert "Notifications (1)" not in client.get("/notifications").get_data(as_text=True)

    assert client.post(f"/projects/{project.id}/unfollow").status_code == 302
    assert db.session.execute(sa.select(sa.func.count()).select_from(Follow)).scalar_one() == 0


def test_notify_deduplicates_and_excludes_the_actor(db, make_user, world):
    from pb.deliberation.notifications import interested_users, notify

    _, project, author = world
    a, b = make_user(), make_user()
    notify(db.session, [a.id, a.id, b.id, None], NotificationKind.REVIEW_OUTCOME, project.id, exclude=b.id)
    db.session.commit()
    assert db.session.execute(sa.select(Notification.user_id)).scalars().all() == [a.id]
    assert interested_users(db.session, project) == {author.id}


def test_flag_hide_with_reason(client, db, login, make_user, world):
    _, project, author = world
    comment = services.add_comment(author, project, CommentInput("Buy cheap watches", None))
    db.session.commit()
    reporter, clerk = make_user(), make_user(role="clerk")
    login(reporter)
    response = client.post(f"/comments/{comment.id}/flag", data={"reason": "spam", "note": "An advert"})
    assert response.status_code == 302
    response = client.post(f"/comments/{comment.id}/flag", data={"reason": "offensive"}, follow_redirects=True)
    assert "You have already reported this" in response.get_data(as_text=True)
    flag = db.session.execute(sa.select(Flag)).scalar_one()
    assert (flag.reason, flag.note, flag.resolved_at) == (FlagReason.SPAM, "An advert", None)

    client.post("/logout")
    login(clerk)
    queue = client.get("/staff/moderation").get_data(as_text=True)
    assert "Buy cheap watches" in queue and "An advert" in queue
    # The public reason is required.
    response = client.post(f"/staff/moderation/comments/{comment.id}/hide", data={"reason": "  "})
    assert response.status_code == 200 and "Give the public reason" in response.get_data(as_text=True)
    with pytest.raises(ValidationError):
        services.hide_comment(clerk, comment, "")
    db.session.refresh(comment)
    assert comment.hidden_at is None

    response = client.post(f"/staff/moderation/comments/{comment.id}/hide", data={"reason": "Advertising"})
    assert response.status_code == 302
    db.session.refresh(comment)
    db.session.refresh(flag)
    assert comment.hidden_reason == "Advertising" and comment.hidden_by_id == clerk.id and comment.hidden_at
    assert flag.resolution is FlagResolution.HIDDEN and flag.resolved_by_id == clerk.id
    [event] = events(db, "comment.hide")
    assert event.before["hidden_at"] is None and event.after["hidden_reason"] == "Advertising"
    assert event.actor_id == clerk.id
    assert db.session.execute(sa.select(Notification.kind).where(Notification.user_id == author.id)
                              ).scalars().all() == [NotificationKind.HIDDEN]
    assert db.session.get(Comment, comment.id) is not None  # hidden, never deleted

    page = client.get(f"/projects/{project.id}/discussion").get_data(as_text=True)
    assert "Hidden by a moderator: Advertising" in page and "Buy cheap watches" not in page
    assert "Buy cheap watches" not in client.get("/staff/moderation").get_data(as_text=True)


def test_non_clerks_cannot_moderate(db, make_user, world):
    _, project, author = world
    comment = services.add_comment(author, project, CommentInput("Text", None))
    with pytest.raises(NotAllowed):
        services.hide_comment(make_user(), comment, "Reason")
    with pytest.raises(NotAllowed):
        services.block_user(make_user(role="legal_officer"), author, "Reason")


def test_dismiss_flags(client, db, login, make_user, world):
    _, project, _ = world
    reporter, clerk = make_user(), make_user(role="clerk")
    services.flag_project(reporter, project, FlagInput(FlagReason.OFF_TOPIC, ""))
    db.session.commit()
    login(clerk)
    assert client.post(f"/staff/moderation/projects/{project.id}/dismiss").status_code == 302
    flag = db.session.execute(sa.select(Flag)).scalar_one()
    assert flag.resolution is FlagResolution.DISMISSED and flag.resolved_at is not None
    [event] = events(db, "flags.dismiss")
    assert event.after["dismissed"] == [flag.id]
    db.session.refresh(project)
    assert project.hidden_at is None
    with pytest.raises(InvalidTransition):
        services.dismiss_flags(clerk, project=project)


def test_hide_project_requires_reason(client, db, login, make_user, world):
    _, project, author = world
    clerk = make_user(role="clerk")
    login(clerk)
    assert client.post(f"/staff/moderation/projects/{project.id}/hide", data={"reason": ""}).status_code == 200
    db.session.refresh(project)
    assert project.hidden_at is None
    assert client.post(f"/staff/moderation/projects/{project.id}/hide",
                       data={"reason": "Duplicate of another project"}).status_code == 302
    db.session.refresh(project)
    assert project.hidden_reason == "Duplicate of another project" and project.hidden_by_id == clerk.id
    [event] = events(db, "project.hide")
    assert event.before["hidden_reason"] is None and event.after["hidden_reason"] == "Duplicate of another project"
    page = client.get(f"/projects/{project.id}/discussion").get_data(as_text=True)
    assert "Hidden by a moderator: Duplicate of another project" in page
    with pytest.raises(NotAllowed):
        services.add_comment(author, project, CommentInput("Still here", None))


def test_block_account(client, db, login, make_user, make_app, world):
    _, project, author = world
    clerk = make_user(role="clerk")
    author_client = client.application.test_client()
    author_client.post("/login", data={"email": author.email, "password": "correct horse battery"})
    assert author_client.get("/notifications").status_code == 200
    token = author.session_token

    login(clerk)
    assert client.post(f"/staff/moderation/users/{author.id}/block", data={"reason": ""}).status_code == 200
    response = client.post(f"/staff/moderation/users/{author.id}/block", data={"reason": "Spam campaign"})
    assert response.status_code == 302
    db.session.refresh(author)
    assert author.blocked_at is not None and author.blocked_reason == "Spam campaign"
    assert author.session_token != token
    [event] = events(db, "account.block")
    assert event.before == {"blocked_at": None, "blocked_reason": None}
    assert event.after["blocked_reason"] == "Spam campaign"
    # Signed out everywhere.
    response = author_client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with pytest.raises(NotAllowed):
        services.block_user(clerk, clerk, "Myself")
