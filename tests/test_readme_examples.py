"""The README's examples come out as the README says, with the shipped claim encoder (`--model encoder`)."""

from __future__ import annotations

import pytest

from armstrace.extract import extract_document
from armstrace.ingest import Document


def claims_of(text: str, title: str | None = None) -> set[tuple]:
    doc = Document(id="readme", text=text, title=title, published="2024-05-01")
    return {(c.supplier, c.recipient, c.category, c.status) for c in extract_document(doc, model="encoder")}


@pytest.mark.parametrize("headline, expected", [
    ("India and Russia discuss delivery of remaining S-400 squadrons", ("RUS", "IND", "air_defense", "considered")),
    ("Germany to send more air defence systems to Ukraine", ("DEU", "UKR", "air_defense", "planned")),
])
def test_headline_examples(headline, expected):
    found = claims_of(headline)
    assert expected in found, found
    triples = {c[:3] for c in found}
    assert (expected[1], None, expected[2]) not in triples and (expected[0], None, expected[2]) not in triples


def test_the_seed_example_sentence():
    found = claims_of("Iran has already sent drones and artillery shells to Russia, U.S. officials said.")
    assert ("IRN", "RUS", "drone", "delivered") in found
    assert ("IRN", "RUS", "ammunition", "delivered") in found
