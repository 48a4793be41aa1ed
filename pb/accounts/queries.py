"""Read-only queries of accounts."""

from __future__ import annotations

import sqlalchemy as sa

from pb.accounts.models import Role, User
from pb.extensions import db


def staff_accounts() -> list[User]:
    """Every account with a staff role, by role then address."""
    return list(db.session.execute(
        sa.select(User).where(User.role != Role.RESIDENT).order_by(User.role, User.email)).scalars())
