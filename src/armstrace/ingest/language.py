"""A small, dependency-free guess of a text's language from its function words."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_WORDS = 4


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    data = tomllib.loads(resources.files("armstrace.ingest").joinpath("stopwords.toml").read_text("utf-8"))
    return {lang: frozenset(words) for lang, words in data["languages"].items()}


def guess_language(text: str) -> str | None:
    """ISO 639-1 code of the most likely language, or None when the text is too short."""
    words = [w.lower() for w in WORD.findall(text[:5000])]
    if len(words) < MIN_WORDS:
        return None
    best, best_hits = None, 0
    for lang, stop in _stopwords().items():
        hits = sum(w in stop for w in words)
        if hits > best_hits:
            best, best_hits = lang, hits
    if best is None or best_hits / len(words) < 0.08:
        return None
    return best
