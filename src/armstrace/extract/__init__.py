"""Arms-transfer claim extraction over the dependency parse.

Public API:
  Claim                                     the record (``to_dict()`` for JSON)
  extract_document(doc, nlp=None)           -> list[Claim]
  extract_documents(docs, nlp=None, batch_size=32, on_problem=None)
                                            -> iterator of (Document, list[Claim])
  passed_over(doc)                          why a document is not read ("language ru"), or None
  MAX_CHARS, TIME_LIMIT                     the bounds on one document's work (ExtractionLimit)
  nlp.add_pipe("arms_transfers")            spaCy component setting ``doc._.transfers``
"""

from __future__ import annotations

from .claim import Claim
from .component import ArmsTransfers
from .pipeline import (LANGUAGES, MAX_CHARS, TIME_LIMIT, ExtractionLimit, Extractor, extract_document,
                       extract_documents, passed_over)

__all__ = ["ArmsTransfers", "Claim", "ExtractionLimit", "Extractor", "LANGUAGES", "MAX_CHARS", "TIME_LIMIT",
           "extract_document", "extract_documents", "passed_over"]
