"""Plain text and Markdown: decode any encoding, remove boilerplate, build the Document."""

from __future__ import annotations

import codecs
import re
from typing import Any

from charset_normalizer import from_bytes

from .boilerplate import clean_text
from .dates import normalise_date
from .document import Document
from .errors import InputProblem
from .language import guess_language, primary_language

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# What non-ASCII text in Western-European news decoded as Windows-1252 looks like.
WESTERN = frozenset(
    "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßŒœŠšŽžŸ"
    "€‘’‚“”„–—…•«»°£¥§©®±²³´µ¶·¸¹º¼½¾¿¡×÷\xa0"
)


def _as_western(data: bytes) -> str | None:
    """`data` as Windows-1252 when it reads as mostly-ASCII Western text, else None.

    Statistical detectors misjudge short Latin-1 texts (a few accented letters) as Baltic
    or Central-European code pages; news in Western languages is far more common."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    foreign = [c for c in text if ord(c) > 127]
    if foreign and len(foreign) < 0.1 * len(text) and all(c in WESTERN for c in foreign):
        return text
    return None


def decode(data: bytes, path: str) -> str:
    """Text of `data` in whatever encoding it is in; never fails on bad bytes.

    Raises InputProblem for binary data (which is not text in any encoding)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data[:8192]:
        raise InputProblem(path, "binary data (NUL bytes), not text; is this the right file?")
    text: str | None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _as_western(data)
    if text is None:
        best = from_bytes(data[:200_000]).best()
        encoding = best.encoding if best is not None else "cp1252"
        try:
            text = data.decode(encoding, errors="replace")
        except LookupError:
            text = data.decode("utf-8", errors="replace")
    sample = text[:8192]
    if sample and len(CONTROL.findall(sample)) > 0.05 * len(sample):
        raise InputProblem(path, "binary data (control characters), not text; is this the right file?")
    return text


# Markdown is taken apart by scans that are linear in the length of the text, whatever it
# holds: the regular expressions they replace, `!?\[([^\]]*)\]\([^)]*\)` for links and images
# and `(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1` for emphasis, searched on from every opening
# bracket or asterisk to the end of the text, quadratic in a run of them ("[[[[..." or
# "*a *a *a ..."), and the heading's `\s*#*\s*$` after a lazy `(.*?)` was cubic in a run of
# spaces (a 2 KB line took minutes). Links and emphasis match exactly what the expressions
# matched; a heading is one line (the expression's `\s` ran on over blank lines, joining a
# heading to the next one: "# a\n\n\n# b" became "ab").
MD_QUOTE_OR_BULLET = re.compile(r"^\s{0,3}(>\s?|[-*+]\s+)", re.MULTILINE)
MD_RULE = re.compile(r"^\s{0,3}([-*_]\s*){3,}$", re.MULTILINE)
MD_HEADING_START = re.compile(r"[^\S\n]{0,3}#{1,6}[^\S\n]+")
EMPHASIS = ("**", "__", "*", "_", "`")


def strip_links(text: str, image: bool = False) -> str:
    """`text` with each Markdown link `[label](url)` replaced by its label, or (`image`) each
    image `![alt](url)` taken out. The label is all up to the first ']' (at least one
    character for a link), the url all up to the first ')'; newlines included."""
    opener = "![" if image else "["
    out: list[str] = []
    copied = pos = 0
    bracket = paren = -2  # the first ']' and ')' found so far (-1: none left in the text)
    while (start := text.find(opener, pos)) >= 0:
        label = start + len(opener)
        if bracket < label:
            bracket = text.find("]", label)
        if bracket < 0:
            break  # no ']' after this opener, nor after any later one
        if (image or bracket > label) and text.startswith("(", bracket + 1):
            if paren < bracket + 2:
                paren = text.find(")", bracket + 2)
            if paren < 0:
                break  # no ')' after this link, nor after any later one
            out.append(text[copied:start])
            if not image:
                out.append(text[label:bracket])
            copied = pos = paren + 1
        else:
            pos = start + 1
    out.append(text[copied:])
    return "".join(out)


def strip_emphasis(text: str) -> str:
    """`text` with Markdown emphasis markers taken out: a run `**`, `__`, `*`, `_` or a
    backtick, then a non-space, up to the nearest same marker after a non-space on the same
    line ("**Germany**" -> "Germany"); the first marker that closes wins, in that order."""
    n = len(text)
    closer: dict[str, tuple[int, int]] = {}  # marker -> (searched from, the first closer from there; -1 none)
    newline = (-1, -1)  # searched from, the first newline from there (n: none)
    out: list[str] = []
    copied = pos = 0

    def next_closer(marker: str, after: int) -> int:
        since, found = closer.get(marker, (n + 1, -1))
        if since <= after and (found < 0 or found >= after):
            return found
        found = text.find(marker, after)
        while found > 0 and text[found - 1].isspace():
            found = text.find(marker, found + 1)
        closer[marker] = (after, found)
        return found

    marks = {c: -2 for c in "*_`"}  # the next of each marker character (-1: none left)
    while pos < n:
        for c, at in marks.items():
            if -1 < at < pos or at == -2:
                marks[c] = text.find(c, pos)
        starts = [at for at in marks.values() if at >= 0]
        if not starts:
            break
        start = min(starts)
        for marker in EMPHASIS:
            if not text.startswith(marker, start):
                continue
            body = start + len(marker)
            if body >= n or text[body].isspace():
                continue
            if not newline[0] <= body <= newline[1]:
                end = text.find("\n", body)
                newline = (body, n if end < 0 else end)
            close = next_closer(marker, body + 1)
            if 0 <= close < newline[1]:
                out.append(text[copied:start])
                out.append(text[body:close])
                copied = pos = close + len(marker)
                break
        else:
            pos = start + 1
    out.append(text[copied:])
    return "".join(out)


def _heading(line: str) -> str | None:
    """The text of a Markdown heading line ("## Tanks for Kyiv ##" -> "Tanks for Kyiv"), else None."""
    start = MD_HEADING_START.match(line)
    if start is None:
        return None
    body = start.end()
    end = len(line)  # without a closing run of '#' and the spaces around it
    for strip in (str.isspace, "#".__eq__, str.isspace):
        while end > body and strip(line[end - 1]):
            end -= 1
    return line[body:end]


def strip_headings(text: str) -> tuple[str, str | None]:
    """`text` with each heading line replaced by its text, and the first heading's text."""
    lines = text.split("\n")
    first = None
    for number, line in enumerate(lines):
        heading = _heading(line)
        if heading is not None:
            lines[number] = heading
            if first is None:
                first = heading
    return "\n".join(lines), first


def markdown_to_text(text: str) -> tuple[str, str | None]:
    """Plain text of a Markdown document and its first heading, if any."""
    _, heading = strip_headings(text)
    text = strip_links(text, image=True)
    text = strip_links(text)
    text, _ = strip_headings(text)
    text = MD_RULE.sub("", text)
    text = MD_QUOTE_OR_BULLET.sub("", text)
    text = strip_emphasis(text)
    title = strip_emphasis(strip_links(heading)) if heading is not None else None
    return text, title


def document_from_text(raw: str, *, id: str, source_path: str | None, title: str | None = None,
                       published: Any = None, clean: bool = True, **meta: Any) -> Document:
    """Build a Document from raw article text: boilerplate removed, headline inferred."""
    if clean:
        cleaned = clean_text(raw)
        text, removed = cleaned.text, cleaned.removed
        title = title or cleaned.title
        syndicated = meta.pop("syndicated_from", None) or cleaned.syndicated_from
    else:
        text, removed, syndicated = raw.strip(), [], meta.pop("syndicated_from", None)
    # what the words say over what the page declares (templates often declare "en" for any page)
    declared = primary_language(meta.pop("language", None))
    language = guess_language(f"{title or ''} {text}") or declared
    return Document(
        id=id, text=text, title=title or None, published=normalise_date(published),
        syndicated_from=syndicated, language=language, removed=removed,
        source_path=source_path, raw=raw, **meta,
    )


def read_text(data: bytes, path: str, markdown: bool = False) -> Document:
    raw = decode(data, path)
    title = None
    if markdown:
        raw, title = markdown_to_text(raw)
    if not raw.strip():
        raise InputProblem(path, "empty: no text in the file")
    return document_from_text(raw, id=path, source_path=path, title=title)
