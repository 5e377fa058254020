"""The foundation: tenancy, pledges, places, categories and submissions.

Revision ID: 1cef3f6e1f2a
Revises:
Create Date: 2026-11-24 17:29:17
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1cef3f6e1f2a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('police_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_police_areas')),
    sa.UniqueConstraint('slug', name=op.f('uq_police_areas_slug'))
    )
    op.create_table('municipalities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('police_area_id', sa.Integer(), nullable=False),
    sa.Column('default_locale', sa.String(length=8), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('accent_color', sa.String(length=7), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('small_number_threshold', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['police_area_id'], ['police_areas.id'], name=op.f('fk_municipalities_police_area_id_police_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipalities')),
    sa.UniqueConstraint('slug', name=op.f('uq_municipalities_slug'))
    )
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipalities_police_area_id'), ['police_area_id'], unique=False)

    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.JSON(), nullable=False),
    sa.Column('default_route', sa.Enum('kommun', 'polis', 'fastighetsagare', name='route', native_enum=False, length=32), nullable=True),
    sa.Column('is_sensitive', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_categories_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['parent_id'], ['categories.id'], name=op.f('fk_categories_parent_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('municipality_id', 'code', name=op.f('uq_categories_municipality_id_code'))
    )
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_categories_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('places',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('kind', sa.Enum('area', 'street', 'point', name='placekind', native_enum=False, length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('geometry', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_places_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['parent_id'], ['places.id'], name=op.f('fk_places_parent_id_places')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_places')),
    sa.UniqueConstraint('municipality_id', 'slug', name=op.f('uq_places_municipality_id_slug'))
    )
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_places_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('pledges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('focus', sa.JSON(), nullable=False),
    sa.Column('goal', sa.JSON(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('signatories', sa.JSON(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'closed', name='pledgestatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_pledges_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledges'))
    )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledges_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_commitments_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_commitments_pledge_id_pledges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments'))
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitments_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_pledge_id'), ['pledge_id'], unique=False)

    op.create_table('initiatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_initiatives_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_initiatives_pledge_id_pledges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiatives'))
    )
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiatives_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiatives_pledge_id'), ['pledge_id'], unique=False)

    op.create_table('initiative_places',
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_places_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_initiative_places_place_id_places'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('initiative_id', 'place_id', name=op.f('pk_initiative_places'))
    )
    op.create_table('progress_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_progress_updates_commitment_id_commitments')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_progress_updates_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_updates'))
    )
    with op.batch_alter_table('progress_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_updates_commitment_id'), ['commitment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progress_updates_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('concern', 'suggestion', 'praise', name='submissionkind', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('new', 'in_review', 'accepted', 'forwarded', 'duplicate', 'rejected', 'spam', 'withdrawn', name='status', native_enum=False, length=32), nullable=False),
    sa.Column('submitted_category_id', sa.Integer(), nullable=False),
    sa.Column('submitted_place_id', sa.Integer(), nullable=True),
    sa.Column('submitted_commitment_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('commitment_id', sa.Integer(), nullable=True),
    sa.Column('location_text', sa.String(length=300), nullable=True),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('part_of_day', sa.Enum('morning', 'daytime', 'evening', 'night', name='partofday', native_enum=False, length=32), nullable=True),
    sa.Column('is_recurring', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('safety_rating', sa.SmallInteger(), nullable=True),
    sa.Column('submitter_type', sa.Enum('resident', 'business', 'association', 'not_stated', name='submittertype', native_enum=False, length=32), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('is_sensitive', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_submissions_category_id_categories')),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_submissions_commitment_id_commitments')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_submissions_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_submissions_place_id_places')),
    sa.ForeignKeyConstraint(['submitted_category_id'], ['categories.id'], name=op.f('fk_submissions_submitted_category_id_categories')),
    sa.ForeignKeyConstraint(['submitted_commitment_id'], ['commitments.id'], name=op.f('fk_submissions_submitted_commitment_id_commitments')),
    sa.ForeignKeyConstraint(['submitted_place_id'], ['places.id'], name=op.f('fk_submissions_submitted_place_id_places')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_submissions_idempotency_key')),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_submissions_receipt_hash')),
    sa.UniqueConstraint('reference', name=op.f('uq_submissions_reference'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_commitment_id'), ['commitment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_status'), ['status'], unique=False)

    op.create_table('addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_addenda_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_addenda_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addenda'))
    )
    with op.batch_alter_table('addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addenda_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_addenda_submission_id'), ['submission_id'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_contacts_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_contacts_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_contacts_submission_id'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_replies_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_replies_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replies'))
    )
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replies_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_replies_submission_id'), ['submission_id'], unique=False)

    op.create_table('status_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('actor_kind', sa.Enum('submitter', 'staff', 'system', name='actorkind', native_enum=False, length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.Enum('new', 'in_review', 'accepted', 'forwarded', 'duplicate', 'rejected', 'spam', 'withdrawn', name='status', native_enum=False, length=32), nullable=True),
    sa.Column('to_status', sa.Enum('new', 'in_review', 'accepted', 'forwarded', 'duplicate', 'rejected', 'spam', 'withdrawn', name='status', native_enum=False, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_status_events_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_status_events_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_events'))
    )
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_events_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_status_events_submission_id'), ['submission_id'], unique=False)




def downgrade():
    
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_events_submission_id'))
        batch_op.drop_index(batch_op.f('ix_status_events_municipality_id'))

    op.drop_table('status_events')
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replies_submission_id'))
        batch_op.drop_index(batch_op.f('ix_replies_municipality_id'))

    op.drop_table('replies')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_municipality_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addenda_submission_id'))
        batch_op.drop_index(batch_op.f('ix_addenda_municipality_id'))

    op.drop_table('addenda')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_status'))
        batch_op.drop_index(batch_op.f('ix_submissions_place_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_created_at'))
        batch_op.drop_index(batch_op.f('ix_submissions_commitment_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_category_id'))

    op.drop_table('submissions')
    with op.batch_alter_table('progress_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_updates_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_progress_updates_commitment_id'))

    op.drop_table('progress_updates')
    op.drop_table('initiative_places')
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiatives_pledge_id'))
        batch_op.drop_index(batch_op.f('ix_initiatives_municipality_id'))

    op.drop_table('initiatives')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitments_pledge_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_municipality_id'))

    op.drop_table('commitments')
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledges_municipality_id'))

    op.drop_table('pledges')
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_places_municipality_id'))

    op.drop_table('places')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_categories_municipality_id'))

    op.drop_table('categories')
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipalities_police_area_id'))

    op.drop_table('municipalities')
    op.drop_table('police_areas')

