"""Values fitted to the register's bounded columns, the same way on every database: SQLite
takes a value longer than its column's length, PostgreSQL refuses it (and with it the
transaction). Keys are cut with a hash of the whole, so that they stay unique; text is cut
with an ellipsis (a designation or quantity that long is a misreading; the evidence sentence
keeps the words)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String

from ..ingest.limits import fit_id, fit_text

KEYS = {"doc_key", "item_key", "key", "claim_key", "content_hash"}  # must stay unique when cut


def length(model, field: str) -> int | None:
    """The length of `model`'s column `field`, or None when it has none."""
    column = model.__table__.columns.get(field)
    if column is None or not isinstance(column.type, String):
        return None
    return column.type.length


def fit(model, field: str, value: Any) -> Any:
    """`value` fitted to `model.field`'s length (other values as they are)."""
    limit = length(model, field)
    if limit is None or not isinstance(value, str) or len(value) <= limit:
        return value
    return fit_id(value, limit) if field in KEYS else fit_text(value, limit)


def fitted(model, values: dict[str, Any]) -> dict[str, Any]:
    """Each of `values` fitted to its column of `model`."""
    return {field: fit(model, field, value) for field, value in values.items()}
