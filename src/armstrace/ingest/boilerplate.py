"""Remove boilerplate lines from scraped news text, keeping what was removed.

The rules live in `boilerplate.toml` beside this module; this module only applies them.
Besides the rules, two things are structural and so live here:

* a line repeated right after itself (blank lines between allowed) is a photo caption
  pasted together with its alt text: both copies go, as kind ``caption``;
* the first real line is taken as the headline when it looks like one.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .document import RemovedSpan

EDGE_LINES = 5  # how many non-empty lines count as the "head" or "tail" of a text
CAPTION_MAX_CHARS = 220
HEADLINE_MAX_CHARS = 200
HEADLINE_MAX_WORDS = 30


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    max_chars: int | None = None
    syndicated: str | None = None
    position: str = "any"

    def matches(self, line: str) -> re.Match[str] | None:
        if self.max_chars is not None and len(line) > self.max_chars:
            return None
        return self.pattern.match(line)


@dataclass
class Cleaned:
    text: str
    removed: list[RemovedSpan] = field(default_factory=list)
    title: str | None = None
    syndicated_from: str | None = None


class RulesError(ValueError):
    """The boilerplate rules file is malformed."""


def load_rules(path: str | Path | None = None) -> tuple[Rule, ...]:
    """Read boilerplate rules from a TOML file (default: the packaged rules)."""
    if path is None:
        return _packaged_rules()
    with open(path, "rb") as handle:
        return _parse_rules(tomllib.load(handle), str(path))


@lru_cache(maxsize=1)
def _packaged_rules() -> tuple[Rule, ...]:
    data = resources.files("armstrace.ingest").joinpath("boilerplate.toml").read_bytes()
    return _parse_rules(tomllib.loads(data.decode("utf-8")), "armstrace/ingest/boilerplate.toml")


def _parse_rules(data: dict, where: str) -> tuple[Rule, ...]:
    rules = []
    for number, item in enumerate(data.get("rule", []), 1):
        try:
            pattern = re.compile(item["pattern"], re.IGNORECASE)
        except KeyError as err:
            raise RulesError(f"{where}: rule {number} has no {err.args[0]!r}") from None
        except re.error as err:
            raise RulesError(f"{where}: rule {number}: bad pattern ({err})") from None
        position = item.get("position", "any")
        if position not in ("any", "head", "tail"):
            raise RulesError(f"{where}: rule {number}: position must be any, head or tail")
        if "kind" not in item:
            raise RulesError(f"{where}: rule {number} has no 'kind'")
        rules.append(Rule(item["kind"], pattern, item.get("max_chars"), item.get("syndicated"), position))
    return tuple(rules)


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line's content, offsets into `text`, without the newline."""
    spans, start = [], 0
    for match in re.finditer(r"\r\n|\r|\n", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def looks_like_headline(line: str) -> bool:
    words = line.split()
    return (
        0 < len(line) <= HEADLINE_MAX_CHARS
        and 2 <= len(words) <= HEADLINE_MAX_WORDS
        and not line.rstrip().endswith((".", ",", ";", ":"))
        and (line[0].isupper() or line[0].isdigit() or line[0] in "\"'‘“")
    )


def clean_text(raw: str, rules: tuple[Rule, ...] | None = None, infer_title: bool = True) -> Cleaned:
    """Remove boilerplate lines from `raw`; offsets of removed spans point into `raw`."""
    rules = _packaged_rules() if rules is None else rules
    spans = [_strip_span(raw, s, e) for s, e in _lines(raw)]
    content = [(s, e) for s, e in spans if e > s]
    n = len(content)
    drop: dict[int, str] = {}  # index into `content` -> kind
    syndicated = None

    for i, (s, e) in enumerate(content):
        line = raw[s:e]
        for rule in rules:
            if rule.position == "head" and i >= EDGE_LINES or rule.position == "tail" and i < n - EDGE_LINES:
                continue
            match = rule.matches(line)
            if match:
                drop[i] = rule.kind
                if rule.syndicated and syndicated is None:
                    syndicated = match.group(rule.syndicated).strip(" .\"'“”")
                break

    # A line that repeats right after itself is a caption doubled with its alt text.
    for i in range(1, n):
        a, b = raw[slice(*content[i - 1])], raw[slice(*content[i])]
        if a == b and len(a) <= CAPTION_MAX_CHARS:
            drop.setdefault(i - 1, "caption")
            drop.setdefault(i, "caption")

    removed = [RemovedSpan(kind, content[i][0], content[i][1], raw[slice(*content[i])]) for i, kind in sorted(drop.items())]
    kept = [raw[s:e] for i, (s, e) in enumerate(content) if i not in drop]

    # Rebuild the text paragraph by paragraph: a blank line in the input stays one.
    paragraphs: list[list[str]] = [[]]
    index = 0
    for s, e in spans:
        if e == s:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if index not in drop:
            paragraphs[-1].append(raw[s:e])
        index += 1
    text = "\n\n".join("\n".join(p) for p in paragraphs if p)

    title = None
    if infer_title and kept and len(kept) > 1 and looks_like_headline(kept[0]):
        title = kept[0]
    return Cleaned(text=text, removed=removed, title=title, syndicated_from=syndicated)
