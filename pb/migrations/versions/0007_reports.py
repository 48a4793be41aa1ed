"""Reports: the census baseline of a process, impact assessments with their stored PDF versions, and finalised
budget annexes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 06:43:21.018539

"""
from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('ex-ante', 'ex-post', name='assessmentmode', native_enum=False, length=24), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('accessibility', sa.Text(), nullable=False),
    sa.Column('expected_reach', sa.Text(), nullable=False),
    sa.Column('engagement', sa.Text(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=False),
    sa.Column('mitigation', sa.Text(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('monitoring', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_assessment_process_id_process'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_assessment_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment')),
    sa.UniqueConstraint('process_id', 'mode', name=op.f('uq_assessment_process_id_mode'))
    )
    op.create_table('final_annex',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('csv', sa.LargeBinary(), nullable=False),
    sa.Column('xlsx', sa.LargeBinary(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('csv_sha256', sa.String(length=64), nullable=False),
    sa.Column('xlsx_sha256', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('finalised_by_id', sa.Integer(), nullable=True),
    sa.Column('finalised_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['finalised_by_id'], ['user_account.id'], name=op.f('fk_final_annex_finalised_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_final_annex_process_id_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_final_annex')),
    sa.UniqueConstraint('process_id', 'number', name=op.f('uq_final_annex_process_id_number'))
    )
    with op.batch_alter_table('final_annex', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_final_annex_process_id'), ['process_id'], unique=False)

    op.create_table('population_baseline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'], name=op.f('fk_population_baseline_imported_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_population_baseline_process_id_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_population_baseline')),
    sa.UniqueConstraint('process_id', name=op.f('uq_population_baseline_process_id'))
    )
    op.create_table('assessment_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('generated_by_id', sa.Integer(), nullable=True),
    sa.Column('generated_at', pb.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', pb.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_assessment_version_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['generated_by_id'], ['user_account.id'], name=op.f('fk_assessment_version_generated_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_assessment_version_published_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_version')),
    sa.UniqueConstraint('assessment_id', 'number', name=op.f('uq_assessment_version_assessment_id_number'))
    )
    with op.batch_alter_table('assessment_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_version_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('population_figure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('baseline_id', sa.Integer(), nullable=False),
    sa.Column('attribute', sa.String(length=16), nullable=False),
    sa.Column('group', sa.String(length=64), nullable=False),
    sa.Column('population', sa.BigInteger(), nullable=True),
    sa.Column('eligible', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['baseline_id'], ['population_baseline.id'], name=op.f('fk_population_figure_baseline_id_population_baseline'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_population_figure')),
    sa.UniqueConstraint('baseline_id', 'attribute', 'group', name=op.f('uq_population_figure_baseline_id_attribute_group'))
    )


def downgrade():
    op.drop_table('population_figure')
    with op.batch_alter_table('assessment_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_version_assessment_id'))

    op.drop_table('assessment_version')
    op.drop_table('population_baseline')
    with op.batch_alter_table('final_annex', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_final_annex_process_id'))

    op.drop_table('final_annex')
    op.drop_table('assessment')
