"""A phase opened early keeps the start first published, which fixes who is of voting age.

Revision ID: 0056
Revises: 0055
Create Date: 2026-12-07 15:40:00

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0056'
down_revision = '0055'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('phase', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheduled_starts_at', pb.core.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('phase', schema=None) as batch_op:
        batch_op.drop_column('scheduled_starts_at')
