"""Peak memory and time of extracting one long document, parsed in pieces and parsed whole.

    .venv/bin/python benchmarks/long_document.py                     # 1,000,000 characters
    .venv/bin/python benchmarks/long_document.py --chars 300000 --shapes lines

Each run is a fresh process (so each peak RSS is its own) that extracts one document written
here of about `--chars` characters: sentences of an invented harbour report with an arms
sentence every fiftieth, in one of three shapes: paragraphs (`lines`), one line of sentences
(`sentences`), one line with no sentence end at all (`clauses`). It runs with the pieces of
`armstrace.nlp.long_docs` (the default) and with the whole document given to spaCy at once
(`PIECE_CHARS` set above the document's length, as before pieces), and prints the time, the
peak RSS and the claims found, or "time limit" when extraction stopped at extraction's time
limit (`TIME_LIMIT`, 60 s after parsing; `--no-time-limit` lifts it: one sentence of a
million characters then takes hours).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from armstrace.extract.pipeline import TIME_LIMIT, ExtractionLimit, extract_document
from armstrace.ingest import Document
from armstrace.nlp import get_nlp, long_docs
shape, chars, whole, limit = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "whole", sys.argv[4] == "limit"
filler = "The harbour authority said on Tuesday that shipping volumes rose again in the northern ports"
arms = "Germany delivered Leopard 2 tanks to Ukraine last month, officials said"
sep = {"lines": ".\n\n", "sentences": ". ", "clauses": ", and "}[shape]
parts, size = [], 0
while size < chars - 200:
    parts.append(arms if len(parts) % 50 == 0 else filler)
    size += len(parts[-1]) + len(sep)
text = sep.join(parts) + "."
get_nlp()
if whole:
    long_docs.PIECE_CHARS = len(text) + 1
start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
try:
    claims = len(extract_document(Document(id="long", text=text), time_limit=TIME_LIMIT if limit else None))
except ExtractionLimit:
    claims = "time limit"
print(json.dumps({"chars": len(text), "seconds": time.perf_counter() - t, "claims": claims,
                  "start_mb": start_rss / 1024,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=990_000, help="document length (at most 1,000,000)")
    parser.add_argument("--shapes", default="lines,sentences,clauses")
    parser.add_argument("--modes", default="pieces,whole")
    parser.add_argument("--no-time-limit", action="store_true", help="let extraction run as long as it takes")
    args = parser.parse_args(argv)
    print(f"{'shape':<10} {'mode':<7} {'chars':>10} {'seconds':>8} {'peak RSS MB':>12} {'after start-up':>15} claims")
    for shape in args.shapes.split(","):
        for mode in args.modes.split(","):
            out = subprocess.run([sys.executable, "-c", CHILD, shape, str(args.chars), mode,
                                  "none" if args.no_time_limit else "limit"],
                                 capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(f"{shape:<10} {mode:<7} failed: {out.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{shape:<10} {mode:<7} {r['chars']:>10,} {r['seconds']:>8.1f} {r['peak_mb']:>12,.0f} "
                  f"{r['peak_mb'] - r['start_mb']:>15,.0f} {r['claims']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
