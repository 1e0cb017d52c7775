"""Checks on the built gazetteer files (src/armstrace/data/{actors,weapons}.jsonl)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "src" / "armstrace" / "data"
SCRIPT = REPO / "scripts" / "build_gazetteers.py"
SHARED = REPO.parent / "shared" / "gazetteers"

CATEGORIES = {
    "aircraft", "drone", "missile", "air_defense", "armored_vehicle", "artillery",
    "ammunition", "small_arms", "naval", "electronics", "technology", "unspecified",
}
KINDS = {"state", "historic_state", "group", "alliance"}
GROUP_SLUGS = {
    "hezbollah", "hamas", "houthis", "wagner", "taliban", "isis", "al-qaeda", "pkk", "ypg", "sdf",
    "peshmerga", "syrian-rebels", "lna", "contras", "unita", "mujahideen", "farc", "eln", "ira", "plo",
    "polisario", "ltte", "other-group",
}
ALLIANCES = {"nato", "eu", "un"}


def load(name):
    with open(DATA / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def key(s: str) -> str:
    return re.sub(r"[\s\-_./()'\u2019\"`,:]+", "", s.casefold())


@pytest.fixture(scope="module")
def weapons():
    return load("weapons.jsonl")


@pytest.fixture(scope="module")
def actors():
    return load("actors.jsonl")


@pytest.fixture(scope="module")
def weapon_index(weapons):
    idx = {}
    for w in weapons:
        for n in [w["designation"], *w["aliases"]]:
            idx.setdefault(key(n), []).append(w)
    return idx


@pytest.fixture(scope="module")
def actor_index(actors):
    idx = {}
    for a in actors:
        for fld in ("names", "demonyms", "metonyms", "organisations"):
            for n in a.get(fld, []):
                idx.setdefault(n.casefold(), set()).add(a["code"])
    return idx


# ----------------------------------------------------------------------------- weapons

def test_weapon_count(weapons):
    assert len(weapons) >= 2000


def test_weapon_schema(weapons):
    for w in weapons:
        assert set(w) >= {"designation", "aliases", "category", "origin", "sources"}, w
        assert set(w) <= {"designation", "aliases", "category", "origin", "sources", "ambiguous",
                          "ambiguous_names"}, w
        assert w["category"] in CATEGORIES, w
        assert w["origin"] is None or re.fullmatch(r"[A-Z]{3}", w["origin"]), w
        assert w["sources"] and set(w["sources"]) <= {"sipri", "oryx_scarnecchia", "oryx_petroivaniuk", "manual"}
        assert isinstance(w["aliases"], list) and w["designation"] not in w["aliases"]
        if "ambiguous" in w:
            assert w["ambiguous"] is True
            assert set(w["ambiguous_names"]) <= {w["designation"], *w["aliases"]}


def test_no_duplicate_designations(weapons):
    seen = {}
    for w in weapons:
        k = key(w["designation"])
        assert k not in seen, (w["designation"], seen.get(k))
        seen[k] = w["designation"]


def test_no_junk_designations(weapons):
    for w in weapons:
        assert not re.match(r"(?i)^(unknown|various)\b", w["designation"]), w
        assert not re.match(r"(?i)^(vehicle|aircraft|ship) engine\b", w["designation"]), w


def test_sorted(weapons, actors):
    d = [(w["designation"].casefold(), w["designation"]) for w in weapons]
    assert d == sorted(d)


def test_size(weapons):
    assert (DATA / "weapons.jsonl").stat().st_size < 2_000_000


@pytest.mark.parametrize("name,category,origin", [
    ("Geran-2", "drone", None),
    ("Geran 2", "drone", None),
    ("KN-23", "missile", "PRK"),
    ("SCALP", "missile", None),
    ("Storm Shadow", "missile", None),
    ("M142", "artillery", "USA"),
    ("HIMARS", "artillery", "USA"),
    ("Patriot", "air_defense", "USA"),
    ("MIM-104", "air_defense", "USA"),
    ("Fateh-110", "missile", "IRN"),
    ("Fateh 110", "missile", "IRN"),
    ("Su-35", "aircraft", None),
    ("Mohajer-6", "drone", "IRN"),
    ("Ababil", "drone", None),
    ("Shahed-136", "drone", "IRN"),
    ("Bayraktar TB2", "drone", "TUR"),
    ("Lancet", "drone", "RUS"),
    ("S-400", "air_defense", "RUS"),
    ("IRIS-T", "air_defense", "DEU"),
    ("NASAMS", "air_defense", None),
    ("Stinger", "air_defense", None),
    ("Javelin", "missile", "USA"),
    ("ATACMS", "missile", "USA"),
    ("JDAM", "missile", "USA"),
    ("Leopard 2", "armored_vehicle", "DEU"),
    ("Abrams", "armored_vehicle", "USA"),
    ("T-72", "armored_vehicle", None),
    ("M777", "artillery", None),
    ("Caesar", "artillery", "FRA"),
    ("F-16", "aircraft", "USA"),
    ("Mi-8", "aircraft", None),
    ("Kilo-class", "naval", None),
    ("Krasukha", "electronics", "RUS"),
    ("AK-47", "small_arms", None),
])
def test_weapon_lookup(weapon_index, name, category, origin):
    hits = weapon_index.get(key(name))
    assert hits, f"{name} not found"
    cats = {w["category"] for w in hits}
    assert category in cats, (name, cats)
    if origin:
        assert origin in {w["origin"] for w in hits if w["category"] == category}, (name, hits)


def test_ambiguous_flags(weapon_index):
    for name in ("Patriot", "Tornado", "Arrow", "Javelin", "Stinger", "Harpoon"):
        w = weapon_index[key(name)][0]
        assert w.get("ambiguous") is True and name in w["ambiguous_names"], w


def test_each_alias_in_one_record(weapons):
    owners = {}
    for w in weapons:
        for n in [w["designation"], *w["aliases"]]:
            owners.setdefault(key(n), set()).add(w["designation"])
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    assert not shared, list(shared.items())[:10]


# ----------------------------------------------------------------------------- actors

def test_actor_schema(actors):
    codes = set()
    for a in actors:
        assert set(a) >= {"code", "kind", "name", "names", "demonyms", "metonyms"}, a
        assert set(a) <= {"code", "kind", "name", "names", "demonyms", "metonyms", "organisations",
                          "ambiguous_names"}, a
        assert a["kind"] in KINDS
        assert a["code"] not in codes
        codes.add(a["code"])
        assert a["names"] and a["names"][0] == a["name"]
        if a["kind"] in ("state", "historic_state"):
            assert re.fullmatch(r"[A-Z]{3}", a["code"]), a["code"]
        elif a["kind"] == "group":
            assert a["code"] in GROUP_SLUGS
        else:
            assert a["code"] in ALLIANCES
    assert GROUP_SLUGS <= codes and ALLIANCES <= codes
    assert {"SUN", "DDR", "YUG", "CSK"} <= codes
    assert len([a for a in actors if a["kind"] == "state"]) >= 190


@pytest.mark.parametrize("name,code", [
    ("Tehran", "IRN"), ("the Kremlin", "RUS"), ("Kremlin", "RUS"), ("Moscow", "RUS"),
    ("Pentagon", "USA"), ("White House", "USA"), ("Washington", "USA"), ("State Department", "USA"),
    ("Iranian", "IRN"), ("Iranians", "IRN"), ("Soviet Union", "SUN"), ("USSR", "SUN"), ("Soviet", "SUN"),
    ("East Germany", "DDR"), ("West Germany", "DEU"), ("Yugoslavia", "YUG"), ("Czechoslovakia", "CSK"),
    ("Hezbollah", "hezbollah"), ("Hizbollah", "hezbollah"), ("Houthi rebels", "houthis"),
    ("Ansar Allah", "houthis"), ("Houthi", "houthis"), ("Islamic State", "isis"), ("Daesh", "isis"),
    ("Wagner Group", "wagner"), ("Free Syrian Army", "syrian-rebels"), ("Haftar's forces", "lna"),
    ("Libyan National Army", "lna"), ("Taliban", "taliban"), ("NATO", "nato"), ("European Union", "eu"),
    ("United Nations", "un"),
    ("Britain", "GBR"), ("UK", "GBR"), ("U.K.", "GBR"), ("Great Britain", "GBR"), ("British", "GBR"),
    ("U.S.", "USA"), ("US", "USA"), ("USA", "USA"), ("America", "USA"), ("American", "USA"),
    ("North Korea", "PRK"), ("DPRK", "PRK"), ("Pyongyang", "PRK"), ("South Korea", "KOR"),
    ("Russian Federation", "RUS"), ("Taiwan", "TWN"), ("Kyiv", "UKR"), ("Kiev", "UKR"),
    ("Beijing", "CHN"), ("Downing Street", "GBR"), ("Elysee", "FRA"), ("Ankara", "TUR"),
    ("Jerusalem", "ISR"), ("Seoul", "KOR"), ("Tokyo", "JPN"), ("Riyadh", "SAU"), ("Emirati", "ARE"),
    ("Saudi", "SAU"), ("Chinese", "CHN"), ("North Korean", "PRK"), ("Turkish", "TUR"), ("Dutch", "NLD"),
    ("Swiss", "CHE"), ("Filipino", "PHL"), ("Israeli", "ISR"), ("Ukrainian", "UKR"),
    ("Baykar", "TUR"), ("Lockheed Martin", "USA"), ("Rosoboronexport", "RUS"), ("IRGC", "IRN"),
    ("Islamic Revolutionary Guard Corps", "IRN"), ("Bundeswehr", "DEU"), ("Rafael", "ISR"),
    ("Norinco", "CHN"), ("Hanwha", "KOR"), ("Palestine", "PSE"),
    ("McDonnell Douglas", "USA"), ("Ferranti", "GBR"), ("FMLN", "other-group"), ("Shining Path", "other-group"),
])
def test_actor_lookup(actor_index, name, code):
    assert actor_index.get(name.casefold()) == {code}, (name, actor_index.get(name.casefold()))


def test_dropped_capitals_absent(actor_index):
    for cap in ("Victoria", "Kingston", "Georgetown", "Hamilton", "Male", "Jamestown"):
        assert cap.casefold() not in actor_index, cap


def test_each_actor_string_unique(actors):
    seen = {}
    for a in actors:
        for fld in ("names", "demonyms", "metonyms", "organisations"):
            for n in a.get(fld, []):
                assert seen.setdefault(n.casefold(), a["code"]) == a["code"], (n, a["code"], seen[n.casefold()])


# ----------------------------------------------------------------------------- rebuild

def test_rebuild_is_byte_identical(tmp_path):
    if not (SHARED / "mledoze_countries" / "countries.json").exists():
        pytest.skip(f"shared gazetteer data not available at {SHARED}; cannot check the rebuild")
    res = subprocess.run([sys.executable, str(SCRIPT), "--shared", str(SHARED), "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    for name in ("actors.jsonl", "weapons.jsonl"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), f"{name} differs from a rebuild"
