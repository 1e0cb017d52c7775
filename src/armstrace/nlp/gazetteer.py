"""The gazetteers extraction reads names through: actors, weapon models and generic terms.

`actors.jsonl`, `weapons.jsonl` and `generic_terms.toml` live in the `armstrace.data`
package.  Setting ``ARMSTRACE_DATA_DIR`` to a folder holding files of the same names
overrides the packaged ones (used in tests and while the data is being built).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

CATEGORIES = (
    "aircraft", "drone", "missile", "air_defense", "armored_vehicle", "artillery",
    "ammunition", "small_arms", "naval", "electronics", "technology", "unspecified",
)


@dataclass(frozen=True)
class Actor:
    code: str
    kind: str
    name: str
    names: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    metonyms: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()

    @property
    def is_state(self) -> bool:
        return self.kind in ("state", "historic_state")


@dataclass(frozen=True)
class Weapon:
    designation: str
    category: str
    aliases: tuple[str, ...] = ()
    origin: str | None = None
    ambiguous: bool = False
    ambiguous_names: tuple[str, ...] = ()


@dataclass
class Gazetteer:
    actors: dict[str, Actor] = field(default_factory=dict)
    weapons: dict[str, Weapon] = field(default_factory=dict)
    generic: dict[str, str] = field(default_factory=dict)  # surface term (lower) -> category
    not_weapons: set[str] = field(default_factory=set)  # phrases shadowing weapon words
    not_actors: set[str] = field(default_factory=set)  # regions shadowing actor names ("Central America")
    surface_actor: dict[str, str] = field(default_factory=dict)  # surface (lower) -> code
    demonym_actor: dict[str, str] = field(default_factory=dict)  # demonym (lower) -> code
    # weapon names that are also ordinary words or short acronyms ("Light", "Club", "AMS"):
    # they count only next to a generic weapon word ("Caesar howitzers")
    weak_weapon_names: set[str] = field(default_factory=set)
    _alias_index: dict | None = field(default=None, repr=False)  # alias (lower) -> Weapon, built on first use

    def mark_weak_weapon_names(self, english_words) -> None:
        """Flag weapon names that are ordinary English words (per `english_words`)."""
        actor_names = {s.lower() for s, _c, _r in self.actor_surfaces()}
        for weapon in self.weapons.values():
            names = (weapon.designation, *weapon.aliases)
            for name in names:
                plain = re.fullmatch(r"[A-Za-z]+", name) is not None
                flagged = name in weapon.ambiguous_names or (weapon.ambiguous and not weapon.ambiguous_names)
                if plain and (flagged or name.lower() in english_words or name.lower() in actor_names
                              or (name.isupper() and len(name) <= 3)):
                    self.weak_weapon_names.add(name)

    def is_weak_weapon_name(self, text: str) -> bool:
        """Whether `text` (or it without a plural "s") is a weak weapon name: it designates
        only beside a generic weapon word (`mark_weak_weapon_names`)."""
        return text in self.weak_weapon_names or text.rstrip("s") in self.weak_weapon_names

    def actor(self, code: str | None) -> Actor | None:
        return self.actors.get(code) if code else None

    def weapon(self, designation: str | None) -> Weapon | None:
        """The catalogue entry for a designation or any of its aliases ("Super Tucano")."""
        if not designation:
            return None
        found = self.weapons.get(designation)
        if found is None:
            if self._alias_index is None:
                index: dict[str, Weapon] = {}
                for weapon in self.weapons.values():
                    for alias in weapon.aliases:
                        index.setdefault(alias.lower(), weapon)
                for weapon in self.weapons.values():
                    index[weapon.designation.lower()] = weapon
                self._alias_index = index
            found = self._alias_index.get(designation.lower())
        return found

    def actor_surfaces(self):
        """Yield (surface, code, role) for every way of naming an actor."""
        for actor in self.actors.values():
            for name in (actor.name, *actor.names):
                yield name, actor.code, "name"
            for name in actor.demonyms:
                yield name, actor.code, "demonym"
            for name in actor.metonyms:
                yield name, actor.code, "metonym"
            for name in actor.organisations:
                yield name, actor.code, "organisation"


def _data_file(name: str) -> Path | None:
    override = os.environ.get("ARMSTRACE_DATA_DIR")
    if override and (Path(override) / name).is_file():
        return Path(override) / name
    try:
        ref = resources.files("armstrace.data").joinpath(name)
        if ref.is_file():
            with resources.as_file(ref) as path:
                return Path(path)
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    return None


def _read_jsonl(name: str) -> list[dict]:
    path = _data_file(name)
    if path is None:
        warnings.warn(f"armstrace: gazetteer {name} not found; extraction will miss names", stacklevel=3)
        return []
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("//"):
                rows.append(json.loads(line))
    return rows


def _names(values) -> tuple[str, ...]:
    out = []
    for value in values or ():
        if isinstance(value, dict):
            value = value.get("name")
        if isinstance(value, str) and value.strip():
            out.append(value.strip())
    return tuple(out)


def pluralise(term: str) -> str:
    head, _, last = term.rpartition(" ")
    if re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    elif re.search(r"(?:s|x|z|ch|sh)$", last):
        last = last + "es"
    else:
        last = last + "s"
    return f"{head} {last}" if head else last


def spelling_variants(term: str) -> set[str]:
    """American/British spellings and hyphen/space variants of a lower-case term."""
    variants = {term}
    swaps = (("defense", "defence"), ("armor", "armour"), ("program", "programme"),
             ("license", "licence"), ("caliber", "calibre"))
    for us, uk in swaps:
        for v in list(variants):
            if us in v and uk not in v:
                variants.add(v.replace(us, uk))
            if uk in v:
                variants.add(v.replace(uk, us))
    for v in list(variants):
        if "-" in v:
            variants.add(v.replace("-", " "))
            variants.add(v.replace("-", ""))
        if v.startswith("anti ") or " anti " in v:
            variants.add(v.replace("anti ", "anti-"))
    for v in list(variants):
        if "anti-" in v:
            variants.add(v.replace("anti-", "anti- "))  # "anti- aircraft" in wrapped text
    return variants


def _load_generic() -> tuple[dict[str, str], set[str]]:
    path = _data_file("generic_terms.toml")
    if path is None:
        return {}, set()
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    plural_only = set(data.get("plural_only", {}).get("terms", []))
    irregular = data.get("irregular_plurals", {})
    table: dict[str, str] = {}
    for category, terms in data.get("categories", {}).items():
        if category not in CATEGORIES:
            raise ValueError(f"generic_terms.toml: unknown category {category!r}")
        for term in terms:
            term = term.lower().strip()
            forms = {irregular.get(term, pluralise(term))}
            if term not in plural_only:
                forms.add(term)
            for form in forms:
                for variant in spelling_variants(form):
                    table.setdefault(variant, category)
    blocked: set[str] = set()
    for term in data.get("not_weapons", {}).get("terms", []):
        term = term.lower().strip()
        for form in {term, pluralise(term)}:
            blocked.update(spelling_variants(form))
    return table, blocked


def _load_not_actors() -> set[str]:
    path = _data_file("generic_terms.toml")
    if path is None:
        return set()
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    return {t.strip() for t in data.get("not_actors", {}).get("terms", []) if t.strip()}


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    gaz = Gazetteer()
    for row in _read_jsonl("actors.jsonl"):
        code = row.get("code")
        if not code:
            continue
        actor = Actor(
            code=code,
            kind=row.get("kind", "state"),
            name=row.get("name") or code,
            names=_names(row.get("names")),
            demonyms=_names(row.get("demonyms")),
            metonyms=_names(row.get("metonyms")),
            organisations=_names(row.get("organisations") or row.get("organizations")),
        )
        gaz.actors[code] = actor
    for row in _read_jsonl("weapons.jsonl"):
        designation = row.get("designation")
        category = row.get("category")
        if not designation or category not in CATEGORIES:
            continue
        gaz.weapons[designation] = Weapon(
            designation=designation,
            category=category,
            aliases=_names(row.get("aliases")),
            origin=row.get("origin") or None,
            ambiguous=bool(row.get("ambiguous", False)),
            ambiguous_names=_names(row.get("ambiguous_names")),
        )
    gaz.generic, gaz.not_weapons = _load_generic()
    gaz.not_actors = _load_not_actors()
    for surface, code, role in gaz.actor_surfaces():
        key = surface.lower()
        if role == "demonym":
            gaz.demonym_actor.setdefault(key, code)
        gaz.surface_actor.setdefault(key, code)
    return gaz
