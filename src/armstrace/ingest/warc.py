"""WARC and WARC.gz web archives: every HTML response record becomes a document."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .document import Document
from .errors import InputProblem
from .html import read_html

HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(stream: BinaryIO, path: str, on_problem: Callable[[InputProblem], None]) -> Iterator[Document]:
    """Read HTML responses; other records (requests, metadata, images, PDFs) are passed over."""
    count = 0
    try:
        for record in ArchiveIterator(stream):
            count += 1
            if record.rec_type not in ("response", "resource"):
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI")
            if record.http_headers is not None:
                ctype = record.http_headers.get_header("Content-Type") or ""
                status = record.http_headers.get_statuscode()
                if status and not status.startswith("2"):
                    continue
            else:
                ctype = record.rec_headers.get_header("Content-Type") or ""
            if not ctype.lower().startswith(HTML_TYPES):
                continue
            body = record.content_stream().read()
            if getattr(record.raw_stream, "limit", 0) > 0:
                raise InputProblem(path, f"truncated WARC: record {count} ({uri}) is cut short; {count - 1} records read")
            try:
                yield read_html(body, path, url=uri, id=uri or f"{path}#{count}")
            except InputProblem as problem:
                on_problem(InputProblem(path, f"record {count} ({uri}): {problem.message}"))
    except (ArchiveLoadFailed, EOFError, OSError, ValueError) as err:
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputProblem(path, f"truncated or malformed WARC after {count} records ({message})") from None
