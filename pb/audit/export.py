"""The audit log as a CSV file that is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from flask_babel import gettext as _

from pb.audit.labels import action_label, changes, object_label
from pb.audit.models import AuditEvent

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Google Sheets (OWASP, "CSV
# injection"): such a cell is written with a leading apostrophe, which shows the text as typed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(value: object) -> object:
    """The value as a cell that no spreadsheet runs as a formula (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def events_csv(events: Iterable[AuditEvent]) -> str:
    """One row per event: when (UTC, ISO 8601), who, what in plain words and as its code, the object, the
    fields that changed, and the raw before/after JSON and hashes for tools."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Event"), _("When (UTC)"), _("Who"), _("What"), _("Action"), _("Object"),
                     _("Object type"), _("Object id"), _("Change"), _("Before (JSON)"), _("After (JSON)"),
                     _("Hash")])
    for event in events:
        change = "; ".join(f"{c.field}: {c.before} → {c.after}" for c in changes(event.before, event.after))
        row = [event.id, event.occurred_at.isoformat(), event.actor_label, action_label(event.action), event.action,
               object_label(event.object_type, event.object_id), event.object_type, event.object_id or "", change,
               json.dumps(event.before, ensure_ascii=False, sort_keys=True) if event.before is not None else "",
               json.dumps(event.after, ensure_ascii=False, sort_keys=True) if event.after is not None else "",
               event.hash]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
