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
records before the cut, and says where it was cut.
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

from .boilerplate import clean_text, load_rules
from .document import Document, RemovedSpan
from .errors import InputNotice, InputProblem
from .feed import read_feed
from .html import read_html
from .jsonl import FieldMap, read_json, read_jsonl
from .text import decode, read_text
from .warc import read_warc

__all__ = [
    "Document", "RemovedSpan", "InputProblem", "InputNotice", "FieldMap", "Reader", "read_inputs",
    "clean_text", "load_rules", "FORMATS",
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
MAX_INPUT_BYTES = 2 * 1024**3
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


def gzip_starts_with(data: bytes, prefix: bytes) -> bool:
    """Whether gzip `data` decompresses to something starting with `prefix` (only the start
    is decompressed; a cut or corrupt stream is left for the reader to report)."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:65536], len(prefix)) == prefix
    except zlib.error:
        return False


class Reader:
    """Reads inputs into documents; problems and notices go to `on_problem`, and to
    `self.problems` (something skipped) or `self.notices` (read, with a remark)."""

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
                head = stream.read(4)
                stream.seek(0)
                encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
                text_stream = io.TextIOWrapper(stream, encoding=encoding, errors="replace")
                yield from read_jsonl(itertools.islice(text_stream, start, stop), name, self.fieldmap, self.problem,
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

    def _read_directory(self, root: str) -> Iterator[Document]:
        found = False
        for path in article_files(root):
            found = True
            yield from self._guarded(self._read_file, path)
        if not found:
            self.problem(InputProblem(root, f"no readable files in the directory (known endings: {', '.join(sorted(FORMATS))}, and .gz of them)"))

    def _read_stdin(self, name: str) -> Iterator[Document]:
        data = sys.stdin.buffer.read()
        yield from self._read_bytes(data, "<stdin>", None)

    def _read_file(self, path: str) -> Iterator[Document]:
        size = os.path.getsize(path)
        if size == 0:
            raise InputProblem(path, "empty file")
        if size > MAX_INPUT_BYTES:
            raise InputProblem(path, f"too large ({size} bytes; split it, the limit is {MAX_INPUT_BYTES})")
        fmt = format_of(path)
        if fmt == "warc":
            with open(path, "rb") as stream:
                yield from read_warc(stream, path, self.problem)
            return
        if fmt == "jsonl" and not path.lower().endswith(".gz"):
            with open(path, "rb") as stream:
                head = stream.read(4)
                stream.seek(0)
                text_stream = io.TextIOWrapper(stream, encoding="utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8", errors="replace")
                yield from read_jsonl(text_stream, path, self.fieldmap, self.problem)
            return
        with open(path, "rb") as stream:
            data = stream.read()
        yield from self._read_bytes(data, path, fmt)

    def _read_bytes(self, data: bytes, path: str, fmt: str | None) -> Iterator[Document]:
        if data[:2] == b"\x1f\x8b":
            if gzip_starts_with(data, b"WARC/"):
                # record by record: a cut archive keeps the records before the cut
                yield from read_warc(io.BytesIO(data), path, self.problem)
                return
            try:
                data = gzip.decompress(data)
            except (EOFError, zlib.error, gzip.BadGzipFile) as err:
                raise InputProblem(path, f"truncated or corrupt gzip data ({err})") from None
        if not data.strip():
            raise InputProblem(path, "empty: nothing but whitespace")
        fmt = fmt or sniff(data[:8192])
        if fmt == "warc":
            yield from read_warc(io.BytesIO(data), path, self.problem)
        elif fmt == "feed":
            yield from read_feed(data, path, self.problem)
        elif fmt == "html":
            yield read_html(data, path, on_problem=self.problem)
        elif fmt == "jsonl":
            yield from read_jsonl(io.StringIO(decode(data, path)), path, self.fieldmap, self.problem)
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
