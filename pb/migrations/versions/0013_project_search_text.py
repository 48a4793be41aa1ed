"""Projects: their title, summary and description folded for search (any case, with or without accents).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 18:40:00

"""
from alembic import op
import sqlalchemy as sa

import unicodedata


# A frozen copy of pb.core.search as it was when this migration was written: a migration must give the same
# result whatever the app's code later becomes.
def _plain(character):
    small = character.lower()
    if small == "ς":
        return "σ"
    base = "".join(c for c in unicodedata.normalize("NFD", small) if not unicodedata.combining(c))
    return base if len(base) == 1 else character


_TABLE = str.maketrans({c: _plain(c) for c in map(chr, [*range(0x00C0, 0x0250), *range(0x0370, 0x0400)])
                        if unicodedata.category(c).startswith("L") and _plain(c) != c})


def search_text(*parts):
    return "\n".join(part for part in parts if part).lower().translate(_TABLE)


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    # Existing projects get theirs now; new and edited ones get it from the model.
    project = sa.table('project', sa.column('id'), sa.column('title'), sa.column('summary'),
                       sa.column('description'), sa.column('search_text'))
    connection = op.get_bind()
    rows = connection.execute(sa.select(project.c.id, project.c.title, project.c.summary,
                                        project.c.description)).all()
    if rows:
        connection.execute(
            project.update().where(project.c.id == sa.bindparam('project_id'))
            .values(search_text=sa.bindparam('folded')),
            [{'project_id': row.id, 'folded': search_text(row.title, row.summary, row.description)} for row in rows])


def downgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('search_text')
