"""Over-long values and values a database refuses: the same on SQLite and PostgreSQL, the
document named, the rest of the batch stored; an error that stops a run has its own exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from armstrace.ingest import Document
from armstrace.store import DocumentRefused, Store
from armstrace.store.schema import ClaimRow, DocumentRow, FactRow, SourceRow

from .conftest import ROOT, run_cli

LONG_ID = "doc-" + "x" * 1496
LONG_NAME = "The " + "Very " * 80 + "Long Gazette"
DESIGNATION = "-".join(["KX12"] * 60)  # a 299-character "designation" read from the text


def write_inputs(folder) -> list[str]:
    records = [
        {"id": "first", "title": "Harbour news", "text": "The harbour opened a new quay on Monday for grain ships."},
        {"id": LONG_ID, "title": "Norway to give howitzers", "text": "Norway will send eight howitzers to Ukraine, its minister said."},
        {"id": "long-publisher", "publisher": LONG_NAME, "text": "Poland delivered tanks to Ukraine last month, officials said."},
        {"id": "last", "text": "The council met to discuss the budget for the coming year."},
    ]
    (folder / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (folder / "b.html").write_text(
        f'<html><head><meta property="og:site_name" content="{LONG_NAME}"><title>Jets for Egypt</title></head>'
        "<body><article><h1>Jets for Egypt</h1><p>France delivered Rafale jets to Egypt in March, "
        "the defence ministry said on Tuesday.</p><p>The jets arrived at an air base near Cairo.</p>"
        "</article></body></html>", encoding="utf-8")
    (folder / "c.txt").write_text(f"Russia delivered {DESIGNATION} missiles to Iran last week, officials said.\n",
                                  encoding="utf-8")
    (folder / "d.txt").write_text("Germany will send more air defence systems to Ukraine, Berlin said.\n",
                                  encoding="utf-8")
    return [str(folder / name) for name in ("a.jsonl", "b.html", "c.txt", "d.txt")]


def test_over_long_fields_are_cut_with_a_note_and_the_whole_batch_is_stored(db_url, tmp_path):
    inputs = write_inputs(tmp_path)
    result = run_cli("ingest", *inputs, "--db", db_url, "-q")
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert "Traceback" not in err
    assert "an id of 1,500 characters, over the limit of 1,000" in err
    assert f"b.html: publisher of {len(LONG_NAME)} characters cut to 300" in err.replace(str(tmp_path / "b.html") + ": document " + str(tmp_path / "b.html"), "b.html")
    assert "documents: 7 new" in err, err
    with Store(db_url) as store:
        with store.Session() as session:
            keys = set(session.scalars(select(DocumentRow.doc_key)))
            assert {"first", "long-publisher", "last"} <= keys
            [long_key] = [k for k in keys if k.startswith("doc-xxx")]
            assert len(long_key) == 1000
            publishers = set(session.scalars(select(DocumentRow.publisher)))
            assert max(len(p or "") for p in publishers) == 300
            designations = [d for d in session.scalars(select(ClaimRow.designation)) if d]
            assert any(len(d) == 200 and d.endswith("\u2026") and d.startswith("KX12") for d in designations)
            assert max(len(k) for k in session.scalars(select(FactRow.item_key))) <= 200
            assert max(len(n) for n in session.scalars(select(SourceRow.name))) <= 300
    # a rerun finds every document stored (the cut id is the same each time)
    again = run_cli("ingest", *inputs, "--db", db_url, "-q")
    assert again.returncode == 0 and "documents: 0 new, 0 updated, 7 unchanged" in again.stderr.decode()


def test_the_store_fits_every_bounded_value_the_same_way_on_both_databases(db_url):
    long = "y" * 5000
    claim = dict(supplier="NOR", recipient="UKR", category="artillery", status="planned", designation=long,
                 item=long, attribution=[long, long + "z"], evidence="Norway will give howitzers.", start=0, end=27,
                 confidence=0.9, rule=long, time=long, quantity=long)
    doc = Document(id="d", text="Norway will give howitzers.", publisher="p")
    doc.id = "k" * 3000  # changed after the reader made it: the store fits it too
    with Store(db_url) as store:
        assert store.add(doc, [claim]) == "new"
        assert store.has(doc)
        assert store.add(doc, [claim]) == "unchanged"
        [record] = store.claims()
        assert len(record.designation) == 200 and record.quantity.endswith("\u2026")
        [fact] = store.facts()
        assert fact.n_claims == 1 and len(fact.cited) == 1  # two names cut to one are one source


def test_a_document_the_database_refuses_is_named_and_the_others_are_stored(db_url):
    good = [Document(id=f"g{i}", text=f"Story number {i} about the harbour and the quay.") for i in range(3)]
    bad = Document(id="bad", text="Norway will give howitzers.")
    claim = dict(supplier="NOR", recipient="UKR", category="artillery", status="planned", evidence="x",
                 start=2**70, end=2**70 + 1)  # an offset no integer column holds
    refused = []
    with Store(db_url) as store:
        with pytest.raises(DocumentRefused, match="document bad: not stored"):
            store.add(bad, [claim])
        outcomes = store.add_many([(good[0], [], None), (bad, [claim], None), (good[1], [], None)],
                                  on_refused=refused.append)
        assert outcomes == ["new", "refused", "new"]
        assert [r.doc.id for r in refused] == ["bad"] and refused[0].reason
        assert store.add(good[2], []) == "new"  # the store goes on
        assert store.counts()["documents"] == 3


def test_an_error_that_stops_a_run_has_its_own_exit_code_and_keeps_what_was_stored(tmp_path):
    """The database goes away in the middle of an ingest: exit code 4 (not 1, "some inputs
    skipped") with one clear line, no traceback; the documents committed before it stay."""
    pg = os.environ.get("ARMSTRACE_TEST_PG_URL")
    if not pg:
        pytest.skip("no PostgreSQL server: set ARMSTRACE_TEST_PG_URL or run `make test` as root")
    import uuid

    import psycopg

    name = f"armstrace_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{pg.rsplit('/', 1)[0]}/{name}"
    path = tmp_path / "many.jsonl"
    with path.open("w") as out:
        for i in range(20000):
            out.write(json.dumps({"id": f"n{i}", "text": f"Council minutes number {i}: the budget and the harbour."}) + "\n")
    proc = subprocess.Popen([sys.executable, "-m", "armstrace", "ingest", str(path), "--db", url, "-q"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        stored = 0
        deadline = time.monotonic() + 300
        while stored < 200 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
            with psycopg.connect(url) as conn:
                stored = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'documents'").fetchone()[0] \
                    and conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert stored >= 200 and proc.poll() is None, "the ingest did not get under way"
        with psycopg.connect(pg, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        _out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
        with psycopg.connect(pg, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    err = err.decode()
    assert proc.returncode == 4, err
    assert "armstrace: error:" in err and "stopped; what was stored before the error stays" in err
    assert "Traceback" not in err


def test_a_database_that_cannot_be_opened_is_a_stopping_error(tmp_path):
    (tmp_path / "note.txt").write_text("The council met on Monday.\n")
    result = run_cli("ingest", str(tmp_path / "note.txt"), "--db", str(tmp_path / "no" / "such" / "dir.db"))
    assert result.returncode == 4, result.stderr.decode()
    assert "cannot open the database" in result.stderr.decode()
