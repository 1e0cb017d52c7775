"""API latency: GET /api/facts?supplier=IRN (and friends) against a running `armstrace serve`.

    armstrace serve --db /tmp/bench.db --port 8765 &
    python benchmarks/api.py --url http://127.0.0.1:8765 [--repeat 100]

Sequential requests over one keep-alive connection on loopback; prints p50/p95 per URL.
The database is the one `benchmarks/register.py` generates (>= 1 million claims).
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx

URLS = (
    "/api/facts?supplier=IRN",
    "/api/facts?supplier=USA&recipient=UKR",
    "/api/claims?recipient=UKR&since=2020&limit=100",
    "/api/graph?supplier=RUS",
    "/api/timeline?supplier=IRN",
    "/api/stats",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    with httpx.Client(base_url=args.url, timeout=60) as client:
        for path in URLS:
            client.get(path).raise_for_status()  # warm up
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                response = client.get(path)
                times.append(1000 * (time.perf_counter() - start))
                response.raise_for_status()
            times.sort()
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            print(f"{path:<50} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   ({len(response.content):,} bytes)")


if __name__ == "__main__":
    main()
