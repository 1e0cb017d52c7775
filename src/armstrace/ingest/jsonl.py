"""JSON Lines and JSON arrays of articles (the format of ../shared/corpus/*/docs.jsonl).

Each article is an object; which keys hold what is configurable (`FieldMap`). Text is
cleaned of boilerplate like any scraped text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields

from .document import Document
from .errors import InputProblem
from .text import document_from_text


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


def _first(record: dict, keys: tuple[str, ...]):
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


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
        publisher=str(publisher) if publisher else None,
    )


def read_jsonl(lines: Iterator[str], path: str, fieldmap: FieldMap,
               on_problem: Callable[[InputProblem], None], first_line: int = 1) -> Iterator[Document]:
    """One document per line; a bad line is reported and skipped. `first_line` is the number
    of the first of `lines` in the file (a part of a file is read with the file's numbers)."""
    for number, line in enumerate(lines, first_line):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            truncated = " (truncated line?)" if err.pos >= len(line.rstrip()) - 1 else ""
            on_problem(InputProblem(path, f"not valid JSON{truncated}: {err.msg} at column {err.colno}", number))
            continue
        try:
            yield document_from_record(record, path, number, fieldmap)
        except InputProblem as problem:
            on_problem(problem)


ARRAY_KEYS = ("articles", "documents", "docs", "items", "data", "results")


def read_json(text: str, path: str, fieldmap: FieldMap,
              on_problem: Callable[[InputProblem], None]) -> Iterator[Document]:
    """A JSON array of articles, an object holding one under a usual key, or one article."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputProblem(path, f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
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
