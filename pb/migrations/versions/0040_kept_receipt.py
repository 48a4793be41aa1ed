"""Tracking codes kept for the session that cast them, sealed with a key only that session's cookie holds.

Revision ID: 0040
Revises: 0031
Create Date: 2026-12-07 15:20:00

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0040'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'kept_receipt',
        sa.Column('holder', sa.String(length=64), nullable=False),
        sa.Column('pool_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sealed', sa.Text(), nullable=False),
        sa.Column('changed', sa.Boolean(), nullable=False),
        sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_kept_receipt_pool_id_pool'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_kept_receipt_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('holder', 'pool_id', name=op.f('pk_kept_receipt')),
    )
    with op.batch_alter_table('kept_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_receipt_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kept_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_receipt_user_id'))
    op.drop_table('kept_receipt')
