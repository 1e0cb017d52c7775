"""The word lists of `lexicon.toml`, loaded once into sets."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# "technological help from China": a transfer of technology when a state gives it
TECHNICAL_WORDS = frozenset({"technological", "technical", "military-technical", "scientific", "engineering", "technology"})
STATUSES = ("delivered", "ongoing", "agreed", "planned", "considered", "sought", "offered", "denied", "halted")


@dataclass(frozen=True)
class Lexicon:
    give_verbs: frozenset[str]
    get_verbs: frozenset[str]
    give_nouns: frozenset[str]
    get_nouns: frozenset[str]
    weak_verbs: frozenset[str]
    with_item_verbs: frozenset[str]
    halt_verbs: frozenset[str]
    interdict_verbs: frozenset[str]
    destined_words: frozenset[str]
    status_verbs: dict[str, str]  # lemma -> status
    noun_status: dict[str, str]
    modal_status: dict[str, str]
    desire_adjectives: frozenset[str]
    attribution_verbs: frozenset[str]
    attribution_nouns: frozenset[str]
    agent_nouns: frozenset[str]
    group_nouns: frozenset[str]
    middleman_nouns: frozenset[str]
    state_anaphors: frozenset[str]
    group_anaphors: frozenset[str]
    pronouns: frozenset[str]
    non_military_heads: frozenset[str]
    boilerplate_starts: tuple[str, ...]
    leaders: dict[str, str]  # surname -> actor code
    policy_nouns: frozenset[str] = frozenset()  # "arms export code", "embargo on arms sales"
    non_arms_goods: frozenset[str] = frozenset()  # "drug trafficking", "cocaine trade"
    field_nouns: frozenset[str] = frozenset()  # "the arms trade": a field unless a recipient is named
    place_nouns: frozenset[str] = frozenset()  # "sent jets to the air base": a place, not a recipient
    continuation_starts: tuple[str, ...] = ()  # "In exchange, ...": the sentence goes on with the last report
    window_cues: frozenset[str] = frozenset()  # more words that make a sentence a window of the claim encoder
    predecessors: tuple[tuple[str, str, str], ...] = ()  # (code, code before, until date): RUS was SUN until 1991-12-26

    def is_boilerplate(self, sentence: str) -> bool:
        """A line of page furniture ("Read also: ...", "Subscribe"): no claim of the document."""
        return sentence.lower().startswith(self.boilerplate_starts)

    def is_trigger_verb(self, lemma: str) -> bool:
        return lemma in self.give_verbs or lemma in self.get_verbs

    def is_trigger_noun(self, lemma: str) -> bool:
        return lemma in self.give_nouns or lemma in self.get_nouns


def _by_status(table: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for status, words in table.items():
        if isinstance(words, list):
            for word in words:
                out.setdefault(word, status)
    return out


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    with resources.files("armstrace.extract").joinpath("lexicon.toml").open("rb") as handle:
        data = tomllib.load(handle)
    trig, status, attr, actors, neg = (
        data["triggers"], data["status"], data["attribution"], data["actors"], data["negative_context"])
    fs = frozenset
    return Lexicon(
        give_verbs=fs(trig["give_verbs"]),
        get_verbs=fs(trig["get_verbs"]),
        give_nouns=fs(trig["give_nouns"]),
        get_nouns=fs(trig["get_nouns"]),
        weak_verbs=fs(trig["weak_verbs"]),
        with_item_verbs=fs(trig["with_item_verbs"]),
        halt_verbs=fs(trig.get("halt_verbs", [])),
        interdict_verbs=fs(trig.get("interdict_verbs", [])),
        destined_words=fs(trig.get("destined_words", [])),
        status_verbs=_by_status({k: v for k, v in status.items() if k in STATUSES}),
        noun_status=_by_status(status.get("noun_status", {})),
        modal_status=_by_status(status.get("modal", {})),
        desire_adjectives=fs(status.get("desire_adjectives", [])),
        attribution_verbs=fs(attr["verbs"]),
        attribution_nouns=fs(attr["nouns"]),
        agent_nouns=fs(actors["agent_nouns"]),
        group_nouns=fs(actors["group_nouns"]),
        middleman_nouns=fs(actors.get("middleman_nouns", [])),
        state_anaphors=fs(actors["state_anaphors"]),
        group_anaphors=fs(actors["group_anaphors"]),
        pronouns=fs(actors["pronouns"]),
        non_military_heads=fs(neg["non_military_heads"]),
        boilerplate_starts=tuple(neg["boilerplate_starts"]),
        leaders={name: code for code, names in data.get("leaders", {}).items() for name in names},
        policy_nouns=fs(neg.get("policy_nouns", [])),
        non_arms_goods=fs(neg.get("non_arms_goods", [])),
        field_nouns=fs(neg.get("field_nouns", [])),
        place_nouns=fs(neg.get("place_nouns", [])),
        continuation_starts=tuple(attr.get("continuation_starts", [])),
        window_cues=fs(data.get("encoder", {}).get("window_cues", [])),
        predecessors=tuple((code, row["before"], row["until"]) for code, row in data.get("predecessors", {}).items()),
    )
