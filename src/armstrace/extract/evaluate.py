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


def predict(docs_path: str | Path, nlp=None, model=None) -> list[dict]:
    from . import extract_documents
    from .pipeline import SHIPPED

    docs = read_documents(docs_path)
    return [c.to_dict() for _doc, claims in extract_documents(docs, nlp=nlp, model=model or SHIPPED) for c in claims]


def evaluate(gold_path: str | Path, docs_path: str | Path, scorer_path: str | Path | None = None,
             nlp=None, predictions: list[dict] | None = None, model=None) -> tuple[dict, dict]:
    """(metrics as `score.py --json` gives them, {doc id: {"missed": [...], "spurious": [...]}})."""
    scorer = load_scorer(scorer_path)
    gold = scorer.load_gold(str(gold_path))
    preds = predictions if predictions is not None else predict(docs_path, nlp, model)
    by_doc: dict[str, list[dict]] = defaultdict(list)
    ignored = 0
    for claim in preds:
        if str(claim["doc"]) in gold:
            by_doc[str(claim["doc"])].append(claim)
        else:
            ignored += 1
    metrics, per_doc = scorer.score(gold, by_doc)
    metrics["ignored_predictions"] = ignored
    metrics["field_errors"], metrics["status_confusion"] = field_errors(gold, by_doc)
    details = {doc: diff for doc, diff in per_doc.items() if diff["missed"] or diff["spurious"]}
    return metrics, details


FIELDS = ("supplier", "recipient", "category")


def _norm(value):
    return None if value in (None, "") else str(value).strip().lower()


def field_errors(gold: dict[str, list[dict]], pred: dict[str, list[dict]]) -> tuple[dict, dict]:
    """Where the errors are. For each gold claim, the predicted claim of its document that
    agrees on the most of supplier, recipient and category (at least two): the field that
    differs is counted ("missed" when no claim agrees on two); with all three right, a
    different status or a missing attribution is counted. And the status confusion table
    (gold status -> predicted status) over gold claims whose triple was found."""
    errors = {k: 0 for k in ("supplier", "recipient", "category", "status", "attribution", "missed")}
    confusion: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for doc_id, claims in gold.items():
        predicted = pred.get(doc_id, [])
        for g in claims:
            best, agree = None, -1
            for p in predicted:
                n = sum(_norm(g.get(f)) == _norm(p.get(f)) for f in FIELDS)
                if n > agree:
                    best, agree = p, n
            if best is None or agree < 2:
                errors["missed"] += 1
                continue
            if agree == 2:
                errors[next(f for f in FIELDS if _norm(g.get(f)) != _norm(best.get(f)))] += 1
                continue
            same = [p for p in predicted if all(_norm(g.get(f)) == _norm(p.get(f)) for f in FIELDS)]
            statuses = {p["status"] for p in same}
            shown = g["status"] if g["status"] in statuses else sorted(statuses)[0]
            confusion[g["status"]][shown] += 1
            if g["status"] not in statuses:
                errors["status"] += 1
            if g.get("attribution") and not any(p.get("attribution") for p in same):
                errors["attribution"] += 1
    return errors, {k: dict(v) for k, v in confusion.items()}


def format_confusion(confusion: dict[str, dict[str, int]]) -> list[str]:
    statuses = sorted({s for row in confusion.values() for s in row} | set(confusion))
    width = max([len(s) for s in statuses] + [10])
    lines = ["status confusion (rows gold, columns predicted, on found triples):",
             " " * (width + 2) + " ".join(f"{s[:9]:>9}" for s in statuses)]
    for g in statuses:
        row = confusion.get(g, {})
        lines.append(f"  {g:<{width}}" + " ".join(f"{row.get(p, 0) or '.':>9}" for p in statuses))
    return lines


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
    ]
    if metrics.get("field_errors"):
        e = metrics["field_errors"]
        lines.append("errors by field       " + "  ".join(f"{k} {v}" for k, v in e.items()))
    if metrics.get("status_confusion"):
        lines += format_confusion(metrics["status_confusion"])
    lines.append(f"triple F1 {t['f1']:.3f}")
    return "\n".join(lines)
