"""The register: documents, claims, facts and sources in SQLite or PostgreSQL.

    from armstrace.store import Store
    store = Store("armstrace.db")            # or "postgresql://user@host/db"; default $ARMSTRACE_DB
    outcome = store.add(document, claims)     # "new" | "updated" | "unchanged" | "duplicate"
    store.facts(supplier="IRN", recipient="RUS")

Each document is stored in its own transaction, so an interrupted ingest loses nothing
already stored and a rerun resumes; adding the same document again changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..ingest.document import Document
from . import dedup
from .engine import make_engine, migrate, resolve_url
from .facts import claim_date, fact_key, recompute
from .query import EVIDENCE_LIMIT, ClaimFilter, ClaimRecord, FactRecord, query_claims, query_facts
from .schema import ClaimRow, DocumentRow, FactRow, SourceRow

__all__ = ["Store", "ClaimFilter", "ClaimRecord", "FactRecord", "resolve_url"]

RETRIES = 5


class Store:
    """A register database; safe to use from several processes at once."""

    def __init__(self, db: str | None = None):
        self.url = resolve_url(db)
        self.engine = make_engine(self.url)
        self.write_engine = make_engine(self.url, write=True) if self.engine.dialect.name == "sqlite" else self.engine
        migrate(self.write_engine)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self.WriteSession = sessionmaker(self.write_engine, expire_on_commit=False)
        self._index: dedup.NearDuplicateIndex | None = None
        self._pending: tuple[int, object] | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()
        self.write_engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------

    def _near_duplicates_index(self) -> dedup.NearDuplicateIndex:
        assert self._index is not None
        return self._index

    def _near_duplicates(self, session: Session) -> dedup.NearDuplicateIndex:
        if self._index is None:
            self._index = dedup.NearDuplicateIndex()
            rows = session.execute(
                select(DocumentRow.id, DocumentRow.minhash).where(DocumentRow.duplicate_of.is_(None), DocumentRow.minhash.is_not(None))
            )
            for doc_id, data in rows:
                self._index.add(doc_id, dedup.from_bytes(data))
        return self._index

    def add(self, doc: Document, claims: Iterable[dict], not_processed: str | None = None) -> str:
        """Store one document with its claims and refresh the facts they touch.

        `not_processed` says why extraction passed the document over ("language ru"): it is
        kept, with no claims, in that state."""
        claims = list(claims)
        for attempt in range(RETRIES):
            self._pending = None
            try:
                with self.WriteSession.begin() as session:
                    outcome = self._add(session, doc, claims, not_processed)
                if self._pending is not None:  # committed: later documents may copy this one
                    self._near_duplicates_index().add(*self._pending)
                return outcome
            except IntegrityError:
                # another process stored the same document or fact first: look again
                if attempt == RETRIES - 1:
                    raise
            except OperationalError as err:
                # a deadlock or serialisation failure between concurrent writers: retry
                if attempt == RETRIES - 1 or "deadlock" not in str(err).lower() and "locked" not in str(err).lower():
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def add_many(self, items: Iterable[tuple[Document, Iterable[dict], str | None]]) -> list[str]:
        """Store many (document, claims, not_processed) in one transaction (bulk loading):
        the same rows, facts and outcomes as `add` one at a time, in order. If the transaction
        fails (another writer got there first, a lock), each document is added on its own."""
        items = [(doc, list(claims), reason) for doc, claims, reason in items]
        try:
            outcomes = []
            with self.WriteSession.begin() as session:
                index = self._near_duplicates(session)
                for doc, claims, reason in items:
                    self._pending = None
                    outcomes.append(self._add(session, doc, claims, reason))
                    if self._pending is not None:  # later documents of the batch may copy this one
                        index.add(*self._pending)
            return outcomes
        except (IntegrityError, OperationalError):
            self._index = None  # it may name rows that were rolled back: rebuilt from the table
            return [self.add(doc, claims, reason) for doc, claims, reason in items]

    def _add(self, session: Session, doc: Document, claims: list[dict], not_processed: str | None = None) -> str:
        content_hash = doc.content_hash
        index = self._near_duplicates(session)
        row = session.scalar(select(DocumentRow).where(DocumentRow.doc_key == doc.id))
        touched: set[int] = set()
        if row is not None:
            if row.content_hash == content_hash:
                return "unchanged"
            touched |= {fid for (fid,) in session.execute(select(ClaimRow.fact_id).where(ClaimRow.document_id == row.id)) if fid}
            session.execute(delete(ClaimRow).where(ClaimRow.document_id == row.id))
            outcome = "updated"
        else:
            row = DocumentRow(doc_key=doc.id)
            session.add(row)
            outcome = "new"

        signature = dedup.signature(doc.full_text)
        row.url, row.title, row.text = doc.url, doc.title, doc.text
        row.published, row.publisher, row.syndicated_from = doc.published, doc.publisher, doc.syndicated_from
        row.language, row.source_path, row.not_processed = doc.language, doc.source_path, not_processed
        row.removed = [{"kind": r.kind, "start": r.start, "end": r.end, "text": r.text} for r in doc.removed]
        row.content_hash, row.minhash = content_hash, dedup.to_bytes(signature)
        session.flush()

        original = session.scalar(
            select(func.min(DocumentRow.id)).where(
                DocumentRow.content_hash == content_hash, DocumentRow.id != row.id, DocumentRow.duplicate_of.is_(None))
        )
        if original is None:
            candidate = index.original_of(signature)
            original = candidate if candidate != row.id else None
        row.duplicate_of = original
        if original is not None and outcome == "new":
            outcome = "duplicate"

        for claim in claims:
            fact_id = self._fact_id(session, claim)
            touched.add(fact_id)
            session.add(ClaimRow(
                document_id=row.id, fact_id=fact_id,
                supplier=claim.get("supplier"), recipient=claim.get("recipient"),
                category=claim["category"], status=claim["status"], designation=claim.get("designation"),
                item=claim.get("item"), attribution=list(claim.get("attribution") or []),
                time=_str(claim.get("time")), quantity=_str(claim.get("quantity")), purpose=_str(claim.get("purpose")),
                evidence=claim.get("evidence") or "", start=claim.get("start"), end=claim.get("end"),
                confidence=claim.get("confidence"), rule=_str(claim.get("rule")),
                date=claim_date(claim.get("time"), doc.published),
            ))
        session.flush()
        for fact_id in sorted(touched):
            fact = session.get(FactRow, fact_id, with_for_update=self.dialect == "postgresql", populate_existing=True)
            if fact is not None:
                recompute(session, fact)
        if original is None:
            self._pending = (row.id, signature)
        return outcome

    def _fact_id(self, session: Session, claim: dict) -> int:
        supplier, recipient, key = fact_key(claim)
        values = dict(supplier=supplier, recipient=recipient, item_key=key, category=claim["category"],
                      designation=claim.get("designation") or None, timeline={}, n_claims=0, n_documents=0,
                      n_publishers=0, n_attributed=0, n_sources=0, confidence=0.0)
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        session.execute(insert(FactRow).values(**values).on_conflict_do_nothing(index_elements=["supplier", "recipient", "item_key"]))
        return session.scalar(select(FactRow.id).where(
            FactRow.supplier == supplier, FactRow.recipient == recipient, FactRow.item_key == key))

    # -- reading ------------------------------------------------------------------------

    def has(self, doc: Document) -> bool:
        """Whether this document is stored already with the same text."""
        with self.Session() as session:
            stored = session.scalar(select(DocumentRow.content_hash).where(DocumentRow.doc_key == doc.id))
        return stored == doc.content_hash

    def counts(self) -> dict[str, int]:
        with self.Session() as session:
            return {
                "documents": session.scalar(select(func.count()).select_from(DocumentRow)),
                "duplicates": session.scalar(select(func.count()).select_from(DocumentRow).where(DocumentRow.duplicate_of.is_not(None))),
                "not_processed": session.scalar(select(func.count()).select_from(DocumentRow).where(DocumentRow.not_processed.is_not(None))),
                "claims": session.scalar(select(func.count()).select_from(ClaimRow)),
                "facts": session.scalar(select(func.count()).select_from(FactRow).where(FactRow.n_claims > 0)),
                "sources": session.scalar(select(func.count()).select_from(SourceRow)),
            }

    def not_processed(self) -> dict[str, int]:
        """Documents kept but not read, by reason: {"language ru": 3}."""
        with self.Session() as session:
            return dict(session.execute(
                select(DocumentRow.not_processed, func.count()).where(DocumentRow.not_processed.is_not(None))
                .group_by(DocumentRow.not_processed).order_by(DocumentRow.not_processed)).all())

    def claims(self, filters: ClaimFilter | None = None, **kwargs) -> list[ClaimRecord]:
        with self.Session() as session:
            return query_claims(session, filters or ClaimFilter(**kwargs))

    def facts(self, filters: ClaimFilter | None = None, with_evidence: bool = True,
              evidence_limit: int = EVIDENCE_LIMIT, **kwargs) -> list[FactRecord]:
        """Facts matching the filters, each with its latest `evidence_limit` evidence sentences."""
        with self.Session() as session:
            return query_facts(session, filters or ClaimFilter(**kwargs), with_evidence=with_evidence,
                               evidence_limit=evidence_limit)

    def fact(self, fact_id: int, evidence_limit: int = 1000) -> FactRecord | None:
        """One fact with up to `evidence_limit` evidence sentences, or None."""
        with self.Session() as session:
            found = query_facts(session, ClaimFilter(), evidence_limit=evidence_limit, fact_id=fact_id)
        return found[0] if found else None

    def claims_frame(self, filters: ClaimFilter | None = None, **kwargs):
        """The claims as a pandas DataFrame."""
        import pandas as pd
        return pd.DataFrame([c.to_dict() for c in self.claims(filters, **kwargs)])

    def facts_frame(self, filters: ClaimFilter | None = None, **kwargs):
        """The facts as a pandas DataFrame."""
        import pandas as pd
        return pd.DataFrame([f.to_dict() for f in self.facts(filters, **kwargs)])


def _str(value) -> str | None:
    return None if value is None else str(value)
