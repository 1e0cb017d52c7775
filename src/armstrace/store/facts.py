"""Facts: claims merged by (supplier, recipient, item), with corroboration.

The item is the designation when the claim names one (normalised: "Su-35" and "SU 35" are
one item), else the category. A fact's figures are recomputed from all its claims each
time one of them changes. Corroboration counts independent reports: the distinct original
publishers of documents that are not copies of another (a syndicated reprint counts for
the outlet it copies). The sources an article cites ("the Wall Street Journal", "U.S.
officials") are kept and shown with the fact but not counted: one article naming five
sources is still one report. Claims an analyst rejected do not count at all.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlsplit

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from .bounds import fit
from .schema import ClaimRow, DocumentRow, FactRow, SourceRow

# When two claims carry the same date, the later stage of a transfer wins as "latest".
STATUS_ORDER = ("considered", "sought", "offered", "planned", "agreed", "ongoing", "delivered", "denied", "halted")
DEFAULT_CLAIM_CONFIDENCE = 0.5
REVIEWED = ("accepted", "corrected", "added")  # a person says the claim is right


# The stages a transfer moves forward through: a report of a later stage implies the earlier.
FORWARD = STATUS_ORDER[:STATUS_ORDER.index("delivered") + 1]


def _stage(status: str | None) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else -1


def latest_status(claims: list[tuple[str, str | None, int]]) -> str | None:
    """A fact's latest status from its claims' (status, date, id): the latest dated claim's
    (the later stage when dates tie); but an undated claim of a later stage of the transfer
    wins over it ("has already transferred" in an undated article, after a dated "preparing
    to send"): a transfer moves forward, so it cannot be older news. Halted or denied, dated,
    stay latest. With no dated claim, the latest stage reported."""
    if not claims:
        return None
    dated = [c for c in claims if c[1]]
    undated = [c for c in claims if not c[1]]
    if not dated:
        return max(undated, key=lambda c: (_stage(c[0]), c[2]))[0]
    latest = max(dated, key=lambda c: (c[1], _stage(c[0]), c[2]))[0]
    if latest in FORWARD:
        later = [c for c in undated if c[0] in FORWARD and _stage(c[0]) > _stage(latest)]
        if later:
            return max(later, key=lambda c: (_stage(c[0]), c[2]))[0]
    return latest


def item_key(category: str, designation: str | None) -> str:
    if designation:
        key = re.sub(r"[^0-9a-z]+", "", designation.lower())
        if key:
            return fit(FactRow, "item_key", key)
    return f"category:{category}"


def fact_key(claim: dict) -> tuple[str, str, str]:
    return (claim.get("supplier") or "", claim.get("recipient") or "", item_key(claim["category"], claim.get("designation")))


def claim_date(time_value: str | None, published: str | None) -> str | None:
    """The date a claim is about: its own ISO time when it has one, else the publication date."""
    if time_value and re.match(r"^\d{4}(-\d{2}){0,2}$", str(time_value)[:10]):
        return str(time_value)[:10]
    return published


def publisher_of(doc: DocumentRow) -> str:
    """Who published a document, for counting independent outlets."""
    if doc.syndicated_from:
        return doc.syndicated_from.strip()
    if doc.publisher:
        return doc.publisher.strip()
    if doc.url:
        host = urlsplit(doc.url).hostname or ""
        return host.removeprefix("www.") or doc.url
    return f"document {doc.doc_key}"


def normalise_source(name: str) -> str:
    text = re.sub(r"[^0-9a-z ]+", " ", name.lower())
    return " ".join(w for w in text.split() if w not in ("the", "a", "an"))


def recompute(session: Session, fact: FactRow) -> None:
    """Refresh a fact's timeline, counts, sources and confidence from its claims."""
    rows = session.execute(
        select(ClaimRow, DocumentRow).join(DocumentRow, ClaimRow.document_id == DocumentRow.id)
        .where(ClaimRow.fact_id == fact.id, or_(ClaimRow.review.is_(None), ClaimRow.review != "rejected"))
    ).all()
    session.execute(delete(SourceRow).where(SourceRow.fact_id == fact.id))
    fact.n_claims = len(rows)
    fact.n_reviewed = sum(1 for c, _ in rows if c.review in REVIEWED)
    if not rows:
        fact.timeline, fact.status, fact.first_date, fact.last_date = {}, None, None, None
        fact.n_documents = fact.n_publishers = fact.n_attributed = fact.n_sources = 0
        fact.confidence = 0.0
        return

    timeline: dict[str, dict] = {}
    for claim, _doc in rows:
        entry = timeline.setdefault(claim.status, {"first": None, "last": None, "claims": 0})
        entry["claims"] += 1
        if claim.date:
            entry["first"] = min(filter(None, (entry["first"], claim.date)))
            entry["last"] = max(filter(None, (entry["last"], claim.date)))
    # the history in time order: by the date each status was first reported, undated last
    # (and the stages of a transfer in their order when dates tie)
    fact.timeline = dict(sorted(timeline.items(), key=lambda kv: (
        kv[1]["first"] is None, kv[1]["first"] or "", STATUS_ORDER.index(kv[0]) if kv[0] in STATUS_ORDER else 99)))

    fact.status = latest_status([(c.status, c.date, c.id) for c, _ in rows])
    dates = [c.date for c, _ in rows if c.date]
    fact.first_date, fact.last_date = (min(dates), max(dates)) if dates else (None, None)

    independent = [(c, d) for c, d in rows if d.duplicate_of is None]
    publishers, attributed, best = {}, {}, defaultdict(float)
    documents = set()
    for claim, doc in independent:
        report = normalise_source(publisher_of(doc))
        publishers.setdefault(report, publisher_of(doc))
        documents.add(doc.id)
        for name in claim.attribution or []:
            if name and normalise_source(name):
                attributed.setdefault(normalise_source(name), name)
        # a claim a person confirmed is sure; else the extractor's confidence
        sure = 1.0 if claim.review in REVIEWED else claim.confidence
        best[report] = max(best[report], sure if sure is not None else DEFAULT_CLAIM_CONFIDENCE)
    fact.n_documents = len(documents)
    fact.n_publishers = len(publishers)
    fact.n_attributed = len(attributed)
    fact.n_sources = len(publishers)  # independent reports
    doubt = 1.0  # each independent report is one more chance that the fact is right
    for confidence in best.values():
        doubt *= 1.0 - min(confidence, 0.99)
    fact.confidence = round(1.0 - doubt, 4)
    for kind, names in (("publisher", publishers), ("attributed", attributed)):
        for name in sorted({fit(SourceRow, "name", name) for name in names.values()}):  # one row a name once cut
            session.add(SourceRow(fact_id=fact.id, kind=kind, name=name))
