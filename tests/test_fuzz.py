"""Fuzzing: properties of every reader and of extraction over generated inputs (hypothesis),
and giant inputs built here.

No input may crash the process, hang it or exhaust its memory. What a reader cannot read is
an `InputProblem` told to `on_problem`, naming the input (and its line or record), and the
rest of the batch goes on; what extraction will not do is an `ExtractionLimit` naming the
document. Offsets always point where they say: a removed span is `raw[start:end]`, a claim's
evidence is `full_text[start:end]`.

Profiles: "ci" (the default) runs a bounded, derandomized number of examples; "long"
(`ARMSTRACE_FUZZ_PROFILE=long`) runs `ARMSTRACE_FUZZ_FACTOR` (default 100) times as many,
random. The coverage-guided fuzzer is `scripts/fuzz.py` (atheris); without atheris it runs
this file with the long profile.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
import zlib
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from armstrace.extract import ExtractionLimit, extract_document, extract_documents
from armstrace.ingest import (MAX_DECOMPRESSED, MAX_RECORD, MAX_WHOLE, READER_ERROR, Document, InputProblem, Reader,
                              load_rules)
from armstrace.ingest.feed import html_fragment_to_text
from armstrace.ingest.text import markdown_to_text, strip_emphasis, strip_links

ROOT = Path(__file__).resolve().parents[1]

# -- profiles ------------------------------------------------------------------------------

PROFILE = os.environ.get("ARMSTRACE_FUZZ_PROFILE", "ci")
FACTOR = int(os.environ.get("ARMSTRACE_FUZZ_FACTOR", "100")) if PROFILE == "long" else 1
_QUIET = list(HealthCheck)
settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True,
                          suppress_health_check=_QUIET)
settings.register_profile("long", deadline=None, derandomize=False, database=None, print_blob=True,
                          suppress_health_check=_QUIET)


def examples(n: int) -> settings:
    """`n` examples in CI, FACTOR times as many in the long profile."""
    return settings(settings.get_profile(PROFILE), max_examples=n * FACTOR)


# -- what every read and every extraction must satisfy ---------------------------------------

GOOD = ("Country A delivered twelve tanks to Country B, the defence ministry of Country B said on Monday.\n\n"
        "The tanks arrived by rail, officials added.")


def check_document(doc: Document) -> None:
    for name in ("id", "text", "title", "url", "published", "publisher", "syndicated_from", "language", "raw"):
        value = getattr(doc, name)
        assert value is None or isinstance(value, str), (name, type(value))
        if value is not None:
            value.encode("utf-8")  # valid Unicode: no lone surrogates left
    assert isinstance(doc.id, str) and doc.id
    if doc.raw is not None:
        for span in doc.removed:
            assert doc.raw[span.start:span.end] == span.text, span
    assert len(doc.content_hash) == 64
    json.dumps(doc.to_dict())


def read(data: bytes, fmt: str | None, name: str = "input") -> tuple[list[Document], list[InputProblem]]:
    """Read `data` in memory (as stdin and uploads are): documents and problems, checked."""
    told: list[InputProblem] = []
    reader = Reader(on_problem=told.append)
    docs = list(reader.read_bytes(data, name, fmt))
    check_read(docs, told, name)
    return docs, reader.problems


def check_read(docs: list[Document], told: list, *names: str) -> None:
    for problem in told:
        assert isinstance(problem, InputProblem), problem
        assert problem.path in names, (problem.path, names)
        assert READER_ERROR not in problem.message, problem  # the reader's last resort: a crash caught
    for doc in docs:
        check_document(doc)


def read_files(files: dict[str, bytes]) -> tuple[list[Document], list[InputProblem], list[str]]:
    """Write the files (in order) and a good text after them, read them as one batch: the good
    one must be read, last."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, data in files.items():
            path = os.path.join(folder, name)
            Path(path).write_bytes(data)
            paths.append(path)
        good = os.path.join(folder, "zz-good.txt")
        Path(good).write_text(GOOD, encoding="utf-8")
        told: list[InputProblem] = []
        reader = Reader(on_problem=told.append)
        docs = list(reader.read([*paths, good]))
        check_read(docs, told, *paths)
        assert docs and docs[-1].source_path == good, "the batch did not go on after a bad input"
        return docs[:-1], reader.problems, paths


def check_claims(doc: Document, claims) -> None:
    text = doc.full_text
    for claim in claims:
        assert text[claim.start:claim.end] == claim.evidence, (claim.start, claim.end, claim.evidence)
        json.dumps(claim.to_dict())


# -- strategies ----------------------------------------------------------------------------

ANY_CHAR = st.characters(codec=None, exclude_categories=())  # every code point, lone surrogates too
ODD = st.sampled_from(["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x1c", "\x7f", "\x85", "\u200b", "\u200e", "\u202e",
                       "\u2028", "\u2029", "\ufeff", "\ufffd", "\ufffe", "\ud800", "\udfff", "\U0001F600", "\u0301",
                       "\r", "\r\n", "\t", "\n", "\n\n", " ", "\u00a0", "\u3000"])
WORDS = st.sampled_from(["Country A", "Country B", "Iran", "Russia", "Ukraine", "sent", "delivered", "sold",
                         "supplied", "will supply", "drones", "tanks", "missiles", "S-300", "Su-35", "howitzers",
                         "to", "from", "of", "the", "and", "said", "officials", "denied", "on Monday", "in 2024",
                         ".", ",", "\"", "(", ")", "-", ":", "Share on Facebook", "Read also:", "# ", "* ", "**",
                         "[", "](", ")", "<p>", "&amp;", "&#0;", "TANKS SOLD", "x x x x"])
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "\n\n", "\t", "  ", ""])


@st.composite
def news_text(draw, max_pieces: int = 60) -> str:
    """Text of news words mixed with odd characters and arbitrary ones."""
    pieces = draw(st.lists(st.one_of(WORDS, WORDS, ODD, st.text(ANY_CHAR, max_size=6)), max_size=max_pieces))
    return "".join(piece + draw(SEPARATORS) for piece in pieces)


def encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding, "surrogatepass")  # lone surrogates as (invalid) UTF-8 bytes
    except (UnicodeEncodeError, LookupError):
        return text.encode(encoding, "replace")


ENCODINGS = st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "cp1252", "latin-1",
                             "koi8-r", "shift_jis"])
FORMATS = [None, "text", "markdown", "html", "jsonl", "json", "warc", "feed"]


# -- any bytes, every reader ---------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
@examples(20)
@given(data=st.binary(max_size=3000))
def test_any_bytes_in_any_format(fmt, data):
    read(data, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@examples(8)
@given(data=st.binary(max_size=2000), cut=st.floats(0, 1))
def test_any_bytes_gzipped_whole_or_cut(fmt, data, cut):
    packed = gzip.compress(data, mtime=0)
    read(packed, fmt)
    read(packed[: int(len(packed) * cut)], fmt)


ENDINGS = [".txt", ".md", ".html", ".jsonl", ".json", ".warc", ".rss", ".xml", ".gz", ".html.gz", ".jsonl.gz",
           ".warc.gz", ".json.gz", ".txt.gz"]


@pytest.mark.parametrize("ending", ENDINGS)
@examples(6)
@given(data=st.binary(min_size=1, max_size=2000), zipped=st.booleans())
def test_any_bytes_as_a_file_and_the_batch_goes_on(ending, data, zipped):
    read_files({"input" + ending: gzip.compress(data, mtime=0) if zipped else data})


@examples(15)
@given(data=st.binary(max_size=2000))
def test_any_bytes_on_stdin(data):
    told: list[InputProblem] = []
    reader = Reader(on_problem=told.append)
    stdin = io.TextIOWrapper(io.BytesIO(data))
    with mock.patch.object(sys, "stdin", stdin):
        docs = list(reader.read(["-"]))
    check_read(docs, told, "<stdin>", "-")


# -- text and Markdown -----------------------------------------------------------------------

@examples(60)
@given(text=news_text(), encoding=ENCODINGS, fmt=st.sampled_from(["text", "markdown", None]))
def test_text_in_any_encoding_with_any_characters(text, encoding, fmt):
    docs, problems = read(encode(text, encoding), fmt)
    assert len(docs) <= 1 and len(docs) + len(problems) <= 1


def rule_words(pattern: str) -> list[str]:
    return sorted(set(re.findall(r"[a-z]+", pattern))) or ["x"]


RULES = load_rules()


@pytest.mark.parametrize("number", range(len(RULES)))
@examples(10)
@given(data=st.data())
def test_every_boilerplate_rule_is_fast_on_any_line(number, data):
    """Lines made of a rule's own words and separators, up to its length: a rule that
    backtracks (the share rule's `\\s*[,|/·•]?\\s*` took minutes on "x x x ... !") shows."""
    rule = RULES[number]
    pieces = st.sampled_from(rule_words(rule.pattern.pattern) + [" ", "  ", "\t", ",", "|", "/", "·", "-", ":", ".",
                                                                  "!", "?", "A", "1"])
    line = "".join(data.draw(st.lists(pieces, max_size=80)))[: rule.max_chars or 2000].strip()
    started = time.perf_counter()
    rule.matches(line)
    assert time.perf_counter() - started < 0.5, (rule.pattern.pattern, line)


def run_within(seconds: float, code: str) -> None:
    """Run `code` in a fresh Python, failing if it takes over `seconds` (a hang in a regular
    expression cannot be interrupted in this process)."""
    try:
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, timeout=seconds,
                              cwd=ROOT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after {seconds} s")
    assert done.returncode == 0, done.stderr.decode()[-3000:]


def test_the_share_rule_on_a_line_of_x_is_fast():
    """The line that hung the text reader ("x" is one of the share rule's words): the old
    expression took seconds at 15 "x" and doubled with each one more."""
    run_within(30, """
        import time
        from armstrace.ingest import Reader, load_rules
        share = [r for r in load_rules() if "facebook|twitter" in r.pattern.pattern][0]
        started = time.perf_counter()
        assert share.matches("x  " * 15 + "!") is None and share.matches("x " * 59 + "!") is None
        assert share.matches("Facebook, Twitter, Email") and share.matches("x x")
        docs = list(Reader().read_bytes(b"Country A sold tanks to Country B.\\n" + b"x  " * 40 + b"!", "in", "text"))
        assert len(docs) == 1 and time.perf_counter() - started < 2
    """)


OLD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
OLD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
OLD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
MARKDOWNISH = st.lists(st.sampled_from(list("*_`[]()!ab #\n\t") + ["\u00a0", "\x1c", "**", "](", "!["]),
                       max_size=30).map("".join)


@examples(300)
@given(text=MARKDOWNISH)
def test_markdown_scans_do_what_the_expressions_did(text):
    """Links, images and emphasis are taken out by linear scans now; on short text, where the
    old expressions are fast, they agree exactly."""
    assert strip_links(text, image=True) == OLD_IMAGE.sub("", text)
    assert strip_links(text) == OLD_LINK.sub(r"\1", text)
    assert strip_emphasis(text) == OLD_EMPHASIS.sub(r"\2", text)


MARKDOWN_RUNS = ["[", "![", "[a](", "*a ", "_ ", "**", "# a" + " \t" * 5000 + "x#\n", "*_`[(!#  \n"]


def test_markdown_is_linear_in_its_length():
    """Runs that made the old expressions quadratic (links, images, emphasis: "*a *a ..." of
    100 KB took a minute) or cubic (a heading's trailing spaces: 2 KB took minutes)."""
    run_within(60, f"""
        import time
        from armstrace.ingest.text import markdown_to_text
        for unit in {MARKDOWN_RUNS!r}:
            started = time.perf_counter()
            markdown_to_text(unit * (200_000 // len(unit)))
            assert time.perf_counter() - started < 5, unit
    """)


def test_markdown_headings_are_one_line_each():
    text, title = markdown_to_text("# Tanks for Country B\n\n\n## Drones too ##\n\nCountry A sold *tanks*.")
    assert title == "Tanks for Country B"
    assert text == "Tanks for Country B\n\n\nDrones too\n\nCountry A sold tanks."  # not "...BDrones too"


# -- JSON Lines and JSON ---------------------------------------------------------------------

BAD_LINES = st.one_of(
    st.sampled_from([
        '{"id": "cut", "text": "Country A sold tan', "{", "}", "[1, 2]", "12", '"just a string"', "null",
        '{"id": "no-text"}', '{"text": 12}', '{"text": ["a"]}', '{"text": "   ", "title": ""}',
        "[" * 5000 + "]" * 5000, '{"text": ' + "[" * 100_000, '{"a": ' * 3000 + "1" + "}" * 3000,
        "\x00\x01\x02", "\ufeff{}", "NaN", '{"id": 1e999999, ', "{'single': 'quotes'}",
    ]),
    st.text(ANY_CHAR, max_size=40).filter(lambda s: "\n" not in s),
)


def good_record(number: int, text: str, ensure_ascii: bool, extra: dict) -> str:
    record = {**extra, "id": f"good-{number}", "text": "Good: " + text}
    # a lone CR between the fields is JSON white space: still one record
    return json.dumps(record, ensure_ascii=ensure_ascii, separators=(",\r ", ": "))


def is_record(line: str) -> bool:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict)


ODD_FIELDS = st.fixed_dictionaries({}, optional={
    "title": st.one_of(st.text(ANY_CHAR, max_size=20), st.integers(), st.lists(st.integers(), max_size=3)),
    "date": st.one_of(st.text(ANY_CHAR, max_size=20), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                      st.sampled_from(["2024-02-30", "0000-00-00", "99999", "Mon, 32 Foo 2024", "1e400"])),
    "url": st.one_of(st.text(ANY_CHAR, max_size=20), st.integers()),
    "publisher": st.text(ANY_CHAR, max_size=10),
})


@examples(40)
@given(entries=st.lists(st.one_of(st.tuples(st.just("good"), news_text(20), st.booleans(), ODD_FIELDS),
                                  st.tuples(st.just("bad"), BAD_LINES)), max_size=12),
       crlf=st.booleans())
def test_jsonl_with_broken_lines_keeps_every_good_record(entries, crlf):
    lines, good, bad = [], [], []
    for number, entry in enumerate(entries, 1):
        if entry[0] == "good":
            good.append(f"good-{number}")
            lines.append(good_record(number, entry[1], entry[2], entry[3]))
        else:
            assume(not is_record(entry[1]) or "text" not in entry[1])
            bad.append(number)
            lines.append(entry[1])
    good.append(f"good-{len(lines) + 1}")
    lines.append(good_record(len(lines) + 1, "Country A sold tanks to Country B.", True, {}))
    data = ("\r\n" if crlf else "\n").join(lines).encode("utf-8", "surrogatepass") + b"\n"
    for docs, problems in (read(data, "jsonl"),
                           read_files({"in.jsonl": data})[:2],
                           read_files({"in.jsonl.gz": gzip.compress(data)})[:2]):
        assert [d.id for d in docs] == good
        assert {p.line for p in problems} <= set(bad)


@examples(40)
@given(value=st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(ANY_CHAR, max_size=10)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(["id", "text", "title", "date", "url", "articles", "x"]),
                                               children, max_size=4)),
    max_leaves=25))
def test_json_of_any_shape(value):
    read(json.dumps(value).encode(), "json")
    read(json.dumps([value, {"id": "good", "text": GOOD}]).encode(), "json")


@pytest.mark.parametrize("fmt, data", [
    ("json", b"[" * 100_000 + b"]" * 100_000),
    ("json", b'{"articles": ' + b"[" * 100_000),
    ("jsonl", b'{"id": "deep", "text": ' + b"[" * 100_000 + b"]" * 100_000 + b'}\n{"id": "good", "text": "ok"}\n'),
])
def test_json_nested_100000_deep_is_refused_by_name(fmt, data):
    docs, problems = read(data, fmt, "deep")
    assert len(problems) == 1 and problems[0].path == "deep"
    assert "JSON nested too deeply to read" in problems[0].message and "levels deep" in problems[0].message
    assert [d.id for d in docs] == (["good"] if fmt == "jsonl" else [])


def test_a_json_number_of_5000_digits_keeps_its_record():
    """int("7" * 5000) is refused by Python (over 4,300 digits): the reader crashed."""
    line = '{"id": %s, "text": "Country A sold tanks to Country B.", "date": %s}' % ("7" * 5000, "1" * 5000)
    docs, problems = read((line + "\n").encode(), "jsonl")
    # kept, its id cut to the register's 1,000 characters (its start and a hash of the whole)
    assert problems == [] and docs[0].id.startswith("7" * 900) and len(docs[0].id) == 1000
    docs, problems = read(f"[{line}]".encode(), "json")
    assert problems == [] and len(docs) == 1


def test_a_jsonl_record_with_a_lone_cr_is_one_record_in_a_file_too(tmp_path):
    """Universal newlines cut a file's line at a lone CR (JSON white space); stdin did not."""
    path = tmp_path / "cr.jsonl"
    path.write_bytes(b'{"id": "a",\r"text": "Country A sold tanks."}\n{"id": "b", "text": "ok"}\n')
    reader = Reader(on_problem=lambda p: None)
    assert [d.id for d in reader.read([str(path)])] == ["a", "b"] and reader.problems == []
    assert [d.id for d in reader.read_jsonl_lines(str(path), 1, 2)] == ["b"]


def test_a_file_that_is_not_json_lines_is_skipped_after_100_bad_lines_but_a_bad_run_later_is_not(tmp_path):
    junk = b"".join(b"\x00\x89PNG garbage %d\n" % n for n in range(150))
    good = b'{"id": "g", "text": "Country A sold tanks."}\n'
    (tmp_path / "junk.jsonl").write_bytes(junk + good)
    (tmp_path / "later.jsonl").write_bytes(good + junk + good.replace(b'"g"', b'"h"'))
    reader = Reader(on_problem=lambda p: None)
    docs = list(reader.read([str(tmp_path / "junk.jsonl"), str(tmp_path / "later.jsonl")]))
    assert [d.id for d in docs] == ["g", "h"]
    junk_problems = [p for p in reader.problems if p.path.endswith("junk.jsonl")]
    assert len(junk_problems) == 101 and "not JSON Lines" in junk_problems[-1].message
    assert junk_problems[-1].line == 101
    assert len([p for p in reader.problems if p.path.endswith("later.jsonl")]) == 150


def test_json_lines_in_utf16_with_a_byte_order_mark(tmp_path):
    data = '{"id": "a", "text": "Country A sold tanks."}\n{"id": "b", "text": "ok"}\n'.encode("utf-16")
    (tmp_path / "wide.jsonl").write_bytes(data)
    docs, problems, _ = read_files({"wide.jsonl": data})
    assert [d.id for d in docs] == ["a", "b"] and problems == []
    assert [d.id for d in read(data, None)[0]] == ["a", "b"]


def test_a_jsonl_line_over_the_record_limit_is_skipped_by_line_with_memory_bounded(tmp_path):
    with mock.patch("armstrace.ingest.jsonl.MAX_RECORD", 1000):
        path = tmp_path / "long.jsonl"
        path.write_bytes(b'{"id": "a", "text": "ok"}\n{"id": "long", "text": "' + b"x" * 5000 + b'"}\n'
                         + b'{"id": "c", "text": "ok"}\n')
        reader = Reader(on_problem=lambda p: None)
        assert [d.id for d in reader.read([str(path)])] == ["a", "c"]
    [problem] = reader.problems
    assert problem.line == 2 and re.search(r"a line of 5,0\d\d characters, over the limit of 1,000", problem.message)


# -- HTML --------------------------------------------------------------------------------------

TAGS = ["p", "div", "span", "b", "i", "a", "article", "main", "section", "h1", "h2", "br", "hr", "img", "table",
        "tr", "td", "ul", "li", "script", "style", "title", "noscript", "template", "svg", "math", "textarea",
        "head", "body", "html", "meta", "link", "iframe", "form", "x-widget", "o:p"]
ATTRIBUTES = st.sampled_from(["", " class='story'", ' id="main"', " href='https://news.example/a?b=1&c=2'",
                              " style='display:none'", " data-x=\"<p>\"", " title='unclosed", " a=b c", " =x",
                              " charset=\"utf-16\"", " content='text/html; charset=koi8-r'", " lang=\"ru\""])
HTML_PIECES = st.one_of(
    st.builds(lambda t, a: f"<{t}{a}>", st.sampled_from(TAGS), ATTRIBUTES),
    st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS)),
    st.sampled_from(["<!DOCTYPE html>", "<!-- comment -->", "<!-- unclosed", "<![CDATA[ x ]]>", "<?xml x?>", "<",
                     ">", "</", "<p/>", "&amp;", "&nbsp;", "&#8212;", "&#x110000;", "&#99999999;", "&bogus;", "&",
                     "<meta charset='shift_jis'>", "<base href='javascript:x'>", "<div" + " a" * 50]),
    news_text(8),
)


@examples(50)
@given(pieces=st.lists(HTML_PIECES, max_size=60), depth=st.integers(0, 400), encoding=ENCODINGS)
def test_html_tag_soup(pieces, depth, encoding):
    page = "<div>" * depth + "".join(pieces) + "</div>" * (depth // 2)
    docs, problems = read(encode(page, encoding), "html")
    assert len(docs) + len(problems) == 1


# -- WARC --------------------------------------------------------------------------------------

RECORD = st.tuples(
    st.sampled_from(["response", "resource", "request", "metadata", "warcinfo", "revisit"]),
    st.sampled_from(["text/html; charset=utf-8", "text/html", "application/xhtml+xml", "image/png", "text/plain",
                     "", "TEXT/HTML; charset=bogus"]),
    st.sampled_from(["200 OK", "404 Not Found", "301 Moved", "200", "abc"]),
    st.one_of(st.builds(lambda t: f"<html><body><article><p>{t}</p><p>{GOOD}</p></article></body></html>".encode(
                            "utf-8", "surrogatepass"), news_text(10)),
              st.binary(max_size=300)),
    st.booleans(),  # with HTTP headers
)


def build_warc(records, zipped: bool) -> tuple[bytes, list[int]]:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=zipped)
    starts = []
    for n, (kind, ctype, status, payload, http) in enumerate(records):
        if not http and kind in ("response", "request", "revisit"):
            kind = "resource"  # warcio would read HTTP headers from the payload
        starts.append(out.tell())
        headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1") if http else None
        record = writer.create_warc_record(
            f"https://news.example/{n}", kind, payload=io.BytesIO(payload),
            http_headers=headers if kind in ("response", "request", "revisit") else None,
            warc_content_type=ctype if not http or kind not in ("response", "request", "revisit") else None)
        writer.write_record(record)
    starts.append(out.tell())
    return out.getvalue(), starts


@examples(40)
@given(records=st.lists(RECORD, min_size=1, max_size=5), zipped=st.booleans(), cut=st.floats(0, 1))
def test_warc_cut_anywhere_keeps_what_came_before(records, zipped, cut):
    try:
        data, starts = build_warc(records, zipped)
    except Exception:  # noqa: BLE001 - a record warcio itself will not write
        assume(False)
    whole, whole_problems = read(data, "warc")
    at = int(len(data) * cut)
    docs, problems = read(data[:at], "warc")
    assert [d.id for d in docs] == [d.id for d in whole][: len(docs)]  # the records before the cut
    before = sum(1 for start in starts[1:] if start <= at)  # records whole before the cut
    assert len(docs) >= sum(1 for d in whole if int(d.id.rsplit("/", 1)[1]) < before)
    if zipped and 0 < at and at not in starts:
        assert any("truncated" in p.message or "malformed" in p.message for p in problems), problems


@examples(30)
@given(header=st.sampled_from(["Content-Length", "WARC-Type", "WARC-Target-URI", "Content-Type", "WARC-Record-ID"]),
       value=st.one_of(st.text(ANY_CHAR, max_size=30), st.sampled_from(["-1", "99999999999999999999", "", "1e3",
                                                                        " 12", "0x10", "\x00"])),
       zipped=st.booleans())
def test_warc_with_a_broken_header(header, value, zipped):
    data, _ = build_warc([("response", "text/html", "200 OK", f"<p>{GOOD}</p>".encode(), True)] * 2, False)
    head, sep, rest = data.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.startswith(header.encode() + b":")]
    data = b"\r\n".join(lines + [header.encode() + b": " + value.encode("utf-8", "surrogatepass")]) + sep + rest
    read(gzip.compress(data) if zipped else data, "warc")


# -- feeds -------------------------------------------------------------------------------------

SECRET = Path(tempfile.gettempdir()) / "armstrace-fuzz-secret.txt"
DTD_PIECES = st.one_of(
    st.builds(lambda n, v: f'<!ENTITY e{n} "{v}">', st.integers(0, 5),
              st.sampled_from(["lol", "&e0;&e0;&e0;&e0;&e0;&e0;&e0;&e0;&e0;&e0;", "&e1;" * 10, "&e2;" * 10, "x" * 2000,
                               "<p>", "]>", "&#38;e0;"])),
    st.builds(lambda n: f'<!ENTITY e{n} SYSTEM "{SECRET.as_uri()}">', st.integers(0, 5)),
    st.builds(lambda n: f'<!ENTITY e{n} PUBLIC "-//X//EN" "{SECRET.as_uri()}">', st.integers(0, 5)),
    st.sampled_from(['<!ENTITY % p "<!ENTITY e9 \'boom\'>">', "%p;", "<!-- ]> -->", "<?pi ]> ?>", "'", '"', "]",
                     '<!ELEMENT rss ANY>', '<!ATTLIST item x CDATA "&e0;">', "<!ENTITY", "<!ENTITY e7 '&e7;'>"]),
)
ENTRY_TEXT = st.one_of(news_text(10), st.sampled_from(["&e0;", "&e1;&e2;&e3;", "&e9;", "&lt;p&gt;x", "&amp;",
                                                       "<![CDATA[<p>Country A</p>\x0b]]>", "&#0;", "&#x0b;"]))


@examples(50)
@given(dtd=st.lists(DTD_PIECES, max_size=8), closed=st.booleans(), entries=st.lists(st.tuples(ENTRY_TEXT, ENTRY_TEXT),
       max_size=4), atom=st.booleans(), encoding=st.sampled_from(["utf-8", "utf-16", "iso-8859-1"]))
def test_feed_with_any_dtd_never_expands_an_entity_nor_reads_a_file(dtd, closed, entries, atom, encoding):
    SECRET.write_text("SECRET-4711", encoding="utf-8")
    doctype = f"<!DOCTYPE {'feed' if atom else 'rss'} [{''.join(dtd)}{']>' if closed else ''}\n" if dtd else ""
    if atom:
        items = "".join(f"<entry><title>{t}</title><id>urn:x:{n}</id><content type='html'>{b}</content></entry>"
                        for n, (t, b) in enumerate(entries))
        body = f"<feed xmlns='http://www.w3.org/2005/Atom'><title>F</title>{items}</feed>"
    else:
        items = "".join(f"<item><title>{t}</title><link>https://feed.example/{n}</link><description>{b}</description>"
                        f"<pubDate>{b[:20]}</pubDate></item>" for n, (t, b) in enumerate(entries))
        body = f"<rss version='2.0'><channel><title>F</title>{items}</channel></rss>"
    data = encode(f'<?xml version="1.0" encoding="{encoding}"?>\n{doctype}{body}', encoding)
    docs, problems = read(data, "feed")
    for doc in docs:
        assert "SECRET" not in doc.full_text and "SECRET" not in json.dumps(doc.to_dict())
        assert "lollol" not in doc.full_text and len(doc.full_text) <= len(data)


@pytest.mark.parametrize("control", ["\x0b", "\x0c", "\x1b", "\x00", "\x08"])
def test_a_feed_fragment_with_a_control_character_is_read(control):
    """Setting a tail that held a control character raised (lxml refuses them): a crash."""
    assert html_fragment_to_text(f"<p>Country A sold tanks.</p>{control}More.") == "Country A sold tanks.\n\n More."
    feed = (f"<rss version='2.0'><channel><title>F</title><item><title>Tanks</title><description><![CDATA[<p>Country "
            f"A sold tanks.</p>{control}More.]]></description></item></channel></rss>").encode()
    docs, problems = read(feed, "feed")
    assert problems == [] and "Country A sold tanks." in docs[0].text


def test_a_feed_declaring_an_encoding_python_cannot_look_up_is_refused_by_name():
    """feedparser decodes with the declared encoding's name: "UTF\\x00-8" raised from the codec lookup."""
    docs, problems = read(b'<?xml version="1.0" encoding="UTF\x00-8"?><rss><channel><item><title>T</title>'
                          b"</item></channel></rss>", "feed", "odd.rss")
    assert docs == [] or problems == []
    assert all(p.path == "odd.rss" for p in problems)


@pytest.mark.parametrize("date", ["0000-00-00T00:00:00Z", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"])
def test_a_feed_entry_dated_out_of_range_is_read_without_a_date(date):
    """feedparser turns "0000-00-00T00:00:00Z" (a placeholder) into year -1: the reader crashed."""
    feed = (f"<feed xmlns='http://www.w3.org/2005/Atom'><title>F</title><entry><title>Tanks for Country B</title>"
            f"<id>urn:x:1</id><updated>{date}</updated><content>Country A sold tanks.</content></entry></feed>")
    docs, problems = read(feed.encode(), "feed")
    assert problems == [] and len(docs) == 1 and docs[0].published is None


def test_a_feed_with_html_nested_100000_deep():
    fragment = "<div>" * 100_000 + "Country A sold tanks to Country B." + "</div>" * 100_000
    feed = ("<rss version='2.0'><channel><title>F</title><item><title>Tanks</title><description><![CDATA["
            f"{fragment}]]></description></item></channel></rss>").encode()
    started = time.perf_counter()
    docs, problems = read(feed, "feed")
    assert time.perf_counter() - started < 60 and problems == [] and len(docs) == 1


# -- extraction --------------------------------------------------------------------------------

@examples(20)
@given(texts=st.lists(st.tuples(news_text(80), st.one_of(st.none(), news_text(8)), st.booleans()), min_size=1,
                      max_size=3))
def test_extraction_on_any_text_reports_only_limits_and_goes_on(texts):
    docs = [Document(id=f"fuzz-{n}", text=text, title=title, published="2024-05-06" if dated else None)
            for n, (text, title, dated) in enumerate(texts)]
    docs.append(Document(id="good", text="Iran sent drones to Russia, officials said on Monday."))
    problems: list[InputProblem] = []
    out = list(extract_documents(docs, on_problem=problems.append, time_limit=20))
    assert all(isinstance(p, InputProblem) and p.message.startswith("document fuzz-") for p in problems)
    assert [d.id for d, _ in out][-1] == "good" and out[-1][1], "the good document after the odd ones gave no claim"
    for doc, claims in out:
        check_claims(doc, claims)
    try:
        check_claims(docs[0], extract_document(docs[0], time_limit=20))
    except ExtractionLimit as err:
        assert err.doc_id == "fuzz-0"


@examples(10)
@given(data=st.binary(max_size=1500), fmt=st.sampled_from(["text", "html", "jsonl", "feed"]))
def test_extraction_of_whatever_a_reader_made_of_any_bytes(data, fmt):
    docs, _ = read(b"Country A sold tanks to Country B.\n" + data, fmt)
    for doc, claims in extract_documents(docs, on_problem=lambda p: None, time_limit=20):
        check_claims(doc, claims)


class _Clock:
    """time.monotonic advancing a second a call: a time limit passes after so many checks."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 1.0
        return self.now


def test_the_time_limit_is_checked_within_one_sentence():
    """It was checked between sentences only; one sentence with no end (100,000 words, no full
    stop) takes time in the square of its length, and ran for hours."""
    doc = Document(id="run-on", text="Iran sent drones to Russia and " * 30 + "Iran sent tanks to Russia.")
    assert extract_document(doc)  # no limit passes
    with mock.patch("armstrace.extract.pipeline.time.monotonic", _Clock()):
        with pytest.raises(ExtractionLimit, match="sentence 1 of 1: over the time limit of 10 s"):
            extract_document(doc, time_limit=10)


def test_a_run_on_sentence_of_30000_characters_stops_at_the_time_limit():
    doc = Document(id="run-on", text="Iran sent drones to Russia and " * 1000)
    problems: list[InputProblem] = []
    started = time.perf_counter()
    assert list(extract_documents([doc], on_problem=problems.append, time_limit=1)) == []
    assert time.perf_counter() - started < 60
    assert len(problems) == 1 and "document run-on: extraction stopped at sentence 1 of 1" in problems[0].message


# -- giant inputs, in a process of their own: time and peak memory -------------------------

def run_measured(setup: str, code: str, timeout: float = 300) -> dict:
    """Run `setup`, then `code` (which sets `result`, a dict) in a fresh Python; the time
    `code` took comes back as "seconds", the peak memory it grew the process by as "growth_mb":
    the peak resident size (VmHWM) after it, less the resident size (VmRSS) before it. Not
    ru_maxrss: a child started from this process inherits this process's peak in it."""
    program = "\n".join([
        "import json, time",
        "def status(key):",
        "    with open('/proc/self/status') as f:",
        "        return next(int(line.split()[1]) / 1024 for line in f if line.startswith(key + ':'))",
        textwrap.dedent(setup),
        "before = status('VmRSS')",
        "started = time.perf_counter()",
        textwrap.dedent(code),
        "result['seconds'] = time.perf_counter() - started",
        "result['growth_mb'] = status('VmHWM') - before",
        "print(json.dumps(result))",
    ])
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=timeout, cwd=ROOT)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def test_a_10_gb_gzip_bomb_is_refused_quickly_in_bounded_memory(tmp_path):
    """A gzip member of 100 MB of zeros (100 KB) written 100 times: 10 GB from 10 MB, as a
    page, a JSON Lines file, a text and a .gz of unknown content; and a WARC record of 512 MB
    in one member. Each is refused by name, the good file after them is read, and so is an
    upload of the same bytes."""
    member = gzip.compress(bytes(100 * 2**20), compresslevel=9)
    bomb = member * 100
    names = ["bomb.html.gz", "bomb.jsonl.gz", "bomb.gz", "bomb.txt.gz"]
    for name in names:
        (tmp_path / name).write_bytes(bomb)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    warc = [packer.compress(b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: https://bomb.example/\r\n"
                            b"Content-Type: text/html\r\nContent-Length: 536870912\r\n\r\n<html><body><p>")]
    warc += [packer.compress(bytes(2**20)) for _ in range(512)] + [packer.flush()]
    (tmp_path / "bomb.warc.gz").write_bytes(b"".join(warc))
    names.append("bomb.warc.gz")
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    paths = [str(tmp_path / name) for name in names] + [str(tmp_path / "good.txt")]
    result = run_measured("from armstrace.ingest import Reader", f"""
        paths = {paths!r}
        reader = Reader(on_problem=lambda p: None)
        docs = [d.source_path for d in reader.read(paths)]
        result = {{"docs": docs, "problems": [[p.path, p.message] for p in reader.problems]}}
        with open(paths[1], "rb") as f:
            data = f.read()
        reader = Reader(on_problem=lambda p: None)
        result["upload"] = [len(list(reader.read_bytes(data, "upload.gz"))), [p.message for p in reader.problems]]
    """)
    assert result["docs"] == [paths[-1]], result
    for path in paths[:-1]:
        said = [message for where, message in result["problems"] if where == path]
        assert any("gzip data that expands to more than" in m and "a gzip bomb?" in m for m in said), (path, said)
    assert {where for where, _ in result["problems"]} == set(paths[:-1])
    print("figures, gzip bomb:", {k: v for k, v in result.items() if k in ("seconds", "growth_mb")})
    assert result["upload"][0] == 0 and "expands to more than" in result["upload"][1][0]
    assert result["growth_mb"] < 300, result
    assert result["seconds"] < 120, result


def test_a_warc_gz_record_of_endless_headers_is_refused_in_bounded_memory(tmp_path):
    """warcio keeps every header line of a record, and reads a line to its end however long:
    a record of endless header lines, or of one endless line, from a few MB of gzip."""
    (tmp_path / "lines.warc.gz").write_bytes(gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\n"
                                                           + b"X-A: b\r\n" * 2_000_000))
    (tmp_path / "line.warc.gz").write_bytes(gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nX-A: "
                                                          + b"b" * 50_000_000))
    paths = [str(tmp_path / "lines.warc.gz"), str(tmp_path / "line.warc.gz")]
    result = run_measured("from armstrace.ingest import Reader", f"""
        reader = Reader(on_problem=lambda p: None)
        docs = list(reader.read({paths!r}))
        result = {{"docs": len(docs), "problems": [[p.path, p.message] for p in reader.problems]}}
    """)
    print("figures, endless headers:", {k: v for k, v in result.items() if k in ("seconds", "growth_mb")})
    assert result["docs"] == 0 and [p[0] for p in result["problems"]] == paths, result
    for _, message in result["problems"]:
        assert "a record's headers run over 1,048,576 bytes" in message and "in record 1" in message, message
    assert result["growth_mb"] < 300 and result["seconds"] < 60, result


def test_50_mb_single_lines_are_read_and_refused_by_extraction_by_name(tmp_path):
    """A line of 50 MB (no newline) as text, Markdown, a JSON Lines record and an HTML page: each
    read in bounded time and memory, then refused by extraction by name (over MAX_CHARS); the
    good record after the long one is extracted."""
    unit = "Country A sold tanks to Country B and "
    body = unit * (50 * 2**20 // len(unit))
    files = {"big.txt": body, "big.md": body, "big.html": f"<html><body><p>{body}</p></body></html>",
             "big.jsonl": '{"id": "big", "text": "%s"}\n{"id": "good", "text": "Iran sent drones to Russia."}\n' % body}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    del body, files
    paths = [str(tmp_path / name) for name in ("big.txt", "big.md", "big.html", "big.jsonl")]
    result = run_measured("""
        from armstrace.ingest import Reader
        from armstrace.extract import extract_documents
        from armstrace.nlp import get_nlp
        get_nlp()
    """, f"""
        problems = []
        docs = list(Reader(on_problem=problems.append).read({paths!r}))
        out = [(d.id, len(c)) for d, c in extract_documents(docs, on_problem=problems.append)]
        result = {{"docs": [len(d.full_text) for d in docs], "out": out,
                   "problems": [[p.path, p.message] for p in problems]}}
    """)
    print("figures, 50 MB lines:", {k: v for k, v in result.items() if k in ("seconds", "growth_mb")})
    assert [n > 50_000_000 for n in result["docs"]] == [True, True, True, True, False]
    limits = [(path, m) for path, m in result["problems"] if "too large to extract" in m]
    assert [path for path, _ in limits] == paths and all("the limit is 1,000,000" in m for _, m in limits)
    assert result["out"] == [["good", 1]]
    assert result["seconds"] < 120 and result["growth_mb"] < 800, result


def test_a_10_mb_page_of_paragraphs_is_read_by_the_plain_scan_quickly():
    """trafilatura's time grows faster than the page: 10 MB of paragraphs took over a minute."""
    paragraph = "<p>Country A delivered {} tanks to Country B, the ministry said in a statement.</p>\n"
    page = "<html><head><title>Big</title></head><body>" + "".join(paragraph.format(k) for k in range(120_000))
    told: list[InputProblem] = []
    started = time.perf_counter()
    [doc] = Reader(on_problem=told.append).read_bytes((page + "</body></html>").encode(), "big.html", "html")
    assert time.perf_counter() - started < 30
    assert "Country A delivered 119999 tanks" in doc.text and doc.title == "Big"
    [notice] = told
    assert not notice.skipped and "characters long, over the 5,000,000 given to the article extractor" in notice.message


def test_an_input_read_whole_over_max_whole_is_refused_by_name(tmp_path):
    (tmp_path / "page.html").write_text("<p>" + "Country A sold tanks. " * 100 + "</p>", encoding="utf-8")
    (tmp_path / "page.html.gz").write_bytes(gzip.compress((tmp_path / "page.html").read_bytes()))
    with mock.patch("armstrace.ingest.MAX_WHOLE", 1000), mock.patch("armstrace.ingest.MAX_DECOMPRESSED", 1000):
        docs, problems, paths = read_files({"page.html": (tmp_path / "page.html").read_bytes(),
                                            "page.html.gz": (tmp_path / "page.html.gz").read_bytes()})
        assert docs == [] and [p.path for p in problems] == paths
        assert "too large to read whole: 2,207 bytes" in problems[0].message
        assert "expands to more than 1,000 bytes" in problems[1].message


def test_stdin_over_max_input_bytes_is_refused():
    reader = Reader(on_problem=lambda p: None)
    with mock.patch.object(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * 5000))), \
            mock.patch("armstrace.ingest.MAX_INPUT_BYTES", 1000):
        assert list(reader.read(["-"])) == []
    assert "too large (over 1,000 bytes" in reader.problems[0].message


def test_a_warc_page_over_max_record_is_skipped_and_the_next_record_read():
    big = b"<html><body><p>" + b"Country A sold tanks. " * 500 + b"</p></body></html>"
    page = f"<html><body><article><p>{GOOD}</p><p>{GOOD}</p></article></body></html>".encode()
    data, _ = build_warc([("response", "text/html", "200 OK", big, True),
                          ("response", "text/html", "200 OK", page, True)], True)
    with mock.patch("armstrace.ingest.warc.MAX_RECORD", 5000):
        docs, problems = read(data, None, "crawl.warc.gz")
    assert [d.id for d in docs] == ["https://news.example/1"]
    [problem] = problems
    assert "record 1 (https://news.example/0): a page of more than 5,000 bytes" in problem.message


@pytest.mark.parametrize("ending", [".html.gz", ".html"])
def test_html_nested_100000_deep_through_gzip_and_stdin_bytes(ending):
    page = ("<html><body>" + "<div>" * 100_000 + "<p>Country A sold tanks to Country B, officials said.</p>"
            + "</div>" * 100_000 + "</body></html>").encode()
    data = gzip.compress(page) if ending.endswith(".gz") else page
    started = time.perf_counter()
    docs, problems = read(data, None, "deep" + ending)
    assert time.perf_counter() - started < 60 and problems == [] and len(docs) == 1
    assert "Country A sold tanks to Country B" in docs[0].text


def test_the_bounds_are_what_benchmarks_readme_says():
    assert MAX_DECOMPRESSED == MAX_WHOLE == 256 * 2**20 and MAX_RECORD == 64 * 2**20
