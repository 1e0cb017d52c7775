"""The register on a real SQLite file and a real PostgreSQL server: idempotent, concurrent,
crash-safe ingestion; corroboration that does not count copies; queries."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from armstrace.ingest import Document, read_inputs
from armstrace.store import ClaimFilter, Store
from armstrace.store.schema import ClaimRow, DocumentRow

from .conftest import ROOT, run_cli, shared_path


def claim(**overrides):
    base = dict(supplier="NOR", recipient="UKR", category="artillery", status="planned", designation=None,
                item="howitzers", attribution=["defence minister"], evidence="Norway will donate howitzers to Ukraine.",
                start=0, end=40, confidence=0.8, rule="test", time=None, quantity="eight")
    base.update(overrides)
    return base


def doc(id="d1", text="Norway will donate eight howitzers to Ukraine, the defence minister said.", **kw):
    return Document(id=id, text=text, title=kw.pop("title", "Norway to give howitzers"), **kw)


def per_document_claims(store):
    with store.Session() as session:
        return dict(session.execute(
            select(DocumentRow.doc_key, func.count(ClaimRow.id)).outerjoin(ClaimRow).group_by(DocumentRow.doc_key)
        ).all())


# -- the Python API ---------------------------------------------------------------------------

def test_adding_the_same_document_twice_changes_nothing(db_url):
    with Store(db_url) as store:
        assert store.add(doc(), [claim()]) == "new"
        before = store.counts()
        assert store.add(doc(), [claim()]) == "unchanged"
        assert store.counts() == before == {"documents": 1, "duplicates": 0, "not_processed": 0, "claims": 1, "facts": 1, "sources": 2}


def test_a_changed_document_replaces_its_claims(db_url):
    with Store(db_url) as store:
        store.add(doc(), [claim()])
        assert store.add(doc(text="Norway has delivered the howitzers to Ukraine."), [claim(status="delivered")]) == "updated"
        [fact] = store.facts()
        assert fact.statuses == ["delivered"] and fact.n_claims == 1


def test_syndicated_copy_is_linked_and_not_an_independent_source(db_url):
    text = " ".join(f"Sentence number {i} of the article about Norwegian howitzers for Ukraine." for i in range(30))
    with Store(db_url) as store:
        store.add(doc("original", text, publisher="Example Ledger", url="https://ledger.example/a"), [claim()])
        # the same story on another site, with a different footer line
        copy = doc("copy", text + " Originally from another site.", publisher="Example Mirror", url="https://mirror.example/b")
        assert store.add(copy, [claim()]) == "duplicate"
        [fact] = store.facts()
        assert fact.n_claims == 2
        assert fact.n_documents == 1 and fact.n_publishers == 1
        assert fact.sources == ["Example Ledger"] and fact.cited == ["defence minister"]
        assert [e["duplicate"] for e in fact.evidence] == [False, True]
        # an unrelated story by the second site does count
        store.add(doc("other", "Oslo confirmed on Friday that the first howitzers had reached Ukraine by train.",
                      publisher="Example Mirror"), [claim(status="delivered")])
        [fact] = store.facts()
        assert fact.n_publishers == 2 and fact.n_documents == 2
        assert set(fact.statuses) == {"planned", "delivered"}


def test_facts_merge_by_designation_else_category_with_a_status_timeline(db_url):
    with Store(db_url) as store:
        store.add(doc("a", published="2024-01-10"), [claim(designation="M109"), claim(status="considered", category="missile")])
        store.add(doc("b", "Oslo says the M109 howitzers have arrived in Ukraine.", published="2024-03-02"),
                  [claim(designation="M-109", status="delivered", attribution=["Oslo"])])
        facts = {f.designation or f.category: f for f in store.facts()}
        assert set(facts) == {"M109", "missile"}
        m109 = facts["M109"]
        assert m109.timeline == {"planned": {"first": "2024-01-10", "last": "2024-01-10", "claims": 1},
                                 "delivered": {"first": "2024-03-02", "last": "2024-03-02", "claims": 1}}
        assert m109.status == "delivered" and (m109.first_date, m109.last_date) == ("2024-01-10", "2024-03-02")
        assert m109.confidence > facts["missile"].confidence  # corroborated by two documents


def test_filters(db_url):
    with Store(db_url) as store:
        store.add(doc("a", published="2023-05-01"), [claim()])
        store.add(doc("b", "Iran sent drones to Russia, officials said.", published="2024-02-01"),
                  [claim(supplier="IRN", recipient="RUS", category="drone", status="delivered",
                         evidence="Iran sent drones to Russia, officials said.", designation="Shahed-136")])
        assert [c.supplier for c in store.claims(supplier="irn")] == ["IRN"]
        assert [c.recipient for c in store.claims(party="UKR")] == ["UKR"]
        assert len(store.claims(category="drone", status="delivered")) == 1
        assert [c.doc for c in store.claims(since="2024")] == ["b"]
        assert [c.doc for c in store.claims(until="2023-12-31")] == ["a"]
        assert [c.doc for c in store.claims(text="drones")] == ["b"]
        assert [f.designation for f in store.facts(designation="shahed-136")] == ["Shahed-136"]
        # one report each: the sources an article cites are shown, not counted
        assert store.facts(min_sources=2) == []
        assert len(store.facts(min_sources=1)) == 2
        assert len(store.claims(limit=1)) == 1 and store.claims(limit=1, offset=1)[0].doc == "b"
        frame = store.facts_frame(supplier="IRN")
        assert list(frame["designation"]) == ["Shahed-136"]
        with pytest.raises(ValueError, match="unknown status"):
            ClaimFilter(status="shipped")
        with pytest.raises(ValueError, match="since must be an ISO date"):
            ClaimFilter(since="last year")
        # an unnamed party is "unknown"; names and demonyms work like codes
        store.add(doc("u", "Someone sent rifles to Ukraine.", published="2024-03-01"),
                  [claim(supplier=None, category="small_arms", status="delivered", evidence="Someone sent rifles to Ukraine.")])
        assert [c.doc for c in store.claims(supplier="unknown")] == ["u"]
        assert [f.category for f in store.facts(supplier="unknown")] == ["small_arms"]
        assert [f.category for f in store.facts(party="Iranian")] == ["drone"]
        assert len(store.claims(party="UKR")) == 2


# -- the command, on real news ----------------------------------------------------------------

def test_ingesting_the_dev_set_twice_leaves_the_same_counts(db_url):
    dev = shared_path("corpus", "dev", "docs.jsonl")
    first = run_cli("ingest", dev, "--db", db_url)
    assert first.returncode == 0, first.stderr.decode()[-3000:]
    with Store(db_url) as store:
        counts = store.counts()
        claims = per_document_claims(store)
    assert counts["documents"] == 141 and counts["claims"] > 0
    second = run_cli("ingest", dev, "--db", db_url)
    assert second.returncode == 0
    assert "0 new, 0 updated, 141 unchanged" in second.stderr.decode()
    with Store(db_url) as store:
        assert store.counts() == counts
        assert per_document_claims(store) == claims


def _ingest_process(db_url, *inputs):
    return subprocess.Popen([sys.executable, "-m", "armstrace", "ingest", *map(str, inputs), "--db", db_url, "-q"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def dev_reference(tmp_path_factory):
    """The dev set ingested by one process into a new SQLite register: its counts and its
    claims a document (made once for the tests that compare with it, on either database)."""
    dev = shared_path("corpus", "dev", "docs.jsonl")
    reference = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'reference.db'}"
    assert run_cli("ingest", dev, "--db", reference).returncode == 0
    with Store(reference) as store:
        return store.counts(), per_document_claims(store)


def test_two_processes_ingesting_at_once_lose_and_duplicate_nothing(db_url, dev_reference):
    dev = shared_path("corpus", "dev", "docs.jsonl")
    expected_counts, expected_claims = dev_reference
    # both processes start before either has created the schema
    procs = [_ingest_process(db_url, dev), _ingest_process(db_url, dev)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()[-3000:]
    with Store(db_url) as store:
        assert per_document_claims(store) == expected_claims
        assert store.counts() == expected_counts


def test_an_ingest_killed_midway_resumes_and_stores_every_document_once(db_url):
    dev = shared_path("corpus", "dev", "docs.jsonl")
    with Store(db_url):
        pass  # create the schema, so that progress can be watched
    proc = _ingest_process(db_url, dev)
    deadline = time.monotonic() + 300
    stored = 0
    with Store(db_url) as store:
        while time.monotonic() < deadline and proc.poll() is None:
            stored = store.counts()["documents"]
            if stored >= 20:
                break
            time.sleep(0.05)
    assert proc.poll() is None, "the ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Store(db_url) as store:
        partial = store.counts()["documents"]
    assert 20 <= partial < 141
    rerun = run_cli("ingest", dev, "--db", db_url)
    assert rerun.returncode == 0, rerun.stderr.decode()[-3000:]
    assert f"{partial} unchanged" in rerun.stderr.decode()
    with Store(db_url) as store:
        keys = [row.doc_key for row in store.Session().scalars(select(DocumentRow))]
        ids = [json.loads(line)["id"] for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sorted(keys) == sorted(ids)


def test_seed_and_its_syndicated_copy_count_as_one_source(db_url, tmp_path):
    seed = shared_path("corpus", "seed", "000_2171e49c34a76868.txt")
    copy = tmp_path / "elsewhere" / "iran-missiles-copy.txt"
    copy.parent.mkdir()
    copy.write_bytes(seed.read_bytes())
    assert run_cli("ingest", seed, "--db", db_url).returncode == 0
    with Store(db_url) as store:
        alone = {(f.supplier, f.recipient, f.category, f.designation): (f.n_sources, f.n_publishers) for f in store.facts()}
    assert alone, "the seed gave no facts"
    result = run_cli("ingest", copy, "--db", db_url)
    assert result.returncode == 0 and "1 duplicate" in result.stderr.decode()
    with Store(db_url) as store:
        facts = store.facts()
        assert {(f.supplier, f.recipient, f.category, f.designation): (f.n_sources, f.n_publishers) for f in facts} == alone
        assert all(f.n_publishers == 1 and f.n_documents == 1 for f in facts)
        assert all(f.n_claims % 2 == 0 for f in facts)  # the copy's claims are kept, as evidence


def test_facts_command_shows_the_seed_missile_fact_with_its_evidence(db_url):
    seed = shared_path("corpus", "seed", "000_2171e49c34a76868.txt")
    assert run_cli("ingest", seed, "--db", db_url).returncode == 0
    out = run_cli("facts", "--supplier", "IRN", "--recipient", "RUS", "--db", db_url).stdout.decode()
    assert "IRN -> RUS" in out
    missile = [block for block in out.split("\n\n") if block.strip() and "missile" in block.splitlines()[0]]
    assert missile, out
    statuses = {s for block in missile for s in block.split("statuses: ")[1].split("\n")[0].split(", ")}
    assert {"offered", "considered", "planned"} <= statuses
    assert "Iran is contemplating the provision of ballistic missiles to Russia" in out
    assert "Fateh-110" in out
    rows = [json.loads(line) for line in run_cli("facts", "--supplier", "IRN", "--format", "jsonl", "--db", db_url).stdout.splitlines()]
    assert rows and all(r["supplier"] == "IRN" for r in rows)


def test_bad_database_url_is_a_clear_error():
    result = run_cli("facts", "--db", "mysql://nobody@nowhere/db")
    assert result.returncode == 2  # a usage error: no database armstrace speaks
    assert "unsupported database 'mysql'" in result.stderr.decode()
    result = run_cli("facts", "--db", "postgresql://nobody@127.0.0.1:1/db")  # nothing listens there
    assert result.returncode == 4  # an error that stops the command, not a skipped input
    assert "cannot open the database" in result.stderr.decode()


def test_a_document_that_breaks_extraction_is_skipped_and_named(db_url, tmp_path, monkeypatch):
    import armstrace.extract as extract
    from armstrace.pipeline import ingest

    real = extract.extract_document

    def fragile(doc, nlp=None, **options):
        if "poison" in doc.text:
            raise RuntimeError("parser exploded")
        return real(doc, nlp, **options)

    def fragile_batch(docs, nlp=None, batch_size=32, **options):
        options.pop("on_problem", None)
        for doc in docs:
            yield doc, fragile(doc, nlp, **options)

    monkeypatch.setattr(extract, "extract_document", fragile)
    monkeypatch.setattr(extract, "extract_documents", fragile_batch)
    for name, text in (("a.txt", "Norway will donate howitzers to Ukraine."), ("b.txt", "A poison pill sentence."),
                       ("c.txt", "Spain has sent tanks to Ukraine.")):
        (tmp_path / name).write_text(text, encoding="utf-8")
    problems = []
    with Store(db_url) as store:
        summary = ingest([str(tmp_path)], store, on_problem=problems.append)
        assert summary.outcomes["new"] == 2 and summary.skipped == 1
        assert "b.txt" in str(problems[0]) and "parser exploded" in str(problems[0])
        assert store.counts()["documents"] == 2


def test_frames_with_no_match_keep_their_columns(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'empty.db'}") as store:
        claims, facts = store.claims_frame(supplier="IRN"), store.facts_frame(supplier="IRN")
        assert claims.empty and {"supplier", "recipient", "evidence", "review"} <= set(claims.columns)
        assert facts.empty and {"supplier", "n_sources", "timeline"} <= set(facts.columns)


def test_status_history_is_in_time_order_undated_last(db_url):
    """Reported halted on 01-18, planned on 01-27, delivered on 06-22: the history reads in
    that order (it used to follow the stages: planned -> delivered -> halted)."""
    reports = [("h", "halted", "2024-01-18"), ("p", "planned", "2024-01-27"), ("d", "delivered", "2024-06-22"),
               ("u", "agreed", None)]
    with Store(db_url) as store:
        for key, status, date in reports:
            store.add(doc(key, f"Norway {status} howitzers for Ukraine, report {key}.", published=date,
                          publisher=f"Outlet {key}"), [claim(status=status)])
        [fact] = store.facts()
        assert list(fact.timeline) == ["halted", "planned", "delivered", "agreed"]
        assert fact.statuses == ["halted", "planned", "delivered", "agreed"] and fact.status == "delivered"


def test_an_undated_report_of_a_later_stage_is_the_latest_status(db_url):
    """A dated article says Norway is preparing to send howitzers; an undated one says it has
    already transferred them. The fact's latest status is delivered (it used to be planned: an
    undated claim sorted before every dated one). A dated halt stays latest; an undated claim
    of an earlier stage does not win."""
    with Store(db_url) as store:
        store.add(doc("p", "Norway is preparing to send howitzers to Ukraine.", published="2024-07-11",
                      publisher="Outlet p"), [claim(status="planned")])
        store.add(doc("d", "Norway has already transferred howitzers to Ukraine.", publisher="Outlet d"),
                  [claim(status="delivered")])
        [fact] = store.facts()
        assert fact.status == "delivered"
        store.add(doc("c", "Norway is considering howitzers for Ukraine.", publisher="Outlet c"),
                  [claim(status="considered")])
        assert store.facts()[0].status == "delivered"
        store.add(doc("h", "Norway halted the howitzers for Ukraine.", published="2024-09-01", publisher="Outlet h"),
                  [claim(status="halted")])
        assert store.facts()[0].status == "halted"


def test_latest_status_rules():
    from armstrace.store.facts import latest_status
    assert latest_status([]) is None
    assert latest_status([("planned", None, 1), ("delivered", None, 2)]) == "delivered"
    assert latest_status([("delivered", "2024-01-01", 1), ("planned", "2024-05-01", 2)]) == "planned"
    assert latest_status([("planned", "2024-05-01", 1), ("ongoing", None, 2), ("delivered", None, 3)]) == "delivered"
    assert latest_status([("halted", "2024-05-01", 1), ("delivered", None, 2)]) == "halted"
    assert latest_status([("delivered", "2024-05-01", 1), ("halted", None, 2)]) == "delivered"
