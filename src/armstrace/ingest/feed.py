"""RSS and Atom feed files: each entry becomes a document (a headline alone is one too).

XML entities a feed declares in its DTD are never expanded: nested ones (the "billion
laughs") or one long one used many times can turn a small feed into gigabytes, and an
external one (``SYSTEM "file:///..."``) would read a local file. The DTD's declarations are
taken out before the feed is parsed, and a notice says so; the entries are read as usual,
with any use of such an entity left as written (``&name;``).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator

import feedparser
import lxml.html
from feedparser.encodings import convert_to_utf8

from .document import Document
from .errors import InputNotice, InputProblem
from .text import document_from_text


# Characters XML cannot hold: lxml refuses a string with one (ValueError), and the HTML
# parser passes them through into the text, so setting a tail that holds one raised.
XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def html_fragment_to_text(fragment: str) -> str:
    if "<" not in fragment:
        return fragment
    fragment = XML_INCOMPATIBLE.sub(" ", fragment)
    try:
        root = lxml.html.fromstring(f"<div>{fragment}</div>")
        for block in root.iter("p", "br", "div", "li", "h1", "h2", "h3", "h4"):
            block.tail = "\n\n" + (block.tail or "")
        return root.text_content()
    except (lxml.etree.ParserError, ValueError):
        return fragment


ENTITY = b"<!ENTITY"
FIRST_ELEMENT = re.compile(rb"<\w")  # where feedparser takes the prolog to end
# Inside a DTD's internal subset: what can hide a ']' (quoted values, comments, processing
# instructions) and entity declarations.
SUBSET_TOKEN = re.compile(rb"""["']|<!--|<\?|<!ENTITY|\]""")
SKIP_TO = {b"<!--": b"-->", b"<?": b"?>", b'"': b'"', b"'": b"'"}
# Starts of the encodings (UTF-16, UTF-32, EBCDIC) in which b"<!ENTITY" cannot be seen as bytes.
WIDE = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"\x4c\x6f\xa7\x94")


def _internal_subset(data: bytes) -> tuple[int, int | None, int] | None:
    """Where the DOCTYPE's internal subset ``[...]`` is in the prolog of XML `data`: (start
    of '[', end of ']>' or None when it does not end, entity declarations in it), or None
    when there is none. One pass of finds and searches: linear in the length of the data."""
    end = len(data)
    pos = 3 if data.startswith(codecs.BOM_UTF8) else 0
    while pos < end:  # the prolog: white space, processing instructions, comments
        if data[pos] in b" \t\r\n":
            pos += 1
        elif data.startswith((b"<?", b"<!--"), pos):
            opener = b"<?" if data.startswith(b"<?", pos) else b"<!--"
            close = data.find(SKIP_TO[opener], pos + len(opener))
            if close < 0:
                return None
            pos = close + len(SKIP_TO[opener])
        elif data.startswith(b"<!DOCTYPE", pos):
            break
        else:
            return None
    else:
        return None
    pos += len(b"<!DOCTYPE")
    while pos < end:  # the DOCTYPE's name and external id, up to '[' (a subset) or '>' (none)
        char = data[pos:pos + 1]
        if char in (b'"', b"'"):
            close = data.find(char, pos + 1)
            if close < 0:
                return None
            pos = close + 1
        elif char == b">":
            return None
        elif char == b"[":
            break
        else:
            pos += 1
    else:
        return None
    subset = pos
    pos += 1
    entities = 0
    while True:
        token = SUBSET_TOKEN.search(data, pos)
        if token is None:
            return subset, None, entities
        found = token.group()
        if found == ENTITY:
            entities += 1
            pos = token.end()
        elif found in SKIP_TO:
            close = data.find(SKIP_TO[found], token.end())
            if close < 0:
                return subset, None, entities
            pos = close + len(SKIP_TO[found])
        else:  # ']', then white space and '>'
            pos = token.end()
            while pos < end and data[pos] in b" \t\r\n":
                pos += 1
            if data.startswith(b">", pos):
                return subset, pos + 1, entities
            return subset, None, entities


def refuse_entities(data: bytes) -> tuple[bytes, int]:
    """`data` with no XML entity declarations left to expand, and how many there were.

    The DOCTYPE's internal subset is taken out (``<!DOCTYPE rss [...]>`` becomes
    ``<!DOCTYPE rss>``). In a DTD that does not end as it should, every declaration is
    broken so that no parser takes it for one; so is one left before the first element.
    A feed without any is returned as it was."""
    if ENTITY not in data and (data.startswith(WIDE) or b"\x00" in data[:4]):
        # UTF-16, UTF-32 or EBCDIC: look in it as UTF-8 (its declaration rewritten to say so),
        # the way feedparser converts it before parsing
        utf8 = convert_to_utf8({}, data, {})
        if ENTITY in utf8:
            data = utf8
    if ENTITY not in data:
        return data, 0
    found = _internal_subset(data)
    if found is not None and found[1] is not None:
        subset, end, entities = found
        data = data[:subset].rstrip() + b">" + data[end:]
    elif found is not None:
        # a DTD this scan cannot follow to its end: no declaration after its start stands
        subset = found[0]
        entities = data.count(ENTITY, subset)
        return data[:subset] + data[subset:].replace(ENTITY, b"<!-ENTITY"), entities
    else:
        entities = 0
    # Before the first element, feedparser looks for declarations to keep and expat reads
    # them. Past it, neither takes '<!ENTITY' for a declaration (it may be quoted text).
    first = FIRST_ELEMENT.search(data)
    head = data[: first.start() if first else len(data)]
    stray = head.count(ENTITY)
    if stray:
        data = head.replace(ENTITY, b"<!-ENTITY") + data[len(head):]
    return data, entities + stray


def read_feed(data: bytes, path: str, on_problem: Callable[[InputProblem], None]) -> Iterator[Document]:
    try:
        data, entities = refuse_entities(data)
        parsed = feedparser.parse(data)
    except (ValueError, LookupError, TypeError) as err:
        # feedparser decodes with the encoding the XML declaration names; a name it cannot
        # look up ("UTF\x00...") raises from Python's codec lookup, not as a bozo feed
        raise InputProblem(path, f"malformed feed ({type(err).__name__}: {err})") from None
    if not parsed.entries:
        reason = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
        raise InputProblem(path, f"no entries found in the feed{reason}")
    if entities:
        on_problem(InputNotice(path, (
            f"the feed declares XML entities (a DTD with {entities} entity declaration"
            f"{'' if entities == 1 else 's'}); they were not expanded (entity expansion is refused: "
            "it can exhaust memory, or read local files); any use of them is left as written")))
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
