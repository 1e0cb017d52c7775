"""Reviewers' tokens: `armstrace users revoke` and `rotate` take effect at once in a running
`armstrace serve` (it checks the token against the register on every write), on a real
SQLite file and a real PostgreSQL server; the review log keeps a revoked reviewer's name;
`serve --token` on the command line is warned about. The article is written here."""

from __future__ import annotations

import json

import httpx

from armstrace.extract.pipeline import RULES
from armstrace.pipeline import ingest
from armstrace.store import Store

from .conftest import run_cli
from .serve_process import Served

ARTICLE = {"id": "howitzers", "title": "Howitzers for Ukraine", "date": "2024-02-20", "publisher": "Nordic Daily",
           "text": "Norway will donate eight M109 howitzers to Ukraine, the defence minister said."}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_revoked_or_rotated_token_is_refused_at_once_by_a_running_server(db_url, tmp_path):
    path = tmp_path / "article.jsonl"
    path.write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    with Store(db_url) as store:
        ingest([str(path)], store, model=RULES)
        [claim] = store.claims()
    tokens = {}
    for name in ("alice", "bob"):
        made = run_cli("users", "add", name, "--db", db_url)
        assert made.returncode == 0, made.stderr
        tokens[name] = made.stdout.decode().strip()

    with Served(db_url, tmp_path / "serve.log") as server, httpx.Client(base_url=server.url, timeout=60) as http:
        review = http.post(f"/api/claims/{claim.id}/review", json={"action": "accept"}, headers=bearer(tokens["alice"]))
        assert review.status_code == 200, review.text
        assert http.get("/api/whoami", headers=bearer(tokens["bob"])).json() == {"reviewer": "bob"}

        revoked = run_cli("users", "revoke", "alice", "--db", db_url)
        assert revoked.returncode == 0 and b"alice may no longer write" in revoked.stderr, revoked.stderr
        assert http.get("/api/whoami", headers=bearer(tokens["alice"])).status_code == 401
        refused = http.post(f"/api/claims/{claim.id}/review", json={"action": "reject"}, headers=bearer(tokens["alice"]))
        assert refused.status_code == 401 and "token" in refused.json()["detail"]

        rotated = run_cli("users", "rotate", "bob", "--db", db_url)
        assert rotated.returncode == 0, rotated.stderr
        new = rotated.stdout.decode().strip()
        assert len(new) >= 30 and new != tokens["bob"]
        assert http.get("/api/whoami", headers=bearer(tokens["bob"])).status_code == 401
        assert http.get("/api/whoami", headers=bearer(new)).json() == {"reviewer": "bob"}
        again = http.post(f"/api/claims/{claim.id}/review", json={"action": "reject"}, headers=bearer(new))
        assert again.status_code == 200, again.text

        # the log keeps who decided what, the revoked reviewer too
        log = http.get("/api/reviews").json()["items"]
        assert [(r["reviewer"], r["action"]) for r in log] == [("bob", "reject"), ("alice", "accept")]

    listed = run_cli("users", "list", "--db", db_url)
    assert [line.split("\t")[0] for line in listed.stdout.decode().splitlines()] == ["bob"]
    for command, name in (("revoke", "alice"), ("rotate", "carol")):
        unknown = run_cli("users", command, name, "--db", db_url)
        assert unknown.returncode == 2 and f"no reviewer called '{name}'".encode() in unknown.stderr, unknown.stderr
        assert b"armstrace users list" in unknown.stderr
    with Store(db_url) as store:
        assert store.user_for_token(new) == "bob" and store.user_for_token(tokens["alice"]) is None


def test_a_token_given_on_the_command_line_is_warned_about_and_one_from_the_environment_not(tmp_path):
    db = f"sqlite:///{tmp_path / 'register.db'}"
    with Served(db, tmp_path / "option.log", "--token", "anon-secret") as server:
        assert httpx.get(f"{server.url}/api/whoami", headers=bearer("anon-secret")).json() == {"reviewer": "anonymous"}
    warned = server.output()
    assert "WARNING: --token on the command line" in warned and "ARMSTRACE_TOKEN" in warned, warned
    with Served(db, tmp_path / "environment.log", env={"ARMSTRACE_TOKEN": "anon-secret"}) as server:
        assert httpx.get(f"{server.url}/api/whoami", headers=bearer("anon-secret")).json() == {"reviewer": "anonymous"}
    assert "WARNING" not in server.output() and "serving" in server.output(), server.output()
