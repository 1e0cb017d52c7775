"""Boilerplate removal on scraped text: the seed article and cases written here."""

from __future__ import annotations

import pytest

from armstrace.ingest import clean_text, load_rules, read_inputs
from armstrace.ingest.boilerplate import RulesError

from .conftest import shared_path


def kinds(cleaned):
    return [span.kind for span in cleaned.removed]


def test_seed_article_loses_its_boilerplate_and_keeps_the_story():
    doc = next(read_inputs(shared_path("corpus", "seed", "000_2171e49c34a76868.txt")))
    assert doc.title == "Iran prepares to transfer ballistic missiles to Russia — report"
    assert doc.syndicated_from == "The New Voice of Ukraine"
    removed = [span.kind for span in doc.removed]
    assert removed.count("newsletter") == 2
    assert removed.count("caption") == 2
    assert removed.count("related_link") == 3
    assert removed.count("donation") == 1
    assert removed.count("syndication") == 1
    for gone in ("SIGN UP", "Read also", "Sergey Shoigu in Iran", "Patron", "original article"):
        assert gone not in doc.text
    assert "Iran has already transferred drones, guided bombs, and artillery shells to Russia." in doc.text
    assert "the supply has not yet occurred" in doc.text
    for span in doc.removed:
        assert doc.raw[span.start:span.end] == span.text
    assert doc.language == "en"


@pytest.mark.parametrize("line, kind", [
    ("Sign up to our daily briefing", "newsletter"),
    ("Get the top stories delivered to your inbox every morning", "newsletter"),
    ("Read also: A headline about something else", "related_link"),
    ("ALSO READ | Another headline entirely", "related_link"),
    ("Related: The week in pictures", "related_link"),
    ("READ MORE: What the summit means", "related_link"),
    ("Photo: A. Photographer / Example Agency", "caption"),
    ("Support our journalism: make a donation today", "donation"),
    ("Share this article", "share"),
    ("Facebook Twitter WhatsApp Email", "share"),
    ("Advertisement", "furniture"),
])
def test_boilerplate_lines_are_removed_with_their_kind(line, kind):
    text = f"Ministers met on Monday to discuss the budget.\n\n{line}\n\nThe talks will resume next week."
    cleaned = clean_text(text)
    assert kinds(cleaned) == [kind]
    assert line not in cleaned.text
    assert cleaned.text == "Ministers met on Monday to discuss the budget.\n\nThe talks will resume next week."


@pytest.mark.parametrize("line", [
    "Read the statement carefully, the minister told reporters.",
    "Related talks are expected to continue in Geneva next month, officials said.",
    "The United States will donate 20 patrol boats to the coast guard, the embassy said.",
    "Officials shared this information with allies on Monday.",
    "The photo was taken near the border, the agency said, and shows two launchers.",
])
def test_real_sentences_that_look_like_boilerplate_are_kept(line):
    text = f"The first paragraph of the story is here.\n\n{line}\n\nThe last paragraph of the story."
    cleaned = clean_text(text)
    assert cleaned.removed == []
    assert line in cleaned.text


def test_doubled_caption_is_removed_but_a_single_short_line_stays():
    text = "Headline of the story\n\nA crane lifts a tank, May 4\nA crane lifts a tank, May 4\n\nBody sentence one.\n\nA line once"
    cleaned = clean_text(text)
    assert kinds(cleaned) == ["caption", "caption"]
    assert "A crane lifts" not in cleaned.text
    assert "A line once" in cleaned.text


@pytest.mark.parametrize("footer, source", [
    ("Read the original article on The Example Ledger", "The Example Ledger"),
    ("This article was originally published by Example Times. Read the original article.", "Example Times"),
    ("Originally published on Example Science.", "Example Science"),
    ("Republished with permission from Example Review.", "Example Review"),
])
def test_syndication_footer_gives_the_original_publisher(footer, source):
    cleaned = clean_text(f"Headline here\n\nBody of the story goes here.\n\n{footer}")
    assert cleaned.syndicated_from == source
    assert kinds(cleaned) == ["syndication"]
    assert footer not in cleaned.text


def test_syndication_rule_only_applies_at_the_tail():
    body = "\n\n".join(f"Paragraph {i} of the story." for i in range(10))
    cleaned = clean_text(f"Read the original article on Example Ledger\n\n{body}")
    assert cleaned.syndicated_from is None
    assert cleaned.removed == []


def test_headline_inferred_only_when_the_first_line_looks_like_one():
    assert clean_text("Germany sends tanks to Ukraine\n\nBerlin said so.").title == "Germany sends tanks to Ukraine"
    assert clean_text("Berlin said on Monday it would send tanks.\n\nMore text.").title is None
    assert clean_text("Only one line here").title is None


def test_removed_offsets_point_into_the_raw_input_with_windows_newlines():
    raw = "Sign up for our newsletter\r\n\r\nHeadline of the day\r\n\r\nRead also: Other story\r\nBody text."
    cleaned = clean_text(raw)
    assert [raw[s.start:s.end] for s in cleaned.removed] == ["Sign up for our newsletter", "Read also: Other story"]
    assert cleaned.text == "Headline of the day\n\nBody text."


def test_rules_file_can_be_replaced_and_bad_rules_are_named(tmp_path):
    good = tmp_path / "rules.toml"
    good.write_text('[[rule]]\nkind = "promo"\npattern = "buy now"\n', encoding="utf-8")
    rules = load_rules(good)
    assert kinds(clean_text("Story text.\n\nBUY NOW and save", rules=rules)) == ["promo"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nkind = "x"\npattern = "(unclosed"\n', encoding="utf-8")
    with pytest.raises(RulesError, match="bad.toml: rule 1: bad pattern"):
        load_rules(bad)
