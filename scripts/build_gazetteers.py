#!/usr/bin/env python3
"""Rebuild armstrace's gazetteer data files from open data plus hand-made tables.

Inputs
  --shared DIR   the shared reference data (default: ../shared/gazetteers relative to
                 the repository root), holding mledoze_countries/, sipri_trade_register_2026/,
                 sipri_global_arms_transfer_2000_2023/, oryx_scarnecchia/, petroivaniuk_oryx/
  src/armstrace/data/manual/   hand-made tables kept in the repository:
      actors_manual.json      extra names, demonyms, metonyms, organisations; historic
                              states, armed groups and alliances
      capitals_dropped.csv    capitals not used as metonyms (clash with words or names)
      weapon_aliases.csv      hand-made weapon designations and aliases news uses
      sipri_category_map.csv  SIPRI armament category + description -> armstrace category
      common_words.txt        ordinary English words; a weapon name made only of these
                              is flagged "ambiguous"

Outputs (--out DIR, default src/armstrace/data/)
  actors.jsonl, weapons.jsonl

Standard library only; the output is deterministic (sorted, no timestamps), so a rebuild
reproduces the committed files byte for byte.

Usage
  python scripts/build_gazetteers.py [--shared DIR] [--out DIR] [--report]
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "src" / "armstrace" / "data"
MANUAL = DATA / "manual"
DEFAULT_SHARED = REPO.parent / "shared" / "gazetteers"

CATEGORIES = (
    "aircraft", "drone", "missile", "air_defense", "armored_vehicle", "artillery",
    "ammunition", "small_arms", "naval", "electronics", "technology", "unspecified",
)
KIND_ORDER = {"state": 0, "historic_state": 1, "group": 2, "alliance": 3}

# --------------------------------------------------------------------------- text utils

_CYR = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "а": "a", "е": "e", "о": "o", "р": "p",
    "с": "c", "х": "x", "у": "y", "к": "k", "м": "m", "т": "t", "н": "h", "в": "b",
})


def fix_text(s: str) -> str:
    """Repair encoding artefacts, transliterate Cyrillic look-alikes, tidy spaces."""
    s = re.sub(r"<U\+([0-9A-Fa-f]{4})>", lambda m: chr(int(m.group(1), 16)), s)
    s = s.translate(_CYR)
    s = s.replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip()


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def norm_key(s: str) -> str:
    """Key under which two spellings count as the same name (F-16 == F16 == f 16)."""
    s = strip_accents(fix_text(s)).casefold()
    return re.sub(r"[\s\-\u2010-\u2015_./()'\u2019\u2018\"`,:]+", "", s)


def is_latin(s: str) -> bool:
    for c in s:
        if c.isalpha():
            try:
                if "LATIN" not in unicodedata.name(c):
                    return False
            except ValueError:
                return False
    return True


def uniq(seq):
    seen, out = set(), []
    for x in seq:
        if x and x not in seen:
            seen.add(x)
            out.append(x)
    return out


def sort_names(first: str | None, names) -> list[str]:
    rest = sorted({n for n in names if n != first}, key=lambda n: (n.casefold(), n))
    return ([first] if first else []) + rest


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------- actors

def plural(dem: str) -> str | None:
    if re.search(r"(ese|ish|ch|sh|ss|s|x|z|i-made|made)$", dem) or " " in dem and dem.endswith(("ese", "ish")):
        return None
    if dem.endswith("y"):
        return None
    return dem + "s"


def build_actors(shared: Path):
    manual = json.loads((MANUAL / "actors_manual.json").read_text(encoding="utf-8"))
    dropped_caps = defaultdict(set)
    for row in read_csv(MANUAL / "capitals_dropped.csv"):
        dropped_caps[row["code"]].add(row["capital"])
    countries = json.loads((shared / "mledoze_countries" / "countries.json").read_text(encoding="utf-8"))

    actors = {}
    # priority of a mledoze state when two claim the same string: UN member, independent, area
    prio = {}
    for c in countries:
        code = c["cca3"]
        man = manual["states"].get(code, {})
        drop = set(manual["drop_names"].get(code, []))
        common = c["name"]["common"]
        names = [common, c["name"]["official"]]
        for alt in c.get("altSpellings", []):
            if len(alt) <= 2 or "," in alt or not is_latin(alt) or alt in drop \
                    or any(0x250 <= ord(ch) <= 0x2FF for ch in alt):   # IPA transcriptions
                continue
            names.append(alt)
        names += man.get("names", [])
        names = [n for n in names if n not in drop]
        names += [strip_accents(n) for n in names]
        dem_raw = c.get("demonyms", {}).get("eng", {})
        dems = []
        for g in ("m", "f"):
            for d in re.split(r",\s*|\s+or\s+", dem_raw.get(g, "") or ""):
                d = d.strip()
                if d and d not in drop:
                    dems.append(d)
        dems_all = list(dems)
        for d in dems:
            p = plural(d)
            if p:
                dems_all.append(p)
        dems_all += man.get("demonyms", [])
        dems_all += [strip_accents(d) for d in dems_all]
        mets = []
        for cap in c.get("capital", []):
            if cap in dropped_caps.get(code, ()):
                continue
            mets.append(cap)
            if cap == "Washington D.C.":
                mets.append("Washington")
        mets += man.get("metonyms", [])
        mets += [strip_accents(m) for m in mets]
        actors[code] = {
            "code": code,
            "kind": "state",
            "name": man.get("name", common),
            "names": uniq(names),
            "demonyms": uniq(dems_all),
            "metonyms": uniq(mets),
            "organisations": uniq(man.get("organisations", [])),
            "ambiguous_names": uniq(man.get("ambiguous_names", [])),
            "_manual": {n for k in ("names", "demonyms", "metonyms", "organisations") for n in man.get(k, [])},
        }
        prio[code] = (0 if c.get("unMember") else 1, 0 if c.get("independent") else 1, -float(c.get("area") or 0), code)
    for ent in manual["entities"]:
        code = ent["code"]
        rec = {
            "code": code, "kind": ent["kind"], "name": ent["name"],
            "names": uniq(ent["names"] + [strip_accents(n) for n in ent["names"]]),
            "demonyms": uniq(ent.get("demonyms", [])),
            "metonyms": uniq(ent.get("metonyms", [])),
            "organisations": uniq(ent.get("organisations", [])),
            "ambiguous_names": uniq(ent.get("ambiguous_names", [])),
        }
        rec["_manual"] = {n for k in ("names", "demonyms", "metonyms", "organisations") for n in rec[k]}
        actors[code] = rec
        prio[code] = (-1, 0, 0.0, code)

    # Each surface string belongs to one actor: hand-made assignments win, then the
    # mledoze priority above.  Within an actor, a string is kept in the first field of
    # names > demonyms > organisations > metonyms.
    owner = {}
    fields = ("names", "demonyms", "organisations", "metonyms")
    for code in sorted(actors, key=lambda k: prio[k]):
        a = actors[code]
        for fld in fields:
            for n in a[fld]:
                k = n.casefold()
                cand = (0 if n in a["_manual"] else 1, prio[code])
                if k not in owner or cand < owner[k][0]:
                    owner[k] = (cand, code, fld)
    conflicts = []
    for code, a in actors.items():
        for fld in fields:
            kept = []
            for n in a[fld]:
                _, oc, of = owner[n.casefold()]
                if oc == code and of == fld:
                    if n.casefold() not in {x.casefold() for x in kept}:
                        kept.append(n)
                elif oc != code:
                    conflicts.append((n, code, oc))
            a[fld] = kept
    out = []
    for code in sorted(actors, key=lambda k: (KIND_ORDER[actors[k]["kind"]], k)):
        a = actors[code]
        allnames = {n for f in fields for n in a[f]}
        rec = {
            "code": a["code"], "kind": a["kind"], "name": a["name"],
            "names": sort_names(a["name"] if a["name"] in a["names"] else None, a["names"]),
            "demonyms": sort_names(None, a["demonyms"]),
            "metonyms": sort_names(None, a["metonyms"]),
        }
        if a["organisations"]:
            rec["organisations"] = sort_names(None, a["organisations"])
        amb = sorted(n for n in a["ambiguous_names"] if n in allnames)
        if amb:
            rec["ambiguous_names"] = amb
        if rec["name"] not in rec["names"]:
            rec["names"] = sort_names(None, rec["names"] + [rec["name"]])
            rec["names"].remove(rec["name"])
            rec["names"].insert(0, rec["name"])
        out.append(rec)
    return out, sorted(set(conflicts))


def country_lookup(shared: Path) -> dict[str, str]:
    """Map country names as written in SIPRI/Oryx to alpha-3 codes."""
    countries = json.loads((shared / "mledoze_countries" / "countries.json").read_text(encoding="utf-8"))
    m = {}
    for c in countries:
        for n in [c["name"]["common"], c["name"]["official"]] + c.get("altSpellings", []):
            m.setdefault(n.casefold(), c["cca3"])
            m.setdefault(strip_accents(n).casefold(), c["cca3"])
    extra = {
        "soviet union": "SUN", "the soviet union": "SUN", "ussr": "SUN",
        "east germany": "DDR", "east germany (gdr)": "DDR", "yugoslavia": "YUG",
        "czechoslovakia": "CSK", "west germany": "DEU", "west germany (frg)": "DEU",
        "turkiye": "TUR", "turkey": "TUR", "uae": "ARE", "viet nam": "VNM",
        "bosnia-herzegovina": "BIH", "czechia": "CZE", "czech republic": "CZE",
        "the czech republic": "CZE", "united states": "USA", "united kingdom": "GBR",
        "south korea": "KOR", "north korea": "PRK", "people": "CHN", "dr congo": "COD",
    }
    m.update(extra)
    return m


# --------------------------------------------------------------------------- weapons

class Rec:
    __slots__ = ("key", "spellings", "aliases", "cats", "origins", "sources", "weight",
                 "manual", "amb")

    def __init__(self, key):
        self.key = key
        self.spellings = Counter()   # designation spellings seen
        self.aliases = {}            # alias -> strength (0 manual, 1 variant, 2 derived)
        self.cats = {}               # source -> Counter(category)
        self.origins = {}            # source -> Counter(code)
        self.sources = set()
        self.weight = 0.0
        self.manual = None           # manual row if any
        self.amb = set()

    def add_alias(self, alias, strength):
        alias = fix_text(alias)
        if not alias or len(norm_key(alias)) < 2:
            return
        if alias not in self.aliases or strength < self.aliases[alias]:
            self.aliases[alias] = strength

    def vote(self, table, source, value, w=1.0):
        if value:
            table.setdefault(source, Counter())[value] += w

    def category(self):
        if self.manual:
            return self.manual["category"]
        for src in ("sipri", "oryx_petroivaniuk", "oryx_scarnecchia"):
            if src in self.cats and self.cats[src]:
                return best(self.cats[src])
        return None

    def origin(self):
        if self.manual and self.manual["origin"]:
            return self.manual["origin"]
        combined = Counter()
        for src in ("oryx_scarnecchia", "oryx_petroivaniuk"):
            combined.update(self.origins.get(src, Counter()))
        if combined:
            return best(combined)
        if self.origins.get("sipri"):
            return best(self.origins["sipri"])
        return None

    def designation(self):
        if self.manual:
            return self.manual["designation"]
        return best(self.spellings)


def best(counter: Counter):
    """Most frequent value; ties broken by sort order (deterministic)."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0]


def variants(name: str) -> list[str]:
    """Punctuation variants news uses: F-16/F16, Su-35/Su 35/Su35, Hermes 450/Hermes-450."""
    v = {name}
    v.add(re.sub(r"(?<=[A-Za-z])-(?=\d)", "", name))
    v.add(re.sub(r"(?<=[A-Za-z]{3})-(?=\d)", " ", name))
    v.add(re.sub(r"(?<=[A-Za-z]{3}) (?=\d)", "-", name))
    v.add(re.sub(r"(?<=\d)-(?=[A-Za-z]{1,3}\b)", "", name))  # Tor-M2 stays; 2S-19? harmless
    return sorted(x for x in v if x != name)


SIPRI_TAGS = {
    "SAMS", "SAM", "APC", "IFV", "AV", "APV", "ARV", "AEV", "PC", "OPV", "FAC", "UAV", "MRL",
    "CDS", "TEL", "MI", "ASM", "BOMB", "ADS", "AFSV", "ATM", "MCM", "LAU", "SIGINT", "AGS",
    "AUS", "UK", "CAN", "GR", "ITA", "TUR", "FRA", "USA", "GER", "IN", "RSA", "ISR", "SWE",
    "ESP", "NLD", "POL", "KOR", "JPN", "CHN", "BRA", "Naval", "Land", "CHAS", "Train",
}


# words that never make a useful name on their own (derived aliases equal to these are dropped)
GENERIC_WORDS = {
    "turret", "fighter", "light", "medium", "heavy", "compact", "maritime", "super", "plus", "trainer",
    "transport", "chassis", "mobile", "naval", "land", "sea", "air", "class", "type", "project", "block",
    "system", "systems", "radar", "gun", "vehicle", "boat", "ship", "tank", "rocket", "missile", "bomb",
    "launcher", "command", "control", "station", "cape", "bay", "castle", "island", "extra", "series",
    "model", "mark", "variant", "version", "armored", "armoured", "recovery", "engineering", "standard",
    "universal", "international", "advanced", "improved", "new", "modernized", "modernised", "train",
    "mod", "mk",
}
COUNTRY_CODES: set[str] = set()   # ISO alpha-2/3 codes, filled by build_weapons


def derived_aliases(name: str) -> list[str]:
    """Shorter names derived from a designation (strength 2, kept only if unambiguous)."""
    out = set()
    s = re.sub(r"\s+-$", "", name).strip()
    if s != name:
        out.add(s)
    s2 = re.sub(r"\s+\d+(\.\d+)?mm$", "", s)
    s2 = re.sub(r"\s+Block[- ]?[IVX\d]+\w*$", "", s2)
    toks = s2.split()
    while len(toks) > 1 and (toks[-1] in SIPRI_TAGS or toks[-1] in COUNTRY_CODES):
        toks = toks[:-1]
    s2 = " ".join(toks)
    if s2 != s and len(norm_key(s2)) >= 3:
        out.add(s2)
    toks = s2.split()
    # CODE Name ... (MIM-104 Patriot, FGM-148 Javelin, 2S19 Msta-S)
    if len(toks) >= 2 and re.search(r"\d", toks[0]) and all(
            re.fullmatch(r"[A-Z][A-Za-z'\-]+", t) and not re.fullmatch(r"[A-Z]{2,3}", t) for t in toks[1:]):
        if len(" ".join(toks[1:])) >= 4:
            out.add(" ".join(toks[1:]))
        if len(norm_key(toks[0])) >= 3:
            out.add(toks[0])
    # Name CODE (Bayraktar TB-2)
    if len(toks) == 2 and re.fullmatch(r"[A-Z]{2,}[A-Za-z]*-?\d[\w\-]*", toks[1]) \
            and re.fullmatch(r"[A-Z][a-z]{2,}", toks[0]):
        if len(norm_key(toks[1])) >= 3:
            out.add(toks[1])
    return sorted(x for x in out if x and x != name and x.casefold() not in GENERIC_WORDS)


def read_sipri_register(path: Path) -> list[dict]:
    raw = path.read_text(encoding="utf-8")
    lines = raw.replace("\r\n", "\n").split("\n")
    # 11 preamble lines; rows are comma-separated and ';'-terminated
    body = [ln[:-1] if ln.endswith(";") else ln for ln in lines[11:]]
    rows = list(csv.DictReader(io.StringIO("\n".join(body))))
    out = []
    for r in rows:
        if not r.get("Designation"):
            continue
        out.append({
            "designation": r["Designation"], "description": r["Description"],
            "sipri_category": r["Armament category"], "supplier": r["Supplier"],
            "second_hand": r["Status"].startswith("Second hand"),
        })
    return out


def read_sipri_old(path: Path) -> list[dict]:
    out = []
    for r in read_csv(path):
        if not r.get("designation"):
            continue
        out.append({
            "designation": r["designation"], "description": r["description"],
            "sipri_category": r["category"], "supplier": r["source"], "second_hand": False,
        })
    return out


def load_category_map():
    rules = []
    for r in read_csv(MANUAL / "sipri_category_map.csv"):
        assert r["category"] in CATEGORIES or r["category"] == "-", r
        rules.append((r["sipri_category"].casefold().replace("-", " "), re.compile(r["description_regex"], re.I), r["category"]))
    return rules


def map_sipri(rules, sipri_cat: str, desc: str) -> str | None:
    c = sipri_cat.casefold().replace("-", " ")
    for rc, rx, cat in rules:
        if rc == c and rx.search(desc or ""):
            return cat
    return None


JUNK_DESIGNATION = re.compile(
    r"(?i)^(unknown.*|various.*|n/?a|\?+|-+|other|misc.*|(vehicle|aircraft|ship) engine\b.*|air refuel system)$")

# ---- Oryx

PETRO_MAP = {
    "Tanks": "armored_vehicle", "Armoured Fighting Vehicles": "armored_vehicle",
    "Infantry Fighting Vehicles": "armored_vehicle", "Armoured Personnel Carriers": "armored_vehicle",
    "Infantry Mobility Vehicles": "armored_vehicle", "Mine-Resistant Ambush Protected": "armored_vehicle",
    "Engineering Vehicles And Equipment": "armored_vehicle?",
    "Command Posts And Communications Stations": "electronics", "Radars": "electronics",
    "Jammers And Deception Systems": "electronics",
    "Reconnaissance Unmanned Aerial Vehicles": "drone", "Unmanned Combat Aerial Vehicles": "drone",
    "Surface-To-Air Missile Systems": "air_defense", "Self-Propelled Anti-Aircraft Guns": "air_defense",
    "Anti-Aircraft Guns": "air_defense", "Aircraft": "aircraft", "Helicopters": "aircraft",
    "Self-Propelled Artillery": "artillery", "Towed Artillery": "artillery",
    "Multiple Rocket Launchers": "artillery", "Naval Ships": "naval",
    "Self-Propelled Anti-Tank Missile Systems": "missile",
    "Artillery Support Vehicles And Equipment": "electronics?",
    "Trucks, Vehicles and Jeeps": None,
}

ORYX_SKIP = re.compile(
    r"(?i)^\(?unknown|^uknown|\btrucks?\b|\bjeep\b|\bvan\b|tanker\b|\bcrane\b|excavator|pontoon|\bbus\b|"
    r"ambulance|medical|pick-?up|buggy|power plant|generator|heater|air conditioner|drilling|\bfuel\b|"
    r"tractor|starter|loader|decontamination|psyops|kitchen|workshop|repair|\bugv\b|\bcar\b|\bsuv\b|"
    r"trailer|motorcycle|\bkamaz\b|\bural\b|\bural-\d|\bgaz-\d{2}\b|\bzil|\buaz|\bkraz|\bmaz-|\btatra\b|"
    r"\biveco\b|\bman\b|\brmmv\b|\bdaf\b|\bscania\b|\bvolvo\b|\btoyota\b|land rover|\bford\b|\bmitsubishi\b|"
    r"\bnissan\b|\bchevrolet\b|\bdodge\b|renault trm|\bstar-\d|\bjelcz\b|mercedes|\bwith\b|\bhull\b|"
    r"\bbridge\b|bridge ?layer|transport vehicle|support vehicle|tug|train\b|avtozak|pipe|antenna|"
    r"\bmast\b|\bbait\b|target drone|weather|radiosonde|\bvityaz\b|\bdt-\d|carrier\b.*articulated|"
    r"rescue|training vessel|smoke")

ORYX_RULES = [
    ("electronics", r"counter-ua|anti-drone|counter-drone|anti-uav"),
    ("drone", r"\buav\b|\bucav\b|drone|loitering|quadcopter|\borlan|\bzala\b|supercam|forpost|eleron|"
              r"lancet|shahed|geran|mohajer|bayraktar|\btb2\b|leleka|furia|valkyrja|spectator|raybird|"
              r"scaneagle|quantix|takhion|\brq-\d|vtol|warmate|switchblade|\bheidrun|\bsparrow\b"),
    ("missile", r"iskander|tochka|atgm|kornet|konkurs|fagot|metis|kokon|shturm|malyutka|neptune|harpoon|"
                r"bastion|brimstone|asraam|\bbal\b"),
    ("air_defense", r"\bsam\b|anti-aircraft|\baa gun|\bzu-23|\bs-60\b|shilka|tunguska|pantsir|\bbuk\b|buk-|"
                    r"\btor\b|tor-m|\bosa\b|strela|igla|verba|gibka|s-300|s-400|s-350|s-125|s-200|patriot|"
                    r"nasams|iris-t|gepard|stormer|avenger|crotale|\bhawk\b|\btelar\b|\btlar\b|\btel\b|"
                    r"\bks-19\b|itk 61|skyguard|aspide|viktor|\bspaag\b"),
    ("electronics", r"radar|\bew\b|electronic|jammer|jamming|command post|command vehicle|communications|"
                    r"\bstation\b|reconnaissance complex|fire control|fire direction|observ|command and|"
                    r"counter-ua|anti-drone|krasukha|borisoglebsk|\bleer|zhitel|repellent|silok|strizh|sapfir|"
                    r"\brb-\d|\br-\d{3}|satellite|lorandit|\btorn\b|zoopark|nebo|kasta|podlet|flap lid|"
                    r"clam shell|tin shield|sentinel|arthur|tpq|trml|\bp-18|\b1l\d|\b1rl|\b1v1|\b1k1|"
                    r"sobolyatnik|aistyonok|\bsnar|\bparol\b|\bst-68|rtut|mashina"),
    ("aircraft", r"helicopter|aircraft|bomber|fighter|\bjet\b|\bsu-\d|\bmig-\d|\bmi-\d|\bka-\d|\btu-\d|"
                 r"\bil-\d|\ban-\d|\byak-\d|\bl-39|\bh225|beriev|\bbe-\d"),
    ("naval", r"\bboat|\bship\b|vessel|corvette|frigate|submarine|landing craft|cutter|patrol craft|"
              r"minesweeper|\bclass\b|-class"),
    ("artillery", r"\d+mm|howitzer|\bgun\b|mortar|\bmrls?\b|rocket launcher|\bgrad\b|grad-|uragan|smerch|"
                  r"tornado|\btos-|himars|\bm270|caesar|\bkrab\b|archer|pzh|panzerhaubitze|as-90|\bm109|"
                  r"m777|\bdana\b|zuzana|bohdana|\b2s\d|\b2a\d\d|\bd-30|\bd-20|vasilek|bureviy|\brak\b|"
                  r"rm-70|apr-40|\bnona\b|akatsiya|gvozdika|msta|giatsint|\bpion\b|malka|tyulpan|koksan|"
                  r"chuch|\b2b\d"),
    ("armored_vehicle", r"\btanks?\b|\bbmp|\bbtr|\bbmd|\bmt-lb|\bapc\b|\bifv\b|\bafv\b|\bmrap\b|\bimv\b|"
                        r"armou?red|\bt-\d\d|\bbrm|\bbrdm|\bbmo\b|leopard|abrams|bradley|marder|stryker|"
                        r"\bm113|\bm2a|cv90|challenger|stridsvagn|amx-10|\bvab\b|\bypr|kozak|varta|senator|"
                        r"dingo|mastiff|husky|wolfhound|saxon|mamba|bushmaster|maxxpro|m-atv|hmmwv|humvee|"
                        r"vepr|dozor|bars-|novator|typhoon|tigr|spartan|engineering vehicle|recovery vehicle|"
                        r"mine.clearing|\bimr\b|bat-2|ur-77|sisu|patria|pandur|marauder|cougar|kirpi|cobra|"
                        r"roshel|gurkha|m1224|aifv|\bbmp-|\bmt-12\b|\bbtr-|\bshk\b|\bm-atv|\bm1117|\bmrap"),
]
ORYX_RULES = [(c, re.compile(rx, re.I)) for c, rx in ORYX_RULES]

ORYX_TAIL = {"UAV", "UCAV", "APC", "IFV", "AFV", "MRAP", "IMV", "ATGM", "TEL", "TELAR", "TLAR", "MRL",
             "MRLS", "SAM", "SPG", "SPAAG", "AA", "VTOL", "IMV", "UGV", "EW"}


ORYX_LEAD = {"Landing", "Early", "Small", "Weaponised", "Weaponized", "Radio", "Armed", "Armoured", "SHF"}
ORYX_GENERIC = {"Command", "Control", "Radio", "Launcher", "Small", "Weaponised", "TEL", "Landing", "Early",
                "Armed", "Armoured", "Unknown", "Antenna", "Truck", "Transitional", "River", "F3", "VTOL"}


def oryx_clean(raw: str) -> str | None:
    s = fix_text(raw)
    s = re.sub(r"^\d+\s+(?=\S)", "", s)               # leading Oryx count "252 T-72B3"
    s = re.sub(r"\s*:.*$", "", s)                      # "2A36 Giatsint-B: (1, destroyed)"
    s = re.sub(r"\s*\([^)]*\)?", " ", s)               # parentheticals, also unclosed ones
    s = re.sub(r"[\"'\u2018\u2019\u201c\u201d]", "", s)
    s = re.sub(r"^\d+(\.\d+)?(/\d+)?mm\s+", "", s)     # calibre prefix "152mm 2S19 Msta-S"
    s = s.replace(")", " ")
    s = re.sub(r"\s+(for|on|based|from|of|or|in|operated|and)\b.*$", "", s, flags=re.I)
    toks = s.split()
    while len(toks) > 1 and (re.fullmatch(r"[a-z][a-z\-/]*", toks[0]) or toks[0] in ORYX_LEAD):
        toks = toks[1:]
    while len(toks) > 1 and (re.fullmatch(r"[a-z][a-z\-/]*", toks[-1]) or toks[-1] in ORYX_TAIL
                             or toks[-1] in {"Mobile", "Anti-Aircraft", "Gun", "Artillery", "Systems",
                                             "Stealth", "3D", "Radar", "Recon"}):
        toks = toks[:-1]
    s = " ".join(toks).strip(" -/,")
    if len(norm_key(s)) < 2 or not re.search(r"[A-Za-z]", s):
        return None
    if re.fullmatch(r"[a-z][a-z \-]*", s) or s in ORYX_GENERIC:   # only a generic description is left
        return None
    return s


def oryx_category(raw: str) -> str | None:
    for cat, rx in ORYX_RULES:
        if rx.search(raw):
            return cat
    return None


def build_weapons(shared: Path, report: list[str], actor_names: set[str] = frozenset()):
    recs: dict[str, Rec] = {}

    def rec_for(name):
        k = norm_key(name)
        if k not in recs:
            recs[k] = Rec(k)
        return recs[k]

    countries = country_lookup(shared)
    for c in json.loads((shared / "mledoze_countries" / "countries.json").read_text(encoding="utf-8")):
        COUNTRY_CODES.update({c["cca3"], c["cca2"]})
    COUNTRY_CODES.update({"UK", "GER", "GR", "RSA"})
    rules = load_category_map()
    dropped = Counter()
    unmapped = Counter()

    # --- SIPRI (2026 register and older 2000-2023 table)
    sipri_rows = read_sipri_register(shared / "sipri_trade_register_2026" / "trade_register.csv")
    sipri_rows += read_sipri_old(shared / "sipri_global_arms_transfer_2000_2023" / "global_arms_transfer_2000_2023.csv")
    for r in sipri_rows:
        d = fix_text(r["designation"])
        if JUNK_DESIGNATION.match(d):
            dropped["sipri junk: " + d] += 1
            continue
        clean = re.sub(r"\s+-$", "", d).strip()
        cat = map_sipri(rules, r["sipri_category"], r["description"])
        if cat == "-":
            dropped[f"sipri {r['sipri_category']}: {d}"] += 1
            continue
        if cat is None:
            unmapped[(r["sipri_category"], r["description"])] += 1
            continue
        rec = rec_for(clean)
        rec.spellings[clean] += 1
        rec.weight += 1
        rec.sources.add("sipri")
        rec.vote(rec.cats, "sipri", cat)
        sup = countries.get(fix_text(r["supplier"]).casefold())
        rec.vote(rec.origins, "sipri", sup, 0.25 if r["second_hand"] else 1.0)
        if clean != d:
            rec.add_alias(d.rstrip(" -"), 1)

    # --- PetroIvaniuk Oryx (Russian losses, with Oryx category and manufacturer)
    petro = json.loads((shared / "petroivaniuk_oryx" / "russia_losses_equipment_oryx.json").read_text(encoding="utf-8"))
    petro_cat = {}
    for item in petro:
        raw = fix_text(item["model"])
        cat = PETRO_MAP.get(item["equipment_oryx"])
        if cat == "armored_vehicle?":
            cat = "armored_vehicle" if re.search(
                r"(?i)\b(imr|bat-|ur-77|brem|bmr|mt-lb|tank|armou?red|obstacle|mine.clear)", raw) else None
        elif cat == "electronics?":
            cat = "electronics" if oryx_category(raw) == "electronics" else None
        if not cat or ORYX_SKIP.search(raw):
            dropped["petroivaniuk non-weapon/unmapped: " + raw] += 1
            continue
        name = oryx_clean(raw)
        if not name:
            dropped["petroivaniuk unparsable: " + raw] += 1
            continue
        petro_cat[norm_key(name)] = cat
        rec = rec_for(name)
        rec.spellings[name] += 1
        rec.weight += 0.1 * (item.get("losses_total") or 0) ** 0.5
        rec.sources.add("oryx_petroivaniuk")
        rec.vote(rec.cats, "oryx_petroivaniuk", cat)
        man = re.sub(r"^the\s+", "", item["manufacturer"], flags=re.I)
        rec.vote(rec.origins, "oryx_petroivaniuk", countries.get(man.casefold()))

    # --- scarnecchia Oryx (both sides' losses, with country of manufacture)
    seen = Counter()
    origin_of = defaultdict(Counter)
    for fn in ("event_destroyed", "event_captured", "event_damaged", "event_abandoned"):
        for r in read_csv(shared / "oryx_scarnecchia" / f"{fn}.csv"):
            raw = fix_text(r["system"])
            seen[raw] += 1
            origin_of[raw][r["origin"]] += 1
    for r in read_csv(shared / "oryx_scarnecchia" / "totals_by_system_wide.csv"):
        raw = fix_text(r["system"])
        seen.setdefault(raw, 0)
    by_name = defaultdict(list)
    for raw in sorted(seen):
        if ORYX_SKIP.search(re.sub(r"^\d+\s+", "", raw)):
            dropped["oryx non-weapon/unknown: " + raw] += 1
            continue
        name = oryx_clean(raw)
        if not name:
            dropped["oryx unparsable: " + raw] += 1
            continue
        by_name[name].append(raw)
    # group spellings that share a key; category from any raw string of the group
    groups = defaultdict(list)
    for name in by_name:
        groups[norm_key(name)].append(name)
    for k in sorted(groups):
        names = groups[k]
        raws = [raw for n in names for raw in by_name[n]]
        cats = Counter()
        if k in petro_cat:
            cats[petro_cat[k]] += 100
        for raw in raws:
            c = oryx_category(raw)
            if c:
                cats[c] += 1 + seen[raw]
        if not cats:
            existing = recs.get(k)
            if existing is None or existing.category() is None:
                for raw in raws:
                    dropped["oryx no category: " + raw] += 1
                continue
        rec = rec_for(names[0])
        for n in names:
            rec.spellings[n] += sum(seen[raw] for raw in by_name[n]) or 1
        rec.weight += 0.01 * sum(seen[raw] for raw in raws)
        rec.sources.add("oryx_scarnecchia")
        if cats:
            rec.vote(rec.cats, "oryx_scarnecchia", best(cats))
        for raw in raws:
            for o, n in origin_of[raw].items():
                rec.vote(rec.origins, "oryx_scarnecchia", countries.get(o.casefold()), n)

    # --- hand-made table (wins on designation spelling, category and origin)
    for row in read_csv(MANUAL / "weapon_aliases.csv"):
        assert row["category"] in CATEGORIES, row
        assert not row["origin"] or re.fullmatch(r"[A-Z]{3}", row["origin"]), row
        d = row["designation"].strip()
        rec = rec_for(d)
        if rec.manual is not None:
            raise SystemExit(f"duplicate manual designation {d!r} (same key as {rec.manual['designation']!r})")
        rec.manual = row
        rec.sources.add("manual")
        rec.weight += 1000
        for a in filter(None, (x.strip() for x in row["aliases"].split("|"))):
            rec.add_alias(a, 0)
        rec.amb.update(filter(None, (x.strip() for x in row["ambiguous_names"].split("|"))))

    # A hand-made alias that is another (non-manual) record's designation says they are
    # the same system: fold that record into the manual one (SIPRI "HIMARS" -> "M142 HIMARS").
    for key in sorted(k for k, r in recs.items() if r.manual):
        rec = recs[key]
        for a, s in sorted(rec.aliases.items()):
            k = norm_key(a)
            other = recs.get(k)
            if s != 0 or other is None or other is rec or other.manual is not None:
                continue
            rec.spellings.update(other.spellings)
            for tbl_name in ("cats", "origins"):
                mine, theirs = getattr(rec, tbl_name), getattr(other, tbl_name)
                for src, cnt in theirs.items():
                    mine.setdefault(src, Counter()).update(cnt)
            for al, st in other.aliases.items():
                rec.add_alias(al, st)
            rec.sources |= other.sources
            rec.weight += other.weight
            del recs[k]
            report.append(f"merged {other.designation()!r} into manual {rec.manual['designation']!r}")

    # --- aliases: variants and derived short names, then conflict resolution
    records = [r for r in recs.values() if r.category() is not None]
    for r in recs.values():
        if r.category() is None:
            dropped["no category: " + r.designation()] += 1
    for r in records:
        d = r.designation()
        for sp in r.spellings:
            if sp != d:
                r.add_alias(sp, 1)
        for name in [d] + list(r.aliases):
            for v in variants(name):
                r.add_alias(v, 1 if name == d or r.aliases.get(name) in (0, 1) else 2)
        if not r.manual or True:
            for name in [d] + [s for s in r.spellings]:
                for v in derived_aliases(name):
                    r.add_alias(v, 2)
                    for vv in variants(v):
                        r.add_alias(vv, 2)
    design_keys = {r.key: r for r in records}
    cands = defaultdict(list)   # alias key -> [(strength, rec, alias)]
    for r in records:
        for a, s in r.aliases.items():
            cands[norm_key(a)].append((s, r, a))
    keep = defaultdict(set)
    conflicts_dropped = []
    for k, lst in cands.items():
        if k in design_keys:
            owner = design_keys[k]
            for s, r, a in lst:
                if r is owner:
                    keep[r.key].add(a)
            continue
        smin = min(s for s, _, _ in lst)
        top = [(r, a) for s, r, a in lst if s == smin]
        owners = {r.key: r for r, _ in top}
        if len(owners) == 1:
            for r, a in top:
                keep[r.key].add(a)
            continue
        cats = {r.category() for r in owners.values()}
        if smin == 0 or len(cats) == 1:
            win = sorted(owners.values(), key=lambda r: (-r.weight, r.designation()))[0]
            for r, a in top:
                if r is win:
                    keep[r.key].add(a)
            if smin == 0:
                conflicts_dropped.append(f"manual alias shared: {k} -> {sorted(o.designation() for o in owners.values())}")
        else:
            conflicts_dropped.append(f"alias dropped (categories differ): {sorted({a for _, a in top})} -> "
                                     f"{sorted((o.designation(), o.category()) for o in owners.values())}")

    common = set()
    cw = MANUAL / "common_words.txt"
    if cw.exists():
        common = {w.strip() for w in cw.read_text(encoding="utf-8").splitlines() if w.strip() and not w.startswith("#")}

    def is_common(name: str) -> bool:
        """An ordinary word or two (Arrow, Black Hawk), or a place/actor name (Berlin)."""
        if name.casefold() in actor_names:
            return True
        toks = [t for t in re.split(r"[\s\-/]+", name) if t]
        return 0 < len(toks) <= 2 and all(t.isalpha() and t.casefold() in common for t in toks)

    out = []
    for r in records:
        d = r.designation()
        al = sorted((a for a in keep.get(r.key, ()) if a != d), key=lambda a: (a.casefold(), a))
        rec = {
            "designation": d,
            "aliases": al,
            "category": r.category(),
            "origin": r.origin(),
            "sources": sorted(r.sources, key=lambda s: ("sipri", "oryx_scarnecchia", "oryx_petroivaniuk", "manual").index(s)),
        }
        amb = {n for n in [d] + al if n in r.amb or is_common(n)}
        if amb:
            rec["ambiguous"] = True
            rec["ambiguous_names"] = sorted(amb, key=lambda a: (a.casefold(), a))
        out.append(rec)
    out.sort(key=lambda x: (x["designation"].casefold(), x["designation"]))
    # designations must be unique
    dup = [k for k, n in Counter(norm_key(x["designation"]) for x in out).items() if n > 1]
    assert not dup, dup
    for (sc, desc), n in sorted(unmapped.items()):
        report.append(f"unmapped SIPRI category/description: {sc} / {desc} ({n} rows)")
    report.extend(conflicts_dropped)
    report.extend(f"dropped {k} ({n})" for k, n in sorted(dropped.items()))
    return out


# --------------------------------------------------------------------------- main

def write_jsonl(path: Path, items):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for it in items:
            f.write(json.dumps(it, ensure_ascii=False, separators=(", ", ": ")) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                    help="folder with the shared open data (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=DATA, help="output folder (default: %(default)s)")
    ap.add_argument("--report", action="store_true", help="print what was dropped and why")
    args = ap.parse_args(argv)
    if not (args.shared / "mledoze_countries" / "countries.json").exists():
        ap.error(f"no shared gazetteer data under {args.shared}")
    args.out.mkdir(parents=True, exist_ok=True)
    report: list[str] = []
    actors, actor_conflicts = build_actors(args.shared)
    actor_names = {n.casefold() for a in actors for f in ("names", "demonyms", "metonyms", "organisations")
                   for n in a.get(f, [])}
    weapons = build_weapons(args.shared, report, actor_names)
    write_jsonl(args.out / "actors.jsonl", actors)
    write_jsonl(args.out / "weapons.jsonl", weapons)
    cats = Counter(w["category"] for w in weapons)
    kinds = Counter(a["kind"] for a in actors)
    print(f"actors.jsonl: {len(actors)} actors {dict(sorted(kinds.items()))}", file=sys.stderr)
    print(f"weapons.jsonl: {len(weapons)} designations {dict(sorted(cats.items()))}", file=sys.stderr)
    if args.report:
        for n, code, other in actor_conflicts:
            print(f"actor name {n!r} of {code} kept on {other}", file=sys.stderr)
        for line in report:
            print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
