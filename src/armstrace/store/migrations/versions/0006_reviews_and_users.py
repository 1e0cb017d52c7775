"""analyst review: reviews (audit log) and users tables; claims carry their review, key and
mention spans; documents keep their raw input; facts count independent reports

Revision ID: 0006
Revises: 0005
"""
import hashlib
import re

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _claim_key(content_hash, start, end, supplier, recipient, category, designation):
    # the formula of armstrace.store.reviews.claim_key, frozen here as of this migration
    item = re.sub(r"[^0-9a-z]+", "", (designation or "").lower()) or f"category:{category}"
    raw = f"{content_hash}|{start}|{end}|{supplier or ''}|{recipient or ''}|{item}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def upgrade() -> None:
    op.create_table(
        'reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('claim_key', sa.String(length=64), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('start', sa.Integer(), nullable=True),
        sa.Column('end', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('reviewer', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.String(length=32), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=True),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_claim_key'), ['claim_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_content_hash'), ['content_hash'], unique=False)
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('raw', sa.Text(), nullable=True))
    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('n_reviewed', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spans', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('review', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('reviewer', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('machine', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_claims_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_review'), ['review'], unique=False)

    # existing claims get their keys; facts count independent reports (their publishers)
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        'SELECT c.id, d.content_hash, c.start, c."end", c.supplier, c.recipient, c.category, c.designation '
        'FROM claims c JOIN documents d ON c.document_id = d.id')).all()
    update = sa.text('UPDATE claims SET "key" = :key WHERE id = :id')
    for cid, content_hash, start, end, supplier, recipient, category, designation in rows:
        bind.execute(update, {"id": cid, "key": _claim_key(content_hash, start, end, supplier, recipient,
                                                           category, designation)})
    bind.execute(sa.text(
        "UPDATE facts SET n_sources = (SELECT count(*) FROM sources s WHERE s.fact_id = facts.id "
        "AND s.kind = 'publisher')"))


def downgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_review'))
        batch_op.drop_index(batch_op.f('ix_claims_key'))
        for column in ('machine', 'review_note', 'reviewed_at', 'reviewer', 'review', 'key', 'spans'):
            batch_op.drop_column(column)
    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.drop_column('n_reviewed')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('raw')
    op.drop_table('users')
    op.drop_table('reviews')
