"""Claims decided by the claim encoder (`armstrace.neural`), with what the rules read exactly.

The encoder decides which (supplier, recipient, category) each candidate window states and in
which status, with a calibrated probability. The rules keep what they read exactly: the
designations of the weapon catalogue, the sentence's offsets, and from the rules' own claims
of the same sentence its attribution, time, quantity and purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from spacy.tokens import Doc

from armstrace.neural.cells import NONE
from armstrace.neural.runtime import Cell, EncoderModel
from armstrace.neural.windows import Window, build_windows
from armstrace.nlp import load_gazetteer
from armstrace.nlp.ents import ents_of

from .claim import Claim
from .lexicon import Lexicon, load_lexicon
from .mentions import _SYRIAN_REBEL_WORDS as SYRIAN_REBEL_WORDS
from .mentions import ActorResolver


@lru_cache(maxsize=1)
def cue_lemmas() -> frozenset[str]:
    """The transfer, aid and hold cues that make a sentence a window (beside its items)."""
    lex = load_lexicon()
    return frozenset(lex.give_verbs | lex.get_verbs | lex.give_nouns | lex.get_nouns | lex.halt_verbs
                     | lex.interdict_verbs | lex.window_cues)


def day_codes(lex: Lexicon, published: str | None) -> dict[str, str]:
    """States as they were when the document was written: Russia in 1987 is the Soviet Union."""
    if not published:
        return {}
    return {code: before for code, before, until in lex.predecessors if published[:10] < until}


# the resolver's words for Syria's rebels, in the singular too
_SYRIAN_REBEL_WORDS = SYRIAN_REBEL_WORDS | {"rebel", "insurgent", "fighter"}


def _group_codes(resolver: ActorResolver, states: set[str]):
    """The codes a group noun may stand for: the group its phrase names ("FARC guerrillas"),
    else OTHER_GROUP, and in a story about Syria, its rebels too (the encoder chooses)."""
    def codes(tok) -> list[str]:
        found = [resolver._group_code(tok)]
        if "SYR" in states and tok.lower_ in _SYRIAN_REBEL_WORDS and "syrian-rebels" not in found:
            found.append("syrian-rebels")
        return found
    return codes


def _category_of(gaz):
    """An item entity's category: the catalogue's for a designation (WEAPON), the lexicon's
    for an item word (ARMS)."""
    def category(ent) -> str | None:
        if ent.label_ == "WEAPON":
            weapon = gaz.weapon(ent.ent_id_)
            return weapon.category if weapon is not None else None
        return ent.ent_id_ or None
    return category


def windows_of(spdoc: Doc, published: str | None, lex: Lexicon | None = None, gaz=None,
               rule_claims: list[Claim] = ()) -> list[Window]:
    """The encoder's windows of a parsed document, each with what `rule_claims` (the rules'
    claims of the document) read in its sentence."""
    lex = lex or load_lexicon()
    gaz = gaz or load_gazetteer()
    states = {e.ent_id_ for e in spdoc.ents if e.label_ == "ACTOR"}
    resolver = ActorResolver(gaz, lex)
    windows = build_windows(spdoc, cue_lemmas(), day_codes(lex, published), lex.group_nouns,
                            _group_codes(resolver, states), _category_of(gaz))
    # boilerplate ("Read also: ...", a photo credit) states no claim of the document
    windows = [w for w in windows if not lex.is_boilerplate(w.target)]
    by_sentence: dict[int, dict[tuple[str, str, str], str]] = {}
    for c in rule_claims:
        by_sentence.setdefault(c.start, {}).setdefault((c.supplier or NONE, c.recipient or NONE, c.category), c.status)
    for w in windows:
        w.rules = by_sentence.get(w.start, {})
    return windows


def _designations(spdoc: Doc, window: Window, category: str, gaz) -> list[str]:
    """The catalogue's designations of `category` named in the window's sentence, in order."""
    out: list[str] = []
    span = spdoc.char_span(window.start, window.end, alignment_mode="expand")
    if span is None:
        return out
    for ent in ents_of(span):
        if ent.label_ == "WEAPON":
            weapon = gaz.weapon(ent.ent_id_)
            if weapon is not None and weapon.category == category and weapon.designation not in out:
                out.append(weapon.designation)
    return out


CHUNK = 256  # windows scored together; between chunks, the time limit is checked


def encoder_claims(model: EncoderModel, spdoc: Doc, doc_id: str, text: str, published: str | None,
                   rule_claims: list[Claim], gaz, lex: Lexicon,
                   check_time: Callable[[int], None] = lambda sentence: None) -> list[Claim]:
    """The encoder's claims of a parsed document. `check_time(sentence number)` is called
    before each chunk of windows is scored (it raises to stop a document over its time limit)."""
    windows = windows_of(spdoc, published, lex, gaz, rule_claims)
    if not windows:
        return []
    by_sentence: dict[int, list[Claim]] = {}
    for c in rule_claims:
        by_sentence.setdefault(c.start, []).append(c)
    found: dict[tuple, Claim] = {}
    scored: list[list[Cell]] = []
    for i in range(0, len(windows), CHUNK):
        check_time(windows[i].sentence)
        scored += model.score(windows[i:i + CHUNK])
    for window, cells in zip(windows, scored):
        for cell in cells:
            for claim in _claims(cell, window, spdoc, doc_id, text, by_sentence.get(window.start, []), gaz):
                key = claim.key()
                if key not in found:
                    found[key] = claim
                elif claim.confidence > found[key].confidence:
                    found[key].confidence = claim.confidence
    return list(found.values())


def _claims(cell: Cell, window: Window, spdoc: Doc, doc_id: str, text: str, rules: list[Claim], gaz) -> list[Claim]:
    same = [c for c in rules if c.category == cell.category]
    like = next((c for c in same if (c.supplier, c.recipient) == (cell.supplier, cell.recipient)),
                same[0] if same else (rules[0] if rules else None))
    designations = [c.designation for c in same if c.designation]
    for d in _designations(spdoc, window, cell.category, gaz):
        if d.lower() not in {x.lower() for x in designations}:
            designations.append(d)
    out = []
    for designation in designations or [None]:
        out.append(Claim(
            doc=doc_id, supplier=cell.supplier, recipient=cell.recipient, category=cell.category,
            status=cell.status, designation=designation,
            item=(like.item if like is not None and like.category == cell.category else ""),
            attribution=list(like.attribution) if like is not None else [],
            time=like.time if like is not None else None,
            quantity=like.quantity if like is not None and like.category == cell.category else None,
            purpose=like.purpose if like is not None else None,
            evidence=text[window.start:window.end], start=window.start, end=window.end,
            confidence=round(cell.probability, 4), rule="encoder"))
    return out
