"""Half-open connections against the real `armstrace serve`: a connection that does not send
a request's complete headers within --header-timeout is closed (with a 408 when it sent
part of one), however it trickles, also on a kept-alive connection; normal requests are
answered all the while (benchmarks/slow_clients.py, bounded)."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT

TIMEOUT = 2.0
MARGIN = 3.0


def test_half_open_connections_are_closed_after_the_header_timeout_and_others_are_served():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "slow_clients.py"), "--connections", "80",
                          "--header-timeout", str(TIMEOUT), "--wait", str(TIMEOUT + MARGIN), "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.stdout.strip(), out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["still_open"] == 0 and report["closed"] == 80, report
    # closed by the deadline: not before it, and soon after it
    assert TIMEOUT - 0.2 <= report["closed_after_seconds_min"] <= report["closed_after_seconds_max"] <= TIMEOUT + MARGIN
    kinds = report["by_kind"]
    assert kinds["silent"]["got_408"] == 0, "a connection that sent nothing is closed without an answer"
    for kind in ("partial", "trickling", "kept-alive"):
        assert kinds[kind]["got_408"] == kinds[kind]["of"] == 20, (kind, kinds[kind])
    assert report["normal_requests"] >= 3 and report["normal_requests_ok"] == report["normal_requests"], report
    assert report["normal_request_slowest_ms"] < 2000, report
    assert out.returncode == 0, out.stderr[-2000:]
