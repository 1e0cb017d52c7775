"""Discourse memory: which actors a document has named so far.

Anaphors ("the country", "Tehran's government", "it", "the group") are resolved against
the actors mentioned before them, most recent first, skipping the actor already filling
the other role of the same transfer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from armstrace.nlp.gazetteer import Gazetteer


@dataclass
class Mention:
    position: int  # token index in the document
    sentence: int
    code: str
    is_state: bool
    is_subject: bool


@dataclass
class DocContext:
    gaz: Gazetteer
    published: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    sentences: int = 0

    def observe_sentence(self, sent) -> None:
        """Record the actors a sentence names (call after extracting from it)."""
        seen_ents = set()
        for ent in sent.ents:
            if ent.label_ != "ACTOR" or ent.start in seen_ents:
                continue
            seen_ents.add(ent.start)
            actor = self.gaz.actor(ent.ent_id_)
            if actor is None:
                continue
            subj = ent.root.dep_ in ("nsubj", "nsubjpass") or ent.root.head.dep_ in ("nsubj", "nsubjpass")
            self.mentions.append(Mention(ent.start, self.sentences, actor.code, actor.is_state, subj))
        self.sentences += 1

    def resolve(self, before: int, sent, *, state: bool | None = True, exclude=(),
                prefer_subject: bool = False, window: int = 100) -> str | None:
        """The most recent fitting actor mentioned before token index `before`."""
        pool = []
        # the current sentence's own actors, left of the anaphor
        for ent in sent.ents:
            if ent.label_ == "ACTOR" and ent.end <= before:
                actor = self.gaz.actor(ent.ent_id_)
                if actor is not None:
                    subj = ent.root.dep_ in ("nsubj", "nsubjpass")
                    pool.append(Mention(ent.start, self.sentences, actor.code, actor.is_state, subj))
        pool = list(reversed(pool)) + [m for m in reversed(self.mentions)
                                       if m.position < sent.start and self.sentences - m.sentence <= window]
        if prefer_subject:
            pool = [m for m in pool if m.is_subject] + [m for m in pool if not m.is_subject]
        for m in pool:
            if m.code in exclude:
                continue
            if state is True and not m.is_state:
                continue
            if state is False and m.is_state:
                continue
            return m.code
        return None
