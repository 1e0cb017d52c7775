"""Near-duplicate documents (the same story on several sites) by MinHash and LSH, with the
LSH index in the database, so memory stays flat however many documents are stored.

Each original document (not a copy) with a signature has one row a band in `minhash_bands`:
the signature's 128 values cut in `BANDS` bands of `ROWS` values, each band hashed to a
64-bit key. A new document's candidates are the originals sharing a band key with it; the
earliest whose estimated Jaccard similarity reaches `THRESHOLD` is the one it copies. The
bands are the ones datasketch's `MinHashLSH` chooses for this threshold (a test holds it), so
the same documents are found as with its in-memory index; a 64-bit key that two different
bands share only adds a candidate, which the similarity test then judges.
"""

from __future__ import annotations

import hashlib
import re
import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .schema import DocumentRow, MinHashBandRow

NUM_PERM = 128
THRESHOLD = 0.8  # estimated Jaccard similarity of word 5-shingles above which two texts are one story
BANDS, ROWS = 9, 13  # datasketch's optimal LSH bands for THRESHOLD and NUM_PERM (false positives and negatives weighed alike)
SHINGLE = 5
SCHEME = "affine64"  # stored signatures are only comparable under one hashing scheme
WORD = re.compile(r"\w+", re.UNICODE)


def signature(text: str) -> np.ndarray:
    """The MinHash signature of a text's word 5-shingles: `NUM_PERM` hash values."""
    from datasketch import MinHash  # with the scipy it loads, only when a document is stored

    words = WORD.findall(text.lower())
    shingles = {" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles if s])
    return np.asarray(minhash.hashvalues, dtype=np.uint64)


def to_bytes(hashvalues: np.ndarray) -> bytes:
    return np.asarray(hashvalues, dtype=np.uint64).tobytes()


def values(data: bytes) -> np.ndarray:
    """A stored signature's hash values."""
    return np.frombuffer(data, dtype=np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures (as datasketch's `MinHash.jaccard`)."""
    return float(np.count_nonzero(a == b)) / float(len(a))


def band_keys(hashvalues: np.ndarray) -> list[int]:
    """One signed 64-bit key a band (the band's number is hashed with its values)."""
    data = np.asarray(hashvalues, dtype="<u8")
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(bytes([band]) + data[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def index(session: Session, document_id: int, hashvalues: np.ndarray) -> None:
    """Make `document_id` a candidate original for the documents stored after it."""
    session.add_all(MinHashBandRow(band_key=key, document_id=document_id) for key in set(band_keys(hashvalues)))


def unindex(session: Session, document_id: int) -> None:
    """`document_id` is no longer a candidate (its text changed, or it turned out a copy)."""
    session.execute(delete(MinHashBandRow).where(MinHashBandRow.document_id == document_id))


def original_of(session: Session, hashvalues: np.ndarray, exclude: int | None = None) -> int | None:
    """The earliest stored original whose text is a near-duplicate of this signature's, or None."""
    rows = session.execute(
        select(DocumentRow.id, DocumentRow.minhash)
        .where(DocumentRow.id.in_(select(MinHashBandRow.document_id)
                                  .where(MinHashBandRow.band_key.in_(band_keys(hashvalues)))),
               DocumentRow.duplicate_of.is_(None), DocumentRow.minhash.is_not(None))
        .order_by(DocumentRow.id))
    for doc_id, data in rows:
        if doc_id != exclude and similarity(values(data), hashvalues) >= THRESHOLD:
            return doc_id
    return None
