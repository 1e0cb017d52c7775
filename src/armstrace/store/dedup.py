"""Near-duplicate documents (the same story on several sites) by MinHash and LSH."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # datasketch (and the scipy it loads) is imported when first used: commands
    from datasketch import MinHash  # that never store a document start faster

NUM_PERM = 128
THRESHOLD = 0.8  # estimated Jaccard similarity of word 5-shingles above which two texts are one story
SHINGLE = 5
SCHEME = "affine64"  # stored signatures are only comparable under one hashing scheme
WORD = re.compile(r"\w+", re.UNICODE)


def signature(text: str) -> MinHash:
    from datasketch import MinHash

    words = WORD.findall(text.lower())
    shingles = {" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles if s])
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return np.asarray(minhash.hashvalues, dtype=np.uint64).tobytes()


def from_bytes(data: bytes):
    from datasketch import LeanMinHash

    return LeanMinHash(seed=1, hashvalues=np.frombuffer(data, dtype=np.uint64), scheme=SCHEME)


class NearDuplicateIndex:
    """In-memory LSH over stored signatures: which earlier document is this one a copy of?"""

    def __init__(self, threshold: float = THRESHOLD):
        self.threshold = threshold
        from datasketch import MinHashLSH

        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.signatures: dict[int, MinHash] = {}

    def add(self, doc_id: int, minhash: MinHash) -> None:
        if doc_id not in self.signatures:
            self.lsh.insert(doc_id, minhash)
            self.signatures[doc_id] = minhash

    def original_of(self, minhash: MinHash) -> int | None:
        """The earliest stored document whose text is a near-duplicate, or None."""
        candidates = [
            doc_id for doc_id in self.lsh.query(minhash)
            if self.signatures[doc_id].jaccard(minhash) >= self.threshold
        ]
        return min(candidates) if candidates else None
