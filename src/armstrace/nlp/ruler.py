"""Entity-ruler patterns built from the gazetteers.

Labels: ``ACTOR`` (ent_id_ = actor code), ``WEAPON`` (ent_id_ = designation) and ``ARMS``
(a generic weapon term; ent_id_ = its category).  Phrase patterns match case-sensitively
on the token text, so each term is added in the casings news uses for it; all-capital and
title-case headlines are recased before parsing (see `armstrace.nlp.truecase`).
"""

from __future__ import annotations

import re

from .gazetteer import Gazetteer

# Actor surfaces too ambiguous to stand alone as a name of that actor.
_SKIP_ACTOR_SURFACES = {"IS", "Is", "is"}


def _casings(term: str) -> set[str]:
    forms = {term, term[:1].upper() + term[1:], term.title(), term.upper()}
    if term.endswith("s") and term[:-1].isalpha() and 2 <= len(term) - 1 <= 6 and " " not in term:
        forms.add(term[:-1].upper() + "s")  # an acronym's plural: "UAVs", "APCs", "IFVs"
    return {f for f in forms if f.strip()}


def _designation_forms(name: str) -> set[str]:
    forms = {name, name.upper()}
    if re.search(r"[0-9A-Za-z]$", name):
        forms.update({name + "s", name.upper() + "s", name + "'s"})
    if re.search(r"\d", name):
        forms.add(name.lower())
    return forms


def build_patterns(gaz: Gazetteer) -> list[dict]:
    patterns: list[dict] = []
    seen: set[tuple[str, str]] = set()

    def add(label: str, text: str, ent_id: str) -> None:
        key = (label, text)
        if key in seen or not text.strip():
            return
        seen.add(key)
        patterns.append({"label": label, "pattern": text, "id": ent_id})

    for term, category in gaz.generic.items():
        for form in _casings(term):
            add("ARMS", form, category)
    for term in gaz.not_weapons:
        for form in _casings(term):
            add("NOT_ARMS", form, "not_arms")
    for term in gaz.not_actors:
        for form in {term, term.upper()}:
            add("REGION", form, "region")
    # a state's name or capital is the state in the news, not the ship class named after it
    # ("Brunei sold ...", "Berlin will send ...": SIPRI has a Brunei and a Berlin class)
    places = {surface for surface, _code, role in gaz.actor_surfaces() if role in ("name", "metonym")}
    for weapon in gaz.weapons.values():
        for name in (weapon.designation, *weapon.aliases):
            for form in _designation_forms(name):
                if form not in places:
                    add("WEAPON", form, weapon.designation)
    for surface, code, role in gaz.actor_surfaces():
        if surface in _SKIP_ACTOR_SURFACES:
            continue
        forms = {surface}
        if role == "organisation" and " " not in surface and len(surface) >= 4 and surface.isalpha():
            forms.add(surface.upper())  # companies written in capitals: "NORINCO", "BAYKAR"
        if surface.startswith("the "):
            forms = {surface[4:]}
        actor = gaz.actor(code)
        if actor is not None and actor.kind == "group" and role == "name" and len(surface) > 4 and \
                (" " in surface or surface.endswith("s")) and not surface.isupper():
            forms |= {f.lower() for f in forms}  # wire copy writes "the contras", "contra rebels"
        for form in forms:
            add("ACTOR", form, code)
    return patterns
