"""Mandate: the preset a mandate was started from (version and hash), and the council's decisions after the vote.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 06:23:58.455884

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('council_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('adopted', 'adopted_with_changes', 'rejected', 'infeasible', 'deferred', name='decisionoutcome', native_enum=False, length=24), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('legal_ground', sa.String(length=500), nullable=False),
    sa.Column('decision_number', sa.String(length=80), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandate.id'], name=op.f('fk_council_decision_mandate_id_mandate'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_council_decision_process_id_process'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_council_decision_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_council_decision_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_decision')),
    sa.UniqueConstraint('project_id', name=op.f('uq_council_decision_project_id'))
    )
    with op.batch_alter_table('council_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_decision_process_id'), ['process_id'], unique=False)

    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preset_version', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('preset_sha256', sa.String(length=64), nullable=True))



def downgrade():
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.drop_column('preset_sha256')
        batch_op.drop_column('preset_version')

    with op.batch_alter_table('council_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_decision_process_id'))

    op.drop_table('council_decision')
