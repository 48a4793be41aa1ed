"""Phases: the end first published and the reason, when a clerk extends a phase (a vote after an outage).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 09:56:40.334971

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('phase', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheduled_ends_at', pb.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('extension_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('phase', schema=None) as batch_op:
        batch_op.drop_column('extension_reason')
        batch_op.drop_column('scheduled_ends_at')

