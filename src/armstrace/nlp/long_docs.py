"""Long documents parsed in pieces, so that memory is bounded by a piece, not by the document.

spaCy's parser and named-entity recogniser take temporary memory in proportion to the text
they are given at once: here about 3 kB a character, so a 1,000,000-character page (the most
extraction reads) took some 3 GB. A document longer than `PIECE_CHARS` is cut into pieces of at
most that many characters: at line breaks, where a sentence always ends anyway
(`armstrace_paragraphs`); where one line is longer, after a sentence's final punctuation; failing
that at a space; failing that between two tokens. Each piece goes through the pipeline alone and
the pieces are joined again into one `Doc` of the same text, tokens and character offsets, so
extraction and its cross-sentence context still read one document. The joined document keeps
no `tensor` (tok2vec's output, which extraction never reads: 77 MB at 1,000,000 characters,
twice over while joining).

Documents up to `PIECE_CHARS` (every article of the corpora: the longest is under 33,000
characters) are parsed whole, exactly as before.

    spdoc = parse(nlp, nlp.make_doc(text))                 # whole, or in pieces when long
    spdoc = parse(nlp, ruled, disable=["gazetteer_ruler"])  # a document the ruler has seen
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

import numpy
from spacy.language import Language
from spacy.tokens import Doc

PIECE_CHARS = 50_000  # about 150 MB of the parser's and recogniser's working memory
_SENTENCE_ENDS = frozenset({".", "!", "?"})


def _cut_points(doc: Doc) -> tuple[list[int], list[int], list[int]]:
    """Token indices a piece may start at: after a line break, after a sentence's final
    punctuation followed by a space, after any whitespace."""
    lines, sentences, spaces = [], [], []
    for tok in doc[:-1]:
        i = tok.i + 1
        if (tok.is_space and "\n" in tok.text) or "\n" in tok.whitespace_:
            lines.append(i)
        elif tok.text in _SENTENCE_ENDS and tok.whitespace_:
            sentences.append(i)
        elif tok.whitespace_ or tok.is_space:
            spaces.append(i)
    return lines, sentences, spaces


def pieces(doc: Doc, limit: int | None = None) -> list[tuple[int, int]]:
    """Token ranges ``(start, end)`` covering `doc` in order, each of at most `limit`
    (`PIECE_CHARS`) characters (a single token longer than that stands alone), cut at the best
    points."""
    limit = PIECE_CHARS if limit is None else limit
    if limit < 1:
        raise ValueError(f"a piece must hold at least one character, not {limit}")
    n = len(doc)
    if n == 0:
        return []
    starts = [tok.idx for tok in doc] + [len(doc.text)]
    kinds = _cut_points(doc)
    out: list[tuple[int, int]] = []
    start = 0
    while start < n:
        if starts[n] - starts[start] <= limit:
            out.append((start, n))
            break
        # the furthest token that may start the next piece within `limit` characters
        reach = bisect_right(starts, starts[start] + limit, lo=start + 1) - 1
        end = None
        for points in kinds:
            j = bisect_right(points, reach) - 1
            if j >= 0 and points[j] > start:
                end = points[j]
                break
        if end is None:
            end = max(reach, start + 1)
        out.append((start, end))
        start = end
    return out


def is_long(text: str, limit: int | None = None) -> bool:
    """Whether `text` is parsed in pieces (longer than `limit`, `PIECE_CHARS`)."""
    return len(text) > (PIECE_CHARS if limit is None else limit)


def parse(nlp: Language, doc: Doc | str, disable: Iterable[str] = (), limit: int | None = None) -> Doc:
    """`doc` (a text, or a document tokenised and perhaps ruled) through `nlp` (without
    `disable`): whole when it is at most `limit` (`PIECE_CHARS`) characters long, else piece by
    piece (`pieces`), joined again."""
    disable = list(disable)
    if not is_long(doc.text if isinstance(doc, Doc) else doc, limit):
        return nlp(doc, disable=disable)
    if not isinstance(doc, Doc):
        doc = nlp.make_doc(doc)
    parts = []
    for start, end in pieces(doc, limit):
        part = nlp(doc[start:end].as_doc(), disable=disable)
        part.tensor = numpy.zeros((0,), dtype="float32")  # tok2vec's 96 floats a token: never read
        parts.append(part)
    joined = Doc.from_docs(parts, ensure_whitespace=False, exclude=["tensor"])
    if joined.text != doc.text:  # (cannot happen: pieces cut between tokens and keep their spaces)
        raise AssertionError("a document parsed in pieces does not join up to its own text")
    return joined
