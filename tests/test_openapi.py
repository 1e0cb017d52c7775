"""The OpenAPI schema is the truth: schemathesis, bounded, against the real `armstrace serve`,
with and without a reviewer token, finds no failure (responses as documented, documented
inputs accepted, undocumented ones refused, status codes and content types documented)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from armstrace.extract.pipeline import RULES
from armstrace.pipeline import ingest
from armstrace.store import Store

from .test_browser import Server

ARTICLES = [
    {"id": "a", "title": "Howitzers for Ukraine", "publisher": "Nordic Daily", "date": "2024-02-20",
     "text": "Norway will donate eight M109 howitzers to Ukraine, the defence minister said."},
    {"id": "b", "title": "Drones", "publisher": "Example News", "date": "2023-05-14",
     "text": "Iran has supplied Shahed-136 drones to Russia, U.S. officials said on Monday.\n\nSign up to our newsletter"},
]


# Examples an operation in `make test` (every operation, both ways, each run); more for a long
# run: ARMSTRACE_SCHEMATHESIS_EXAMPLES=500 (the README's figures)
MAX_EXAMPLES = os.environ.get("ARMSTRACE_SCHEMATHESIS_EXAMPLES", "12")


def schemathesis_command() -> list[str]:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("schemathesis is not installed (it is in the test extra: pip install -e '.[test]')")
    return [found]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("openapi")
    (folder / "a.jsonl").write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    db = f"sqlite:///{folder / 'register.db'}"
    with Store(db) as store:
        ingest([str(folder / "a.jsonl")], store, model=RULES)
        token = store.add_user("schemathesis")
    srv = Server(db, folder / "serve.log")
    yield srv, token
    srv.stop()


@pytest.mark.parametrize("authorised", [False, True], ids=["anonymous", "reviewer"])
def test_schemathesis_finds_no_failure(served, authorised, tmp_path):
    server, token = served
    command = schemathesis_command() + [
        "run", f"{server.url}/openapi.json", "--max-examples", MAX_EXAMPLES, "--seed", "20261203",
        "--report", "junit", "--report-dir", str(tmp_path)]
    if authorised:
        command += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=900,
                         env={"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "NO_COLOR": "1",
                              "HOME": str(tmp_path)})
    summary = out.stdout[-4000:]
    assert out.returncode == 0, summary
    assert " passed" in summary and "generated" in summary, summary
