"""Read-only queries of mandates."""

from __future__ import annotations

import sqlalchemy as sa

from pb.extensions import db
from pb.mandate.models import Mandate


def latest_mandates() -> dict[int, Mandate]:
    """The newest mandate version of each process, by process id."""
    newest = sa.select(Mandate.process_id, sa.func.max(Mandate.version).label("version")).group_by(
        Mandate.process_id).subquery()
    rows = db.session.execute(sa.select(Mandate).join(
        newest, sa.and_(Mandate.process_id == newest.c.process_id, Mandate.version == newest.c.version)))
    return {mandate.process_id: mandate for mandate in rows.scalars()}
