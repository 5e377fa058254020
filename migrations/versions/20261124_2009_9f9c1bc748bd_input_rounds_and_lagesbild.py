"""Organisations, input rounds, lägesbild snapshots (append-only) and quotes; a pledge's basis.

Revision ID: 9f9c1bc748bd
Revises: 813a01973e3e
Create Date: 2026-11-24 20:09:09.568395

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9f9c1bc748bd'
down_revision = '813a01973e3e'
branch_labels = None
depends_on = None


def _dialect():
    return op.get_bind().dialect.name


def _make_append_only(table):
    """Refuse UPDATE and DELETE on a frozen table, whoever connects."""
    if _dialect() == "sqlite":
        for verb in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    elif _dialect() == "postgresql":
        # dialogue_append_only() comes with the moderator workspace's migration.
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


def upgrade():
    op.create_table('lagesbild_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('frozen_by_id', sa.Integer(), nullable=True),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['frozen_by_id'], ['accounts.id'], name=op.f('fk_lagesbild_snapshots_frozen_by_id_accounts')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_lagesbild_snapshots_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lagesbild_snapshots')),
    sa.UniqueConstraint('municipality_id', 'period_start', 'period_end', 'version', name='uq_lagesbild_snapshots_version')
    )
    _make_append_only('lagesbild_snapshots')
    with op.batch_alter_table('lagesbild_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lagesbild_snapshots_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.Enum('business', 'association', 'housing_company', 'other', name='organisationtype', native_enum=False, length=32), nullable=False),
    sa.Column('org_number', sa.String(length=11), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('is_verified', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_organisations_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('municipality_id', 'org_number', name=op.f('uq_organisations_municipality_id_org_number'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('organisation_places',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_places_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_organisation_places_place_id_places'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', 'place_id', name=op.f('pk_organisation_places'))
    )
    op.create_table('input_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('introduction', sa.JSON(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('open_token_salt', sa.String(length=32), nullable=True),
    sa.Column('open_token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_input_rounds_created_by_id_accounts')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_input_rounds_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_input_rounds_pledge_id_pledges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_input_rounds')),
    sa.UniqueConstraint('open_token_hash', name=op.f('uq_input_rounds_open_token_hash'))
    )
    with op.batch_alter_table('input_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_input_rounds_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_input_rounds_pledge_id'), ['pledge_id'], unique=False)

    op.create_table('round_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('via', sa.Enum('invitation', 'open_link', name='responsevia', native_enum=False, length=32), nullable=False),
    sa.Column('token_salt', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminder_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_round_invitations_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_round_invitations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['round_id'], ['input_rounds.id'], name=op.f('fk_round_invitations_round_id_input_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_invitations')),
    sa.UniqueConstraint('round_id', 'organisation_id', name=op.f('uq_round_invitations_round_id_organisation_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_round_invitations_token_hash'))
    )
    with op.batch_alter_table('round_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_invitations_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_invitations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_invitations_round_id'), ['round_id'], unique=False)

    op.create_table('round_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('importance', 'progress', 'place_safety', 'top_categories', 'scale', 'free_text', name='questionkind', native_enum=False, length=32), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.Column('hint', sa.JSON(), nullable=True),
    sa.Column('commitment_id', sa.Integer(), nullable=True),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('time_of_day', sa.Enum('day', 'night', name='timeofday', native_enum=False, length=32), nullable=True),
    sa.Column('max_choices', sa.SmallInteger(), nullable=True),
    sa.Column('is_required', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_round_questions_commitment_id_commitments')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_round_questions_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_round_questions_place_id_places')),
    sa.ForeignKeyConstraint(['round_id'], ['input_rounds.id'], name=op.f('fk_round_questions_round_id_input_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_questions'))
    )
    with op.batch_alter_table('round_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_questions_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_questions_round_id'), ['round_id'], unique=False)

    op.create_table('lagesbild_quotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('chosen_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chosen_by_id'], ['accounts.id'], name=op.f('fk_lagesbild_quotes_chosen_by_id_accounts')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_lagesbild_quotes_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_lagesbild_quotes_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lagesbild_quotes')),
    sa.UniqueConstraint('municipality_id', 'submission_id', name=op.f('uq_lagesbild_quotes_municipality_id_submission_id'))
    )
    with op.batch_alter_table('lagesbild_quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lagesbild_quotes_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lagesbild_quotes_submission_id'), ['submission_id'], unique=False)

    op.create_table('round_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('respondent_name', sa.String(length=200), nullable=True),
    sa.Column('respondent_email', sa.String(length=254), nullable=True),
    sa.Column('is_verified', sa.Boolean(), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_step', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['round_invitations.id'], name=op.f('fk_round_responses_invitation_id_round_invitations')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_round_responses_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_round_responses_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['round_id'], ['input_rounds.id'], name=op.f('fk_round_responses_round_id_input_rounds')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['accounts.id'], name=op.f('fk_round_responses_verified_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_responses')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_round_responses_invitation_id')),
    sa.UniqueConstraint('round_id', 'organisation_id', name=op.f('uq_round_responses_round_id_organisation_id'))
    )
    with op.batch_alter_table('round_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_responses_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_responses_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_responses_round_id'), ['round_id'], unique=False)

    op.create_table('round_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.SmallInteger(), nullable=True),
    sa.Column('dont_know', sa.Boolean(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_round_answers_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['question_id'], ['round_questions.id'], name=op.f('fk_round_answers_question_id_round_questions')),
    sa.ForeignKeyConstraint(['response_id'], ['round_responses.id'], name=op.f('fk_round_answers_response_id_round_responses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_answers')),
    sa.UniqueConstraint('response_id', 'question_id', name=op.f('uq_round_answers_response_id_question_id'))
    )
    with op.batch_alter_table('round_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_answers_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_answers_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_answers_response_id'), ['response_id'], unique=False)

    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('based_on_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_pledges_based_on_id_lagesbild_snapshots'), 'lagesbild_snapshots', ['based_on_id'], ['id'])



def downgrade():
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pledges_based_on_id_lagesbild_snapshots'), type_='foreignkey')
        batch_op.drop_column('based_on_id')

    with op.batch_alter_table('round_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_answers_response_id'))
        batch_op.drop_index(batch_op.f('ix_round_answers_question_id'))
        batch_op.drop_index(batch_op.f('ix_round_answers_municipality_id'))

    op.drop_table('round_answers')
    with op.batch_alter_table('round_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_responses_round_id'))
        batch_op.drop_index(batch_op.f('ix_round_responses_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_round_responses_municipality_id'))

    op.drop_table('round_responses')
    with op.batch_alter_table('lagesbild_quotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lagesbild_quotes_submission_id'))
        batch_op.drop_index(batch_op.f('ix_lagesbild_quotes_municipality_id'))

    op.drop_table('lagesbild_quotes')
    with op.batch_alter_table('round_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_questions_round_id'))
        batch_op.drop_index(batch_op.f('ix_round_questions_municipality_id'))

    op.drop_table('round_questions')
    with op.batch_alter_table('round_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_invitations_round_id'))
        batch_op.drop_index(batch_op.f('ix_round_invitations_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_round_invitations_municipality_id'))

    op.drop_table('round_invitations')
    with op.batch_alter_table('input_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_input_rounds_pledge_id'))
        batch_op.drop_index(batch_op.f('ix_input_rounds_municipality_id'))

    op.drop_table('input_rounds')
    op.drop_table('organisation_places')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_municipality_id'))

    op.drop_table('organisations')
    with op.batch_alter_table('lagesbild_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lagesbild_snapshots_municipality_id'))

    _drop_append_only('lagesbild_snapshots')
    op.drop_table('lagesbild_snapshots')
