"""The step of the last accepted TOTP code, so a code cannot be replayed within its window.

Revision ID: 01365d8ec52e
Revises: 9f9c1bc748bd
Create Date: 2026-11-24 20:40:45.138870

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '01365d8ec52e'
down_revision = '9f9c1bc748bd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
