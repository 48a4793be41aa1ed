"""The audit chain's head, authenticated: the number of events and an HMAC over it and the newest hash.

The key stays in the configuration; the first event written after this migration fills both columns.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_count', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('head_mac', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.drop_column('head_mac')
        batch_op.drop_column('event_count')
