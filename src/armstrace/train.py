"""`armstrace train`: the learned layer of extraction, rebuilt from labelled documents.

    from armstrace.train import train
    report = train(out="claims.json")                       # the shipped labels
    report = train(label_files=["my-labels.jsonl"], out="claims.json")   # plus a team's own

Labels are JSON Lines, one document a line (`data/training/README.md`):
``{"id", "corpus", "claims": [{supplier, recipient, category, status, designation,
attribution, evidence: {field, start, end}}]}``. The texts are not in the labels: each
`corpus` name is looked up in ../shared/corpus beside the checkout (train, stream, pool, dev,
seed), in the document files given as ``--docs NAME=PATH``, or in FILE.docs.jsonl beside a
label file FILE.jsonl (what `armstrace review export` writes: an analyst team's reviews
become labels, so that their corrections teach the model).

The rules propose candidate claims on every labelled document; a candidate is right when its
(supplier, recipient, category) is one the labels give that document. A logistic model over
named features learns which candidates are right (probabilities calibrated by isotonic
regression on out-of-fold predictions, a threshold chosen on them for the best triple F1),
and a softmax model learns their status. Documents listed in `data/training/heldout.txt`
are never trained on: the scores printed are theirs. Deterministic for a seed; CPU only.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]  # the checkout (src/armstrace/train.py)
TRAINING = ROOT / "data" / "training"
SHIPPED_LABELS = TRAINING / "labels"
HELD_OUT = TRAINING / "heldout.txt"
SHARED = ROOT.parent / "shared"
CORPUS_FILES = {
    "train": "corpus/train/docs.jsonl", "stream": "corpus/stream/reuters21578.jsonl",
    "pool": "corpus/pool/docs.jsonl", "dev": "corpus/dev/docs.jsonl", "seed": "corpus/seed/seed.jsonl",
    "train2": "corpus/train2/docs.jsonl",
}
DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "model" / "claims.json"
CURVE_SIZES = (250, 500, 1000)


class TrainingError(Exception):
    """Training cannot go on: missing labels or texts, a bad label file."""


@dataclass
class Example:
    key: tuple[str, str]  # (corpus, document id)
    features: dict[str, float]
    right: bool
    gold_status: str | None
    claim: Any


@dataclass
class TrainReport:
    documents: int = 0
    training_documents: int = 0
    held_out_documents: int = 0
    candidates: int = 0
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # "rules" / "model" -> metrics
    curve: list[tuple[str, int, float]] = field(default_factory=list)  # (label, documents, held-out triple F1)
    out: str | None = None

    def lines(self) -> list[str]:
        out = [f"labelled documents: {self.documents} ({self.training_documents} to train on, "
               f"{self.held_out_documents} held out); candidate claims: {self.candidates}"]
        for name, metrics in self.scores.items():
            shown = "  ".join(f"{k} {v:.3f}" for k, v in metrics.items())
            out.append(f"held-out, {name}: {shown}")
        if self.curve:
            out.append("learning curve (held-out triple F1):")
            out += [f"  {label:<16} {n:>5} documents  {f1:.3f}" for label, n, f1 in self.curve]
        if self.out:
            out.append(f"model written to {self.out}")
        return out


# -- labels and texts ----------------------------------------------------------------------

def read_labels(paths: Iterable[str | Path]) -> dict[tuple[str, str], list[dict]]:
    """(corpus, id) -> gold claims, from label files (later files win for the same document)."""
    labels: dict[tuple[str, str], list[dict]] = {}
    for path in paths:
        path = Path(path)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as err:
            raise TrainingError(f"cannot read label file {path}: {err.strerror or err}") from None
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                key = (str(record["corpus"]), str(record["id"]))
                claims = list(record["claims"])
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise TrainingError(f"{path}:{number}: not a label record ({type(err).__name__}: {err}); "
                                    "expected {\"id\", \"corpus\", \"claims\": [...]}") from None
            labels[key] = claims
    return labels


def docs_beside(labels: str | Path) -> Path | None:
    """The documents file beside a label file (FILE.docs.jsonl for FILE.jsonl), if there is one."""
    from .review_export import docs_path

    path = docs_path(labels)
    return path if path.exists() else None


def shipped_label_files() -> list[Path]:
    """The project's labels: every labels/*.jsonl but the second annotations (double*.jsonl);
    adjudicated*.jsonl (the verdicts where two annotators disagreed) last, so that they win."""
    files = sorted(p for p in SHIPPED_LABELS.glob("*.jsonl") if not p.name.startswith(("double", "adjudicated")))
    return files + sorted(SHIPPED_LABELS.glob("adjudicated*.jsonl"))


def held_out_keys(path: Path = HELD_OUT) -> set[tuple[str, str]]:
    if not path.exists():
        return set()
    return {tuple(line.split("\t")) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def read_documents(keys: set[tuple[str, str]], docs: dict[str, str] | None = None,
                   shared: Path = SHARED) -> dict[tuple[str, str], Any]:
    """The `Document`s of the labelled keys, read from their corpus files."""
    from .ingest import read_inputs

    files = {name: shared / rel for name, rel in CORPUS_FILES.items()}
    files.update({name: Path(path) for name, path in (docs or {}).items()})
    wanted: dict[str, set[str]] = defaultdict(set)
    for corpus, doc_id in keys:
        wanted[corpus].add(doc_id)
    found: dict[tuple[str, str], Any] = {}
    for corpus, ids in sorted(wanted.items()):
        path = files.get(corpus)
        if path is None or not path.exists():
            raise TrainingError(f"labels name corpus {corpus!r} but its documents are not at {path}: "
                                f"give them with --docs {corpus}=FILE")
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as subset:
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    if line.strip() and json.loads(line).get("id") in ids:
                        subset.write(line)
        for doc in read_inputs([subset.name], on_problem=lambda p: None):
            found[(corpus, doc.id)] = doc
        Path(subset.name).unlink()
    return found


# -- candidates ----------------------------------------------------------------------------

def candidates(documents: dict[tuple[str, str], Any], labels: dict[tuple[str, str], list[dict]],
               progress: Callable[[int], None] | None = None, cooccurrence: bool = True) -> list[Example]:
    """Rule candidates of every document with their features and whether the labels agree."""
    from .extract.learned import featurise
    from .extract.pipeline import Extractor
    from .nlp import get_nlp, normalise

    nlp = get_nlp()
    rules = Extractor(model=None)
    keys = sorted(documents)
    texts = ((normalise(documents[k].full_text or ""), k) for k in keys)
    examples: list[Example] = []
    for n, (spdoc, key) in enumerate(nlp.pipe(texts, as_tuples=True, batch_size=32), 1):
        doc = documents[key]
        claims = rules.candidates(spdoc, doc.id, doc.full_text or "", doc.published,
                                  cooccurrence=cooccurrence, fill=cooccurrence)
        gold: dict[tuple, list[str]] = defaultdict(list)
        for g in labels[key]:
            gold[(g.get("supplier"), g.get("recipient"), g.get("category"))].append(g.get("status"))
        for claim, features in featurise(claims, spdoc, rules):
            triple = (claim.supplier, claim.recipient, claim.category)
            statuses = gold.get(triple, [])
            status = claim.status if claim.status in statuses else (statuses[0] if statuses else None)
            examples.append(Example(key, features, bool(statuses), status, claim))
        if progress:
            progress(n)
    return examples


# -- fitting -------------------------------------------------------------------------------

ACCEPT_C = 0.1  # L2 strength of the accept head (chosen by 5-fold cross-validation on the training documents)
STATUS_C = 0.5


def _fit_head(examples: list[Example], labels: list[str], seed: int, c: float = STATUS_C):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from .extract.learned import LinearHead

    vec = DictVectorizer()
    x = vec.fit_transform([e.features for e in examples])
    classes = sorted(set(labels))
    if len(classes) < 2:
        return None
    lr = LogisticRegression(C=c, max_iter=2000, random_state=seed, solver="lbfgs")
    lr.fit(x, labels)
    names = vec.get_feature_names_out()
    weights: dict[str, dict[str, float]] = {}
    rows = [(lr.classes_[1], lr.coef_[0], lr.intercept_[0])] if len(lr.classes_) == 2 else \
        [(cls, lr.coef_[i], lr.intercept_[i]) for i, cls in enumerate(lr.classes_)]
    for cls, coef, intercept in rows:
        w = {str(names[j]): round(float(v), 5) for j, v in enumerate(coef) if abs(v) >= 1e-4}
        w["__bias__"] = round(float(intercept), 5)
        weights[str(cls)] = w
    return LinearHead([str(c) for c in lr.classes_], weights)


def fit(examples: list[Example], seed: int = 0, folds: int = 5):
    """The claim model for these examples: accept head, isotonic calibration and threshold
    from out-of-fold predictions, status head and its margin."""
    from sklearn.isotonic import IsotonicRegression

    from .extract.learned import ClaimModel

    docs = sorted({e.key for e in examples})
    rng = random.Random(seed)
    rng.shuffle(docs)
    fold_of = {k: i % folds for i, k in enumerate(docs)}
    oof: list[float] = [0.0] * len(examples)
    oof_status: list[dict[str, float] | None] = [None] * len(examples)
    for fold in range(folds):
        train = [e for e in examples if fold_of[e.key] != fold]
        head = _fit_head(train, ["yes" if e.right else "no" for e in train], seed, c=ACCEPT_C)
        right = [e for e in train if e.right and e.gold_status]
        status_head = _fit_head(right, [e.gold_status for e in right], seed) if right else None
        for i, e in enumerate(examples):
            if fold_of[e.key] == fold:
                oof[i] = head.probabilities(e.features)["yes"] if head else 0.5
                oof_status[i] = status_head.probabilities(e.features) if status_head else None
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(oof, [1.0 if e.right else 0.0 for e in examples])
    calibration = [(round(float(x), 5), round(float(y), 5)) for x, y in zip(iso.X_thresholds_, iso.y_thresholds_)]
    calibrated = [float(p) for p in iso.predict(oof)]
    threshold = _best_threshold(examples, calibrated)
    margin = _best_margin(examples, calibrated, threshold, oof_status)
    head = _fit_head(examples, ["yes" if e.right else "no" for e in examples], seed, c=ACCEPT_C)
    right = [e for e in examples if e.right and e.gold_status]
    status_head = _fit_head(right, [e.gold_status for e in right], seed) if right else None
    return ClaimModel(accept=head, status=status_head, threshold=threshold, status_margin=margin,
                      calibration=calibration)


def _best_threshold(examples: list[Example], probs: list[float]) -> float:
    """The threshold with the best document-level triple F1 on out-of-fold predictions."""
    best, best_f1 = 0.0, -1.0
    for t in [x / 100 for x in range(0, 80, 2)]:
        kept = {(e.key, _triple(e.claim)) for e, p in zip(examples, probs) if p >= t}
        right = {(e.key, _triple(e.claim)) for e in examples if e.right}
        tp = len(kept & right)
        f1 = 2 * tp / (len(kept) + len(right)) if kept or right else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = t, f1
    return best


def _best_margin(examples, probs, threshold, status_probs) -> float:
    """How much surer than the rules the status head must be to overrule them (out of fold)."""
    best, best_right = 10.0, -1
    for margin in (0.0, 0.1, 0.2, 0.3, 0.5, 10.0):
        right = 0
        for e, p, sp in zip(examples, probs, status_probs):
            if p < threshold or not e.right or not e.gold_status:
                continue
            status = e.claim.status
            if sp:
                top = max(sp, key=sp.get)
                if top != status and sp[top] - sp.get(status, 0.0) > margin:
                    status = top
            right += status == e.gold_status
        if right > best_right:
            best, best_right = margin, right
    return best


def _triple(claim) -> tuple:
    return (claim.supplier, claim.recipient, claim.category)


# -- scoring -------------------------------------------------------------------------------

def predict(model, examples: list[Example]) -> dict[tuple[str, str], list[dict]]:
    """Claims the model keeps (None: the rules' own candidates), per document, as `extract
    --format jsonl` would print them (the model judges each as `ClaimModel.apply` does)."""
    from .extract.learned import candidate_kind

    out: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for e in examples:
        claim = dict(e.claim.to_dict()) if hasattr(e.claim, "to_dict") else dict(e.claim)
        if model is None and candidate_kind(claim["rule"]) != "rule":
            continue  # the rules alone: their own candidates only
        if model is not None:
            p, claim["status"] = model.judge(e.features, claim["status"], claim["rule"])
            if p < model.threshold:
                continue
            claim["confidence"] = round(p, 3)
        out[e.key].append(claim)
    return out


def score(labels: dict[tuple[str, str], list[dict]], predicted: dict[tuple[str, str], list[dict]],
          keys: Iterable[tuple[str, str]]) -> dict[str, float]:
    """The scorer's metrics (`../shared/eval/score.py` when present, else triple P/R/F1 here)."""
    keys = sorted(keys)
    scorer = SHARED / "eval" / "score.py"
    if scorer.exists():
        with tempfile.TemporaryDirectory() as folder:
            gold_path, pred_path = Path(folder) / "gold.jsonl", Path(folder) / "pred.jsonl"
            with gold_path.open("w", encoding="utf-8") as gold:
                for key in keys:
                    gold.write(json.dumps({"id": f"{key[0]}:{key[1]}", "claims": labels[key]}) + "\n")
            with pred_path.open("w", encoding="utf-8") as pred:
                for key in keys:
                    for claim in predicted.get(key, []):
                        pred.write(json.dumps({**claim, "doc": f"{key[0]}:{key[1]}"}) + "\n")
            out = subprocess.run([sys.executable, str(scorer), "--gold", str(gold_path), "--pred", str(pred_path),
                                  "--json"], capture_output=True, text=True, check=False)
            if out.returncode == 0:
                try:
                    return _flatten(json.loads(out.stdout))
                except json.JSONDecodeError:
                    pass
    tp, fp, fn = triple_counts(labels, predicted, keys)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"triple_precision": p, "triple_recall": r, "triple_f1": 2 * p * r / (p + r) if p + r else 0.0}


def triple_counts(labels: dict[tuple[str, str], list[dict]], predicted: dict[tuple[str, str], list[dict]],
                  keys: Iterable[tuple[str, str]]) -> tuple[int, int, int]:
    """(true positive, false positive, missed) (supplier, recipient, category) triples."""
    tp = fp = fn = 0
    for key in keys:
        gold = {(g.get("supplier"), g.get("recipient"), g.get("category")) for g in labels[key]}
        pred = {(c["supplier"], c["recipient"], c["category"]) for c in predicted.get(key, [])}
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
    return tp, fp, fn


def _flatten(data: dict, prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for k, v in data.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}_"))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[f"{prefix}{k}"] = float(v)
    return out


KEY_METRICS = ("triple_precision", "triple_recall", "triple_f1", "strict_f1", "status_accuracy",
               "attribution_recall", "false_alarm_documents", "negative_documents")


def _short(metrics: dict[str, float]) -> dict[str, float]:
    picked = {k: metrics[k] for k in KEY_METRICS if k in metrics}
    return picked or metrics


# -- the command ---------------------------------------------------------------------------

def train(label_files: Iterable[str | Path] = (), *, shipped: bool = True, docs: dict[str, str] | None = None,
          out: str | Path | None = DEFAULT_OUT, seed: int = 0, curve: bool = True,
          held_out: set[tuple[str, str]] | None = None, cooccurrence: bool = True,
          examples: list[Example] | None = None,
          log: Callable[[str], None] = lambda line: None) -> TrainReport:
    """Train the claim model on the shipped labels (unless `shipped=False`) and `label_files`,
    score it on the held-out documents, and write it to `out`."""
    files = (shipped_label_files() if shipped else []) + [Path(p) for p in label_files]
    if not files:
        raise TrainingError("no label files: the shipped labels are missing and none were given")
    labels = read_labels(files)
    docs = dict(docs or {})
    for path in label_files:  # `armstrace review export` writes the texts beside its labels
        beside = docs_beside(path)
        if beside is not None:
            for corpus in {key[0] for key in read_labels([path])}:
                docs.setdefault(corpus, str(beside))
    held = held_out_keys() if held_out is None else held_out
    if examples is None:
        log(f"reading {len(labels)} labelled documents")
        documents = read_documents(set(labels), docs)
        missing = set(labels) - set(documents)
        if missing:
            log(f"{len(missing)} labelled documents not found in their corpus files, e.g. {sorted(missing)[:3]}; left out")
        log("proposing candidates with the rules")
        examples = candidates(documents, labels, cooccurrence=cooccurrence)
    else:  # candidates computed before (the same labels): the documents are theirs
        documents = {key: None for key in labels}
    train_ex = [e for e in examples if e.key not in held]
    test_keys = [k for k in documents if k in held]
    train_keys = [k for k in documents if k not in held]
    test_ex = [e for e in examples if e.key in held]
    report = TrainReport(documents=len(documents), training_documents=len(train_keys),
                         held_out_documents=len(test_keys), candidates=len(examples))
    log(f"fitting on {len(train_keys)} documents ({len(train_ex)} candidates)")
    model = fit(train_ex, seed=seed)
    if test_keys:
        report.scores["rules"] = _short(score(labels, predict(None, test_ex), test_keys))
        report.scores["model"] = _short(score(labels, predict(model, test_ex), test_keys))
        if curve:
            report.curve.append(("rules alone", 0, report.scores["rules"].get("triple_f1", 0.0)))
            rng = random.Random(seed)
            order = sorted(train_keys)
            rng.shuffle(order)
            for size in [s for s in CURVE_SIZES if s < len(order)] + [len(order)]:
                subset = set(order[:size])
                part = fit([e for e in train_ex if e.key in subset], seed=seed) if size < len(order) else model
                f1 = score(labels, predict(part, test_ex), test_keys).get("triple_f1", 0.0)
                report.curve.append(("model" if size == len(order) else "model, subset", size, f1))
    model.info = {"cooccurrence": cooccurrence, "fill": cooccurrence, "labelled_documents": len(documents), "training_documents": len(train_keys),
                  "held_out_documents": len(test_keys), "seed": seed,
                  "label_files": [p.name for p in files], "held_out_scores": report.scores,
                  "learning_curve": report.curve}
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        model.save(out)
        report.out = str(out)
    return report
