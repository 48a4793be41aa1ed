"""Outreach: residents' opt-ins per municipality, the ledger of outreach messages, and header fields on the
outbox (for the one-click unsubscribe of RFC 8058).

Revision ID: 0074
Revises: 0073
Create Date: 2026-12-07 15:50:00

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0074'
down_revision = '0073'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=True))
    op.create_table(
        'outreach_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('sms_number', sa.String(length=32), nullable=True),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('unsubscribed_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_outreach_subscription_municipality_id_municipality'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_outreach_subscription_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_subscription')),
        sa.UniqueConstraint('token', name=op.f('uq_outreach_subscription_token')),
        sa.UniqueConstraint('user_id', 'municipality_id', name=op.f('uq_outreach_subscription_user_id_municipality_id')),
    )
    with op.batch_alter_table('outreach_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_subscription_user_id'), ['user_id'], unique=False)
    op.create_table(
        'outreach_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('sent_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_outreach_message_process_id_process'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['subscription_id'], ['outreach_subscription.id'],
                                name=op.f('fk_outreach_message_subscription_id_outreach_subscription'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_message')),
        sa.UniqueConstraint('subscription_id', 'key', 'channel',
                            name=op.f('uq_outreach_message_subscription_id_key_channel')),
    )
    with op.batch_alter_table('outreach_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_message_subscription_id'), ['subscription_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outreach_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_message_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_outreach_message_created_at'))
    op.drop_table('outreach_message')
    with op.batch_alter_table('outreach_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_subscription_user_id'))
    op.drop_table('outreach_subscription')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('headers')
