"""Analyst reviews: what a person decided about a claim, and how it changes the register.

A review accepts, rejects or corrects a claim, or adds one the machine missed. Reviews are
appended to the `reviews` table (the audit log) and never changed. They are keyed by the
claim's `key`: the document's content hash, the evidence span and the extracted parties and
item. So when the same document is ingested or extracted again, its new claim rows get the
same keys and the reviews apply again; claims the analyst added are made again from their
reviews. The claim row carries the result: the reviewed values in its own columns (so that
facts, exports and the API need no second code path), the extracted values it replaced in
`machine`, and its latest review state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from typing import Any

from .facts import item_key
from .query import CATEGORIES, STATUSES, ClaimFilter, known_actors
from .schema import ClaimRow, ReviewRow

ACTIONS = {"accept": "accepted", "reject": "rejected", "correct": "corrected", "add": "added"}
STATES = ("unreviewed", "accepted", "rejected", "corrected", "added", "any")
FIELDS = ("supplier", "recipient", "category", "status", "designation", "attribution", "time")
MAX_NOTE = 5000
MAX_NAME = 200
MAX_SOURCES = 20  # names in a corrected attribution


class ReviewError(ValueError):
    """A review that cannot be written: an unknown claim, field or value."""


class RequestReused(ReviewError):
    """A request id (`Idempotency-Key`) given again with a different write."""


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def claim_key(content_hash: str, start: int | None, end: int | None, supplier: str | None,
              recipient: str | None, category: str, designation: str | None) -> str:
    """The key reviews find a claim by, however often its document is read again."""
    raw = f"{content_hash}|{start}|{end}|{supplier or ''}|{recipient or ''}|{item_key(category, designation)}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def added_key() -> str:
    """The key of a claim an analyst added (its own: the machine never made it), random: two
    claims added on one sentence in the same second (a drone claim and a missile claim) are two."""
    return uuid.uuid4().hex


def _actor(field: str, value: Any) -> str | None:
    if value is None or str(value).strip().lower() in ("", "unknown", "none", "-"):
        return None
    if not isinstance(value, str) or len(value) > MAX_NAME:
        raise ReviewError(f"{field}: give an actor's code or name (at most {MAX_NAME} characters)")
    code = ClaimFilter.actor(str(value))
    if code not in known_actors()["codes"]:
        raise ReviewError(f"{field}: {value!r} is no actor the gazetteer knows; give a code (IRN, USA, hezbollah) "
                          "or a name (Iran), or 'unknown'")
    return code


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """The fields of a correction, checked and in the register's form: actor codes, a known
    category and status, attribution as a list."""
    if "\\u0000" in json.dumps(values):  # a NUL anywhere (json writes it as \u0000)
        raise ReviewError("a field holds a NUL character")
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ReviewError(f"cannot set {', '.join(unknown)}: the fields are {', '.join(FIELDS)}")
    out: dict[str, Any] = {}
    for field, value in values.items():
        if field in ("supplier", "recipient"):
            out[field] = _actor(field, value)
        elif field == "category":
            if value not in CATEGORIES:
                raise ReviewError(f"category: {value!r} is not one of {', '.join(CATEGORIES)}")
            out[field] = value
        elif field == "status":
            if value not in STATUSES:
                raise ReviewError(f"status: {value!r} is not one of {', '.join(STATUSES)}")
            out[field] = value
        elif field == "attribution":
            if isinstance(value, str) and len(value) > MAX_NAME * MAX_SOURCES:
                raise ReviewError("attribution: too long")
            names = value if isinstance(value, list) else re.split(r"\s*;\s*", str(value or ""))
            if len(names) > MAX_SOURCES or not all(isinstance(n, str) for n in names):
                raise ReviewError(f"attribution: at most {MAX_SOURCES} names, each a string")
            names = [n.strip() for n in names if n.strip()]
            if any(len(n) > MAX_NAME for n in names):
                raise ReviewError(f"attribution: a name is longer than {MAX_NAME} characters")
            out[field] = names
        else:  # designation, time: short text or nothing
            if value is not None and not isinstance(value, (str, int)):
                raise ReviewError(f"{field}: give a text")
            text = None if value is None else str(value).strip() or None
            if text is not None and len(text) > (MAX_NAME if field == "designation" else 32):
                raise ReviewError(f"{field}: too long ({len(text)} characters)")
            if field == "time" and text is not None and not re.match(r"^\d{4}(-\d{2}){0,2}$", text):
                raise ReviewError(f"time: {text!r} is not an ISO date (2024, 2024-05 or 2024-05-31)")
            out[field] = text
    return out


def check_note(note: str | None) -> str | None:
    if note is not None and len(note) > MAX_NOTE:
        raise ReviewError(f"note: at most {MAX_NOTE} characters, not {len(note)}")
    if note is not None and "\x00" in note:
        raise ReviewError("note: holds a NUL character")
    return note or None


MAX_REQUEST_ID = 200
_REQUEST_ID = re.compile(r"[!-~]{1,%d}" % MAX_REQUEST_ID)  # visible ASCII, as an HTTP header carries it


def check_request_id(request_id: str | None) -> str | None:
    """A write's request id (`Idempotency-Key`): 1 to 200 visible ASCII characters, or None."""
    if request_id is None:
        return None
    if not isinstance(request_id, str) or not _REQUEST_ID.fullmatch(request_id):
        raise ReviewError(f"request id: 1 to {MAX_REQUEST_ID} visible ASCII characters (no spaces), "
                          f"not {request_id!r:.60}")
    return request_id


def check_replay(rows: list[ReviewRow], request_id: str, action: str, values: dict[str, Any], note: str | None,
                 claim_ids: list[int] | None = None, span: tuple[int, int, int] | None = None) -> None:
    """The reviews written with `request_id` (by the same reviewer) must be of this same
    request, made again (then the caller answers with them): a different request reusing the
    id is `RequestReused` (a client must not reuse a key for another write)."""
    same = all(r.action == action and dict(r.values or {}) == values and r.note == note for r in rows)
    if claim_ids is not None:
        same = same and sorted(r.claim_id for r in rows) == sorted(claim_ids)
    if span is not None:
        same = same and len(rows) == 1 and (rows[0].document_id, rows[0].start, rows[0].end) == span
    if not same:
        raise RequestReused(f"request id {request_id!r} was used for another write (review {rows[0].id}, "
                          f"{rows[0].action}): a retry repeats the same request, a new write takes a new id")


def values_of(claim: ClaimRow) -> dict[str, Any]:
    return {f: (list(claim.attribution or []) if f == "attribution" else getattr(claim, f)) for f in FIELDS}


def apply(claim: ClaimRow, reviews: list[ReviewRow]) -> None:
    """Set `claim`'s columns to what its reviews (in order) make of its extracted values."""
    base = dict(claim.machine) if claim.machine else values_of(claim)
    values = dict(base)
    last = None
    for review in reviews:
        if review.action in ("correct", "add"):
            values.update(review.values or {})
        last = review
    if last is None:
        return
    for field in FIELDS:
        setattr(claim, field, values[field] if field != "attribution" else list(values[field] or []))
    added = reviews[0].action == "add"
    claim.machine = base if values != base and not added else None
    if claim.spans:  # a mention is no longer the claim's party once a person changed the party
        spans = dict(claim.spans)
        for field in ("supplier", "recipient"):
            if values[field] != base[field]:
                spans[field] = None
        if (values["category"], values["designation"]) != (base["category"], base["designation"]):
            spans["item"] = None
        claim.spans = spans
    claim.review = ACTIONS[last.action]
    if added and last.action == "correct":
        claim.review = "added"  # still the analyst's own claim, now with other values
    claim.reviewer, claim.reviewed_at, claim.review_note = last.reviewer, last.created_at, last.note


def review_dict(review: ReviewRow) -> dict[str, Any]:
    return {"id": review.id, "claim_id": review.claim_id, "claim_key": review.claim_key,
            "document_id": review.document_id, "action": review.action, "values": dict(review.values or {}),
            "note": review.note, "reviewer": review.reviewer, "created_at": review.created_at,
            "start": review.start, "end": review.end, "request_id": review.request_id}
