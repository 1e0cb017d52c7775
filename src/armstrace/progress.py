"""A progress bar for long work (`extract`, `ingest`, `batch`, `load`), on stderr.

Shown only when stderr is a terminal and the command was not given `--quiet`: piped or
logged output stays clean. It counts documents and claims, and shows documents/s; when the
number of documents is known beforehand (`count_documents`) it also shows a bar and the time
left.

    with Progress("extracting", total=count_documents(paths)) as progress:
        for doc, claims in ...:
            progress.advance(claims=len(claims))
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from typing import IO

from .ingest import article_files, format_of

ONE_DOCUMENT = {"text", "markdown", "html"}  # formats with one document a file


def count_documents(inputs: Iterable[str | os.PathLike]) -> int | None:
    """How many documents `inputs` hold, when that is cheap to know: JSON Lines files
    (non-blank lines) and one-document files (text, HTML), also inside folders. None when
    any input is of another kind (WARC, feeds, JSON arrays, gzip, stdin)."""
    total = 0
    for item in inputs:
        path = os.fspath(item)
        if path == "-":
            return None
        if os.path.isdir(path):
            files = list(article_files(path))
        elif os.path.isfile(path):
            files = [path]
        else:
            continue  # the reader reports it
        for file in files:
            n = _count_file(file)
            if n is None:
                return None
            total += n
    return total


def _count_file(path: str) -> int | None:
    if path.lower().endswith(".gz"):
        return None
    fmt = format_of(path)
    if fmt in ONE_DOCUMENT:
        return 1
    if fmt == "jsonl":
        n = 0
        try:
            with open(path, "rb") as handle:
                for line in handle:
                    n += bool(line.strip())
        except OSError:
            return None
        return n
    return None


class Progress:
    """Documents done, claims found, documents/s and (with `total`) a bar and the time left."""

    def __init__(self, description: str = "documents", total: int | None = None, *, quiet: bool = False,
                 stream: IO[str] | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = not quiet and _is_terminal(self.stream)
        self.total = total or None
        self.description = description
        self.documents = 0
        self.claims = 0
        self.started = time.monotonic()
        self._bar = None
        self._task = None

    def __enter__(self) -> "Progress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            columns = [TextColumn("{task.description}")]
            if self.total:
                columns += [BarColumn(), MofNCompleteColumn(), TextColumn("docs"), TimeRemainingColumn()]
            else:
                columns += [TextColumn("{task.completed} docs")]
            columns += [TextColumn("{task.fields[rate]:.1f} docs/s"), TextColumn("{task.fields[claims]} claims"),
                        TimeElapsedColumn()]
            self._bar = Bar(*columns, console=Console(file=self.stream), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total, rate=0.0, claims=0)
        return self

    def advance(self, documents: int = 1, claims: int = 0) -> None:
        self.documents += documents
        self.claims += claims
        if self._bar is not None:
            self._bar.update(self._task, advance=documents, rate=self.rate, claims=self.claims)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.documents / elapsed if elapsed > 0 else 0.0

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


__all__ = ["Progress", "count_documents"]
