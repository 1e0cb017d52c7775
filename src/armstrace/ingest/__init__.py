"""Ingestion: turn the inputs analysts have into clean `Document`s.

    from armstrace.ingest import read_inputs
    for doc in read_inputs(["articles/", "feed.xml", "crawl.warc.gz"]):
        print(doc.id, doc.title)

One reader per format (text/Markdown, HTML, JSON Lines/JSON, WARC, RSS/Atom); the format
comes from the file name, or from the content for stdin (``-``) and unknown names.
Directories are read recursively, by file-name ending, passing over hidden files and
README/LICENSE/CHANGELOG files. A bad
input is reported as an `InputProblem` naming the file (and line) and skipped: the rest of
the batch goes on. What a reader changed or refused in an input it still read (unpaired
surrogates replaced, XML entities not expanded, a page too deeply nested for the HTML parser
read without its markup) is reported as an `InputNotice`. An archive cut short keeps the
records before the cut, and says where it was cut. What one input may cost (its size on
disk, what a .gz expands to, one line or record) is bounded: `limits.py`.
"""

from __future__ import annotations

import gzip
import io
import itertools
import logging
import os
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from .boilerplate import clean_text, load_rules
from .document import Document, RemovedSpan
from .errors import InputNotice, InputProblem
from .jsonl import FieldMap, bounded_lines, read_json, read_jsonl
from .limits import (CHUNK, MAX_DECOMPRESSED, MAX_GZIP_RATIO, MAX_INPUT_BYTES, MAX_RECORD, MAX_WHOLE, expands_message,
                     stream_limit, too_large_whole)
from .text import BOMS, decode, read_text


# The HTML, feed and WARC readers load trafilatura, feedparser and warcio: imported when a
# document of theirs comes, not at every start (JSON Lines and text need none of them).
def read_html(*args, **kwargs):
    from .html import read_html

    return read_html(*args, **kwargs)


def read_feed(*args, **kwargs):
    from .feed import read_feed

    return read_feed(*args, **kwargs)


def read_warc(*args, **kwargs):
    from .warc import read_warc

    return read_warc(*args, **kwargs)

__all__ = [
    "Document", "RemovedSpan", "InputProblem", "InputNotice", "FieldMap", "Reader", "read_inputs",
    "clean_text", "load_rules", "FORMATS", "MAX_INPUT_BYTES", "MAX_WHOLE", "MAX_DECOMPRESSED", "MAX_GZIP_RATIO",
    "MAX_RECORD",
]

log = logging.getLogger("armstrace.ingest")

# file-name ending -> format
FORMATS = {
    ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".warc": "warc", ".arc": "warc",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
}
GZIP_MAGIC = b"\x1f\x8b"
# What the reader says of an input it failed on in a way no check foresaw (a bug to fix: the
# fuzzer, scripts/fuzz.py, counts it as a crash).
READER_ERROR = "could not be read: an unexpected error in the reader"
# Files a folder of articles may carry that are not articles (read when named explicitly).
NOT_ARTICLES = ("readme", "license", "licence", "changelog", "copying")


def article_files(root: str) -> Iterator[str]:
    """The files of a directory that are read as articles, in order: known endings, not
    hidden, not a README/LICENSE; sub-directories (not hidden) too."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(files):
            if not (file.startswith(".") or format_of(file) is None or file.lower().startswith(NOT_ARTICLES)):
                yield os.path.join(folder, file)


def format_of(name: str) -> str | None:
    """The format a file name says, or None ('.gz' is looked through)."""
    lower = name.lower()
    if lower.endswith((".warc.gz", ".arc.gz")):
        return "warc"
    if lower.endswith(".gz"):
        lower = lower[:-3]
    return FORMATS.get(os.path.splitext(lower)[1])


def sniff(head: bytes) -> str:
    """Guess the format from the first bytes of the content."""
    for bom, encoding in BOMS[:2] + BOMS[3:]:  # UTF-16 and UTF-32: look at it as UTF-8
        if head.startswith(bom):
            head = head.decode(encoding, "ignore").encode("utf-8")
            break
    if head.startswith(b"WARC/"):
        return "warc"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = stripped[:4096].lower()
    if stripped.startswith(b"<"):
        if b"<rss" in lower or b"<feed" in lower or b"<rdf:rdf" in lower:
            return "feed"
        return "html"
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        first = stripped.split(b"\n", 1)[0].strip()
        return "jsonl" if first.endswith(b"}") else "json"
    return "text"


def gunzip_head(data: bytes, size: int) -> bytes:
    """The first (at most) `size` bytes gzip `data` decompresses to (only the start is
    decompressed; a cut or corrupt stream gives what came before, and is left for the reader
    to report)."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:65536], size)
    except zlib.error:
        return b""


def gzip_starts_with(data: bytes, prefix: bytes) -> bool:
    """Whether gzip `data` decompresses to something starting with `prefix`."""
    return gunzip_head(data, len(prefix)) == prefix


def gunzip_size(stream: BinaryIO, path: str, limit: int, compressed: int | None = None) -> int:
    """What the gzip data in `stream` decompresses to, in bytes, decompressed a chunk at a time
    and kept nowhere: memory stays flat whatever it expands to. Raises `InputProblem` (naming
    `path`) for data cut short or corrupt, and for more than `limit` bytes."""
    size = 0
    try:
        with gzip.GzipFile(fileobj=stream) as unzipped:
            while chunk := unzipped.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise InputProblem(path, expands_message(limit, compressed))
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise InputProblem(path, f"truncated or corrupt gzip data ({err})") from None
    return size


def gunzip(data: bytes, path: str, limit: int | None = None) -> bytes:
    """What gzip `data` decompresses to, when it is whole and at most `limit` bytes
    (`MAX_DECOMPRESSED`; measured first, keeping nothing); else `InputProblem`."""
    gunzip_size(io.BytesIO(data), path, MAX_DECOMPRESSED if limit is None else limit)
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
        return unzipped.read()


def text_lines(stream: BinaryIO) -> io.TextIOWrapper:
    """The text of a binary stream, to be read a line at a time: UTF-8 (as JSON Lines is), or
    the encoding a byte-order mark says (the mark dropped); bad bytes replaced."""
    buffered = stream if hasattr(stream, "peek") else io.BufferedReader(stream)
    head = buffered.peek(4)[:4]
    encoding = next((encoding for bom, encoding in BOMS if head.startswith(bom)), "utf-8")
    # lines end at "\n" only, as in a JSON Lines file (and as `armstrace batch` counts them): a
    # lone "\r" is white space inside a record, which universal newlines would cut in two
    return io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline="\n")


class Reader:
    """Reads inputs into documents; problems and notices go to `on_problem`, and to
    `self.problems` (something skipped) or `self.notices` (read, with a remark)."""

    # An error no check foresaw is reported as a problem with the input (`READER_ERROR`), and
    # the batch goes on; the fuzzer (scripts/fuzz.py) turns this off to see the traceback.
    catch_all = True

    def __init__(self, fieldmap: FieldMap | None = None,
                 on_problem: Callable[[InputProblem], None] | None = None):
        self.fieldmap = fieldmap or FieldMap()
        self.problems: list[InputProblem] = []
        self.notices: list[InputNotice] = []
        self._on_problem = on_problem or (lambda problem: log.warning("%s", problem))

    def problem(self, problem: InputProblem) -> None:
        (self.problems if problem.skipped else self.notices).append(problem)
        self._on_problem(problem)

    def read(self, inputs: Iterable[str | os.PathLike]) -> Iterator[Document]:
        yield from self._noticed(self._read(inputs))

    def read_bytes(self, data: bytes, name: str, fmt: str | None = None) -> Iterator[Document]:
        """Documents of content held in memory (an upload), read as format `fmt` (else sniffed);
        `name` stands for the file: a one-document format's id, the prefix of records' ids."""
        yield from self._noticed(self._guarded(lambda n: self._read_bytes(data, n, fmt), name))

    def read_jsonl_lines(self, path: str, start: int, stop: int | None) -> Iterator[Document]:
        """The records on lines `start` + 1 to `stop` of a JSON Lines file (a partition of
        `armstrace batch`), numbered (and so named, when they carry no id) as when the whole
        file is read."""
        def reader(name: str) -> Iterator[Document]:
            with open(name, "rb") as stream:
                lines = bounded_lines(text_lines(stream))
                yield from read_jsonl(itertools.islice(lines, start, stop), name, self.fieldmap, self.problem,
                                      first_line=start + 1)

        yield from self._noticed(self._guarded(reader, path))

    def read_warc_records(self, path: str, offset: int, first_record: int,
                          max_records: int | None) -> Iterator[Document]:
        """Records `first_record` to `first_record + max_records - 1` of a WARC file, the first
        at byte `offset` (a partition of `armstrace batch`; `warc.record_offsets` finds them);
        with no `max_records`, to the end of the file and its checks for a cut."""
        def reader(name: str) -> Iterator[Document]:
            with open(name, "rb") as stream:
                stream.seek(offset)
                yield from read_warc(stream, name, self.problem, first_record, max_records)

        yield from self._noticed(self._guarded(reader, path))

    def _noticed(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            for notice in doc.notices:
                self.problem(InputNotice(doc.source_path or doc.id, f"document {doc.id}: {notice}"))
            yield doc

    def _read(self, inputs: Iterable[str | os.PathLike]) -> Iterator[Document]:
        for item in inputs:
            name = os.fspath(item)
            if name == "-":
                yield from self._guarded(self._read_stdin, name)
            elif os.path.isdir(name):
                yield from self._read_directory(name)
            else:
                yield from self._guarded(self._read_file, name)

    def _guarded(self, reader: Callable[[str], Iterator[Document]], name: str) -> Iterator[Document]:
        try:
            yield from reader(name)
        except InputProblem as problem:
            self.problem(problem)
        except FileNotFoundError:
            self.problem(InputProblem(name, "no such file or directory"))
        except PermissionError:
            self.problem(InputProblem(name, "cannot read: permission denied"))
        except IsADirectoryError:
            self.problem(InputProblem(name, "is a directory"))
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as err:
            self.problem(InputProblem(name, f"cannot read: {err}"))
        except RecursionError:  # a parser (a library's) recursing on deeply nested input
            self.problem(InputProblem(name, "nested too deeply to read"))
        except Exception as err:  # noqa: BLE001 - the last resort: one input must never stop a batch
            if not self.catch_all:
                raise
            self.problem(InputProblem(name, f"{READER_ERROR} ({type(err).__name__}: {err}); the rest of it is "
                                            "skipped (please report this input)"))

    def _read_directory(self, root: str) -> Iterator[Document]:
        found = False
        for path in article_files(root):
            found = True
            yield from self._guarded(self._read_file, path)
        if not found:
            self.problem(InputProblem(root, f"no readable files in the directory (known endings: {', '.join(sorted(FORMATS))}, and .gz of them)"))

    def _read_stdin(self, name: str) -> Iterator[Document]:
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            raise InputProblem("<stdin>", f"too large (over {MAX_INPUT_BYTES:,} bytes; split it, or give it as "
                                          "files)")
        yield from self._read_bytes(data, "<stdin>", None)

    def _read_file(self, path: str) -> Iterator[Document]:
        size = os.path.getsize(path)
        if size == 0:
            raise InputProblem(path, "empty file")
        if size > MAX_INPUT_BYTES:
            raise InputProblem(path, f"too large ({size:,} bytes; split it, the limit is {MAX_INPUT_BYTES:,})")
        fmt = format_of(path)
        with open(path, "rb") as stream:
            if fmt is None:  # no ending that says (a .gz): the content does; JSON Lines and WARC are streamed
                head = stream.read(65536)
                stream.seek(0)
                sniffed = sniff(gunzip_head(head, 8192) if head[:2] == GZIP_MAGIC else head[:8192])
                fmt = sniffed if sniffed in ("jsonl", "warc") else None
            if fmt == "warc":
                yield from read_warc(stream, path, self.problem)
                return
            if fmt == "jsonl":
                yield from self._read_jsonl_stream(stream, path, size)
                return
            if size > MAX_WHOLE and stream.read(2) != GZIP_MAGIC:
                raise InputProblem(path, too_large_whole(size, MAX_WHOLE))
            stream.seek(0)
            data = stream.read()
        yield from self._read_bytes(data, path, fmt)

    def _read_jsonl_stream(self, stream: BinaryIO, path: str, size: int) -> Iterator[Document]:
        """JSON Lines a line at a time from `stream` (`size` bytes), gzipped or not. A .gz is
        first decompressed to its end keeping nothing: one cut or corrupt, or expanding beyond
        `limits.stream_limit`, is refused whole before any record is read."""
        if stream.read(2) == GZIP_MAGIC:
            stream.seek(0)
            gunzip_size(stream, path, stream_limit(size), size)
            stream.seek(0)
            stream = gzip.GzipFile(fileobj=stream)
        else:
            stream.seek(0)
        written = False

        def noting(lines: Iterable[str]) -> Iterator[str]:
            nonlocal written
            for line in lines:
                written = written or bool(line.strip())
                yield line

        yield from read_jsonl(noting(bounded_lines(text_lines(stream))), path, self.fieldmap, self.problem)
        if not written:
            raise InputProblem(path, "empty: nothing but whitespace")

    def _read_bytes(self, data: bytes, path: str, fmt: str | None) -> Iterator[Document]:
        if data[:2] == GZIP_MAGIC:
            if gzip_starts_with(data, b"WARC/"):
                # record by record: a cut archive keeps the records before the cut
                yield from read_warc(io.BytesIO(data), path, self.problem)
                return
            if (fmt or sniff(gunzip_head(data, 8192))) == "jsonl":
                yield from self._read_jsonl_stream(io.BytesIO(data), path, len(data))
                return
            data = gunzip(data, path)
        if not data.strip():
            raise InputProblem(path, "empty: nothing but whitespace")
        fmt = fmt or sniff(data[:8192])
        if fmt == "jsonl":  # as a file is read: a line at a time, UTF-8
            yield from self._read_jsonl_stream(io.BytesIO(data), path, len(data))
            return
        if len(data) > MAX_WHOLE and fmt != "warc":
            raise InputProblem(path, too_large_whole(len(data), MAX_WHOLE))
        if fmt == "warc":
            yield from read_warc(io.BytesIO(data), path, self.problem)
        elif fmt == "feed":
            yield from read_feed(data, path, self.problem)
        elif fmt == "html":
            yield read_html(data, path, on_problem=self.problem)
        elif fmt == "json":
            yield from read_json(decode(data, path), path, self.fieldmap, self.problem)
        else:
            yield read_text(data, path, markdown=fmt == "markdown")


def read_inputs(inputs: Iterable[str | os.PathLike] | str | os.PathLike,
                fieldmap: FieldMap | None = None,
                on_problem: Callable[[InputProblem], None] | None = None) -> Iterator[Document]:
    """Documents from files, directories, or ``-`` (stdin); problems are logged and skipped."""
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    return Reader(fieldmap, on_problem).read(inputs)
