"""Score extraction against a gold file with the project's scorer (`shared/eval/score.py`).

    metrics, per_doc = evaluate("dev/gold.jsonl", "dev/docs.jsonl")

The scorer is imported from its path (default: ``../shared/eval/score.py`` beside the
checkout) so the numbers are exactly the ones `score.py` prints.
"""

from __future__ import annotations

import importlib.util
import json
from collections import defaultdict
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SCORER = REPO_ROOT.parent / "shared" / "eval" / "score.py"


def load_scorer(path: str | Path | None = None) -> ModuleType:
    path = Path(path) if path else DEFAULT_SCORER
    if not path.is_file():
        raise FileNotFoundError(f"scorer not found: {path}")
    spec = importlib.util.spec_from_file_location("armstrace_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def read_documents(docs_path: str | Path):
    """Documents through `armstrace.ingest` (boilerplate removed), else straight from JSONL."""
    try:
        from armstrace.ingest import read_inputs
    except ImportError:  # pragma: no cover - ingest is part of the package
        read_inputs = None
    if read_inputs is not None:
        yield from read_inputs([str(docs_path)])
        return
    from armstrace.ingest.document import Document
    with open(docs_path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                r = json.loads(line)
                yield Document(id=str(r["id"]), text=r.get("text") or "", title=r.get("title"),
                               published=r.get("date"))


def predict(docs_path: str | Path, nlp=None) -> list[dict]:
    from . import extract_documents
    return [c.to_dict() for _doc, claims in extract_documents(read_documents(docs_path), nlp=nlp) for c in claims]


def evaluate(gold_path: str | Path, docs_path: str | Path, scorer_path: str | Path | None = None,
             nlp=None, predictions: list[dict] | None = None) -> tuple[dict, dict]:
    """(metrics as `score.py --json` gives them, {doc id: {"missed": [...], "spurious": [...]}})."""
    scorer = load_scorer(scorer_path)
    gold = scorer.load_gold(str(gold_path))
    preds = predictions if predictions is not None else predict(docs_path, nlp)
    by_doc: dict[str, list[dict]] = defaultdict(list)
    ignored = 0
    for claim in preds:
        if str(claim["doc"]) in gold:
            by_doc[str(claim["doc"])].append(claim)
        else:
            ignored += 1
    metrics, per_doc = scorer.score(gold, by_doc)
    metrics["ignored_predictions"] = ignored
    details = {doc: diff for doc, diff in per_doc.items() if diff["missed"] or diff["spurious"]}
    return metrics, details


def format_report(metrics: dict, details: dict | None = None) -> str:
    """The metrics in `score.py`'s text layout, optionally after the per-document differences."""
    def fmt(value):
        return "n/a" if value is None else f"{value:.3f}"
    lines = []
    for doc_id, diff in (details or {}).items():
        lines.append(f"{doc_id}: missed {diff['missed']} spurious {diff['spurious']}")
    t, s = metrics["triple"], metrics["strict"]
    lines += [
        f"documents            {metrics['documents']}  (negatives {metrics['negative_documents']}, "
        f"false alarms {metrics['false_alarm_documents']}, ignored predictions {metrics.get('ignored_predictions', 0)})",
        f"triple  P/R/F1       {fmt(t['precision'])} / {fmt(t['recall'])} / {fmt(t['f1'])}  "
        f"(gold {t['gold']}, predicted {t['predicted']})",
        f"strict  P/R/F1       {fmt(s['precision'])} / {fmt(s['recall'])} / {fmt(s['f1'])}",
        f"status accuracy      {fmt(metrics['status_accuracy'])}",
        f"designation recall   {fmt(metrics['designation_recall'])}",
        f"attribution recall   {fmt(metrics['attribution_recall'])}",
        f"triple F1 {t['f1']:.3f}",
    ]
    return "\n".join(lines)
