"""RSS and Atom feed files: each entry becomes a document (a headline alone is one too)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import feedparser
import lxml.html

from .document import Document
from .errors import InputProblem
from .text import document_from_text


def html_fragment_to_text(fragment: str) -> str:
    if "<" not in fragment:
        return fragment
    try:
        root = lxml.html.fromstring(f"<div>{fragment}</div>")
    except (lxml.etree.ParserError, ValueError):
        return fragment
    for block in root.iter("p", "br", "div", "li", "h1", "h2", "h3", "h4"):
        block.tail = "\n\n" + (block.tail or "")
    return root.text_content()


def read_feed(data: bytes, path: str, on_problem: Callable[[InputProblem], None]) -> Iterator[Document]:
    parsed = feedparser.parse(data)
    if not parsed.entries:
        reason = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
        raise InputProblem(path, f"no entries found in the feed{reason}")
    publisher = parsed.feed.get("title")
    for index, entry in enumerate(parsed.entries):
        content = entry.get("content") or []
        body = content[0].get("value", "") if content else entry.get("summary", "")
        text = html_fragment_to_text(body or "").strip()
        title = (entry.get("title") or "").strip() or None
        if not text and not title:
            on_problem(InputProblem(path, f"entry {index}: no title and no text"))
            continue
        published = entry.get("published_parsed") or entry.get("updated_parsed") or entry.get("published")
        yield document_from_text(
            text, id=entry.get("id") or entry.get("link") or f"{path}#{index}", source_path=path,
            title=title, published=published, url=entry.get("link"), publisher=publisher,
        )
