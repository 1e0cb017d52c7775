"""Which documents can hold a claim, decided before parsing.

Parsing is nearly all of extraction's cost, and most news names no weapon at all. Every claim
the extractor makes (rules, co-occurrence and filled candidates alike) starts from a transfer
cue in a sentence (a trigger verb or noun, a supplier/buyer role noun, a halting verb), and
needs in the same sentence either an item (an ``ARMS``/``WEAPON`` entity of the gazetteer
ruler) or one of the few item-less readings, each needing its own party: "Iran armed the
Houthis" (a party as patient: an ``ACTOR`` entity or a party word), "technical help from
China" (a technical mark and a state: an ``ACTOR`` entity or a leader's name), "aid to the
rebels" (a group: a group noun, an ``ACTOR`` entity of a group, a group's leader; aid to a
state is no claim). Denials and filled-in claims only follow claims of the same document. A
``WEAPON`` entity that gives the rules no item (a weapon name that is also an ordinary word,
"Hunter", "Club", with no generic reading: it only designates a generic item beside it) is an
item only to a co-occurrence candidate, which also needs a party in the sentence (an
``ACTOR`` entity or a group noun: `learned.sentence_parts`). Parties are read as the rules
read them with no document context (`ActorResolver.resolve` without one).

All of this can be seen without the statistical pipeline: the tokenizer and the gazetteer
ruler give the same tokens and the same ``ARMS``/``WEAPON``/``ACTOR`` entities as the full
pipeline (phrase patterns on the token text), and a token's lemma is one of the few strings
the rule lemmatizer could make of it under any part of speech. Sentences never cross a line
break (`armstrace_paragraphs`), so a line is a superset of a sentence. A document none of
whose lines has both is given no claims without being parsed; every other document is
parsed whole (a very long one in pieces joined again, `armstrace.nlp.long_docs`), so context
and cross-sentence resolution are untouched. Anything a document
loses to this is a bug here: a test compares the claims of dev, pool and seed with and
without it.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.attrs import ENT_ID, ENT_TYPE, ORTH
from spacy.language import Language
from spacy.tokens import Doc

from armstrace.nlp.gazetteer import Gazetteer, load_gazetteer

from .lexicon import TECHNICAL_WORDS, Lexicon, load_lexicon
from .triggers import _BUYER_ROLES, _PARTY_PATIENT, _PATIENT_PARTIES, _SUPPLIER_ROLES

RULER = "gazetteer_ruler"  # the pipeline's gazetteer entity ruler: the prefilter's documents have been through it
ITEM_LABELS = frozenset({"ARMS", "WEAPON"})
# lemmas that make a claim with no item (`Extractor.frame_claims`): a party as patient ("armed
# the rebels": the patient an ACTOR or a party word), the nouns help, aid or assistance with a
# technical mark ("technical help from China": a state supplies), aid or assistance to an
# armed group (as the trigger noun, or what a giving verb gives: the recipient a group)
PATIENT_LEMMAS = frozenset(_PARTY_PATIENT)
HELP_LEMMAS = frozenset({"help", "aid", "assistance"})
AID_LEMMAS = frozenset({"aid", "assistance"})
ITEMLESS_LEMMAS = PATIENT_LEMMAS | HELP_LEMMAS
_POS = ("noun", "verb", "adj", "adv")
MAX_CACHED = 100_000  # words whose bits are kept (a run of millions of documents meets more)
MAX_LEMMAS = 50_000  # words whose possible lemmas are kept, the most recently used


# what a token's text can be, as bits (`Prefilter._flags`)
_BREAK, _CUE, _SELF, _PATIENT, _PARTY, _GROUP, _HELP, _AID, _TECH, _LEADER, _GROUP_LEADER = (
    1 << n for n in range(11))


class Prefilter:
    """``Prefilter(nlp)(text)`` is False when normalised `text` cannot hold a claim.

    ``ruled(text)`` is the document the decision is made on (tokenizer and gazetteer ruler),
    ``holds(doc)`` the decision: a document that holds may go on through the rest of the
    pipeline as it is (`RULER`, which already ran, left out) rather than be tokenised and
    ruled again; ``screen(text)`` is that document, or None when it does not hold."""

    def __init__(self, nlp: Language, lex: Lexicon | None = None, gaz: Gazetteer | None = None):
        lex = lex or load_lexicon()
        self.gaz = gaz or load_gazetteer()
        self.groups = frozenset(lex.group_nouns)
        self.tokenizer = nlp.tokenizer
        self.ruler = nlp.get_pipe(RULER)
        self.strings = nlp.vocab.strings
        self.cues = frozenset(lex.give_verbs | lex.get_verbs | lex.give_nouns | lex.get_nouns | lex.halt_verbs
                              | _SUPPLIER_ROLES | _BUYER_ROLES)
        self.nouns = frozenset(lex.give_nouns | lex.get_nouns | _SUPPLIER_ROLES | _BUYER_ROLES)
        self.parties = frozenset(_PATIENT_PARTIES)
        tables = nlp.get_pipe("lemmatizer").lookups if "lemmatizer" in nlp.pipe_names else None
        self._rules = {p: list(tables.get_table("lemma_rules", {}).get(p, [])) for p in _POS} if tables else {}
        self._exceptions = {p: tables.get_table("lemma_exc", {}).get(p, {}) for p in _POS} if tables else {}
        self._lemmas = lru_cache(maxsize=MAX_LEMMAS)(self._possible_lemmas)
        self._by_orth: dict[int, int] = {}  # token text (its ORTH hash) -> its bits; emptied at MAX_CACHED
        self._items = {self.strings.add(label) for label in ITEM_LABELS}
        self._actor = self.strings.add("ACTOR")
        self._weapon = self.strings.add("WEAPON")

        self.technical = TECHNICAL_WORDS
        self.leaders = dict(lex.leaders)  # name -> actor code (`ActorResolver.leader`)
        groups = {code for code, actor in self.gaz.actors.items() if actor.kind == "group"}
        self._group_actors = {self.strings.add(code) for code in groups}  # their ent_id hashes
        self._group_leaders = frozenset(name for name, code in self.leaders.items() if code in groups)

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

    def _flags(self, text: str) -> int:
        """What a token of this text can be: a line break, a cue, a trigger noun (inside its
        item it makes a claim of its own), a verb taking a party as patient, a party word, a
        group noun, help (aid, assistance), a technical mark, a leader's name (of a group)."""
        if "\n" in text:
            return _BREAK
        lemmas = self._lemmas(text)
        lower = text.lower()
        flags = 0
        if not lemmas.isdisjoint(self.cues):
            flags |= _CUE
            if not lemmas.isdisjoint(self.nouns) or lower in self.nouns:
                flags |= _SELF
        if not lemmas.isdisjoint(PATIENT_LEMMAS):
            flags |= _PATIENT
        if not lemmas.isdisjoint(HELP_LEMMAS):
            flags |= _HELP
        if not lemmas.isdisjoint(AID_LEMMAS):
            flags |= _AID
        if lower in self.parties or not lemmas.isdisjoint(self.parties):
            flags |= _PARTY
        if lower in self.groups or not lemmas.isdisjoint(self.groups):
            flags |= _GROUP
        if lower in self.technical:
            flags |= _TECH
        for name in (text, text.title()):
            if name in self.leaders:
                flags |= _LEADER
                if name in self._group_leaders:
                    flags |= _GROUP_LEADER
        return flags

    def _idle_weapons(self, doc: Doc) -> set[int]:
        """The tokens of ``WEAPON`` entities that name no item for the rules (`find_items`): an
        unknown designation, or a weak name (an ordinary word, "Club", "Hunter") with no generic
        reading, which only designates a generic item beside it (an item of its own). Only a
        co-occurrence candidate reads such an entity as an item, and it needs a party in the
        sentence: an ``ACTOR`` entity or a group noun (`learned.sentence_parts`)."""
        idle: set[int] = set()
        gaz = self.gaz
        for ent in doc.ents:
            if ent.label != self._weapon:
                continue
            text = ent.text
            if gaz.weapon(ent.ent_id_) is None or (
                    gaz.is_weak_weapon_name(text) and not gaz.generic.get(text.lower())):
                idle.update(range(ent.start, ent.end))
        return idle

    def ruled(self, text: str) -> Doc:
        """`text` tokenised, with the gazetteer ruler's entities."""
        return self.ruler(self.tokenizer(text))

    def screen(self, text: str) -> Doc | None:
        """The document to parse for normalised `text`: tokenised and ruled (parse it with
        `RULER` left out), or None when no line of it can hold a claim."""
        doc = self.ruled(text)
        return doc if self.holds(doc) else None

    def __call__(self, text: str) -> bool:
        """Whether some line of normalised `text` can hold a claim (see the module's docstring)."""
        return self.screen(text) is not None

    def holds(self, doc: Doc) -> bool:
        """Whether some line of `ruled` document can hold a claim: per line, a cue and an item
        that is not that same token ("arms" alone is no verb "arm" with its goods), or a
        trigger noun inside its item; or a cue with an item-less reading (`PATIENT_LEMMAS` and
        a party; help and a technical mark and a state or a leader; aid or assistance and a
        group: an ``ACTOR`` group, a group noun, a group's leader); or what a co-occurrence
        candidate needs: a cue (which may be the item itself), an item (or a weapon name only
        such a candidate reads as one, `_idle_weapons`) and a party it reads (an ``ACTOR``
        entity or a group noun). Lines end at tokens holding a line break (a
        token's own trailing whitespace is at most one space)."""
        if not doc.text.strip():
            return False
        rows = doc.to_array([ORTH, ENT_TYPE, ENT_ID]).tolist()
        if len(self._by_orth) > MAX_CACHED:  # every new word of a long run would stay in it
            self._by_orth.clear()
        by_orth, items_labels, actor, group_actors = self._by_orth, self._items, self._actor, self._group_actors
        idle = self._idle_weapons(doc) if any(row[1] == self._weapon for row in rows) else ()
        cues = items = item_cues = 0
        self_contained = idle_items = False
        line = 0  # the bits of the line's tokens, and _ACTOR, _GROUP_ACTOR
        for i, (orth, label, ent_id) in enumerate(rows):
            flags = by_orth.get(orth)
            if flags is None:
                flags = by_orth[orth] = self._flags(self.strings[orth])
            if not flags and not label:
                continue
            if flags & _BREAK:
                if _line_holds(cues, items, item_cues, self_contained, idle_items, line):
                    return True
                cues = items = item_cues = line = 0
                self_contained = idle_items = False
                continue
            cue = flags & _CUE
            if cue:
                cues += 1
            line |= flags
            if label in items_labels:
                if i in idle:
                    idle_items = True
                else:
                    items += 1
                    if cue:
                        item_cues += 1
                        # a trigger noun inside its own item: "aid" of "military aid" (noun_frame)
                        self_contained |= bool(flags & _SELF)
            elif label == actor:
                line |= _ACTOR | (_GROUP_ACTOR if ent_id in group_actors else 0)
        return _line_holds(cues, items, item_cues, self_contained, idle_items, line)


_ACTOR, _GROUP_ACTOR = 1 << 11, 1 << 12  # a line's ACTOR entity, one naming a group


def _line_holds(cues: int, items: int, item_cues: int, self_contained: bool, idle_items: bool, line: int) -> bool:
    """Whether one line can hold a claim (`Prefilter.holds`), from what it names."""
    if self_contained or (cues and items and not (cues == 1 and items == 1 and item_cues == 1)):
        return True
    if not cues:
        return False
    party = line & (_ACTOR | _PARTY)
    return bool((line & _PATIENT and party)
                or (line & _HELP and line & _TECH and line & (_ACTOR | _LEADER))
                or (line & _AID and line & (_GROUP | _GROUP_ACTOR | _GROUP_LEADER))
                # a co-occurrence candidate: a cue (even the item itself), an item, a party it reads
                or ((items or idle_items) and line & (_ACTOR | _GROUP)))


def get_prefilter(nlp: Language) -> Prefilter:
    """The prefilter of a pipeline, built once and kept on it (not in a WeakKeyDictionary:
    the prefilter holds the pipeline's ruler, which holds the pipeline)."""
    prefilter = getattr(nlp, "_armstrace_prefilter", None)
    if prefilter is None:
        prefilter = Prefilter(nlp)
        nlp._armstrace_prefilter = prefilter
    return prefilter
