"""Exports of the register: CSV (SIPRI Trade Register column order), JSONL, Parquet,
GraphML and GEXF (for Gephi: states and groups as nodes, facts as directed edges).

Exports hold the reviewed register: claims an analyst rejected are left out of their facts,
corrected ones count in the fact they were moved to. `sources` is the number of independent
reports; `cited` the sources those reports name (shown, not counted). A CSV cell a spreadsheet
would run as a formula is written with a leading `'` (`csv_safe`); the other formats keep the
exact values."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TextIO

from . import csv_safe
from .store import ClaimFilter, FactRecord, Store

FORMATS = ("csv", "jsonl", "parquet", "graphml", "gexf")

# SIPRI's Trade Register columns where our concepts match, then ours.
CSV_COLUMNS = (
    "Supplier", "Recipient", "Designation", "Description", "Armament category", "Order date",
    "Numbers delivered", "Delivery year", "Status",
    "supplier_code", "recipient_code", "category", "statuses", "first_reported", "last_reported",
    "sources", "publishers", "attributed_sources", "cited", "claims", "reviewed", "confidence", "evidence_url",
    "evidence", "fact_id",
)
SIPRI_STATUS = {"delivered": "Delivered", "ongoing": "Delivered", "agreed": "Ordered", "halted": "Cancelled"}
SIPRI_CATEGORY = {
    "aircraft": "Aircraft", "drone": "Aircraft", "missile": "Missiles", "air_defense": "Air defence systems",
    "armored_vehicle": "Armoured vehicles", "artillery": "Artillery", "naval": "Ships", "electronics": "Sensors",
}


@lru_cache(maxsize=1)
def actor_names() -> dict[str, str]:
    from .nlp.gazetteer import load_gazetteer

    return {code: actor.name for code, actor in load_gazetteer().actors.items()}


def actor_name(code: str | None) -> str:
    if not code:
        return "unknown"
    return actor_names().get(code, code)


def _year(date: str | None) -> str:
    return date[:4] if date else ""


def _best_evidence(fact: FactRecord) -> dict:
    independent = [e for e in fact.evidence if not e["duplicate"]] or fact.evidence
    return independent[-1] if independent else {}


def csv_row(fact: FactRecord) -> dict:
    timeline = fact.timeline
    evidence = _best_evidence(fact)
    agreed = timeline.get("agreed") or {}
    delivered = timeline.get("delivered") or timeline.get("ongoing") or {}
    return {
        "Supplier": actor_name(fact.supplier), "Recipient": actor_name(fact.recipient),
        "Designation": fact.designation or "", "Description": fact.category.replace("_", " "),
        "Armament category": SIPRI_CATEGORY.get(fact.category, ""),
        "Order date": _year(agreed.get("first")), "Numbers delivered": "",
        "Delivery year": _year(delivered.get("first")), "Status": SIPRI_STATUS.get(fact.status or "", "Reported"),
        "supplier_code": fact.supplier or "", "recipient_code": fact.recipient or "", "category": fact.category,
        "statuses": ";".join(fact.statuses), "first_reported": fact.first_date or "", "last_reported": fact.last_date or "",
        "sources": fact.n_sources, "publishers": fact.n_publishers, "attributed_sources": fact.n_attributed,
        "cited": "; ".join(fact.cited), "claims": fact.n_claims, "reviewed": fact.n_reviewed,
        "confidence": fact.confidence,
        "evidence_url": evidence.get("url") or evidence.get("doc") or "", "evidence": evidence.get("evidence", ""),
        "fact_id": fact.id,
    }


def write_csv(handle: TextIO, facts: Iterable[FactRecord]) -> None:
    """The facts as CSV in SIPRI's column order, formulas neutralised."""
    writer = csv_safe.DictWriter(handle, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(csv_row(f) for f in facts)


def nested_row(fact: FactRecord) -> dict:
    """A fact for Parquet, its structure kept as nested types: the timeline as a list of
    {status, first, last, claims}, the sources and cited names as lists, the evidence as a
    list of records; `evidence_text` and `evidence_url` are the best sentence, for a glance."""
    row = fact.to_dict()
    row["timeline"] = [{"status": status, "first": entry.get("first"), "last": entry.get("last"),
                        "claims": entry.get("claims")} for status, entry in fact.timeline.items()]
    row["statuses"] = list(fact.statuses)
    best = _best_evidence(fact)
    row["evidence_text"] = best.get("evidence")
    row["evidence_url"] = best.get("url") or best.get("doc")
    return row


def _parquet_table(rows: list[dict]):
    import pyarrow as pa

    text = pa.string()
    span = pa.list_(pa.int64())
    evidence = pa.struct([
        ("claim", pa.int64()), ("status", text), ("date", text), ("evidence", text), ("attribution", pa.list_(text)),
        ("doc", text), ("document_id", pa.int64()), ("url", text), ("duplicate", pa.bool_()), ("publisher", text),
        ("item", text), ("start", pa.int64()), ("end", pa.int64()),
        ("spans", pa.struct([("supplier", span), ("recipient", span), ("item", span)])),
        ("review", text), ("reviewer", text), ("review_note", text), ("supplier", text), ("recipient", text),
        ("category", text), ("designation", text)])
    schema = pa.schema([
        ("id", pa.int64()), ("supplier", text), ("recipient", text), ("category", text), ("designation", text),
        ("status", text), ("statuses", pa.list_(text)),
        ("timeline", pa.list_(pa.struct([("status", text), ("first", text), ("last", text), ("claims", pa.int64())]))),
        ("first_date", text), ("last_date", text), ("n_claims", pa.int64()), ("n_documents", pa.int64()),
        ("n_publishers", pa.int64()), ("n_attributed", pa.int64()), ("n_sources", pa.int64()),
        ("confidence", pa.float64()), ("n_reviewed", pa.int64()), ("sources", pa.list_(text)),
        ("cited", pa.list_(text)), ("evidence", pa.list_(evidence)), ("evidence_text", text), ("evidence_url", text)])
    return pa.Table.from_pylist(rows, schema=schema)


def graph(facts: list[FactRecord]):
    """A networkx MultiDiGraph: actors as nodes, one edge per fact."""
    import networkx as nx

    g = nx.MultiDiGraph(name="armstrace transfers")
    for fact in facts:
        supplier, recipient = fact.supplier or "unknown", fact.recipient or "unknown"
        for code in (supplier, recipient):
            if code not in g:
                g.add_node(code, label=actor_name(None if code == "unknown" else code), code=code)
        evidence = _best_evidence(fact)
        g.add_edge(
            supplier, recipient, key=f"fact-{fact.id}",
            label=fact.designation or fact.category, category=fact.category, designation=fact.designation or "",
            status=fact.status or "", statuses=";".join(fact.statuses), delivered=fact.status in ("delivered", "ongoing"),
            sources=fact.n_sources, publishers=fact.n_publishers, claims=fact.n_claims, reviewed=fact.n_reviewed,
            cited="; ".join(fact.cited), weight=float(max(fact.n_sources, 1)),
            confidence=float(fact.confidence), first_reported=fact.first_date or "", last_reported=fact.last_date or "",
            evidence=evidence.get("evidence", ""), evidence_url=evidence.get("url") or evidence.get("doc") or "",
            fact_id=fact.id,
        )
    return g


def export(store: Store, fmt: str, out: str | Path, filters: ClaimFilter | None = None) -> int:
    """Write the facts that match `filters` to `out` in `fmt`; returns how many."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    facts = store.facts(filters or ClaimFilter())
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        with out.open("w", encoding="utf-8", newline="") as handle:
            write_csv(handle, facts)
    elif fmt == "jsonl":
        with out.open("w", encoding="utf-8") as handle:
            for fact in facts:
                handle.write(json.dumps({**fact.to_dict(), "statuses": fact.statuses}, ensure_ascii=False) + "\n")
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(_parquet_table([nested_row(f) for f in facts]), out)
    else:
        import networkx as nx

        g = graph(facts)
        if fmt == "graphml":
            nx.write_graphml(g, out)
        else:
            nx.write_gexf(g, out)
    return len(facts)
