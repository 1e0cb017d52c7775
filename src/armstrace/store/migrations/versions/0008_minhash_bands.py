"""minhash_bands: the near-duplicate index in the database (was rebuilt in memory by every
process, growing with the number of documents); filled from the stored signatures

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('minhash_bands',
    sa.Column('band_key', sa.BigInteger(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('band_key', 'document_id')
    )
    with op.batch_alter_table('minhash_bands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minhash_bands_document_id'), ['document_id'], unique=False)

    from armstrace.store.dedup import band_keys, values

    bind = op.get_bind()
    documents = sa.table('documents', sa.column('id', sa.Integer), sa.column('minhash', sa.LargeBinary),
                         sa.column('duplicate_of', sa.Integer))
    bands = sa.table('minhash_bands', sa.column('band_key', sa.BigInteger), sa.column('document_id', sa.Integer))
    last = 0
    while True:  # a thousand documents at a time: memory stays flat on a large register
        rows = bind.execute(sa.select(documents.c.id, documents.c.minhash)
                            .where(documents.c.id > last, documents.c.duplicate_of.is_(None),
                                   documents.c.minhash.is_not(None))
                            .order_by(documents.c.id).limit(1000)).all()
        if not rows:
            break
        bind.execute(bands.insert(), [{'band_key': key, 'document_id': doc_id}
                                      for doc_id, data in rows for key in set(band_keys(values(data)))])
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table('minhash_bands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minhash_bands_document_id'))
    op.drop_table('minhash_bands')
