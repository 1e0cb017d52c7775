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
from .dates import normalise_date
from .errors import InputNotice, InputProblem
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


# What each document field may be in JSON: a field of another type is refused by name (the
# document is read without it), never turned into text such as a Python repr.
_SCALAR = (str, int, float)


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", bool: "a boolean", str: "a string"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


def _date(value: object) -> tuple[object, str | None]:
    """A record's date, or None and why it is refused: a string, or a number of seconds (or
    milliseconds) since 1970 that gives a date after 1980; a number such as 20230101 is not
    read as 1970-08-23."""
    if isinstance(value, str):
        return (value, None) if normalise_date(value) else (None, f"{value[:40]!r} is not a date")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) >= 1e11 else value
        if EPOCH_FROM <= seconds < EPOCH_UNTIL:
            return seconds, None
        hint = (" (it looks like YYYYMMDD: write it as the string \"%s-%s-%s\")" % (str(value)[:4], str(value)[4:6], str(value)[6:8])
                if isinstance(value, int) and 10000101 <= value <= 99991231 else "")
        return None, f"the number {value} is not a date: a number is read as seconds since 1970, which gives no date from 1980 on{hint}"
    return None, f"{_kind(value)}, not a date"


EPOCH_FROM = 315532800  # 1980-01-01: a number of seconds before it is taken for a mistake
EPOCH_UNTIL = 4102444800  # 2100-01-01


def document_from_record(record: object, path: str, line: int | None, fieldmap: FieldMap,
                         on_problem: Callable[[InputProblem], None] | None = None) -> Document:
    """The document of one JSON record. A field of the wrong type is refused with a notice
    (to `on_problem`, else in the document's notices) naming the file, line and field; the
    document is read without it. Text of the wrong type refuses the record."""
    if not isinstance(record, dict):
        raise InputProblem(path, f"expected a JSON object, found {type(record).__name__}", line)
    refused: list[str] = []

    def field(name: str, keys: tuple[str, ...], types: tuple[type, ...]) -> object:
        for key in keys:
            value = record.get(key)
            if value in (None, ""):
                continue
            if isinstance(value, types) and not isinstance(value, bool):
                return value
            instead = "its file and line as its id" if name == "id" else f"no {name}"
            refused.append(f"field {key!r} is {_kind(value)}, not {'a string' if types == (str,) else 'a string or a number'}; "
                           f"read with {instead}")
            return None
        return None

    text = _first(record, fieldmap.text)
    if text is not None and not isinstance(text, str):
        raise InputProblem(path, f"field {fieldmap.text[0]!r} is {_kind(text)}, not a string", line)
    title = field("title", fieldmap.title, (str,))
    if not (text or "").strip() and not (title or "").strip():
        raise InputProblem(path, f"no text and no title (looked for keys {', '.join(fieldmap.text + fieldmap.title)})", line)
    doc_id = field("id", fieldmap.id, _SCALAR)
    if doc_id is None:
        doc_id = f"{path}:{line}" if line is not None else path
    publisher = field("publisher", fieldmap.publisher, (str,))
    url = field("url", fieldmap.url, (str,))
    published = None
    for key in fieldmap.date:
        value = record.get(key)
        if value in (None, ""):
            continue
        published, why = _date(value)
        if why:
            refused.append(f"field {key!r}: {why}; read with no date")
        break
    doc = document_from_text(
        text or "", id=str(doc_id), source_path=path, title=title.strip() if title else None,
        published=published, url=url, publisher=publisher_name(publisher) or None if publisher else None,
    )
    for message in refused:
        if on_problem is not None:
            on_problem(InputNotice(path, f"document {doc.id[:200]}: {message}", line))
        else:
            doc.notices.append(message)
    return doc


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
            doc = document_from_record(loads(line, path, number), path, number, fieldmap, on_problem)
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
            doc = document_from_record(record, path, None, fieldmap,
                                       lambda p, i=index: on_problem(InputNotice(path, f"item {i}: {p.message}")))
        except InputProblem as problem:
            on_problem(InputProblem(path, f"item {index}: {problem.message}"))
            continue
        if doc.id == path:
            doc.id = f"{path}#{index}"
        yield doc
