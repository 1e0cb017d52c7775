"""Readers on hostile or broken inputs built here: cut archives, entity bombs, absurd HTML.

Each input is read by the real `Reader` (and, for one case each, by the real CLI): what can
be read is read, and what was lost, refused or read differently is said, naming the file.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import time
import tracemalloc

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from armstrace.ingest import Reader

from .conftest import run_cli


def read_all(*paths):
    reader = Reader()
    docs = list(reader.read([str(p) for p in paths]))
    return docs, reader.problems, reader.notices


def jsonl_docs(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.decode().splitlines() if line.strip()]


def article(n: int) -> str:
    """A news page long enough for the article extractor: several paragraphs."""
    paragraphs = "".join(
        f"<p>Country A delivered {n + 4} tanks to Country B on the {k + 2}nd of May, the defence "
        f"ministry of Country B said in a statement (story {n}, part {k}), adding that crews "
        "had trained for months and that spare parts would follow later in the year.</p>\n"
        for k in range(5)
    )
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Tanks for Country B, story {n}</title>"
            f"</head><body><article><h1>Tanks for Country B, story {n}</h1>\n{paragraphs}</article></body></html>")


# -- WARC.gz cut inside a gzip member ---------------------------------------------------------

def news_warc(records: int = 3) -> tuple[bytes, list[int]]:
    """A .warc.gz of HTML responses (one gzip member each) and the offset where each member
    starts, with the end of the file last."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    starts = []
    for n in range(records):
        starts.append(out.tell())
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            f"https://news.example/story-{n}", "response",
            payload=io.BytesIO(article(n).encode()), http_headers=headers))
    starts.append(out.tell())
    return out.getvalue(), starts


@pytest.mark.parametrize("member", [1, 2])
def test_warc_gz_cut_inside_a_member_keeps_earlier_records_and_says_truncated(tmp_path, member):
    data, starts = news_warc()
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data[: (starts[member] + starts[member + 1]) // 2])
    docs, problems, _ = read_all(path)
    assert [d.id for d in docs] == [f"https://news.example/story-{n}" for n in range(member)]
    assert "Country A delivered" in docs[0].text
    assert len(problems) == 1 and problems[0].path == str(path)
    assert "truncated" in problems[0].message
    assert f"after {member} record{'s' if member > 1 else ''}" in problems[0].message


def test_warc_gz_cut_inside_the_first_member_says_so(tmp_path):
    data, starts = news_warc()
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data[: starts[1] // 2])
    docs, problems, _ = read_all(path)
    assert docs == []
    assert len(problems) == 1 and problems[0].path == str(path)
    assert "truncated" in problems[0].message and "after 0 records" in problems[0].message


def test_warc_gz_cut_in_a_member_trailer_is_reported(tmp_path):
    # the compressed record is whole but the member's checksum and length are cut off
    data, starts = news_warc()
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data[: starts[2] - 4])
    docs, problems, _ = read_all(path)
    assert len(docs) == 2
    assert len(problems) == 1 and "truncated" in problems[0].message


def test_warc_gz_cut_at_a_member_boundary_is_no_problem(tmp_path):
    data, starts = news_warc()
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data[: starts[2]])
    docs, problems, notices = read_all(path)
    assert [d.id for d in docs] == ["https://news.example/story-0", "https://news.example/story-1"]
    assert problems == [] and notices == []


def test_cli_on_a_cut_warc_gz_prints_what_was_read_and_exits_1(tmp_path):
    data, starts = news_warc()
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data[: (starts[2] + starts[3]) // 2])
    result = run_cli("docs", path, "--format", "jsonl")
    assert result.returncode == 1
    assert [d["id"] for d in jsonl_docs(result)] == ["https://news.example/story-0", "https://news.example/story-1"]
    stderr = result.stderr.decode()
    assert f"armstrace: skipped {path}: truncated" in stderr and "after 2 records" in stderr


def test_cut_warc_gz_without_warc_in_its_name_keeps_earlier_records(tmp_path):
    # read through the .gz path (format from the content), as stdin is
    data, starts = news_warc()
    path = tmp_path / "crawl.gz"
    path.write_bytes(data[: (starts[2] + starts[3]) // 2])
    docs, problems, _ = read_all(path)
    assert len(docs) == 2
    assert len(problems) == 1 and "truncated" in problems[0].message and "after 2 records" in problems[0].message


def test_cli_on_a_cut_warc_gz_from_stdin(tmp_path):
    data, starts = news_warc()
    result = run_cli("docs", "-", "--format", "jsonl", input=data[: (starts[1] + starts[2]) // 2])
    assert result.returncode == 1
    assert [d["id"] for d in jsonl_docs(result)] == ["https://news.example/story-0"]
    assert "armstrace: skipped <stdin>: truncated" in result.stderr.decode()


def test_whole_warc_gz_from_stdin_is_read_without_remark():
    data, _ = news_warc()
    result = run_cli("docs", "-", "--format", "jsonl", input=data)
    assert result.returncode == 0 and result.stderr == b""
    assert len(jsonl_docs(result)) == 3


def plain_warc_with_an_image_between() -> tuple[bytes, list[int]]:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    starts = []
    for n, (ctype, payload) in enumerate([("text/html", article(0).encode()),
                                          ("image/png", b"\x89PNG\r\n\x1a\n" + bytes(3000)),
                                          ("text/html", article(2).encode())]):
        starts.append(out.tell())
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            f"https://news.example/story-{n}", "response", payload=io.BytesIO(payload), http_headers=headers))
    starts.append(out.tell())
    return out.getvalue(), starts


@pytest.mark.parametrize("where", ["after_type", "before_length"])
def test_plain_warc_cut_inside_record_headers_is_reported_not_a_crash(tmp_path, where):
    data, starts = plain_warc_with_an_image_between()
    header_end = data.index(b"\r\n\r\n", starts[2])
    cut = (data.index(b"WARC-Type: response\r\n", starts[2]) + len(b"WARC-Type: response\r\n")
           if where == "after_type" else data.index(b"Content-Length", starts[2], header_end))
    path = tmp_path / "crawl.warc"
    path.write_bytes(data[:cut])
    docs, problems, _ = read_all(path)
    assert [d.id for d in docs] == ["https://news.example/story-0"]
    assert len(problems) == 1 and problems[0].path == str(path) and "truncated" in problems[0].message


def test_plain_warc_cut_inside_a_record_that_is_no_page_is_reported(tmp_path):
    data, starts = plain_warc_with_an_image_between()
    path = tmp_path / "crawl.warc"
    path.write_bytes(data[: (starts[1] + starts[2]) // 2])
    docs, problems, _ = read_all(path)
    assert [d.id for d in docs] == ["https://news.example/story-0"]
    assert len(problems) == 1 and "record 2 (https://news.example/story-1) is cut short" in problems[0].message


def test_corrupt_warc_gz_member_is_reported_in_plain_words(tmp_path):
    data, starts = news_warc()
    middle = (starts[1] + starts[2]) // 2
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 16]) + data[middle + 16:])
    docs, problems, _ = read_all(path)
    assert [d.id for d in docs] == ["https://news.example/story-0"]
    assert len(problems) == 1 and "after 1 record" in problems[0].message
    assert problems[0].message.isprintable() and "\\x" not in problems[0].message


def test_cut_gzip_of_a_page_is_still_refused_by_name(tmp_path):
    path = tmp_path / "page.html.gz"
    data = gzip.compress(article(1).encode())
    path.write_bytes(data[: len(data) // 2])
    docs, problems, _ = read_all(path)
    assert docs == [] and len(problems) == 1
    assert problems[0].path == str(path) and "truncated" in problems[0].message


# -- feeds with XML entity declarations -------------------------------------------------------

def feed_with_dtd(dtd: str, title: str, description: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE rss [\n{dtd}\n]>\n'
            '<rss version="2.0"><channel><title>Example Feed</title><link>https://feed.example/</link>\n'
            f'<item><title>{title}</title><link>https://feed.example/1</link>\n'
            f'<description>{description}</description></item>\n'
            '<item><title>Country C orders drones</title><link>https://feed.example/2</link>\n'
            '<description>Country C has ordered drones from Country D.</description></item>\n'
            '</channel></rss>\n')


BILLION_LAUGHS = "\n".join(
    ['<!ENTITY lol "lol">', '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">']
    + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(2, 10)]
)


def test_billion_laughs_feed_is_read_without_expanding_and_says_so(tmp_path):
    path = tmp_path / "laughs.rss"
    path.write_text(feed_with_dtd(BILLION_LAUGHS, "Country A delivered tanks &lol9;",
                                  "Country A delivered tanks to Country B. &lol9;"), encoding="utf-8")
    tracemalloc.start()
    started = time.monotonic()
    try:
        docs, problems, notices = read_all(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 30 and peak < 50_000_000
    assert problems == []
    assert [d.url for d in docs] == ["https://feed.example/1", "https://feed.example/2"]
    assert "Country A delivered tanks to Country B." in docs[0].text
    assert "lollol" not in docs[0].full_text and len(docs[0].full_text) < 500
    [notice] = notices
    assert notice.path == str(path)
    assert "declares XML entities" in notice.message and "10 entity declarations" in notice.message
    assert "not expanded" in notice.message


def test_entity_with_plain_text_value_is_not_expanded_either(tmp_path):
    # feedparser keeps "safe" entities like this one and expands them: 50 KB x 1,000 uses
    path = tmp_path / "blowup.rss"
    path.write_text(feed_with_dtd(f'<!ENTITY big "{"tanks " * 10_000}">', "Country A delivered tanks",
                                  "Country A delivered tanks to Country B. " + "&big;" * 1_000), encoding="utf-8")
    tracemalloc.start()
    try:
        docs, problems, notices = read_all(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems == [] and len(docs) == 2
    assert len(docs[0].text) < 20_000 and peak < 30_000_000
    assert len(notices) == 1 and "1 entity declaration" in notices[0].message


@pytest.mark.parametrize("one_line", [False, True])
def test_external_entity_in_a_feed_is_not_resolved(tmp_path, one_line):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-4711 root:x:0:0", encoding="utf-8")
    text = feed_with_dtd(f'<!ENTITY x SYSTEM "{secret.as_uri()}">', "Country A delivered tanks &x;",
                         "Country A delivered tanks to Country B. &x;")
    if one_line:  # the DTD on the XML declaration's line, where feedparser does not look for it
        text = text.replace("?>\n<!DOCTYPE rss [\n", "?><!DOCTYPE rss [").replace('">\n]>', '">]>')
    path = tmp_path / "xxe.rss"
    path.write_text(text, encoding="utf-8")
    docs, problems, notices = read_all(path)
    assert problems == [] and len(docs) == 2
    assert all("SECRET-4711" not in (d.full_text + json.dumps(d.to_dict())) for d in docs)
    assert len(notices) == 1 and "declares XML entities" in notices[0].message


def test_one_line_dtd_with_entity_bomb_is_not_expanded(tmp_path):
    path = tmp_path / "laughs.xml"
    text = feed_with_dtd(BILLION_LAUGHS.replace("\n", ""), "Country A delivered tanks &lol9;",
                         "Country A delivered tanks to Country B. &lol9;")
    path.write_text(text.replace("?>\n<!DOCTYPE rss [\n", "?><!DOCTYPE rss [").replace('">\n]>', '">]>'),
                    encoding="utf-8")
    docs, problems, notices = read_all(path)
    assert problems == [] and len(docs) == 2
    assert "lollol" not in docs[0].full_text
    assert len(notices) == 1 and "10 entity declarations" in notices[0].message


def test_feed_without_dtd_has_no_notice(tmp_path):
    path = tmp_path / "plain.rss"
    path.write_text(feed_with_dtd("", "Country A delivered tanks", "Country A delivered tanks to Country B.")
                    .replace("<!DOCTYPE rss [\n\n]>\n", ""), encoding="utf-8")
    docs, problems, notices = read_all(path)
    assert len(docs) == 2 and problems == [] and notices == []


def test_utf16_feed_with_entity_bomb_is_not_expanded(tmp_path):
    path = tmp_path / "laughs16.rss"
    text = feed_with_dtd(f'<!ENTITY big "{"tanks " * 10_000}">', "Country A delivered tanks",
                         "Country A delivered tanks to Country B. " + "&big;" * 200)
    path.write_bytes(text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    docs, problems, notices = read_all(path)
    assert problems == [] and len(docs) == 2
    assert len(docs[0].text) < 20_000
    assert len(notices) == 1


def test_cli_notes_a_feed_with_entity_declarations(tmp_path):
    path = tmp_path / "laughs.rss"
    path.write_text(feed_with_dtd(BILLION_LAUGHS, "Country A delivered tanks &lol9;",
                                  "Country A delivered tanks to Country B. &lol9;"), encoding="utf-8")
    result = run_cli("docs", path, "--format", "jsonl")
    assert result.returncode == 0
    assert len(jsonl_docs(result)) == 2
    stderr = result.stderr.decode()
    assert f"armstrace: note: {path}: the feed declares XML entities (a DTD with 10 entity declarations)" in stderr
    assert "not expanded" in stderr and "skipped" not in stderr


# -- HTML beyond the parser's limits ----------------------------------------------------------

def deep_page(depth: int) -> str:
    page = article(7)
    start = page.index("<article>")
    end = page.index("</body>")
    return page[:start] + "<div>" * depth + page[start:end] + "</div>" * depth + page[end:]


def test_html_nested_100000_deep_keeps_its_text_and_says_why(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text(deep_page(100_000), encoding="utf-8")
    started = time.monotonic()
    docs, problems, notices = read_all(path)
    assert time.monotonic() - started < 30
    assert problems == []
    [doc] = docs
    assert "Country A delivered 11 tanks to Country B" in doc.text
    assert doc.title == "Tanks for Country B, story 7"
    assert "<div>" not in doc.text and "<p>" not in doc.text
    [notice] = notices
    assert notice.path == str(path)
    depth = int(re.search(r"nested ([\d,]+) levels deep", notice.message).group(1).replace(",", ""))
    assert 100_000 <= depth <= 100_010
    assert "beyond the parser's limit of 256" in notice.message and "without its markup" in notice.message


def test_html_nested_a_million_deep_finishes_quickly(tmp_path):
    path = tmp_path / "deeper.html"
    path.write_text(deep_page(1_000_000), encoding="utf-8")
    started = time.monotonic()
    docs, problems, notices = read_all(path)
    assert time.monotonic() - started < 30
    assert problems == [] and len(docs) == 1 and len(notices) == 1
    assert "Country A delivered 11 tanks to Country B" in docs[0].text


def test_html_nested_just_within_the_limit_is_read_as_usual(tmp_path):
    path = tmp_path / "nested.html"
    path.write_text(deep_page(200), encoding="utf-8")
    [doc], problems, notices = read_all(path)
    assert problems == [] and notices == []
    assert "Country A delivered 11 tanks to Country B" in doc.text


def test_normal_page_is_unaffected(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(article(3).replace("<body>", "<body><nav><a href='/'>Home</a> | <a href='/login'>Log in</a></nav>"),
                    encoding="utf-8")
    [doc], problems, notices = read_all(path)
    assert problems == [] and notices == []
    assert doc.title == "Tanks for Country B, story 3"
    assert "Country A delivered 7 tanks" in doc.text and "Log in" not in doc.text


def test_script_style_and_entities_in_a_deep_page(tmp_path):
    path = tmp_path / "deep.html"
    page = deep_page(1_000).replace(
        "<article>", "<script>var x = '<p>not text</p>';</script><style>p { color: red }</style>"
                     "<ScRiPt type='x'>alert('hidden')</sCrIpT ><article><p>Fish &amp; chips &eacute;t&eacute; &#8212; ok.</p>")
    path.write_text(page, encoding="utf-8")
    [doc], problems, notices = read_all(path)
    assert len(notices) == 1
    assert "Fish & chips été — ok." in doc.text
    assert "not text" not in doc.text and "color" not in doc.text and "hidden" not in doc.text


def test_cli_notes_a_deep_page_and_prints_its_text(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text(deep_page(100_000), encoding="utf-8")
    result = run_cli("docs", path, "--format", "jsonl")
    assert result.returncode == 0
    [doc] = jsonl_docs(result)
    assert "Country A delivered 11 tanks to Country B" in doc["text"]
    stderr = result.stderr.decode()
    assert f"armstrace: note: {path}: the page was nested " in stderr
    assert "beyond the parser's limit of 256, so its text was read without its markup" in stderr


def test_deep_page_in_a_warc_is_noted_by_record(tmp_path):
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        "https://news.example/deep", "response", payload=io.BytesIO(deep_page(10_000).encode()), http_headers=headers))
    path = tmp_path / "deep.warc.gz"
    path.write_bytes(out.getvalue())
    [doc], problems, notices = read_all(path)
    assert problems == [] and "Country A delivered 11 tanks" in doc.text
    assert len(notices) == 1 and notices[0].path == str(path)
    assert "record 1 (https://news.example/deep)" in notices[0].message and "nested" in notices[0].message


PATHOLOGICAL = {
    # one text node of 10 MB: over libxml2's buffer limit
    "huge_text_node": "<html><head><title>Long</title></head><body><p>"
                      + "Country A delivered tanks to Country B. " * 250_000 + "</p></body></html>",
    # 100,000 inline tags never closed nest as deep as they go
    "unclosed_tags": "<html><body>" + "<b>" * 100_000 + article(5)[article(5).index("<article>"):],
    # an attribute value of 12 MB
    "huge_attribute": "<html><body><div title='" + "a" * 12_000_000 + "'></div>" + article(5)[article(5).index("<article>"):],
    # 300,000 "<" that open no tag
    "stray_brackets": "<html><body>" + "< a" * 300_000 + article(5)[article(5).index("<article>"):],
}


@pytest.mark.parametrize("case", sorted(PATHOLOGICAL))
def test_pathological_html_keeps_its_text_quickly(tmp_path, case):
    path = tmp_path / f"{case}.html"
    path.write_text(PATHOLOGICAL[case], encoding="utf-8")
    started = time.monotonic()
    docs, problems, notices = read_all(path)
    assert time.monotonic() - started < 60
    assert problems == [] and len(docs) == 1
    assert "Country A delivered" in docs[0].text
    assert "aaaaaaaaaa" not in docs[0].text
    # beyond the parser's limits (all but the stray brackets): read without markup, and said
    assert len(notices) == (0 if case == "stray_brackets" else 1)
    assert all(n.path == str(path) and "read without its markup" in n.message for n in notices)
