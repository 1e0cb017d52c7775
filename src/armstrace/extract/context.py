"""Discourse memory: which actors a document has named so far.

Anaphors ("the country", "Tehran's government", "it", "the group") are resolved against
the actors mentioned before them, most recent first, skipping the actor already filling
the other role of the same transfer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from armstrace.nlp.ents import ents_of
from armstrace.nlp.gazetteer import Gazetteer


@dataclass
class Mention:
    position: int  # token index in the document
    sentence: int
    code: str
    is_state: bool
    is_subject: bool
    is_place: bool = False  # named as a location: "arrested in Spain"

_PLACE_PREPS = {"in", "at", "near", "inside", "within", "throughout", "across", "outside"}


def _as_place(root) -> bool:
    return root.dep_ == "pobj" and root.head.lower_ in _PLACE_PREPS and root.head.head.pos_ in ("VERB", "AUX")


@dataclass
class DocContext:
    gaz: Gazetteer
    published: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    sentences: int = 0
    leaders: dict = field(default_factory=dict)  # surname -> actor code ("Clinton" -> USA)
    persons: list = field(default_factory=list)  # (token index, actor code or None) of named people
    person_names: list = field(default_factory=list)  # (token index, sentence number, name) of named people

    def person_code(self, ent) -> str | None:
        """The state a named person stands for, when a leader ("Hillary Clinton" -> USA)."""
        words = [t.text for t in ent if t.is_alpha]
        for name in (" ".join(words), *(words[-1:])):
            code = self.leaders.get(name) or self.leaders.get(name.title())
            if code:
                return code
        return None

    def resolve_person(self, before: int, sent) -> str | None:
        """ "she", "he": the person named last before `before`, when a leader; else None."""
        for ent in reversed([e for e in ents_of(sent) if e.label_ == "PERSON" and e.end <= before]):
            return self.person_code(ent)
        for position, code in reversed(self.persons):
            if position < sent.start:
                return code
        return None

    def last_person(self, before: int, sent, window: int = 2) -> str | None:
        """ "he said", "she told": the name of the person named last before `before`."""
        for ent in reversed([e for e in ents_of(sent) if e.label_ == "PERSON" and e.end <= before]):
            return ent.text.strip()
        for position, number, name in reversed(self.person_names):
            if position < sent.start and self.sentences - number <= window:
                return name
            break
        return None

    def observe_sentence(self, sent) -> None:
        """Record the actors a sentence names (call after extracting from it)."""
        seen_ents = set()
        for ent in ents_of(sent):
            if ent.label_ == "PERSON":
                code = self.person_code(ent)
                self.persons.append((ent.start, code))
                self.person_names.append((ent.start, self.sentences, ent.text.strip()))
                actor = self.gaz.actor(code) if code else None
                if actor is not None:  # "Reagan" stands for the United States
                    subj = ent.root.dep_ in ("nsubj", "nsubjpass")
                    self.mentions.append(Mention(ent.start, self.sentences, actor.code, actor.is_state, subj))
            if ent.label_ != "ACTOR" or ent.start in seen_ents:
                continue
            seen_ents.add(ent.start)
            actor = self.gaz.actor(ent.ent_id_)
            if actor is None:
                continue
            subj = ent.root.dep_ in ("nsubj", "nsubjpass") or ent.root.head.dep_ in ("nsubj", "nsubjpass")
            self.mentions.append(Mention(ent.start, self.sentences, actor.code, actor.is_state, subj,
                                         _as_place(ent.root)))
        self.sentences += 1

    def resolve(self, before: int, sent, *, state: bool | None = True, exclude=(),
                prefer_subject: bool = False, window: int = 100, skip=frozenset(),
                places: bool = True) -> str | None:
        """The most recent fitting actor mentioned before token index `before` (not at `skip` indices)."""
        pool = []
        # the current sentence's own actors, left of the anaphor
        for ent in ents_of(sent):
            if ent.label_ == "ACTOR" and ent.end <= before and ent.start not in skip:
                actor = self.gaz.actor(ent.ent_id_)
                if actor is not None:
                    subj = ent.root.dep_ in ("nsubj", "nsubjpass")
                    pool.append(Mention(ent.start, self.sentences, actor.code, actor.is_state, subj,
                                        _as_place(ent.root)))
        pool = list(reversed(pool)) + [m for m in reversed(self.mentions)
                                       if m.position < sent.start and self.sentences - m.sentence <= window]
        if prefer_subject:
            pool = [m for m in pool if m.is_subject] + [m for m in pool if not m.is_subject]
        for m in pool:
            if m.code in exclude or (m.is_place and not places):
                continue
            if state is True and not m.is_state:
                continue
            if state is False and m.is_state:
                continue
            return m.code
        return None
