"""Publication dates in whatever form readers meet them, as ISO dates (YYYY-MM-DD)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from dateutil import parser as dateutil_parser


def normalise_date(value: Any) -> str | None:
    """ISO date of `value` (str, date, datetime, struct_time, epoch seconds), None if unknown."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, time.struct_time):
        try:  # feedparser makes year -1 of "0000-00-00T00:00:00Z", a placeholder feeds use
            return dt.date(value.tm_year, value.tm_mon, value.tm_mday).isoformat()
        except ValueError:
            return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value, dt.timezone.utc).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        pass
    try:
        return dateutil_parser.parse(text, fuzzy=False).date().isoformat()
    except (ValueError, OverflowError, TypeError):
        return None
