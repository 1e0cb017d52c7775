"""Reviews as training labels: what analysts decided, in the format `armstrace train` reads.

    from armstrace.review_export import export_reviews
    export_reviews(store, "reviews.jsonl")     # also writes reviews.docs.jsonl (the texts)

Every document with a review becomes one label record (`data/training/README.md`):
``{"id", "corpus": "review", "claims": [...]}`` holding the document's claims as the
register now has them, with the analysts' corrections and additions and without what they
rejected; its other claims are taken as right. The texts go beside it in
``reviews.docs.jsonl`` (a corpus file of the register's documents), where `armstrace train
--labels reviews.jsonl` finds them. Both files hold the team's own articles: keep them
with the register, not in a public repository.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from .store import Store
from .store.schema import ClaimRow, DocumentRow, ReviewRow

CORPUS = "review"


def docs_path(labels: str | Path) -> Path:
    """Where the texts of a review label file are: FILE.docs.jsonl for FILE.jsonl."""
    path = Path(labels)
    return path.with_name(path.name.removesuffix(".jsonl") + ".docs.jsonl")


def _evidence(doc: DocumentRow, start: int | None, end: int | None) -> dict | None:
    """Full-text offsets as the label format gives them: into the title or the text."""
    if start is None or end is None:
        return None
    if doc.title and not doc.text.startswith(doc.title):
        shift = len(doc.title) + 2
        if end <= len(doc.title):
            return {"field": "title", "start": start, "end": end}
        return {"field": "text", "start": max(start - shift, 0), "end": end - shift}
    return {"field": "text", "start": start, "end": end}


def export_reviews(store: Store, out: str | Path) -> tuple[int, int]:
    """Write the reviewed documents' labels to `out` and their texts beside it; returns
    (documents, claims)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    documents = claims = 0
    with store.Session() as session:
        hashes = select(ReviewRow.content_hash).distinct()
        docs = session.scalars(select(DocumentRow).where(DocumentRow.content_hash.in_(hashes),
                                                         DocumentRow.duplicate_of.is_(None))
                               .order_by(DocumentRow.id)).all()
        with out.open("w", encoding="utf-8") as labels, docs_path(out).open("w", encoding="utf-8") as texts:
            for doc in docs:
                rows = session.scalars(select(ClaimRow).where(ClaimRow.document_id == doc.id)
                                       .order_by(ClaimRow.id)).all()
                kept = [
                    {"supplier": c.supplier, "recipient": c.recipient, "category": c.category, "status": c.status,
                     "designation": c.designation, "attribution": list(c.attribution or []), "time": c.time,
                     "evidence": _evidence(doc, c.start, c.end), "review": c.review}
                    for c in rows if c.review != "rejected"]
                labels.write(json.dumps({"id": doc.doc_key, "corpus": CORPUS, "annotator": "review",
                                         "claims": kept}, ensure_ascii=False) + "\n")
                texts.write(json.dumps({"id": doc.doc_key, "title": doc.title, "text": doc.text,
                                        "date": doc.published, "url": doc.url, "publisher": doc.publisher},
                                       ensure_ascii=False) + "\n")
                documents += 1
                claims += len(kept)
    return documents, claims
