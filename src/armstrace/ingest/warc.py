"""WARC and WARC.gz web archives: every HTML response record becomes a document."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BUFF_SIZE, DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed

from .document import Document
from .errors import InputProblem
from .html import read_html
from .limits import MAX_HEADER_LINE, MAX_HEADERS, MAX_RECORD, expands_message, stream_limit

HTML_TYPES = ("text/html", "application/xhtml+xml")
CHUNK = 1 << 16


class _OverBound(Exception):
    """A bound of `limits.py` was reached reading the archive; the message says which."""


class _Expands(_OverBound):
    """A .warc.gz expanded beyond its limit (`limits.stream_limit`)."""


class _BoundedReader(DecompressingBufferedReader):
    """warcio's reader of the (decompressed) archive, bounded: a line is read up to
    `MAX_HEADER_LINE` bytes at most (warcio reads a line to its end, however long, in
    quadratic time), and with a `budget`, decompressing beyond it raises `_Expands`."""

    budget: int | None = None

    def _process_read(self, data: bytes) -> None:
        super()._process_read(data)
        if self.budget is not None and self.num_read > self.budget:
            raise _Expands()

    def readline(self, length: int | None = None) -> bytes:
        if length is None or length < 0 or length > MAX_HEADER_LINE:
            length = MAX_HEADER_LINE
        return super().readline(length)


class _HeaderBlock:
    """The stream a record's headers are parsed from, giving at most `MAX_HEADERS` bytes:
    warcio keeps every line up to a blank one, so a record of endless header lines would fill
    memory."""

    def __init__(self, stream):
        self.stream = stream
        self.left = MAX_HEADERS

    def readline(self, length: int | None = None) -> bytes:
        if self.left <= 0:
            raise _OverBound(f"a record's headers run over {MAX_HEADERS:,} bytes "
                             "(armstrace.ingest.limits.MAX_HEADERS)")
        line = self.stream.readline(self.left if length is None or length < 0 else min(length, self.left))
        self.left -= len(line)
        return line

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


class _BoundedParser:
    """One of warcio's header parsers, parsing from a `_HeaderBlock`."""

    def __init__(self, parser):
        self.parser = parser

    def parse(self, stream, *args, **kwargs):
        return self.parser.parse(_HeaderBlock(stream), *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.parser, name)


class _Archive(ArchiveIterator):
    """warcio's iterator, bounded (`_BoundedReader`, `_HeaderBlock`; `budget` bytes of
    decompressed data at most), noting whether the input ended inside a gzip member.

    warcio stops quietly when a .warc.gz is cut inside a member (a record's compressed data):
    its reader sees no more input and takes that for the end of the archive. A member that
    was whole has reached its end-of-stream mark (``decompressor.eof``); the last one open
    when the iterator closes tells whether the file was cut."""

    cut = False

    def __init__(self, stream: BinaryIO, budget: int | None = None):
        super().__init__(stream)
        self.reader = _BoundedReader(self.fh, block_size=BUFF_SIZE)
        self.reader.budget = budget
        loader = self.loader
        for name in ("arc_parser", "warc_parser", "http_parser", "http_req_parser"):
            if hasattr(loader, name):
                setattr(loader, name, _BoundedParser(getattr(loader, name)))

    def inside_member(self) -> bool:
        """Whether the gzip member being read has not reached its end-of-stream mark."""
        reader = self.reader
        decompressor = getattr(reader, "decompressor", None) if reader is not None else None
        return (decompressor is not None and getattr(reader, "decomp_type", None) == "gzip"
                and not getattr(decompressor, "eof", True))

    def close(self) -> None:
        self.cut = self.cut or self.inside_member()
        super().close()


def _plain(err: Exception) -> str:
    """warcio's message, first line, without the raw bytes it may quote."""
    message = str(err).strip().splitlines()[0].strip() if str(err).strip() else type(err).__name__
    for at, char in enumerate(message):
        if not char.isprintable():
            message = message[:at].rstrip(" :") + ": binary data"
            break
    return message if len(message) <= 120 else message[:119] + "…"


def _more_after(stream: BinaryIO, offset: int) -> bool:
    """Whether `stream` holds more than white space after `offset`, where the last whole
    record ended: the start of a record cut inside its headers, which warcio takes for the
    end of the archive."""
    try:
        stream.seek(offset)
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                return False
            if chunk.strip():
                return True
    except (OSError, ValueError):  # not seekable (or closed): nothing to tell
        return False


def _records(n: int) -> str:
    return f"{n} record{'' if n == 1 else 's'}"


def read_warc(stream: BinaryIO, path: str, on_problem: Callable[[InputProblem], None],
              first_record: int = 1, max_records: int | None = None) -> Iterator[Document]:
    """Read HTML responses; other records (requests, metadata, images, PDFs) are passed over.

    A file cut short is reported after the records before the cut were read. A part of a
    file (`armstrace batch`) starts with `stream` at a record's first byte: `first_record` is
    its number in the file (records without a URI are named by it) and at most `max_records`
    are read; the checks for a cut end are made only by the part that reads to the end."""
    count = first_record - 1  # records begun
    start = 0
    budget = compressed = None
    try:
        start = stream.tell()
        gzipped = stream.read(2) == b"\x1f\x8b"
        if gzipped:  # what a .warc.gz may expand to, from the size of the whole file
            compressed = stream.seek(0, 2)
            budget = stream_limit(compressed)
        stream.seek(start)
    except (OSError, ValueError):
        gzipped = False
    archive = _Archive(stream, budget)
    try:
        for record in archive:
            if max_records is not None and count - first_record + 1 >= max_records:
                return  # the part ends here; the next part reads on
            count += 1
            uri = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type is None or record.length is None:
                # its headers were cut (or are broken) before its type and length: its body
                # would run to the end of the file
                raise InputProblem(path, f"truncated WARC: record {count} has no type or length (its "
                                         f"headers are cut short or malformed); {_records(count - 1)} "
                                         "read before it, anything after is lost")
            body = None
            if record.rec_type in ("response", "resource"):
                if record.http_headers is not None:
                    ctype = record.http_headers.get_header("Content-Type") or ""
                    status = record.http_headers.get_statuscode()
                    ok = not status or status.startswith("2")
                else:
                    ctype = record.rec_headers.get_header("Content-Type") or ""
                    ok = True
                if ok and ctype.lower().startswith(HTML_TYPES):
                    body = record.content_stream().read(MAX_RECORD + 1)
                    if len(body) > MAX_RECORD:
                        body = None
                        on_problem(InputProblem(path, f"record {count} ({uri}): a page of more than "
                                                      f"{MAX_RECORD:,} bytes, the limit for one record; skipped"))
            # read every record to its end, so a cut in any record shows, HTML or not
            while record.raw_stream.read(CHUNK):
                pass
            if getattr(record.raw_stream, "limit", 0) > 0:
                raise InputProblem(path, f"truncated WARC: record {count} ({uri}) is cut short; "
                                         f"{_records(count - 1)} read before it, anything after the cut is lost")
            if body is None:
                continue

            def noted(problem: InputProblem, count: int = count, uri: str | None = uri) -> None:
                on_problem(type(problem)(path, f"record {count} ({uri}): {problem.message}"))

            try:
                yield read_html(body, path, url=uri, id=uri or f"{path}#{count}", on_problem=noted)
            except InputProblem as problem:
                noted(problem)
    except InputProblem:
        raise
    except _Expands:
        raise InputProblem(path, f"{expands_message(budget, compressed)}; {_records(count)} read before, "
                                 "the rest is skipped") from None
    except _OverBound as err:
        raise InputProblem(path, f"{err} in record {count + 1}; {_records(count)} read before, "
                                 "the rest is skipped") from None
    except (ArchiveLoadFailed, EOFError, OSError, ValueError) as err:
        failure = _plain(err)
    except (AttributeError, TypeError, KeyError, IndexError):
        # what warcio raises on a record whose headers are cut short (no WARC-Target-URI yet)
        failure = "a record's headers are cut short or malformed"
    else:
        failure = None
    cut_member = gzipped and (archive.cut or (failure is not None and archive.inside_member()))
    if cut_member or (failure is None and _more_after(stream, start + archive.offset)):
        where = "a compressed record" if gzipped else "the headers of a record"
        raise InputProblem(path, f"truncated WARC{'.gz' if gzipped else ''}: the file ends inside {where} "
                                 f"after {_records(count)}; anything after the cut is lost")
    if failure is not None:
        raise InputProblem(path, f"truncated or malformed WARC after {_records(count)} ({failure})")


def record_offsets(path: str) -> list[int] | None:
    """The byte offset of every record of a WARC file, when each can be read from on its own
    (an uncompressed WARC, or a .warc.gz with a gzip member a record, as crawlers write them);
    None otherwise (one gzip stream, a damaged file): then the file is read whole."""
    gzipped = path.lower().endswith(".gz")
    offsets: list[int] = []
    try:
        with open(path, "rb") as stream:
            archive = _Archive(stream, stream_limit(os.fstat(stream.fileno()).st_size) if gzipped else None)
            for _record in archive:
                offsets.append(archive.get_record_offset())
        with open(path, "rb") as stream:
            magic = b"\x1f\x8b" if gzipped else b"WARC/"
            for offset in offsets:
                stream.seek(offset)
                if stream.read(len(magic)) != magic:
                    return None
    except Exception:  # noqa: BLE001 - any failure means: read it whole, the reader reports what is wrong
        return None
    return offsets
