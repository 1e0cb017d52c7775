"""Throughput: bare spaCy against `armstrace extract`, on the Reuters stream and on the pool.

    python benchmarks/throughput.py [--limit N] [--processes 1,2] [--only nlp,extract]

In one run on one machine, for each corpus (`../shared/corpus/stream/reuters21578.jsonl`,
19,043 stories of 1987, few about arms; `../shared/corpus/pool/docs.jsonl`, 544 documents,
arms-dense):

1. **bare spaCy**: `en_core_web_sm` `nlp.pipe` over the same texts (headline + text, batch
   size 32), in a process of its own; the time excludes loading the model.
2. **armstrace extract**: the command end to end (`armstrace extract FILE -q`, output to
   /dev/null), start-up and model loading included; with each `--processes` value, and once
   `--no-prefilter` (one process) to show what the prefilter buys.

Prints documents/s, tokens/s (spaCy tokens of the input), peak RSS (the largest process)
and each run's speed as a multiple of bare spaCy's. Not a test: figures for
benchmarks/README.md. `--limit N` takes the first N documents of each corpus (quick runs).
"""

from __future__ import annotations

import argparse
import json
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="first N documents of each corpus (0: all)")
    parser.add_argument("--processes", default="1,2", help="comma-separated --processes values for extract")
    parser.add_argument("--corpora", default="stream,pool")
    args = parser.parse_args()
    armstrace = [sys.executable, "-m", "armstrace"]
    with tempfile.TemporaryDirectory() as folder:
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
            print(f"{'run':<40} {'seconds':>8} {'docs/s':>8} {'tokens/s':>9} {'peak RSS':>9} {'x bare':>7}")
            print(f"{'bare en_core_web_sm nlp.pipe':<40} {bare['seconds']:>8.1f} {bare_rate:>8.1f} "
                  f"{tokens / bare['seconds']:>9,.0f} {rss / 1024:>7.0f}MB {1.0:>7.2f}")
            runs = [(f"armstrace extract --processes {p}", ["--processes", p]) for p in args.processes.split(",")]
            runs.append(("armstrace extract --no-prefilter", ["--no-prefilter"]))
            for label, extra in runs:
                seconds, rss, _out = measured([*armstrace, "extract", str(path), "-q", *extra])
                rate = documents / seconds
                print(f"{label:<40} {seconds:>8.1f} {rate:>8.1f} {tokens / seconds:>9,.0f} {rss / 1024:>7.0f}MB "
                      f"{rate / bare_rate:>7.2f}")


if __name__ == "__main__":
    main()
