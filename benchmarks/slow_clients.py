"""Half-open connections against `armstrace serve`: are they closed, and is everyone else
still served meanwhile?

    .venv/bin/python benchmarks/slow_clients.py                          # 3,000 connections, default --header-timeout
    .venv/bin/python benchmarks/slow_clients.py --connections 60 --header-timeout 2 --wait 8 --json
    .venv/bin/python benchmarks/slow_clients.py --url http://127.0.0.1:8000   # a server already running

It starts the real server (an empty SQLite register, a free loopback port) unless --url
names one, then opens --connections connections of four kinds in turn: silent (connects and
sends nothing), partial (sends the first lines of a request's headers, then nothing),
trickling (the same, then one more byte every half second) and kept-alive (a whole request,
its response read, then part of a second request). Until all are closed or --wait seconds
have passed it watches them, and every half second sends a normal request on a new
connection. Prints how many were closed, how long after their start (opening, or the first
response for kept-alive ones), how many got a 408, and the normal requests' answers and
slowest time; exits 1 when a connection outlived --wait or a normal request failed.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("silent", "partial", "trickling", "kept-alive")
PARTIAL = b"GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(folder: Path, header_timeout: float | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    args = [sys.executable, "-m", "armstrace", "serve", "--db", f"sqlite:///{folder / 'register.db'}",
            "--port", str(port)]
    if header_timeout is not None:
        args += ["--header-timeout", str(header_timeout)]
    log = folder / "serve.log"
    with log.open("wb") as handle:
        proc = subprocess.Popen(args, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                                env={**os.environ, "ARMSTRACE_TOKEN": ""})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"armstrace serve exited {proc.returncode}: {log.read_text(errors='replace')}")
        if probe(url)[0] == 200:
            return proc, url
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("armstrace serve did not answer in 90 s")


def probe(url: str) -> tuple[int, float]:
    """A normal request on a new connection: (status, seconds); status 0 when it failed."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen(f"{url}/api/stats", timeout=10) as response:
            response.read()
            return response.status, time.monotonic() - start
    except OSError:
        return 0, time.monotonic() - start


def read_response(sock: socket.socket) -> bytes:
    """A whole response to GET /api/stats (small: its headers and a content-length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("the server closed a connection before answering a whole request")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    while len(body) < length:
        body += sock.recv(65536)
    return head


def open_connections(host: str, port: int, n: int) -> list[dict]:
    conns = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        sock = socket.create_connection((host, port), timeout=30)
        if kind == "kept-alive":
            sock.sendall(b"GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            read_response(sock)
        start = time.monotonic()
        if kind != "silent":
            sock.sendall(PARTIAL)
        sock.setblocking(False)
        conns.append({"sock": sock, "kind": kind, "start": start, "closed": None, "received": b""})
    return conns


def watch(conns: list[dict], url: str, wait: float) -> list[tuple[int, float]]:
    """Read until every connection is closed or `wait` seconds have passed since the last
    opened; trickle a byte into the trickling ones and probe the server every half second."""
    selector = selectors.DefaultSelector()
    for conn in conns:
        selector.register(conn["sock"], selectors.EVENT_READ, conn)
    open_ = len(conns)
    end = time.monotonic() + wait
    probes: list[tuple[int, float]] = []
    next_tick = time.monotonic()
    while open_ and time.monotonic() < end:
        for key, _ in selector.select(0.05):
            conn = key.data
            try:
                data = conn["sock"].recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                conn["received"] += data
                continue
            conn["closed"] = time.monotonic()
            selector.unregister(conn["sock"])
            conn["sock"].close()
            open_ -= 1
        if time.monotonic() >= next_tick:
            next_tick += 0.5
            for conn in conns:
                if conn["kind"] == "trickling" and conn["closed"] is None:
                    try:
                        conn["sock"].send(b"a")
                    except OSError:
                        pass
            probes.append(probe(url))
    for conn in conns:
        if conn["closed"] is None:
            conn["sock"].close()
    return probes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=3000)
    parser.add_argument("--header-timeout", type=float, default=None,
                        help="passed to the server it starts (default: serve's own default)")
    parser.add_argument("--wait", type=float, default=60, help="seconds to wait for the connections to close")
    parser.add_argument("--url", default=None, help="a running server to probe instead of starting one")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="armstrace-slow-") as tmp:
        proc, url = (None, args.url) if args.url else start_server(Path(tmp), args.header_timeout)
        try:
            where = urlsplit(url)
            opened = time.monotonic()
            conns = open_connections(where.hostname, where.port or 80, args.connections)
            opening = time.monotonic() - opened
            probes = watch(conns, url, args.wait)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)

    lifetimes = [c["closed"] - c["start"] for c in conns if c["closed"] is not None]
    report = {
        "connections": len(conns), "opening_seconds": round(opening, 2),
        "closed": len(lifetimes), "still_open": len(conns) - len(lifetimes),
        "closed_after_seconds_min": round(min(lifetimes), 2) if lifetimes else None,
        "closed_after_seconds_max": round(max(lifetimes), 2) if lifetimes else None,
        "by_kind": {kind: {"closed": sum(c["closed"] is not None for c in conns if c["kind"] == kind),
                           "got_408": sum(c["received"].startswith(b"HTTP/1.1 408") for c in conns
                                          if c["kind"] == kind),
                           "of": sum(c["kind"] == kind for c in conns)} for kind in KINDS},
        "normal_requests": len(probes), "normal_requests_ok": sum(status == 200 for status, _ in probes),
        "normal_request_slowest_ms": round(1000 * max(s for _, s in probes), 1) if probes else None,
    }
    if args.json:
        print(json.dumps(report))
    else:
        for name, value in report.items():
            print(f"{name:28} {value}")
    return 0 if report["still_open"] == 0 and report["normal_requests_ok"] == report["normal_requests"] else 1


if __name__ == "__main__":
    sys.exit(main())
