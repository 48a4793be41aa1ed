"""Live representativeness: the red flags raised while the vote is open, and staff notifications about them.

Revision ID: 0070
Revises: 0060
Create Date: 2026-12-07 15:30:00

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0070'
down_revision = '0060'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'representation_flag',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('attribute', sa.String(length=16), nullable=False),
        sa.Column('group', sa.String(length=200), nullable=False),
        sa.Column('raised_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('raised_representation', sa.Float(), nullable=False),
        sa.Column('representation', sa.Float(), nullable=True),
        sa.Column('checked_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('cleared_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_representation_flag_process_id_process'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_representation_flag')),
        sa.UniqueConstraint('process_id', 'attribute', 'group',
                            name=op.f('uq_representation_flag_process_id_attribute_group')),
    )
    with op.batch_alter_table('representation_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_representation_flag_process_id'), ['process_id'], unique=False)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('representation_flag_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notification_representation_flag_id_representation_flag'),
                                    'representation_flag', ['representation_flag_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_representation_flag_id_representation_flag'),
                                 type_='foreignkey')
        batch_op.drop_column('representation_flag_id')
    with op.batch_alter_table('representation_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_representation_flag_process_id'))
    op.drop_table('representation_flag')
