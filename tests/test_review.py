"""Analyst review on a real SQLite file and a real PostgreSQL server: accept, reject, correct
and add claims; reviews win in facts, exports and the API, survive re-ingesting and
re-extracting, and only reviewers with a token may write. Corroboration counts independent
reports. The articles are written here."""

from __future__ import annotations

import csv
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from armstrace.api import create_app
from armstrace.export import export
from armstrace.extract.pipeline import RULES
from armstrace.pipeline import ingest
from armstrace.store import ClaimFilter, ReviewError, Store
from armstrace.store.schema import ReviewRow

from .conftest import SEED, run_cli, shared_path

ARTICLES = [
    {"id": "drones", "title": "Drones for Russia", "date": "2023-05-14", "publisher": "Example News",
     "url": "https://news.example.org/drones",
     "text": "Iran has supplied Shahed-136 drones to Russia, U.S. officials said on Monday.\n\n"
             "Russia is also preparing to deliver Su-35 fighter jets to Iran, according to the officials."},
    {"id": "howitzers", "title": "Howitzers for Ukraine", "date": "2024-02-20", "publisher": "Nordic Daily",
     "text": "Norway will donate eight M109 howitzers to Ukraine, the defence minister said."},
]


def write_articles(folder, articles=ARTICLES, name="articles.jsonl"):
    path = folder / name
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path


@pytest.fixture
def register(db_url, tmp_path):
    """A register of the articles (the rules' claims, pinned) and the input file."""
    path = write_articles(tmp_path)
    store = Store(db_url)
    ingest([str(path)], store, model=RULES)
    yield store, path
    store.close()


def claim_of(store, **kw):
    [found] = store.claims(ClaimFilter(review="any", **kw))
    return found


def test_reject_correct_accept_and_the_facts_follow(register, tmp_path):
    store, _ = register
    drones = claim_of(store, supplier="IRN")
    jets = claim_of(store, supplier="RUS")
    howitzers = claim_of(store, supplier="NOR")
    assert (drones.review, jets.status) == (None, "planned")

    [(rejected, log)] = store.review([drones.id], "reject", reviewer="alice", note="not a transfer")
    assert rejected.review == "rejected" and rejected.reviewer == "alice" and log["action"] == "reject"
    # the rejected claim leaves its fact (its only claim: the fact is gone), every list and export
    assert store.facts(supplier="IRN") == []
    assert [c.id for c in store.claims()] == [jets.id, howitzers.id]
    assert [c.id for c in store.claims(review="rejected")] == [drones.id]
    out = tmp_path / "facts.csv"
    export(store, "csv", out)
    assert {row["supplier_code"] for row in csv.DictReader(out.open(encoding="utf-8"))} == {"RUS", "NOR"}

    [(corrected, _)] = store.review([jets.id], "correct", {"status": "delivered", "recipient": "Syria"}, reviewer="bob")
    assert (corrected.status, corrected.recipient, corrected.review) == ("delivered", "SYR", "corrected")
    assert corrected.machine["status"] == "planned" and corrected.machine["recipient"] == "IRN"
    assert corrected.spans["recipient"] is None, "the mention of Iran is no longer the recipient"
    [fact] = store.facts(supplier="RUS")
    assert (fact.recipient, fact.status, fact.n_reviewed, fact.id) == ("SYR", "delivered", 1, corrected.fact_id)
    assert store.facts(recipient="IRN") == []

    store.review([howitzers.id], "accept", reviewer="alice")
    assert [f.supplier for f in store.facts(review="accepted")] == ["NOR"]
    assert [f.supplier for f in store.facts(review="corrected")] == ["RUS"]
    assert store.facts(review="unreviewed") == []
    assert [c.review for c in store.claims(review="any")] == ["rejected", "corrected", "accepted"]
    # a confirmed claim is sure: the fact's confidence no longer rests on the extractor's guess
    assert store.facts(supplier="NOR")[0].confidence == pytest.approx(0.99)

    # the audit log keeps every decision, newest first, by both reviewers
    log = store.reviews()
    assert [(r["action"], r["reviewer"]) for r in log] == [("accept", "alice"), ("correct", "bob"), ("reject", "alice")]
    assert store.reviews(claim_id=jets.id)[0]["values"] == {"status": "delivered", "recipient": "SYR"}


def test_bad_reviews_say_what_is_wrong_and_change_nothing(register):
    store, _ = register
    jets = claim_of(store, supplier="RUS")
    for values, message in [({"status": "shipped"}, "status"), ({"colour": "red"}, "cannot set colour"),
                            ({"supplier": "Atlantis"}, "no actor"), ({"time": "last week"}, "ISO date")]:
        with pytest.raises(ReviewError, match=message):
            store.review([jets.id], "correct", values, reviewer="alice")
    with pytest.raises(ReviewError, match="no claim 999"):
        store.review([jets.id, 999], "accept", reviewer="alice")  # all or nothing
    with pytest.raises(ReviewError, match="name"):
        store.review([jets.id], "accept", reviewer="  ")
    with store.Session() as session:
        assert session.scalar(select(func.count()).select_from(ReviewRow)) == 0
    assert claim_of(store, supplier="RUS").review is None


def test_reviews_survive_reingesting_and_reextracting(register, tmp_path):
    store, path = register
    drones, jets = claim_of(store, supplier="IRN"), claim_of(store, supplier="RUS")
    store.review([drones.id], "reject", reviewer="alice")
    store.review([jets.id], "correct", {"status": "agreed"}, reviewer="alice")
    doc_id = drones.document_id
    start = drones.end + 2  # the second sentence of the text
    added, _ = store.add_claim(doc_id, jets.start, jets.end, {"supplier": "RUS", "recipient": "IRN",
                               "category": "electronics", "status": "planned"}, reviewer="bob", note="radars too")
    assert added.review == "added" and added.rule == "analyst" and added.evidence == jets.evidence
    assert start <= jets.start

    def state():
        return sorted((c.supplier, c.recipient, c.category, c.status, c.review, c.reviewer)
                      for c in store.claims(review="any"))

    def facts():
        return sorted((f.supplier, f.recipient, f.category, f.status, f.n_claims, f.n_reviewed) for f in store.facts())

    before, facts_before = state(), facts()
    assert ingest([str(path)], store, model=RULES).outcomes["unchanged"] == 2
    assert (state(), facts()) == (before, facts_before)
    # extracted again (a new model, say): new claim rows, the same reviews
    summary = ingest([str(path)], store, model=RULES, reextract=True)
    assert summary.outcomes["updated"] == 2
    assert (state(), facts()) == (before, facts_before)
    # the same story stored again under another key (a copy): the reviews apply to it too
    copy = write_articles(tmp_path, [dict(ARTICLES[0], id="drones-copy", publisher="Mirror")], "copy.jsonl")
    ingest([str(copy)], store, model=RULES)
    copies = [c for c in store.claims(review="any") if c.doc == "drones-copy"]
    assert sorted(c.review for c in copies) == ["added", "corrected", "rejected"]
    assert len(store.reviews()) == 3, "re-ingesting writes no reviews"


def test_a_retried_write_is_stored_once(register):
    """A write sent again with its request id (an HTTP client's Idempotency-Key, after the
    answer was lost) writes nothing more and answers as the first time; the id on another
    write is refused and changes nothing; ids are each reviewer's own."""
    store, _path = register
    jets, howitzers = claim_of(store, supplier="RUS"), claim_of(store, supplier="NOR")
    first = store.review([jets.id], "correct", {"status": "delivered"}, reviewer="alice", note="seen", request_id="r-1")
    again = store.review([jets.id], "correct", {"status": "delivered"}, reviewer="alice", note="seen", request_id="r-1")
    assert again == first and first[0][1]["request_id"] == "r-1"
    assert len(store.reviews()) == 1 and claim_of(store, supplier="RUS").status == "delivered"
    for other in ({"action": "correct", "values": {"status": "agreed"}}, {"action": "accept"},
                  {"action": "correct", "values": {"status": "delivered"}, "note": "other note"},
                  {"action": "correct", "values": {"status": "delivered"}, "ids": [howitzers.id]}):
        with pytest.raises(ReviewError, match="request id 'r-1' was used for another write"):
            store.review(other.get("ids", [jets.id]), other["action"], other.get("values"), reviewer="alice",
                         note=other.get("note", "seen"), request_id="r-1")
    assert len(store.reviews()) == 1 and claim_of(store, supplier="RUS").status == "delivered"
    # another reviewer's key of the same text is theirs
    bob = store.review([howitzers.id], "reject", reviewer="bob", request_id="r-1")
    assert bob[0][1]["reviewer"] == "bob" and len(store.reviews()) == 2
    # several claims in one request: all or nothing, answered in the order asked
    both = store.review([howitzers.id, jets.id], "accept", reviewer="carol", request_id="r-2")
    assert store.review([howitzers.id, jets.id], "accept", reviewer="carol", request_id="r-2") == both
    assert [c.id for c, _ in both] == [howitzers.id, jets.id] and len(store.reviews()) == 4

    span = (howitzers.document_id, howitzers.start, howitzers.end)
    values = {"supplier": "Norway", "recipient": "Ukraine", "category": "artillery", "status": "agreed"}
    added = store.add_claim(*span, values, reviewer="alice", request_id="a-1")
    assert store.add_claim(*span, values, reviewer="alice", request_id="a-1") == added
    assert [c.review for c in store.claims(ClaimFilter(review="added"))] == ["added"] and len(store.reviews()) == 5
    with pytest.raises(ReviewError, match="used for another write"):
        store.add_claim(*span, {**values, "status": "delivered"}, reviewer="alice", request_id="a-1")
    with pytest.raises(ReviewError, match="used for another write"):  # a review's id on an added claim
        store.add_claim(*span, values, reviewer="alice", request_id="r-1")
    for bad in ("", "two words", "x" * 201, "caf\u00e9"):
        with pytest.raises(ReviewError, match="request id"):
            store.review([jets.id], "accept", reviewer="alice", request_id=bad)
    assert len(store.reviews()) == 5 and len(store.claims(ClaimFilter(review="added"))) == 1


def test_added_claim_needs_a_real_span_and_fields(register):
    store, _ = register
    doc_id = claim_of(store, supplier="NOR").document_id
    with pytest.raises(ReviewError, match="needs category"):
        store.add_claim(doc_id, 0, 10, {"status": "delivered"}, reviewer="alice")
    with pytest.raises(ReviewError, match="not a span"):
        store.add_claim(doc_id, 5, 100_000, {"category": "artillery", "status": "delivered"}, reviewer="alice")
    with pytest.raises(ReviewError, match="no document"):
        store.add_claim(9999, 0, 5, {"category": "artillery", "status": "delivered"}, reviewer="alice")


def test_queue_puts_unsure_claims_of_thin_facts_first(db_url, tmp_path):
    sentences = ["Norway will donate eight M109 howitzers to Ukraine, the defence minister said.",
                 "Oslo is sending M109 howitzers to the Ukrainian army, officials told reporters in Kyiv on Friday.",
                 "Ukraine will receive M109 self-propelled howitzers from Norway this spring, a Norwegian spokesman said."]
    articles = [{"id": f"wire-{n}", "publisher": f"Outlet {n}", "title": f"Report {n}", "text": text}
                for n, text in enumerate(sentences)] + ARTICLES[:1]
    path = write_articles(tmp_path, articles)
    with Store(db_url) as store:
        ingest([str(path)], store, model=RULES)
        items, total = store.queue()
        assert total == len(store.claims()) == 5
        order = [(i["fact_n_sources"], i["confidence"]) for i in items]
        assert order == sorted(order), order
        assert items[-1]["supplier"] == "NOR" and items[-1]["fact_n_sources"] == 3
        store.review([items[0]["id"]], "accept", reviewer="alice")
        assert store.queue()[1] == 4 and store.queue()[0][0]["id"] != items[0]["id"]


def test_independent_reports_not_cited_names(db_url, tmp_path):
    """One article naming three sources is one report; a syndicated copy adds nothing; an
    unrelated article from another publisher makes two."""
    text = " ".join(["Iran has delivered ballistic missiles to Russia, U.S. officials said.",
                     "The Wall Street Journal first reported the shipment, citing Ukrainian intelligence.",
                     "Iran has sent more missiles to Russia since then, according to the Institute for the Study of War."])
    original = {"id": "original", "title": "Missiles", "publisher": "Example Ledger", "text": text}
    copy = {"id": "reprint", "title": "Missiles", "publisher": "Example Mirror", "syndicated_from": "Example Ledger",
            "text": text + " Reprinted with permission."}
    other = {"id": "other", "title": "A second report", "publisher": "Daily Planet",
             "text": "Russia has received Iranian ballistic missiles, the newspaper's correspondent reported."}
    with Store(db_url) as store:
        ingest([str(write_articles(tmp_path, [original], "a.jsonl"))], store, model=RULES)
        [fact] = store.facts(supplier="IRN", recipient="RUS")
        assert fact.n_sources == 1 and fact.sources == ["Example Ledger"]
        assert "U.S. officials" in fact.cited, fact.cited  # shown with the fact, not counted
        ingest([str(write_articles(tmp_path, [copy], "b.jsonl"))], store, model=RULES)
        [fact] = store.facts(supplier="IRN", recipient="RUS")
        assert fact.n_sources == 1 and fact.n_claims == 2
        confidence = fact.confidence
        ingest([str(write_articles(tmp_path, [other], "c.jsonl"))], store, model=RULES)
        [fact] = store.facts(supplier="IRN", recipient="RUS")
        assert fact.n_sources == 2 and fact.sources == ["Daily Planet", "Example Ledger"]
        assert fact.confidence > confidence, "confidence grows with independent reports"
        assert store.facts(min_sources=2) == [fact] or [f.id for f in store.facts(min_sources=2)] == [fact.id]


def test_the_seed_gives_each_fact_one_independent_source(tmp_path):
    seed_text = shared_path("corpus", "seed", "000_2171e49c34a76868.txt").read_text(encoding="utf-8")
    with Store(f"sqlite:///{tmp_path / 'seed.db'}") as store:
        ingest([str(SEED)], store)
        facts = store.facts()
        assert facts and all(f.n_sources == 1 for f in facts), [(f.id, f.n_sources) for f in facts]
        missiles = [f for f in facts if (f.supplier, f.recipient, f.category, f.designation) == ("IRN", "RUS", "missile", None)]
        assert missiles and missiles[0].n_sources == 1
        # a syndicated copy of the seed: still one
        copy = {"id": "seed-reprint", "publisher": "Reprints Inc", "text": seed_text}
        ingest([str(write_articles(tmp_path, [copy], "copy.jsonl"))], store)
        assert all(f.n_sources == 1 for f in store.facts())
        # plus an unrelated article reporting the same transfer: two
        other = {"id": "other", "title": "Missiles for Moscow", "publisher": "Daily Planet",
                 "text": "Iran has sent ballistic missiles to Russia, the correspondent reported."}
        ingest([str(write_articles(tmp_path, [other], "other.jsonl"))], store)
        [missiles] = [f for f in store.facts(supplier="IRN", recipient="RUS", category="missile") if f.designation is None]
        assert missiles.n_sources == 2


# -- through the API: who may write --------------------------------------------------------

@pytest.fixture
def api(register):
    store, _ = register
    tokens = {name: store.add_user(name) for name in ("alice", "bob")}
    with TestClient(create_app(store=store, token="anon-token")) as client:
        yield client, store, tokens


def bearer(token):
    return {"authorization": f"Bearer {token}"}


def test_writes_need_a_valid_token_and_change_nothing_without(api):
    client, store, tokens = api
    jets = claim_of(store, supplier="RUS")
    body = {"action": "reject", "note": "no"}
    for headers in ({}, bearer("wrong"), {"authorization": tokens["alice"]}, bearer("")):
        response = client.post(f"/api/claims/{jets.id}/review", json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert "token" in response.json()["detail"]
        add = client.post(f"/api/documents/{jets.document_id}/claims", headers=headers,
                          json={"start": 0, "end": 10, "set": {"category": "drone", "status": "delivered"}})
        assert add.status_code == 401
        assert client.get("/api/whoami", headers=headers).status_code == 401
    assert store.reviews() == [] and claim_of(store, supplier="RUS").review is None
    assert client.get("/api/whoami", headers=bearer(tokens["bob"])).json() == {"reviewer": "bob"}
    assert client.get("/api/whoami", headers=bearer("anon-token")).json() == {"reviewer": "anonymous"}


def test_two_reviewers_through_the_api_both_in_the_log(api):
    client, store, tokens = api
    jets, howitzers = claim_of(store, supplier="RUS"), claim_of(store, supplier="NOR")
    # the reviewer comes from the token, never from the body
    spoofed = client.post(f"/api/claims/{jets.id}/review", headers=bearer(tokens["alice"]),
                          json={"action": "correct", "set": {"status": "delivered"}, "reviewer": "mallory"})
    assert spoofed.status_code == 422 and "reviewer" in spoofed.json()["detail"] and store.reviews() == []
    first = client.post(f"/api/claims/{jets.id}/review", headers=bearer(tokens["alice"]),
                        json={"action": "correct", "set": {"status": "delivered"}})
    assert first.status_code == 200, first.text
    assert first.json()["claim"]["status"] == "delivered" and first.json()["review"]["reviewer"] == "alice"
    second = client.post(f"/api/claims/{howitzers.id}/review", headers=bearer(tokens["bob"]),
                         json={"action": "reject", "note": "<img src=x onerror=alert(1)>"})
    assert second.status_code == 200
    log = client.get("/api/reviews").json()["items"]
    assert [(r["reviewer"], r["action"]) for r in log] == [("bob", "reject"), ("alice", "correct")]
    assert log[0]["note"] == "<img src=x onerror=alert(1)>"
    assert [f["supplier"] for f in client.get("/api/facts").json()["items"]] == ["IRN", "RUS"]
    assert [f["supplier"] for f in client.get("/api/facts", params={"review": "corrected"}).json()["items"]] == ["RUS"]
    edges = client.get("/api/graph").json()["edges"]
    assert {(e["source"], e["status"], e["n_reviewed"]) for e in edges} == {("IRN", "delivered", 0), ("RUS", "delivered", 1)}
    queue = client.get("/api/review/queue").json()
    assert queue["total"] == 1 and queue["items"][0]["supplier"] == "IRN"
    assert client.get("/api/claims", params={"review": "nonsense"}).status_code == 422
    bad = client.post(f"/api/claims/{jets.id}/review", headers=bearer(tokens["alice"]),
                      json={"action": "correct", "set": {"category": "spaceship"}})
    assert bad.status_code == 422 and "category" in bad.json()["detail"]
    assert client.post("/api/claims/99999/review", headers=bearer(tokens["alice"]),
                       json={"action": "accept"}).status_code == 404
    added = client.post(f"/api/documents/{howitzers.document_id}/claims", headers=bearer(tokens["bob"]),
                        json={"start": howitzers.start, "end": howitzers.end,
                              "set": {"supplier": "Norway", "recipient": "Ukraine", "category": "artillery",
                                      "status": "agreed", "designation": "M109"}})
    assert added.status_code == 201, added.text
    assert added.json()["claim"]["review"] == "added" and added.json()["claim"]["supplier"] == "NOR"
    document = client.get(f"/api/documents/{howitzers.document_id}").json()
    assert sorted(c["review"] for c in document["claims"]) == ["added", "rejected"]


def test_a_retried_request_with_its_idempotency_key_is_stored_once(api):
    client, store, tokens = api
    jets = claim_of(store, supplier="RUS")
    headers = {**bearer(tokens["alice"]), "Idempotency-Key": "3f2a9c1e-review"}
    body = {"action": "correct", "set": {"status": "delivered"}}
    first = client.post(f"/api/claims/{jets.id}/review", json=body, headers=headers)
    again = client.post(f"/api/claims/{jets.id}/review", json=body, headers=headers)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert first.json()["review"]["request_id"] == "3f2a9c1e-review" and len(store.reviews()) == 1
    reused = client.post(f"/api/claims/{jets.id}/review", json={"action": "reject"}, headers=headers)
    assert reused.status_code == 409 and "used for another write" in reused.json()["detail"]
    bad = client.post(f"/api/claims/{jets.id}/review", json=body, headers={**headers, "Idempotency-Key": "a b"})
    assert bad.status_code == 422 and "Idempotency-Key" in bad.json()["detail"]
    add = {"start": jets.start, "end": jets.end, "set": {"supplier": "Russia", "recipient": "Iran",
                                                          "category": "aircraft", "status": "planned"}}
    headers["Idempotency-Key"] = "3f2a9c1e-add"
    added = client.post(f"/api/documents/{jets.document_id}/claims", json=add, headers=headers)
    added_again = client.post(f"/api/documents/{jets.document_id}/claims", json=add, headers=headers)
    assert added.status_code == added_again.status_code == 201 and added.json() == added_again.json()
    assert len(store.reviews()) == 2 and len(store.claims(ClaimFilter(review="added"))) == 1
    # without a key every request is a write of its own, as before
    for _ in range(2):
        assert client.post(f"/api/claims/{jets.id}/review", json={"action": "accept"},
                           headers=bearer(tokens["bob"])).status_code == 200
    assert len(store.reviews()) == 4


def test_claims_carry_mention_offsets(api):
    client, _store, _ = api
    [claim] = client.get("/api/claims", params={"supplier": "IRN"}).json()["items"]
    document = client.get(f"/api/documents/{claim['document_id']}").json()
    full = f"{document['title']}\n\n{document['text']}"
    spans = claim["spans"]
    assert full[slice(*spans["supplier"])] == "Iran" and full[slice(*spans["recipient"])] == "Russia"
    assert full[slice(*spans["item"])] == "Shahed-136 drones"


# -- the command line ------------------------------------------------------------------------

def test_review_commands(tmp_path):
    path = write_articles(tmp_path)
    db = str(tmp_path / "cli.db")
    with Store(db) as store:
        ingest([str(path)], store, model=RULES)
        ids = {c.supplier: c.id for c in store.claims()}
        doc_id = store.claims()[0].document_id
    queue = run_cli("review", "queue", "--format", "jsonl", "--db", db)
    assert queue.returncode == 0 and len(queue.stdout.splitlines()) == 3
    assert b"3 claims to review" in queue.stderr
    rejected = run_cli("review", "reject", ids["IRN"], "--note", "a headline", "--reviewer", "alice", "--db", db)
    assert rejected.returncode == 0 and b"[rejected]" in rejected.stdout, rejected.stderr
    corrected = run_cli("review", "correct", ids["RUS"], "--set", "status=delivered", "--reviewer", "bob", "--db", db)
    assert corrected.returncode == 0 and b"was: status 'planned'" in corrected.stdout, corrected.stderr
    listing = run_cli("review", "add", doc_id, "--db", db)
    assert listing.returncode == 0 and b"   1  " in listing.stdout
    added = run_cli("review", "add", doc_id, "--sentence", "2", "--set", "supplier=Iran", "--set", "recipient=Russia",
                    "--set", "category=ammunition", "--set", "status=delivered", "--reviewer", "carol", "--db", db)
    assert added.returncode == 0 and b"[added]" in added.stdout, added.stderr
    bad = run_cli("review", "correct", ids["RUS"], "--set", "status=shipped", "--db", db)
    assert bad.returncode != 0 and b"status" in bad.stderr
    missing = run_cli("review", "accept", "4242", "--db", db)
    assert missing.returncode != 0 and b"no claim 4242" in missing.stderr
    log = run_cli("review", "log", "--format", "jsonl", "--db", db)
    assert [json.loads(line)["reviewer"] for line in log.stdout.splitlines()] == ["carol", "bob", "alice"]
    facts = run_cli("facts", "--review", "corrected", "--format", "jsonl", "--db", db)
    assert [json.loads(line)["supplier"] for line in facts.stdout.splitlines()] == ["RUS"]
    claims = run_cli("claims", "--review", "rejected", "--format", "jsonl", "--db", db)
    assert [json.loads(line)["supplier"] for line in claims.stdout.splitlines()] == ["IRN"]
    token = run_cli("users", "add", "dora", "--db", db)
    assert token.returncode == 0 and len(token.stdout.strip()) >= 30
    with Store(db) as store:
        assert store.user_for_token(token.stdout.decode().strip()) == "dora"
        with store.Session() as session:  # only the hash is kept
            assert token.stdout.decode().strip() not in json.dumps([list(r) for r in session.execute(
                select(*store_users_columns())).all()])
    again = run_cli("users", "add", "dora", "--db", db)
    assert again.returncode != 0 and b"already" in again.stderr
    out = tmp_path / "reviews.jsonl"
    exported = run_cli("review", "export", "--out", out, "--db", db)
    assert exported.returncode == 0, exported.stderr
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["corpus"] == "review" and record["id"] == "drones"
    assert sorted((c["supplier"], c["category"], c["status"]) for c in record["claims"]) == [
        ("IRN", "ammunition", "delivered"), ("RUS", "aircraft", "delivered")]
    texts = [json.loads(line) for line in (tmp_path / "reviews.docs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert texts[0]["id"] == "drones"
    for claim in record["claims"]:
        field = texts[0][claim["evidence"]["field"]]
        assert field[claim["evidence"]["start"]:claim["evidence"]["end"]].startswith(("Iran has", "Russia is"))


def test_review_command_run_again_with_its_request_id_writes_once(tmp_path):
    path = write_articles(tmp_path)
    db = str(tmp_path / "cli.db")
    with Store(db) as store:
        ingest([str(path)], store, model=RULES)
        howitzers = claim_of(store, supplier="NOR")
    retried = [run_cli("review", "accept", howitzers.id, "--request-id", "batch-7", "--reviewer", "erin", "--db", db)
               for _ in range(2)]
    assert all(r.returncode == 0 and b"[accepted]" in r.stdout for r in retried), retried[-1].stderr
    reused = run_cli("review", "reject", howitzers.id, "--request-id", "batch-7", "--reviewer", "erin", "--db", db)
    assert reused.returncode != 0 and b"used for another write" in reused.stderr
    with Store(db) as store:
        assert [r["request_id"] for r in store.reviews()] == ["batch-7"]
        assert claim_of(store, supplier="NOR").review == "accepted"


def store_users_columns():
    from armstrace.store.schema import UserRow

    return UserRow.name, UserRow.token_hash


# -- corrections teach ------------------------------------------------------------------------

HOPES = [("Egypt", "France", "Rafale jets"), ("Chile", "Sweden", "Gripen fighters"), ("Peru", "Brazil", "Super Tucano aircraft"),
         ("Kenya", "Turkey", "Bayraktar TB2 drones"), ("Ghana", "China", "Wing Loong drones"),
         ("Vietnam", "India", "BrahMos missiles"), ("Qatar", "Germany", "Leopard 2 tanks"),
         ("Indonesia", "France", "Scorpene submarines")]


def test_corrections_exported_and_retrained_fix_the_claim(tmp_path):
    """The extractor reads "X hopes to receive Y from Z" as a delivery. An analyst corrects a
    few of those claims to "sought"; the reviews, exported as labels, train a model that reads
    the same sentence as sought on a re-run, and a new one of the same kind too."""
    articles = []
    for n, (recipient, supplier, weapon) in enumerate(HOPES):
        articles.append({"id": f"hope-{n}", "title": f"{recipient} and {supplier}", "publisher": f"Paper {n}",
                         "text": f"{recipient} hopes to receive {weapon} from {supplier} next year, a spokesman said. "
                                 "The talks continue."})
        articles.append({"id": f"sent-{n}", "title": f"{supplier} ships arms", "publisher": f"Wire {n}",
                         "text": f"{supplier} delivered {weapon} to {recipient} last month, the defence ministry said."})
    unseen = articles[-2:]
    path = write_articles(tmp_path, articles[:-2])
    db = str(tmp_path / "teach.db")

    def statuses(model, inputs):
        out = run_cli("extract", *inputs, "--model", model, "--format", "jsonl")
        assert out.returncode == 0, out.stderr
        claims = [json.loads(line) for line in out.stdout.splitlines()]
        return {c["doc"]: c["status"] for c in claims}

    with Store(db) as store:
        ingest([str(path)], store, model=RULES)
        claims = store.claims()
        hopes = [c for c in claims if c.doc.startswith("hope")]
        assert len(hopes) == 7 and {c.status for c in hopes} == {"delivered"}, "the mistake this test is about"
        corrected = hopes[:4]
        for claim in corrected:
            store.review([claim.id], "correct", {"status": "sought"}, reviewer="alice")
        store.review([c.id for c in claims if c.doc.startswith("sent")], "accept", reviewer="alice")
    labels = tmp_path / "reviews.jsonl"
    assert run_cli("review", "export", "--out", labels, "--db", db).returncode == 0
    model = tmp_path / "team-model.json"
    trained = run_cli("train", "--linear", "--labels", labels, "--no-shipped", "--no-curve", "--out", model)
    assert trained.returncode == 0, trained.stderr
    assert b"labelled documents: 11" in trained.stdout, trained.stdout

    unseen_path = write_articles(tmp_path, unseen, "unseen.jsonl")
    before = statuses("rules", [path, unseen_path])
    after = statuses(str(model), [path, unseen_path])
    for claim in corrected:
        assert (before[claim.doc], after[claim.doc]) == ("delivered", "sought"), claim.doc
    assert after["hope-7"] == "sought", "a new sentence of the same kind"
    assert all(after[doc] == "delivered" for doc in after if doc.startswith("sent")), after


def test_migration_keys_claims_of_an_older_register(db_url, tmp_path):
    """A register made before reviews (schema 0005) upgrades in place: its claims get their
    review keys (the same a fresh ingest gives) and its facts count independent reports."""
    from alembic import command
    from alembic.config import Config
    from importlib import resources

    from armstrace.store.engine import make_engine
    from armstrace.store.facts import item_key
    from armstrace.store.schema import ClaimRow, FactRow

    path = write_articles(tmp_path)
    with Store(db_url) as fresh:  # what the current schema gives, to compare
        ingest([str(path)], fresh, model=RULES)
        with fresh.Session() as session:
            want = sorted(session.execute(select(ClaimRow.evidence, ClaimRow.key)).all())
            fresh_facts = sorted(session.execute(select(FactRow.supplier, FactRow.n_sources)).all())
        rows = [(c.doc, c.supplier, c.recipient, c.category, c.status, c.designation, c.start, c.end, c.evidence)
                for c in fresh.claims()]
        documents = {}
        with fresh.Session() as session:
            from armstrace.store.schema import DocumentRow

            for d in session.scalars(select(DocumentRow)):
                documents[d.doc_key] = (d.title, d.text, d.content_hash)
    # the same register written by the schema of 0005, with the old count (publishers + cited)
    old_url = db_url.replace("register.db", "old.db") if db_url.startswith("sqlite") else db_url + "_old"
    if not db_url.startswith("sqlite"):
        import psycopg

        from .conftest import PG_ADMIN_URL

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{old_url.rsplit("/", 1)[1]}"')
    engine = make_engine(old_url, write=True)
    config = Config()
    config.set_main_option("script_location", str(resources.files("armstrace.store").joinpath("migrations")))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    from sqlalchemy import text

    with engine.begin() as connection:
        for n, (key, (title, body, content_hash)) in enumerate(sorted(documents.items()), 1):
            connection.execute(text("INSERT INTO documents (id, doc_key, title, text, content_hash, removed, ingested_at) "
                                    "VALUES (:id, :key, :title, :text, :hash, '[]', 'then')"),
                               {"id": n, "key": key, "title": title, "text": body, "hash": content_hash})
        ids = {key: n for n, key in enumerate(sorted(documents), 1)}
        for n, (doc, supplier, recipient, category, status, designation, start, end, evidence) in enumerate(rows, 1):
            connection.execute(text(
                "INSERT INTO facts (id, supplier, recipient, item_key, category, timeline, n_claims, n_documents, "
                "n_publishers, n_attributed, n_sources, confidence) VALUES (:id, :s, :r, :k, :c, '{}', 1, 1, 1, 1, 2, 0.5)"),
                {"id": n, "s": supplier or "", "r": recipient or "", "k": item_key(category, designation), "c": category})
            connection.execute(text("INSERT INTO sources (fact_id, kind, name) VALUES (:f, 'publisher', 'P'), "
                                    "(:f, 'attributed', 'officials')"), {"f": n})
            connection.execute(text(
                "INSERT INTO claims (id, document_id, fact_id, supplier, recipient, category, status, designation, "
                "attribution, evidence, start, \"end\") VALUES (:id, :d, :f, :s, :r, :c, :st, :des, '[]', :ev, :a, :b)"),
                {"id": n, "d": ids[doc], "f": n, "s": supplier, "r": recipient, "c": category, "st": status,
                 "des": designation, "ev": evidence, "a": start, "b": end})
        if engine.dialect.name == "postgresql":  # rows written with their ids: move the sequences past them
            for table in ("documents", "facts", "claims", "sources"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
    engine.dispose()
    try:
        with Store(old_url) as upgraded:  # migrates to the newest schema
            with upgraded.Session() as session:
                assert sorted(session.execute(select(ClaimRow.evidence, ClaimRow.key)).all()) == want
                assert {n for (n,) in session.execute(select(FactRow.n_sources))} == {1}
            [claim] = upgraded.claims(supplier="NOR")
            upgraded.review([claim.id], "reject", reviewer="alice")
            assert upgraded.facts(supplier="NOR") == []
        assert {n for _, n in fresh_facts} == {1}
    finally:
        if not db_url.startswith("sqlite"):
            import psycopg

            from .conftest import PG_ADMIN_URL

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{old_url.rsplit("/", 1)[1]}" WITH (FORCE)')


def test_two_reviewers_writing_at_once_are_both_kept(db_url, tmp_path):
    """Two reviewers in two processes' worth of threads review claims of the same facts at
    the same time: every review is in the log and the facts agree with the claims."""
    import threading

    sentences = [f"Norway will donate {n} M109 howitzers to Ukraine, the defence minister said in speech {n}."
                 for n in range(2, 14)]
    articles = [{"id": f"d{n}", "title": f"Speech {n}", "publisher": f"Outlet {n}", "text": text}
                for n, text in enumerate(sentences)]
    path = write_articles(tmp_path, articles)
    with Store(db_url) as setup:
        ingest([str(path)], setup, model=RULES)
        ids = [c.id for c in setup.claims()]
    assert len(ids) == 12
    errors = []

    def work(name, mine, action):
        try:
            with Store(db_url) as store:
                for claim_id in mine:
                    store.review([claim_id], action, reviewer=name)
        except Exception as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=("alice", ids[0::2], "accept")),
               threading.Thread(target=work, args=("bob", ids[1::2], "reject"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with Store(db_url) as store:
        log = store.reviews(limit=None)
        assert sorted(r["reviewer"] for r in log) == ["alice"] * 6 + ["bob"] * 6
        [fact] = store.facts()
        assert (fact.n_claims, fact.n_reviewed, fact.n_sources) == (6, 6, 6)


def test_two_claims_added_on_one_sentence_at_once_stay_two(register):
    """A drone claim and a missile claim added on the same sentence in the same second used to
    share one key, and re-extraction kept only one of them."""
    store, path = register
    doc_id = claim_of(store, supplier="NOR").document_id
    before = len(store.claims())
    first, _ = store.add_claim(doc_id, 0, 20, {"supplier": "NOR", "recipient": "UKR", "category": "drone",
                                               "status": "delivered"}, reviewer="alice")
    second, _ = store.add_claim(doc_id, 0, 20, {"supplier": "NOR", "recipient": "UKR", "category": "missile",
                                                "status": "delivered"}, reviewer="alice")
    assert first.id != second.id and len(store.claims()) == before + 2
    ingest([str(path)], store, model=RULES, reextract=True)
    added = {c.category for c in store.claims(review="added")}
    assert added == {"drone", "missile"}


def test_the_same_keyed_write_sent_twice_at_once_is_stored_once(db_url, tmp_path):
    """A request and its retry racing each other (two connections, the same Idempotency-Key)
    write one review, and both get its answer."""
    import threading

    path = write_articles(tmp_path)
    with Store(db_url) as setup:
        ingest([str(path)], setup, model=RULES)
        claim_id = claim_of(setup, supplier="NOR").id
        doc = claim_of(setup, supplier="RUS")
    start = threading.Barrier(4)
    answers, errors = [], []

    def send(write):
        try:
            with Store(db_url) as store:
                start.wait(timeout=30)
                answers.append(write(store))
        except Exception as err:  # reported below
            errors.append(err)

    values = {"supplier": "Russia", "recipient": "Iran", "category": "aircraft", "status": "planned"}
    writes = [lambda s: s.review([claim_id], "reject", reviewer="alice", note="twice", request_id="k-race")] * 2 + \
        [lambda s: s.add_claim(doc.document_id, doc.start, doc.end, values, reviewer="alice", request_id="k-add")] * 2
    threads = [threading.Thread(target=send, args=(w,)) for w in writes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert answers.count(answers[0]) == 2 and len(answers) == 4
    with Store(db_url) as store:
        assert sorted(r["request_id"] for r in store.reviews(limit=None)) == ["k-add", "k-race"]
        assert len(store.claims(ClaimFilter(review="added"))) == 1
        assert claim_of(store, supplier="NOR").review == "rejected"
