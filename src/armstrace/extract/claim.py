"""The `Claim` record extraction produces, one per transfer statement."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Claim:
    doc: str
    supplier: str | None
    recipient: str | None
    category: str
    status: str
    designation: str | None = None
    item: str = ""
    attribution: list[str] = field(default_factory=list)
    time: str | None = None
    quantity: str | None = None
    purpose: str | None = None
    evidence: str = ""
    start: int = 0
    end: int = 0
    confidence: float = 0.5
    rule: str = ""
    # where the supplier, recipient and item are named in the evidence: [start, end] or None
    spans: dict[str, list[int] | None] | None = None

    def key(self) -> tuple:
        return (self.supplier, self.recipient, self.category, self.status, (self.designation or "").lower())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
