"""Queries over claims and facts with the filters analysts use."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Select, or_, select, text
from sqlalchemy.orm import Session, selectinload

from ..choices import CATEGORIES, REVIEW_STATES, STATUSES  # noqa: F401  (defined there, used from here too)
from .schema import ClaimRow, DocumentRow, FactRow
MAX_TEXT = 1000  # characters of the text filter (SQLite refuses LIKE patterns over 50,000 bytes)
MAX_INT = 2**63 - 1  # the largest limit or offset a database takes (a signed 64-bit integer)


@dataclass
class ClaimFilter:
    """Filters shared by claims, facts, exports and the API; None means any."""

    supplier: str | None = None
    recipient: str | None = None
    party: str | None = None  # supplier or recipient
    category: str | None = None
    designation: str | None = None
    status: str | None = None
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    min_sources: int | None = None
    min_confidence: float | None = None  # claims: the extractor's; facts: the fact's
    text: str | None = None  # substring of the evidence sentence
    # unreviewed | accepted | rejected | corrected | added | any; None: every claim but the rejected
    review: str | None = None
    limit: int | None = None
    offset: int = 0

    def __post_init__(self):
        for name, value in vars(self).items():
            if isinstance(value, str) and "\x00" in value:  # SQLite cuts a pattern there; PostgreSQL refuses it
                raise ValueError(f"{name} must not contain a NUL character")
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}; known: {', '.join(CATEGORIES)}")
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; known: {', '.join(STATUSES)}")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not _is_date_prefix(value):
                raise ValueError(f"{name} must be an ISO date like 2024-01-31 (or 2024-01, 2024), not {value!r}")
        if self.limit is not None and self.limit < 0 or self.offset < 0:
            raise ValueError("limit and offset must not be negative")
        for name in ("limit", "offset"):
            value = getattr(self, name)
            if value is not None and value > MAX_INT:
                raise ValueError(f"{name} must be at most {MAX_INT}, not {value}")
        if self.review is not None and self.review not in REVIEW_STATES:
            raise ValueError(f"unknown review state {self.review!r}; known: {', '.join(REVIEW_STATES)}")
        if self.text is not None and len(self.text) > MAX_TEXT:
            raise ValueError(f"text must be at most {MAX_TEXT} characters, not {len(self.text)}")

    @staticmethod
    def actor(value: str | None) -> str | None:
        """The register's code for an actor given as a code ("IRN", "hezbollah") or a name,
        demonym or metonym ("Iran", "Iranian", "Tehran")."""
        if value is None:
            return None
        value = value.strip()
        code = value.upper() if len(value) == 3 and value.isalpha() else value.lower()
        names = known_actors()
        if code in names["codes"]:
            return code
        return names["surfaces"].get(value.lower(), code)


@lru_cache(maxsize=1)
def known_actors() -> dict:
    from ..nlp.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    return {"codes": set(gazetteer.actors), "surfaces": gazetteer.surface_actor}


def _is_date_prefix(value: str) -> bool:
    """Whether `value` is a real calendar date (2024-02-29), month (2024-02) or year (2024),
    written with ASCII digits: dates are compared as text, so 2024-2 would not sort."""
    parts = value.split("-")
    if not 1 <= len(parts) <= 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return False
    if len(parts[0]) != 4 or any(len(p) != 2 for p in parts[1:]):
        return False
    year, month, day = (int(p) for p in parts + ["01"] * (3 - len(parts)))
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def like_escape(value: str) -> str:
    """`value` as a LIKE pattern matching it literally (with ESCAPE '\\')."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class ClaimRecord:
    id: int
    doc: str
    document_id: int
    supplier: str | None
    recipient: str | None
    category: str
    status: str
    designation: str | None
    item: str | None
    attribution: list[str]
    time: str | None
    quantity: str | None
    purpose: str | None
    evidence: str
    start: int | None
    end: int | None
    confidence: float | None
    rule: str | None
    date: str | None
    fact_id: int | None
    url: str | None
    publisher: str | None
    duplicate: bool
    spans: dict[str, Any] | None = None  # supplier/recipient/item -> [start, end] in the document's full text
    review: str | None = None  # the latest review: accepted | rejected | corrected | added
    reviewer: str | None = None
    reviewed_at: str | None = None
    review_note: str | None = None
    machine: dict[str, Any] | None = None  # the extracted values a correction replaced

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FactRecord:
    id: int
    supplier: str | None
    recipient: str | None
    category: str
    designation: str | None
    status: str | None
    timeline: dict[str, Any]
    first_date: str | None
    last_date: str | None
    n_claims: int
    n_documents: int
    n_publishers: int
    n_attributed: int
    n_sources: int  # independent reports: distinct original publishers
    confidence: float
    n_reviewed: int = 0
    sources: list[str] = field(default_factory=list)  # the publishers counted in n_sources
    cited: list[str] = field(default_factory=list)  # who the reports cite: shown, not counted
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def statuses(self) -> list[str]:
        return list(self.timeline)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


UNKNOWN = "unknown"  # filter value for a party the text does not name


def _party(column, value: str, unnamed_is_empty: bool):
    """column matches actor `value`; "unknown" matches the unnamed party (NULL in claims, '' in facts)."""
    code = ClaimFilter.actor(value)
    if code == UNKNOWN:
        return column == "" if unnamed_is_empty else column.is_(None)
    return column == code


def party_conditions(stmt: Select, f: ClaimFilter, supplier, recipient, unnamed_is_empty: bool = False) -> Select:
    if f.supplier:
        stmt = stmt.where(_party(supplier, f.supplier, unnamed_is_empty))
    if f.recipient:
        stmt = stmt.where(_party(recipient, f.recipient, unnamed_is_empty))
    if f.party:
        stmt = stmt.where(or_(_party(supplier, f.party, unnamed_is_empty), _party(recipient, f.party, unnamed_is_empty)))
    return stmt


def claim_conditions(stmt: Select, f: ClaimFilter, claim=ClaimRow) -> Select:
    stmt = party_conditions(stmt, f, claim.supplier, claim.recipient)
    if f.category:
        stmt = stmt.where(claim.category == f.category)
    if f.designation:
        facts = select(FactRow.id).where(FactRow.item_key == designation_key(f.designation))
        stmt = stmt.where(claim.fact_id.in_(facts))
    if f.status:
        stmt = stmt.where(claim.status == f.status)
    if f.since:
        stmt = stmt.where(claim.date >= f.since)
    if f.until:
        stmt = stmt.where(claim.date <= f.until + "\uffff")
    if f.min_confidence:
        stmt = stmt.where(claim.confidence >= f.min_confidence)
    if f.text:
        stmt = stmt.where(claim.evidence.ilike(f"%{like_escape(f.text)}%", escape="\\"))
    return review_condition(stmt, f.review, claim)


def review_condition(stmt: Select, state: str | None, claim=ClaimRow) -> Select:
    """Claims in review `state`; None: all but the rejected (reviews win)."""
    if state is None:
        return stmt.where(or_(claim.review.is_(None), claim.review != "rejected"))
    if state == "unreviewed":
        return stmt.where(claim.review.is_(None))
    if state == "any":
        return stmt
    return stmt.where(claim.review == state)


def claim_record(c: ClaimRow, d: DocumentRow) -> ClaimRecord:
    return ClaimRecord(
        id=c.id, doc=d.doc_key, document_id=d.id, supplier=c.supplier, recipient=c.recipient, category=c.category,
        status=c.status, designation=c.designation, item=c.item, attribution=list(c.attribution or []),
        time=c.time, quantity=c.quantity, purpose=c.purpose, evidence=c.evidence, start=c.start, end=c.end,
        confidence=c.confidence, rule=c.rule, date=c.date, fact_id=c.fact_id, url=d.url,
        publisher=d.syndicated_from or d.publisher, duplicate=d.duplicate_of is not None, spans=c.spans,
        review=c.review, reviewer=c.reviewer, reviewed_at=c.reviewed_at, review_note=c.review_note,
        machine=c.machine,
    )


def query_claims(session: Session, f: ClaimFilter, document_id: int | None = None) -> list[ClaimRecord]:
    stmt = select(ClaimRow, DocumentRow).join(DocumentRow, ClaimRow.document_id == DocumentRow.id)
    stmt = claim_conditions(stmt, f)
    if document_id is not None:
        stmt = stmt.where(ClaimRow.document_id == document_id)
    if f.min_sources:
        stmt = stmt.join(FactRow, ClaimRow.fact_id == FactRow.id).where(FactRow.n_sources >= f.min_sources)
    stmt = stmt.order_by(ClaimRow.id).offset(f.offset)
    if f.limit is not None:
        stmt = stmt.limit(f.limit)
    return [claim_record(c, d) for c, d in session.execute(stmt)]


EVIDENCE_LIMIT = 20  # evidence sentences listed per fact (the most recent); n_claims counts them all


def designation_key(designation: str) -> str:
    from .facts import item_key

    return item_key("", designation)


def query_facts(session: Session, f: ClaimFilter, with_evidence: bool = True,
                evidence_limit: int = EVIDENCE_LIMIT, fact_id: int | None = None) -> list[FactRecord]:
    stmt = select(FactRow).where(FactRow.n_claims > 0)
    if fact_id is not None:
        stmt = stmt.where(FactRow.id == fact_id)
    stmt = party_conditions(stmt, f, FactRow.supplier, FactRow.recipient, unnamed_is_empty=True)
    if f.category:
        stmt = stmt.where(FactRow.category == f.category)
    if f.designation:
        stmt = stmt.where(FactRow.item_key == designation_key(f.designation))
    if f.min_sources:
        stmt = stmt.where(FactRow.n_sources >= f.min_sources)
    if f.min_confidence:
        stmt = stmt.where(FactRow.confidence >= f.min_confidence)
    if f.since:
        stmt = stmt.where(FactRow.last_date >= f.since)
    if f.until:
        stmt = stmt.where(FactRow.first_date <= f.until + "\uffff")
    if f.status or f.text or f.review not in (None, "any"):
        # a fact matches when one of its claims does
        claims = claim_conditions(select(ClaimRow.fact_id), ClaimFilter(status=f.status, text=f.text, review=f.review))
        stmt = stmt.where(FactRow.id.in_(claims))
    stmt = stmt.order_by(FactRow.n_sources.desc(), FactRow.id).offset(f.offset)
    if f.limit is not None:
        stmt = stmt.limit(f.limit)
    if with_evidence:
        stmt = stmt.options(selectinload(FactRow.sources))
    records = []
    facts = session.scalars(stmt).all()
    evidence = evidence_of(session, [fact.id for fact in facts], evidence_limit) if with_evidence else {}
    for fact in facts:
        record = FactRecord(
            id=fact.id, supplier=fact.supplier or None, recipient=fact.recipient or None, category=fact.category,
            designation=fact.designation, status=fact.status, timeline=dict(fact.timeline or {}),
            first_date=fact.first_date, last_date=fact.last_date, n_claims=fact.n_claims,
            n_documents=fact.n_documents, n_publishers=fact.n_publishers, n_attributed=fact.n_attributed,
            n_sources=fact.n_sources, confidence=fact.confidence, n_reviewed=fact.n_reviewed or 0,
        )
        if with_evidence:
            record.sources = sorted(s.name for s in fact.sources if s.kind == "publisher")
            record.cited = sorted(s.name for s in fact.sources if s.kind != "publisher")
            record.evidence = evidence.get(fact.id, [])
        records.append(record)
    return records


EVIDENCE_COLUMNS = (
    "c.id, c.status, c.date, c.evidence, c.attribution, d.doc_key, d.url, d.duplicate_of, "
    "c.fact_id, d.id AS document_id, d.publisher, d.syndicated_from, c.item, c.start, c.\"end\", "
    "c.spans, c.review, c.reviewer, c.review_note, c.supplier, c.recipient, c.category, c.designation"
)
# a rejected claim is no evidence (it stays in the claims, under --review rejected)
NOT_REJECTED = "(c.review IS NULL OR c.review <> 'rejected')"
EVIDENCE_PART = (
    f"SELECT * FROM (SELECT {EVIDENCE_COLUMNS} "
    "FROM claims c JOIN documents d ON c.document_id = d.id WHERE c.fact_id = :f{n} "
    f"AND {NOT_REJECTED} "
    "ORDER BY c.id DESC LIMIT {limit}) AS part{n}"
)
EVIDENCE_LATERAL = (  # PostgreSQL: the same per-fact lookup as one lateral join, planned once
    f"SELECT {EVIDENCE_COLUMNS} "
    "FROM unnest(CAST(:ids AS integer[])) AS f(fid) CROSS JOIN LATERAL ("
    "SELECT * FROM claims c WHERE c.fact_id = f.fid AND " + NOT_REJECTED + " ORDER BY c.id DESC LIMIT :limit) AS c "
    "JOIN documents d ON c.document_id = d.id"
)
EVIDENCE_CHUNK = 400  # facts per SQLite statement: SQLite takes at most 500 terms in a compound SELECT


@lru_cache(maxsize=8)
def _evidence_union(n: int, limit: int) -> str:
    """n lookups; the limit is written in, so that a statement binds one parameter per fact."""
    return " UNION ALL ".join(EVIDENCE_PART.format(n=i, limit=limit) for i in range(n))


def evidence_of(session: Session, fact_ids: list[int], limit: int) -> dict[int, list[dict[str, Any]]]:
    """The latest `limit` claims of each fact, oldest first, with their documents.

    One indexed lookup per fact: a busy fact has thousands of claims, and ranking them all
    (a window function) costs far more than reading the newest few. On PostgreSQL one lateral
    join does every fact; on SQLite each statement is a UNION ALL of at most EVIDENCE_CHUNK
    lookups (SQLite refuses compound SELECTs of over 500 terms, and old builds statements of
    over 999 bound parameters). Written as SQL text because building a hundred ORM selects
    costs more than running them."""
    result: dict[int, list[dict[str, Any]]] = {}
    if not fact_ids:
        return result
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text(EVIDENCE_LATERAL), {"ids": list(fact_ids), "limit": limit}).all()
    else:
        rows = []
        for first in range(0, len(fact_ids), EVIDENCE_CHUNK):
            chunk = fact_ids[first:first + EVIDENCE_CHUNK]
            params = {f"f{n}": fact_id for n, fact_id in enumerate(chunk)}
            rows += session.execute(text(_evidence_union(len(chunk), int(limit))), params).all()
    for (cid, status, date, evidence, attribution, doc_key, url, duplicate_of, fact_id, document_id,
         publisher, syndicated_from, item, start, end, spans, review, reviewer, review_note, supplier, recipient,
         category, designation) in sorted(rows, key=lambda r: r[0]):
        if isinstance(attribution, str):  # JSON comes back as text from a raw query on SQLite
            attribution = json.loads(attribution)
        if isinstance(spans, str):
            spans = json.loads(spans)
        result.setdefault(fact_id, []).append(
            {"claim": cid, "status": status, "date": date, "evidence": evidence, "attribution": list(attribution or []),
             "doc": doc_key, "document_id": document_id, "url": url, "duplicate": duplicate_of is not None,
             "publisher": syndicated_from or publisher, "item": item, "start": start, "end": end, "spans": spans,
             "review": review, "reviewer": reviewer, "review_note": review_note, "supplier": supplier, "recipient": recipient,
             "category": category, "designation": designation})
    return result
