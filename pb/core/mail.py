"""E-mail: queued in the database inside the transaction that causes it, delivered afterwards.

Queuing instead of sending keeps requests fast and their timing the same whether or not a mail
goes out (so no form tells who has an account), a failing mail server never breaks a page, and a
rolled-back transaction never leaves a mail behind. Delivery runs after the request in development
and tests (``PB_MAIL_DELIVERY=inline``) and in a worker in production (``flask --app pb mail worker``).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from pb.core.db import utcnow
from pb.extensions import db

log = logging.getLogger("pb.mail")

MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Message:
    """One e-mail to one recipient; ``headers`` adds header fields (e.g. List-Unsubscribe, RFC 8058)."""

    to: str
    subject: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()


# The memory backend's transport; tests read and clear it.
outbox: list[Message] = []


class OutboxMessage(db.Model):
    """A mail waiting to be delivered, or delivered (kept for a trace of what was sent when)."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # Extra header fields as [name, value] pairs (outreach mail carries its one-click unsubscribe here).
    headers: Mapped[list[list[str]] | None] = mapped_column(sa.JSON)


def queue(session: Session, message: Message) -> None:
    """Put a mail in the outbox, in the caller's transaction."""
    session.add(OutboxMessage(recipient=message.to, subject=message.subject, body=message.body,
                              headers=[list(pair) for pair in message.headers] or None))


def transmit(config: dict[str, Any], message: Message) -> None:
    """Hand one message to the transport named by PB_MAIL_BACKEND (smtp, log or memory)."""
    backend = config["PB_MAIL_BACKEND"]
    if backend == "memory":
        outbox.append(message)
    elif backend == "log":
        log.warning("e-mail to %s: %s\n%s", message.to, message.subject, message.body)
    elif backend == "smtp":
        email = EmailMessage()
        email["From"] = config["PB_MAIL_SENDER"]
        email["To"] = message.to
        email["Subject"] = message.subject
        for name, value in message.headers:
            email[name] = value
        email.set_content(message.body)
        with smtplib.SMTP(config["PB_MAIL_SERVER"], config["PB_MAIL_PORT"], timeout=10) as smtp:
            if config["PB_MAIL_USE_TLS"]:
                smtp.starttls()
            if config["PB_MAIL_USERNAME"]:
                smtp.login(config["PB_MAIL_USERNAME"], config["PB_MAIL_PASSWORD"] or "")
            smtp.send_message(email)
    else:
        raise ValueError(f"unknown PB_MAIL_BACKEND {backend!r}: use smtp, log or memory")


def deliver_pending(session: Session, config: dict[str, Any], limit: int = 50) -> tuple[int, int]:
    """Send what is due in the outbox; return (sent, failed). Several workers may run at once.

    Each message is claimed under a row lock that other workers skip (PostgreSQL), marked and
    committed one at a time, so a crash sends a message at most once more, never loses it.
    """
    sent = failed = 0
    for _ in range(limit):
        now = utcnow()
        message = session.execute(
            sa.select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS,
                   OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id).limit(1).with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if message is None:
            break
        try:
            transmit(config, Message(message.recipient, message.subject, message.body,
                                     tuple(tuple(pair) for pair in message.headers or ())))
        except Exception as error:  # any transport failure: retry later with a growing delay
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            message.next_attempt_at = now + dt.timedelta(minutes=2 ** message.attempts)
            log.warning("mail %s to %s failed (attempt %s): %s", message.id, message.recipient,
                        message.attempts, message.last_error)
            failed += 1
        else:
            message.attempts += 1
            message.sent_at = now
            sent += 1
        session.commit()
    return sent, failed
