"""HTML pages: the article body via trafilatura, with title, date, site name and URL."""

from __future__ import annotations

import logging

import trafilatura
from htmldate import find_date

from .document import Document
from .errors import InputProblem
from .text import decode, document_from_text

# trafilatura logs every page it finds too small; our own message says it better.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def read_html(data: bytes | str, path: str, url: str | None = None, id: str | None = None) -> Document:
    html = decode(data, path) if isinstance(data, bytes) else data
    if not html.strip():
        raise InputProblem(path, "empty: no HTML in the file")
    if "<" not in html:
        raise InputProblem(path, "not HTML: no markup found (name it .txt to read it as plain text)")
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
