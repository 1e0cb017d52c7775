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


MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)
MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
MD_QUOTE_OR_BULLET = re.compile(r"^\s{0,3}(>\s?|[-*+]\s+)", re.MULTILINE)
MD_RULE = re.compile(r"^\s{0,3}([-*_]\s*){3,}$", re.MULTILINE)


def markdown_to_text(text: str) -> tuple[str, str | None]:
    """Plain text of a Markdown document and its first heading, if any."""
    heading = MD_HEADING.search(text)
    text = MD_IMAGE.sub("", text)
    text = MD_LINK.sub(r"\1", text)
    text = MD_HEADING.sub(r"\1", text)
    text = MD_RULE.sub("", text)
    text = MD_QUOTE_OR_BULLET.sub("", text)
    text = MD_EMPHASIS.sub(r"\2", text)
    title = MD_EMPHASIS.sub(r"\2", MD_LINK.sub(r"\1", heading.group(1))) if heading else None
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
