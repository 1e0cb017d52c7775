"""Write records as JSON Lines, JSON, CSV or an aligned text table."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

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
                self._csv = csv.DictWriter(self.out, fieldnames=self.columns, extrasaction="ignore")
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
            self.out.write(render_table(self._rows, self.columns))
        elif self.fmt == "csv" and self._csv is None:
            csv.DictWriter(self.out, fieldnames=self.columns).writeheader()


def render_table(rows: list[dict], columns: Sequence[str], width: int | None = None) -> str:
    """Rows as an aligned table that fits the terminal; long cells are cut with '…'."""
    if not rows:
        return "(none)\n"
    width = width or shutil.get_terminal_size((160, 24)).columns
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    # shrink the widest columns until the table fits (never below 8 characters)
    while sum(widths) + 2 * (len(widths) - 1) > width and max(widths) > 8:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def fit(text: str, size: int) -> str:
        return text if len(text) <= size else text[: size - 1] + "…"

    lines = ["  ".join(fit(c, w).ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(fit(c, w).ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines) + "\n"
