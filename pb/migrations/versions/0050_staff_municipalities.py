"""Staff per municipality: the municipalities in which each member of staff holds their role.

Existing data: administrators become administrators of every municipality (``all_municipalities``); clerks and
legal officers keep access to exactly the municipalities that exist when the migration runs, and need a grant
for any municipality created later.

Revision ID: 0050
Revises: 0040
Create Date: 2026-12-07 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0050'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('all_municipalities', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table(
        'staff_municipality',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_staff_municipality_municipality_id_municipality'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_staff_municipality_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'municipality_id', name=op.f('pk_staff_municipality')),
    )
    with op.batch_alter_table('staff_municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_municipality_municipality_id'), ['municipality_id'],
                              unique=False)
    op.execute("UPDATE user_account SET all_municipalities = TRUE WHERE role = 'admin'")
    op.execute("INSERT INTO staff_municipality (user_id, municipality_id) "
               "SELECT user_account.id, municipality.id FROM user_account CROSS JOIN municipality "
               "WHERE user_account.role IN ('clerk', 'legal_officer')")


def downgrade():
    with op.batch_alter_table('staff_municipality', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_municipality_municipality_id'))
    op.drop_table('staff_municipality')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('all_municipalities')
