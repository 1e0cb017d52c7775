"""Extraction that survives a bad document: in batches, and one at a time when a batch fails.

`pipeline.extract_safely` runs this in one process; `parallel.py` runs it in each worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .extract.pipeline import SHIPPED
from .ingest import Document, InputProblem

BATCH = 32


def extract_batches(docs: Iterable[Document], on_problem: Callable[[InputProblem], None], model=SHIPPED,
                    min_confidence: float = 0.0, prefilter: bool = True):
    """`extract_documents` in batches of BATCH in this process; a document that makes
    extraction fail is reported (named by its source and id) and skipped, and the rest of the
    batch goes on."""
    from itertools import islice

    from .extract import ExtractionLimit, extract_document, extract_documents

    docs = iter(docs)
    while batch := list(islice(docs, BATCH)):
        problems: list[InputProblem] = []
        try:
            done = list(extract_documents(batch, on_problem=problems.append, model=model,
                                          min_confidence=min_confidence, prefilter=prefilter))
        except Exception:  # find the culprit: one document at a time
            pass
        else:
            for p in problems:
                on_problem(p)
            yield from done
            continue
        for doc in batch:
            try:
                claims = extract_document(doc, model=model, min_confidence=min_confidence, prefilter=prefilter)
            except ExtractionLimit as err:
                on_problem(err.problem(doc))
                continue
            except Exception as err:
                where = doc.source_path or doc.id
                on_problem(InputProblem(where, f"document {doc.id}: extraction failed ({type(err).__name__}: {err})"))
                continue
            yield doc, claims
