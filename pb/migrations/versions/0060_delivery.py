"""Delivery: a record per adopted project, milestones, updates, photos, co-producers, ratings, e-mail opt-ins
and the municipality's spending tolerance.

Revision ID: 0060
Revises: 0057
Create Date: 2026-12-07 15:06:26.104813

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0060'
down_revision = '0057'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('delivery_policy',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('tolerance_basis_points', sa.Integer(), nullable=False),
    sa.CheckConstraint('tolerance_basis_points BETWEEN 0 AND 10000', name=op.f('ck_delivery_policy_tolerance_range')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_delivery_policy_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('municipality_id', name=op.f('pk_delivery_policy'))
    )
    op.create_table('co_production',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('offered_by_id', sa.Integer(), nullable=True),
    sa.Column('party_kind', sa.Enum('resident', 'organisation', name='coproducerkind', native_enum=False, length=16), nullable=False),
    sa.Column('party_name', sa.String(length=200), nullable=False),
    sa.Column('name_public', sa.Boolean(), nullable=False),
    sa.Column('role', sa.Enum('co_design', 'co_implement', 'maintain', name='coproductionrole', native_enum=False, length=16), nullable=False),
    sa.Column('offer', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('offered', 'agreed', 'declined', name='coproductionstatus', native_enum=False, length=12), nullable=False),
    sa.Column('co_producer_does', sa.Text(), nullable=False),
    sa.Column('council_responsible_for', sa.Text(), nullable=False),
    sa.Column('risk_cover', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['offered_by_id'], ['user_account.id'], name=op.f('fk_co_production_offered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_co_production_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_co_production_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_co_production'))
    )
    with op.batch_alter_table('co_production', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_co_production_project_id'), ['project_id'], unique=False)

    op.create_table('delivery_mail_opt_in',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_delivery_mail_opt_in_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_delivery_mail_opt_in_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'user_id', name=op.f('pk_delivery_mail_opt_in'))
    )
    with op.batch_alter_table('delivery_mail_opt_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_mail_opt_in_user_id'), ['user_id'], unique=False)

    op.create_table('delivery_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('planned', 'design', 'procurement', 'works', 'delivered', 'cancelled', 'merged', name='deliverystatus', native_enum=False, length=24), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('decision_reference', sa.String(length=200), nullable=False),
    sa.Column('status_changed_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('planned_start_on', sa.Date(), nullable=True),
    sa.Column('planned_end_on', sa.Date(), nullable=True),
    sa.Column('actual_start_on', sa.Date(), nullable=True),
    sa.Column('actual_end_on', sa.Date(), nullable=True),
    sa.Column('committed', sa.BigInteger(), nullable=False),
    sa.Column('spent', sa.BigInteger(), nullable=False),
    sa.Column('spending_explanation', sa.Text(), nullable=False),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('committed >= 0 AND spent >= 0', name=op.f('ck_delivery_record_money_not_negative')),
    sa.ForeignKeyConstraint(['officer_id'], ['user_account.id'], name=op.f('fk_delivery_record_officer_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_delivery_record_process_id_process'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_delivery_record_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_record')),
    sa.UniqueConstraint('project_id', name=op.f('uq_delivery_record_project_id'))
    )
    with op.batch_alter_table('delivery_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_record_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_record_process_id'), ['process_id'], unique=False)

    op.create_table('delivery_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['delivery_record.id'], name=op.f('fk_delivery_milestone_record_id_delivery_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_milestone'))
    )
    with op.batch_alter_table('delivery_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_milestone_record_id'), ['record_id'], unique=False)

    op.create_table('delivery_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('before', 'after', 'document', name='photokind', native_enum=False, length=12), nullable=False),
    sa.Column('caption', sa.String(length=300), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['delivery_record.id'], name=op.f('fk_delivery_photo_record_id_delivery_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_photo'))
    )
    with op.batch_alter_table('delivery_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_photo_record_id'), ['record_id'], unique=False)

    op.create_table('delivery_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_delivery_rating_score_range')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['user_account.id'], name=op.f('fk_delivery_rating_hidden_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['delivery_record.id'], name=op.f('fk_delivery_rating_record_id_delivery_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_delivery_rating_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_rating')),
    sa.UniqueConstraint('record_id', 'user_id', name=op.f('uq_delivery_rating_record_id_user_id'))
    )
    with op.batch_alter_table('delivery_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_rating_record_id'), ['record_id'], unique=False)

    op.create_table('delivery_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'design', 'procurement', 'works', 'delivered', 'cancelled', 'merged', name='deliverystatus', native_enum=False, length=24), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_delivery_update_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['delivery_record.id'], name=op.f('fk_delivery_update_record_id_delivery_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_update'))
    )
    with op.batch_alter_table('delivery_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_update_record_id'), ['record_id'], unique=False)



def downgrade():
    with op.batch_alter_table('delivery_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_update_record_id'))

    op.drop_table('delivery_update')
    with op.batch_alter_table('delivery_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_rating_record_id'))

    op.drop_table('delivery_rating')
    with op.batch_alter_table('delivery_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_photo_record_id'))

    op.drop_table('delivery_photo')
    with op.batch_alter_table('delivery_milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_milestone_record_id'))

    op.drop_table('delivery_milestone')
    with op.batch_alter_table('delivery_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_record_process_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_record_officer_id'))

    op.drop_table('delivery_record')
    with op.batch_alter_table('delivery_mail_opt_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_mail_opt_in_user_id'))

    op.drop_table('delivery_mail_opt_in')
    with op.batch_alter_table('co_production', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_co_production_project_id'))

    op.drop_table('co_production')
    op.drop_table('delivery_policy')
