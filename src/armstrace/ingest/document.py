"""The one shape every reader produces: a clean `Document` with its metadata."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RemovedSpan:
    """A piece of the raw input the reader took out of `Document.text`.

    `start`/`end` are character offsets into the raw input (`Document.raw`), so nothing is
    lost: `raw[start:end] == text` always holds.
    """

    kind: str
    start: int
    end: int
    text: str


@dataclass
class Document:
    """A news document, cleaned of boilerplate, with what the reader knows about it."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) or None
    publisher: str | None = None
    syndicated_from: str | None = None
    language: str | None = None
    removed: list[RemovedSpan] = field(default_factory=list)
    source_path: str | None = None
    raw: str | None = None  # the input before boilerplate removal (plain-text readers)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """SHA-256 of the clean headline and text: equal for the same story wherever it was read."""
        return hashlib.sha256(self.full_text.encode("utf-8")).hexdigest()

    @property
    def full_text(self) -> str:
        """The headline and body as one text, the way extraction reads them."""
        if self.title and not self.text.startswith(self.title):
            return f"{self.title}\n\n{self.text}" if self.text else self.title
        return self.text

    def to_dict(self, include_raw: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not include_raw:
            data.pop("raw")
        data["content_hash"] = self.content_hash
        return data
