"""The public accessibility statement (Directive (EU) 2016/2102, EN 301 549 / WCAG 2.1 AA).

Its text is data a legal officer reviews, one TOML file per language in ``legal/accessibility/`` in the form of
the EU model statement (Commission Implementing Decision (EU) 2018/1523); the municipality's contact, the date
the statement was prepared and its own known gaps are filled in from ``AccessibilityContact``, which a legal
officer keeps. Services flush and audit; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

import sqlalchemy as sa
from flask_babel import gettext as _

from pb.accounts.models import User
from pb.audit.services import record
from pb.errors import NotAllowed, ValidationError
from pb.extensions import db
from pb.processes.models import Municipality
from pb.reports.models import AccessibilityContact
from pb.reports.permissions import can_set_thresholds

#: The standard and level the statement measures the site against.
STANDARD = "EN 301 549 V3.2.1 / WCAG 2.1 AA"


@dataclass(frozen=True)
class Section:
    """One titled part of the statement; ``body`` is Markdown."""

    heading: str
    body: str


@dataclass(frozen=True)
class Statement:
    """The statement as shown, every placeholder filled in."""

    title: str
    intro: str
    sections: tuple[Section, ...]
    version: int


@lru_cache(maxsize=16)
def _text(directory: str, language: str) -> dict:
    path = Path(directory, "accessibility", f"{language}.toml")
    if not path.exists():
        path = Path(directory, "accessibility", "en.toml")
    with path.open("rb") as handle:
        return tomllib.load(handle)


def contact_of(municipality: Municipality) -> AccessibilityContact | None:
    """What the municipality filled in, if it did."""
    return db.session.get(AccessibilityContact, municipality.id)


def default_municipality() -> Municipality | None:
    """The municipality whose statement ``/accessibility`` shows: the first one set up."""
    return db.session.scalar(sa.select(Municipality).order_by(Municipality.id).limit(1))


def statement(directory: str, language: str, municipality: Municipality | None, site: str) -> Statement:
    """The statement in a language, for a municipality (its contact filled in, or a note that it is missing)."""
    text = _text(directory, language)
    contact = contact_of(municipality) if municipality is not None else None
    missing = _("not given yet")
    enforcement = text["enforcement"]
    gaps = contact.known_gaps.strip() if contact is not None else ""
    values = {
        "municipality": municipality.name if municipality is not None else site,
        "site": site,
        "email": contact.email if contact is not None else missing,
        "phone": (contact.phone or missing) if contact is not None else missing,
        "prepared_on": contact.prepared_on.isoformat() if contact is not None else missing,
        "gaps": gaps,
        "enforcement": enforcement.get(municipality.country_code.upper() if municipality else "", enforcement["default"]),
    }

    def fill(source: str) -> str:
        return Template(source).safe_substitute(values).strip()

    return Statement(title=text["title"], intro=fill(text["intro"]), version=text["version"],
                     sections=tuple(Section(part["heading"], fill(part["body"])) for part in text["sections"]))


@dataclass(frozen=True)
class ContactInput:
    """The municipality's contact as typed."""

    email: str
    phone: str
    prepared_on: dt.date | None
    known_gaps: str = ""


def set_contact(actor: User, municipality: Municipality, value: ContactInput) -> AccessibilityContact:
    """Keep what the municipality fills into its statement; the audit log holds what it replaced."""
    if not can_set_thresholds(actor):
        raise NotAllowed(_("Only a legal officer can change the accessibility statement."))
    email = (value.email or "").strip()
    if "@" not in email or len(email) > 254 or " " in email:
        raise ValidationError("email", _("Give the e-mail address where residents report a barrier."))
    if value.prepared_on is None:
        raise ValidationError("prepared_on", _("Give the date the statement was prepared or last reviewed."))
    found = contact_of(municipality)
    before = None if found is None else {"email": found.email, "phone": found.phone,
                                         "prepared_on": found.prepared_on, "known_gaps": found.known_gaps}
    if found is None:
        found = AccessibilityContact(municipality_id=municipality.id)
        db.session.add(found)
    found.email, found.phone = email, (value.phone or "").strip()
    found.prepared_on, found.known_gaps = value.prepared_on, (value.known_gaps or "").strip()
    found.updated_by_id = actor.id
    db.session.flush()
    record(db.session, actor, "accessibility.set", "municipality", municipality.id, before=before,
           after={"email": found.email, "phone": found.phone, "prepared_on": found.prepared_on,
                  "known_gaps": found.known_gaps})
    return found
