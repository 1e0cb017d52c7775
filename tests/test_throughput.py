"""Streaming, worker processes and progress: same claims, bounded memory, quiet when piped."""

from __future__ import annotations

import gc
import io
import json
import weakref

from armstrace.extract.pipeline import get_extractor
from armstrace.nlp import get_nlp
from armstrace.progress import Progress, count_documents

from .conftest import run_cli

ARTICLES = [
    {"id": "a1", "title": "Norway to send air defence systems to Ukraine",
     "text": "Norway will send NASAMS air defence systems to Ukraine, the defence minister said on Monday."},
    {"id": "a2", "title": "Grain prices", "text": "Wheat futures rose on Tuesday as traders weighed the weather."},
    {"id": "a3", "title": None, "text": "Iran has supplied drones to Russia, U.S. officials said.\n"
                                         "Moscow denied the report."},
    {"id": "a4", "title": "Bank results", "text": "The bank reported higher profits and raised its dividend."},
]


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_a_parsed_document_is_not_kept_alive():
    """Extraction keeps nothing of a document once it is done (a leak kept every one)."""
    nlp = get_nlp()
    doc = nlp("Iran sent drones to Russia, officials said.")
    assert get_extractor().extract_parsed(doc, "d", doc.text)
    ref = weakref.ref(doc)
    del doc
    nlp("Another document, read next.")  # the last document read may be cached until the next
    get_extractor().extract_parsed(nlp("Wheat prices rose."), "e")
    gc.collect()
    assert ref() is None


def test_processes_give_the_same_claims_in_the_same_order(tmp_path):
    docs = _write(tmp_path / "docs.jsonl", ARTICLES * 20)  # more documents than one chunk
    one = run_cli("extract", docs, "--processes", "1")
    two = run_cli("extract", docs, "--processes", "2")
    assert one.returncode == 0, one.stderr.decode()
    assert two.returncode == 0, two.stderr.decode()
    assert one.stdout == two.stdout
    claims = [json.loads(line) for line in one.stdout.decode().splitlines()]
    assert {c["doc"] for c in claims} == {"a1", "a3"}


def test_ingest_with_processes_stores_what_one_process_stores(tmp_path):
    docs = _write(tmp_path / "docs.jsonl", [{**a, "id": f"{a['id']}-{n}", "text": f"{a['text']} Report {n}."}
                                            for n in range(10) for a in ARTICLES])
    summaries, listings = [], []
    for processes in ("1", "2"):
        db = tmp_path / f"register-{processes}.db"
        done = run_cli("ingest", docs, "--db", db, "--processes", processes)
        assert done.returncode == 0, done.stderr.decode()
        summaries.append(done.stderr.decode())
        listings.append(run_cli("facts", "--db", db, "--format", "csv").stdout)
        again = run_cli("ingest", docs, "--db", db, "--processes", processes)
        assert "40 unchanged" in again.stderr.decode()
    assert summaries[0] == summaries[1]
    assert "0 skipped" in summaries[1]
    assert listings[0] == listings[1] and b"NOR" in listings[0] and b"IRN" in listings[0]


def test_no_progress_bar_when_output_is_not_a_terminal(tmp_path):
    docs = _write(tmp_path / "docs.jsonl", ARTICLES)
    done = run_cli("extract", docs)
    assert done.returncode == 0
    assert done.stderr.decode().strip() == ""  # no bar, no control characters


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_counts_documents_and_claims():
    stream = _Terminal()
    with Progress("extracting", total=4, stream=stream) as progress:
        for claims in (1, 0, 2, 0):
            progress.advance(claims=claims)
    assert progress.documents == 4 and progress.claims == 3
    assert "extracting" in stream.getvalue()
    quiet = _Terminal()
    with Progress("extracting", total=4, stream=quiet, quiet=True) as progress:
        progress.advance()
    assert quiet.getvalue() == ""


def test_count_documents(tmp_path):
    jsonl = _write(tmp_path / "a.jsonl", ARTICLES)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "one.txt").write_text("An article.", encoding="utf-8")
    (tmp_path / "folder" / "two.html").write_text("<p>Another.</p>", encoding="utf-8")
    assert count_documents([jsonl]) == 4
    assert count_documents([jsonl, tmp_path / "folder"]) == 6
    (tmp_path / "crawl.warc.gz").write_bytes(b"")
    assert count_documents([jsonl, tmp_path / "crawl.warc.gz"]) is None  # unknown: no bar, a count
    assert count_documents(["-"]) is None


def test_problems_in_worker_processes_are_reported_by_name(tmp_path):
    """A document over the size limit, read in a worker, is named on stderr; the rest goes on."""
    from armstrace.extract import pipeline

    records = list(ARTICLES)
    records.insert(1, {"id": "huge", "text": "Iran sent drones. " * (pipeline.MAX_CHARS // 18 + 10)})
    docs = _write(tmp_path / "docs.jsonl", records)
    done = run_cli("extract", docs, "--processes", "2")
    assert done.returncode == 1
    assert "huge" in done.stderr.decode() and "too large" in done.stderr.decode()
    assert {json.loads(line)["doc"] for line in done.stdout.decode().splitlines()} == {"a1", "a3"}


def test_killed_extract_leaves_no_worker_and_no_traceback(tmp_path):
    """SIGKILL to `extract --processes 2` once its first claims are out: its workers end with it,
    and none prints a broken pipe's traceback on the way (they used to)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    docs = _write(tmp_path / "docs.jsonl", [{**a, "id": f"{a['id']}-{n}"} for n in range(400) for a in ARTICLES])
    err = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "armstrace", "extract", str(docs), "--processes", "2"],
                            stdout=subprocess.PIPE, stderr=err)
    assert proc.stdout.readline(), "no claim came out"
    workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert workers, "no worker processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{w}") and
                                              open(f"/proc/{w}/stat").read().split()[2] != "Z" for w in workers):
        time.sleep(0.1)
    alive = [w for w in workers if os.path.exists(f"/proc/{w}") and open(f"/proc/{w}/stat").read().split()[2] != "Z"]
    assert not alive, f"workers still running: {alive}"
    time.sleep(0.5)
    err.close()
    assert b"Traceback" not in (tmp_path / "stderr.txt").read_bytes(), (tmp_path / "stderr.txt").read_text()
