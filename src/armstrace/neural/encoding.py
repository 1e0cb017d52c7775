"""Windows as encoder input, and the pair head in numpy: the same code for training and run time.

`encode` turns windows into token ids (target sentence first, context second, the context cut
first) and, for each window, the token positions of each party. `PairHead` scores every cell
(ordered party pair x category) from the encoder's hidden states: a party is the mean of its
tokens' vectors (NONE a learned vector), a pair is [CLS; supplier; recipient;
supplier*recipient] through one hidden layer, and each category adds its own vector and the
projected mean of its items' tokens in the sentence (a learned vector when it names none), and
each cell a learned vector for what the rules read of it (nothing, its triple in some status,
or its pair in another category), before the output layer gives one logit for "the cell holds a claim" (a sigmoid) and one for each status
(a softmax): as probabilities of the classes of `cells.CLASSES`, p(no claim) and
p(claim) x p(status). The torch module of `fit.py` has the same
shape and exports its weights to this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .cells import CATEGORIES, CLASSES, NONE, STATUSES, pairs
from .windows import Window

MAX_TOKENS = 96
# what the rules say of a cell, as one of the head's inputs: 0 nothing, 1 + k the cell's triple
# in status STATUSES[k], RULE_PAIR its pair in another category
RULE_PAIR = 1 + len(STATUSES)
RULE_FEATURES = RULE_PAIR + 1


def rule_features(todo: list[tuple[str, str]], rules: dict[tuple[str, str, str], str]) -> np.ndarray:
    """[pairs, categories] indices of what the rules read of each cell."""
    out = np.zeros((len(todo), len(CATEGORIES)), dtype=np.int64)
    if not rules:
        return out
    said = {(s, r) for s, r, _ in rules}
    for p, (s, r) in enumerate(todo):
        if (s, r) not in said:
            continue
        for c, category in enumerate(CATEGORIES):
            status = rules.get((s, r, category))
            out[p, c] = 1 + STATUSES.index(status) if status in STATUSES else RULE_PAIR
    return out


@dataclass
class Encoded:
    ids: np.ndarray  # [windows, tokens] int64
    mask: np.ndarray
    types: np.ndarray
    parties: list[dict[str, list[int]]]  # per window: code -> token positions (codes with none are dropped)
    items: list[dict[int, list[int]]]  # per window: category index -> token positions of its items
    rules: list[dict[tuple[str, str, str], str]]  # per window: what the rules read (`Window.rules`)
    roles: list[dict[str, int]]  # per window: party code -> its role (`Window.roles`)


def load_tokenizer(path: str | Path, max_tokens: int = MAX_TOKENS):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.enable_truncation(max_length=max_tokens, strategy="longest_first")
    return tok


def encode(tokenizer, windows: list[Window]) -> Encoded:
    encodings = tokenizer.encode_batch([(w.target, w.context or ".") for w in windows])
    width = max((len(e.ids) for e in encodings), default=1)
    n = len(windows)
    ids = np.zeros((n, width), dtype=np.int64)
    mask = np.zeros((n, width), dtype=np.int64)
    types = np.zeros((n, width), dtype=np.int64)
    parties: list[dict[str, list[int]]] = []
    items: list[dict[int, list[int]]] = []

    def positions(e, spans) -> list[int]:
        seqs, out = e.sequence_ids, []
        for seg, s, t in spans:
            out += [i for i, (seq, (a, b)) in enumerate(zip(seqs, e.offsets)) if seq == seg and a < t and s < b]
        return sorted(set(out))

    for k, (w, e) in enumerate(zip(windows, encodings)):
        length = len(e.ids)
        ids[k, :length] = e.ids
        mask[k, :length] = 1
        types[k, :length] = e.type_ids
        found: dict[str, list[int]] = {}
        for code, spans in w.parties.items():
            at = positions(e, spans)
            if at:
                found[code] = at
        parties.append(found)
        named: dict[int, list[int]] = {}
        for category, spans in (w.items or {}).items():
            at = positions(e, spans)
            if at and category in CATEGORIES:
                named[CATEGORIES.index(category)] = at
        items.append(named)
    return Encoded(ids, mask, types, parties, items, [w.rules for w in windows], [w.roles for w in windows])


def _gelu(x: np.ndarray) -> np.ndarray:  # the tanh form, as torch's GELU(approximate="tanh")
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))


class PairHead:
    """The cell scorer in numpy: weights from `fit.py`'s `Head` (`head.npz`)."""

    def __init__(self, weights: dict[str, np.ndarray]):
        self.none = weights["none"].astype(np.float32)
        self.w1, self.b1 = weights["w1"].astype(np.float32), weights["b1"].astype(np.float32)
        self.cat = weights["cat"].astype(np.float32)
        self.no_item = weights["no_item"].astype(np.float32)
        self.w3, self.b3 = weights["w3"].astype(np.float32), weights["b3"].astype(np.float32)
        self.w2, self.b2 = weights["w2"].astype(np.float32), weights["b2"].astype(np.float32)
        # a model trained without the rules' reading as an input has no such vectors
        self.rule = weights["rule"].astype(np.float32) if "rule" in weights else None
        # nor one trained without the parties' roles
        self.role = weights["role"].astype(np.float32) if "role" in weights else None

    def cells(self, hidden: np.ndarray, parties: dict[str, list[int]],
              items: dict[int, list[int]] | None = None, rules: dict[tuple[str, str, str], str] | None = None,
              roles: dict[str, int] | None = None) -> tuple[list[tuple[str, str]], np.ndarray]:
        """One window's pairs and their class probabilities [pairs, categories, classes]."""
        vectors = {code: hidden[pos].mean(axis=0) for code, pos in parties.items()}
        if self.role is not None:
            vectors = {code: v + self.role[(roles or {}).get(code, 0)] for code, v in vectors.items()}
        vectors[NONE] = self.none
        todo = pairs(list(parties))
        if not todo:
            return [], np.zeros((0, len(CATEGORIES), len(CLASSES)), dtype=np.float32)
        s = np.stack([vectors[a] for a, _ in todo])
        r = np.stack([vectors[b] for _, b in todo])
        cls = np.repeat(hidden[0][None, :], len(todo), axis=0)
        h = _gelu(np.concatenate([cls, s, r, s * r], axis=1) @ self.w1.T + self.b1)
        named = np.repeat(self.no_item[None, :], len(CATEGORIES), axis=0)  # each category's items, pooled
        for c, pos in (items or {}).items():
            named[c] = hidden[pos].mean(axis=0)
        per_category = self.cat + named @ self.w3.T + self.b3  # [categories, size]
        pre = h[:, None, :] + per_category[None, :, :]
        if self.rule is not None:
            pre = pre + self.rule[rule_features(todo, rules or {})]
        z = _gelu(pre) @ self.w2.T + self.b2  # [pairs, categories, 1 + statuses]
        claim = 1.0 / (1.0 + np.exp(-z[..., :1]))  # the cell holds a claim
        status = z[..., 1:] - z[..., 1:].max(axis=-1, keepdims=True)
        status = np.exp(status)
        status /= status.sum(axis=-1, keepdims=True)  # its status, if it does
        return todo, np.concatenate([1.0 - claim, claim * status], axis=-1)
