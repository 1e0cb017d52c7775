"""Arms-transfer claim extraction over the dependency parse.

Public API:
  Claim                                     the record (``to_dict()`` for JSON)
  extract_document(doc, nlp=None)           -> list[Claim]
  extract_documents(docs, nlp=None, batch_size=32) -> iterator of (Document, list[Claim])
  nlp.add_pipe("arms_transfers")            spaCy component setting ``doc._.transfers``
"""

from __future__ import annotations

from .claim import Claim
from .component import ArmsTransfers
from .pipeline import Extractor, extract_document, extract_documents

__all__ = ["ArmsTransfers", "Claim", "Extractor", "extract_document", "extract_documents"]
