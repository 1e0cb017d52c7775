"""read -> extract -> store, one document at a time, each in its own transaction."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .extract.pipeline import SHIPPED, passed_over
from .ingest import Document, FieldMap, InputNotice, InputProblem, Reader

if TYPE_CHECKING:  # `extract` runs through here and needs no store (SQLAlchemy, slow to import)
    from .store import Store


@dataclass
class IngestSummary:
    outcomes: Counter = field(default_factory=Counter)  # new / updated / unchanged / duplicate
    not_processed: Counter = field(default_factory=Counter)  # reason ("language ru") -> documents kept unread
    skipped: int = 0
    claims: int = 0
    facts: int = 0

    @property
    def documents(self) -> int:
        return sum(self.outcomes.values())

    def record(self, outcome: str, not_processed: str | None, claims: int) -> None:
        """Count one document stored with `outcome`, its reason for being unread, its claims."""
        self.outcomes[outcome] += 1
        if not_processed:
            self.not_processed[not_processed] += 1
        if outcome != "unchanged":
            self.claims += claims

    def line(self) -> str:
        o = self.outcomes
        return (f"documents: {o['new']} new, {o['updated']} updated, {o['unchanged']} unchanged, "
                f"{o['duplicate']} duplicate, {self.skipped} skipped{not_processed_text(self.not_processed)}; "
                f"claims stored: {self.claims}; facts in the register: {self.facts}")


def ingest(inputs: Iterable[str], store: Store, fieldmap: FieldMap | None = None,
           on_problem: Callable[[InputProblem], None] | None = None,
           on_document: Callable[[Document, str, IngestSummary], None] | None = None,
           model=SHIPPED, min_confidence: float = 0.0, processes: int = 1, prefilter: bool = True,
           reextract: bool = False) -> IngestSummary:
    """Read, extract and store every input; returns what happened. `model` is the claim model
    (a path, SHIPPED or RULES); claims under `min_confidence` are not stored; `processes` > 1
    extracts in that many worker processes (the store is written by this one). Documents stored
    already with the same text are skipped, unless `reextract`: then their claims are extracted
    again and replaced (after retraining, say); analysts' reviews apply to the new claims."""
    return _ingest(lambda reader: reader.read(inputs), store, fieldmap, on_problem, on_document,
                   model, min_confidence, processes, prefilter, reextract)


def ingest_bytes(data: bytes, name: str, store: Store, fmt: str | None = None, fieldmap: FieldMap | None = None,
                 on_problem: Callable[[InputProblem], None] | None = None) -> IngestSummary:
    """Read, extract and store one upload held in memory. `name` is its key in the register
    (a one-document format) or the prefix of its records' keys (JSON Lines records with no id);
    `fmt` is a reader format ("text", "html", "jsonl", ...), else guessed from the content."""
    return _ingest(lambda reader: reader.read_bytes(data, name, fmt), store, fieldmap, on_problem, None, SHIPPED, 0.0)


def _ingest(read: Callable[[Reader], Iterable[Document]], store: Store, fieldmap: FieldMap | None,
            on_problem: Callable[[InputProblem], None] | None,
            on_document: Callable[[Document, str, IngestSummary], None] | None,
            model=SHIPPED, min_confidence: float = 0.0, processes: int = 1,
            prefilter: bool = True, reextract: bool = False) -> IngestSummary:
    summary = IngestSummary()

    def problem(p: InputProblem) -> None:
        summary.skipped += p.skipped
        if on_problem:
            on_problem(p)

    reader = Reader(fieldmap, on_problem=problem)

    def needing_work() -> Iterable[Document]:
        for doc in read(reader):
            if not reextract and store.has(doc):  # stored before with the same text: nothing to do
                summary.outcomes["unchanged"] += 1
                if on_document:
                    on_document(doc, "unchanged", summary)
                continue
            yield doc

    pending: list[tuple[Document, list[dict], str | None]] = []
    last_commit = time.monotonic()

    def commit() -> None:
        nonlocal last_commit
        for (doc, records, reason), outcome in zip(pending, store.add_many(pending, replace=reextract,
                                                                            on_refused=lambda err: problem(err.problem()))):
            if outcome == "refused":
                continue
            summary.record(outcome, reason, len(records))
            if reason and on_problem:
                on_problem(InputNotice(doc.source_path or doc.id, f"document {doc.id}: not processed ({reason}); "
                                       "kept in the register unread"))
            if on_document:
                on_document(doc, outcome, summary)
        pending.clear()
        last_commit = time.monotonic()

    for doc, claims in extract_safely(needing_work(), problem, model, min_confidence, prefilter, processes):
        pending.append((doc, [claim.to_dict() for claim in claims], passed_over(doc)))
        if len(pending) >= COMMIT_DOCUMENTS or time.monotonic() - last_commit >= COMMIT_SECONDS:
            commit()
    if pending:
        commit()
    summary.facts = store.counts()["facts"]
    return summary


# Documents are committed in batches (one transaction for up to this many, or what was
# extracted in this many seconds): a stop loses at most the batch under way, which the next
# run, skipping what is stored, does again.
COMMIT_DOCUMENTS = 64
COMMIT_SECONDS = 2.0




def extract_safely(docs: Iterable[Document], on_problem: Callable[[InputProblem], None], model=SHIPPED,
                   min_confidence: float = 0.0, prefilter: bool = True, processes: int = 1):
    """`extract_documents` in batches; a document that makes extraction fail is reported
    (named by its source and id) and skipped, and the rest of the batch goes on
    (`safe_extract.py`). With `processes` > 1 the batches are extracted in that many worker
    processes (`parallel.py`); documents come out in input order either way."""
    if processes > 1:
        from .parallel import extract_in_processes

        yield from extract_in_processes(docs, on_problem, processes, model=model, min_confidence=min_confidence,
                                        prefilter=prefilter)
        return
    from .safe_extract import extract_batches

    yield from extract_batches(docs, on_problem, model, min_confidence, prefilter)


def not_processed_text(counts: Counter | dict) -> str:
    """ ", 2 not processed (language ru: 1, language de: 1)", or "" when every document was read."""
    if not counts:
        return ""
    reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(counts.items()))
    return f", {sum(counts.values())} not processed ({reasons})"
