"""CSV that a spreadsheet opens as data, never as formulas (OWASP's "CSV injection").

A cell that begins with `=`, `+`, `-` or `@` (after any spaces), or with a tab, a carriage
return or a line feed, is a formula to Excel, LibreOffice and Google Sheets: text from an
article or a reviewer's correction such as `=HYPERLINK("http://...")` would run when an
analyst opens the file. Such a cell is written with a single quote `'` before it, which the
spreadsheet shows as text. A plain number (`-5`, `-0.3`, `+7`, `1e-3`) is left as it is, so
it stays a number. The full-width forms of the four signs (`＝`, `＋`, `－`, `＠`), which some
spreadsheets read as the signs, count as them.

Every CSV armstrace writes goes through `DictWriter` here; JSONL, JSON, Parquet, GraphML
and GEXF keep the exact values.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_START = tuple("=+-@\t\r\n") + tuple("\uff1d\uff0b\uff0d\uff20")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """The value as a spreadsheet-safe cell: a text a spreadsheet would read as a formula
    gets a leading `'`; numbers and every other value are returned unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(("\t", "\r", "\n")):
        return "'" + value
    stripped = value.lstrip()
    if stripped.startswith(FORMULA_START) and not NUMBER.fullmatch(stripped.rstrip()):
        return "'" + value
    return value


class DictWriter(csv.DictWriter):
    """`csv.DictWriter` whose every cell goes through `neutralise`."""

    def writerow(self, rowdict: Mapping[str, Any]):
        return super().writerow({key: neutralise(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)
