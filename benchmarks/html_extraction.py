"""Body extraction of the HTML reader against bare trafilatura, on the same pages.

    python benchmarks/html_extraction.py [--bench ../shared/corpus/html-bench]

Pages and ground truth: the scrapinghub article-extraction-benchmark copy in
../shared/corpus/html-bench (MIT). Metric: precision, recall and F1 of the bag of word
tokens of the extracted body against the ground-truth `articleBody`, averaged over pages
(the benchmark's own token metric), plus the time per page. Prints a table; not a test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import time
from collections import Counter
from pathlib import Path

import trafilatura

from armstrace.ingest.errors import InputProblem
from armstrace.ingest.html import read_html

TOKEN = re.compile(r"\w+", re.UNICODE)


def prf(predicted: str, truth: str) -> tuple[float, float, float]:
    p, t = Counter(TOKEN.findall(predicted.lower())), Counter(TOKEN.findall(truth.lower()))
    overlap = sum((p & t).values())
    precision = overlap / sum(p.values()) if p else 0.0
    recall = overlap / sum(t.values()) if t else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if overlap else 0.0)


def armstrace_body(html: str, name: str) -> str:
    try:
        return read_html(html, name).text
    except InputProblem:
        return ""


def trafilatura_body(html: str, name: str) -> str:
    return trafilatura.extract(html, include_comments=False, include_tables=False) or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default=str(Path(__file__).resolve().parents[2] / "shared" / "corpus" / "html-bench"))
    args = parser.parse_args()
    bench = Path(args.bench)
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    pages = sorted((bench / "html").glob("*.html.gz"))
    results = {}
    for name, extractor in (("trafilatura (bare)", trafilatura_body), ("armstrace HTML reader", armstrace_body)):
        scores, seconds = [], 0.0
        for page in pages:
            key = page.name.removesuffix(".html.gz")
            html = gzip.decompress(page.read_bytes()).decode("utf-8", errors="replace")
            start = time.perf_counter()
            body = extractor(html, str(page))
            seconds += time.perf_counter() - start
            scores.append(prf(body, truth[key]["articleBody"]))
        results[name] = (
            statistics.mean(s[0] for s in scores), statistics.mean(s[1] for s in scores),
            statistics.mean(s[2] for s in scores), 1000 * seconds / len(pages),
        )
    print(f"{len(pages)} pages from {bench}")
    print(f"{'extractor':<24}{'precision':>10}{'recall':>9}{'F1':>8}{'ms/page':>10}")
    for name, (p, r, f, ms) in results.items():
        print(f"{name:<24}{p:>10.3f}{r:>9.3f}{f:>8.3f}{ms:>10.1f}")


if __name__ == "__main__":
    main()
