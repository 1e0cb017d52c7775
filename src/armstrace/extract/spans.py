"""Where a claim's parties and item are named in its evidence sentence, as offsets.

Extraction knows which entity it read a party from; these offsets let a reader (the web UI,
an export) mark the supplier, recipient and item in the sentence without matching names
again, which goes wrong as soon as a party is named by a demonym, a capital or a leader.
Offsets are into the document's full text, the same space as the claim's `start`/`end`.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from ..nlp.ents import entity_index
from .claim import Claim


def _actor_span(spdoc: Doc, first: int, last: int, code: str | None) -> list[int] | None:
    """The first ACTOR entity in tokens [first, last) that names `code`."""
    if not code:
        return None
    for ent in entity_index(spdoc).within(first, last):
        if ent.label_ == "ACTOR" and ent.ent_id_ == code:
            return [ent.start_char, ent.end_char]
    return None


def _item_span(text: str, start: int, end: int, claim: Claim) -> list[int] | None:
    """The item's words in the sentence, with the designation when it stands next to them
    ("Shahed-136 drones")."""
    sentence = text[start:end]
    found = []
    for name in (claim.item, claim.designation):
        match = re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", sentence, re.IGNORECASE) if name else None
        if match:
            found.append((match.start(), match.end()))
    if not found:
        return None
    if len(found) == 2 and (found[0][0] - found[1][1] in (0, 1) or found[1][0] - found[0][1] in (0, 1)):
        found = [(min(found[0][0], found[1][0]), max(found[0][1], found[1][1]))]
    return [start + found[0][0], start + found[0][1]]


def mention_spans(claims: list[Claim], spdoc: Doc, text: str) -> list[Claim]:
    """Set `spans` on each claim: {"supplier", "recipient", "item"} -> [start, end] or None."""
    for claim in claims:
        span = spdoc.char_span(claim.start, claim.end, alignment_mode="expand") if claim.end > claim.start else None
        first, last = (span.start, span.end) if span is not None else (0, 0)
        claim.spans = {
            "supplier": _actor_span(spdoc, first, last, claim.supplier),
            "recipient": _actor_span(spdoc, first, last, claim.recipient),
            "item": _item_span(text, claim.start, claim.end, claim),
        }
    return claims
