"""Outbox notices know their submission, so withdrawal and purging can cancel them.

Revision ID: e44c696be8f0
Revises: aa50c8d26595
Create Date: 2026-11-24 18:31:58.772778

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e44c696be8f0'
down_revision = 'aa50c8d26595'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_submission_id'), ['submission_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_submission_id_submissions'), 'submissions', ['submission_id'], ['id'])



def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_submission_id_submissions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_submission_id'))
        batch_op.drop_column('submission_id')

