"""HTML pages: the article body via trafilatura, with title, date, site name and URL.

A page beyond what the HTML parser (libxml2) takes, nested deeper than its limit or with a
run of text too long for its buffer, loses its text in the parser without an error. Such a
page, and a page over `MAX_PAGE` characters, is read by a plain scan instead (linear in the
page): its text without its markup, reported as a notice.
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from collections.abc import Callable

import lxml.etree
import lxml.html
import trafilatura
from htmldate import find_date

from .document import Document
from .errors import InputNotice, InputProblem
from .text import decode, document_from_text

# trafilatura logs every page it finds too small; our own message says it better.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def read_html(data: bytes | str, path: str, url: str | None = None, id: str | None = None,
              on_problem: Callable[[InputProblem], None] | None = None) -> Document:
    """The article in an HTML page. What was read differently is told to `on_problem` as an
    `InputNotice` (or, without one, kept in `Document.notices`)."""
    html = decode(data, path) if isinstance(data, bytes) else data
    if not html.strip():
        raise InputProblem(path, "empty: no HTML in the file")
    if "<" not in html:
        raise InputProblem(path, "not HTML: no markup found (name it .txt to read it as plain text)")
    if len(html) > MAX_PAGE:
        return _read_without_markup(html, path, url, id, None, on_problem)
    limit = parser_limit(html)
    if limit is not None:
        return _read_without_markup(html, path, url, id, limit, on_problem)
    try:
        result = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False,
            favor_precision=False,
        )
    except Exception as err:  # trafilatura raises many kinds on broken markup
        raise InputProblem(path, f"malformed HTML ({type(err).__name__}: {err})") from None
    if result is None or not (result.text or "").strip():
        raise InputProblem(path, "no article text found in the HTML page")
    published = result.date
    if not published:
        try:
            published = find_date(html, original_date=True, url=url)
        except Exception:
            published = None
    canonical = result.url or url
    return document_from_text(
        result.text, id=id or canonical or path, source_path=path, title=result.title,
        published=published, url=canonical, publisher=result.sitename or result.hostname,
        language=result.language,
    )


# -- pages beyond the parser's limits ---------------------------------------------------------

# A page longer than this is read by the plain scan too: the article extractor's time grows
# faster than the page (a 10 MB page of paragraphs took over a minute), and no news page is
# this long in its text and markup.
MAX_PAGE = 5_000_000

# Too few tags to nest as deep as libxml2's limit (256), and too short for its buffer limit
# (10,000,000 characters): such a page cannot be beyond the parser.
FEW_TAGS = 250
SHORT = 1_000_000
DEPTH_LIMIT = re.compile(r"depth in document:\s*(\d+)")


def parser_limit(html: str) -> str | None:
    """libxml2's message when it stopped parsing this page at one of its resource limits
    (nesting depth, buffer size), else None. The parser is libxml2 as trafilatura runs it;
    it stops at a limit without raising, dropping the rest of the page."""
    if len(html) < SHORT and html.count("<", 0, SHORT) < FEW_TAGS:
        return None
    parser = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                                  remove_comments=True, remove_pis=True)
    try:
        lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        pass
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":
            return error.message.strip()
    return None


# Elements whose content is no text: skipped whole.
SKIPPED = ("script", "style", "title", "noscript", "template", "textarea", "svg", "math")
SKIP_END = {name: re.compile(rf"</{name}\b[^<>]*>", re.IGNORECASE) for name in SKIPPED}
# Elements that end a paragraph of text.
BLOCKS = frozenset(
    "address article aside blockquote body br caption dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre "
    "section summary table td th tr ul".split()
)
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Elements that end an open one of their own name (<p>one<p>two: two paragraphs, not nested).
SIBLINGS = frozenset("p li dt dd tr td th option".split())
# A tag, a comment opening or a declaration. No part can run past the next '<' or '>', and
# the name and the rest cannot overlap: a failed match never rescans, so the scan is linear.
TOKEN = re.compile(r"<(?:(!--)|(/?)([A-Za-z][A-Za-z0-9:_.-]*)(?:[\s/][^<>]*)?>|[!?][^<>]*>)")
PARAGRAPH = "\ue000"  # paragraph break while scanning (a private-use character)
COLLAPSE_CHUNK = 1 << 20


def _collapse(text: str) -> str:
    """" ".join(text.split()), a megabyte at a time: a list of every word of a 50 MB page
    would take about 15 times its size."""
    if len(text) <= COLLAPSE_CHUNK:
        return " ".join(text.split())
    out: list[str] = []
    gap = False  # white space since the last word
    for at in range(0, len(text), COLLAPSE_CHUNK):
        chunk = text[at:at + COLLAPSE_CHUNK]
        words = " ".join(chunk.split())
        gap = gap or chunk[0].isspace()
        if words:
            if out and gap:
                out.append(" ")
            out.append(words)
            gap = chunk[-1].isspace()
    return "".join(out)


class _Scan:
    """The text of an HTML page without its markup, in one pass, neither recursive nor
    quadratic in anything; the deepest nesting, the longest text between two tags, the
    longest tag, and the title."""

    def __init__(self, html: str):
        html = html.replace(PARAGRAPH, " ")
        pieces: list[str] = []
        stack: list[str] = []  # open elements
        open_count: dict[str, int] = {}  # how many of each name are open (pops stay linear)
        depth = longest_text = longest_tag = pos = 0
        title: str | None = None
        end = len(html)
        while pos < end:
            m = TOKEN.search(html, pos)
            start = m.start() if m else end
            if start > pos:
                pieces.append(html[pos:start])
                longest_text = max(longest_text, start - pos)
            if m is None:
                break
            longest_tag = max(longest_tag, m.end() - start)
            pos = m.end()
            if m.group(1):  # a comment: up to its end, or the rest of the page
                close = html.find("-->", pos)
                pos = end if close < 0 else close + 3
                continue
            name = m.group(3)
            if name is None:  # <!DOCTYPE ...>, <?xml ...?>
                continue
            name = name.lower()
            if m.group(2):  # an end tag closes its element and any left open inside it
                if open_count.get(name):
                    while stack:
                        top = stack.pop()
                        open_count[top] -= 1
                        if top == name:
                            break
                if name in BLOCKS:
                    pieces.append(PARAGRAPH)
                continue
            if name in SKIP_END:
                close_match = SKIP_END[name].search(html, pos)
                inner_end = close_match.start() if close_match else end
                if name == "title" and title is None:
                    title = " ".join(htmllib.unescape(html[pos:inner_end]).split()) or None
                pos = close_match.end() if close_match else end
                continue
            if name in BLOCKS:
                pieces.append(PARAGRAPH)
            if name in VOID or m.group(0).endswith("/>"):
                continue
            if name in SIBLINGS and stack and stack[-1] == name:
                open_count[stack.pop()] -= 1
            stack.append(name)
            open_count[name] = open_count.get(name, 0) + 1
            depth = max(depth, len(stack))
        text = htmllib.unescape("".join(pieces))
        paragraphs = (_collapse(part) for part in text.split(PARAGRAPH))
        self.text = "\n\n".join(part for part in paragraphs if part)
        self.depth = depth
        self.longest_text = longest_text
        self.longest_tag = longest_tag
        self.title = title


def _read_without_markup(html: str, path: str, url: str | None, id: str | None, limit: str | None,
                         on_problem: Callable[[InputProblem], None] | None) -> Document:
    """The page's text by the plain scan; `limit` is the parser's message, or None for a page
    over `MAX_PAGE`."""
    scan = _Scan(html)
    depth_limit = DEPTH_LIMIT.search(limit) if limit is not None else None
    if limit is None:
        why = (f"the page is {len(html):,} characters long, over the {MAX_PAGE:,} given to the article "
               "extractor (which would take minutes on it)")
    elif depth_limit:
        why = (f"the page was nested {scan.depth:,} levels deep, beyond the parser's limit of "
               f"{depth_limit.group(1)}")
    elif "buffer size" in limit.lower():
        if scan.longest_text >= scan.longest_tag:
            what = f"{scan.longest_text:,} characters of text without a tag between them"
        else:
            what = f"a tag {scan.longest_tag:,} characters long (its attribute values)"
        why = f"the page has {what}, too long for the parser's buffer (about 10,000,000 characters)"
    else:
        why = f"the page is beyond one of the parser's limits ({limit.rstrip('.')})"
    if not scan.text:
        raise InputProblem(path, f"{why}, and no text was found in it without its markup")
    message = (f"{why}, so its text was read without its markup "
               "(menus, links and other page furniture may be in it)")
    published = None
    body = re.search(r"<body\b", html[:SHORT], re.IGNORECASE)
    try:  # the date from the page's head: the parser reads that part
        published = find_date(html[: body.start() if body else min(len(html), 100_000)],
                              original_date=True, url=url)
    except Exception:
        published = None
    doc = document_from_text(scan.text, id=id or url or path, source_path=path, title=scan.title,
                             published=published, url=url)
    if on_problem is not None:
        on_problem(InputNotice(path, message))
    else:
        doc.notices.append(message)
    return doc
