"""Ballots become write-once: the counted ballot of each participation moves to counted_ballot; receipt roots.

A change of vote now writes a new ballot and repoints the counted_ballot row, so the production database
role needs no UPDATE or DELETE on ballot and ballot_choice. Existing ballots keep counting: each gets a
counted_ballot row with its owner tag (imported ballots, which have none, get one made from their id).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 07:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('counted_ballot',
    sa.Column('owner_tag', sa.String(length=64), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.String(length=32), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_counted_ballot_ballot_id_ballot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_counted_ballot_pool_id_pool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('owner_tag', name=op.f('pk_counted_ballot')),
    sa.UniqueConstraint('ballot_id', name=op.f('uq_counted_ballot_ballot_id')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('counted_ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counted_ballot_pool_id'), ['pool_id'], unique=False)
    op.create_table('receipt_root',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('computed_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ballots', sa.Integer(), nullable=False),
    sa.Column('root', sa.String(length=64), nullable=False),
    sa.Column('occasion', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_receipt_root_process_id_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_root'))
    )
    with op.batch_alter_table('receipt_root', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipt_root_process_id'), ['process_id'], unique=False)

    op.execute("INSERT INTO counted_ballot (owner_tag, pool_id, ballot_id, voided) "
               "SELECT COALESCE(owner_tag, 'imported-' || id), pool_id, id, voided FROM ballot")
    # On SQLite the ballot tables become WITHOUT ROWID: rows are kept in the order of their random keys,
    # so the file no longer shows the order in which residents voted. (PostgreSQL: `flask --app pb vote
    # reorder`, run by the schema owner, rewrites them in key order.)
    sqlite = op.get_bind().dialect.name == "sqlite"
    rowless = {"recreate": "always", "table_kwargs": {"sqlite_with_rowid": False}} if sqlite else {}
    with op.batch_alter_table('ballot', schema=None, **rowless) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ballot_owner_tag'), type_='unique')
        batch_op.drop_column('owner_tag')
        batch_op.drop_column('voided')
    if sqlite:
        with op.batch_alter_table('ballot_choice', schema=None, **rowless):
            pass


def downgrade():
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('owner_tag', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_ballot_owner_tag'), ['owner_tag'])
    # Ballots that no longer count (changed votes) cannot be told apart from counted ones in the old
    # schema: they are dropped, as the old schema kept only the last ballot.
    op.execute("DELETE FROM ballot_choice WHERE ballot_id NOT IN (SELECT ballot_id FROM counted_ballot)")
    op.execute("DELETE FROM ballot WHERE id NOT IN (SELECT ballot_id FROM counted_ballot)")
    op.execute("UPDATE ballot SET owner_tag = (SELECT CASE WHEN c.owner_tag LIKE 'imported-%' THEN NULL "
               "ELSE c.owner_tag END FROM counted_ballot c WHERE c.ballot_id = ballot.id), "
               "voided = (SELECT c.voided FROM counted_ballot c WHERE c.ballot_id = ballot.id)")
    with op.batch_alter_table('receipt_root', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipt_root_process_id'))
    op.drop_table('receipt_root')
    with op.batch_alter_table('counted_ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counted_ballot_pool_id'))
    op.drop_table('counted_ballot')
