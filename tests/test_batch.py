"""`armstrace batch` on a real 2-worker Dask LocalCluster, and `armstrace load` into SQLite and
PostgreSQL: the same register as `ingest` of the same inputs."""

from __future__ import annotations

import json
import shutil

import pytest

from armstrace.batch import load, plan, run_batch
from armstrace.pipeline import ingest
from armstrace.store import Store

from .conftest import run_cli

STORIES = [
    ("Norway will donate eight M109 howitzers to Ukraine, the defence minister said.", "2024-01-10"),
    ("Iran has supplied Shahed-136 drones to Russia, U.S. officials said on Monday.", "2023-11-02"),
    ("Wheat futures rose on Tuesday as traders weighed the weather in the plains.", None),
    ("South Korea will deliver K2 tanks to Poland under a deal signed last year.", "2024-03-05"),
    ("The central bank kept its main interest rate unchanged, citing slower inflation.", None),
    ("Germany has sent IRIS-T air defence systems to Ukraine, the government said.", "2023-10-01"),
    ("France agreed to sell 26 Rafale jets to India, the ministry said on Friday.", "2023-07-14"),
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    wire = folder / "wire.jsonl"
    lines = []
    for n in range(5):  # distinct stories: a copy would be stored as a duplicate
        for k, (text, date) in enumerate(STORIES):
            lines.append(json.dumps({"id": f"w{n}-{k}", "text": f"{text} Filed from desk {n * 7 + k} of the agency.",
                                     "date": date}))
    lines.insert(3, "{not json")  # a broken line: reported, the rest goes on
    lines.append(json.dumps({"text": "Israel received F-35 jets from the United States, officials said."}))  # no id
    wire.write_text("\n".join(lines) + "\n", encoding="utf-8")
    article = folder / "article.txt"
    article.write_text("Italy sends tanks\n\nItaly will send Ariete tanks to Ukraine, the minister said.",
                       encoding="utf-8")
    return [str(wire), str(article)]


@pytest.fixture(scope="module")
def batch_out(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "out"
    report = run_batch(inputs, out, workers=2, chunk=10)
    return out, report


def _register(store: Store) -> tuple[list, list]:
    facts = sorted((f.supplier, f.recipient, f.category, f.designation, f.status, f.n_claims, f.n_sources)
                   for f in store.facts())
    claims = sorted((c.doc, c.supplier, c.recipient, c.category, c.status, c.evidence, c.date) for c in store.claims())
    return facts, claims


def test_batch_writes_every_partition(batch_out, inputs):
    out, report = batch_out
    parts = plan(inputs, chunk=10)
    assert report.partitions == len(parts) == 5  # 37 lines in runs of 10, and the article
    assert not report.failed
    assert sum(r.documents for r in report.results) == 37  # 35 stories, the record with no id, the article
    assert sum(r.skipped for r in report.results) == 1
    assert any("not valid JSON" in p for r in report.results for p in r.problems)
    assert len(list((out / "documents").glob("*.parquet"))) == 5
    assert not list(out.rglob("*.partial"))


def test_rerun_skips_finished_partitions(batch_out, inputs):
    out, _report = batch_out
    again = run_batch(inputs, out, workers=2, chunk=10)
    assert again.done_before == 5 and again.results == []


def test_parquet_is_readable_by_duckdb_and_pandas(batch_out):
    import duckdb
    import pandas as pd

    out, _report = batch_out
    [(n, suppliers)] = duckdb.sql(f"select count(*), list(distinct supplier order by supplier) from "
                                  f"'{out}/claims/*.parquet'").fetchall()
    assert n > 0 and {"NOR", "IRN", "FRA"} <= set(suppliers)
    docs = pd.read_parquet(out / "documents")
    assert len(docs) == 37 and {"id", "text", "content_hash", "removed"} <= set(docs.columns)
    claims = pd.read_parquet(out / "claims")
    assert isinstance(list(claims["attribution"].iloc[0]), list)  # a list, not a JSON string


def test_load_gives_the_register_ingest_gives(batch_out, inputs, db_url, tmp_path):
    out, _report = batch_out
    loaded = Store(db_url)
    report = load(out, loaded, batch=8)
    assert report.documents == 37 and report.claims > 0
    again = load(out, loaded)  # idempotent
    assert again.outcomes == {"unchanged": 37}
    reference = Store(f"sqlite:///{tmp_path / 'ingested.db'}")
    summary = ingest(inputs, reference, on_problem=lambda p: None)
    assert summary.documents == 37
    assert _register(loaded) == _register(reference)
    assert loaded.counts() == reference.counts()
    loaded.close()
    reference.close()


def test_a_failing_partition_is_retried_reported_and_redone(inputs, tmp_path):
    out = tmp_path / "out"
    parts = plan(inputs, chunk=10)
    blocked = out / "claims" / f"{parts[1].name}.parquet"
    blocked.mkdir(parents=True)  # its claims cannot be written: the task fails every time
    report = run_batch(inputs, out, workers=2, chunk=10, retries=1)
    assert [r.name for r in report.failed] == [parts[1].name]
    assert "Error" in report.failed[0].error
    assert len(list((out / "done").glob("*.json"))) == 4  # the others are done
    shutil.rmtree(blocked)
    again = run_batch(inputs, out, workers=2, chunk=10)
    assert again.done_before == 4 and [r.name for r in again.results] == [parts[1].name]
    assert not again.failed


def test_batch_and_load_commands(inputs, tmp_path):
    out, db = tmp_path / "out", tmp_path / "register.db"
    done = run_cli("batch", *inputs, "--out", out, "--workers", "2", "--chunk", "20")
    assert done.returncode == 0, done.stderr.decode()
    assert "partitions: 3 (3 done now" in done.stderr.decode()
    loaded = run_cli("load", out, "--db", db)
    assert loaded.returncode == 0, loaded.stderr.decode()
    assert "37 new" in loaded.stderr.decode() or "duplicate" in loaded.stderr.decode()
    facts = run_cli("facts", "--db", db, "--format", "jsonl").stdout.decode().splitlines()
    assert {json.loads(f)["supplier"] for f in facts} >= {"NOR", "IRN", "KOR", "DEU", "FRA", "ITA"}
    missing = run_cli("load", tmp_path / "nothing-here", "--db", db)
    assert missing.returncode != 0


def test_a_warc_is_split_into_record_partitions_that_read_as_the_whole(tmp_path):
    from armstrace.batch import run_partition
    from armstrace.ingest import read_inputs

    from .test_hostile_readers import news_warc

    data, _starts = news_warc(7)
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(data)
    parts = plan([warc], warc_chunk=3)
    assert [(p.kind, p.start, p.stop) for p in parts] == [("warc", 0, 3), ("warc", 3, 6), ("warc", 6, None)]
    out = tmp_path / "out"
    results = [run_partition(p, str(out), order=n) for n, p in enumerate(parts)]
    assert [r.documents for r in results] == [3, 3, 1] and not any(r.problems for r in results)
    import pyarrow.parquet as pq

    read = [row["id"] for p in parts for row in pq.read_table(out / "documents" / f"{p.name}.parquet").to_pylist()]
    assert read == [doc.id for doc in read_inputs([str(warc)])]


def test_a_cut_warc_is_reported_by_its_last_partition(tmp_path):
    from armstrace.batch import run_partition

    from .test_hostile_readers import news_warc

    data, starts = news_warc(5)
    warc = tmp_path / "cut.warc.gz"
    warc.write_bytes(data[:starts[4] + 40])  # the fifth record cut inside its gzip member
    parts = plan([warc], warc_chunk=2)
    results = [run_partition(p, str(tmp_path / "out"), order=n) for n, p in enumerate(parts)]
    assert sum(r.documents for r in results) == 4
    assert any("truncated" in problem for problem in results[-1].problems)
    assert not any(r.problems for r in results[:-1])


def test_batch_on_a_running_cluster_by_its_address(inputs, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        report = run_batch(inputs, tmp_path / "out", scheduler=cluster.scheduler_address, chunk=20)
    assert report.partitions == 3 and not report.failed
    assert sum(r.documents for r in report.results) == 37
