"""Shared test fixtures: the real corpora beside the checkout, and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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
