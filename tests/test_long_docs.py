"""Long documents are parsed in pieces (memory bounded by a piece) and read as one document."""

from __future__ import annotations

import pytest

from armstrace.extract import extract_documents
from armstrace.extract.pipeline import extract_document
from armstrace.extract.prefilter import RULER, get_prefilter
from armstrace.ingest import Document
from armstrace.nlp import get_nlp, long_docs

FILLER = "The harbour board met on Monday and talked about the new ferry timetable for the winter. "
CLAIMS = [
    "Germany delivered Leopard 2 tanks to Ukraine in May.",
    "France has agreed to sell Rafale fighter jets to India, the defence ministry said.",
    "The United States will send Patriot air defence systems to Poland next year.",
]


@pytest.fixture(scope="module")
def nlp():
    return get_nlp()


def _long_text(paragraph_chars: int = 400, gap: int = 3) -> str:
    """CLAIMS, each between `gap` paragraphs of filler of about `paragraph_chars` characters."""
    filler = (FILLER * (paragraph_chars // len(FILLER) + 1)).strip()
    paragraphs = []
    for claim in CLAIMS:
        paragraphs += [filler] * gap + [claim]
    return "\n\n".join(paragraphs + [filler] * gap)


def _check_cover(doc, pieces, limit):
    assert pieces[0][0] == 0 and pieces[-1][1] == len(doc)
    for (_, end), (start, _) in zip(pieces, pieces[1:]):
        assert end == start
    for start, end in pieces:
        span = doc[start:end]
        assert end - start == 1 or len(span.text_with_ws) <= limit


def test_pieces_are_cut_at_line_breaks_within_the_limit(nlp):
    doc = nlp.make_doc(_long_text())
    pieces = long_docs.pieces(doc, 1000)
    _check_cover(doc, pieces, 1000)
    assert len(pieces) > 3
    for start, _ in pieces[1:]:
        assert "\n" in doc[start - 1].text + doc[start - 1].whitespace_


def test_a_line_longer_than_the_limit_is_cut_after_a_sentence_else_at_a_space(nlp):
    doc = nlp.make_doc(FILLER * 30)  # one line of sentences
    pieces = long_docs.pieces(doc, 500)
    _check_cover(doc, pieces, 500)
    assert all(doc[start - 1].text == "." for start, _ in pieces[1:])
    doc = nlp.make_doc("ferry timetable " * 200)  # no sentence end at all
    pieces = long_docs.pieces(doc, 500)
    _check_cover(doc, pieces, 500)
    assert len(pieces) >= 6
    doc = nlp.make_doc("a" * 1200 + " b")  # one token longer than a piece stands alone
    assert long_docs.pieces(doc, 500) == [(0, 1), (1, 2)]
    with pytest.raises(ValueError, match="at least one character"):
        long_docs.pieces(doc, 0)


def test_a_long_document_joins_up_to_the_same_text_tokens_and_gazetteer_entities(nlp):
    text = _long_text()
    can_hold = get_prefilter(nlp)
    whole = long_docs.parse(nlp, can_hold.ruled(text), disable=[RULER], limit=len(text))
    pieced = long_docs.parse(nlp, can_hold.ruled(text), disable=[RULER], limit=1000)
    assert pieced.text == whole.text == text
    assert [t.idx for t in pieced] == [t.idx for t in whole]
    gazetteer = {"ACTOR", "WEAPON", "ARMS"}
    assert [(e.start, e.end, e.label_, e.ent_id_) for e in pieced.ents if e.label_ in gazetteer] == \
        [(e.start, e.end, e.label_, e.ent_id_) for e in whole.ents if e.label_ in gazetteer]
    assert {"DEU", "UKR", "FRA", "IND", "USA", "POL"} <= {e.ent_id_ for e in pieced.ents}
    assert pieced.has_annotation("DEP") and pieced.has_annotation("LEMMA")
    # tok2vec's output (extraction never reads it) is not kept: a quarter of a long page's memory
    assert pieced.tensor.size == 0 and whole.tensor.shape == (len(whole), 96)
    # a line break still ends a sentence, a piece's first token starts one
    assert all(t.is_sent_start for t in pieced[1:] if "\n" in pieced[t.i - 1].text)
    # and a text (not a tokenised document) is parsed the same way
    assert long_docs.parse(nlp, text, limit=1000).text == text


def _found(claims):
    return sorted((c.supplier, c.recipient, c.category, c.status, c.start, c.end, c.evidence) for c in claims)


def test_claims_of_a_long_document_are_those_of_reading_it_whole(nlp, monkeypatch):
    text = _long_text()
    doc = Document(id="long", text=text)
    whole = _found(extract_document(doc, nlp))
    assert {c[:3] for c in whole} >= {("DEU", "UKR", "armored_vehicle"), ("FRA", "IND", "aircraft"),
                                      ("USA", "POL", "air_defense")}
    assert {c[6] for c in whole} == set(CLAIMS)
    monkeypatch.setattr(long_docs, "PIECE_CHARS", 1000)
    assert long_docs.is_long(text)
    calls = []
    real = long_docs.pieces
    monkeypatch.setattr(long_docs, "pieces", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert _found(extract_document(doc, nlp)) == whole
    assert _found(extract_document(doc, nlp, prefilter=False)) == whole
    assert len(calls) == 2
    # among short documents, in batches: in order, nothing lost
    short = [Document(id=f"short{n}", text=claim) for n, claim in enumerate(CLAIMS)]
    for prefilter in (True, False):
        out = list(extract_documents([short[0], doc, short[1], short[2]], nlp, batch_size=2, prefilter=prefilter))
        assert [d.id for d, _ in out] == ["short0", "long", "short1", "short2"]
        assert _found(out[1][1]) == whole
        assert [len(claims) > 0 for _, claims in out] == [True, True, True, True]
    assert len(calls) == 4
