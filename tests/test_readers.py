"""Each reader on real inputs built here, and on bad input."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from armstrace.ingest import FieldMap, Reader, read_inputs

ARTICLE = (
    "Norway will donate eight self-propelled howitzers to Ukraine, the defence minister said.\n\n"
    "The guns are to arrive before winter."
)

HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Norway to give howitzers | Example Post</title>
<meta property="og:title" content="Norway to give howitzers to Ukraine">
<meta property="og:site_name" content="Example Post">
<meta property="article:published_time" content="2024-02-03T10:00:00+00:00">
<link rel="canonical" href="https://post.example/norway-howitzers">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/login">Log in</a></nav>
<article><h1>Norway to give howitzers to Ukraine</h1>
<p>Norway will donate eight self-propelled howitzers to Ukraine, the defence minister said on
Saturday, adding that training of crews had already begun in the north of the country.</p>
<p>The guns are to arrive before winter, and spare parts and ammunition will follow in the
spring, according to the ministry, which did not give the value of the package.</p>
<p>Read also: Winter is coming to the front</p>
</article>
<footer>Copyright Example Post</footer></body></html>
"""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example Feed</title><link>https://feed.example/</link>
<description>x</description>
<item><title>Spain sends tanks to Ukraine</title><link>https://feed.example/1</link>
<guid>https://feed.example/1</guid><pubDate>Mon, 06 Mar 2023 12:00:00 GMT</pubDate>
<description>&lt;p&gt;Spain has sent six tanks.&lt;/p&gt;&lt;p&gt;More will follow.&lt;/p&gt;</description></item>
<item><title>Headline only item about drones</title><link>https://feed.example/2</link>
<pubDate>Tue, 07 Mar 2023 12:00:00 GMT</pubDate></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example Atom</title>
<id>urn:example:atom</id><updated>2023-04-01T00:00:00Z</updated>
<entry><title>Poland buys K2 tanks</title><id>urn:example:1</id>
<link href="https://atom.example/1"/><updated>2023-04-01T09:00:00Z</updated>
<content type="html">&lt;p&gt;Poland has signed for 180 K2 tanks from South Korea.&lt;/p&gt;</content></entry>
</feed>
"""


def read_all(*paths, **kwargs):
    reader = Reader(**kwargs)
    docs = list(reader.read([str(p) for p in paths]))
    return docs, reader.problems


# -- plain text and Markdown -------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
def test_text_in_any_encoding(tmp_path, encoding):
    text = "Café owners in Zürich said France’s deal for “Rafale” jets was news.\n\nSecond paragraph here."
    if encoding == "latin-1":
        text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    path = tmp_path / "story.txt"
    path.write_bytes(text.encode(encoding))
    docs, problems = read_all(path)
    assert problems == []
    assert docs[0].text == text
    assert docs[0].id == str(path)
    assert docs[0].source_path == str(path)


def test_text_with_bad_bytes_does_not_crash(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("Tanks were sent to the front line. ".encode() * 20 + b"\xff\xfe\x81 broken \xc3(" + b" end of story.")
    docs, problems = read_all(path)
    assert problems == []
    assert "Tanks were sent" in docs[0].text and "end of story." in docs[0].text


def test_markdown_is_read_as_text_with_its_heading_as_title(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# Chile orders *patrol* boats\n\nChile has ordered two [patrol boats](https://x.example) "
                    "from **Germany**.\n\n![a photo](img.png)\n", encoding="utf-8")
    [doc], problems = read_all(path)
    assert problems == []
    assert doc.title == "Chile orders patrol boats"
    assert "Chile has ordered two patrol boats from Germany." in doc.text
    assert "](" not in doc.text and "**" not in doc.text


# -- HTML ----------------------------------------------------------------------------------

def test_html_page_gives_body_title_date_site_and_canonical_url(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    [doc], problems = read_all(path)
    assert problems == []
    assert doc.title == "Norway to give howitzers to Ukraine"
    assert doc.published == "2024-02-03"
    assert doc.publisher == "Example Post"
    assert doc.url == "https://post.example/norway-howitzers"
    assert doc.id == doc.url
    assert "Norway will donate eight self-propelled howitzers" in doc.text
    assert "Log in" not in doc.text and "Copyright" not in doc.text
    assert "Read also" not in doc.text
    assert [span.kind for span in doc.removed] == ["related_link"]
    assert doc.language == "en"


def test_gzipped_html_is_read(tmp_path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(HTML_PAGE.encode()))
    [doc], problems = read_all(path)
    assert problems == [] and doc.publisher == "Example Post"


# -- WARC ----------------------------------------------------------------------------------

def write_warc(path, gz=True):
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gz)
        request = writer.create_warc_record("https://post.example/norway-howitzers", "request",
                                            payload=io.BytesIO(b"GET /norway-howitzers HTTP/1.1\r\n\r\n"))
        writer.write_record(request)
        html_headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://post.example/norway-howitzers", "response",
            payload=io.BytesIO(HTML_PAGE.encode()), http_headers=html_headers))
        png_headers = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://post.example/logo.png", "response",
            payload=io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(200)), http_headers=png_headers))


@pytest.mark.parametrize("gz", [True, False])
def test_warc_reads_html_responses_only(tmp_path, gz):
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    write_warc(path, gz)
    docs, problems = read_all(path)
    assert problems == []
    assert [d.id for d in docs] == ["https://post.example/norway-howitzers"]
    assert docs[0].title == "Norway to give howitzers to Ukraine"
    assert docs[0].source_path == str(path)


def test_truncated_warc_keeps_what_was_read_and_names_the_file(tmp_path):
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole)
    data = whole.read_bytes()
    # a second copy of the archive, cut in the middle of its response record
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data + data[: len(data) // 2])
    docs, problems = read_all(path)
    assert len(docs) == 1
    assert len(problems) == 1 and problems[0].path == str(path)
    assert "truncated" in problems[0].message and "record 5" in problems[0].message


# -- feeds -----------------------------------------------------------------------------------

def test_rss_entries_become_documents_headline_only_included(tmp_path):
    path = tmp_path / "feed.rss"
    path.write_text(RSS, encoding="utf-8")
    docs, problems = read_all(path)
    assert problems == []
    assert [d.title for d in docs] == ["Spain sends tanks to Ukraine", "Headline only item about drones"]
    assert docs[0].text == "Spain has sent six tanks.\n\nMore will follow."
    assert docs[0].published == "2023-03-06" and docs[0].publisher == "Example Feed"
    assert docs[0].id == "https://feed.example/1"
    assert docs[1].text == "" and docs[1].full_text == "Headline only item about drones"


def test_atom_entries_become_documents(tmp_path):
    path = tmp_path / "feed.atom"
    path.write_text(ATOM, encoding="utf-8")
    [doc], problems = read_all(path)
    assert problems == []
    assert doc.title == "Poland buys K2 tanks" and doc.url == "https://atom.example/1"
    assert doc.text == "Poland has signed for 180 K2 tanks from South Korea."
    assert doc.published == "2023-04-01"


def test_xml_that_is_no_feed_is_reported(tmp_path):
    path = tmp_path / "config.xml"
    path.write_text("<?xml version='1.0'?><config><a>1</a></config>", encoding="utf-8")
    docs, problems = read_all(path)
    assert docs == [] and "no entries found in the feed" in str(problems[0])


# -- JSON Lines and JSON -----------------------------------------------------------------------

def test_jsonl_with_a_malformed_line_reads_the_rest_and_names_the_line(tmp_path):
    path = tmp_path / "docs.jsonl"
    lines = [
        json.dumps({"id": "a", "title": "T1", "text": ARTICLE, "date": "2024-01-02", "url": "https://x.example/a"}),
        '{"id": "b", "title": "broken", "text": "no closing',
        json.dumps({"id": "c", "title": "Headline only", "text": "", "date": None}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "e", "text": "", "title": None}),
        json.dumps({"id": "f", "text": ARTICLE, "date": "March 3, 2021"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, problems = read_all(path)
    assert [d.id for d in docs] == ["a", "c", "f"]
    assert docs[0].published == "2024-01-02" and docs[0].url == "https://x.example/a"
    assert docs[1].full_text == "Headline only"
    assert docs[2].published == "2021-03-03"
    assert [(p.line, p.path) for p in problems] == [(2, str(path)), (4, str(path)), (5, str(path))]
    assert "not valid JSON" in problems[0].message
    assert "expected a JSON object" in problems[1].message
    assert "no text and no title" in problems[2].message


def test_jsonl_field_names_are_configurable(tmp_path):
    path = tmp_path / "custom.jsonl"
    path.write_text(json.dumps({"uid": "x1", "headline": "H", "body": ARTICLE, "pub": "2020-05-05"}) + "\n", encoding="utf-8")
    fieldmap = FieldMap().with_overrides({"date": "pub"})
    [doc], problems = read_all(path, fieldmap=fieldmap)
    assert (doc.id, doc.title, doc.published) == ("x1", "H", "2020-05-05")
    with pytest.raises(ValueError, match="unknown document field 'colour'"):
        FieldMap().with_overrides({"colour": "x"})


def test_json_array_and_wrapped_array(tmp_path):
    plain = tmp_path / "list.json"
    plain.write_text(json.dumps([{"id": 1, "text": ARTICLE}, {"id": 2, "title": "Only title"}, 5]), encoding="utf-8")
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"articles": [{"text": ARTICLE}]}), encoding="utf-8")
    docs, problems = read_all(plain, wrapped)
    assert [d.id for d in docs] == ["1", "2", f"{wrapped}#0"]
    assert len(problems) == 1 and "item 2: expected a JSON object" in str(problems[0])


# -- directories, several inputs, bad input ---------------------------------------------------

def test_directory_is_read_recursively_by_extension(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b").mkdir()
    (tmp_path / "a" / "one.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a" / "b" / "two.html").write_text(HTML_PAGE, encoding="utf-8")
    (tmp_path / "a" / "b" / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "a" / ".hidden.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a" / "README.md").write_text("# About this folder\n\nNot an article.", encoding="utf-8")
    docs, problems = read_all(tmp_path)
    assert problems == []
    assert sorted(d.source_path for d in docs) == sorted([str(tmp_path / "a" / "one.txt"), str(tmp_path / "a" / "b" / "two.html")])


@pytest.mark.parametrize("name, content, message", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\n \t\n", "empty"),
    ("binary.txt", b"\x00\x01\x02\x03PK\x03\x04" * 50, "binary data"),
    ("controls.txt", bytes(range(1, 9)) * 100, "binary data"),
    ("cut.jsonl.gz", gzip.compress(b'{"id": "a", "text": "x"}\n' * 50, mtime=0)[:-20], "truncated or corrupt gzip"),
    ("notjson.json", b"{this is not json", "not valid JSON"),
    ("plain.html", b"just words, no markup at all", "not HTML"),
])
def test_bad_input_is_named_and_skipped_while_the_batch_goes_on(tmp_path, name, content, message):
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    docs, problems = read_all(bad, good)
    assert [d.source_path for d in docs] == [str(good)]
    assert len(problems) == 1
    assert problems[0].path == str(bad)
    assert message in problems[0].message


def test_missing_file_and_empty_directory_are_reported(tmp_path):
    (tmp_path / "empty").mkdir()
    docs, problems = read_all(tmp_path / "nope.txt", tmp_path / "empty")
    assert docs == []
    assert "no such file" in str(problems[0])
    assert "no readable files" in str(problems[1])


def test_read_inputs_accepts_a_single_path(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert [d.text for d in read_inputs(path)] == [ARTICLE]


def test_jsonl_publisher_is_shown_as_a_reader_would_say_it(tmp_path):
    """A dataset's tag before the publisher ("headlines:thehill.com") and a URL in the
    publisher field used to be shown as they were; the publisher is what is shown now."""
    records = [
        {"id": "a", "text": "Some text.", "source": "headlines:thehill.com"},
        {"id": "b", "text": "Some text.", "source": "conflibert:insightCrime"},
        {"id": "c", "text": "Some text.", "publisher": "https://www.bbc.com/news/world"},
        {"id": "d", "text": "Some text.", "publisher": "www.reuters.com"},
        {"id": "e", "text": "Some text.", "publisher": "The Hill: Politics"},
        {"id": "f", "text": "Some text.", "source": "rams"},
        {"id": "g", "text": "Some text.", "source": "  "},
    ]
    path = tmp_path / "tagged.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert {d.id: d.publisher for d in read_inputs([str(path)])} == {
        "a": "thehill.com", "b": "insightCrime", "c": "bbc.com", "d": "reuters.com", "e": "The Hill: Politics",
        "f": "rams", "g": None}
