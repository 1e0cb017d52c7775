"""JSON Lines and JSON arrays of articles (the format of ../shared/corpus/*/docs.jsonl).

Each article is an object; which keys hold what is configurable (`FieldMap`). Text is
cleaned of boilerplate like any scraped text.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from typing import TextIO
from urllib.parse import urlsplit

from .document import Document
from .errors import InputProblem
from .limits import MAX_RECORD
from .text import document_from_text

LONG_LINE_CHUNK = 1 << 20


class LongLine(str):
    """Stands for a line over `MAX_RECORD` characters, read past without keeping it; its
    length is `length`."""

    length = 0


def bounded_lines(stream: TextIO, limit: int | None = None) -> Iterator[str]:
    """The lines of a text stream, as iterating over it gives them, except that a line over
    `limit` characters (`MAX_RECORD`) is never held whole: it comes as a `LongLine` (memory
    stays bounded whatever the line's length)."""
    limit = MAX_RECORD if limit is None else limit
    while line := stream.readline(limit + 1):
        if len(line) <= limit or line.endswith("\n"):
            yield line
            continue
        long = LongLine()
        long.length = len(line)
        while (rest := stream.readline(LONG_LINE_CHUNK)):
            long.length += len(rest)
            if rest.endswith("\n"):
                break
        yield long


@dataclass(frozen=True)
class FieldMap:
    """Names of the keys to read, first present wins."""

    id: tuple[str, ...] = ("id", "doc_id", "uid", "guid")
    title: tuple[str, ...] = ("title", "headline")
    text: tuple[str, ...] = ("text", "body", "content", "article", "maintext")
    date: tuple[str, ...] = ("date", "published", "date_publish", "pubdate", "timestamp")
    url: tuple[str, ...] = ("url", "link", "source_url")
    publisher: tuple[str, ...] = ("publisher", "sitename", "site_name", "source", "outlet")

    def with_overrides(self, overrides: dict[str, str]) -> "FieldMap":
        """A copy where each named document field reads the given key first."""
        known = {f.name for f in fields(self)}
        changes = {}
        for name, key in overrides.items():
            if name not in known:
                raise ValueError(f"unknown document field {name!r}; known: {', '.join(sorted(known))}")
            changes[name] = (key,) + tuple(k for k in getattr(self, name) if k != key)
        return FieldMap(**{**{f.name: getattr(self, f.name) for f in fields(self)}, **changes})


def _integer(digits: str) -> int | str:
    """A JSON integer; one too long for Python to convert (over 4,300 digits) is kept as its
    digits, so that an odd field does not cost the record its article."""
    try:
        return int(digits)
    except ValueError:
        return digits


def loads(text: str, path: str, line: int | None = None) -> object:
    """`json.loads`, with what it cannot take reported as an `InputProblem` (naming `path`
    and `line`): malformed JSON, and JSON nested deeper than Python's recursion allows."""
    try:
        return json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as err:
        where = f" at line {err.lineno} column {err.colno}" if line is None else f" at column {err.colno}"
        truncated = " (truncated line?)" if line is not None and err.pos >= len(text.rstrip()) - 1 else ""
        raise InputProblem(path, f"not valid JSON{truncated}: {err.msg}{where}", line) from None
    except RecursionError:
        raise InputProblem(path, "JSON nested too deeply to read (arrays or objects more than about "
                                 f"{sys.getrecursionlimit():,} levels deep)", line) from None


def _first(record: dict, keys: tuple[str, ...]):
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


# "headlines:thehill.com", "conflibert:insightCrime": a dataset's tag and, after it, the publisher
_COLLECTION_TAG = re.compile(r"^[A-Za-z][\w.-]*:(?!//)([^\s:]+)$")


def publisher_name(value: str) -> str:
    """The publisher a record's publisher or source field names, as a reader would say it: a
    URL's host ("https://www.bbc.com/news/x" -> "bbc.com"); the part after a dataset's tag
    ("headlines:thehill.com" -> "thehill.com", "conflibert:insightCrime" -> "insightCrime");
    a host without "www."; anything else as it is."""
    value = value.strip()
    if "://" in value:
        host = urlsplit(value).hostname
        if host:
            return host.removeprefix("www.")
    tagged = _COLLECTION_TAG.match(value)
    if tagged:
        value = tagged.group(1)
    return value.removeprefix("www.") if "." in value and " " not in value else value


def document_from_record(record: object, path: str, line: int | None, fieldmap: FieldMap) -> Document:
    if not isinstance(record, dict):
        raise InputProblem(path, f"expected a JSON object, found {type(record).__name__}", line)
    text, title = _first(record, fieldmap.text), _first(record, fieldmap.title)
    if text is not None and not isinstance(text, str):
        raise InputProblem(path, f"field {fieldmap.text[0]!r} is {type(text).__name__}, not a string", line)
    if title is not None and not isinstance(title, str):
        title = str(title)
    if not (text or "").strip() and not (title or "").strip():
        raise InputProblem(path, f"no text and no title (looked for keys {', '.join(fieldmap.text + fieldmap.title)})", line)
    doc_id = _first(record, fieldmap.id)
    if doc_id is None:
        doc_id = f"{path}:{line}" if line is not None else path
    publisher = _first(record, fieldmap.publisher)
    url = _first(record, fieldmap.url)
    return document_from_text(
        text or "", id=str(doc_id), source_path=path, title=title.strip() if title else None,
        published=_first(record, fieldmap.date), url=str(url) if url else None,
        publisher=publisher_name(str(publisher)) or None if publisher else None,
    )


# A file whose first this many lines with anything on them are none of them a record is not
# JSON Lines (a binary file, a wrong one): it is skipped then, not reported line by line.
NOT_JSONL_AFTER = 100


def read_jsonl(lines: Iterator[str], path: str, fieldmap: FieldMap,
               on_problem: Callable[[InputProblem], None], first_line: int = 1) -> Iterator[Document]:
    """One document per line; a bad line is reported and skipped. `first_line` is the number
    of the first of `lines` in the file (a part of a file is read with the file's numbers)."""
    bad = 0 if first_line == 1 else -1  # lines before the first record that were not one (a file read whole)
    for number, line in enumerate(lines, first_line):
        if bad >= NOT_JSONL_AFTER:
            raise InputProblem(path, f"not JSON Lines (is this the right file?): none of the first {bad} lines "
                                     "is a record; the rest of the file is skipped", number)
        if isinstance(line, LongLine):
            on_problem(InputProblem(path, f"a line of {line.length:,} characters, over the limit of {MAX_RECORD:,} "
                                          "for one record (armstrace.ingest.MAX_RECORD); skipped", number))
            continue
        if not line.strip():
            continue
        try:
            doc = document_from_record(loads(line, path, number), path, number, fieldmap)
        except InputProblem as problem:
            on_problem(problem)
            bad = bad + 1 if bad >= 0 else bad
            continue
        bad = -1  # a record read: every bad line after it is reported, however many
        yield doc


ARRAY_KEYS = ("articles", "documents", "docs", "items", "data", "results")


def read_json(text: str, path: str, fieldmap: FieldMap,
              on_problem: Callable[[InputProblem], None]) -> Iterator[Document]:
    """A JSON array of articles, an object holding one under a usual key, or one article."""
    data = loads(text, path)
    if isinstance(data, dict):
        for key in ARRAY_KEYS:
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            data = [data]
    if not isinstance(data, list):
        raise InputProblem(path, f"expected a JSON array of articles, found {type(data).__name__}")
    for index, record in enumerate(data):
        try:
            doc = document_from_record(record, path, None, fieldmap)
        except InputProblem as problem:
            on_problem(InputProblem(path, f"item {index}: {problem.message}"))
            continue
        if doc.id == path:
            doc.id = f"{path}#{index}"
        yield doc
