"""A JSON field of the wrong type is refused by name (file, line, field), never coerced: the
document is read without it."""

from __future__ import annotations

import json

import pytest

from armstrace.ingest import Reader

from .conftest import run_cli

RECORDS = [
    {"id": "number-date", "text": "The council met on Monday.", "date": 20230101},
    {"id": ["x", "y"], "title": {"text": "Budget"}, "text": "The council passed the budget.", "date": "2023-01-02",
     "url": 5, "publisher": ["Example Ledger"]},
    {"id": 7, "text": "The harbour reopened.", "date": 1672531200},  # seconds since 1970
    {"id": "millis", "text": "The quay was finished.", "date": 1672531200000},  # milliseconds
    {"id": "word-date", "text": "The mayor spoke.", "date": "soon"},
    {"id": "object-date", "text": "The bridge was closed.", "date": {"year": 2023}},
    {"id": "bool-title", "title": True, "text": "Grain prices fell."},
]


@pytest.fixture
def records(tmp_path):
    path = tmp_path / "typed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return path


def test_wrong_types_are_refused_by_name_and_the_documents_read_without_them(records):
    reader = Reader()
    docs = {d.id: d for d in reader.read([str(records)])}
    notes = [str(n) for n in reader.notices]
    assert not reader.problems
    assert docs["number-date"].published is None  # not 1970-08-23
    assert any(f"{records}:1: document number-date: field 'date': the number 20230101 is not a date" in n
               and '"2023-01-01"' in n for n in notes), notes
    second = docs[f"{records}:2"]  # the list id is refused: the file and line name it
    assert second.title is None and second.url is None and second.publisher is None
    assert second.published == "2023-01-02"
    for field, kind in (("id", "an array"), ("title", "an object"), ("url", "a number"), ("publisher", "an array")):
        assert any(n.startswith(f"{records}:2: ") and f"field {field!r} is {kind}" in n for n in notes), (field, notes)
    assert docs["7"].published == "2023-01-01" and docs["millis"].published == "2023-01-01"
    assert docs["word-date"].published is None and any(":5: " in n and "'soon' is not a date" in n for n in notes)
    assert docs["object-date"].published is None and any(":6: " in n and "an object, not a date" in n for n in notes)
    assert docs["bool-title"].title is None and any(":7: " in n and "field 'title' is a boolean" in n for n in notes)
    assert len(notes) == 8, notes


def test_a_json_array_names_the_item(tmp_path):
    path = tmp_path / "articles.json"
    path.write_text(json.dumps([{"text": "The port reopened.", "date": 20230101},
                                {"text": "The bridge closed.", "title": ["a"]}]), encoding="utf-8")
    reader = Reader()
    docs = list(reader.read([str(path)]))
    assert [d.published for d in docs] == [None, None] and docs[1].title is None
    notes = [str(n) for n in reader.notices]
    assert any(n.startswith(f"{path}: item 0: ") and "20230101" in n for n in notes), notes
    assert any(n.startswith(f"{path}: item 1: ") and "field 'title' is an array" in n for n in notes), notes


def test_the_command_stores_no_coerced_value(records, tmp_path):
    db = tmp_path / "r.db"
    result = run_cli("ingest", str(records), "--db", str(db), "-q")
    err = result.stderr.decode()
    assert result.returncode == 0, err  # notes, nothing skipped
    assert "field 'date': the number 20230101 is not a date" in err
    listing = run_cli("docs", str(records), "--format", "jsonl")
    stored = [json.loads(line) for line in listing.stdout.decode().splitlines()]
    assert "1970-08-23" not in listing.stdout.decode()
    assert not any(str(d["title"]).startswith("{") or str(d["id"]).startswith("[") for d in stored)
