"""Ratchet: extraction quality on the seed article and the dev set never goes down.

Scores with the project's own scorer (`shared/eval/score.py`) through
`armstrace.extract.evaluate`.  Raise the constants as extraction improves; never lower them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from armstrace.extract.evaluate import evaluate
from armstrace.train import HELD_OUT, SHIPPED_LABELS

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# best scores reached so far (a small margin below the measured value)
SEED_TRIPLE_F1 = 0.99
DEV_TRIPLE_F1 = 0.89  # dev is in the claim model's training labels (the rules alone: 0.860)
DEV_STRICT_F1 = 0.89
DEV_STATUS_ACCURACY = 0.81
DEV_ATTRIBUTION_RECALL = 0.72
DEV_MAX_FALSE_ALARM_SHARE = 0.10
DEV_DESIGNATION_RECALL = 0.64


def _paths(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus is not beside this checkout")
    return path


@pytest.fixture(scope="module")
def scorer_path() -> Path:
    return _paths("eval", "score.py")


def test_seed_article(scorer_path):
    metrics, details = evaluate(_paths("corpus", "seed", "gold.jsonl"), _paths("corpus", "seed", "seed.jsonl"),
                                scorer_path)
    assert metrics["triple"]["f1"] >= SEED_TRIPLE_F1, details


def test_dev_set(scorer_path):
    metrics, _details = evaluate(_paths("corpus", "dev", "gold.jsonl"), _paths("corpus", "dev", "docs.jsonl"),
                                 scorer_path)
    assert metrics["triple"]["f1"] >= DEV_TRIPLE_F1
    assert metrics["strict"]["f1"] >= DEV_STRICT_F1
    assert metrics["status_accuracy"] >= DEV_STATUS_ACCURACY
    assert metrics["attribution_recall"] >= DEV_ATTRIBUTION_RECALL
    assert metrics["designation_recall"] >= DEV_DESIGNATION_RECALL
    assert metrics["false_alarm_documents"] <= DEV_MAX_FALSE_ALARM_SHARE * metrics["negative_documents"]


# the frozen held-out split of data/training (never trained on), in its two parts: the old one
# (train/, stream and pool documents of rounds one to three) and the new one (train2, modern
# texts about arms transfers); issue 24's goal on each: triple F1 0.65, strict F1 0.55
# (the default: the linear judge with the claim encoder's confident claims beside it)
HELD_OUT_OLD_TRIPLE_F1 = 0.34  # measured 0.342 (the linear judge alone: 0.289)
HELD_OUT_OLD_TRIPLE_PRECISION = 0.73  # measured 0.733
HELD_OUT_OLD_MAX_FALSE_ALARMS = 2  # measured 1
HELD_OUT_NEW_TRIPLE_F1 = 0.30  # measured 0.304 (the linear judge alone: 0.274)
HELD_OUT_NEW_STRICT_F1 = 0.24  # measured 0.247
HELD_OUT_NEW_MAX_FALSE_ALARM_SHARE = 0.05
# the claim encoder (`--model encoder`), not yet the default, on the new part
ENCODER_NEW_TRIPLE_F1 = 0.54  # measured 0.545 (P 0.595, R 0.502)
ENCODER_NEW_STRICT_F1 = 0.47  # measured 0.472
ENCODER_NEW_MAX_FALSE_ALARM_SHARE = 0.11  # measured 62 of 585 (10.6%); the goal is 5%


def _held_out(tmp_path, part: str):
    """Gold and documents of one part of the held-out split: labels from data/training, texts
    from ../shared."""
    import glob
    import json

    held = {tuple(line.split("\t")) for line in HELD_OUT.read_text(encoding="utf-8").splitlines() if line}
    corpora = {"old": (("corpus", "train", "docs.jsonl"), ("corpus", "stream", "reuters21578.jsonl"),
                       ("corpus", "pool", "docs.jsonl")),
               "new": (("corpus", "train2", "docs.jsonl"),)}[part]
    names = {c[1] for c in corpora}
    files = sorted(glob.glob(str(SHIPPED_LABELS / "batch*.jsonl"))) + sorted(glob.glob(str(SHIPPED_LABELS / "heldout*.jsonl")))
    files += sorted(glob.glob(str(SHIPPED_LABELS / "adjudicated*.jsonl")))
    labels = {}
    for path in files:
        for line in open(path, encoding="utf-8"):
            record = json.loads(line)
            if (record["corpus"], record["id"]) in held and record["corpus"] in names:
                labels[f"{record['corpus']}:{record['id']}"] = record["claims"]
    gold, docs = tmp_path / "gold.jsonl", tmp_path / "docs.jsonl"
    gold.write_text("".join(json.dumps({"id": i, "claims": c}) + "\n" for i, c in labels.items()), encoding="utf-8")
    with docs.open("w", encoding="utf-8") as out:
        for corpus in corpora:
            for line in _paths(*corpus).open(encoding="utf-8"):
                record = json.loads(line)
                key = f"{corpus[1]}:{record['id']}"
                if key in labels:
                    out.write(json.dumps({**record, "id": key}) + "\n")
    return gold, docs


def test_held_out_split_old_part(scorer_path, tmp_path):
    gold, docs = _held_out(tmp_path, "old")
    metrics, _details = evaluate(gold, docs, scorer_path)
    assert metrics["documents"] >= 500
    assert metrics["triple"]["f1"] >= HELD_OUT_OLD_TRIPLE_F1
    assert metrics["triple"]["precision"] >= HELD_OUT_OLD_TRIPLE_PRECISION
    assert metrics["false_alarm_documents"] <= HELD_OUT_OLD_MAX_FALSE_ALARMS


def test_held_out_split_new_part(scorer_path, tmp_path):
    gold, docs = _held_out(tmp_path, "new")
    metrics, _details = evaluate(gold, docs, scorer_path)
    assert metrics["documents"] >= 900
    assert metrics["triple"]["f1"] >= HELD_OUT_NEW_TRIPLE_F1
    assert metrics["strict"]["f1"] >= HELD_OUT_NEW_STRICT_F1
    assert metrics["false_alarm_documents"] <= HELD_OUT_NEW_MAX_FALSE_ALARM_SHARE * metrics["negative_documents"]


def test_the_claim_encoder_on_the_held_out_split_new_part(scorer_path, tmp_path):
    gold, docs = _held_out(tmp_path, "new")
    metrics, _details = evaluate(gold, docs, scorer_path, model="encoder")
    assert metrics["documents"] >= 900
    assert metrics["triple"]["f1"] >= ENCODER_NEW_TRIPLE_F1
    assert metrics["strict"]["f1"] >= ENCODER_NEW_STRICT_F1
    assert metrics["false_alarm_documents"] <= ENCODER_NEW_MAX_FALSE_ALARM_SHARE * metrics["negative_documents"]
