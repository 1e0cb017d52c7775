"""A small, dependency-free guess of a text's language: its script, then its function words.

`guess_language` answers only when the text says so clearly: a wrong guess would keep an
English article from being read (extraction reads English only), so a short headline with
one French-looking word ("... UN report says") is None (unknown), not French.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from functools import lru_cache
from importlib import resources

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_WORDS = 10  # Latin-script words: a headline is too short to tell (and is read as English)
MIN_HITS = 3  # function words of the best language, at the least
MIN_SHARE = 0.08  # of all words
MARGIN = 2  # the best language's hits over the runner-up's
MIN_LETTERS = 12  # letters of a non-Latin script before the script decides

# Unicode blocks of the scripts news arrives in, with the language a script alone implies
# (a BCP 47 "undetermined" tag where several languages share it and no word list decides).
SCRIPTS = (
    ("Cyrl", 0x0400, 0x052F, "und-Cyrl"), ("Grek", 0x0370, 0x03FF, "el"), ("Armn", 0x0530, 0x058F, "hy"),
    ("Hebr", 0x0590, 0x05FF, "he"), ("Arab", 0x0600, 0x06FF, "und-Arab"), ("Deva", 0x0900, 0x097F, "hi"),
    ("Beng", 0x0980, 0x09FF, "bn"), ("Thai", 0x0E00, 0x0E7F, "th"), ("Geor", 0x10A0, 0x10FF, "ka"),
    ("Hang", 0xAC00, 0xD7AF, "ko"), ("Kana", 0x3040, 0x30FF, "ja"), ("Hani", 0x4E00, 0x9FFF, "zh"),
)
SCRIPT_LANGUAGES = {"Cyrl": ("ru", "uk"), "Arab": ("ar",)}  # word lists that tell a script's languages apart


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    data = tomllib.loads(resources.files("armstrace.ingest").joinpath("stopwords.toml").read_text("utf-8"))
    return {lang: frozenset(words) for lang, words in data["languages"].items()}


def _script(ch: str) -> str:
    code = ord(ch)
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return "Latn"
    for name, low, high, _ in SCRIPTS:
        if low <= code <= high:
            return name
    return "other"


def _best(words: list[str], languages, min_hits: int = MIN_HITS, margin: float = MARGIN) -> str | None:
    stop = _stopwords()
    hits = sorted(((sum(w in stop[lang] for w in words), lang) for lang in languages if lang in stop), reverse=True)
    if not hits:
        return None
    best_hits, best = hits[0]
    runner_up = hits[1][0] if len(hits) > 1 else 0
    if best_hits < min_hits or best_hits < MIN_SHARE * len(words) or best_hits < margin * runner_up or best_hits == runner_up:
        return None
    return best


def guess_language(text: str) -> str | None:
    """ISO 639-1 code (or a BCP 47 tag like "und-Cyrl") of the text's language, or None when
    the text is too short or its words don't say clearly."""
    sample = text[:5000]
    if sample.isascii():  # every letter is Latin (most news): count them without asking each its script
        latin = sum(map(str.isalpha, sample))
        scripts = Counter({"Latn": latin} if latin else {})
    else:
        scripts = Counter(_script(ch) for ch in sample if ch.isalpha())
    letters = sum(scripts.values())
    if not letters:
        return None
    script, count = max(((s, n) for s, n in scripts.items() if s != "other"), key=lambda x: x[1], default=("other", 0))
    words = [w.lower() for w in WORD.findall(sample)]
    if script != "Latn":
        if count < MIN_LETTERS or count < 0.5 * letters:
            return None
        default = next(tag for name, _, _, tag in SCRIPTS if name == script)
        return _best(words, SCRIPT_LANGUAGES.get(script, ()), min_hits=1, margin=1) or default
    if len(words) < MIN_WORDS:
        return None
    return _best(words, _stopwords())


def primary_language(tag: str | None) -> str | None:
    """ "en-US" -> "en", "EN" -> "en"; None for an empty or malformed declaration."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
