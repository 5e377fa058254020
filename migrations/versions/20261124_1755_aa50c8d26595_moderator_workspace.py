"""The moderator workspace: accounts, roles, audit, triage fields, search and the outbox.

SQLite keeps a full-text index in the FTS5 table ``submissions_fts``, filled by triggers;
PostgreSQL uses a GIN index over a Swedish ``tsvector``. On SQLite a batch alteration of
``submissions`` recreates the table and drops its triggers: such a migration must call
``_create_sqlite_search`` again.

Revision ID: aa50c8d26595
Revises: 1cef3f6e1f2a
Create Date: 2026-11-24 17:55:28.031261

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'aa50c8d26595'
down_revision = '1cef3f6e1f2a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('preferred_locale', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('email', name=op.f('uq_accounts_email'))
    )
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_recovery_codes_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_account_id'), ['account_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], name=op.f('fk_audit_events_actor_id_accounts')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_audit_events_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_object_id'), ['object_id'], unique=False)

    op.create_table('clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_clusters_created_by_id_accounts')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_clusters_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clusters'))
    )
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clusters_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('moderator', 'admin', 'analyst', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('police_area_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(municipality_id IS NULL) <> (police_area_id IS NULL)', name=op.f('ck_memberships_one_scope')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_memberships_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_memberships_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['police_area_id'], ['police_areas.id'], name=op.f('fk_memberships_police_area_id_police_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('account_id', 'municipality_id', 'police_area_id', 'role', name=op.f('uq_memberships_account_id_municipality_id_police_area_id_role'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_police_area_id'), ['police_area_id'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_outbox_messages_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_sent_at'), ['sent_at'], unique=False)

    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_tags_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('municipality_id', 'name', name=op.f('uq_tags_municipality_id_name'))
    )
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tags_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('response_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('new', 'in_review', 'accepted', 'forwarded', 'duplicate', 'rejected', 'spam', 'withdrawn', name='status', native_enum=False, length=32), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_response_templates_category_id_categories')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_response_templates_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_templates'))
    )
    with op.batch_alter_table('response_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_templates_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['accounts.id'], name=op.f('fk_notes_author_id_accounts')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_notes_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_notes_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notes_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_tags',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_tags_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_submission_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', 'tag_id', name=op.f('pk_submission_tags'))
    )
    with op.batch_alter_table('submission_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_tags_tag_id'), ['tag_id'], unique=False)

    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_totp', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('submit_rate_limit', sa.String(length=100), nullable=True))

    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_replies_author_id_accounts'), 'accounts', ['author_id'], ['id'])

    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_status_events_actor_id_accounts'), 'accounts', ['actor_id'], ['id'])

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cluster_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('forwarded_to', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('public_summary', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('submitter_activity_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_submissions_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_index('ix_submissions_queue', ['municipality_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_submissions_queue_priority', ['municipality_id', 'priority', 'created_at', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_submissions_cluster_id_clusters'), 'clusters', ['cluster_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_submissions_assignee_id_accounts'), 'accounts', ['assignee_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_submissions_duplicate_of_id_submissions'), 'submissions', ['duplicate_of_id'], ['id'])
    _create_search()
    _make_append_only('audit_events')
    _make_append_only('status_events')


def downgrade():
    _drop_append_only('status_events')
    _drop_append_only('audit_events')
    if _dialect() == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS dialogue_append_only()")
    _drop_search()
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_submissions_duplicate_of_id_submissions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_submissions_assignee_id_accounts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_submissions_cluster_id_clusters'), type_='foreignkey')
        batch_op.drop_index('ix_submissions_queue_priority')
        batch_op.drop_index('ix_submissions_queue')
        batch_op.drop_index(batch_op.f('ix_submissions_cluster_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_assignee_id'))
        batch_op.drop_column('submitter_activity_at')
        batch_op.drop_column('public_summary')
        batch_op.drop_column('forwarded_to')
        batch_op.drop_column('duplicate_of_id')
        batch_op.drop_column('cluster_id')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('priority')

    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_status_events_actor_id_accounts'), type_='foreignkey')

    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_replies_author_id_accounts'), type_='foreignkey')

    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.drop_column('submit_rate_limit')
        batch_op.drop_column('require_totp')

    with op.batch_alter_table('submission_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_tags_tag_id'))

    op.drop_table('submission_tags')
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notes_submission_id'))
        batch_op.drop_index(batch_op.f('ix_notes_municipality_id'))

    op.drop_table('notes')
    with op.batch_alter_table('response_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_templates_municipality_id'))

    op.drop_table('response_templates')
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tags_municipality_id'))

    op.drop_table('tags')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_sent_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_municipality_id'))

    op.drop_table('outbox_messages')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_police_area_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_account_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clusters_municipality_id'))

    op.drop_table('clusters')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_object_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_account_id'))

    op.drop_table('recovery_codes')
    op.drop_table('accounts')


SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE submissions_fts USING fts5("
    "text, location_text, content='submissions', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
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
POSTGRESQL_SEARCH = (
    "CREATE INDEX ix_submissions_search ON submissions USING gin "
    "(to_tsvector('swedish', text || ' ' || coalesce(location_text, '')))"
)


def _dialect():
    return op.get_bind().dialect.name


def _create_search():
    if _dialect() == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)
    elif _dialect() == "postgresql":
        op.execute(POSTGRESQL_SEARCH)


def _drop_search():
    if _dialect() == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS submissions_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS submissions_fts")
    elif _dialect() == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_submissions_search")


def _make_append_only(table):
    """Refuse UPDATE and DELETE on a history table, whoever connects."""
    if _dialect() == "sqlite":
        for verb in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    elif _dialect() == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION dialogue_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION dialogue_append_only()"
        )


def _drop_append_only(table):
    if _dialect() == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    elif _dialect() == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
