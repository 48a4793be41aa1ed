"""The mitigation plan of a process: actions with their kind, target group, dates, owner and cost.

Revision ID: 0071
Revises: 0070
Create Date: 2026-12-07 15:25:00

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0071'
down_revision = '0070'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mitigation_action',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('station', 'reminder', 'translation', 'phone_round', 'door_to_door', 'other',
                                  name='mitigationkind', native_enum=False, length=24), nullable=False),
        sa.Column('target_attribute', sa.String(length=16), nullable=False),
        sa.Column('target_group', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('place', sa.String(length=300), nullable=False),
        sa.Column('hours', sa.String(length=200), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('owner', sa.String(length=200), nullable=False),
        sa.Column('cost', sa.BigInteger(), nullable=True),
        sa.Column('is_ex_ante', sa.Boolean(), nullable=False),
        sa.Column('flag_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_mitigation_action_created_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['flag_id'], ['representation_flag.id'],
                                name=op.f('fk_mitigation_action_flag_id_representation_flag'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_mitigation_action_process_id_process'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mitigation_action')),
    )
    with op.batch_alter_table('mitigation_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mitigation_action_process_id'), ['process_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mitigation_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mitigation_action_process_id'))
    op.drop_table('mitigation_action')
