"""Council decisions keep their history, record the adopted cost and the winner a project replaces; a finalised
annex after the first says why.

Revision ID: 0055
Revises: 0051
Create Date: 2026-12-07 15:30:00

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0055'
down_revision = '0051'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('council_decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adopted_cost', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('replaces_project_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_council_decision_replaces_project_id_project'), 'project',
                                    ['replaces_project_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'council_decision_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.Enum('adopted', 'adopted_with_changes', 'rejected', 'infeasible', 'deferred',
                                     name='decisionoutcome', native_enum=False, length=24), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('legal_ground', sa.String(length=500), nullable=False),
        sa.Column('decision_number', sa.String(length=80), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('adopted_cost', sa.BigInteger(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('correction_reason', sa.Text(), nullable=False),
        sa.Column('corrected_by_id', sa.Integer(), nullable=True),
        sa.Column('corrected_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['decision_id'], ['council_decision.id'],
                                name=op.f('fk_council_decision_revision_decision_id_council_decision'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_council_decision_revision_recorded_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['corrected_by_id'], ['user_account.id'],
                                name=op.f('fk_council_decision_revision_corrected_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_council_decision_revision')),
    )
    with op.batch_alter_table('council_decision_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_decision_revision_decision_id'), ['decision_id'], unique=False)
    with op.batch_alter_table('final_annex', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('final_annex', schema=None) as batch_op:
        batch_op.drop_column('reason')
    with op.batch_alter_table('council_decision_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_decision_revision_decision_id'))
    op.drop_table('council_decision_revision')
    with op.batch_alter_table('council_decision', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_council_decision_replaces_project_id_project'), type_='foreignkey')
        batch_op.drop_column('replaces_project_id')
        batch_op.drop_column('adopted_cost')
