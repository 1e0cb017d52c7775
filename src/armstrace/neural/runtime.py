"""The claim encoder at run time: ONNX Runtime (int8) and the tokenizer shipped beside it, no torch.

    from armstrace.neural.runtime import EncoderModel
    model = EncoderModel.load()                 # the shipped model (armstrace/data/model/encoder/)
    model = EncoderModel.load("my-model/")      # one `armstrace train` wrote
    for window, cells in zip(windows, model.score(windows)):
        for cell in cells: ...                  # Cell(supplier, recipient, category, status, probability)

A model folder holds model.onnx, tokenizer.json, head.npz and config.json (its threshold, the
calibration of its probabilities, how it was trained and its held-out scores). Results are
deterministic: one thread count, windows scored in a fixed order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .cells import CATEGORIES, CLASSES, NO_CLAIM, NONE
from .encoding import PairHead, encode, load_tokenizer
from .windows import Window

BATCH = 32
THREADS = 2  # ONNX Runtime's threads in one process: fixed, so that results do not depend on the machine


def shipped_dir() -> Path:
    return Path(str(resources.files("armstrace") / "data" / "model" / "encoder"))


class ModelError(Exception):
    """A model folder that cannot be read: it names the folder and what is wrong."""


@dataclass
class Cell:
    supplier: str | None
    recipient: str | None
    category: str
    status: str
    probability: float  # calibrated: the probability that the cell holds a claim
    raw: float = 0.0  # the model's own, before calibration


def _interpolate(x: float, points: list[list[float]]) -> float:
    """A piecewise-linear calibration map [[raw, calibrated], ...] (sorted by raw)."""
    if not points:
        return x
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def cells_over(todo: list[tuple[str, str]], probs: np.ndarray, threshold: float,
               calibration: list[list[float]]) -> list[Cell]:
    """One window's cells that hold a claim (the model's probability at or above the
    threshold), with the likeliest status and the calibrated probability."""
    cells = []
    for p, (s, r) in enumerate(todo):
        for c, category in enumerate(CATEGORIES):
            raw = 1.0 - float(probs[p, c, NO_CLAIM])
            if raw < threshold:
                continue
            status = CLASSES[1 + int(np.argmax(probs[p, c, 1:]))]
            cells.append(Cell(s or None, r or None, category, status, _interpolate(raw, calibration), raw))
    return cells


class EncoderModel:
    def __init__(self, folder: Path, session, tokenizer, head: PairHead, config: dict):
        self.folder, self.session, self.tokenizer, self.head, self.config = folder, session, tokenizer, head, config
        self.threshold = float(config.get("threshold", 0.5))
        self.calibration = config.get("calibration", [])

    @classmethod
    def load(cls, folder: str | Path | None = None, threads: int = THREADS) -> "EncoderModel":
        import onnxruntime

        folder = Path(folder) if folder is not None else shipped_dir()
        missing = [n for n in ("model.onnx", "tokenizer.json", "head.npz", "config.json") if not (folder / n).exists()]
        if missing:
            raise ModelError(f"{folder} is no claim-encoder folder: {', '.join(missing)} missing "
                             "(`armstrace train` writes one)")
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            session = onnxruntime.InferenceSession(str(folder / "model.onnx"), options,
                                                   providers=["CPUExecutionProvider"])
            with np.load(folder / "head.npz") as weights:
                head = PairHead(dict(weights))
            tokenizer = load_tokenizer(folder / "tokenizer.json", int(config.get("max_tokens", 96)))
        except (OSError, ValueError, KeyError) as err:
            raise ModelError(f"{folder}: cannot read the claim encoder ({type(err).__name__}: {err})") from None
        except Exception as err:  # onnxruntime raises its own exception types
            raise ModelError(f"{folder}: cannot read the claim encoder ({err})") from None
        return cls(folder, session, tokenizer, head, config)

    def hidden(self, windows: list[Window]):
        enc = encode(self.tokenizer, windows)
        out = self.session.run(["hidden"], {"input_ids": enc.ids, "attention_mask": enc.mask,
                                            "token_type_ids": enc.types})[0]
        return enc, out

    def probabilities(self, windows: list[Window]) -> list[tuple[list[tuple[str, str]], np.ndarray]]:
        """For each window: its pairs and their class probabilities [pairs, categories, classes]."""
        out = []
        # windows of like length together: less padding (the order of the results is the input's);
        # a window that offers no party can hold no claim and is not read
        order = sorted((k for k in range(len(windows)) if windows[k].parties),
                       key=lambda k: len(windows[k].target) + len(windows[k].context))
        empty = ([], np.zeros((0, len(CATEGORIES), len(CLASSES)), dtype=np.float32))
        results: dict[int, tuple] = {}
        for i in range(0, len(order), BATCH):
            part = order[i:i + BATCH]
            enc, hidden = self.hidden([windows[k] for k in part])
            for j, k in enumerate(part):
                results[k] = self.head.cells(hidden[j], enc.parties[j], enc.items[j], enc.rules[j], enc.roles[j])
        for k in range(len(windows)):
            out.append(results.get(k, empty))
        return out

    def score(self, windows: list[Window], threshold: float | None = None) -> list[list[Cell]]:
        """The cells of each window that hold a claim (probability at or above the threshold)."""
        threshold = self.threshold if threshold is None else threshold
        return [cells_over(todo, probs, threshold, self.calibration) for todo, probs in self.probabilities(windows)]
