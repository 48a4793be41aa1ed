"""Indexes for comment threads at volume: a project's top-level comments in order, and a comment's replies.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 05:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_comment_project_thread', ['project_id', 'parent_id', 'created_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_project_thread')
        batch_op.drop_index(batch_op.f('ix_comment_parent_id'))
