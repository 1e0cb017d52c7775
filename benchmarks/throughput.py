"""Throughput: bare spaCy against `armstrace extract`, on the Reuters stream and on the pool.

    python benchmarks/throughput.py [--limit N] [--processes 1,2] [--corpora stream,pool]
                                    [--workers 1,2] [--pg ADMIN_URL] [--no-prefilter-on stream,pool]
                                    [--model encoder|linear|rules|FOLDER]

In one run on one machine, for each corpus (`../shared/corpus/stream/reuters21578.jsonl`,
19,043 stories of 1987, few about arms; `../shared/corpus/pool/docs.jsonl`, 544 documents,
arms-dense):

1. **bare spaCy**: `en_core_web_sm` `nlp.pipe` over the same texts (headline + text, batch
   size 32), in a process of its own; the time excludes loading the model.
2. **armstrace extract**: the command end to end (`armstrace extract FILE -q`, output to
   /dev/null), start-up and model loading included; with each `--processes` value, and once
   `--no-prefilter` (one process) to show what the prefilter buys (`--no-prefilter-on`).
3. **armstrace batch** on a Dask LocalCluster with each `--workers` value (start-up of the
   cluster and its workers included), then **armstrace load** of its Parquet output into a
   new SQLite file and, with `--pg` (an admin URL; `scripts/test-env.sh` sets
   $ARMSTRACE_TEST_PG_URL), into a new PostgreSQL database.

4. **memory against the number of documents** (`--tiny 10000,30000,100000`): `armstrace
   ingest` of that many tiny generated JSON Lines documents (distinct texts of 30 words) into
   a new SQLite file, with its peak RSS: an archive of a million articles must run in flat
   memory, so the peak at 30,000 should be within 1.15 times the peak at 10,000.

Prints documents/s, tokens/s (spaCy tokens of the input), peak RSS (the largest process)
and each run's speed as a multiple of bare spaCy's. Not a test: figures for
benchmarks/README.md. `--limit N` takes the first N documents of each corpus (quick runs).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
CORPORA = {"stream": SHARED / "stream" / "reuters21578.jsonl", "pool": SHARED / "pool" / "docs.jsonl"}

BARE = r"""
import json, sys, time
from armstrace.nlp import load_base_model
nlp = load_base_model()
texts = []
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    texts.append(((d.get("title") or "") + "\n" + (d.get("text") or "")).strip())
start = time.perf_counter()
tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=32))
print(json.dumps({"seconds": time.perf_counter() - start, "tokens": tokens, "documents": len(texts)}))
"""


def measured(command: list[str]) -> tuple[float, int, str]:
    """Wall time, peak RSS (kB, of the largest process it ran) and stdout of `command`, run
    under a fresh Python parent so that the peak is its own."""
    wrapper = ("import json, resource, subprocess, sys, time\n"
               "t = time.perf_counter()\n"
               "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
               "s = time.perf_counter() - t\n"
               "print(json.dumps({'seconds': s, 'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
               " 'code': r.returncode, 'out': r.stdout.decode()[-4000:], 'err': r.stderr.decode()[-2000:]}))")
    done = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, cwd=ROOT, check=True)
    result = json.loads(done.stdout)
    if result["code"] not in (0, 3):  # 3: some input skipped (reported), the rest done
        sys.exit(f"{' '.join(command)} failed ({result['code']}): {result['err']}")
    return result["seconds"], result["rss"], result["out"]


def fresh_pg(admin_url: str, name: str) -> str:
    """A new, empty PostgreSQL database (dropped first if a previous run left it)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{admin_url.rsplit('/', 1)[0]}/{name}"


def tiny_documents(counts: list[int], armstrace: list[str]) -> None:
    """Peak RSS of `armstrace ingest` of N tiny documents into a new SQLite file, each N."""
    import random

    words = ("harbour convoy ministry parliament budget tender bridge engine contract rail grain export minister "
             "treaty harvest summit coast council factory shipment loan election port weather river market").split()
    print(f"{'ingest of tiny documents':<40} {'seconds':>8} {'docs/s':>8} {'peak RSS':>9} {'x first':>8}")
    first = None
    with tempfile.TemporaryDirectory() as folder:
        for count in counts:
            rng = random.Random(count)
            path = Path(folder) / f"tiny{count}.jsonl"
            with open(path, "w", encoding="utf-8") as out:
                for i in range(count):
                    text = " ".join(rng.choice(words) for _ in range(30))
                    out.write(json.dumps({"id": f"t{i}", "title": f"Note {i}", "text": f"{text}, number {i}."}) + "\n")
            seconds, rss, _out = measured([*armstrace, "ingest", str(path), "--db", str(Path(folder) / f"{count}.db"),
                                           "-q"])
            first = first or rss
            print(f"{f'{count:,} documents':<40} {seconds:>8.1f} {count / seconds:>8.1f} {rss / 1024:>7.0f}MB "
                  f"{rss / first:>8.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="first N documents of each corpus (0: all)")
    parser.add_argument("--processes", default="1,2", help="comma-separated --processes values for extract")
    parser.add_argument("--corpora", default="stream,pool")
    parser.add_argument("--workers", default="1,2", help="comma-separated --workers values for batch ('' for none)")
    parser.add_argument("--no-prefilter-on", default="pool", help="corpora to also extract without the prefilter")
    parser.add_argument("--pg", default=os.environ.get("ARMSTRACE_TEST_PG_URL"),
                        help="PostgreSQL admin URL for the load figure (default $ARMSTRACE_TEST_PG_URL)")
    parser.add_argument("--tiny", default="", help="comma-separated numbers of tiny documents to ingest, for "
                        "peak RSS against the number of documents (e.g. 10000,30000,100000); '' for none")
    parser.add_argument("--model", default="", help="the claim model extract and batch run (default: theirs)")
    args = parser.parse_args()
    armstrace = [sys.executable, "-m", "armstrace"]
    model = ["--model", args.model] if args.model else []
    if args.tiny:
        tiny_documents([int(n) for n in args.tiny.split(",")], armstrace)
    if not args.corpora:
        return
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "one.jsonl"
        empty.write_text(json.dumps({"id": "x", "text": "Wheat prices rose on Tuesday."}) + "\n", encoding="utf-8")
        startup, _rss, _out = measured([*armstrace, "extract", str(empty), "-q", *model])
        print(f"start-up of armstrace extract (one short document): {startup:.1f} s; "
              "'x bare excl.' leaves it out, as bare spaCy's figure leaves out loading its model")
        for name in args.corpora.split(","):
            source = CORPORA[name]
            if not source.exists():
                sys.exit(f"{source} is absent: the shared corpus must be beside the checkout")
            path = Path(folder) / f"{name}.jsonl"
            with open(source, encoding="utf-8") as src, open(path, "w", encoding="utf-8") as dst:
                for n, line in enumerate(src):
                    if args.limit and n >= args.limit:
                        break
                    dst.write(line)
            _seconds, rss, out = measured([sys.executable, "-c", BARE, str(path)])
            bare = json.loads(out.strip().splitlines()[-1])  # its own timing: the model load excluded
            documents, tokens = bare["documents"], bare["tokens"]
            bare_rate = documents / bare["seconds"]
            print(f"\n== {name}: {documents:,} documents, {tokens:,} spaCy tokens")
            print(f"{'run':<40} {'seconds':>8} {'docs/s':>8} {'tokens/s':>9} {'peak RSS':>9} {'x bare':>7} "
                  f"{'x bare excl.':>12}")
            print(f"{'bare en_core_web_sm nlp.pipe':<40} {bare['seconds']:>8.1f} {bare_rate:>8.1f} "
                  f"{tokens / bare['seconds']:>9,.0f} {rss / 1024:>7.0f}MB {1.0:>7.2f} {1.0:>12.2f}")
            runs = [(f"armstrace extract --processes {p}", ["--processes", p]) for p in args.processes.split(",")]
            if name in args.no_prefilter_on.split(","):
                runs.append(("armstrace extract --no-prefilter", ["--no-prefilter"]))
            for label, extra in runs:
                seconds, rss, _out = measured([*armstrace, "extract", str(path), "-q", *model, *extra])
                rate = documents / seconds
                excl = documents / max(seconds - startup, 1e-9) / bare_rate
                print(f"{label:<40} {seconds:>8.1f} {rate:>8.1f} {tokens / seconds:>9,.0f} {rss / 1024:>7.0f}MB "
                      f"{rate / bare_rate:>7.2f} {excl:>12.2f}", flush=True)
            out = None
            rates = {}
            for workers in [w for w in args.workers.split(",") if w]:
                out = Path(folder) / f"{name}-batch-{workers}"
                seconds, rss, _out = measured([*armstrace, "batch", str(path), "--out", str(out), "--workers", workers,
                                               "-q", *model])
                rate = rates[workers] = documents / seconds
                print(f"{f'armstrace batch --workers {workers}':<40} {seconds:>8.1f} {rate:>8.1f} "
                      f"{tokens / seconds:>9,.0f} {rss / 1024:>7.0f}MB {rate / bare_rate:>7.2f}", flush=True)
            if "1" in rates and "2" in rates:
                print(f"batch: 2 workers at {rates['2'] / rates['1']:.2f}x the documents/s of 1")
            if out is not None:
                targets = [("SQLite", f"sqlite:///{Path(folder) / f'{name}-load.db'}")]
                if args.pg:
                    targets.append(("PostgreSQL", fresh_pg(args.pg, f"armstrace_bench_{name}")))
                for label, url in targets:
                    seconds, rss, _out = measured([*armstrace, "load", str(out), "--db", url, "-q"])
                    print(f"{f'armstrace load into {label}':<40} {seconds:>8.1f} {documents / seconds:>8.1f} "
                          f"{'':>9} {rss / 1024:>7.0f}MB", flush=True)


if __name__ == "__main__":
    main()
