"""Candidate windows: what the encoder reads, and the parties it may choose among.

A window is one sentence of a parsed document that names a weapon or military item (the
gazetteer's WEAPON and ARMS entities) or a transfer cue (a lemma the caller gives), with its
context: the headline and the two sentences before it. Its parties are every actor the window
names (the gazetteer's ACTOR entities: states, groups, organisations), and the document's most
named actors, written after the context when the window does not name them ("the shipments
reached the guerrillas" in a story about one country), and "none" (a party the text leaves
unnamed).

The target sentence is the first segment the encoder reads and the context the second, so that
truncation cuts context, never the sentence. Each party is a set of character spans in one of
the two segments; the encoder pools the tokens under them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

ITEM_LABELS = ("WEAPON", "ARMS")
ACTOR = "ACTOR"
OTHER_GROUP = "other-group"  # the guidelines' code of a group no slug names
DOCUMENT_ACTORS = 4  # the document's most named actors, offered to every window
MAX_PARTIES = 8  # parties of one window (named in the sentence first, then context, then document)
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
    found = [(e.ent_id_, e.start_char, e.end_char) for e in sent.ents if e.label_ == ACTOR and e.ent_id_]
    if group_words:
        for tok in sent:
            if tok.ent_type_ != ACTOR and tok.is_alpha and (tok.lower_ in group_words or tok.lemma_.lower() in group_words):
                for code in (group_codes(tok) if group_codes is not None else [OTHER_GROUP]):
                    found.append((code, tok.idx, tok.idx + len(tok.text)))
        found.sort(key=lambda m: m[1])
    return found


def is_candidate(sent: Span, cue_lemmas: frozenset[str]) -> bool:
    """A sentence that names an item or a transfer cue."""
    if any(e.label_ in ITEM_LABELS for e in sent.ents):
        return True
    return any(t.lemma_.lower() in cue_lemmas for t in sent if t.is_alpha)


def _items(sent: Span, start: int, end: int, category_of: Callable[[Span], str | None] | None) -> dict:
    found: dict[str, list[tuple[int, int, int]]] = {}
    if category_of is None:
        return found
    for e in sent.ents:
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
    mentions = [_actors(s, group_words, group_codes) for s in sents]
    if rename:
        mentions = [[(rename.get(c, c), s, e) for c, s, e in found] for found in mentions]
    counts = Counter(code for found in mentions for code, _, _ in found)
    first_name: dict[str, str] = {}
    for found in mentions:
        for code, s, e in found:
            first_name.setdefault(code, spdoc.text[s:e])
    top = [code for code, _ in counts.most_common(DOCUMENT_ACTORS)]
    windows: list[Window] = []
    for number, sent in enumerate(sents):
        start, end = _stripped(sent)
        if end <= start or not is_candidate(sent, cue_lemmas):
            continue
        end = min(end, start + MAX_SENTENCE_CHARS)
        target = spdoc.text[start:end]
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
                add(spdoc.text[h0:h1], [m for m in mentions[0] if m[1] >= h0 and m[2] <= h1], h0)
        for k in before:
            s0, s1 = _stripped(sents[k])
            if s1 - s0 > MAX_SENTENCE_CHARS:
                continue
            add(spdoc.text[s0:s1], [m for m in mentions[k] if m[1] >= s0 and m[2] <= s1], s0)
        for code in top:
            if code not in parties and code in first_name:
                add(first_name[code], [(code, 0, len(first_name[code]))], 0)
        kept = dict(list(_ranked(parties))[:MAX_PARTIES])
        windows.append(Window(number, start, end, target, " ".join(pieces), kept,
                              _items(sent, start, end, category_of)))
    return windows


def _ranked(parties: dict[str, list[tuple[int, int, int]]]):
    """Parties named in the target sentence first, then by how often the window names them."""
    return sorted(parties.items(), key=lambda kv: (min(seg for seg, _, _ in kv[1]), -len(kv[1])))
