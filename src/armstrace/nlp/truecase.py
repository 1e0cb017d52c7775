"""Length-preserving text normalisation before parsing.

* Lines written all in capitals (wire-service copy, 1980s telexes) and title-case
  headlines ("Canada Supply Ukraine With New Vehicles") parse badly; they are lower-cased,
  then sentence starts and known names (from the gazetteers) get their usual casing back.
* A single line break inside a wrapped paragraph becomes a space; a line break after a
  short line or after sentence-final punctuation stays (a headline, a caption).
* The dash after a dateline ("TAIPEI, Taiwan — ") becomes a full stop.

Every change keeps the text length, so character offsets into the result are offsets
into the input.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

from .gazetteer import load_gazetteer

_WORD = re.compile(r"[A-Za-z][A-Za-z'.\-]*")


@lru_cache(maxsize=1)
def _known_forms() -> tuple[dict[str, str], dict[str, list[str]]]:
    """lower-case surface -> usual casing, for names worth restoring; and the surfaces by their
    first two characters, longest first (`known_names`)."""
    gaz = load_gazetteer()
    forms: dict[str, str] = {}
    surfaces = [s for s, _code, _role in gaz.actor_surfaces()] + sorted(gaz.not_actors)
    for weapon in gaz.weapons.values():
        surfaces.extend(n for n in (weapon.designation, *weapon.aliases)
                        if n not in gaz.weak_weapon_names and not re.fullmatch(r"[A-Za-z]+", n))
    for surface in surfaces:
        surface = surface[4:] if surface.startswith("the ") else surface
        low = surface.lower()
        if low in STOP_WORDS or len(low) < 2 or low in forms:
            continue
        forms[low] = surface
    by_start: dict[str, list[str]] = {}
    for low in sorted(forms, key=len, reverse=True):
        by_start.setdefault(low[:2], []).append(low)
    return forms, by_start


_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_STARTS = re.compile(r"(?<![A-Za-z0-9]).")  # where a known name may begin


def known_names(low: str) -> list[tuple[int, int]]:
    """Where the known names (`_known_forms`) are in lower-cased `low`, as the alternation of
    them all, longest first, between ``(?<![A-Za-z0-9])`` and ``(?![A-Za-z0-9])`` would find
    them with `finditer` (left to right, not overlapping), without compiling that regex of tens
    of thousands of names (a third of a second at every start)."""
    _forms, by_start = _known_forms()
    found: list[tuple[int, int]] = []
    after = 0
    for m in _STARTS.finditer(low):
        start = m.start()
        if start < after:
            continue
        for form in by_start.get(low[start:start + 2], ()):
            end = start + len(form)
            if low.startswith(form, start) and (end == len(low) or low[end] not in _ALNUM):
                found.append((start, end))
                after = end
                break
    return found


def _letters(line: str) -> list[str]:
    return [c for c in line if c.isalpha()]


def is_all_caps(line: str) -> bool:
    if line.isascii():  # the letters are A-Z and a-z, the only characters isupper() takes: count them in C
        n, upper = sum(map(str.isalpha, line)), sum(map(str.isupper, line))
    else:
        letters = _letters(line)
        n, upper = len(letters), sum(c.isupper() for c in letters)
    return n >= 8 and upper / n > 0.85


_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")


def _title_share(text: str) -> float | None:
    words = _WORD.findall(text)
    long_words = [w for w in words if len(w) > 3 and w.lower() not in STOP_WORDS]
    if len(long_words) < 3:
        return None
    return sum(w[0].isupper() for w in long_words) / len(long_words)


def is_title_case(line: str) -> bool:
    if is_all_caps(line):
        return False
    share = _title_share(line)
    if share is not None and share > 0.8:
        return True
    unquoted = _QUOTED.sub(" ", line)  # 'Title Case Headline "with a quotation in its own casing"'
    share = _title_share(unquoted) if unquoted != line else None
    return share is not None and share > 0.95


def _same_length_lower(text: str) -> str:
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def recase_line(line: str, keep_acronyms: bool) -> str:
    forms, _by_start = _known_forms()
    chars = list(_same_length_lower(line))
    if keep_acronyms:  # title case: words already in capitals are acronyms or names
        for m in re.finditer(r"\b[A-Z][A-Z0-9\-.]*[A-Z0-9]\b", line):
            chars[m.start():m.end()] = line[m.start():m.end()]
    low = "".join(chars)
    for start, end in known_names(low):
        canonical = forms[low[start:end]]
        if len(canonical) == end - start:
            chars[start:end] = canonical
    # sentence starts: line start and after . ! ? (followed by space)
    for m in re.finditer(r"(?:^|[.!?:]\s+|^\W*)([a-z])", "".join(chars)):
        i = m.start(1)
        chars[i] = chars[i].upper()
    return "".join(chars)


def _unwrap(text: str) -> str:
    """Single line breaks inside wrapped paragraphs -> spaces."""
    out = list(text)
    for m in re.finditer(r"(?<!\n)\n(?!\n)", text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        prev = text[line_start:m.start()].rstrip()
        nxt = text[m.end():m.end() + 1]
        if len(prev) >= 40 and not re.search(r"[.!?:\"']$", prev):
            out[m.start()] = " "
        elif len(prev) >= 40 and nxt.islower():
            out[m.start()] = " "
    return "".join(out)


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_OBJECT = "\ufffc"  # an embedded object (image, card): a block boundary


# A dateline opening a paragraph: "TAIPEI, Taiwan — ", "WASHINGTON (Reuters) - ".
_DATELINE = re.compile(
    r"(?m)^([ \t]*[A-Z]{3,}[A-Z.'’]*(?:[ \-][A-Z][A-Z.'’]*){0,3}"   # TAIPEI, NEW DELHI, PORT-AU-PRINCE
    r"(?:,[ \t]*[A-Z][\w.'’]*(?: [A-Z][\w.'’]*){0,3})?[ \t]*"      # , Taiwan
    r"(?:(\([^()\n]{1,30}\))[ \t]*)?)"                              # (Reuters)
    r"(—|–|--|-)(?=[ \t]+[^\n]*[a-z])")


def _end_datelines(text: str) -> str:
    """Put a full stop after a dateline so that the place is not read as the subject of the
    first sentence ("TAIPEI, Taiwan — a source indicates ..." parsed "TAIPEI ... indicates")."""
    def stop(m: re.Match) -> str:
        if m.group(3) == "-" and not m.group(2):
            return m.group(0)  # a plain hyphen only after an agency: "UK - Ukraine talks" is a headline
        return m.group(1) + "." + " " * (len(m.group(3)) - 1)
    return _DATELINE.sub(stop, text)


def normalise(text: str) -> str:
    """Recase shouting/title-case lines, unwrap paragraphs and end datelines; same length as `text`."""
    text_in = text
    text = _end_datelines(_INVISIBLE.sub(" ", text))
    lines = _unwrap(text).replace(_OBJECT, "\n").split("\n")
    fixed = []
    for line in lines:
        if is_all_caps(line):
            fixed.append(recase_line(line, keep_acronyms=False))
        elif is_title_case(line) and len(line) < 300:
            fixed.append(recase_line(line, keep_acronyms=True))
        else:
            fixed.append(line)
    result = "\n".join(fixed)
    assert len(result) == len(text_in)
    return result
