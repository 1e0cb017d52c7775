"""The real `armstrace serve` in a process of its own, on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """`python -m armstrace serve --db URL ARGS...` until it answers /api/stats; a context
    manager that stops it. `output()` is what it printed (stdout and stderr)."""

    def __init__(self, db_url: str, log: Path, *args: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        handle = open(log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "armstrace", "serve", "--db", db_url, "--host", "127.0.0.1",
             "--port", str(self.port), *args],
            cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
            env={**os.environ, "ARMSTRACE_TOKEN": "", **(env or {})})
        handle.close()
        deadline = time.monotonic() + 90
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"armstrace serve exited {self.proc.returncode}: {self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/stats", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"armstrace serve did not answer in 90 s: {self.output()}")
            time.sleep(0.2)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> "Served":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
