"""Outbox states and claims: queued, sending, sent, failed, cancelled; invitations know their mail.

Revision ID: d4e6f8a0b2c4
Revises: d4e6f8a0b2c3
Create Date: 2026-12-05 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e6f8a0b2c4'
down_revision = 'd4e6f8a0b2c3'
branch_labels = None
depends_on = None

STATE = sa.Enum(
    'queued', 'sending', 'sent', 'failed', 'cancelled',
    name='outboxstate', native_enum=False, length=32,
)


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', STATE, nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
    # What the old columns meant: sent_at set is sent; no address and not sent is cancelled
    # (contact removed) or given up; the rest is queued and due at once.
    op.execute(
        "UPDATE outbox_messages SET next_attempt_at = created_at, state = CASE"
        " WHEN sent_at IS NOT NULL THEN 'sent'"
        " WHEN to_address IS NULL AND last_error LIKE 'cancelled%' THEN 'cancelled'"
        " WHEN to_address IS NULL THEN 'failed'"
        " ELSE 'queued' END"
    )
    op.execute(
        "UPDATE outbox_messages SET last_error = NULL WHERE state = 'sent'"
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('state', existing_type=STATE, nullable=False)
        batch_op.alter_column(
            'next_attempt_at', existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index('ix_outbox_messages_due', ['state', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('round_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_round_invitations_message_id_outbox_messages'),
            'outbox_messages', ['message_id'], ['id'],
        )


def downgrade():
    with op.batch_alter_table('round_invitations', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_round_invitations_message_id_outbox_messages'), type_='foreignkey'
        )
        batch_op.drop_column('message_id')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_due')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claim_token')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('state')
