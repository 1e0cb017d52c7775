"""The register: documents, claims, facts and sources in SQLite or PostgreSQL.

    from armstrace.store import Store
    store = Store("armstrace.db")            # or "postgresql://user@host/db"; default $ARMSTRACE_DB
    outcome = store.add(document, claims)     # "new" | "updated" | "unchanged" | "duplicate"
    store.facts(supplier="IRN", recipient="RUS")
    store.review([12], "reject", reviewer="alice", note="a headline, not a report")
    store.review([13], "correct", {"status": "planned"}, reviewer="alice")

Each document is stored in a transaction of its own (or with others in one, `add_many`), so an
interrupted ingest loses nothing already stored and a rerun resumes; adding the same document
again changes nothing. Writers take turns: on SQLite a write transaction takes the write lock
as it begins (BEGIN IMMEDIATE), on PostgreSQL it takes a transaction-scoped advisory lock
first, so every writer sees all that the writers before it committed (which documents a new
one copies, what the reviews of a claim are) and no write is lost to another's.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..ingest.document import Document
from ..ingest.errors import InputProblem
from . import bounds, dedup, reviews
from .engine import make_engine, migrate, resolve_url
from .facts import claim_date, fact_key, recompute
from .query import (EVIDENCE_LIMIT, ClaimFilter, ClaimRecord, FactRecord, claim_conditions, claim_record,
                    query_claims, query_facts)
from .reviews import ReviewError
from .schema import ClaimRow, DocumentRow, FactRow, ReviewRow, SourceRow, UserRow

__all__ = ["Store", "ClaimFilter", "ClaimRecord", "FactRecord", "DocumentRefused", "ReviewError", "resolve_url"]


class DocumentRefused(Exception):
    """The database refused a document's values (`reason` says which and why); nothing of the
    document was stored, and what was stored before it stays."""

    def __init__(self, doc: Document, error: Exception):
        self.doc = doc
        self.reason = _first_line(getattr(error, "orig", None) or error)
        super().__init__(f"document {doc.id[:200]}: not stored: the database refused it ({self.reason})")

    def problem(self) -> InputProblem:
        """The refusal as a reader's problem: the document named, skipped."""
        return InputProblem(self.doc.source_path or self.doc.id, str(self))


def _first_line(error: object) -> str:
    lines = str(error).strip().splitlines()
    return lines[0][:300] if lines else type(error).__name__


RETRIES = 5
WRITE_LOCK = 727275  # PostgreSQL advisory lock that write transactions take turns on (727274: migrations)


class Store:
    """A register database; safe to use from several processes at once."""

    def __init__(self, db: str | None = None):
        self.url = resolve_url(db)
        self.engine = make_engine(self.url)
        self.write_engine = make_engine(self.url, write=True) if self.engine.dialect.name == "sqlite" else self.engine
        migrate(self.write_engine)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self.WriteSession = sessionmaker(self.write_engine, expire_on_commit=False)

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

    def _begin_writing(self, session: Session) -> None:
        """Wait for this writer's turn (SQLite's BEGIN IMMEDIATE did already)."""
        if self.dialect == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})

    def add(self, doc: Document, claims: Iterable[dict], not_processed: str | None = None,
            replace: bool = False) -> str:
        """Store one document with its claims and refresh the facts they touch.

        `not_processed` says why extraction passed the document over ("language ru"): it is
        kept, with no claims, in that state. A document stored already with the same text is
        left as it is ("unchanged"), unless `replace`: then its claims are replaced by these
        (extracted again, say with a retrained model; "updated"). Reviews apply to the new
        claims as they did to the old."""
        claims = list(claims)
        try:
            return self._transaction(lambda session: self._add(session, doc, claims, not_processed, replace))
        except (DataError, IntegrityError, OverflowError) as err:  # this document's values, refused by the database
            raise DocumentRefused(doc, err) from err

    def _transaction(self, work):
        """`work(session)` in a write transaction, tried again when a concurrent writer got in
        the way (stored the same document or fact first, a deadlock, a lock)."""
        for attempt in range(RETRIES):
            try:
                with self.WriteSession.begin() as session:
                    self._begin_writing(session)
                    return work(session)
            except IntegrityError:
                if attempt == RETRIES - 1:
                    raise
            except OperationalError as err:
                if attempt == RETRIES - 1 or "deadlock" not in str(err).lower() and "locked" not in str(err).lower():
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def add_many(self, items: Iterable[tuple[Document, Iterable[dict], str | None]], replace: bool = False,
                 on_refused: Callable[[DocumentRefused], None] | None = None) -> list[str]:
        """Store many (document, claims, not_processed) in one transaction (bulk loading):
        the same rows, facts and outcomes as `add` one at a time, in order. If the transaction
        fails (another writer got there first, a lock, a value the database refuses), each
        document is added on its own. A document the database refuses raises `DocumentRefused`,
        or, with `on_refused`, is passed to it (outcome "refused") and the others are stored."""
        items = [(doc, list(claims), reason) for doc, claims, reason in items]
        try:
            outcomes = []
            with self.WriteSession.begin() as session:
                self._begin_writing(session)
                for doc, claims, reason in items:
                    outcomes.append(self._add(session, doc, claims, reason, replace))
            return outcomes
        except (IntegrityError, OperationalError, DataError, OverflowError):
            pass
        outcomes = []
        for doc, claims, reason in items:
            try:
                outcomes.append(self.add(doc, claims, reason, replace))
            except DocumentRefused as refused:
                if on_refused is None:
                    raise
                on_refused(refused)
                outcomes.append("refused")
        return outcomes

    def _add(self, session: Session, doc: Document, claims: list[dict], not_processed: str | None = None,
             replace: bool = False) -> str:
        content_hash = doc.content_hash
        doc_key = bounds.fit(DocumentRow, "doc_key", doc.id)
        row = session.scalar(select(DocumentRow).where(DocumentRow.doc_key == doc_key))
        touched: set[int] = set()
        if row is not None:
            if row.content_hash == content_hash and not replace:
                return "unchanged"
            touched |= {fid for (fid,) in session.execute(select(ClaimRow.fact_id).where(ClaimRow.document_id == row.id)) if fid}
            session.execute(delete(ClaimRow).where(ClaimRow.document_id == row.id))
            dedup.unindex(session, row.id)
            outcome = "updated"
        else:
            row = DocumentRow(doc_key=doc_key)
            session.add(row)
            outcome = "new"

        signature = dedup.signature(doc.full_text)
        row.url, row.title, row.text = doc.url, doc.title, doc.text
        meta = bounds.fitted(DocumentRow, dict(published=doc.published, publisher=doc.publisher,
                                               syndicated_from=doc.syndicated_from, language=doc.language,
                                               not_processed=not_processed))
        row.published, row.publisher, row.syndicated_from = meta["published"], meta["publisher"], meta["syndicated_from"]
        row.language, row.source_path, row.not_processed = meta["language"], doc.source_path, meta["not_processed"]
        row.removed = [{"kind": r.kind, "start": r.start, "end": r.end, "text": r.text} for r in doc.removed]
        # the input before boilerplate removal, to show what was removed in place; when nothing
        # was removed the clean text says it all
        row.raw = doc.raw if doc.removed else None
        row.content_hash, row.minhash = content_hash, dedup.to_bytes(signature)
        session.flush()

        original = session.scalar(
            select(func.min(DocumentRow.id)).where(
                DocumentRow.content_hash == content_hash, DocumentRow.id != row.id, DocumentRow.duplicate_of.is_(None))
        )
        if original is None:
            original = dedup.original_of(session, signature, exclude=row.id)
        row.duplicate_of = original
        if original is not None and outcome == "new":
            outcome = "duplicate"

        for claim in claims:
            claim = bounds.fitted(ClaimRow, claim)
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
                date=claim_date(claim.get("time"), doc.published), spans=claim.get("spans"),
                key=reviews.claim_key(content_hash, claim.get("start"), claim.get("end"), claim.get("supplier"),
                                      claim.get("recipient"), claim["category"], claim.get("designation")),
            ))
        session.flush()
        touched |= self._apply_reviews(session, row)
        for fact_id in sorted(touched):
            fact = session.get(FactRow, fact_id, with_for_update=self.dialect == "postgresql", populate_existing=True)
            if fact is not None:
                recompute(session, fact)
        if original is None:  # the documents stored after it may copy it
            dedup.index(session, row.id, signature)
        return outcome

    def _fact_id(self, session: Session, claim: dict) -> int:
        supplier, recipient, key = fact_key(claim)
        values = dict(supplier=supplier, recipient=recipient, item_key=key, category=claim["category"],
                      designation=claim.get("designation") or None, timeline={}, n_claims=0, n_documents=0,
                      n_publishers=0, n_attributed=0, n_sources=0, confidence=0.0)
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        values = bounds.fitted(FactRow, values)
        session.execute(insert(FactRow).values(**values).on_conflict_do_nothing(index_elements=["supplier", "recipient", "item_key"]))
        return session.scalar(select(FactRow.id).where(
            FactRow.supplier == supplier, FactRow.recipient == recipient, FactRow.item_key == key))

    # -- reviews --------------------------------------------------------------------------

    def _apply_reviews(self, session: Session, doc: DocumentRow) -> set[int]:
        """Apply the reviews of this document's content to its claim rows (made again for
        claims an analyst added); the ids of the facts this touched."""
        found = session.scalars(select(ReviewRow).where(ReviewRow.content_hash == doc.content_hash)
                                .order_by(ReviewRow.id)).all()
        if not found:
            return set()
        by_key: dict[str, list[ReviewRow]] = defaultdict(list)
        for review in found:
            by_key[review.claim_key].append(review)
        rows = session.scalars(select(ClaimRow).where(ClaimRow.document_id == doc.id)).all()
        have = {row.key for row in rows}
        for key, group in by_key.items():
            if group[0].action == "add" and key not in have:
                rows.append(self._added_row(session, doc, group[0]))
        touched: set[int] = set()
        for row in rows:
            if row.key in by_key:
                touched |= self._reapply(session, row, doc, by_key[row.key])
        return touched

    def _added_row(self, session: Session, doc: DocumentRow, review: ReviewRow) -> ClaimRow:
        full = Document(id=doc.doc_key, text=doc.text, title=doc.title).full_text
        values = {field: None for field in reviews.FIELDS} | dict(review.values or {})
        row = ClaimRow(document_id=doc.id, category=values["category"], status=values["status"],
                       supplier=values["supplier"], recipient=values["recipient"], designation=values["designation"],
                       item=values["designation"], attribution=list(values["attribution"] or []), time=values["time"],
                       evidence=full[review.start:review.end], start=review.start, end=review.end, confidence=1.0,
                       rule="analyst", key=review.claim_key)
        session.add(row)
        session.flush()
        return row

    def _reapply(self, session: Session, row: ClaimRow, doc: DocumentRow, group: list[ReviewRow]) -> set[int]:
        """Set the claim row from its reviews and move it to its fact; the facts touched."""
        old = row.fact_id
        reviews.apply(row, group)
        row.date = claim_date(row.time, doc.published)
        row.fact_id = self._fact_id(session, {"supplier": row.supplier, "recipient": row.recipient,
                                              "category": row.category, "designation": row.designation})
        return {fid for fid in (old, row.fact_id) if fid}

    def review(self, claim_ids: Iterable[int], action: str, values: dict[str, Any] | None = None, *,
               reviewer: str, note: str | None = None,
               request_id: str | None = None) -> list[tuple[ClaimRecord, dict[str, Any]]]:
        """Accept, reject or correct claims (all in one transaction: every id must exist).
        Each gets a review in the log; the claim (and any copy of its document) takes the
        reviewed values and moves to its fact. Returns each claim as it is now, with its review.

        `request_id` (an HTTP client's `Idempotency-Key`) makes a retry safe: the same request
        again from the same reviewer writes nothing and returns the reviews written the first
        time; another request with that id is `RequestReused` (a `ReviewError`)."""
        if action not in ("accept", "reject", "correct"):
            raise ReviewError(f"unknown review action {action!r}: accept, reject or correct")
        values = reviews.clean_values(values or {}) if action == "correct" else {}
        if action == "correct" and not values:
            raise ReviewError("a correction sets at least one field (--set field=value)")
        if values and action != "correct":
            raise ReviewError(f"only a correction sets fields, not {action}")
        note = reviews.check_note(note)
        reviewer = _reviewer(reviewer)
        request_id = reviews.check_request_id(request_id)
        ids = list(dict.fromkeys(claim_ids))

        def work(session: Session):
            done = self._requested(session, request_id, reviewer)
            if done:  # this request again (a retry): answer as the first time
                reviews.check_replay(done, request_id, action, values, note, claim_ids=ids)
                order = {cid: n for n, cid in enumerate(ids)}
                return [(self._reviewed_claim(session, r), reviews.review_dict(r))
                        for r in sorted(done, key=lambda r: order[r.claim_id])]
            written = []
            touched: set[int] = set()
            for claim_id in ids:
                row = session.get(ClaimRow, claim_id)
                if row is None:
                    raise ReviewError(f"no claim {claim_id}")
                doc = session.get(DocumentRow, row.document_id)
                review = ReviewRow(claim_key=row.key, content_hash=doc.content_hash, start=row.start, end=row.end,
                                   action=action, values=values, note=note, reviewer=reviewer,
                                   created_at=reviews.now(), claim_id=row.id, document_id=doc.id,
                                   request_id=request_id)
                session.add(review)
                session.flush()
                touched |= self._rereview(session, row.key, doc.content_hash)
                written.append((row.id, review))
            self._recompute(session, touched)
            return [(self._claim_record(session, cid), reviews.review_dict(r)) for cid, r in written]

        return self._transaction(work)

    @staticmethod
    def _requested(session: Session, request_id: str | None, reviewer: str) -> list[ReviewRow]:
        """The reviews `reviewer` wrote with `request_id` (none without one)."""
        if request_id is None:
            return []
        return list(session.scalars(select(ReviewRow).where(ReviewRow.request_id == request_id,
                                                            ReviewRow.reviewer == reviewer).order_by(ReviewRow.id)))

    def _reviewed_claim(self, session: Session, review: ReviewRow) -> ClaimRecord:
        """The claim a review was written on, as it is now (found by its key once re-extraction
        has replaced the row)."""
        row = session.get(ClaimRow, review.claim_id) if review.claim_id is not None else None
        if row is None:
            row = session.scalars(select(ClaimRow).where(ClaimRow.key == review.claim_key)
                                  .order_by(ClaimRow.id).limit(1)).first()
        if row is None:
            raise ReviewError(f"review {review.id} was written, but its claim is no longer stored")
        return self._claim_record(session, row.id)

    def _rereview(self, session: Session, key: str, content_hash: str) -> set[int]:
        """Apply the reviews of `key` to every claim row with that key (copies of a document too)."""
        group = session.scalars(select(ReviewRow).where(ReviewRow.claim_key == key).order_by(ReviewRow.id)).all()
        touched: set[int] = set()
        for row in session.scalars(select(ClaimRow).where(ClaimRow.key == key)).all():
            doc = session.get(DocumentRow, row.document_id)
            if doc.content_hash == content_hash:
                touched |= self._reapply(session, row, doc, group)
        return touched

    def _recompute(self, session: Session, fact_ids: set[int]) -> None:
        session.flush()
        for fact_id in sorted(fact_ids):
            fact = session.get(FactRow, fact_id, with_for_update=self.dialect == "postgresql", populate_existing=True)
            if fact is not None:
                recompute(session, fact)

    def add_claim(self, document_id: int, start: int, end: int, values: dict[str, Any], *, reviewer: str,
                  note: str | None = None, request_id: str | None = None) -> tuple[ClaimRecord, dict[str, Any]]:
        """Add a claim the machine missed, on characters [start, end) of a stored document's
        full text (a sentence). `values` need a category and a status. With `request_id`, a
        retry of the same request adds nothing and returns the claim added the first time
        (see `review`)."""
        values = reviews.clean_values(values)
        missing = [f for f in ("category", "status") if not values.get(f)]
        if missing:
            raise ReviewError(f"an added claim needs {' and '.join(missing)} (--set category=... --set status=...)")
        note, reviewer = reviews.check_note(note), _reviewer(reviewer)
        request_id = reviews.check_request_id(request_id)

        def work(session: Session):
            done = self._requested(session, request_id, reviewer)
            if done:  # this request again (a retry): answer as the first time
                reviews.check_replay(done, request_id, "add", values, note, span=(document_id, start, end))
                return self._reviewed_claim(session, done[0]), reviews.review_dict(done[0])
            doc = session.get(DocumentRow, document_id)
            if doc is None:
                raise ReviewError(f"no document {document_id}")
            full = Document(id=doc.doc_key, text=doc.text, title=doc.title).full_text
            if not (0 <= start < end <= len(full)) or not full[start:end].strip():
                raise ReviewError(f"characters {start}..{end} are not a span of document {document_id}'s text "
                                  f"({len(full)} characters)")
            created = reviews.now()
            review = ReviewRow(claim_key=reviews.added_key(),
                               content_hash=doc.content_hash, start=start, end=end, action="add", values=values,
                               note=note, reviewer=reviewer, created_at=created, document_id=doc.id,
                               request_id=request_id)
            session.add(review)
            session.flush()
            row = self._added_row(session, doc, review)
            review.claim_id = row.id
            touched = self._reapply(session, row, doc, [review])
            # the same text stored under other keys (reprints) gets the claim too, as a copy
            # stored later does (`_apply_reviews`)
            for copy in session.scalars(select(DocumentRow).where(DocumentRow.content_hash == doc.content_hash,
                                                                  DocumentRow.id != doc.id).order_by(DocumentRow.id)):
                touched |= self._reapply(session, self._added_row(session, copy, review), copy, [review])
            self._recompute(session, touched)
            return self._claim_record(session, row.id), reviews.review_dict(review)

        return self._transaction(work)

    def _claim_record(self, session: Session, claim_id: int) -> ClaimRecord:
        row = session.get(ClaimRow, claim_id, populate_existing=True)
        return claim_record(row, session.get(DocumentRow, row.document_id))

    def reviews(self, claim_id: int | None = None, reviewer: str | None = None, limit: int | None = 100,
                offset: int = 0) -> list[dict[str, Any]]:
        """The audit log, newest first: every review of `claim_id` (by its key), else all."""
        with self.Session() as session:
            stmt = select(ReviewRow)
            if claim_id is not None:
                key = session.scalar(select(ClaimRow.key).where(ClaimRow.id == claim_id))
                stmt = stmt.where(or_(ReviewRow.claim_key == key, ReviewRow.claim_id == claim_id))
            if reviewer:
                stmt = stmt.where(ReviewRow.reviewer == reviewer)
            stmt = stmt.order_by(ReviewRow.id.desc()).offset(offset)
            if limit is not None:
                stmt = stmt.limit(limit)
            return [reviews.review_dict(r) for r in session.scalars(stmt)]

    def queue(self, filters: ClaimFilter | None = None, limit: int | None = 50,
              offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Unreviewed claims in the order to look at them: the least sure claims of the facts
        with the fewest independent reports first, copies of documents last; and how many there are."""
        f = filters or ClaimFilter()
        with self.Session() as session:
            stmt = (select(ClaimRow, DocumentRow, FactRow).join(DocumentRow, ClaimRow.document_id == DocumentRow.id)
                    .join(FactRow, ClaimRow.fact_id == FactRow.id).where(ClaimRow.review.is_(None)))
            stmt = claim_conditions(stmt, f)
            if f.min_sources:
                stmt = stmt.where(FactRow.n_sources >= f.min_sources)
            total = session.scalar(select(func.count()).select_from(stmt.subquery()))
            stmt = stmt.order_by(DocumentRow.duplicate_of.is_not(None), FactRow.n_sources, ClaimRow.confidence,
                                 ClaimRow.id).offset(offset)
            if limit is not None:
                stmt = stmt.limit(limit)
            out = []
            for claim, doc, fact in session.execute(stmt):
                out.append(claim_record(claim, doc).to_dict() | {"fact_n_sources": fact.n_sources,
                                                                 "fact_confidence": fact.confidence})
            return out, total

    # -- reviewers --------------------------------------------------------------------------

    def add_user(self, name: str) -> str:
        """A new reviewer; returns their token (only its SHA-256 is stored: shown once)."""
        name = _reviewer(name)
        token = secrets.token_urlsafe(24)
        try:
            with self.WriteSession.begin() as session:
                session.add(UserRow(name=name, token_hash=_token_hash(token), created_at=reviews.now()))
        except IntegrityError:
            raise ReviewError(f"there is a reviewer called {name!r} already") from None
        return token

    def revoke_user(self, name: str) -> None:
        """Remove a reviewer: their token is refused from the next request on (the API looks
        it up on every write); the review log keeps their name. A ReviewError if there is no
        reviewer of that name."""
        name = _reviewer(name)
        with self.WriteSession.begin() as session:
            removed = session.execute(delete(UserRow).where(UserRow.name == name)).rowcount
        if not removed:
            raise ReviewError(f"there is no reviewer called {name!r}")

    def rotate_token(self, name: str) -> str:
        """A new token for a reviewer, returned (shown once); the old one is refused from the
        next request on. A ReviewError if there is no reviewer of that name."""
        name = _reviewer(name)
        token = secrets.token_urlsafe(24)
        with self.WriteSession.begin() as session:
            changed = session.execute(
                update(UserRow).where(UserRow.name == name).values(token_hash=_token_hash(token))).rowcount
        if not changed:
            raise ReviewError(f"there is no reviewer called {name!r}")
        return token

    def user_for_token(self, token: str | None) -> str | None:
        """The reviewer a token belongs to, or None."""
        if not token:
            return None
        with self.Session() as session:
            return session.scalar(select(UserRow.name).where(UserRow.token_hash == _token_hash(token)))

    def users(self) -> list[dict[str, str]]:
        with self.Session() as session:
            return [{"name": u.name, "created_at": u.created_at}
                    for u in session.scalars(select(UserRow).order_by(UserRow.name))]

    # -- reading ------------------------------------------------------------------------

    def has(self, doc: Document) -> bool:
        """Whether this document is stored already with the same text."""
        with self.Session() as session:
            stored = session.scalar(select(DocumentRow.content_hash).where(
                DocumentRow.doc_key == bounds.fit(DocumentRow, "doc_key", doc.id)))
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
        import dataclasses

        import pandas as pd
        return pd.DataFrame([c.to_dict() for c in self.claims(filters, **kwargs)],
                            columns=[f.name for f in dataclasses.fields(ClaimRecord)])

    def facts_frame(self, filters: ClaimFilter | None = None, **kwargs):
        """The facts as a pandas DataFrame."""
        import dataclasses

        import pandas as pd
        return pd.DataFrame([f.to_dict() for f in self.facts(filters, **kwargs)],
                            columns=[f.name for f in dataclasses.fields(FactRecord)])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def _reviewer(name: str | None) -> str:
    name = (name or "").strip()
    if not name or len(name) > reviews.MAX_NAME or not name.isprintable():
        raise ReviewError(f"a reviewer's name is 1 to {reviews.MAX_NAME} printable characters")
    return name


def _str(value) -> str | None:
    return None if value is None else str(value)
