"""Set-up: a municipality's languages and vocabulary, each edition's own vocabulary, projects entered by staff;
the never-written ``process.ballot_rules_frozen_at`` goes (the models keep a started vote's rules fixed).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 12:00:00

"""

from alembic import op
import sqlalchemy as sa

import pb.core.db


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# The vocabulary pb offered to every process until now (Pabulib's words), frozen here as it was.
CATEGORIES = ["culture", "education", "environmental protection", "health", "nature and greenery",
              "public space", "public transit and roads", "sport", "urban greenery", "welfare"]
BENEFICIARIES = ["adults", "animals", "children", "families with children", "people with disabilities",
                 "seniors", "youth"]


def upgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('categories', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('beneficiary_groups', sa.JSON(), nullable=True))
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.add_column(sa.Column('categories', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('beneficiary_groups', sa.JSON(), nullable=True))
        batch_op.drop_column('ballot_rules_frozen_at')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.Enum('online', 'paper_form', 'department', 'imported',
                                                        name='projectorigin', native_enum=False, length=16),
                                      server_default='online', nullable=False))
        batch_op.add_column(sa.Column('author_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_project_entered_by_id_user_account'), 'user_account',
                                    ['entered_by_id'], ['id'], ondelete='SET NULL')

    connection = op.get_bind()
    municipality = sa.table('municipality', sa.column('id'), sa.column('country_code'), sa.column('languages', sa.JSON()),
                            sa.column('categories', sa.JSON()), sa.column('beneficiary_groups', sa.JSON()))
    for row in connection.execute(sa.select(municipality.c.id, municipality.c.country_code)).all():
        languages = ["el", "en"] if row.country_code == "GR" else ["en"]
        connection.execute(municipality.update().where(municipality.c.id == row.id).values(
            languages=languages, categories=CATEGORIES, beneficiary_groups=BENEFICIARIES))
    # Each existing edition keeps what its residents could choose, and what its projects already carry.
    process = sa.table('process', sa.column('id'), sa.column('categories', sa.JSON()),
                       sa.column('beneficiary_groups', sa.JSON()))
    used_categories = sa.table('project_category', sa.column('project_id'), sa.column('category'))
    used_groups = sa.table('project_beneficiary', sa.column('project_id'), sa.column('group'))
    project = sa.table('project', sa.column('id'), sa.column('process_id'), sa.column('origin'))
    for (process_id,) in connection.execute(sa.select(process.c.id)).all():
        categories = set(connection.execute(
            sa.select(used_categories.c.category).join(project, project.c.id == used_categories.c.project_id)
            .where(project.c.process_id == process_id)).scalars())
        groups = set(connection.execute(
            sa.select(used_groups.c.group).join(project, project.c.id == used_groups.c.project_id)
            .where(project.c.process_id == process_id)).scalars())
        connection.execute(process.update().where(process.c.id == process_id).values(
            categories=CATEGORIES + sorted(categories - set(CATEGORIES)),
            beneficiary_groups=BENEFICIARIES + sorted(groups - set(BENEFICIARIES))))

    for table in ('municipality', 'process'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'municipality':
                batch_op.alter_column('languages', existing_type=sa.JSON(), nullable=False)
            batch_op.alter_column('categories', existing_type=sa.JSON(), nullable=False)
            batch_op.alter_column('beneficiary_groups', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_project_entered_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('entered_by_id')
        batch_op.drop_column('author_name')
        batch_op.drop_column('origin')
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ballot_rules_frozen_at', pb.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_column('beneficiary_groups')
        batch_op.drop_column('categories')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('beneficiary_groups')
        batch_op.drop_column('categories')
        batch_op.drop_column('languages')
