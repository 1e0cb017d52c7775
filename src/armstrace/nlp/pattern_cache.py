"""The tokens of the gazetteer ruler's phrase patterns, tokenised once and kept on disk.

Building the ruler meant tokenising its tens of thousands of phrase patterns at every
start (most of `armstrace extract`'s start-up). A pattern's tokens depend only on its text,
on the tokenizer's rules and on spaCy, so they are kept in a cache file whose name holds a
hash of all three (`cache_key`): a change to the gazetteers, to the pattern building, to the
model's tokenizer or to spaCy gives another key, and the tokens are made afresh (the newest
few files are kept, so that checkouts with other gazetteers may share the folder). A file that is unreadable, truncated or inconsistent with the patterns is
ignored the same way. Tokens are stored as character offsets into their pattern, so they
are always pieces of it.

The folder is ``$ARMSTRACE_CACHE_DIR``, else ``$XDG_CACHE_HOME/armstrace``, else
``~/.cache/armstrace``; ``ARMSTRACE_CACHE_DIR=off`` turns the cache off. A folder that cannot
be written only costs the time of tokenising.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

FORMAT = 1
PREFIX = "ruler-tokens-"
KEEP = 4  # cache files kept in the folder


def cache_dir() -> Path | None:
    """Where cached pattern tokens go, or None when the cache is off."""
    configured = os.environ.get("ARMSTRACE_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in ("", "off", "0", "none") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "armstrace"


def cache_key(tokenizer, texts: Sequence[str]) -> str:
    """A hash of what the tokens of `texts` (sorted, distinct) depend on: the texts, the
    tokenizer's rules, spaCy."""
    import spacy

    digest = hashlib.sha256()
    digest.update(f"armstrace-ruler-tokens {FORMAT} spacy {spacy.__version__}\n".encode())
    digest.update(hashlib.sha256(tokenizer.to_bytes(exclude=["vocab"])).digest())
    digest.update("\n".join(texts).encode("utf-8", "surrogatepass"))
    digest.update(f"\n{len(texts)}".encode())
    return digest.hexdigest()


def tokenise(tokenizer, texts: Sequence[str]) -> list[list[int]]:
    """Each text's tokens as flat [start, end, start, end, ...] character offsets."""
    return [[n for tok in tokenizer(text) for n in (tok.idx, tok.idx + len(tok.text))] for text in texts]


def _read(path: Path, key: str, texts: list[str]) -> list[list[int]] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or data.get("texts") != texts:
        return None
    offsets = data.get("offsets")
    if not isinstance(offsets, list) or len(offsets) != len(texts):
        return None
    for text, flat in zip(texts, offsets):
        if not isinstance(flat, list) or len(flat) % 2 or not all(isinstance(n, int) for n in flat) \
                or any(not 0 <= flat[i] < flat[i + 1] <= len(text) for i in range(0, len(flat), 2)):
            return None
    return offsets


def _write(folder: Path, path: Path, key: str, texts: list[str], offsets: list[list[int]]) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"key": key, "texts": texts, "offsets": offsets}, handle, separators=(",", ":"),
                          ensure_ascii=False)
            os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one
        except BaseException:
            os.unlink(tmp)
            raise
        # the newest few stay (checkouts of other gazetteers may share the folder), older ones go
        others = sorted((f for f in folder.glob(PREFIX + "*.json") if f != path),
                        key=lambda f: f.stat().st_mtime, reverse=True)
        for old in others[KEEP - 1:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full disk: next time the tokens are made again


def pattern_tokens(tokenizer, texts: Sequence[str]) -> list[list[str]]:
    """The token texts of each of `texts` as `tokenizer` splits them, from the cache when it
    holds them for this very tokenizer and these texts, else tokenised (and cached). The
    cache holds the distinct texts sorted: the gazetteer's patterns come in another order
    in each process (they are built from sets)."""
    distinct = sorted(set(texts))
    folder = cache_dir()
    key = cache_key(tokenizer, distinct)
    offsets = None
    if folder is not None:
        path = folder / f"{PREFIX}{key[:32]}.json"
        offsets = _read(path, key, distinct)
    if offsets is None:
        offsets = tokenise(tokenizer, distinct)
        if folder is not None:
            _write(folder, path, key, distinct, offsets)
    found = dict(zip(distinct, offsets))
    return [[text[flat[i]:flat[i + 1]] for i in range(0, len(flat), 2)] for text in texts for flat in (found[text],)]
