"""The initial schema of the whole product: accounts, audit log, processes, projects, voting, mandates.

Revision ID: 592028631c61
Revises: 
Create Date: 2026-11-28 03:47:21.105523

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('last_event_id', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    op.create_table('municipality',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipality')),
    sa.UniqueConstraint('slug', name=op.f('uq_municipality_slug'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('resident', 'clerk', 'legal_officer', 'admin', name='role', native_enum=False, length=24), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('email_confirmed_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('password_changed_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('blocked_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('blocked_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email')),
    sa.UniqueConstraint('session_token', name=op.f('uq_user_account_session_token'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('occurred_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_event_hash')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_audit_event_prev_hash'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False)

    op.create_table('district',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_district_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district')),
    sa.UniqueConstraint('municipality_id', 'code', name=op.f('uq_district_municipality_id_code'))
    )
    op.create_table('process',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('tally_rule', sa.String(length=40), nullable=False),
    sa.Column('tie_break', sa.String(length=40), nullable=False),
    sa.Column('min_voter_age', sa.Integer(), nullable=False),
    sa.Column('collect_demographics', sa.Boolean(), nullable=False),
    sa.Column('max_project_cost', sa.BigInteger(), nullable=True),
    sa.Column('max_proposals_per_resident', sa.Integer(), nullable=True),
    sa.Column('max_supports_per_resident', sa.Integer(), nullable=True),
    sa.Column('ballot_rules_frozen_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_process_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process')),
    sa.UniqueConstraint('municipality_id', 'slug', name=op.f('uq_process_municipality_id_slug'))
    )
    op.create_table('mandate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'legal_review', 'signed', 'in_force', 'expired', 'superseded', name='mandatestatus', native_enum=False, length=24), nullable=False),
    sa.Column('character', sa.Enum('binding_statute', 'binding_self_commitment', 'advisory', name='mandatecharacter', native_enum=False, length=32), nullable=False),
    sa.Column('preset', sa.String(length=32), nullable=True),
    sa.Column('basis_instrument', sa.String(length=120), nullable=False),
    sa.Column('basis_title', sa.String(length=500), nullable=False),
    sa.Column('basis_number', sa.String(length=80), nullable=False),
    sa.Column('basis_article', sa.String(length=80), nullable=False),
    sa.Column('basis_date', sa.Date(), nullable=True),
    sa.Column('basis_journal', sa.String(length=200), nullable=False),
    sa.Column('basis_url', sa.String(length=500), nullable=False),
    sa.Column('enabling_decision', sa.String(length=500), nullable=False),
    sa.Column('decision_body', sa.String(length=200), nullable=False),
    sa.Column('bound_party', sa.String(length=200), nullable=False),
    sa.Column('obligation', sa.Text(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('amendment_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=True),
    sa.Column('effective_until', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_mandate_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_mandate_process_id_process'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user_account.id'], name=op.f('fk_mandate_signed_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mandate')),
    sa.UniqueConstraint('process_id', 'version', name=op.f('uq_mandate_process_id_version'))
    )
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandate_process_id'), ['process_id'], unique=False)

    op.create_table('phase',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('information', 'proposals', 'review', 'deliberation', 'voting', 'results', 'adoption', 'implementation', name='phasekind', native_enum=False, length=24), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('starts_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_phase_ends_after_start')),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_phase_process_id_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phase')),
    sa.UniqueConstraint('process_id', 'kind', name=op.f('uq_phase_process_id_kind'))
    )
    op.create_table('pool',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('budget_line', sa.String(length=80), nullable=True),
    sa.Column('ballot_kind', sa.Enum('approval', 'knapsack', 'cumulative', 'ranking', 'choose-1', name='ballotkind', native_enum=False, length=24), nullable=False),
    sa.Column('min_choices', sa.Integer(), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=True),
    sa.Column('total_points', sa.Integer(), nullable=True),
    sa.Column('max_points_per_project', sa.Integer(), nullable=True),
    sa.Column('min_spend_basis_points', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_pool_amount_not_negative')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_pool_district_id_district'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_pool_process_id_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool')),
    sa.UniqueConstraint('process_id', 'district_id', name=op.f('uq_pool_process_id_district_id'))
    )
    op.create_table('voter_register_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('reference_hash', sa.String(length=64), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_voter_register_entry_district_id_district'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_voter_register_entry_process_id_process'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_voter_register_entry_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voter_register_entry')),
    sa.UniqueConstraint('process_id', 'reference_hash', name=op.f('uq_voter_register_entry_process_id_reference_hash'))
    )
    with op.batch_alter_table('voter_register_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voter_register_entry_user_id'), ['user_id'], unique=False)

    op.create_table('ballot',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('owner_tag', sa.String(length=64), nullable=True),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.Enum('online', 'paper', 'in_person', 'assisted', 'imported', name='channel', native_enum=False, length=24), nullable=False),
    sa.Column('age_band', sa.String(length=8), nullable=True),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('district_code', sa.String(length=32), nullable=True),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_ballot_pool_id_pool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
    sa.UniqueConstraint('owner_tag', name=op.f('uq_ballot_owner_tag')),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_ballot_receipt_hash'))
    )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_pool_id'), ['pool_id'], unique=False)

    op.create_table('participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('register_entry_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('online', 'paper', 'in_person', 'assisted', 'imported', name='channel', native_enum=False, length=24), nullable=False),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('invalidated_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('invalidation_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_participation_pool_id_pool'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['register_entry_id'], ['voter_register_entry.id'], name=op.f('fk_participation_register_entry_id_voter_register_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_participation_user_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participation')),
    sa.UniqueConstraint('pool_id', 'register_entry_id', name=op.f('uq_participation_pool_id_register_entry_id')),
    sa.UniqueConstraint('pool_id', 'user_id', name=op.f('uq_participation_pool_id_user_id'))
    )
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participation_pool_id'), ['pool_id'], unique=False)

    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('cost', sa.BigInteger(), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'under_review', 'needs_changes', 'feasible', 'unfeasible', 'on_ballot', 'selected', 'not_selected', 'withdrawn', name='projectstatus', native_enum=False, length=24), nullable=False),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cost >= 0', name=op.f('ck_project_cost_not_negative')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_project_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_project_district_id_district'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_project_pool_id_pool'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_project_process_id_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('process_id', 'code', name=op.f('uq_project_process_id_code'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_pool_id'), ['pool_id'], unique=False)
        batch_op.create_index('ix_project_process_status', ['process_id', 'status'], unique=False)

    op.create_table('ballot_choice',
    sa.Column('ballot_id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_ballot_choice_ballot_id_ballot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_ballot_choice_project_id_project'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('ballot_id', 'project_id', name=op.f('pk_ballot_choice'))
    )
    with op.batch_alter_table('ballot_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_choice_project_id'), ['project_id'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('stance', sa.Enum('for', 'against', 'neutral', name='stance', native_enum=False, length=24), nullable=True),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_comment_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['user_account.id'], name=op.f('fk_comment_hidden_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['comment.id'], name=op.f('fk_comment_parent_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_comment_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_project_id'), ['project_id'], unique=False)

    op.create_table('project_beneficiary',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_beneficiary_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'group', name=op.f('pk_project_beneficiary'))
    )
    with op.batch_alter_table('project_beneficiary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_beneficiary_group'), ['group'], unique=False)

    op.create_table('project_category',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_category_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'category', name=op.f('pk_project_category'))
    )
    with op.batch_alter_table('project_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_category_category'), ['category'], unique=False)

    op.create_table('support',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_support_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_support_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support')),
    sa.UniqueConstraint('project_id', 'user_id', name=op.f('uq_support_project_id_user_id'))
    )
    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_user_id'), ['user_id'], unique=False)

    # The one row that holds the newest hash of the audit chain; writers lock it to take turns.
    op.execute("INSERT INTO audit_chain_head (id, last_hash, last_event_id) VALUES (1, '" + "0" * 64 + "', NULL)")

    # The audit log is append-only in the database itself, not only in the code.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION pb_audit_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only';
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
                   "FOR EACH ROW EXECUTE FUNCTION pb_audit_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                       "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS pb_audit_append_only()")
    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_user_id'))

    op.drop_table('support')
    with op.batch_alter_table('project_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_category_category'))

    op.drop_table('project_category')
    with op.batch_alter_table('project_beneficiary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_beneficiary_group'))

    op.drop_table('project_beneficiary')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_project_id'))

    op.drop_table('comment')
    with op.batch_alter_table('ballot_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_choice_project_id'))

    op.drop_table('ballot_choice')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index('ix_project_process_status')
        batch_op.drop_index(batch_op.f('ix_project_pool_id'))

    op.drop_table('project')
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participation_pool_id'))

    op.drop_table('participation')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_pool_id'))

    op.drop_table('ballot')
    with op.batch_alter_table('voter_register_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voter_register_entry_user_id'))

    op.drop_table('voter_register_entry')
    op.drop_table('pool')
    op.drop_table('phase')
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandate_process_id'))

    op.drop_table('mandate')
    op.drop_table('process')
    op.drop_table('district')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_object')
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    op.drop_table('user_account')
    op.drop_table('municipality')
    op.drop_table('audit_chain_head')
