"""A long stream of documents runs in flat memory: extraction leaves no word of the documents
it read in spaCy's vocabulary (each run of documents is read in a memory zone)."""

from __future__ import annotations

from armstrace.extract import extract_documents
from armstrace.ingest import Document
from armstrace.nlp import get_nlp


def stream(prefix: str, n: int):
    for i in range(n):  # every document has words no other has, as names and numbers do in news
        yield Document(id=f"{prefix}{i}", title=f"Harbour note {prefix}{i}",
                       text=f"The harbour board of Quayton{prefix}{i} met on Monday about berth {prefix}-{i * 7}. "
                            f"Russia delivered drones to Iran, officials said in report {prefix}x{i}.")


def test_extraction_leaves_no_word_of_what_it_read_in_the_vocabulary():
    nlp = get_nlp()
    first = list(extract_documents(stream("w", 20), nlp))  # load what loads once
    assert all(claims for _doc, claims in first)  # the documents are read, claims and all
    strings = len(nlp.vocab.strings)  # (len(nlp.vocab) counts lexemes ever made: spaCy 3.8 does not
    # lower it when a zone frees its lexemes)
    done = list(extract_documents(stream("z", 600), nlp))
    assert len(done) == 600 and all(claims for _doc, claims in done)
    # before: every new word stayed (several strings a document: 600 documents, thousands)
    assert len(nlp.vocab.strings) - strings < 50, len(nlp.vocab.strings) - strings
    assert "Quaytonz599" not in nlp.vocab.strings


def test_the_claims_are_the_same_inside_and_outside_a_memory_zone():
    from armstrace.extract import extract_document

    nlp = get_nlp()
    docs = list(stream("s", 5))
    zoned = [(d.id, [c.to_dict() for c in claims]) for d, claims in extract_documents(docs, nlp)]
    plain = [(d.id, [c.to_dict() for c in extract_document(d, nlp)]) for d in docs]
    assert zoned == plain
