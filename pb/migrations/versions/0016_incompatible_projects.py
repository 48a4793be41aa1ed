"""Counting constraints: sets of incompatible projects per pool, and a minimum vote share per process.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_vote_share_basis_points', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            'min_vote_share_basis_points_range', 'min_vote_share_basis_points BETWEEN 1 AND 10000')
    op.create_table(
        'incompatible_set',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pool_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_incompatible_set_pool_id_pool'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_incompatible_set')),
    )
    with op.batch_alter_table('incompatible_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incompatible_set_pool_id'), ['pool_id'], unique=False)
    op.create_table(
        'incompatible_set_member',
        sa.Column('set_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'],
                                name=op.f('fk_incompatible_set_member_project_id_project'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['set_id'], ['incompatible_set.id'],
                                name=op.f('fk_incompatible_set_member_set_id_incompatible_set'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('set_id', 'project_id', name=op.f('pk_incompatible_set_member')),
    )
    with op.batch_alter_table('incompatible_set_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incompatible_set_member_project_id'), ['project_id'], unique=False)


def downgrade():
    with op.batch_alter_table('incompatible_set_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incompatible_set_member_project_id'))
    op.drop_table('incompatible_set_member')
    with op.batch_alter_table('incompatible_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incompatible_set_pool_id'))
    op.drop_table('incompatible_set')
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.drop_constraint('min_vote_share_basis_points_range', type_='check')
        batch_op.drop_column('min_vote_share_basis_points')
