"""Sending e-mail through the configured backend: SMTP, the log (development) or memory (tests)."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

log = logging.getLogger("pb.mail")


@dataclass(frozen=True)
class Message:
    """One e-mail to one recipient."""

    to: str
    subject: str
    body: str


# The memory backend's outbox; tests read and clear it.
outbox: list[Message] = []


def send(config: dict[str, Any], message: Message) -> None:
    """Send a message with the backend named by PB_MAIL_BACKEND."""
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
        email.set_content(message.body)
        with smtplib.SMTP(config["PB_MAIL_SERVER"], config["PB_MAIL_PORT"], timeout=10) as smtp:
            if config["PB_MAIL_USE_TLS"]:
                smtp.starttls()
            if config["PB_MAIL_USERNAME"]:
                smtp.login(config["PB_MAIL_USERNAME"], config["PB_MAIL_PASSWORD"] or "")
            smtp.send_message(email)
    else:
        raise ValueError(f"unknown PB_MAIL_BACKEND {backend!r}: use smtp, log or memory")
