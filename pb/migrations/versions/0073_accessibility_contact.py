"""What a municipality fills into its public accessibility statement: contact, date, its own known gaps.

Revision ID: 0073
Revises: 0072
Create Date: 2026-12-07 15:40:00

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0073'
down_revision = '0072'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'accessibility_contact',
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('phone', sa.String(length=64), nullable=False),
        sa.Column('prepared_on', sa.Date(), nullable=False),
        sa.Column('known_gaps', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_accessibility_contact_municipality_id_municipality'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_accessibility_contact_updated_by_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('municipality_id', name=op.f('pk_accessibility_contact')),
    )


def downgrade():
    op.drop_table('accessibility_contact')
