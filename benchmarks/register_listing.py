"""Listing and exporting a whole register of 10,000 facts: `Store.facts()`, `export()` and the CLI.

    python benchmarks/register_listing.py [--db /tmp/listing.db] [--facts 10000] [--claims 100000] [--repeat 3]

1. Generates a synthetic register (documents, claims, facts, sources) with bulk inserts:
   `--facts` facts over a few hundred actors, `--claims` claims spread over them with a long
   tail (a few busy facts have thousands of claims, most have a handful), so the per-fact
   evidence lookup (the newest 20 claims) is exercised as in a real register. Reuses the
   database when it already holds that many facts; default a temporary SQLite file.
2. Times listing every fact with its evidence (`Store.facts()`; and without evidence for
   comparison), `export()` to CSV and JSONL in this process, and the `armstrace export
   --format csv|jsonl` and `armstrace facts --format csv` commands as subprocesses (which
   include Python start-up and imports; the start-up alone is timed too).
Prints figures (best and median of `--repeat` runs); not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from register import actors, finish_bulk_load, make_facts  # the 1M-claim benchmark beside this one

from armstrace.export import export
from armstrace.store import ClaimFilter, Store
from armstrace.store.query import STATUSES
from armstrace.store.schema import ClaimRow, DocumentRow, FactRow, SourceRow

BATCH = 20_000


def generate(store: Store, n_facts: int, n_claims: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    pool = actors(rng)
    n_claims = max(n_claims, n_facts)  # every fact has a claim
    n_docs = max(1, n_claims // 5)
    print(f"generating {n_docs:,} documents, {n_facts:,} facts, {n_claims:,} claims ...", flush=True)
    start = time.perf_counter()
    facts = make_facts(rng, pool, n_facts, models=2000, designated=0.7)
    # one claim per fact, the rest long-tailed over the facts
    weights = [1.0 / (i + 1) ** 0.8 for i in range(n_facts)]
    fact_of_claim = list(range(n_facts)) + rng.choices(range(n_facts), weights=weights, k=n_claims - n_facts)
    rng.shuffle(fact_of_claim)
    counts = [0] * n_facts
    for index in fact_of_claim:
        counts[index] += 1
    for fact, count in zip(facts, counts):
        fact.update(n_claims=count, n_documents=count, n_publishers=min(count, 300), n_attributed=1,
                    n_sources=min(count, 300) + 1, first_date="2015-01-01", last_date="2024-12-28",
                    confidence=min(0.99, 0.5 + 0.05 * count),
                    timeline={fact["status"]: {"first": "2015-01-01", "last": "2024-12-28", "claims": count}})
    with store.WriteSession.begin() as session:
        for chunk in range(0, n_docs, BATCH):
            session.execute(insert(DocumentRow), [
                dict(id=i + 1, doc_key=f"listing-{i + 1}", url=f"https://news{i % 300}.example/{i}", title=f"Story {i}",
                     text=f"Listing benchmark story {i}.", published=f"{2015 + i % 10}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                     publisher=f"Outlet {i % 300}", language="en", removed=[], content_hash=f"{i:064x}")
                for i in range(chunk, min(chunk + BATCH, n_docs))
            ])
        for chunk in range(0, n_facts, BATCH):
            session.execute(insert(FactRow), facts[chunk:chunk + BATCH])
        sources = [dict(fact_id=f["id"], kind="attributed", name="officials") for f in facts]
        sources += [dict(fact_id=f["id"], kind="publisher", name=f"Outlet {f['id'] % 300}") for f in facts]
        for chunk in range(0, len(sources), BATCH):
            session.execute(insert(SourceRow), sources[chunk:chunk + BATCH])
        for chunk in range(0, n_claims, BATCH):
            rows = []
            for j in range(chunk, min(chunk + BATCH, n_claims)):
                fact = facts[fact_of_claim[j]]
                doc = j // 5 + 1
                item = fact["designation"] or fact["category"]
                rows.append(dict(
                    id=j + 1, document_id=min(doc, n_docs), fact_id=fact["id"], supplier=fact["supplier"],
                    recipient=fact["recipient"], category=fact["category"], status=rng.choice(STATUSES),
                    designation=fact["designation"], item=item, attribution=["officials"] if j % 3 else [],
                    evidence=f"{fact['supplier']} supplied {item} to {fact['recipient']}, officials said (claim {j}).",
                    start=0, end=60, confidence=0.7, rule="bench",
                    date=f"{2015 + doc % 10}-{1 + doc % 12:02d}-{1 + doc % 28:02d}",
                ))
            session.execute(insert(ClaimRow), rows)
    finish_bulk_load(store)
    print(f"generated in {time.perf_counter() - start:.1f} s", flush=True)


def timed(label: str, func, repeat: int) -> None:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    print(f"  {label:<52} best {min(times):7.2f} s   median {statistics.median(times):7.2f} s   ({result})", flush=True)


def cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "armstrace", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})
    if done.returncode:
        sys.exit(f"armstrace {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def lines(path: Path) -> str:
    with path.open("rb") as handle:
        return f"{sum(1 for _ in handle):,} lines, {path.stat().st_size / 1e6:.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLite path or database URL (default: a new temporary SQLite file)")
    parser.add_argument("--facts", type=int, default=10_000)
    parser.add_argument("--claims", type=int, default=100_000, help="claims over all facts (long-tailed)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="armstrace-listing-"))
    db = args.db or str(work / "register.db")
    store = Store(db)
    with store.Session() as session:
        have = session.scalar(select(func.count()).select_from(FactRow))
    if have < args.facts:
        if have:
            sys.exit(f"{db} has {have:,} facts, fewer than {args.facts:,}: use an empty database")
        generate(store, args.facts, args.claims)
    counts = store.counts()
    print(f"database: {store.dialect} {db}; {counts}", flush=True)
    r = args.repeat

    print(f"in process (best and median of {r}):")
    timed("Store.facts() with evidence", lambda: f"{len(store.facts()):,} facts", r)
    timed("Store.facts(with_evidence=False)", lambda: f"{len(store.facts(with_evidence=False)):,} facts", r)
    for fmt in ("csv", "jsonl"):
        out = work / f"facts.{fmt}"
        timed(f"export(store, {fmt!r}, ...)", lambda: f"{export(store, fmt, out, ClaimFilter()):,} facts", r)
    store.close()

    print(f"commands, as subprocesses (best and median of {r}):")
    timed("python -m armstrace --version (start-up alone)", lambda: cli("--version").strip(), r)
    for fmt in ("csv", "jsonl"):
        out = work / f"cli.{fmt}"
        timed(f"armstrace export --format {fmt}",
              lambda: (cli("export", "--db", db, "--format", fmt, "--out", str(out)), lines(out))[1], r)
    listing = work / "facts-cli.csv"
    timed("armstrace facts --format csv",
          lambda: (listing.write_text(cli("facts", "--db", db, "--format", "csv"), encoding="utf-8"), lines(listing))[1], r)


if __name__ == "__main__":
    main()
