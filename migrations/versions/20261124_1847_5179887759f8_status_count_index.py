"""An index on (municipality, status) so the queue counts per status from the index alone.

Revision ID: 5179887759f8
Revises: e44c696be8f0
Create Date: 2026-11-24 18:47:27.873147

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5179887759f8'
down_revision = 'e44c696be8f0'
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX: a batch operation could rebuild the table on SQLite and drop the
    # full-text triggers of the moderator workspace migration.
    op.create_index('ix_submissions_status_counts', 'submissions', ['municipality_id', 'status'])



def downgrade():
    op.drop_index('ix_submissions_status_counts', table_name='submissions')

