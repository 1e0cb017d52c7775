"""The default claim model: the linear judge over the rules' candidates, with the claim
encoder's confident claims beside it.

The linear judge keeps what the rules read exactly (the seed, dev: triple F1 0.895) but finds
about one gold claim in five on news it was not written on; the claim encoder finds half of
them, with more false ones (`benchmarks/README.md`). Together: every claim the judge keeps,
and each claim of the encoder at or above `min_confidence` (its calibrated probability) whose
(supplier, recipient, category) the judge does not give. `min_confidence` comes with the
encoder (`config.json`, "default_min_confidence"): the lowest at which its additions keep the
seed and dev at their ratchets (`tests/test_quality.py`); the frozen held-out split is not used
to choose it.
"""

from __future__ import annotations

from dataclasses import dataclass

from armstrace.neural.runtime import EncoderModel

from .claim import Claim
from .learned import ClaimModel

DEFAULT_MIN_CONFIDENCE = 0.75  # a model folder whose config.json does not say


@dataclass
class Combined:
    linear: ClaimModel | None  # None: the rules' candidates as they are
    encoder: EncoderModel
    min_confidence: float = DEFAULT_MIN_CONFIDENCE

    @classmethod
    def load(cls) -> "Combined":
        """The shipped linear judge and claim encoder."""
        model = EncoderModel.load()
        return cls(ClaimModel.load(), model, float(model.config.get("default_min_confidence", DEFAULT_MIN_CONFIDENCE)))

    def merge(self, judged: list[Claim], encoded: list[Claim]) -> list[Claim]:
        """The judge's claims, and the encoder's confident ones of other triples."""
        have = {(c.supplier, c.recipient, c.category) for c in judged}
        return judged + [c for c in encoded if c.confidence >= self.min_confidence
                         and (c.supplier, c.recipient, c.category) not in have]
