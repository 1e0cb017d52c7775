"""Candidate windows: what the encoder reads, and the parties it may choose among.

A window is one sentence of a parsed document that names a weapon or military item (the
gazetteer's WEAPON and ARMS entities) or a transfer cue (a lemma the caller gives), with its
context: the headline and the two sentences before it. Its parties are every actor the window
names (the gazetteer's ACTOR entities: states, groups, organisations), and the document's most
named actors, written after the context when the window does not name them ("the shipments
reached the guerrillas" in a story about one country), and "none" (a party the text leaves
unnamed).

Each party also carries its syntactic role in the target sentence (`ROLES`: subject, object,
the object of "to", "from", "with", ...; "context" when only the context names it), which the
encoder adds to the party's vector: supplier and recipient are roles as much as names.

The target sentence is the first segment the encoder reads and the context the second, so that
truncation cuts context, never the sentence. Each party is a set of character spans in one of
the two segments; the encoder pools the tokens under them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from armstrace.nlp.ents import ents_of  # a sentence's entities without reading the whole document's

ITEM_LABELS = ("WEAPON", "ARMS")
ACTOR = "ACTOR"
OTHER_GROUP = "other-group"  # the guidelines' code of a group no slug names
DOCUMENT_ACTORS = 4  # the document's most named actors, offered to every window
MAX_PARTIES = 8  # parties of one window (named in the sentence first, then context, then document)
# a party's syntactic role in the target sentence (of its first mention there); 0: named only in
# the context. Prepositions are their objects' roles ("to Ukraine", "from Iran").
ROLES = ("context", "subject", "passive-subject", "object", "to", "from", "with", "for", "by", "of", "in",
         "other-preposition", "possessive", "modifier", "other")
ROLE_PREPOSITIONS = ("to", "from", "with", "for", "by", "of", "in")
CONTEXT_BEFORE = 2  # sentences before the target
MAX_SENTENCE_CHARS = 1200  # a longer "sentence" (a run-on list, a table) is cut for the encoder


@dataclass
class Window:
    sentence: int  # the target sentence's number in the document
    start: int  # the target sentence's characters in the document text (stripped)
    end: int
    target: str  # the text the encoder reads first
    context: str  # and second
    # party code -> its mentions as (segment 0|1, start, end) character spans in target/context
    parties: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)
    # item category -> the target sentence's items of that category (the catalogue's and the
    # lexicon's: WEAPON and ARMS entities), as (0, start, end) spans
    items: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)
    # what the rules read in the target sentence: (supplier, recipient, category) -> status, the
    # parties as codes (NONE for an unnamed one); the encoder weighs it as one of its inputs
    rules: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # party code -> the index in ROLES of its role in the target sentence (absent: 0, "context")
    roles: dict[str, int] = field(default_factory=dict)

    def codes(self) -> list[str]:
        return list(self.parties)


def _stripped(sent: Span) -> tuple[int, int]:
    text = sent.text
    start = sent.start_char + (len(text) - len(text.lstrip()))
    return start, max(start, sent.start_char + len(text.rstrip()))


def _actors(sent: Span, group_words: frozenset[str] = frozenset(),
            group_codes: Callable[[Token], list[str]] | None = None) -> list[tuple[str, int, int]]:
    """(code, start, end) of the ACTOR entities of a sentence, characters in the document, and
    of its group nouns outside them ("the guerrillas", "arms traffickers"): the codes
    `group_codes` gives the noun (OTHER_GROUP without it)."""
    found = [(e.ent_id_, e.start_char, e.end_char) for e in ents_of(sent) if e.label_ == ACTOR and e.ent_id_]
    if group_words:
        for tok in sent:
            if tok.ent_type_ != ACTOR and tok.is_alpha and (tok.lower_ in group_words or tok.lemma_.lower() in group_words):
                for code in (group_codes(tok) if group_codes is not None else [OTHER_GROUP]):
                    found.append((code, tok.idx, tok.idx + len(tok.text)))
        found.sort(key=lambda m: m[1])
    return found


def role_of(tok: Token) -> int:
    """The index in ROLES of a mention's role, from its root token: through coordination,
    apposition and compounds ("Russia and Iran", "the US, its ally,") to the word that has it."""
    for _ in range(8):
        if tok.dep_ in ("conj", "appos", "compound") and tok.head.i != tok.i:  # spaCy makes a new Token each time
            tok = tok.head
        else:
            break
    dep = tok.dep_
    if dep in ("nsubj", "csubj", "expl"):
        return ROLES.index("subject")
    if dep in ("nsubjpass", "csubjpass"):
        return ROLES.index("passive-subject")
    if dep in ("dobj", "dative", "attr", "oprd"):
        return ROLES.index("object")
    if dep == "pobj":
        prep = tok.head.lower_
        if tok.head.dep_ == "agent":
            return ROLES.index("by")
        return ROLES.index(prep) if prep in ROLE_PREPOSITIONS else ROLES.index("other-preposition")
    if dep == "poss":
        return ROLES.index("possessive")
    if dep in ("amod", "nmod", "npadvmod", "nummod"):
        return ROLES.index("modifier")
    return ROLES.index("other")


def _roles(spdoc: Doc, found: list[tuple[str, int, int]]) -> dict[str, int]:
    """Party code -> role of its first mention among `found` (characters in the document)."""
    out: dict[str, int] = {}
    for code, s, e in found:
        if code in out:
            continue
        span = spdoc.char_span(s, e, alignment_mode="expand")
        if span is not None and len(span):
            out[code] = role_of(span.root)
    return out


def is_candidate(sent: Span, cue_lemmas: frozenset[str]) -> bool:
    """A sentence that names an item or a transfer cue."""
    if any(e.label_ in ITEM_LABELS for e in ents_of(sent)):
        return True
    return any(t.lemma_.lower() in cue_lemmas for t in sent if t.is_alpha)


def _items(sent: Span, start: int, end: int, category_of: Callable[[Span], str | None] | None) -> dict:
    found: dict[str, list[tuple[int, int, int]]] = {}
    if category_of is None:
        return found
    for e in ents_of(sent):
        if e.label_ in ITEM_LABELS and e.start_char >= start and e.end_char <= end:
            category = category_of(e)
            if category:
                found.setdefault(category, []).append((0, e.start_char - start, e.end_char - start))
    return found


def build_windows(spdoc: Doc, cue_lemmas: Iterable[str] = (), rename: dict[str, str] | None = None,
                  group_words: Iterable[str] = (),
                  group_codes: Callable[[Token], list[str]] | None = None,
                  category_of: Callable[[Span], str | None] | None = None) -> list[Window]:
    """The candidate windows of a parsed document (its headline, when it has one, is its
    first sentence: `Document.full_text`), in order. `rename` maps party codes to others (the
    state of the day: Russia in 1987 is the Soviet Union); `group_words` are nouns that name
    a group, and `group_codes` the codes such a noun may stand for (OTHER_GROUP without it);
    `category_of` gives an item entity's category (no items without it)."""
    cue_lemmas = frozenset(cue_lemmas)
    group_words = frozenset(group_words)
    sents = list(spdoc.sents)
    text = spdoc.text  # once: Doc.text joins every token's text each time it is read
    mentions = [_actors(s, group_words, group_codes) for s in sents]
    if rename:
        mentions = [[(rename.get(c, c), s, e) for c, s, e in found] for found in mentions]
    counts = Counter(code for found in mentions for code, _, _ in found)
    first_name: dict[str, str] = {}
    for found in mentions:
        for code, s, e in found:
            first_name.setdefault(code, text[s:e])
    top = [code for code, _ in counts.most_common(DOCUMENT_ACTORS)]
    windows: list[Window] = []
    for number, sent in enumerate(sents):
        start, end = _stripped(sent)
        if end <= start or not is_candidate(sent, cue_lemmas):
            continue
        end = min(end, start + MAX_SENTENCE_CHARS)
        target = text[start:end]
        parties: dict[str, list[tuple[int, int, int]]] = {}
        for code, s, e in mentions[number]:
            if s >= start and e <= end:
                parties.setdefault(code, []).append((0, s - start, e - start))
        # the context: headline, then the sentences before, each with its actor mentions
        pieces: list[str] = []
        offset = 0

        def add(text: str, found: list[tuple[str, int, int]] = (), base: int = 0) -> None:
            nonlocal offset
            if pieces:
                offset += 1  # the space between pieces
            for code, s, e in found:
                parties.setdefault(code, []).append((1, offset + s - base, offset + e - base))
            pieces.append(text)
            offset += len(text)

        before = range(max(0, number - CONTEXT_BEFORE), number)
        if number > 0 and 0 not in before:  # the headline (or the first sentence)
            h0, h1 = _stripped(sents[0])
            if h1 - h0 <= MAX_SENTENCE_CHARS:
                add(text[h0:h1], [m for m in mentions[0] if m[1] >= h0 and m[2] <= h1], h0)
        for k in before:
            s0, s1 = _stripped(sents[k])
            if s1 - s0 > MAX_SENTENCE_CHARS:
                continue
            add(text[s0:s1], [m for m in mentions[k] if m[1] >= s0 and m[2] <= s1], s0)
        for code in top:
            if code not in parties and code in first_name:
                add(first_name[code], [(code, 0, len(first_name[code]))], 0)
        kept = dict(list(_ranked(parties))[:MAX_PARTIES])
        roles = _roles(spdoc, [m for m in mentions[number] if m[1] >= start and m[2] <= end and m[0] in kept])
        windows.append(Window(number, start, end, target, " ".join(pieces), kept,
                              _items(sent, start, end, category_of), roles=roles))
    return windows


def _ranked(parties: dict[str, list[tuple[int, int, int]]]):
    """Parties named in the target sentence first, then by how often the window names them."""
    return sorted(parties.items(), key=lambda kv: (min(seg for seg, _, _ in kv[1]), -len(kv[1])))
