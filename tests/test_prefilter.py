"""The prefilter: documents that cannot hold a claim are not parsed, and nothing is lost."""

from __future__ import annotations

import json

import pytest

from armstrace.extract import extract_documents
from armstrace.extract.pipeline import extract_document
from armstrace.extract.prefilter import get_prefilter
from armstrace.ingest import Document, read_inputs
from armstrace.nlp import get_nlp, normalise

from .conftest import shared_path


@pytest.fixture(scope="module")
def nlp():
    return get_nlp()


@pytest.fixture(scope="module")
def can_hold(nlp):
    return get_prefilter(nlp)


@pytest.mark.parametrize("text", [
    "Iran sent drones to Russia.",
    "The government agreed to sell twelve fighter jets to the neighbouring state.",
    "Officials said Tehran had armed the Houthis for years.",  # no item: a party as patient
    "The rebels received military aid from abroad.",  # the trigger noun inside its item
    "Washington is the largest arms supplier of the kingdom.",  # a role noun
    "NEW DELHI\nIndia will buy 36 Rafale jets from France, the ministry said.",  # the claim on its own line
])
def test_what_can_hold_a_claim_passes(can_hold, text):
    assert can_hold(normalise(text))
    screened = can_hold.screen(normalise(text))  # the document to parse, tokenised and ruled
    assert screened is not None and screened.text == normalise(text)
    assert any(e.label_ in ("ACTOR", "ARMS", "WEAPON") for e in screened.ents)


@pytest.mark.parametrize("text", [
    "",
    "Shares of the grain company rose two percent in early trading on Tuesday.",
    "The central bank left interest rates unchanged and said inflation would ease.",
    "Tanks of crude oil were filled.\nThe price of copper fell.",  # no transfer cue with the item
    "Exports of coffee rose.\nThe army held a parade with new rifles.",  # cue and item on separate lines
    "The ministry held talks on arms.",  # "arms" alone: no verb "arm" with goods of its own
])
def test_what_cannot_hold_a_claim_is_skipped(can_hold, text):
    assert not can_hold(normalise(text))
    assert can_hold.screen(normalise(text)) is None


def test_a_skipped_document_is_not_parsed(nlp, monkeypatch):
    calls = []
    original = type(nlp).__call__

    def counting(self, text, *args, **kwargs):
        calls.append(text)
        return original(self, text, *args, **kwargs)

    monkeypatch.setattr(type(nlp), "__call__", counting)
    quiet = Document(id="q", text="Shares of the grain company rose two percent on Tuesday.")
    assert extract_document(quiet, nlp) == []
    assert calls == []
    busy = Document(id="b", text="Iran sent drones to Russia, officials said.")
    assert extract_document(busy, nlp)
    assert len(calls) == 1


def test_possible_lemmas_cover_the_lemmatizer(nlp, can_hold):
    """The prefilter's lemmas of a word are a superset of what the full pipeline gives it, for
    the parts of speech a trigger can have."""
    text = ("The ministry said it had sold and delivered howitzers, was selling shells, and that buyers "
            "sought supplies. Deliveries were halted; the exporter armed, equipped and trained units. "
            "She gave him bought goods; they have been sending aid and helping the militias.")
    for tok in (t for t in nlp(text) if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ")):
        assert tok.lemma_.lower() in can_hold._possible_lemmas(tok.text), tok.text


def _claims(path, prefilter):
    docs = list(read_inputs([str(path)], on_problem=lambda p: None))
    return [(doc.id, sorted(json.dumps(c.to_dict(), sort_keys=True) for c in claims))
            for doc, claims in extract_documents(docs, prefilter=prefilter)]


@pytest.mark.parametrize("corpus", [("seed", "seed.jsonl"), ("dev", "docs.jsonl"), ("pool", "docs.jsonl")])
def test_same_claims_with_and_without_the_prefilter(corpus):
    path = shared_path("corpus", *corpus)
    without = _claims(path, prefilter=False)
    with_it = _claims(path, prefilter=True)
    assert sum(len(c) for _, c in without) > 0
    lost = [doc for (doc, a), (_, b) in zip(without, with_it) if a != b]
    assert not lost, f"the prefilter changes the claims of {lost[:10]}"
    assert with_it == without


def _weak_weapon_name(nlp):
    """A weapon name of the gazetteer that is also an ordinary word, with no generic reading,
    that the ruler marks as a WEAPON in a made-up sentence."""
    from armstrace.nlp import load_gazetteer

    gaz = load_gazetteer()
    for name in sorted(gaz.weak_weapon_names):
        if not name.istitle() or gaz.generic.get(name.lower()) or len(name) < 4:
            continue
        doc = nlp.get_pipe("gazetteer_ruler")(nlp.make_doc(f"The {name} was sold."))
        if [(e.text, e.label_) for e in doc.ents] == [(name, "WEAPON")]:
            return name
    pytest.skip("no weak weapon name in the gazetteer")


def test_a_weapon_name_that_is_an_ordinary_word_needs_a_party(nlp, can_hold):
    """Such a name gives the rules no item; only a co-occurrence candidate reads it, with a party."""
    name = _weak_weapon_name(nlp)
    assert not can_hold(normalise(f"The {name} restaurant chain agreed to sell its shops."))
    assert can_hold(normalise(f"The {name} restaurant chain agreed to sell its shops to Japan."))
    assert can_hold(normalise(f"The rebels agreed to sell the {name}."))  # a group noun is a party
    assert can_hold(normalise(f"The chain agreed to sell {name} rifles."))  # beside a generic item


@pytest.mark.parametrize("text,holds", [
    ("Japan agreed to give aid to Brazil after the floods.", False),  # aid to a state: no item-less claim
    ("The firm offered help to its customers in Brazil.", False),  # help with no technical mark
    ("Japan agreed to give aid to the rebels.", True),  # aid to a group
    ("The guerrillas asked Brazil for assistance.", True),
    ("China offered technical help to Pakistan.", True),  # help with a technical mark, from a state
    ("Officials said Tehran had armed the Houthis for years.", True),  # a party as patient
    ("The new plant will supply Brazil with steel.", True),
])
def test_item_less_readings_need_what_the_rules_need(nlp, can_hold, text, holds):
    """Aid and help make a claim without an item only to a group, or with a technical mark from a
    state (`Extractor.frame_claims`); what the prefilter passes over, the rules give no claim."""
    assert can_hold(normalise(text)) == holds
    if not holds:
        assert extract_document(Document(id="t", text=text), nlp, prefilter=False) == []
