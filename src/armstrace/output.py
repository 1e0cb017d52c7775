"""Write records as JSON Lines, JSON, CSV (formulas neutralised: `csv_safe`) or an aligned
text table."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from .csv_safe import DictWriter

FORMATS = ("jsonl", "json", "csv", "table")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return " ".join(str(value).split())


class Writer:
    """Streams records (dicts) to `out` in one of FORMATS; `close()` finishes the output."""

    def __init__(self, out: TextIO, fmt: str, columns: Sequence[str]):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        self.out, self.fmt, self.columns = out, fmt, list(columns)
        self._rows: list[dict] = []
        self._csv = None
        self._count = 0

    def write(self, record: dict) -> None:
        self._count += 1
        if self.fmt == "jsonl":
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif self.fmt == "csv":
            if self._csv is None:
                self._csv = DictWriter(self.out, fieldnames=self.columns, extrasaction="ignore")
                self._csv.writeheader()
            self._csv.writerow({c: _cell(record.get(c)) for c in self.columns})
        else:
            self._rows.append(record)

    def write_all(self, records: Iterable[dict]) -> None:
        for record in records:
            self.write(record)

    def close(self) -> None:
        if self.fmt == "json":
            json.dump(self._rows, self.out, ensure_ascii=False, indent=2)
            self.out.write("\n")
        elif self.fmt == "table":
            self.out.write(render_table(self._rows, self.columns, table_width(self.out)))
        elif self.fmt == "csv" and self._csv is None:
            DictWriter(self.out, fieldnames=self.columns).writeheader()


def below_header(columns: Sequence[str], widths: list[int], width: int, fit) -> str:
    head = "  ".join(fit(c, w).ljust(w) for c, w in zip(columns, widths)).rstrip()
    note = f"   ({columns[-1]} below)"
    return head + note if len(head) + len(note) <= width else head


def table_width(out: TextIO) -> int | None:
    """The width to fit a table in: the terminal's ($COLUMNS first), or None for a file or pipe."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    try:
        if out.isatty():
            return shutil.get_terminal_size((160, 24)).columns
    except (AttributeError, ValueError):
        pass
    return None


def render_table(rows: list[dict], columns: Sequence[str], width: int | None = None) -> str:
    """Rows as an aligned table. With a `width` (a terminal's, or $COLUMNS) it fits in it: the
    other columns are cut with '…' first, and the last (the evidence, in listings of claims)
    is wrapped onto more lines, never cut. Without one (a file, a pipe) nothing is cut."""
    if not rows:
        return "(none)\n"
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    if width is None:
        lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(), "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        return "\n".join(lines) + "\n"
    # the last column (the evidence, in listings of claims) wraps beside the others when it
    # can have 30 characters there, else it goes under each row
    beside = len(columns) > 1 and width - (sum(min(w, 8) for w in widths[:-1]) + 2 * (len(widths) - 1)) >= 30
    table_columns = len(columns) if beside or len(columns) == 1 else len(columns) - 1
    widths = widths[:table_columns]
    floor = min(30, widths[-1])

    def total() -> int:
        return sum(widths) + 2 * (len(widths) - 1)

    for least in (8, 3):  # shrink the widest column, to 8 characters, then to 3 if it must
        while total() > width:  # (the wrapped last column not below 30)
            candidates = [i for i, w in enumerate(widths) if w > (floor if beside and i == len(widths) - 1 else least)]
            if not candidates:
                break
            widest = max(candidates, key=lambda i: widths[i])
            widths[widest] -= 1

    def fit(text: str, size: int) -> str:
        return text if len(text) <= size else text[: size - 1] + "…"

    def line(row: list[str]) -> str:
        if not beside and len(columns) > 1:
            head = "  ".join(fit(c, w).ljust(w) for c, w in zip(row[:table_columns], widths)).rstrip()
            under = textwrap.wrap(row[-1], max(width - 4, 20), break_on_hyphens=False)
            return "\n".join([head] + ["    " + more for more in under])
        head = "  ".join(fit(c, w).ljust(w) for c, w in zip(row[:-1], widths[:-1]))
        wrapped = textwrap.wrap(row[-1], widths[-1], break_on_hyphens=False) or [""]
        indent = " " * (len(head) + 2) if head else ""
        out = [(head + "  " + wrapped[0]).rstrip() if head else wrapped[0]]
        return "\n".join(out + [indent + more for more in wrapped[1:]])

    header = list(columns) if beside or len(columns) == 1 else list(columns[:table_columns]) + [""]
    lines = [line(header) if beside or len(columns) == 1 else
             below_header(columns, widths, width, fit),
             "  ".join("-" * w for w in widths)]
    lines += [line(row) for row in cells]
    return "\n".join(lines) + "\n"
