"""`nlp.add_pipe("arms_transfers")`: claims on `doc._.transfers` as `Claim` objects.

    nlp.add_pipe("arms_transfers")                                   # the shipped claim model
    nlp.add_pipe("arms_transfers", config={"model": "claims.json"})  # one `armstrace train` wrote
    nlp.add_pipe("arms_transfers", config={"model": "rules"})        # the rules alone
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .pipeline import SHIPPED, get_extractor

if not Doc.has_extension("transfers"):
    Doc.set_extension("transfers", default=None)


class ArmsTransfers:
    def __init__(self, doc_id: str = "", model: str = SHIPPED):
        self.doc_id = doc_id
        self.extractor = get_extractor(model)

    def __call__(self, doc: Doc) -> Doc:
        doc._.transfers = self.extractor.extract_parsed(doc, self.doc_id)
        return doc


@Language.factory("arms_transfers", default_config={"doc_id": "", "model": SHIPPED})
def make_arms_transfers(nlp: Language, name: str, doc_id: str, model: str) -> ArmsTransfers:
    return ArmsTransfers(doc_id, model)
