"""Which documents can hold a claim, decided before parsing.

Parsing is nearly all of extraction's cost, and most news names no weapon at all. Every claim
the extractor makes (rules, co-occurrence and filled candidates alike) starts from a transfer
cue in a sentence (a trigger verb or noun, a supplier/buyer role noun, a halting verb), and
needs in the same sentence either an item (an ``ARMS``/``WEAPON`` entity of the gazetteer
ruler) or one of the few item-less readings ("Iran armed the Houthis", "technical help from
China", "aid to the rebels"), which need a party (an ``ACTOR`` entity or a party word).
Denials and filled-in claims only follow claims of the same document.

All of this can be seen without the statistical pipeline: the tokenizer and the gazetteer
ruler give the same tokens and the same ``ARMS``/``WEAPON``/``ACTOR`` entities as the full
pipeline (phrase patterns on the token text), and a token's lemma is one of the few strings
the rule lemmatizer could make of it under any part of speech. Sentences never cross a line
break (`armstrace_paragraphs`), so a line is a superset of a sentence. A document none of
whose lines has both is given no claims without being parsed; every other document is
parsed whole, so context and cross-sentence resolution are untouched. Anything a document
loses to this is a bug here: a test compares the claims of dev, pool and seed with and
without it.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.language import Language

from .lexicon import Lexicon, load_lexicon
from .triggers import _BUYER_ROLES, _PARTY_PATIENT, _PATIENT_PARTIES, _SUPPLIER_ROLES

ITEM_LABELS = frozenset({"ARMS", "WEAPON"})
# lemmas that make a claim with no item: a party as patient ("armed the rebels"), help with
# a technical mark from a state, aid or assistance to an armed group (triggers.py, pipeline.py)
ITEMLESS_LEMMAS = frozenset(_PARTY_PATIENT) | {"help", "assist", "aid", "assistance"}
_POS = ("noun", "verb", "adj", "adv")


class Prefilter:
    """``Prefilter(nlp)(text)`` is False when normalised `text` cannot hold a claim."""

    def __init__(self, nlp: Language, lex: Lexicon | None = None):
        lex = lex or load_lexicon()
        self.tokenizer = nlp.tokenizer
        self.ruler = nlp.get_pipe("gazetteer_ruler")
        self.cues = frozenset(lex.give_verbs | lex.get_verbs | lex.give_nouns | lex.get_nouns | lex.halt_verbs
                              | _SUPPLIER_ROLES | _BUYER_ROLES)
        self.nouns = frozenset(lex.give_nouns | lex.get_nouns | _SUPPLIER_ROLES | _BUYER_ROLES)
        self.parties = frozenset(_PATIENT_PARTIES)
        tables = nlp.get_pipe("lemmatizer").lookups if "lemmatizer" in nlp.pipe_names else None
        self._rules = {p: list(tables.get_table("lemma_rules", {}).get(p, [])) for p in _POS} if tables else {}
        self._exceptions = {p: tables.get_table("lemma_exc", {}).get(p, {}) for p in _POS} if tables else {}
        self._lemmas = lru_cache(maxsize=200_000)(self._possible_lemmas)

    def _possible_lemmas(self, text: str) -> frozenset[str]:
        """Every lemma (lower-cased) the rule lemmatizer could give `text` under any part of speech."""
        lower = text.lower()
        out = {lower}
        for pos in _POS:
            for old, new in self._rules.get(pos, ()):
                if lower.endswith(old):
                    out.add(lower[:len(lower) - len(old)] + new)
            out.update(f.lower() for f in self._exceptions.get(pos, {}).get(lower, ()))
        return frozenset(out)

    def __call__(self, text: str) -> bool:
        """Whether some line of normalised `text` can hold a claim (see the module's docstring)."""
        if not text.strip():
            return False
        doc = self.ruler(self.tokenizer(text))
        labels = [""] * len(doc)
        for ent in doc.ents:
            for i in range(ent.start, ent.end):
                labels[i] = ent.label_
        line = _Line()
        for tok in doc:
            if "\n" in tok.text:
                if line.holds():
                    return True
                line = _Line()
                continue
            label = labels[tok.i]
            lemmas = self._lemmas(tok.text)
            cue = not lemmas.isdisjoint(self.cues)
            if cue:
                line.cues += 1
            if label in ITEM_LABELS:
                line.items += 1
                if cue:
                    line.item_cues += 1
                    # a trigger noun inside its own item: "aid" of "military aid" (noun_frame)
                    line.self_contained |= not lemmas.isdisjoint(self.nouns) or tok.lower_ in self.nouns
            elif label == "ACTOR":
                line.party = True
            if not lemmas.isdisjoint(ITEMLESS_LEMMAS):
                line.itemless = True
            if tok.lower_ in self.parties or not lemmas.isdisjoint(self.parties):
                line.party = True
            if "\n" in tok.whitespace_:
                if line.holds():
                    return True
                line = _Line()
        return line.holds()


class _Line:
    """What one line names so far."""
    __slots__ = ("cues", "items", "item_cues", "self_contained", "itemless", "party")

    def __init__(self):
        self.cues = self.items = self.item_cues = 0
        self.self_contained = self.itemless = self.party = False

    def holds(self) -> bool:
        # a cue and an item that is not that same token ("arms" alone is no verb "arm" with its
        # goods), or a trigger noun inside its item, or an item-less cue with a party
        paired = self.cues and self.items and not (self.cues == 1 and self.items == 1 and self.item_cues == 1)
        return bool(paired or self.self_contained or (self.cues and self.itemless and self.party))


def get_prefilter(nlp: Language) -> Prefilter:
    """The prefilter of a pipeline, built once and kept on it (not in a WeakKeyDictionary:
    the prefilter holds the pipeline's ruler, which holds the pipeline)."""
    prefilter = getattr(nlp, "_armstrace_prefilter", None)
    if prefilter is None:
        prefilter = Prefilter(nlp)
        nlp._armstrace_prefilter = prefilter
    return prefilter
