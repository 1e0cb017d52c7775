"""Register benchmark: ingest throughput and query latency on a database of >= 1 million claims.

    python benchmarks/register.py --db /tmp/bench.db [--claims 1000000]
    python benchmarks/register.py --db postgresql://user:pw@127.0.0.1/bench [--claims 1000000]

1. Generates a synthetic register (documents, claims, facts, sources) of the requested
   size with bulk inserts, shaped like real news: a few hundred actors, skewed toward the
   busy pairs, claims per fact following a long tail. Reuses it when it is already there.
2. Measures real ingestion (read -> extract -> store through `armstrace.pipeline.ingest`)
   of real documents into that large database: documents/s.
3. Measures query latency (p50/p95 over repeated runs) of the filters analysts use.
Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from armstrace.store import ClaimFilter, Store
from armstrace.store.query import CATEGORIES, STATUSES
from armstrace.store.schema import ClaimRow, DocumentRow, FactRow, SourceRow

BUSY = ("USA", "RUS", "CHN", "FRA", "DEU", "GBR", "ISR", "IRN", "UKR", "TUR", "IND", "SAU", "PRK", "KOR", "POL")
SHARED = Path(__file__).resolve().parents[2] / "shared"


def actors(rng: random.Random) -> list[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    codes = set(BUSY)
    while len(codes) < 250:
        codes.add("".join(rng.choice(letters) for _ in range(3)))
    return sorted(codes)


def pick_actor(rng: random.Random, pool: list[str]) -> str:
    return rng.choice(BUSY) if rng.random() < 0.6 else rng.choice(pool)


def make_facts(rng: random.Random, pool: list[str], n_facts: int, models: int, designated: float) -> list[dict]:
    """`n_facts` distinct facts between actors of `pool` (busy ones favoured): a share
    `designated` name one of `models` model numbers, the rest a category only."""
    facts: list[dict] = []
    keys = set()
    while len(facts) < n_facts:
        supplier, recipient = pick_actor(rng, pool), pick_actor(rng, pool)
        category = rng.choice(CATEGORIES)
        designation = f"{category[:3].upper()}-{rng.randint(1, models)}" if rng.random() < designated else None
        key = (supplier, recipient, designation.lower().replace("-", "") if designation else f"category:{category}")
        if supplier == recipient or key in keys:
            continue
        keys.add(key)
        facts.append(dict(id=len(facts) + 1, supplier=supplier, recipient=recipient, item_key=key[2], category=category,
                          designation=designation, status=rng.choice(STATUSES)))
    return facts


def generate(store: Store, n_claims: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    pool = actors(rng)
    n_docs = n_claims // 5
    n_facts = n_claims // 20
    print(f"generating {n_docs:,} documents, {n_facts:,} facts, {n_claims:,} claims ...", flush=True)
    start = time.perf_counter()
    facts = [dict(fact, timeline={}, n_claims=0, n_documents=0, n_publishers=0, n_attributed=0, n_sources=0,
                  confidence=0.0) for fact in make_facts(rng, pool, n_facts, models=400, designated=0.5)]
    weights = [1.0 / (i + 1) ** 0.8 for i in range(n_facts)]
    with store.WriteSession.begin() as session:
        for chunk in range(0, n_docs, 20000):
            session.execute(insert(DocumentRow), [
                dict(id=i + 1, doc_key=f"bench-{i + 1}", url=f"https://news{i % 500}.example/{i}", title=f"Story {i}",
                     text=f"Benchmark story {i} about transfers.", published=f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                     publisher=f"Outlet {i % 500}", language="en", removed=[], content_hash=f"{i:064x}")
                for i in range(chunk, min(chunk + 20000, n_docs))
            ])
    fact_of_claim = rng.choices(range(n_facts), weights=weights, k=n_claims)
    counts = [0] * n_facts
    for index in fact_of_claim:
        counts[index] += 1
    for fact, count in zip(facts, counts):
        fact.update(n_claims=count, n_documents=count, n_publishers=min(count, 500), n_sources=min(count, 500) + 1,
                    first_date="2000-01-01", last_date="2024-12-28", confidence=min(0.99, 0.5 + 0.05 * count),
                    timeline={fact["status"]: {"first": "2000-01-01", "last": "2024-12-28", "claims": count}})
    with store.WriteSession.begin() as session:
        for chunk in range(0, n_facts, 20000):
            session.execute(insert(FactRow), facts[chunk:chunk + 20000])
        session.execute(insert(SourceRow), [dict(fact_id=f["id"], kind="attributed", name="officials") for f in facts])
    with store.WriteSession.begin() as session:
        for chunk in range(0, n_claims, 20000):
            rows = []
            for j in range(chunk, min(chunk + 20000, n_claims)):
                fact = facts[fact_of_claim[j]]
                doc = j // 5 + 1
                rows.append(dict(
                    id=j + 1, document_id=doc, fact_id=fact["id"], supplier=fact["supplier"], recipient=fact["recipient"],
                    category=fact["category"], status=rng.choice(STATUSES), designation=fact["designation"],
                    item=fact["designation"] or fact["category"], attribution=["officials"] if j % 3 else [],
                    evidence=f"{fact['supplier']} supplied {fact['designation'] or fact['category']} to {fact['recipient']} (claim {j}).",
                    start=0, end=60, confidence=0.7, rule="bench", date=f"{2000 + doc % 25}-{1 + doc % 12:02d}-{1 + doc % 28:02d}",
                ))
            session.execute(insert(ClaimRow), rows)
    finish_bulk_load(store)
    print(f"generated in {time.perf_counter() - start:.0f} s", flush=True)


def finish_bulk_load(store: Store) -> None:
    """After bulk inserts with explicit ids: PostgreSQL's id sequences moved past them, and
    fresh planner statistics."""
    with store.engine.begin() as connection:
        if store.dialect == "postgresql":
            for table in ("documents", "claims", "facts", "sources"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        connection.exec_driver_sql("ANALYZE")


def latency(label: str, func, repeat: int) -> None:
    func()  # warm caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        rows = func()
        times.append(1000 * (time.perf_counter() - start))
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"  {label:<58} p50 {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms   ({len(rows)} rows)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--ingest", default=str(SHARED / "corpus" / "dev" / "docs.jsonl"),
                        help="real documents to ingest into the large database (default: the dev set)")
    args = parser.parse_args()

    store = Store(args.db)
    with store.Session() as session:
        have = session.scalar(select(func.count()).select_from(ClaimRow))
    if have < args.claims:
        if have:
            sys.exit(f"{args.db} has {have:,} claims, fewer than {args.claims:,}: use an empty database")
        generate(store, args.claims)
    print(f"database: {store.dialect}; {store.counts()}", flush=True)

    from armstrace.pipeline import ingest

    # ingest real documents (with extraction) into the big register; a fresh copy each run
    inputs = [args.ingest]
    if Path(args.ingest).exists():
        lines = Path(args.ingest).read_text(encoding="utf-8").splitlines()
        tmp = Path(tempfile.mkdtemp()) / "bench-docs.jsonl"
        stamp = int(time.time())
        import json
        tmp.write_text("\n".join(json.dumps({**json.loads(l), "id": f"{json.loads(l)['id']}@{stamp}"}) for l in lines if l.strip()) + "\n", encoding="utf-8")
        inputs = [str(tmp)]
        from armstrace.extract import extract_documents
        from armstrace.ingest import read_inputs
        list(extract_documents(read_inputs([args.ingest])))  # load the model outside the timing
        start = time.perf_counter()
        summary = ingest(inputs, store)
        seconds = time.perf_counter() - start
        print(f"ingest (read + extract + store, one process): {summary.documents} documents in {seconds:.1f} s "
              f"= {summary.documents / seconds:.1f} documents/s; {summary.claims} claims", flush=True)
        # the store alone: the same documents and claims under new ids
        import dataclasses
        extracted = [(dataclasses.replace(doc, id=f"{doc.id}#store"), [c.to_dict() for c in claims])
                     for doc, claims in extract_documents(read_inputs(inputs))]
        start = time.perf_counter()
        for doc, claims in extracted:
            store.add(doc, claims)
        seconds = time.perf_counter() - start
        print(f"store only (one transaction per document, facts refreshed): {len(extracted) / seconds:.1f} documents/s, "
              f"{sum(len(c) for _, c in extracted) / seconds:.1f} claims/s", flush=True)

    print(f"query latency over {args.repeat} runs:")
    r = args.repeat
    latency("facts --supplier IRN (first 100, with evidence)", lambda: store.facts(ClaimFilter(supplier="IRN", limit=100)), r)
    latency("facts --supplier USA --recipient UKR", lambda: store.facts(ClaimFilter(supplier="USA", recipient="UKR", limit=100)), r)
    latency("facts --party RUS --category missile --min-sources 5", lambda: store.facts(ClaimFilter(party="RUS", category="missile", min_sources=5, limit=100)), r)
    latency("claims --supplier CHN --status delivered (100)", lambda: store.claims(ClaimFilter(supplier="CHN", status="delivered", limit=100)), r)
    latency("claims --recipient UKR --since 2020 --until 2021 (100)", lambda: store.claims(ClaimFilter(recipient="UKR", since="2020", until="2021", limit=100)), r)
    latency("claims --designation MIS-42 (100)", lambda: store.claims(ClaimFilter(designation="MIS-42", limit=100)), r)
    latency("claims --text 'supplied AIR' (100)", lambda: store.claims(ClaimFilter(text="supplied air", limit=100)), max(5, r // 3))


if __name__ == "__main__":
    main()
