"""Residents are told: author, co-authors and followers get an in-app notification on a status change or an
update, and an e-mail through the outbox if they asked for one."""

from __future__ import annotations

import sqlalchemy as sa

from pb.core.mail import OutboxMessage
from pb.deliberation.models import Follow, Notification, NotificationKind
from pb.delivery import services
from pb.delivery.models import DeliveryStatus


def notified(db) -> list[tuple[int, NotificationKind]]:
    return sorted(tuple(row) for row in db.session.execute(sa.select(Notification.user_id, Notification.kind)))


def test_status_changes_and_updates_notify_author_coauthors_and_followers(db, ctx, world, clerk):
    people = sorted(world[k].id for k in ("author", "coauthor", "follower"))
    services.change_status(clerk, world["record"], DeliveryStatus.DESIGN)
    assert notified(db) == [(uid, NotificationKind.DELIVERY_STATUS) for uid in people]
    services.post_update(clerk, world["record"], "The architect has been chosen.")
    assert notified(db).count((world["follower"].id, NotificationKind.DELIVERY_UPDATE)) == 1
    # Nobody asked for e-mail.
    assert db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)).scalar_one() == 0


def test_only_those_who_opted_in_get_an_email(db, ctx, world, clerk, make_user):
    services.set_mail_opt_in(world["follower"], world["project"], True)
    stranger = make_user(email="stranger@example.org")
    services.set_mail_opt_in(stranger, world["project"], True)
    # Asking for e-mail follows the project, so the stranger is told in-app too.
    assert db.session.get(Follow, (world["project"].id, stranger.id)) is not None
    services.post_update(clerk, world["record"], "Works start on Monday.")
    mails = list(db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.recipient)).scalars())
    assert [m.recipient for m in mails] == ["follower@example.org", "stranger@example.org"]
    assert "Works start on Monday." in mails[0].body and "Park" in mails[0].subject
    assert f"/projects/{world['project'].id}" in mails[0].body
    services.set_mail_opt_in(world["follower"], world["project"], False)
    services.change_status(clerk, world["record"], DeliveryStatus.WORKS)
    assert db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)).scalar_one() == 3


def test_the_acting_member_of_staff_is_not_notified(db, ctx, world, clerk):
    db.session.add(Follow(project_id=world["project"].id, user_id=clerk.id))
    services.post_update(clerk, world["record"], "Hello.")
    assert clerk.id not in [uid for uid, _kind in notified(db)]
