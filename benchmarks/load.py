"""A bounded load test of `armstrace serve` on loopback: reads, uploads, reviews and 10%
malformed or hostile requests at once; zero 5xx and no lost write, or it exits 1.

    .venv/bin/python benchmarks/load.py                      # 60 s, 16 clients, SQLite
    .venv/bin/python benchmarks/load.py --seconds 10 --clients 8 --json
    .venv/bin/python benchmarks/load.py --db postgresql://user@host/name   # an empty database

It builds a small register (articles written here, the rules' claims), makes a reviewer
token, starts the real server as a subprocess on a free loopback port, and runs `--clients`
asyncio clients until `--seconds` have passed (at most 60). Each request is a read (70%), an
upload of a new article (10%, keyed by X-Document-ID), a review (10%: accept, reject or
correct a random claim) or a malformed one (10%: bad parameters, ids out of range, broken
JSON, bodies over the limit, wrong or missing tokens, unknown content types, paths that try
to leave /static, unknown routes and methods). Afterwards it checks, in the database, that
every upload the server acknowledged (201) is stored exactly once and every review it
acknowledged (200) is in the log. Prints requests/s and p50/p95/p99 latency by kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
MAX_SECONDS = 60

SUPPLIERS = ["France", "Germany", "Turkey", "South Korea", "Israel", "Italy", "Sweden", "Norway", "Brazil", "Japan"]
RECIPIENTS = ["Egypt", "Poland", "Ukraine", "India", "Chile", "Kenya", "Vietnam", "Morocco", "Peru", "Greece"]
WEAPONS = ["howitzers", "armoured vehicles", "patrol boats", "fighter jets", "drones", "air defence systems",
           "rifles", "artillery shells", "helicopters", "radars"]
VERBS = ["delivered", "will supply", "has agreed to sell", "is sending", "plans to donate"]


def article(n: int, rng: random.Random) -> str:
    s, r = rng.choice(SUPPLIERS), rng.choice(RECIPIENTS)
    return (f"{s} {rng.choice(VERBS)} {rng.randint(2, 40)} {rng.choice(WEAPONS)} to {r}, officials said on day {n}.\n\n"
            f"The defence ministry of {r} confirmed the news in statement number {n}.")


def build_register(db: str, folder: Path, rng: random.Random) -> str:
    """A register of 60 articles; returns a reviewer token."""
    from armstrace.extract.pipeline import RULES
    from armstrace.pipeline import ingest
    from armstrace.store import Store

    path = folder / "seed.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for n in range(60):
            handle.write(json.dumps({"id": f"seed-{n}", "title": f"Report {n}", "publisher": f"Outlet {n % 7}",
                                     "date": f"2024-{1 + n % 12:02d}-{1 + n % 27:02d}", "text": article(n, rng)}) + "\n")
    with Store(db) as store:
        ingest([str(path)], store, model=RULES)
        return store.add_user("load-tester")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "armstrace", "serve", "--db", db, "--port", str(port)],
                            cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            env={**os.environ, "ARMSTRACE_TOKEN": ""})
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"armstrace serve exited {proc.returncode}: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/api/stats", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("armstrace serve did not answer in 90 s")


# -- the requests -----------------------------------------------------------------------------

READS = [
    "/api/facts", "/api/facts?supplier=FRA", "/api/facts?party=Egypt&min_sources=1", "/api/claims?limit=50",
    "/api/claims?recipient=UKR&since=2024-03", "/api/graph", "/api/timeline?by=both", "/api/stats",
    "/api/lookup/actors?q=ger", "/api/lookup/designations?q=M1", "/api/review/queue?limit=20",
    "/api/reviews?limit=20", "/api/export.csv?status=delivered", "/api/facts?review=accepted",
    "/api/claims?review=rejected", "/", "/static/app.js",
]
# (method, path, body or None, headers, content) that must get a 4xx
MALFORMED = [
    ("GET", "/api/facts?limit=-1", None), ("GET", "/api/facts?limit=100000", None),
    ("GET", "/api/claims?since=2024-13-45", None), ("GET", "/api/facts?min_confidence=2", None),
    ("GET", "/api/facts?category=spaceship", None), ("GET", "/api/facts?review=maybe", None),
    ("GET", "/api/facts?supplier=" + "x" * 300, None), ("GET", "/api/facts?text=" + "%25" * 1200, None),
    ("GET", "/api/facts/0", None), ("GET", "/api/facts/99999999999", None), ("GET", "/api/facts/abc", None),
    ("GET", "/api/documents/-5", None), ("GET", "/api/timeline?by=colour", None),
    ("GET", "/static/../armstrace.db", None), ("GET", "/static/%2e%2e/%2e%2e/pyproject.toml", None),
    ("GET", "/static/..%2f..%2fREADME.md", None), ("GET", "/api/nothing-here", None),
    ("DELETE", "/api/facts", None), ("GET", "/api/lookup/actors?q=", None),
    ("POST", "/api/claims/1/review", "not json"), ("POST", "/api/claims/1/review", {"action": "explode"}),
    ("POST", "/api/claims/1/review", {"action": "correct", "set": {"status": "shipped"}}),
    ("POST", "/api/claims/1/review", {"action": "accept", "note": "x" * (70 * 1024)}),
    ("POST", "/api/documents/1/claims", {"start": 5, "end": 2, "set": {}}),
    ("POST", "/api/claims/1/review#wrong-token", {"action": "accept"}),
    ("POST", "/api/claims/1/review#no-token", {"action": "accept"}),
    ("POST", "/api/documents#png", b"\x89PNG\r\n"), ("POST", "/api/documents#empty", b"   "),
]


class Run:
    def __init__(self, url: str, token: str, claim_ids: list[int], seed: int):
        self.url, self.token, self.claim_ids = url, token, claim_ids
        self.rng = random.Random(seed)
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.unexpected: list[str] = []
        self.uploads: list[str] = []  # X-Document-IDs the server acknowledged
        self.reviews: list[int] = []  # review ids the server acknowledged
        self.upload_number = 0

    def auth(self, token: str | None = None) -> dict:
        return {"authorization": f"Bearer {token or self.token}"}

    async def one(self, client: httpx.AsyncClient) -> None:
        roll = self.rng.random()
        if roll < 0.7:
            kind, call = "read", client.get(self.rng.choice(READS))
            ok = (200,)
        elif roll < 0.8:
            self.upload_number += 1
            key = f"load-{self.upload_number}"
            kind, ok = "upload", (201,)
            call = client.post("/api/documents", content=article(10_000 + self.upload_number, self.rng),
                               headers={**self.auth(), "content-type": "text/plain", "x-document-id": key})
        elif roll < 0.9:
            kind, ok = "review", (200,)
            action = self.rng.choice(["accept", "reject", "correct"])
            body = {"action": action, "note": f"load test {self.rng.random():.6f}"}
            if action == "correct":
                body["set"] = {"status": self.rng.choice(["delivered", "planned", "agreed"])}
            call = client.post(f"/api/claims/{self.rng.choice(self.claim_ids)}/review", json=body, headers=self.auth())
            key = None
        else:
            kind, ok = "malformed", tuple(range(400, 500))
            method, path, body = self.rng.choice(MALFORMED)
            path, _, variant = path.partition("#")
            headers = {"no-token": {}, "wrong-token": self.auth("not-a-token")}.get(variant, self.auth())
            if variant in ("png", "empty"):
                headers["content-type"] = "image/png" if variant == "png" else "text/plain"
                call = client.request(method, path, content=body, headers=headers)
            elif isinstance(body, str):
                call = client.request(method, path, content=body, headers={**headers, "content-type": "application/json"})
            else:
                call = client.request(method, path, json=body, headers=headers)
        start = time.perf_counter()
        try:
            response = await call
        except httpx.HTTPError as err:  # a dropped connection counts as a failure
            self.statuses[kind]["error"] += 1
            self.unexpected.append(f"{kind}: {type(err).__name__}: {err}")
            return
        self.latency[kind].append(1000 * (time.perf_counter() - start))
        self.statuses[kind][response.status_code] += 1
        if response.status_code not in ok:
            self.unexpected.append(f"{kind} {response.request.method} {response.request.url.path}: "
                                   f"{response.status_code} {response.text[:160]}")
        elif kind == "upload":
            self.uploads.append(key)
        elif kind == "review":
            self.reviews.append(response.json()["review"]["id"])

    async def client(self, deadline: float) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=120) as client:
            while time.monotonic() < deadline:
                await self.one(client)

    async def run(self, clients: int, seconds: float) -> float:
        start = time.monotonic()
        await asyncio.gather(*(self.client(start + seconds) for _ in range(clients)))
        return time.monotonic() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def check_writes(db: str, run: Run) -> dict:
    from sqlalchemy import func, select

    from armstrace.store import Store
    from armstrace.store.schema import DocumentRow, ReviewRow

    with Store(db) as store, store.Session() as session:
        stored = Counter(k for (k,) in session.execute(select(DocumentRow.doc_key).where(DocumentRow.doc_key.like("load-%"))))
        logged = {i for (i,) in session.execute(select(ReviewRow.id))}
        total_reviews = session.scalar(select(func.count()).select_from(ReviewRow))
    return {"uploads_acknowledged": len(run.uploads), "uploads_lost": sum(1 for k in run.uploads if stored[k] != 1),
            "uploads_doubled": sum(1 for n in stored.values() if n > 1),
            "reviews_acknowledged": len(run.reviews), "reviews_lost": sum(1 for i in run.reviews if i not in logged),
            "reviews_in_log": total_reviews}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--db", default=None, help="an empty database URL (default: a new SQLite file)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    seconds = min(args.seconds, MAX_SECONDS)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = args.db or f"sqlite:///{folder / 'load.db'}"
        token = build_register(db, folder, rng)
        from armstrace.store import Store

        with Store(db) as store:
            claim_ids = [c.id for c in store.claims(review="any")]
        proc, url = start_server(db, folder / "serve.log")
        try:
            # warm up: the first upload loads the extraction pipeline
            warm = httpx.post(f"{url}/api/documents", content=article(0, rng), timeout=120,
                              headers={"authorization": f"Bearer {token}", "content-type": "text/plain",
                                       "x-document-id": "warm-up"})
            warm.raise_for_status()
            run = Run(url, token, claim_ids, args.seed)
            elapsed = asyncio.run(run.run(args.clients, seconds))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            server_log = (folder / "serve.log").read_text(errors="replace")
        writes = check_writes(db, run)
    requests = sum(sum(c.values()) for c in run.statuses.values())
    every = [t for times in run.latency.values() for t in times]
    fives = sum(n for c in run.statuses.values() for code, n in c.items() if isinstance(code, int) and code >= 500)
    report = {
        "seconds": round(elapsed, 1), "clients": args.clients, "requests": requests,
        "requests_per_second": round(requests / elapsed, 1), "server_errors_5xx": fives,
        "unexpected": len(run.unexpected), "p50_ms": round(statistics.median(every), 1) if every else 0,
        "p95_ms": round(percentile(every, 0.95), 1), "p99_ms": round(percentile(every, 0.99), 1),
        "by_kind": {kind: {"requests": sum(run.statuses[kind].values()),
                           "statuses": {str(k): v for k, v in sorted(run.statuses[kind].items(), key=str)},
                           "p50_ms": round(statistics.median(run.latency[kind]), 1) if run.latency[kind] else 0,
                           "p95_ms": round(percentile(run.latency[kind], 0.95), 1)}
                    for kind in sorted(run.statuses)},
        **writes, "database": "postgresql" if db.startswith("postgres") else "sqlite",
        "examples_of_unexpected": run.unexpected[:10],
        "server_tracebacks": server_log.count("Traceback"),
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{requests} requests in {report['seconds']} s ({report['requests_per_second']}/s) from "
              f"{args.clients} clients on {report['database']}: p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, "
              f"p99 {report['p99_ms']} ms")
        for kind, figures in report["by_kind"].items():
            print(f"  {kind:<10} {figures['requests']:>6}  p50 {figures['p50_ms']:>7} ms  p95 {figures['p95_ms']:>7} ms  "
                  f"{figures['statuses']}")
        print(f"5xx: {fives}; unexpected answers: {len(run.unexpected)}; uploads acknowledged "
              f"{writes['uploads_acknowledged']}, lost {writes['uploads_lost']}, doubled {writes['uploads_doubled']}; "
              f"reviews acknowledged {writes['reviews_acknowledged']}, lost {writes['reviews_lost']}")
        for line in run.unexpected[:10]:
            print(f"  unexpected: {line}")
    failed = fives or run.unexpected or writes["uploads_lost"] or writes["uploads_doubled"] or writes["reviews_lost"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
