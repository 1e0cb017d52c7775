"""Which way arms usually flow between two states, from thirty years of SIPRI deals.

A sentence can name the two parties of a deal without saying who sells: "Greece signed a
contract with France for frigates". When the item does not say either (its maker's state is
not in the catalogue), the record does: SIPRI lists dozens of deals from France to Greece
and none the other way. `likely_supplier` gives the party the record favours, only when it
favours one clearly; the extractor uses it for such symmetric deal sentences and nothing
else. The data, `armstrace/data/pair_flows.csv`, is rebuilt by `scripts/build_pair_flows.py`.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

MIN_DEALS = 3  # at least this many deals the favoured way
RATIO = 4  # and this many times as many as the other way


@lru_cache(maxsize=1)
def pair_flows() -> dict[tuple[str, str], int]:
    """SIPRI deals (1995-2024) per (supplier, recipient) code pair."""
    text = resources.files("armstrace.data").joinpath("pair_flows.csv").read_text("utf-8")
    return {(row["supplier"], row["recipient"]): int(row["deals"]) for row in csv.DictReader(io.StringIO(text))}


def likely_supplier(a: str, b: str) -> str | None:
    """`a` or `b`, whichever the SIPRI record shows supplying the other clearly more often
    (at least `MIN_DEALS` deals, `RATIO` times the other way's); None when it does not say."""
    flows = pair_flows()
    ab, ba = flows.get((a, b), 0), flows.get((b, a), 0)
    if ab >= MIN_DEALS and ab >= RATIO * ba:
        return a
    if ba >= MIN_DEALS and ba >= RATIO * ab:
        return b
    return None
