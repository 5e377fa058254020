"""Kept drafts: a workspace form sent after its author's session ended, given back at sign-in.

Revision ID: 5d7e9a1c3b40
Revises: d4e6f8a0b2c4
Create Date: 2026-12-05 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d7e9a1c3b40'
down_revision = 'd4e6f8a0b2c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'kept_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('page_path', sa.String(length=2000), nullable=False),
        sa.Column('form_name', sa.String(length=100), nullable=True),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_kept_drafts_account_id_accounts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_drafts')),
    )
    with op.batch_alter_table('kept_drafts', schema=None) as batch_op:
        batch_op.create_index('ix_kept_drafts_account_page', ['account_id', 'page_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_kept_drafts_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('kept_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_drafts_expires_at'))
        batch_op.drop_index('ix_kept_drafts_account_page')
    op.drop_table('kept_drafts')
