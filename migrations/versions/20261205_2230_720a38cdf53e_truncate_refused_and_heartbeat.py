"""Append-only tables refuse TRUNCATE; a heartbeat row for the health check.

The row triggers of earlier migrations refuse UPDATE and DELETE on audit_events,
status_events and lagesbild_snapshots, but TRUNCATE fires no row trigger: on PostgreSQL a
statement-level BEFORE TRUNCATE trigger refuses it, also when the table would be emptied by
TRUNCATE … CASCADE of a table it refers to. SQLite has no TRUNCATE (its DELETE without WHERE
is refused by the row triggers already), so nothing is needed there.

The health check proves the database takes writes by rewriting one heartbeat row.

Revision ID: 720a38cdf53e
Revises: 5e55104a7c1d
Create Date: 2026-12-05 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '720a38cdf53e'
down_revision = '5e55104a7c1d'
branch_labels = None
depends_on = None

# Every table the code treats as append-only (the row triggers of aa50c8d26595 and 9f9c1bc748bd).
APPEND_ONLY = ('audit_events', 'status_events', 'lagesbild_snapshots')


def upgrade():
    op.create_table(
        'heartbeats',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_heartbeats')),
    )
    op.execute("INSERT INTO heartbeats (id, beat_at) VALUES (1, CURRENT_TIMESTAMP)")
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION dialogue_no_truncate() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only: TRUNCATE is refused', TG_TABLE_NAME; END "
        "$$ LANGUAGE plpgsql"
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION dialogue_no_truncate()"
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS dialogue_no_truncate()")
    op.drop_table('heartbeats')
