"""read -> extract -> store, one document at a time, each in its own transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .ingest import Document, FieldMap, InputProblem, Reader
from .store import Store


@dataclass
class IngestSummary:
    outcomes: Counter = field(default_factory=Counter)  # new / updated / unchanged / duplicate
    skipped: int = 0
    claims: int = 0
    facts: int = 0

    @property
    def documents(self) -> int:
        return sum(self.outcomes.values())

    def line(self) -> str:
        o = self.outcomes
        return (f"documents: {o['new']} new, {o['updated']} updated, {o['unchanged']} unchanged, "
                f"{o['duplicate']} duplicate, {self.skipped} skipped; claims stored: {self.claims}; "
                f"facts in the register: {self.facts}")


def ingest(inputs: Iterable[str], store: Store, fieldmap: FieldMap | None = None,
           on_problem: Callable[[InputProblem], None] | None = None,
           on_document: Callable[[Document, str, IngestSummary], None] | None = None) -> IngestSummary:
    """Read, extract and store every input; returns what happened."""
    summary = IngestSummary()

    def problem(p: InputProblem) -> None:
        summary.skipped += 1
        if on_problem:
            on_problem(p)

    reader = Reader(fieldmap, on_problem=problem)

    def needing_work() -> Iterable[Document]:
        for doc in reader.read(inputs):
            if store.has(doc):  # stored before with the same text: nothing to do
                summary.outcomes["unchanged"] += 1
                if on_document:
                    on_document(doc, "unchanged", summary)
                continue
            yield doc

    for doc, claims in extract_safely(needing_work(), problem):
        records = [claim.to_dict() for claim in claims]
        outcome = store.add(doc, records)
        summary.outcomes[outcome] += 1
        if outcome != "unchanged":
            summary.claims += len(records)
        if on_document:
            on_document(doc, outcome, summary)
    summary.facts = store.counts()["facts"]
    return summary


BATCH = 32


def extract_safely(docs: Iterable[Document], on_problem: Callable[[InputProblem], None]):
    """`extract_documents` in batches; a document that makes extraction fail is reported
    (named by its source and id) and skipped, and the rest of the batch goes on."""
    from itertools import islice

    from .extract import extract_document, extract_documents

    docs = iter(docs)
    while batch := list(islice(docs, BATCH)):
        try:
            yield from list(extract_documents(batch))
            continue
        except Exception:  # find the culprit: one document at a time
            pass
        for doc in batch:
            try:
                claims = extract_document(doc)
            except Exception as err:
                where = doc.source_path or doc.id
                on_problem(InputProblem(where, f"document {doc.id}: extraction failed ({type(err).__name__}: {err})"))
                continue
            yield doc, claims
