"""reviews: the request id a write came with (`Idempotency-Key`), so that a retried write
is stored once

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_reviews_request_id', ['request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_request_id')
        batch_op.drop_column('request_id')
