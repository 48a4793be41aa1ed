"""Mandate four eyes: whoever drafted a version cannot sign it (a preset setting, on for the binding presets).

Existing data: the versions started from the binding presets (Poland, France, Portugal) get four eyes; the
others do not.

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-07 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0051'
down_revision = '0050'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('four_eyes', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE mandate SET four_eyes = TRUE WHERE preset IN ('pl', 'fr', 'pt')")


def downgrade():
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.drop_column('four_eyes')
