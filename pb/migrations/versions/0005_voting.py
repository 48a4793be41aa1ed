"""Voting: one-time voting codes, how a register entry was verified, stored tally results, the vote's closing time.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 06:21:01.296784

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tally_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('tie_break', sa.String(length=40), nullable=False),
    sa.Column('is_official', sa.Boolean(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('input_hash', sa.String(length=64), nullable=False),
    sa.Column('library_version', sa.String(length=40), nullable=False),
    sa.Column('ballots_counted', sa.Integer(), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=False),
    sa.Column('total_cost', sa.BigInteger(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('computed_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_tally_result_pool_id_pool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_result')),
    sa.UniqueConstraint('pool_id', 'rule', name=op.f('uq_tally_result_pool_id_rule'))
    )
    with op.batch_alter_table('tally_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tally_result_pool_id'), ['pool_id'], unique=False)

    op.create_table('voting_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('register_entry_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_voting_code_process_id_process'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['register_entry_id'], ['voter_register_entry.id'], name=op.f('fk_voting_code_register_entry_id_voter_register_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voting_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_voting_code_code_hash'))
    )
    with op.batch_alter_table('voting_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voting_code_process_id'), ['process_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voting_code_register_entry_id'), ['register_entry_id'], unique=False)

    op.create_table('tally_result_project',
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.BigInteger(), nullable=False),
    sa.Column('cost', sa.BigInteger(), nullable=False),
    sa.Column('selected', sa.Boolean(), nullable=False),
    sa.Column('selection_order', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('numbers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_tally_result_project_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['result_id'], ['tally_result.id'], name=op.f('fk_tally_result_project_result_id_tally_result'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('result_id', 'project_id', name=op.f('pk_tally_result_project'))
    )
    with op.batch_alter_table('tally_result_project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tally_result_project_project_id'), ['project_id'], unique=False)

    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vote_closed_at', pb.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('min_project_score', sa.Integer(), nullable=True))

    with op.batch_alter_table('voter_register_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification', sa.Enum('register_match', 'code', 'assisted', name='verification', native_enum=False, length=24), nullable=True))
        batch_op.add_column(sa.Column('verified_at', pb.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_voter_register_entry_process_id_user_id'), ['process_id', 'user_id'])



def downgrade():
    with op.batch_alter_table('voter_register_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_voter_register_entry_process_id_user_id'), type_='unique')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('verification')

    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.drop_column('min_project_score')
        batch_op.drop_column('vote_closed_at')

    with op.batch_alter_table('tally_result_project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tally_result_project_project_id'))

    op.drop_table('tally_result_project')
    with op.batch_alter_table('voting_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voting_code_register_entry_id'))
        batch_op.drop_index(batch_op.f('ix_voting_code_process_id'))

    op.drop_table('voting_code')
    with op.batch_alter_table('tally_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tally_result_pool_id'))

    op.drop_table('tally_result')
