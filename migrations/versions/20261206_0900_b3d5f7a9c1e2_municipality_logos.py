"""The municipality's logo, uploaded by an administrator and served by the app.

Revision ID: b3d5f7a9c1e2
Revises: 720a38cdf53e
Create Date: 2026-12-06 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d5f7a9c1e2'
down_revision = '720a38cdf53e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'municipality_logos',
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['municipality_id'],
            ['municipalities.id'],
            name=op.f('fk_municipality_logos_municipality_id_municipalities'),
        ),
        sa.PrimaryKeyConstraint('municipality_id', name=op.f('pk_municipality_logos')),
    )


def downgrade():
    op.drop_table('municipality_logos')
