"""Writers at once on one register (issue 13, item 3): what each of them wrote is kept, and the
register does not depend on who came first. These are the regression tests of what the
concurrency test in `test_crash.py` (`test_concurrent_ingests_reviewers_and_readers`) found,
each made deterministic with two Store objects (two processes' worth of state) or two threads
whose order is forced."""

from __future__ import annotations

import threading
import time

from armstrace.ingest import Document
from armstrace.store import Store

STORY = " ".join(f"Sentence {i} of the wire story says that Norway will donate howitzers to Ukraine this year."
                 for i in range(12))


def claim(start=0, end=60, **overrides):
    base = dict(supplier="NOR", recipient="UKR", category="artillery", status="planned", designation="M109",
                item="howitzers", attribution=[], evidence=STORY[start:end], start=start, end=end, confidence=0.8,
                rule="test")
    return base | overrides


def doc(key, text=STORY, url=None):
    return Document(id=key, text=text, title=None, url=url or f"https://{key}.example/story")


def test_a_copy_stored_by_another_process_is_found_by_its_near_duplicate(db_url):
    """Process A opened the register (and its MinHash index) before process B stored the
    original; A's near-copy must still be linked to it, not counted as a second report."""
    with Store(db_url) as a, Store(db_url) as b:
        a.add(doc("unrelated", "Wheat futures rose on Tuesday as traders weighed the weather."), [])
        assert b.add(doc("original"), [claim()]) == "new"
        copy = doc("copy", STORY + " Read the original story on ledger.example.", url="https://mirror.example/c")
        assert a.add(copy, [claim()]) == "duplicate"
        [fact] = a.facts()
        assert (fact.n_claims, fact.n_sources) == (2, 1)


def test_a_claim_added_on_a_document_is_made_on_its_stored_copies_too(db_url):
    """An analyst's added claim is made again on every copy of the document's text, whether
    the copy was stored before the claim was added or after: the order does not matter."""
    with Store(db_url) as store:
        store.add(doc("original"), [claim()])
        store.add(doc("reprint-before"), [claim()])
        [original_id] = [c.document_id for c in store.claims() if c.doc == "original"]
        store.add_claim(original_id, 61, 122, {"supplier": "DEU", "recipient": "POL", "category": "armored_vehicle",
                                               "status": "agreed"}, reviewer="alice")
        store.add(doc("reprint-after"), [claim()])
        added = sorted(c.doc for c in store.claims(supplier="DEU"))
        assert added == ["original", "reprint-after", "reprint-before"]
        [fact] = store.facts(supplier="DEU")
        assert (fact.n_claims, fact.n_sources) == (3, 1)  # copies are evidence, not reports
        # a review of the added claim reaches every copy
        [mine] = [c for c in store.claims(supplier="DEU") if c.doc == "original"]
        store.review([mine.id], "reject", reviewer="bob")
        assert store.claims(supplier="DEU") == []


def test_two_reviewers_correcting_one_claim_at_once_both_count(db_url):
    """Alice corrects a claim's status; before her transaction commits, Bob corrects its
    recipient. Both reviews are in the log and the claim carries both corrections (on
    PostgreSQL, Bob's write used to overwrite the claim with the log as it was before Alice's)."""
    with Store(db_url) as setup:
        setup.add(doc("original"), [claim()])
        [target] = setup.claims()
    alice, bob = Store(db_url), Store(db_url)
    inside, release, errors = threading.Event(), threading.Event(), []
    recompute = alice._recompute

    def slow_recompute(session, fact_ids):  # Alice's transaction waits here, her review written
        recompute(session, fact_ids)
        inside.set()
        release.wait(30)

    alice._recompute = slow_recompute

    def run(store, values, name):
        try:
            store.review([target.id], "correct", values, reviewer=name)
        except Exception as err:  # reported below
            errors.append(err)

    first = threading.Thread(target=run, args=(alice, {"status": "delivered"}, "alice"))
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=run, args=(bob, {"recipient": "POL"}, "bob"))
    second.start()
    time.sleep(1.0)  # Bob is under way (or waiting for Alice)
    release.set()
    first.join(60)
    second.join(60)
    alice.close()
    bob.close()
    assert not errors, errors
    with Store(db_url) as store:
        assert sorted(r["reviewer"] for r in store.reviews(limit=None)) == ["alice", "bob"]
        [now] = store.claims()
        assert (now.status, now.recipient) == ("delivered", "POL")
        [fact] = store.facts()
        assert (fact.recipient, fact.status, fact.n_claims) == ("POL", "delivered", 1)
