"""Reports: a municipality's own thresholds for the green/amber/red flags of its impact assessments.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 07:23:35.219095

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment_thresholds',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('representation_green_low', sa.Float(), nullable=False),
    sa.Column('representation_green_high', sa.Float(), nullable=False),
    sa.Column('representation_amber_low', sa.Float(), nullable=False),
    sa.Column('representation_amber_high', sa.Float(), nullable=False),
    sa.Column('spending_gini_green', sa.Float(), nullable=False),
    sa.Column('spending_gini_amber', sa.Float(), nullable=False),
    sa.Column('funded_share_green', sa.Float(), nullable=False),
    sa.Column('funded_share_amber', sa.Float(), nullable=False),
    sa.Column('min_group', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_assessment_thresholds_municipality_id_municipality'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_assessment_thresholds_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('municipality_id', name=op.f('pk_assessment_thresholds'))
    )


def downgrade():
    op.drop_table('assessment_thresholds')
