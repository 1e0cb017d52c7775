"""The register's tables (SQLAlchemy 2 declarative models).

documents  one row per ingested document: metadata, clean text, removed boilerplate,
           content hash, MinHash signature, and `duplicate_of` for syndicated copies
claims     one row per extracted claim, with its evidence span and its fact
facts      claims merged by (supplier, recipient, item): status timeline, corroboration
sources    who backs a fact: each independent publisher ("publisher", counted) and each
           source the articles cite ("attributed", shown, not counted), once
reviews    the analysts' audit log: accept, reject, correct, add; appended, never changed
users      reviewers: a name and the SHA-256 of their token (never the token)
minhash_bands  the near-duplicate index: a key a band of each original document's signature

The migrations in `migrations/versions/` create these tables; keep them in step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ..ingest.limits import MAX_ID, MAX_NAME  # what the readers fit a document's metadata to


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_key: Mapped[str] = mapped_column(String(MAX_ID), unique=True)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(10), index=True)
    publisher: Mapped[str | None] = mapped_column(String(MAX_NAME))
    syndicated_from: Mapped[str | None] = mapped_column(String(MAX_NAME))
    language: Mapped[str | None] = mapped_column(String(8))
    # why extraction passed this document over ("language ru"); NULL when it was read
    not_processed: Mapped[str | None] = mapped_column(String(200))
    source_path: Mapped[str | None] = mapped_column(Text)
    removed: Mapped[list[Any]] = mapped_column(JSON, default=list)
    raw: Mapped[str | None] = mapped_column(Text)  # the input before boilerplate removal, when some was removed
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"), index=True)
    ingested_at: Mapped[str] = mapped_column(String(32), default=lambda: dt.datetime.now(dt.timezone.utc).isoformat())

    claims: Mapped[list["ClaimRow"]] = relationship(back_populates="document", cascade="all, delete-orphan")


class MinHashBandRow(Base):
    """One LSH band of an original document's MinHash signature (`dedup.py`): the documents
    sharing a band key with a new one are the candidates it may copy."""

    __tablename__ = "minhash_bands"

    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)


class FactRow(Base):
    __tablename__ = "facts"
    __table_args__ = (UniqueConstraint("supplier", "recipient", "item_key", name="uq_fact_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # '' stands for an unnamed party so that the unique key works on every database
    supplier: Mapped[str] = mapped_column(String(40), index=True)
    recipient: Mapped[str] = mapped_column(String(40), index=True)
    item_key: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str] = mapped_column(String(20), index=True)
    designation: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str | None] = mapped_column(String(12), index=True)  # the latest reported status
    timeline: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # status -> {first, last, claims}
    first_date: Mapped[str | None] = mapped_column(String(10), index=True)
    last_date: Mapped[str | None] = mapped_column(String(10), index=True)
    n_claims: Mapped[int] = mapped_column(Integer, default=0)
    n_documents: Mapped[int] = mapped_column(Integer, default=0)
    n_publishers: Mapped[int] = mapped_column(Integer, default=0)
    n_attributed: Mapped[int] = mapped_column(Integer, default=0)
    n_sources: Mapped[int] = mapped_column(Integer, default=0, index=True)  # independent reports
    n_reviewed: Mapped[int] = mapped_column(Integer, default=0)  # claims a person accepted, corrected or added
    confidence: Mapped[float] = mapped_column(Float, default=0.0)

    claims: Mapped[list["ClaimRow"]] = relationship(back_populates="fact")
    sources: Mapped[list["SourceRow"]] = relationship(back_populates="fact", cascade="all, delete-orphan")


class ClaimRow(Base):
    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_pair", "supplier", "recipient"),
        Index("ix_claims_fact_latest", "fact_id", "id"),  # a fact's newest evidence, without a sort
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    fact_id: Mapped[int | None] = mapped_column(ForeignKey("facts.id", ondelete="SET NULL"), index=True)
    supplier: Mapped[str | None] = mapped_column(String(40))
    recipient: Mapped[str | None] = mapped_column(String(40), index=True)
    category: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    designation: Mapped[str | None] = mapped_column(String(200), index=True)
    item: Mapped[str | None] = mapped_column(Text)
    attribution: Mapped[list[Any]] = mapped_column(JSON, default=list)
    time: Mapped[str | None] = mapped_column(String(32))
    quantity: Mapped[str | None] = mapped_column(String(100))
    purpose: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[float | None] = mapped_column(Float)
    rule: Mapped[str | None] = mapped_column(String(100))
    date: Mapped[str | None] = mapped_column(String(10), index=True)  # claim time, else publication date
    spans: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # supplier/recipient/item -> [start, end]
    # what reviews key on: document content, evidence span and the extracted parties and item
    key: Mapped[str | None] = mapped_column(String(64), index=True)
    # the latest review: accepted | rejected | corrected | added; NULL when no one has looked
    review: Mapped[str | None] = mapped_column(String(12), index=True)
    reviewer: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[str | None] = mapped_column(String(32))
    review_note: Mapped[str | None] = mapped_column(Text)
    machine: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the extracted values a correction replaced

    document: Mapped[DocumentRow] = relationship(back_populates="claims")
    fact: Mapped[FactRow | None] = relationship(back_populates="claims")


class SourceRow(Base):
    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("fact_id", "kind", "name", name="uq_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fact_id: Mapped[int] = mapped_column(ForeignKey("facts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # publisher | attributed
    name: Mapped[str] = mapped_column(String(300))

    fact: Mapped[FactRow] = relationship(back_populates="sources")


class SipriDealRow(Base):
    """A deal of a SIPRI Trade Register export (`armstrace sipri import`); one row per deal."""

    __tablename__ = "sipri_deals"
    __table_args__ = (Index("ix_sipri_pair", "supplier", "recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # SIPRI AT Database ID
    supplier_name: Mapped[str] = mapped_column(String(200))
    recipient_name: Mapped[str] = mapped_column(String(200))
    supplier: Mapped[str | None] = mapped_column(String(40))
    recipient: Mapped[str | None] = mapped_column(String(40))
    designation: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(300))
    sipri_category: Mapped[str | None] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(20))
    order_year: Mapped[int | None] = mapped_column(Integer)
    delivery_years: Mapped[str | None] = mapped_column(String(200))
    numbers_delivered: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(40))


class ReviewRow(Base):
    """One analyst decision. Appended, never updated or deleted: the audit log. Keyed by the
    claim's `key` (document content + evidence span + extracted parties and item), so it
    applies again when the same document is ingested or extracted again."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_key: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))  # accept | reject | correct | add
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # correct/add: the fields set
    note: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(32))
    claim_id: Mapped[int | None] = mapped_column(Integer)  # the claim row when written (rows change on re-extraction)
    document_id: Mapped[int | None] = mapped_column(Integer)
    # the request id the write came with (`Idempotency-Key`): a retry with it finds this review
    # instead of writing another; the rows of one review of several claims share it
    request_id: Mapped[str | None] = mapped_column(String(200), index=True)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String(32))
