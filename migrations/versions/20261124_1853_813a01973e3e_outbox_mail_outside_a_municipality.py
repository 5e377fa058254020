"""Outbox mail outside any municipality: password-reset links to staff.

Revision ID: 813a01973e3e
Revises: 5179887759f8
Create Date: 2026-11-24 18:53:30.893154

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '813a01973e3e'
down_revision = '5179887759f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('municipality_id',
               existing_type=sa.INTEGER(),
               nullable=True)



def downgrade():
    # Reset links to staff have no municipality to belong to; they are short-lived anyway.
    op.execute("DELETE FROM outbox_messages WHERE municipality_id IS NULL")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('municipality_id',
               existing_type=sa.INTEGER(),
               nullable=False)

