"""Extraction quality beyond the dev set, and extraction speed.

`data/training/labels/gold-extra.jsonl` holds gold claims for 244 documents the dev set does not
contain: 195 from the unlabelled pool (`../shared/corpus/pool`) and 49 arms stories from the
Reuters stream (`../shared/corpus/stream`). They were annotated by the armstrace team against
`../shared/eval/GUIDELINES.md` while working on extraction, one annotator per document and no
adjudication, so read the figures as a second opinion on how well the rules generalise, not as
a benchmark of record. Only ids, claims and evidence offsets are stored; the texts are read from `../shared`.

    .venv/bin/python benchmarks/extraction.py

prints the scorer's metrics on that sample and on the dev set, with documents per second.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from armstrace.extract import extract_documents
from armstrace.ingest import read_inputs
from armstrace.nlp import get_nlp

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
SCORER = SHARED / "eval" / "score.py"
SOURCES = [SHARED / "corpus" / "pool" / "docs.jsonl", SHARED / "corpus" / "stream" / "reuters21578.jsonl"]


def wanted_documents(gold_path: Path) -> list:
    ids = {json.loads(line)["id"] for line in gold_path.open() if line.strip()}
    found = {}
    for source in SOURCES:
        with source.open(encoding="utf-8") as handle, tempfile.NamedTemporaryFile(
                "w", suffix=".jsonl", delete=False, encoding="utf-8") as subset:
            for line in handle:
                if line.strip() and json.loads(line)["id"] in ids - set(found):
                    subset.write(line)
        for doc in read_inputs([subset.name]):
            found.setdefault(doc.id, doc)
    missing = ids - set(found)
    if missing:
        sys.exit(f"benchmarks/extraction.py: {len(missing)} gold documents not found in ../shared, e.g. {sorted(missing)[:3]}")
    return list(found.values())


def score(gold_path: Path, docs: list, label: str) -> None:
    start = time.perf_counter()
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as pred:
        for _doc, claims in extract_documents(docs):
            for claim in claims:
                pred.write(json.dumps(claim.to_dict()) + "\n")
    seconds = time.perf_counter() - start
    print(f"== {label}: {len(docs)} documents in {seconds:.1f} s ({len(docs) / seconds:.0f} documents/s)")
    out = subprocess.run([sys.executable, str(SCORER), "--gold", str(gold_path), "--pred", pred.name],
                         capture_output=True, text=True, check=False)
    print(out.stdout.strip())


def main() -> None:
    get_nlp()  # load the model outside the timings
    extra = HERE.parent / "data" / "training" / "labels" / "gold-extra.jsonl"
    score(extra, wanted_documents(extra), "pool and stream sample (team-annotated)")
    dev_docs = list(read_inputs([str(SHARED / "corpus" / "dev" / "docs.jsonl")]))
    score(SHARED / "corpus" / "dev" / "gold.jsonl", dev_docs, "dev")


if __name__ == "__main__":
    main()
