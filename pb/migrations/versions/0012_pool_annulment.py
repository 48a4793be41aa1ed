"""Pools: when and why a clerk annulled a pool's vote (fraud in one district, say).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 09:59:04.224749

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pool', schema=None) as batch_op:
        batch_op.add_column(sa.Column('annulled_at', pb.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('annulment_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('pool', schema=None) as batch_op:
        batch_op.drop_column('annulment_reason')
        batch_op.drop_column('annulled_at')

