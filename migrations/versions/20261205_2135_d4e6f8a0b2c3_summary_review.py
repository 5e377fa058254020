"""Who reviewed a submission's public summary, and when: only reviewed summaries are published.

Summaries written before this revision start unreviewed, so nothing reaches a public page until
a moderator has read it. On SQLite the batch operation rebuilds ``submissions``, which drops the
full-text triggers: they are made again (as in aa50c8d26595) and the index rebuilt.

Revision ID: d4e6f8a0b2c3
Revises: c3d5e7f9a1b2
Create Date: 2026-12-05 21:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e6f8a0b2c3'
down_revision = 'c3d5e7f9a1b2'
branch_labels = None
depends_on = None


# The full-text triggers of aa50c8d26595 (migrations never import application code).
SQLITE_TRIGGERS = [
    "CREATE TRIGGER submissions_fts_insert AFTER INSERT ON submissions BEGIN "
    "INSERT INTO submissions_fts(rowid, text, location_text) "
    "VALUES (new.id, new.text, coalesce(new.location_text, '')); END",
    "CREATE TRIGGER submissions_fts_delete AFTER DELETE ON submissions BEGIN "
    "INSERT INTO submissions_fts(submissions_fts, rowid, text, location_text) "
    "VALUES ('delete', old.id, old.text, coalesce(old.location_text, '')); END",
    "CREATE TRIGGER submissions_fts_update AFTER UPDATE OF text, location_text ON submissions "
    "BEGIN INSERT INTO submissions_fts(submissions_fts, rowid, text, location_text) "
    "VALUES ('delete', old.id, old.text, coalesce(old.location_text, '')); "
    "INSERT INTO submissions_fts(rowid, text, location_text) "
    "VALUES (new.id, new.text, coalesce(new.location_text, '')); END",
    "INSERT INTO submissions_fts(submissions_fts) VALUES ('rebuild')",
]


def _restore_search_triggers():
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS submissions_fts_{trigger}")
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('summary_reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_submissions_summary_reviewed_by_id_accounts'), 'accounts', ['summary_reviewed_by_id'], ['id'])
    _restore_search_triggers()


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_submissions_summary_reviewed_by_id_accounts'), type_='foreignkey')
        batch_op.drop_column('summary_reviewed_by_id')
        batch_op.drop_column('summary_reviewed_at')
    _restore_search_triggers()
