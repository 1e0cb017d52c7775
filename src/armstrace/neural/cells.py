"""The encoder's output space, and gold claims placed on it.

For each window, every ordered pair of its parties (or one party and NONE, the party the text
leaves unnamed) and every category is a cell; a cell's class is NO_CLAIM or the status of the
claim it holds. `gold_cells` places a document's labelled claims on its windows: a claim goes
to the window whose sentence holds its evidence (the first one that does and offers both its
parties); the same (supplier, recipient, category) in the document's other windows is
neither right nor wrong there (a claim is labelled once per document, at its first mention),
so those cells are left out of the loss.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .windows import Window

NONE = ""  # a party the text leaves unnamed
CATEGORIES = ("aircraft", "drone", "missile", "air_defense", "armored_vehicle", "artillery", "ammunition",
              "small_arms", "naval", "electronics", "technology", "unspecified")
STATUSES = ("delivered", "ongoing", "agreed", "planned", "considered", "sought", "offered", "denied", "halted")
CLASSES = ("no_claim",) + STATUSES  # class 0: no claim in the cell
NO_CLAIM = 0


def pairs(codes: list[str]) -> list[tuple[str, str]]:
    """The ordered (supplier, recipient) pairs of a window's parties, NONE included."""
    parties = list(codes) + [NONE]
    return [(s, r) for s in parties for r in parties if s != r]


@dataclass
class WindowCells:
    right: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (s, r, category) -> status
    ignored: set[tuple[str, str, str]] = field(default_factory=set)


@dataclass
class Coverage:
    claims: int = 0  # gold (supplier, recipient, category) triples with evidence
    held: int = 0  # of them, placed on a window that offers both parties
    no_window: int = 0  # the evidence sentence is no window
    no_party: int = 0  # a window, but a party is not among its parties

    def share(self) -> float:
        return self.held / self.claims if self.claims else 1.0


def evidence_offset(claim: dict, title: str | None, text: str) -> tuple[int, int] | None:
    """A label's evidence as offsets into `Document.full_text` (headline, blank line, text)."""
    ev = claim.get("evidence") or {}
    if not isinstance(ev.get("start"), int) or not isinstance(ev.get("end"), int):
        return None
    if ev.get("field") == "title":
        return ev["start"], ev["end"]
    shift = len(title) + 2 if title and not text.startswith(title) else 0
    return ev["start"] + shift, ev["end"] + shift


def gold_cells(windows: list[Window], claims: list[dict], title: str | None, text: str,
               coverage: Coverage | None = None) -> list[WindowCells]:
    out = [WindowCells() for _ in windows]
    triples = set()
    for claim in claims:
        s, r = claim.get("supplier") or NONE, claim.get("recipient") or NONE
        triple = (s, r, claim.get("category"))
        if triple[2] not in CATEGORIES or claim.get("status") not in STATUSES:
            continue
        first = triple not in triples
        triples.add(triple)
        span = evidence_offset(claim, title, text)
        where = [k for k, w in enumerate(windows) if span and w.start < span[1] and span[0] < w.end]
        placed = next((k for k in where if all(p == NONE or p in windows[k].parties for p in (s, r))), None)
        if coverage is not None and first and span is not None:
            coverage.claims += 1
            if placed is not None:
                coverage.held += 1
            elif where:
                coverage.no_party += 1
            else:
                coverage.no_window += 1
        if placed is not None:
            out[placed].right.setdefault(triple, claim["status"])
    for cells in out:
        cells.ignored = {t for t in triples if t not in cells.right}
    return out
