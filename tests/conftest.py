"""Shared test fixtures: the real corpora beside the checkout, and a CLI runner."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The tests start from an empty cache of the ruler's pattern tokens (`armstrace.nlp.pattern_cache`),
# shared by the commands they run, and leave the user's own cache alone.
if "ARMSTRACE_CACHE_DIR" not in os.environ:
    os.environ["ARMSTRACE_CACHE_DIR"] = tempfile.mkdtemp(prefix="armstrace-test-cache-")
    atexit.register(shutil.rmtree, os.environ["ARMSTRACE_CACHE_DIR"], True)
SHARED = ROOT.parent / "shared"
SEED = SHARED / "corpus" / "seed" / "000_2171e49c34a76868.txt"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus is not beside this checkout")
    return path


def run_cli(*args: str, input: bytes | None = None, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real `armstrace` command (as `python -m armstrace`) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "armstrace", *map(str, args)],
        input=input, capture_output=True, cwd=cwd or ROOT, timeout=600,
        env={**os.environ, **(env or {})},
    )


PG_ADMIN_URL = os.environ.get("ARMSTRACE_TEST_PG_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database URL: a SQLite file, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'register.db'}"
        return
    if not PG_ADMIN_URL:
        pytest.skip("no PostgreSQL server: set ARMSTRACE_TEST_PG_URL or run `make test` as root (scripts/test-env.sh starts one)")
    import uuid

    import psycopg

    name = f"armstrace_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# labelled documents for the training tests: (text, gold claims as (supplier, recipient, category,
# status)); our own sentences
LABELLED_SENTENCES = [
    ("Norway delivered eight howitzers to Ukraine, the ministry said.", [("NOR", "UKR", "artillery", "delivered")]),
    ("France sold Rafale jets to India last year.", [("FRA", "IND", "aircraft", "delivered")]),
    ("Iran sent drones to Russia in the spring, officials said.", [("IRN", "RUS", "drone", "delivered")]),
    ("Germany will deliver tanks to Poland next year.", [("DEU", "POL", "armored_vehicle", "planned")]),
    ("Spain is considering sending missiles to Ukraine.", [("ESP", "UKR", "missile", "considered")]),
    ("Russia visited India and talked about trade, and tanks were on parade in Moscow.", []),
    ("Brazil bought helicopters from Italy, the air force said.", [("ITA", "BRA", "aircraft", "delivered")]),
    ("The farmers of Kenya sold maize to Uganda.", []),
    ("Turkey supplied drones to Azerbaijan during the war.", [("TUR", "AZE", "drone", "delivered")]),
    ("Canada announced it will send rifles to Ukraine.", [("CAN", "UKR", "small_arms", "planned")]),
    ("Weapons experts from Sweden toured a tank museum in Finland.", []),
    ("Japan sold radars to the Philippines in a new deal.", [("JPN", "PHL", "electronics", "agreed")]),
]


def write_labelled(folder: Path, documents) -> tuple[Path, Path]:
    """The documents as JSON Lines (corpus "mine", ids d0, d1, ...) and their labels, evidence
    the whole text: (documents file, label file)."""
    import json

    docs, labels = folder / "mine.jsonl", folder / "labels.jsonl"
    with docs.open("w", encoding="utf-8") as d, labels.open("w", encoding="utf-8") as lab:
        for n, (text, claims) in enumerate(documents):
            d.write(json.dumps({"id": f"d{n}", "text": text}) + "\n")
            lab.write(json.dumps({"id": f"d{n}", "corpus": "mine", "claims": [
                {"supplier": s, "recipient": r, "category": c, "status": st, "designation": None, "attribution": [],
                 "evidence": {"field": "text", "start": 0, "end": len(text)}} for s, r, c, st in claims]}) + "\n")
    return docs, labels
