"""SMS through a provider named by PB_SMS_BACKEND: ``log`` (the default: the text goes to the log, for a
municipality without a provider) or ``memory`` (tests read ``sent``). A real provider is one more branch here."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("pb.sms")


@dataclass(frozen=True)
class Sms:
    """One text message to one number."""

    to: str
    text: str


# The memory backend's transport; tests read and clear it.
sent: list[Sms] = []


def send(config: dict[str, Any], number: str, text: str) -> None:
    """Hand one SMS to the provider named by PB_SMS_BACKEND."""
    backend = config.get("PB_SMS_BACKEND") or "log"
    if backend == "memory":
        sent.append(Sms(number, text))
    elif backend == "log":
        log.warning("SMS to %s: %s", number, text)
    else:
        raise ValueError(f"unknown PB_SMS_BACKEND {backend!r}: use log or memory")
