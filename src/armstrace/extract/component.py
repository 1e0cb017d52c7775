"""`nlp.add_pipe("arms_transfers")`: claims on `doc._.transfers` as `Claim` objects."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .pipeline import get_extractor

if not Doc.has_extension("transfers"):
    Doc.set_extension("transfers", default=None)


class ArmsTransfers:
    def __init__(self, doc_id: str = ""):
        self.doc_id = doc_id

    def __call__(self, doc: Doc) -> Doc:
        doc._.transfers = get_extractor().extract_parsed(doc, self.doc_id)
        return doc


@Language.factory("arms_transfers", default_config={"doc_id": ""})
def make_arms_transfers(nlp: Language, name: str, doc_id: str) -> ArmsTransfers:
    return ArmsTransfers(doc_id)
