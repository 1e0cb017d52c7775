"""The real `armstrace` command: docs output, formats, exit codes, help."""

from __future__ import annotations

import csv
import io
import json

import pytest

from .conftest import ROOT, run_cli, shared_path

ARTICLE = "Canada has delivered armoured vehicles to Ukraine, the minister said.\n\nMore are expected."


def test_docs_on_the_seed_shows_the_clean_article():
    seed = shared_path("corpus", "seed", "000_2171e49c34a76868.txt")
    result = run_cli("docs", seed)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    body = out.split("-- removed")[0]
    assert "title:           Iran prepares to transfer ballistic missiles to Russia — report" in out
    assert "syndicated from: The New Voice of Ukraine" in out
    for gone in ("SIGN UP", "Read also", "Sergey Shoigu in Iran, September 20", "Patron", "Read the original"):
        assert gone not in body
    assert out.count("related_link") == 3 and out.count("caption") == 2


def test_docs_jsonl_carries_every_field():
    seed = shared_path("corpus", "seed", "000_2171e49c34a76868.txt")
    record = json.loads(run_cli("docs", seed, "--format", "jsonl").stdout)
    assert record["syndicated_from"] == "The New Voice of Ukraine"
    assert {"id", "url", "title", "text", "published", "publisher", "language", "removed",
            "source_path", "content_hash"} <= set(record)
    assert {span["kind"] for span in record["removed"]} == {"newsletter", "caption", "related_link", "donation", "syndication"}
    assert "raw" not in record
    assert "raw" in json.loads(run_cli("docs", seed, "--format", "jsonl", "--raw").stdout)


def test_docs_reads_every_pool_document():
    pool = shared_path("corpus", "pool", "docs.jsonl")
    result = run_cli("docs", pool, "--format", "jsonl")
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    ids = [json.loads(line)["id"] for line in result.stdout.decode().splitlines()]
    assert len(ids) == 544 and len(set(ids)) == 544


def test_docs_from_stdin_sniffs_the_format():
    lines = json.dumps({"id": "s1", "title": "A title", "text": ARTICLE}) + "\n"
    result = run_cli("docs", "-", "--format", "jsonl", input=lines.encode())
    assert result.returncode == 0
    assert json.loads(result.stdout)["id"] == "s1"
    result = run_cli("docs", "-", "--format", "jsonl", input=ARTICLE.encode())
    assert json.loads(result.stdout)["text"] == ARTICLE


def test_table_and_csv_formats(tmp_path):
    (tmp_path / "a.txt").write_text(f"Canada sends vehicles\n\n{ARTICLE}", encoding="utf-8")
    table = run_cli("docs", tmp_path, "--format", "table", env={"COLUMNS": "250"}).stdout.decode()
    assert table.splitlines()[0].split()[:4] == ["id", "published", "publisher", "title"]
    assert "Canada sends vehicles" in table
    narrow = run_cli("docs", tmp_path, "--format", "table", env={"COLUMNS": "80"}).stdout.decode()
    assert max(len(line) for line in narrow.splitlines()) <= 80 and "…" in narrow  # the other columns cut
    piped = run_cli("docs", tmp_path, "--format", "table", env={"COLUMNS": ""}).stdout.decode()
    assert "…" not in piped, "a table written to a file or pipe is never cut"
    rows = list(csv.DictReader(io.StringIO(run_cli("docs", tmp_path, "--format", "csv").stdout.decode())))
    assert rows[0]["title"] == "Canada sends vehicles" and rows[0]["chars"] == str(len(f"Canada sends vehicles\n\n{ARTICLE}"))


def test_exit_codes_say_what_was_skipped(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "fine"}\n{"id": broken\n', encoding="utf-8")
    ok = run_cli("docs", good, "--format", "jsonl")
    assert ok.returncode == 0 and ok.stderr == b""
    partial = run_cli("docs", good, bad, "--format", "jsonl")
    assert partial.returncode == 1
    assert len(partial.stdout.decode().splitlines()) == 2
    assert f"{bad}:2: not valid JSON" in partial.stderr.decode()
    nothing = run_cli("docs", tmp_path / "missing.txt")
    assert nothing.returncode == 3
    assert "missing.txt: no such file or directory" in nothing.stderr.decode()
    usage = run_cli("docs", good, "--format", "yaml")
    assert usage.returncode == 2
    usage = run_cli("docs", good, "--field", "nonsense")
    assert usage.returncode == 2 and "FIELD=KEY" in usage.stderr.decode()


@pytest.mark.parametrize("command", [[], ["docs"], ["extract"], ["eval"]])
def test_every_command_has_help(command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    assert "Usage: " in result.stdout.decode()


def test_examples_are_all_read():
    result = run_cli("docs", ROOT / "examples", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    docs = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(docs) == 8
    assert not any(d["source_path"].endswith("README.md") for d in docs)


def test_a_narrow_terminal_wraps_the_evidence_and_never_cuts_it():
    from armstrace.output import render_table

    evidence = ("Norway will donate eight M109 howitzers and a great many artillery shells to Ukraine "
                "before the end of the year, the defence minister said in Oslo on Tuesday.")
    rows = [{"id": 1, "supplier": "NOR", "recipient": "UKR", "status": "planned", "evidence": evidence}]
    for width, columns in ((80, ("id", "supplier", "recipient", "status", "evidence")),
                           (60, ("id", "supplier", "recipient", "status", "category", "designation", "item",
                                 "attribution", "publisher", "evidence"))):
        table = render_table(rows, columns, width)
        assert max(len(line) for line in table.splitlines()) <= width, table
        assert " ".join(table.split()).count(evidence) == 1, table  # every word, in order
    assert render_table(rows, ("id", "evidence")).splitlines()[2].endswith(evidence)  # no width: one line


def test_a_fact_listing_keeps_each_evidence_sentence_on_one_line(tmp_path):
    """Wire copy breaks lines inside sentences; the fact listing used to print them broken,
    and named the category twice ("unspecified (unspecified)")."""
    text = ("Norway has delivered a large number of assault rifles to\nUkraine in recent weeks, the defence ministry\n"
            "in Oslo said on Tuesday.\n\nPeru sent rifles to Bolivia.")
    docs = tmp_path / "wire.jsonl"
    docs.write_text(json.dumps({"id": "w1", "text": text, "date": "2024-03-01"}) + "\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'r.db'}"
    assert run_cli("ingest", docs, "--db", db, "-q").returncode == 0
    listing = run_cli("facts", "--db", db).stdout.decode()
    evidence = [line for line in listing.splitlines() if line.startswith("    - ")]
    assert any("Norway has delivered a large number of assault rifles to Ukraine in recent weeks, the defence "
               "ministry in Oslo said on Tuesday." in line for line in evidence), listing
    # each evidence line is one whole sentence of the two (never a piece of a broken one)
    sentences = ("Norway has delivered a large number of assault rifles to Ukraine in recent weeks, the defence "
                 "ministry in Oslo said on Tuesday.", "Peru sent rifles to Bolivia.")
    assert evidence and all(any(sentence in line for sentence in sentences) for line in evidence), listing
    assert "small_arms (small_arms)" not in listing and "small_arms" in listing, listing
