"""The one shape every reader produces: a clean `Document` with its metadata."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from .limits import ID_HASH, MAX_ID, MAX_NAME, fit_id, fit_text

SURROGATE = re.compile("[\ud800-\udfff]")
INVALID = re.compile("[\ud800-\udfff\x00]")


def valid_unicode(value: str) -> tuple[str, int]:
    """`value` with each unpaired surrogate (from a JSON escape like \\ud800, or a bad
    decoder) and each NUL (a JSON \\u0000: PostgreSQL refuses it in text) replaced by
    U+FFFD, and how many there were. One character for one, so every offset into the text
    stays right. Such text cannot be encoded, hashed, parsed or stored."""
    if "\x00" not in value:
        try:
            value.encode("utf-8")
            return value, 0
        except UnicodeEncodeError:
            pass
    return INVALID.subn("\ufffd", value)


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
    # what the reader changed or refused in this document; reported, not stored
    notices: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Every text field valid Unicode, once, whichever reader (or caller) made it."""
        replaced = nuls = 0  # in what is read: the headline and text (`raw` and `removed` repeat them)
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                nul = value.count("\x00")
                value, n = valid_unicode(value)
                if n:
                    if f.name in ("text", "title"):
                        replaced += n - nul
                        nuls += nul
                    setattr(self, f.name, value)
        removed = []
        for span in self.removed:
            text, n = valid_unicode(span.text)
            removed.append(replace(span, text=text) if n else span)
        self.removed = removed
        if replaced:
            self.notices.append(f"{replaced} unpaired surrogate code point{'s' if replaced > 1 else ''} "
                                "(invalid Unicode) replaced with U+FFFD")
        if nuls:
            self.notices.append(f"{nuls} NUL character{'s' if nuls > 1 else ''} replaced with U+FFFD")
        self._fit_metadata()

    def _fit_metadata(self) -> None:
        """The id and the names within the register's bounds, with a note of what was cut."""
        if isinstance(self.id, str) and len(self.id) > MAX_ID:
            self.notices.append(f"an id of {len(self.id):,} characters, over the limit of {MAX_ID:,}: kept as its "
                                f"first {MAX_ID - ID_HASH - 1:,} characters and a hash of the whole (unique, the same on a rerun)")
            self.id = fit_id(self.id)
        for name in ("publisher", "syndicated_from"):
            value = getattr(self, name)
            if isinstance(value, str) and len(value) > MAX_NAME:
                self.notices.append(f"{name} of {len(value):,} characters cut to {MAX_NAME}")
                setattr(self, name, fit_text(value, MAX_NAME))

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
        data.pop("notices")
        data["content_hash"] = self.content_hash
        return data
