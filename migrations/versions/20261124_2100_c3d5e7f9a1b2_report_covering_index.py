"""A covering index on submissions for the lägesbild report's aggregates.

The report counts accepted input of a municipality received in a period by category, place,
safety rating, commitment, kind, submitter type, part of day, the day it happens and cluster;
with every one of those columns in the index, each of its few GROUP BY queries reads a range
of this index alone instead of the table (see bench/report.py).

Revision ID: c3d5e7f9a1b2
Revises: 01365d8ec52e
Create Date: 2026-11-24 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d5e7f9a1b2'
down_revision = '01365d8ec52e'
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX: a batch operation could rebuild the table on SQLite and drop the
    # full-text triggers of the moderator workspace migration.
    op.create_index(
        'ix_submissions_report',
        'submissions',
        [
            'municipality_id',
            'status',
            'created_at',
            'category_id',
            'place_id',
            'safety_rating',
            'commitment_id',
            'kind',
            'submitter_type',
            'part_of_day',
            'occurred_on',
            'cluster_id',
        ],
    )


def downgrade():
    op.drop_index('ix_submissions_report', table_name='submissions')
