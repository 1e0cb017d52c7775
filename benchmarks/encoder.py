"""Extraction quality of a claim model on every labelled set, and how well its confidence is calibrated.

    python benchmarks/encoder.py [--model shipped|encoder|rules|FOLDER] [--sets seed,dev,pool,old,new]
                                 [--save DIR]   # also write each set's predictions and gold there

For each set, `armstrace.extract` with the model, scored by `../shared/eval/score.py`:

- seed, dev: the shared gold (in the shipped encoder's training labels);
- pool: the shared pool gold (284 documents; the shipped encoder is trained without the pool);
- old, new: the two parts of the frozen held-out split (`data/training/heldout.txt`; never
  trained on): the old part (train/, stream, pool documents of the first rounds) and the new
  (train2, modern texts about arms transfers), labels from `data/training/labels`.

Then a reliability table over all sets: predicted claims by confidence, and the share of them
whose (supplier, recipient, category) is a gold triple of their document. A calibrated model's
share is close to its bin's confidence. And the learning curve the model's config records.
Not a test: figures for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LABELS = ROOT / "data" / "training" / "labels"


def held_out(part: str, folder: Path) -> tuple[Path, Path]:
    held = {tuple(line.split("\t")) for line in (ROOT / "data" / "training" / "heldout.txt").read_text().splitlines() if line}
    corpora = {"old": {"train": "corpus/train/docs.jsonl", "stream": "corpus/stream/reuters21578.jsonl",
                       "pool": "corpus/pool/docs.jsonl"},
               "new": {"train2": "corpus/train2/docs.jsonl"}}[part]
    labels = {}
    files = sorted(glob.glob(str(LABELS / "batch*.jsonl"))) + sorted(glob.glob(str(LABELS / "heldout*.jsonl")))
    for path in files + sorted(glob.glob(str(LABELS / "adjudicated*.jsonl"))):
        for line in open(path, encoding="utf-8"):
            r = json.loads(line)
            if (r["corpus"], r["id"]) in held and r["corpus"] in corpora:
                labels[f"{r['corpus']}:{r['id']}"] = r["claims"]
    gold, docs = folder / f"{part}.gold.jsonl", folder / f"{part}.docs.jsonl"
    gold.write_text("".join(json.dumps({"id": i, "claims": c}) + "\n" for i, c in labels.items()))
    with docs.open("w") as out:
        for name, rel in corpora.items():
            for line in open(SHARED / rel, encoding="utf-8"):
                r = json.loads(line)
                if f"{name}:{r['id']}" in labels:
                    out.write(json.dumps({**r, "id": f"{name}:{r['id']}"}) + "\n")
    return gold, docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="shipped")
    parser.add_argument("--sets", default="seed,dev,pool,old,new")
    parser.add_argument("--save", type=Path, help="write SET.predictions.jsonl (and the held-out sets' gold and "
                        "documents) to this folder")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from armstrace.extract.evaluate import evaluate, load_scorer, predict

    scorer = SHARED / "eval" / "score.py"
    gold_of = load_scorer(scorer).load_gold
    sets = {"seed": (SHARED / "corpus/seed/gold.jsonl", SHARED / "corpus/seed/seed.jsonl"),
            "dev": (SHARED / "corpus/dev/gold.jsonl", SHARED / "corpus/dev/docs.jsonl"),
            "pool": (SHARED / "corpus/pool/gold.jsonl", SHARED / "corpus/pool/docs.jsonl")}
    bins = [[0, 0] for _ in range(10)]
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets.split(","):
            gold, docs = sets[name] if name in sets else held_out(name, args.save or Path(tmp))
            started = time.monotonic()
            preds = predict(docs, model=args.model)
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"{name}.predictions.jsonl").write_text("".join(json.dumps(c) + "\n" for c in preds))
            seconds = time.monotonic() - started
            metrics, _ = evaluate(gold, docs, scorer, predictions=preds)
            t, s = metrics["triple"], metrics["strict"]
            print(f"{name:<5} {metrics['documents']:>5} docs  triple P/R/F1 {t['precision']:.3f}/{t['recall']:.3f}/"
                  f"{t['f1']:.3f}  strict F1 {s['f1']:.3f}  status {metrics['status_accuracy'] or 0:.3f}  "
                  f"designation {metrics['designation_recall'] or 0:.3f}  attribution {metrics['attribution_recall'] or 0:.3f}  "
                  f"false alarms {metrics['false_alarm_documents']}/{metrics['negative_documents']}  ({seconds:.0f} s)",
                  flush=True)
            gold_claims = gold_of(str(gold))
            for c in preds:
                if str(c["doc"]) not in gold_claims:
                    continue
                triples = {(g.get("supplier"), g.get("recipient"), g.get("category")) for g in gold_claims[str(c["doc"])]}
                k = min(9, int(float(c["confidence"]) * 10))
                bins[k][0] += 1
                bins[k][1] += (c["supplier"], c["recipient"], c["category"]) in triples
    print("\nreliability (all sets): confidence bin, predicted claims, share right")
    for k, (n, right) in enumerate(bins):
        if n:
            print(f"  {k / 10:.1f}-{(k + 1) / 10:.1f}  {n:>6}  {right / n:.3f}")
    if args.model not in ("rules", "linear", "shipped"):
        from armstrace.neural.runtime import shipped_dir

        folder = shipped_dir() if args.model == "encoder" else Path(args.model)
        config = json.loads((folder / "config.json").read_text())
        if config.get("learning_curve"):
            print("\nlearning curve (held-out triple F1, by the training's own scoring):")
            for label, n, f1 in config["learning_curve"]:
                print(f"  {label:<16} {n:>5} documents  {f1:.3f}")


if __name__ == "__main__":
    main()
