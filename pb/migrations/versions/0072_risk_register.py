"""The ex-ante risk register: group, cause, likelihood and planned mitigation.

Revision ID: 0072
Revises: 0071
Create Date: 2026-12-07 15:35:00

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0072'
down_revision = '0071'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'risk',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('target_attribute', sa.String(length=16), nullable=False),
        sa.Column('target_group', sa.String(length=200), nullable=False),
        sa.Column('cause', sa.Text(), nullable=False),
        sa.Column('likelihood', sa.Enum('low', 'medium', 'high', name='likelihood', native_enum=False, length=24),
                  nullable=False),
        sa.Column('mitigation', sa.Text(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['mitigation_action.id'],
                                name=op.f('fk_risk_action_id_mitigation_action'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_risk_created_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_risk_process_id_process'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk')),
    )
    with op.batch_alter_table('risk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_process_id'), ['process_id'], unique=False)


def downgrade():
    with op.batch_alter_table('risk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_process_id'))
    op.drop_table('risk')
