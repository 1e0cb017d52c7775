"""`armstrace train`, the claim encoder: labelled documents -> windows and their gold cells ->
a fine-tuned encoder (`armstrace.neural.fit`, torch) -> int8 ONNX in a model folder.

    from armstrace.train_encoder import encoder_examples, train_encoder
    report = train_encoder(out="my-model/")             # the shipped labels
    report = train_encoder(["my-labels.jsonl"], out=...)  # plus a team's own

The documents are parsed by the same pipeline extraction uses and cut into the same windows
(`armstrace.neural.windows`); each labelled claim is placed on the window of its evidence
(`armstrace.neural.cells`). Documents in `data/training/heldout.txt` are never trained on:
the scores printed are theirs.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .neural.cells import Coverage, WindowCells, gold_cells
from .neural.windows import Window, build_windows
from .train import (TrainingError, docs_beside, held_out_keys, read_documents, read_labels, shipped_label_files,
                    triple_counts)


@dataclass
class DocExample:
    key: tuple[str, str]  # (corpus, id)
    windows: list[Window]
    cells: list[WindowCells]
    published: str | None = None


def encoder_examples(documents: dict[tuple[str, str], Any], labels: dict[tuple[str, str], list[dict]],
                     coverage: Coverage | None = None,
                     progress: Callable[[int], None] | None = None,
                     windows_cache: dict[tuple[str, str], list[Window]] | None = None) -> list[DocExample]:
    """Windows and gold cells of every labelled document. `windows_cache` (key -> windows) saves
    parsing a document again; the documents parsed here are added to it."""
    from .extract.encoded import windows_of
    from .extract.pipeline import RULES, get_extractor
    from .nlp import get_nlp, normalise
    from .nlp.long_docs import is_long, parse

    cache = windows_cache if windows_cache is not None else {}
    todo = sorted(k for k in documents if k not in cache)
    if todo:
        nlp = get_nlp()
        rules = get_extractor(RULES)

        def windows(spdoc, key):  # as extraction makes them: with the rules' reading of each sentence
            published = documents[key].published
            return windows_of(spdoc, published, rule_claims=rules.rule_claims(spdoc, key[1], None, published))

        def texts():
            for key in todo:
                text = normalise(documents[key].full_text or "")
                if is_long(text):
                    cache[key] = windows(parse(nlp, text), key)
                else:
                    yield text, key

        for n, (spdoc, key) in enumerate(nlp.pipe(texts(), as_tuples=True, batch_size=32), 1):
            cache[key] = windows(spdoc, key)
            if progress:
                progress(n)
    out = []
    for key in sorted(documents):
        doc = documents[key]
        cells = gold_cells(cache[key], labels.get(key, []), doc.title, doc.text or "", coverage)
        out.append(DocExample(key, cache[key], cells, doc.published))
    return out


SYNTHETIC = Path(__file__).resolve().parents[2] / "data" / "training" / "synthetic"


def synthetic_files() -> dict[str, tuple[Path, Path]]:
    """The synthetic training texts the team wrote (data/training/synthetic/): corpus name ->
    (labels, documents). Never held out; trained on only when asked (`synthetic=True`)."""
    out = {}
    for labels in sorted(SYNTHETIC.glob("*.labels.jsonl")):
        name = labels.name.removesuffix(".labels.jsonl")
        docs = SYNTHETIC / f"{name}.docs.jsonl"
        if docs.exists():
            out[name] = (labels, docs)
    return out


def labelled(label_files: Iterable[str | Path] = (), shipped: bool = True,
             docs: dict[str, str] | None = None, synthetic: bool = False) -> tuple[dict, dict]:
    """(labels, documents) of the shipped labels, a team's own files and, with `synthetic`,
    the synthetic texts."""
    files = (shipped_label_files() if shipped else []) + [Path(p) for p in label_files]
    docs = dict(docs or {})
    if synthetic:
        for name, (labels_path, docs_path) in synthetic_files().items():
            files.append(labels_path)
            docs.setdefault(name, str(docs_path))
    if not files:
        raise TrainingError("no label files: the shipped labels are missing and none were given")
    labels = read_labels(files)
    for path in label_files:
        beside = docs_beside(path)
        if beside is not None:
            for corpus in {key[0] for key in read_labels([path])}:
                docs.setdefault(corpus, str(beside))
    documents = read_documents(set(labels), docs)
    return labels, documents


# -- splits, decoding, scoring -------------------------------------------------------------

def dev_split(key: tuple[str, str], share: float = 0.1) -> bool:
    """The training documents set aside to choose the threshold and calibrate (a salted hash of
    the text, so the windows of one long text stay together; not the frozen held-out split)."""
    import hashlib
    import re

    text = re.sub(r"_w\d+$", "", key[1])
    digest = hashlib.sha256(f"armstrace-encoder-dev:{key[0]}:{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64 < share


def window_probabilities(model, examples: list[DocExample]):
    """(example index, window index, pairs, probabilities) for every window, by the ONNX model."""
    flat = [(i, k, w) for i, e in enumerate(examples) for k, w in enumerate(e.windows)]
    probs = model.probabilities([w for _, _, w in flat])
    return [(i, k, todo, p) for (i, k, _), (todo, p) in zip(flat, probs)]


def decode(examples: list[DocExample], scored, threshold: float, calibration=None) -> dict:
    """Per document key: claims (supplier, recipient, category, status, confidence), one per
    triple and status, as extraction would give them."""
    from .neural.runtime import cells_over

    out: dict[tuple[str, str], dict[tuple, dict]] = {e.key: {} for e in examples}
    for i, _k, todo, probs in scored:
        found = out[examples[i].key]
        for cell in cells_over(todo, probs, threshold, calibration or []):
            key = (cell.supplier, cell.recipient, cell.category, cell.status)
            if key not in found or found[key]["confidence"] < cell.probability:
                found[key] = {"supplier": cell.supplier, "recipient": cell.recipient, "category": cell.category,
                              "status": cell.status, "confidence": cell.probability, "raw": cell.raw}
    return {key: list(v.values()) for key, v in out.items()}


def best_threshold(examples, scored, labels) -> float:
    """The threshold of the best triple F1 on these documents."""
    best, chosen = -1.0, 0.5
    keys = [e.key for e in examples]
    for t in [x / 100 for x in range(10, 95, 5)]:
        f1 = _triple_f1(labels, decode(examples, scored, t), keys)
        if f1 > best + 1e-9:
            best, chosen = f1, t
    return chosen


def _triple_f1(labels, predicted, keys) -> float:
    tp, fp, fn = triple_counts(labels, predicted, keys)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def calibration_points(examples, scored, labels, threshold: float) -> list[list[float]]:
    """Isotonic regression of 'the triple is one the labels give' on the raw probability of
    the cells at or above the threshold, as a piecewise-linear map."""
    from sklearn.isotonic import IsotonicRegression

    xs, ys = [], []
    for key, claims in decode(examples, scored, threshold).items():
        gold = {(g.get("supplier"), g.get("recipient"), g.get("category")) for g in labels[key]}
        for c in claims:
            xs.append(c["raw"])
            ys.append(1.0 if (c["supplier"], c["recipient"], c["category"]) in gold else 0.0)
    if len(set(ys)) < 2:
        return []
    iso = IsotonicRegression(y_min=0.01, y_max=0.99, out_of_bounds="clip").fit(xs, ys)
    # the fitted steps, as points (at most 60, evenly through them), from the threshold up
    xs_fit, ys_fit = list(iso.X_thresholds_), list(iso.y_thresholds_)
    step = max(1, len(xs_fit) // 60)
    points = [[round(float(x), 5), round(float(y), 4)] for x, y in list(zip(xs_fit, ys_fit))[::step]]
    if points and points[-1][0] < float(xs_fit[-1]):
        points.append([round(float(xs_fit[-1]), 5), round(float(ys_fit[-1]), 4)])
    return points


@dataclass
class EncoderReport:
    documents: int = 0
    training_documents: int = 0
    dev_documents: int = 0
    held_out_documents: int = 0
    coverage: Coverage | None = None
    threshold: float = 0.5
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    curve: list[tuple[str, int, float]] = field(default_factory=list)
    seconds: float = 0.0
    out: str | None = None

    def lines(self) -> list[str]:
        out = [f"labelled documents: {self.documents} ({self.training_documents} to train on, {self.dev_documents} "
               f"to choose the threshold, {self.held_out_documents} held out)"]
        if self.coverage is not None:
            c = self.coverage
            out.append(f"candidate windows hold {c.held} of {c.claims} labelled triples ({c.share():.1%}); "
                       f"{c.no_window} not in a window, {c.no_party} with a party outside the window's")
        out.append(f"threshold {self.threshold:.2f}; fine-tuning and export took {self.seconds:.0f} s")
        for name, metrics in self.scores.items():
            out.append(f"held-out, {name}: " + "  ".join(f"{k} {v:.3f}" for k, v in metrics.items()))
        if self.curve:
            out.append("learning curve (held-out triple F1):")
            out += [f"  {label:<16} {n:>5} documents  {f1:.3f}" for label, n, f1 in self.curve]
        if self.out:
            out.append(f"model written to {self.out}")
        return out


def held_out_parts(keys) -> dict[str, list]:
    """The held-out split's two parts, scored apart: the old one (train, stream, pool rounds)
    and the new one (train2)."""
    return {"old part": [k for k in keys if k[0] != "train2"], "new part (train2)": [k for k in keys if k[0] == "train2"]}


def _share(examples: list[DocExample], size: int, seed: int) -> list[DocExample]:
    """A seeded random `size` of the documents, the same whatever their order."""
    order = sorted(examples, key=lambda e: e.key)
    random.Random(seed).shuffle(order)
    return order[:size]


def train_encoder(label_files: Iterable[str | Path] = (), *, shipped: bool = True,
                  docs: dict[str, str] | None = None, synthetic: bool = True, out: str | Path | None = None, settings=None,
                  held_out: set[tuple[str, str]] | None = None, exclude_corpora: Iterable[str] = (),
                  examples: list[DocExample] | None = None, labels: dict | None = None,
                  limit_documents: int | None = None, curve: tuple[float, ...] = (),
                  log: Callable[[str], None] = lambda line: None) -> EncoderReport:
    """Fine-tune the claim encoder on the labelled documents (not the held-out ones, not
    `exclude_corpora`), choose its threshold and calibration on a dev share of them, export it to
    `out` (a folder) and score it on the held-out documents."""
    import tempfile
    import time

    from .neural.fit import FitSettings, export, fit
    from .neural.runtime import EncoderModel
    from .train import _short, score

    started = time.monotonic()
    report = EncoderReport()
    if examples is None:
        labels, documents = labelled(label_files, shipped, docs, synthetic=synthetic and shipped)
        log(f"reading and parsing {len(documents)} labelled documents")
        report.coverage = Coverage()
        examples = encoder_examples(documents, labels, report.coverage)
    held = held_out_keys() if held_out is None else held_out
    excluded = set(exclude_corpora)
    test = [e for e in examples if e.key in held]
    rest = [e for e in examples if e.key not in held and e.key[0] not in excluded]
    dev = [e for e in rest if dev_split(e.key)]
    train = [e for e in rest if not dev_split(e.key)]
    settings = settings or FitSettings()
    if limit_documents is not None:  # a seeded random share (a point of the learning curve)
        train = sorted(_share(train, limit_documents, settings.seed), key=lambda e: e.key)
    report.documents, report.training_documents = len(examples), len(train)
    report.dev_documents, report.held_out_documents = len(dev), len(test)

    def one(train_part, folder):
        windows = [w for e in train_part for w in e.windows]
        cells = [c for e in train_part for c in e.cells]
        model = fit(windows, cells, settings, log=log)
        export(model, folder, {})
        runtime = EncoderModel.load(folder, threads=settings.threads)
        scored_dev = window_probabilities(runtime, dev)
        threshold = best_threshold(dev, scored_dev, labels) if dev else 0.5
        calibration = calibration_points(dev, scored_dev, labels, threshold) if dev else []
        config = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
        config.update({"threshold": threshold, "calibration": calibration})
        (Path(folder) / "config.json").write_text(json.dumps(config, indent=1, sort_keys=True), encoding="utf-8")
        return EncoderModel.load(folder, threads=settings.threads), threshold, calibration

    def held_scores(runtime, threshold, calibration) -> dict[str, dict[str, float]]:
        if not test:
            return {}
        predicted = decode(test, window_probabilities(runtime, test), threshold, calibration)
        out_scores = {"all": _short(score(labels, predicted, [e.key for e in test]))}
        for name, keys in held_out_parts([e.key for e in test]).items():
            if keys:
                out_scores[name] = _short(score(labels, predicted, keys))
        return out_scores

    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="armstrace-encoder-"))
    runtime, report.threshold, calibration = one(train, folder)
    report.seconds = time.monotonic() - started
    report.scores = held_scores(runtime, report.threshold, calibration)
    for share in curve:
        size = int(len(train) * share)
        with tempfile.TemporaryDirectory() as part_dir:
            part, t, cal = one(_share(train, size, settings.seed), part_dir)
            f1 = held_scores(part, t, cal).get("all", {}).get("triple_f1", 0.0)
        report.curve.append((f"model, {share:.0%}", size, f1))
    if report.scores:
        report.curve.append(("model, 100%", len(train), report.scores["all"].get("triple_f1", 0.0)))
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config.update({"training_documents": len(train), "dev_documents": len(dev), "held_out_documents": len(test),
                   "held_out_scores": report.scores, "learning_curve": report.curve,
                   "excluded_corpora": sorted(excluded),
                   "coverage": None if report.coverage is None else {
                       "triples": report.coverage.claims, "held": report.coverage.held}})
    (folder / "config.json").write_text(json.dumps(config, indent=1, sort_keys=True), encoding="utf-8")
    report.out = str(folder)
    return report
