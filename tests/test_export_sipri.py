"""Exports read back by the tools analysts use, and the SIPRI comparison."""

from __future__ import annotations

import json

import networkx as nx
import pandas as pd
import pytest

from armstrace.export import CSV_COLUMNS, export
from armstrace.sipri import SipriFormatError, designations_match, diff, import_register, read_register
from armstrace.store import ClaimFilter, Store

from .conftest import run_cli, shared_path
from .test_store import claim, doc

SIPRI_PREAMBLE = (
    "Transfers of major conventional arms from All countries  to All countries . Deals with deliveries;\r\n"
    "A '?' in a column indicates uncertain data.;\r\n" * 5
    + ";\r\nSource: SIPRI Arms Transfers Database (c) SIPRI.;\r\n"
)
SIPRI_HEADER = ("SIPRI AT Database ID,Supplier,Recipient,Designation,Description,Armament category,Order date,"
                "Order date is estimate,Numbers delivered,Numbers delivered is estimate,Delivery year,"
                "Delivery year is estimate,Status,SIPRI estimate,TIV deal unit,TIV delivery values,Local production;\r\n")
SIPRI_ROWS = [
    "101,Norway,Ukraine,M109A3GN,self-propelled gun,Artillery,2022,No,14,No,2022,No,Second hand,1,1,14,No;",
    "101,Norway,Ukraine,M109A3GN,self-propelled gun,Artillery,2022,No,8,No,2023,No,Second hand,1,1,8,No;",
    "102,Iran,Russia,Shahed-136,one-way attack drone,Missiles,2022,No,2000,Yes,2022,No,New,0.02,0.02,40,No;",
    "103,Germany,Ukraine,IRIS-T SLM,SAM system,Air defence systems,2022,No,4,No,2023,No,New,50,50,200,No;",
]


@pytest.fixture
def register(db_url):
    with Store(db_url) as store:
        store.add(doc("a", published="2023-02-01", publisher="Example Ledger", url="https://ledger.example/a"),
                  [claim(designation="M109", status="delivered")])
        store.add(doc("b", "Iran sent Shahed-136 drones to Russia, U.S. officials said.", published="2023-03-01",
                      url="https://wire.example/b"),
                  [claim(supplier="IRN", recipient="RUS", category="drone", status="delivered", designation="Shahed-136",
                         attribution=["U.S. officials"], evidence="Iran sent Shahed-136 drones to Russia.")])
        store.add(doc("c", "Russia is to deliver Su-35 jets to Iran, the agency reported.", published="2023-04-01"),
                  [claim(supplier="RUS", recipient="IRN", category="aircraft", status="planned", designation="Su-35",
                         evidence="Russia is to deliver Su-35 jets to Iran.")])
        yield store


def test_csv_export_follows_sipri_columns_and_reads_with_pandas(register, tmp_path):
    out = tmp_path / "facts.csv"
    assert export(register, "csv", out) == 3
    frame = pd.read_csv(out)
    assert tuple(frame.columns) == CSV_COLUMNS
    assert list(frame.columns[:3]) == ["Supplier", "Recipient", "Designation"]
    row = frame[frame["Designation"] == "Shahed-136"].iloc[0]
    assert (row["Supplier"], row["Recipient"], row["Armament category"], row["Status"]) == ("Iran", "Russia", "Aircraft", "Delivered")
    assert row["evidence_url"] == "https://wire.example/b" and row["Delivery year"] == 2023


def test_parquet_export_reads_with_duckdb(register, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "facts.parquet"
    export(register, "parquet", out, ClaimFilter(supplier="IRN"))
    rows = duckdb.sql(f"SELECT supplier, recipient, designation, statuses, n_sources FROM '{out}'").fetchall()
    assert rows == [("IRN", "RUS", "Shahed-136", ["delivered"], 1)]  # wire.example (U.S. officials: cited, not counted)
    # nested types, not JSON strings: the timeline, sources and evidence can be queried as they are
    [(status, claims, publisher, sentence)] = duckdb.sql(
        f"SELECT timeline[1].status, timeline[1].claims, sources[1], evidence[1].evidence FROM '{out}'").fetchall()
    assert (status, claims, publisher) == ("delivered", 1, "wire.example") and "Shahed-136" in sentence
    empty = tmp_path / "none.parquet"
    export(register, "parquet", empty, ClaimFilter(supplier="XXX"))
    assert duckdb.sql(f"SELECT count(*) FROM '{empty}'").fetchall() == [(0,)]
    assert "timeline" in [c[0] for c in duckdb.sql(f"DESCRIBE SELECT * FROM '{empty}'").fetchall()]


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_network_exports_read_with_networkx(register, tmp_path, fmt, reader):
    out = tmp_path / f"facts.{fmt}"
    export(register, fmt, out)
    g = reader(out)
    assert set(g.nodes) == {"NOR", "UKR", "IRN", "RUS"}
    assert g.nodes["IRN"]["label"] == "Iran"
    edges = {(u, v): d for u, v, d in g.edges(data=True)}
    assert edges[("IRN", "RUS")]["category"] == "drone"
    assert edges[("RUS", "IRN")]["status"] == "planned"
    assert g.number_of_edges() == 3


def test_jsonl_export_and_cli(register, tmp_path):
    out = tmp_path / "facts.jsonl"
    result = run_cli("export", "--db", register.url, "--format", "jsonl", "--out", out, "--category", "aircraft")
    assert result.returncode == 0, result.stderr.decode()
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["supplier"], r["designation"], r["statuses"]) for r in rows] == [("RUS", "Su-35", ["planned"])]
    assert rows[0]["evidence"][0]["evidence"] == "Russia is to deliver Su-35 jets to Iran."


def write_sipri(path, rows=SIPRI_ROWS):
    path.write_bytes((SIPRI_PREAMBLE + SIPRI_HEADER + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    return path


def test_sipri_register_rows_become_one_deal_each(tmp_path):
    deals = {d["id"]: d for d in read_register(write_sipri(tmp_path / "sipri.csv"))}
    assert set(deals) == {101, 102, 103}
    assert deals[101]["delivery_years"] == "2022;2023" and deals[101]["numbers_delivered"] == 22
    assert (deals[101]["supplier"], deals[101]["recipient"], deals[101]["category"]) == ("NOR", "UKR", "artillery")
    assert deals[102]["category"] == "drone"  # a one-way attack drone under SIPRI's Missiles
    assert deals[103]["category"] == "air_defense"


def test_sipri_diff_finds_news_only_and_corroborated(register, tmp_path):
    import_register(register, write_sipri(tmp_path / "sipri.csv"))
    entries = {(e.supplier, e.recipient, e.designation): e for e in diff(register)}
    assert entries[("NOR", "UKR", "M109")].kind == "corroborated" and entries[("NOR", "UKR", "M109")].sipri_ids == [101]
    assert entries[("IRN", "RUS", "Shahed-136")].kind == "corroborated"
    assert entries[("RUS", "IRN", "Su-35")].kind == "news-only"
    # a second import replaces the first
    import_register(register, write_sipri(tmp_path / "sipri2.csv", SIPRI_ROWS[:2]))
    entries = {(e.supplier, e.recipient, e.designation): e.kind for e in diff(register)}
    assert entries[("IRN", "RUS", "Shahed-136")] == "news-only"


def test_sipri_cli_on_the_shared_register(register):
    sipri_file = shared_path("gazetteers", "sipri_trade_register_2026", "trade_register.csv")
    imported = run_cli("sipri", "import", sipri_file, "--db", register.url)
    assert imported.returncode == 0, imported.stderr.decode()
    assert "12571 SIPRI deals imported" in imported.stderr.decode()
    result = run_cli("sipri", "diff", "--db", register.url, "--format", "jsonl")
    assert result.returncode == 0, result.stderr.decode()
    rows = {(r["supplier"], r["recipient"], r["designation"]): r for r in map(json.loads, result.stdout.splitlines())}
    assert rows[("IRN", "RUS", "Shahed-136")]["kind"] == "corroborated"
    assert rows[("RUS", "IRN", "Su-35")]["kind"] == "news-only"


def test_sipri_errors_are_clear(tmp_path, db_url):
    bad = tmp_path / "not-sipri.csv"
    bad.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SipriFormatError, match="not a SIPRI Trade Register export"):
        read_register(bad)
    result = run_cli("sipri", "import", bad, "--db", db_url)
    assert result.returncode == 1 and "not a SIPRI Trade Register export" in result.stderr.decode()
    result = run_cli("sipri", "diff", "--db", db_url)
    assert result.returncode == 1 and "sipri import FILE" in result.stderr.decode()


def test_designation_matching():
    assert designations_match("Su-35", "Su-35S")
    assert designations_match("HIMARS", "M142 HIMARS")
    assert not designations_match("F-16", "F-35")
    assert not designations_match(None, "F-35")


def test_sipri_diff_respects_time_and_status(db_url, tmp_path):
    """A 2010 report does not corroborate a 2022-23 deal; a report from before the export's
    years is outside SIPRI's period, not news-only; a halted fact is disputed, not corroborated."""
    rows = SIPRI_ROWS + ["104,France,Egypt,Rafale,FGA aircraft,Aircraft,2008,No,24,No,2015,No,New,80,80,1920,No;"]
    with Store(db_url) as store:
        store.add(doc("old", "Norway delivered M109 howitzers to Ukraine.", published="2010-05-01"),
                  [claim(designation="M109", status="delivered", evidence="Norway delivered M109 howitzers to Ukraine.")])
        store.add(doc("older", "Iran sent Shahed-136 drones to Russia.", published="1990-03-01"),
                  [claim(supplier="IRN", recipient="RUS", category="drone", status="delivered", designation="Shahed-136",
                         evidence="Iran sent Shahed-136 drones to Russia.")])
        store.add(doc("halt", "France halted the delivery of Rafale jets to Egypt.", published="2016-01-10"),
                  [claim(supplier="FRA", recipient="EGY", category="aircraft", status="halted", designation="Rafale",
                         evidence="France halted the delivery of Rafale jets to Egypt.")])
        store.add(doc("near", "Germany delivered IRIS-T systems to Ukraine.", published="2024-06-01"),
                  [claim(supplier="DEU", recipient="UKR", category="air_defense", status="delivered",
                         designation="IRIS-T", evidence="Germany delivered IRIS-T systems to Ukraine.")])
        import_register(store, write_sipri(tmp_path / "sipri.csv", rows))
        kinds = {e.supplier: e.kind for e in diff(store)}
    assert kinds["NOR"] == "news-only", "a 2010 report is 12 years from the deal"
    assert kinds["IRN"] == "outside-sipri-period", "the SIPRI export starts in 2008"
    assert kinds["FRA"] == "disputed", "a halt is not a delivery"
    assert kinds["DEU"] == "corroborated", "2024 is within a year of 2023"


def test_machine_formats_are_never_cut(register, tmp_path):
    long_sentence = "Iran sent Shahed-136 drones to Russia " + "and many more words " * 30 + "in the end."
    register.add(doc("long", long_sentence, published="2023-05-01"),
                 [claim(supplier="IRN", recipient="RUS", category="drone", status="delivered", designation="Shahed-136",
                        evidence=long_sentence)])
    import_register(register, write_sipri(tmp_path / "sipri.csv"))
    for fmt in ("csv", "table", "jsonl"):
        out = run_cli("sipri", "diff", "--db", register.url, "--format", fmt, env={"COLUMNS": ""})
        assert out.returncode == 0, out.stderr
        assert long_sentence in out.stdout.decode(), fmt
