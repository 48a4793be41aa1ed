"""Maps: a municipality's tile server and attribution, and each district's boundary as GeoJSON.

Revision ID: 0080
Revises: 0074
Create Date: 2026-12-07 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0080'
down_revision = '0074'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('map_tiles', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('map_attribution', sa.String(length=300), nullable=True))
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.add_column(sa.Column('boundary', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.drop_column('boundary')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('map_attribution')
        batch_op.drop_column('map_tiles')
