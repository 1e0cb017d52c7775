"""Time and purpose of a transfer, read around its trigger."""

from __future__ import annotations

import re
from datetime import date

from spacy.tokens import Token

from armstrace.nlp.ents import entity_index

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def _pub_date(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def normalise_time(text: str, published: str | None) -> str | None:
    """ "in 2007" -> "2007"; "on Nov. 21" -> "2022-11-21" (year from the publication date)."""
    pub = _pub_date(published)
    low = text.lower()
    year = re.search(r"\b(1[89]\d\d|20\d\d)\b", low)
    month = next((n for m, n in _MONTHS.items() if re.search(rf"\b{m}[a-z]*\.?", low)), None)
    day = re.search(r"\b([0-3]?\d)(?:st|nd|rd|th)?\b", re.sub(r"\b(1[89]\d\d|20\d\d)\b", "", low))
    y = int(year.group(1)) if year else (pub.year if pub and month else None)
    if y is None:
        if re.fullmatch(r"(the )?(1[89]\d0s)", low.strip()):
            return low.strip().removeprefix("the ")
        return None
    if month and day:
        try:
            return date(y, month, int(day.group(1))).isoformat()
        except ValueError:
            return f"{y:04d}-{month:02d}"
    if month:
        return f"{y:04d}-{month:02d}"
    return f"{y:04d}"


def find_time(trigger: Token, published: str | None, skip: set[int]) -> str | None:
    """The date a DATE entity attached to the trigger (not inside the items) refers to."""
    doc = trigger.doc
    subtree = {t.i for t in trigger.subtree}
    for ent in entity_index(doc).within(trigger.left_edge.i, trigger.right_edge.i + 1):
        if ent.label_ != "DATE" or ent.start not in subtree or ent.start in skip:
            continue
        value = normalise_time(ent.text, published)
        if value:
            return value
    return None


def find_purpose(trigger: Token) -> str | None:
    """ "to use against Ukraine", "for use in Ukraine", "for the Ukraine war"."""
    for child in trigger.children:
        if child.dep_ in ("advcl", "xcomp") and any(c.lower_ == "to" and c.dep_ == "aux" for c in child.children) \
                and child.i > trigger.i:
            words = list(child.subtree)
            return trigger.doc[words[0].i:words[-1].i + 1].text
        if child.dep_ == "prep" and child.lower_ == "for" and child.i > trigger.i:
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs and objs[0].lemma_.lower() in ("use", "war", "defense", "defence", "fight", "operation", "offensive"):
                words = list(child.subtree)
                return trigger.doc[words[0].i:words[-1].i + 1].text
    return None
