"""The entities of a parsed document, indexed once: by token and by position.

`Doc.ents` builds every entity span of the document each time it is read, so code that asks
for it once per sentence does work quadratic in the document's length ("X sent drones to Y."
a thousand times took over half a minute). Per-sentence code asks this index instead:
built once per document (and cached on it), then each lookup costs only what it returns.
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.tokens import Doc, Span, Token

# The index of the document read last. Not a WeakKeyDictionary: the index's spans hold their
# document, so a weak key would never die and every parsed document would stay in memory.
_LAST: tuple[Doc | None, "EntityIndex | None"] = (None, None)


class EntityIndex:
    def __init__(self, doc: Doc):
        self.ents: tuple[Span, ...] = tuple(doc.ents)
        self.starts = [e.start for e in self.ents]
        self.at: dict[int, Span] = {i: e for e in self.ents for i in range(e.start, e.end)}

    def containing(self, token: Token | int) -> Span | None:
        """The entity that token is part of, or None."""
        return self.at.get(token if isinstance(token, int) else token.i)

    def within(self, start: int, end: int) -> list[Span]:
        """Entities that start in tokens [start, end), in order."""
        return list(self.ents[bisect_left(self.starts, start):bisect_left(self.starts, end)])

    def overlapping(self, start: int, end: int) -> list[Span]:
        """Entities with a token in [start, end), in order."""
        first = bisect_left(self.starts, start)
        if first > 0 and self.ents[first - 1].end > start:
            first -= 1
        return list(self.ents[first:bisect_left(self.starts, end)])


def entity_index(doc: Doc) -> EntityIndex:
    """The document's entity index, built on first use and kept until another document's is
    asked for (extraction reads one document at a time). Read it after the pipeline has set
    the entities (the extractor never changes them)."""
    global _LAST
    last_doc, index = _LAST
    if last_doc is not doc or index is None:
        index = EntityIndex(doc)
        _LAST = (doc, index)
    return index


def ents_of(span: Span) -> list[Span]:
    """The entities inside `span` (what `span.ents` gives, without reading the whole document)."""
    return [e for e in entity_index(span.doc).within(span.start, span.end) if e.end <= span.end]
