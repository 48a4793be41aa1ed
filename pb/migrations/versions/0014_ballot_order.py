"""Processes: the order of projects on the ballot (by code, or shuffled per voter).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ballot_order', sa.Enum('code', 'random', name='ballotorder', native_enum=False,
                                                              length=8), server_default='code', nullable=False))


def downgrade():
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.drop_column('ballot_order')
