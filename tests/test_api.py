"""The HTTP API against a real SQLite database built by ingesting articles written here."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from armstrace.api import create_app
from armstrace.extract.pipeline import RULES
from armstrace.pipeline import ingest
from armstrace.store import Store

ARTICLES = {
    "iran.txt": (
        "Iran sends drones to Russia\n\n"
        "Iran has supplied Shahed-136 drones to Russia, U.S. officials said on Monday.\n\n"
        "Russia is also preparing to deliver Su-35 fighter jets to Iran, according to the officials."
    ),
    "norway.txt": (
        "Norway to give howitzers\n\n"
        "Norway will donate eight M109 howitzers to Ukraine, the defence minister said."
    ),
    "wire.jsonl": (
        '{"id": "wire-1", "title": "Poland receives tanks", "date": "2024-03-05", '
        '"text": "Poland has received K2 tanks from South Korea, the defence ministry said."}\n'
    ),
    "hostile.txt": (
        "A page with markup in it\n\n"
        "Germany delivered <script>window.__pwned=1</script> IRIS-T air defence systems to Ukraine, the ministry said."
    ),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("articles")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    store = Store(f"sqlite:///{folder / 'register.db'}")
    # the rules' claims, pinned: these tests are about the API, not about what the shipped
    # model (retrained as labels grow) accepts from these few sentences
    summary = ingest([str(folder)], store, model=RULES)
    assert summary.claims > 0
    with TestClient(create_app(store=store, token="s3cret")) as test_client:
        yield test_client


def test_facts_filter_and_paginate(client):
    body = client.get("/api/facts", params={"supplier": "IRN"}).json()
    assert body["items"] and all(f["supplier"] == "IRN" for f in body["items"])
    fact = body["items"][0]
    assert fact["supplier_name"] == "Iran" and fact["recipient"] == "RUS" and fact["category"] == "drone"
    evidence = [e for f in body["items"] for e in f["evidence"]]
    [supplied] = [e for e in evidence if e["evidence"].startswith("Iran has supplied Shahed-136 drones to Russia")]
    assert supplied["status"] == "delivered" and supplied["attribution"] == ["U.S. officials"]
    assert supplied["document_id"] >= 1 and supplied["publisher"] is None
    everything = client.get("/api/facts").json()["items"]
    page = client.get("/api/facts", params={"limit": 1, "offset": 1}).json()
    assert len(everything) >= 3 and page["items"][0]["id"] == everything[1]["id"]
    one = client.get(f"/api/facts/{fact['id']}").json()
    assert one["id"] == fact["id"] and one["evidence"]
    # names, demonyms and capitals work as well as codes
    for name in ("Iran", "iranian", "Tehran", "irn"):
        assert client.get("/api/facts", params={"supplier": name}).json()["items"] == body["items"], name


def test_claims_and_document_view(client):
    claims = client.get("/api/claims", params={"recipient": "UKR"}).json()["items"]
    assert {c["supplier"] for c in claims} >= {"NOR"}
    doc = client.get(f"/api/documents/{claims[0]['document_id']}").json()
    assert doc["text"] and doc["claims"] and all(c["document_id"] == doc["id"] for c in doc["claims"])


def test_article_markup_comes_back_as_data_not_markup(client):
    claims = client.get("/api/claims", params={"text": "script"}).json()["items"]
    assert claims and "<script>" in claims[0]["evidence"]
    # JSON is not HTML: the browser UI renders it as text (see test_browser.py)
    response = client.get(f"/api/documents/{claims[0]['document_id']}")
    assert response.headers["content-type"].startswith("application/json")


def test_graph_timeline_stats_lookup(client):
    graph = client.get("/api/graph").json()
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert nodes["IRN"]["label"] == "Iran" and nodes["IRN"]["lat"] is not None and nodes["IRN"]["kind"] == "state"
    assert any(e["source"] == "IRN" and e["target"] == "RUS" and e["delivered"] for e in graph["edges"])
    assert any(e["source"] == "RUS" and e["target"] == "IRN" and not e["delivered"] for e in graph["edges"])
    timeline = client.get("/api/timeline").json()
    assert timeline["undated"] == sum(1 for c in client.get("/api/claims").json()["items"] if not c["date"])
    assert timeline["months"] and all(set(row) == {"month", "status", "claims"} for row in timeline["months"])
    assert {row["month"] for row in timeline["months"]} == {"2024-03"}
    both = client.get("/api/timeline", params={"by": "both"}).json()
    assert both["months"] and all(set(row) == {"month", "status", "category", "claims"} for row in both["months"])
    assert client.get("/api/timeline", params={"by": "colour"}).status_code == 422
    stats = client.get("/api/stats").json()
    assert stats["documents"] == 4 and stats["claims"] >= 3 and stats["by_category"]
    assert client.get("/api/lookup/actors", params={"q": "iran"}).json()[0]["code"] == "IRN"
    assert "ira" in [a["code"] for a in client.get("/api/lookup/actors", params={"q": "ira"}).json()]
    assert any(d["designation"].startswith("Su-35") for d in client.get("/api/lookup/designations", params={"q": "su-3"}).json())


def test_csv_download(client):
    response = client.get("/api/export.csv", params={"supplier": "NOR"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert response.headers["content-type"].startswith("text/csv")
    assert rows and rows[0]["Supplier"] == "Norway"


@pytest.mark.parametrize("url", [
    "/api/facts?status=shipped", "/api/facts?category=tanks", "/api/facts?since=yesterday",
    "/api/facts?limit=-1", "/api/facts?limit=100000", "/api/claims?offset=abc", "/api/facts?min_sources=x",
    "/api/facts/999999", "/api/documents/999999", "/api/documents/abc", "/api/lookup/actors",
    "/api/timeline?until=2024-13-99x",
])
def test_invalid_parameters_are_4xx_with_a_message(client, url):
    response = client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code, response.text)
    assert response.json()["detail"]


def test_upload_needs_the_token_and_respects_the_limit(client):
    text = "Japan has delivered patrol boats to the Philippines, the embassy said."
    assert client.post("/api/documents", content=text, headers={"content-type": "text/plain"}).status_code == 401
    wrong = client.post("/api/documents", content=text, headers={"authorization": "Bearer nope", "content-type": "text/plain"})
    assert wrong.status_code == 401
    ok = client.post("/api/documents", content=text,
                     headers={"authorization": "Bearer s3cret", "content-type": "text/plain", "x-document-id": "up-1"})
    assert ok.status_code == 201, ok.text
    assert ok.json()["documents"] == {"new": 1}
    assert client.get("/api/claims", params={"supplier": "JPN"}).json()["items"]
    huge = client.post("/api/documents", content=b"x" * (5 * 1024 * 1024 + 1),
                       headers={"authorization": "Bearer s3cret", "content-type": "text/plain"})
    assert huge.status_code == 413
    odd = client.post("/api/documents", content=b"\x00\x01", headers={"authorization": "Bearer s3cret", "content-type": "image/png"})
    assert odd.status_code == 415


def test_read_only_without_a_token(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(store=store)) as plain:
        response = plain.post("/api/documents", content="text", headers={"content-type": "text/plain"})
        assert response.status_code == 401 and "users add" in response.json()["detail"]
        assert plain.get("/api/facts").json()["items"] == []
        assert plain.get("/docs").status_code == 200
        headers = plain.get("/api/facts").headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert plain.get("/openapi.json").json()["info"]["title"] == "armstrace"
