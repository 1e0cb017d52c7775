"""Start-up and the work done once per document: the cache of the ruler's pattern tokens, the
gazetteer ruler fed from it, the prefilter's document going on through the pipeline, and
what `extract` does not import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import spacy
from spacy.pipeline import EntityRuler

from armstrace.extract.prefilter import RULER, get_prefilter
from armstrace.nlp import get_nlp, normalise, pattern_cache
from armstrace.nlp.gazetteer_ruler import GazetteerRuler
from armstrace.nlp.pattern_cache import cache_key, pattern_tokens

PHRASES = ["Storm Petrel", "anti-tank guided missiles", "Zephyr-9", "Zephyr-9s", "U.S.-made rifles",
           "the Ironwood Guard", "Zephyr-9's", "Marsh  Hawk", "ZX-11/B"]


@pytest.fixture
def tokenizer():
    return spacy.blank("en").tokenizer


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("ARMSTRACE_CACHE_DIR", str(folder))
    return folder


def _plain(tokenizer, texts):
    return [[t.text for t in tokenizer(text)] for text in texts]


def _count_tokenising(monkeypatch):
    calls = []
    original = pattern_cache.tokenise

    def counting(tokenizer, texts):
        calls.append(len(texts))
        return original(tokenizer, texts)

    monkeypatch.setattr(pattern_cache, "tokenise", counting)
    return calls


def test_pattern_tokens_are_the_tokenizers_and_are_cached(tokenizer, cache, monkeypatch):
    calls = _count_tokenising(monkeypatch)
    first = pattern_tokens(tokenizer, PHRASES)
    assert first == _plain(tokenizer, PHRASES)
    assert calls == [len(PHRASES)]
    assert len(list(cache.glob("ruler-tokens-*.json"))) == 1
    again = pattern_tokens(tokenizer, list(reversed(PHRASES)))  # any order: the cache holds them sorted
    assert again == _plain(tokenizer, list(reversed(PHRASES)))
    assert calls == [len(PHRASES)]  # read from the cache, not tokenised


def test_a_stale_cache_is_rebuilt_and_replaced(tokenizer, cache, monkeypatch):
    calls = _count_tokenising(monkeypatch)
    pattern_tokens(tokenizer, PHRASES)
    old = list(cache.glob("ruler-tokens-*.json"))
    changed = PHRASES + ["Harrier Kestrel"]  # the gazetteer changed
    assert pattern_tokens(tokenizer, changed) == _plain(tokenizer, changed)
    assert calls == [len(PHRASES), len(changed)]
    new = set(cache.glob("ruler-tokens-*.json")) - set(old)
    assert len(new) == 1
    for n in range(pattern_cache.KEEP + 2):  # only the newest few files stay
        pattern_tokens(tokenizer, PHRASES + [f"Model {n}"])
    assert len(list(cache.glob("ruler-tokens-*.json"))) == pattern_cache.KEEP


def test_another_tokenizer_does_not_read_the_cache(tokenizer, cache, monkeypatch):
    calls = _count_tokenising(monkeypatch)
    pattern_tokens(tokenizer, PHRASES)
    other = spacy.blank("en").tokenizer
    other.add_special_case("Zephyr-9s", [{"ORTH": "Zephyr-9"}, {"ORTH": "s"}])
    assert cache_key(other, PHRASES) != cache_key(tokenizer, PHRASES)
    assert pattern_tokens(other, PHRASES) == _plain(other, PHRASES)
    assert len(calls) == 2


@pytest.mark.parametrize("damage", ["truncate", "offsets", "key"])
def test_a_damaged_cache_file_is_ignored(tokenizer, cache, monkeypatch, damage):
    calls = _count_tokenising(monkeypatch)
    pattern_tokens(tokenizer, PHRASES)
    path = next(cache.glob("ruler-tokens-*.json"))
    text = path.read_text(encoding="utf-8")
    if damage == "truncate":
        path.write_text(text[:len(text) // 2], encoding="utf-8")
    else:
        data = json.loads(text)
        if damage == "offsets":
            data["offsets"][0] = [0, 999]
        else:
            data["key"] = "0" * 64
        path.write_text(json.dumps(data), encoding="utf-8")
    assert pattern_tokens(tokenizer, PHRASES) == _plain(tokenizer, PHRASES)
    assert len(calls) == 2


def test_no_cache_when_turned_off_or_unwritable(tokenizer, tmp_path, monkeypatch):
    monkeypatch.setenv("ARMSTRACE_CACHE_DIR", "off")
    assert pattern_tokens(tokenizer, PHRASES) == _plain(tokenizer, PHRASES)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("ARMSTRACE_CACHE_DIR", str(blocked / "cache"))
    assert pattern_tokens(tokenizer, PHRASES) == _plain(tokenizer, PHRASES)


def _patterns():
    return [{"label": "WEAPON", "pattern": p, "id": p.upper()} for p in PHRASES] + [
        {"label": "ACTOR", "pattern": "Ironwood", "id": "IRW"},
        {"label": "ACTOR", "pattern": "Ironwood Guard", "id": "IRW"},
        {"label": "ARMS", "pattern": "guided missiles", "id": "missile"},
        {"label": "ARMS", "pattern": "rifles", "id": "small_arms"},
        {"label": "REGION", "pattern": "Storm", "id": ""},  # no id
    ]


def test_the_gazetteer_ruler_matches_as_the_entity_ruler(cache):
    texts = ["The Ironwood Guard bought anti-tank guided missiles and Zephyr-9s from Storm Petrel Ltd.",
             "U.S.-made rifles reached the Ironwood border; a Marsh  Hawk and ZX-11/B flew over.",
             "Zephyr-9's range is short. Storm clouds gathered over Ironwood."]
    plain = spacy.blank("en")
    ruler = plain.add_pipe("entity_ruler")
    ruler.add_patterns(_patterns())
    ours = spacy.blank("en")
    fast = ours.add_pipe("armstrace_gazetteer_ruler")
    assert isinstance(fast, GazetteerRuler) and isinstance(fast, EntityRuler)
    fast.add_tokenised(_patterns(), pattern_tokens(ours.tokenizer, [p["pattern"] for p in _patterns()]))
    assert len(fast) == len(ruler) and fast.labels == ruler.labels
    assert sorted(map(json.dumps, fast.patterns)) == sorted(map(json.dumps, ruler.patterns))
    for text in texts:
        expected = [(e.start, e.end, e.label_, e.ent_id_) for e in plain(text).ents]
        assert expected
        assert [(e.start, e.end, e.label_, e.ent_id_) for e in ours(text).ents] == expected


def test_the_prefilters_document_parses_as_the_text_does():
    """The prefilter's document (tokenised and ruled) goes on through the rest of the pipeline:
    every annotation is what the whole pipeline gives the text."""
    nlp = get_nlp()
    can_hold = get_prefilter(nlp)
    for raw in ["NORTHLAND TO BUY RADAR SYSTEMS FROM SOUTHLAND\nThe navy of Norway signed a contract on "
                "Monday to buy six frigates and anti-ship missiles from France, officials said.",
                "Iran sent drones to Russia, U.S. officials said on Tuesday.\nMoscow denied the report."]:
        text = normalise(raw)
        ruled = can_hold.ruled(text)
        assert can_hold.holds(ruled) == can_hold(text)
        reused, whole = nlp(ruled, disable=[RULER]), nlp(text)
        assert reused.to_json() == whole.to_json()
        assert [(t.lemma_, t.tag_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_, t.ent_id_, t.is_sent_start)
                for t in reused] == [(t.lemma_, t.tag_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_, t.ent_id_,
                                      t.is_sent_start) for t in whole]


def test_extract_does_not_import_the_store_nor_the_html_readers():
    code = ("import sys\nfrom armstrace.cli import main\nfrom armstrace.pipeline import extract_safely\n"
            "print([m for m in ('sqlalchemy', 'trafilatura', 'feedparser', 'warcio') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_known_names_are_found_as_the_alternation_of_them_finds_them():
    """`known_names` stands for a regex of all the gazetteer's names (slow to compile): same
    places, on made-up lines built from the names themselves, glued and spaced every way."""
    import random
    import re

    from armstrace.nlp.truecase import _known_forms, known_names

    forms, _ = _known_forms()
    names = sorted(forms)
    alternation = "|".join(re.escape(k) for k in sorted(forms, key=len, reverse=True))
    regex = re.compile(rf"(?<![A-Za-z0-9])(?:{alternation})(?![A-Za-z0-9])")
    rng = random.Random(7)
    glue = ["", " ", "-", "x", "9", ".", "'s", "s", " and ", "(", "/"]
    lines = ["iran and the united states sold f-16s to the houthis.", "", "a", "zz top of the world 42"]
    for _ in range(3000):
        lines.append("".join(rng.choice(names) if rng.random() < 0.6 else rng.choice(glue)
                             for _ in range(rng.randint(1, 8))))
    for line in lines:
        assert known_names(line) == [(m.start(), m.end()) for m in regex.finditer(line)], line
