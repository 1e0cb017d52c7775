"""Crash safety and concurrency of the register (issue 13, items 2 and 3).

Crash safety: `armstrace ingest` (also with --processes 2), `armstrace batch` (on a Dask
LocalCluster), `armstrace load` and analysts' review writes are killed with SIGKILL at many
points, then run again to completion. After every kill the register must be consistent as
it stands (SQLite `PRAGMA integrity_check` ok and no foreign key broken, every document
stored exactly once and with all its claims or not at all, the documents stored a prefix of
the input, each fact's figures what its claims give, each claim's review state what the
review log gives, every acknowledged review in the log); after the rerun it must equal a
clean rebuild: the same inputs (and the same reviews) written into a fresh database without
a kill, compared document by document, claim by claim (evidence span and every field) and
fact by fact (counts, timeline, sources, confidence).

Kill points. A process killed while Python starts and spaCy loads (5-8 s here) tells nothing
about the register, so most runs are forked from a *launcher*: one process that has imported
armstrace and loaded the NLP pipeline, and forks a child for each run that calls the real
command-line entry point (`armstrace.cli.main`) with the real arguments. The child writes a
trace (Store opened "M"/"R", a bulk transaction begun "B"/ended "E", a single write
transaction begun "X"/ended "T" with its attempts), and a kill point says where to kill:
"when the 2nd bulk transaction has begun, plus 0.3 s". The test kills the child with SIGKILL
and reaps it: a kill point counts only when the child died of the signal (not when it
finished first). Runs are chained: each rerun resumes the register the last kill left; when
a run finishes before its kill point, that chain is checked against the clean rebuild and
the next kill point starts a fresh database. Some runs are the real `python -m armstrace`
command instead (an ingest killed once its first documents are stored, the last load), and
`batch` always is (its Dask workers are processes of their own).

    pytest tests/test_crash.py                          # SQLite, and PostgreSQL when ARMSTRACE_TEST_PG_URL is set
    ARMSTRACE_CRASH_LONG=1 pytest tests/test_crash.py   # three times the kill points

Concurrency (`test_concurrent_ingests_reviewers_and_readers`): several ingest processes (two
of them on the same file), two reviewer processes reviewing the same claims, and the API
server read all the while: no "database is locked" (or any error) reaches a user, every
answer is 200, every acknowledged review is in the log, and the register equals a clean
rebuild with the log's reviews replayed in order.

The figures of a run (kill points, where they landed, retries) are printed: `pytest -s`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import PG_ADMIN_URL, ROOT

LONG = os.environ.get("ARMSTRACE_CRASH_LONG") == "1"
SCALE = 3 if LONG else 1
PYTHON = sys.executable
RULES = "rules"

# -- inputs ---------------------------------------------------------------------------------

SUPPLIERS = ["Germany", "France", "Iran", "the United States", "Turkey", "Russia", "China", "Israel",
             "South Korea", "Sweden", "Norway", "Italy", "Britain", "Spain", "Brazil", "Japan"]
RECIPIENTS = ["Poland", "Ukraine", "India", "Saudi Arabia", "Egypt", "Pakistan", "Qatar", "Greece",
              "Taiwan", "Morocco", "Indonesia", "Vietnam", "Nigeria", "Chile", "Finland", "Romania"]
WEAPONS = ["Leopard 2 tanks", "Shahed-136 drones", "Rafale jets", "Patriot missiles", "Bayraktar TB2 drones",
           "K9 howitzers", "Gripen fighters", "Javelin missiles", "Su-35 fighter jets", "HIMARS launchers",
           "artillery shells", "armoured personnel carriers", "IRIS-T air defence systems", "Caesar howitzers",
           "F-16 fighter jets", "Stinger missiles", "corvettes", "attack helicopters", "assault rifles"]
FRAMES = ["{s} will deliver {w} to {r}", "{s} has supplied {w} to {r}", "{s} is considering selling {w} to {r}",
          "{s} agreed to sell {w} to {r}", "{s} delivered {w} to {r} last month", "{s} plans to send {w} to {r}",
          "{s} offered {w} to {r}", "{s} halted the delivery of {w} to {r}", "{r} is seeking {w} from {s}"]
SAYS = ["officials said on day {n}", "the defence ministry said", "according to Reuters", "two diplomats said",
        "a government spokesman confirmed", "the newspaper reported"]
SITES = ["ledger.example", "herald.example", "courier.example", "gazette.example", "tribune.example",
         "dispatch.example", "observer.example"]
WORDS = ("harbour council budget river library festival weather traffic school bridge museum garden railway "
         "market theatre election hospital stadium airport forest orchestra bakery ferry tunnel vineyard "
         "lighthouse parade harvest concert marathon exhibition cathedral university canal tram village "
         "mountain glacier island valley desert meadow orchard").split()


def arms_articles(n: int, prefix: str = "art", seed: int = 13) -> list[dict]:
    """`n` short articles of arms-transfer sentences (2-4 each, varied parties, weapons and
    stages), with near-copies on a mirror site, exact reprints and a few Russian articles
    (kept unread)."""
    rng = random.Random(f"{seed}-{prefix}")
    out = []
    for i in range(n):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            frame = rng.choice(FRAMES).format(s=rng.choice(SUPPLIERS), w=rng.choice(WEAPONS), r=rng.choice(RECIPIENTS))
            sentences.append(f"{frame[0].upper()}{frame[1:]}, {rng.choice(SAYS).format(n=i)}.")
        sentences.append(f"Report {i} of the {prefix} desk also covered the budget debate of week {i % 52} "
                         f"and a parliamentary vote on procurement rules.")
        site = rng.choice(SITES)
        date = f"2024-{1 + i % 12:02d}-{1 + (i * 7) % 28:02d}"
        record = {"id": f"{prefix}-{i:03d}", "title": f"Arms report {i}", "text": " ".join(sentences),
                  "date": date, "url": f"https://{site}/{prefix}/{i}"}
        out.append(record)
        if i % 8 == 3:  # the same story on another site, with its own footer: a near-duplicate
            out.append(dict(record, id=f"{prefix}-mirror-{i:03d}", url=f"https://mirror.example/{prefix}/{i}",
                            text=record["text"] + f" Read the original story on {site}."))
        if i % 11 == 5:  # a reprint, word for word
            out.append(dict(record, id=f"{prefix}-reprint-{i:03d}", url=f"https://reprint.example/{prefix}/{i}"))
        if i % 60 == 30:
            out.append({"id": f"{prefix}-ru-{i:03d}", "title": "Поставки оружия", "date": date,
                        "url": f"https://ru.example/{prefix}/{i}",
                        "text": "Германия поставит Польше танки, сообщили в министерстве обороны во вторник. "
                                f"Это сообщение номер {i} о поставках вооружений и военной технике."})
    return out


def notes(n: int, seed: int = 7) -> list[dict]:
    """`n` short local-news items with no arms transfer (the prefilter passes them over)."""
    rng = random.Random(seed)
    return [{"id": f"note-{i:04d}", "title": f"Local note {i}",
             "text": " ".join(rng.choice(WORDS) for _ in range(24)) + f". Item {i}.",
             "date": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}", "url": f"https://local.example/{i}"}
            for i in range(n)]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


# -- the launcher -----------------------------------------------------------------------------

def _launcher_main() -> None:  # pragma: no cover - runs in the launcher process
    """Load armstrace once, then fork a child per request (a JSON line on stdin)."""
    import importlib
    import traceback

    import armstrace.batch  # noqa: F401
    import armstrace.cli
    import armstrace.pipeline  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    from armstrace.extract.pipeline import get_extractor
    from armstrace.nlp import get_nlp
    from armstrace.store import Store, dedup, reviews

    get_nlp()
    get_extractor(RULES)
    dedup.signature("a text to load the MinHash code")
    reviews.known_actors()
    Store  # noqa: B018
    started: dict[int, float] = {}
    out = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        if "reap" in request:
            pid = request["reap"]
            _, status = os.waitpid(pid, 0)
            answer = {"pid": pid, "seconds": time.monotonic() - started.pop(pid)}
            if os.WIFSIGNALED(status):
                answer["signal"] = os.WTERMSIG(status)
            else:
                answer["code"] = os.WEXITSTATUS(status)
            out.write(json.dumps(answer) + "\n")
            out.flush()
            continue
        assert threading.active_count() == 1, "the launcher must not fork with threads running"
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                os.setpgid(0, 0)
                fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                if request.get("trace"):
                    _instrument(request["trace"])
                if "func" in request:
                    module, name = request["func"].split(":")
                    getattr(importlib.import_module(module), name)(*request["args"])
                    code = 0
                else:
                    armstrace.cli.main.main(args=request["args"], prog_name="armstrace", standalone_mode=True)
                    code = 0
            except SystemExit as err:
                code = err.code if isinstance(err.code, int) else (0 if err.code is None else 1)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        try:
            os.setpgid(pid, pid)  # as the child does: no window in which a kill of the group misses it
        except OSError:
            pass
        started[pid] = time.monotonic()
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()


def _instrument(trace: str) -> None:  # pragma: no cover - runs in a forked child
    """Trace the child's writes: Store opened (M, R), bulk transactions (B n, E) and single
    write transactions (X, T attempts). Appended unbuffered, so a kill loses no event."""
    from armstrace.store import Store

    fd = os.open(trace, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def event(text: str) -> None:
        os.write(fd, f"{time.monotonic():.4f} {text}\n".encode())

    init, add_many, transaction = Store.__init__, Store.add_many, Store._transaction

    def traced_init(self, *args, **kwargs):
        event("M")
        init(self, *args, **kwargs)
        event("R")

    def traced_add_many(self, items, *args, **kwargs):
        items = list(items)
        event(f"B {len(items)}")
        outcomes = add_many(self, items, *args, **kwargs)
        event("E")
        return outcomes

    def traced_transaction(self, work):
        attempts = 0

        def counted(session):
            nonlocal attempts
            attempts += 1
            return work(session)

        event("X")
        try:
            return transaction(self, counted)
        finally:
            event(f"T {attempts}")

    Store.__init__, Store.add_many, Store._transaction = traced_init, traced_add_many, traced_transaction


@dataclass
class Run:
    """A child of the launcher (`pid`) or a real command (`proc`) and the files it writes."""

    label: str
    trace: Path
    log: Path
    pid: int = 0
    proc: subprocess.Popen | None = None
    started: float = field(default_factory=time.monotonic)
    outcome: dict = field(default_factory=dict)

    def events(self) -> list[tuple[float, str]]:
        try:
            lines = self.trace.read_text().splitlines()
        except FileNotFoundError:
            return []
        return [(float(line.split()[0]), " ".join(line.split()[1:])) for line in lines if line.strip()]

    def count(self, kind: str) -> int:
        return sum(1 for _t, text in self.events() if text.split()[0] == kind)

    def finished(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is not None
        return _state(self.pid) in ("Z", None)

    def where(self) -> str:
        """Where a kill landed, from the trace."""
        if self.proc is not None:
            return "the real command (not traced)"
        kinds = [text.split()[0] for _t, text in self.events()]
        if "R" not in kinds:
            return "opening the register (migrations)" if "M" in kinds else "starting"
        if kinds.count("B") > kinds.count("E"):
            return "inside a bulk write transaction"
        if kinds.count("X") > kinds.count("T"):
            return "inside a write transaction"
        if "B" not in kinds and "X" not in kinds:
            return "reading and extracting, before the first write"
        return "between write transactions"

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def alive_in_group(pgid: int) -> list[int]:
    """Processes of a process group still alive (zombies are dead)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry))
    return found


class Launcher:
    def __init__(self, folder: Path):
        self.folder = folder
        self.proc = subprocess.Popen([PYTHON, "-c", "from tests.test_crash import _launcher_main; _launcher_main()"],
                                     cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.lock = threading.Lock()
        self.runs = 0

    def _ask(self, request: dict) -> dict:
        with self.lock:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the launcher died")
        return json.loads(line)

    def start(self, label: str, args: list[str] | None = None, func: str | None = None,
              func_args: list | None = None) -> Run:
        self.runs += 1
        run = Run(label, self.folder / f"{self.runs:03d}-{label}.trace", self.folder / f"{self.runs:03d}-{label}.log")
        request = {"log": str(run.log), "trace": str(run.trace)}
        if func:
            request |= {"func": func, "args": func_args or []}
        else:
            request["args"] = [str(a) for a in args]
        run.started = time.monotonic()
        run.pid = self._ask(request)["pid"]
        return run

    def reap(self, run: Run) -> dict:
        run.outcome = self._ask({"reap": run.pid})
        return run.outcome

    def finish(self, run: Run, timeout: float = 600) -> dict:
        deadline = time.monotonic() + timeout
        while not run.finished():
            if time.monotonic() > deadline:
                os.killpg(run.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
        outcome = self.reap(run)
        assert outcome.get("code") == 0, f"{run.label} failed: {outcome}\n{run.text()[-4000:]}"
        return outcome

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def launcher(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    started = time.monotonic()
    chief = Launcher(folder)
    warm = chief.start("warm", func="tests.test_crash:_nothing")
    chief.finish(warm)
    print(f"\nlauncher ready in {time.monotonic() - started:.1f} s")
    yield chief
    chief.close()


def _nothing() -> None:
    pass


def cli_process(label: str, folder: Path, *args, new_session: bool = True) -> Run:
    """The real command, `python -m armstrace ARGS`, as a process group of its own."""
    log = folder / f"cli-{label}-{uuid.uuid4().hex[:6]}.log"
    handle = open(log, "wb")
    proc = subprocess.Popen([PYTHON, "-m", "armstrace", *map(str, args)], cwd=ROOT, stdout=handle,
                            stderr=subprocess.STDOUT, start_new_session=new_session)
    handle.close()
    return Run(label, log.with_suffix(".trace"), log, pid=proc.pid, proc=proc)


# -- kill points ------------------------------------------------------------------------------

@dataclass
class KillPoint:
    """Kill when `kind` (a trace event, "after" a time, or a `condition`) has happened `count`
    times in the run, `delay` seconds later."""

    kind: str
    count: float = 1
    delay: float = 0.0
    condition: object = None
    poll: float = 0.003
    seen: int = 0

    def __str__(self) -> str:
        if self.kind == "after":
            return f"{self.count:.2f} s after the start"
        names = {"B": "bulk transaction began", "E": "bulk transaction ended", "R": "register opened",
                 "M": "opening the register", "X": "write transaction began", "T": "write transaction ended",
                 "stored": "real command: more documents stored", "markers": "partitions finished",
                 "acknowledged": "reviews acknowledged"}
        what = names.get(self.kind, self.kind)
        return f"#{self.count:g} {what} + {self.delay:.2f} s"

    def reached(self, run: Run) -> bool:
        if self.kind == "after":
            return time.monotonic() - run.started >= self.count
        if self.condition is not None:
            return self.condition(run)
        return run.count(self.kind) >= self.count


def spread(points: list[KillPoint]) -> list[KillPoint]:
    """The kill points, SCALE times over, each round 0.11 s later than the one before."""
    return [dataclasses.replace(p, delay=p.delay + 0.11 * r) for r in range(SCALE) for p in points]


@dataclass
class Kill:
    command: str
    point: str
    interrupted: bool
    where: str
    seconds: float
    stored: int | None = None


def kill_at(run: Run, point: KillPoint, launcher: Launcher | None = None, group: bool = True,
            timeout: float = 300) -> bool:
    """Wait for `point`, SIGKILL the run (its process group when `group`); whether the signal
    killed it (False: it finished first)."""
    deadline = time.monotonic() + timeout
    while not point.reached(run):
        if run.finished():
            break
        assert time.monotonic() < deadline, f"{run.label}: kill point {point} never came\n{run.text()[-3000:]}"
        time.sleep(point.poll)
    else:
        if point.delay:
            time.sleep(point.delay)
    try:
        if group:
            os.killpg(run.pid, signal.SIGKILL)
        else:
            os.kill(run.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if run.proc is not None:
        run.proc.wait(timeout=60)
        run.outcome = {"seconds": time.monotonic() - run.started}
        run.outcome |= {"signal": -run.proc.returncode} if run.proc.returncode < 0 else {"code": run.proc.returncode}
    else:
        launcher.reap(run)
    return run.outcome.get("signal") == signal.SIGKILL


# -- databases --------------------------------------------------------------------------------

class Databases:
    """Fresh databases of one kind: SQLite files in `folder`, or PostgreSQL databases on the
    test server (dropped at `close`)."""

    def __init__(self, dialect: str, folder: Path):
        self.dialect, self.folder, self.created = dialect, folder, []

    def _admin(self):
        import psycopg

        return psycopg.connect(PG_ADMIN_URL, autocommit=True)

    def new(self, label: str, template: str | None = None) -> str:
        if self.dialect == "sqlite":
            path = self.folder / f"{label}-{uuid.uuid4().hex[:6]}.db"
            if template:
                source = sqlite3.connect(template.removeprefix("sqlite:///"))
                target = sqlite3.connect(path)
                source.backup(target)
                target.execute("PRAGMA journal_mode=WAL")
                source.close()
                target.close()
            return f"sqlite:///{path}"
        name = f"armstrace_crash_{label.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        with self._admin() as admin:
            if template:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[1]}"')
            else:
                admin.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"

    def close(self) -> None:
        if self.created:
            with self._admin() as admin:
                for name in self.created:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def dialect_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


@pytest.fixture
def databases(db_url, tmp_path):
    dbs = Databases(dialect_of(db_url), tmp_path)
    yield dbs
    dbs.close()


# -- what a register holds, independent of row ids --------------------------------------------

def _j(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass
class Snapshot:
    tables: list[str]
    doc_keys: list[str] = field(default_factory=list)  # one per row: a key twice is a duplicate
    documents: dict = field(default_factory=dict)  # doc_key -> fields (original by its key)
    claims: dict = field(default_factory=dict)  # doc_key -> sorted claim tuples
    facts: dict = field(default_factory=dict)  # (supplier, recipient, item_key) -> figures and sources
    reviews: list = field(default_factory=list)  # in log order, without ids and times
    review_ids: set = field(default_factory=set)
    version: str | None = None

    def all_claims(self) -> list:
        return sorted((c for group in self.claims.values() for c in group), key=repr)


def snapshot(url: str) -> Snapshot:
    from sqlalchemy import inspect, select, text

    from armstrace.store.engine import make_engine
    from armstrace.store.schema import ClaimRow, DocumentRow, FactRow, ReviewRow, SourceRow

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            snap = Snapshot(tables)
            if "alembic_version" in tables:
                snap.version = conn.execute(text("select version_num from alembic_version")).scalar()
            if "documents" not in tables:
                return snap
            docs = conn.execute(select(DocumentRow.id, DocumentRow.doc_key, DocumentRow.content_hash,
                                       DocumentRow.title, DocumentRow.text, DocumentRow.published, DocumentRow.url,
                                       DocumentRow.not_processed, DocumentRow.duplicate_of, DocumentRow.language,
                                       DocumentRow.removed, DocumentRow.raw)
                                .order_by(DocumentRow.id)).all()
            key_of = {d.id: d.doc_key for d in docs}
            snap.doc_keys = [d.doc_key for d in docs]
            for d in docs:
                snap.documents[d.doc_key] = (d.content_hash, d.title, d.text, d.published, d.url, d.not_processed,
                                             key_of.get(d.duplicate_of), d.language, _j(d.removed), d.raw)
            facts = conn.execute(select(FactRow)).all()
            fact_key = {f.id: (f.supplier, f.recipient, f.item_key) for f in facts}
            sources: dict = {}
            for s in conn.execute(select(SourceRow.fact_id, SourceRow.kind, SourceRow.name)):
                sources.setdefault(s.fact_id, []).append((s.kind, s.name))
            for f in facts:
                snap.facts[fact_key[f.id]] = (f.category, f.designation, f.status, _j(f.timeline), f.first_date,
                                              f.last_date, f.n_claims, f.n_documents, f.n_publishers,
                                              f.n_attributed, f.n_sources, f.n_reviewed, f.confidence,
                                              tuple(sorted(sources.get(f.id, []))))
            for c in conn.execute(select(ClaimRow)):
                snap.claims.setdefault(key_of[c.document_id], []).append((
                    key_of[c.document_id], c.start, c.end, c.evidence, c.supplier, c.recipient, c.category, c.status,
                    c.designation, c.item, _j(c.attribution), c.time, c.quantity, c.purpose, c.confidence, c.rule,
                    c.date, _j(c.spans), None if c.rule == "analyst" else c.key, c.review, c.reviewer,
                    c.review_note, _j(c.machine), fact_key.get(c.fact_id)))
            for group in snap.claims.values():
                group.sort(key=repr)
            added: dict[str, str] = {}  # an added claim's key (made of the time it was added) -> its add's note
            for r in conn.execute(select(ReviewRow).order_by(ReviewRow.id)):
                snap.review_ids.add(r.id)
                if r.action == "add":
                    added[r.claim_key] = f"added by {r.note}"
                snap.reviews.append((r.note, r.action, _j(r.values), r.reviewer, key_of.get(r.document_id),
                                     r.start, r.end, added.get(r.claim_key, r.claim_key)))
            return snap
    finally:
        engine.dispose()


@functools.lru_cache(maxsize=1)
def head_revision() -> str:
    from importlib import resources

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(resources.files("armstrace.store").joinpath("migrations")))
    return ScriptDirectory.from_config(config).get_current_head()


def integrity(url: str) -> None:
    """SQLite: `PRAGMA integrity_check` is ok and `PRAGMA foreign_key_check` finds nothing.
    PostgreSQL (which enforces its keys): no row points at a row that is not there."""
    if dialect_of(url) == "sqlite":
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            connection.close()
        return
    from sqlalchemy import text

    from armstrace.store.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not conn.execute(text("select to_regclass('public.documents')")).scalar():
                return
            for query in ("select count(*) from claims c left join documents d on d.id = c.document_id where d.id is null",
                          "select count(*) from claims c left join facts f on f.id = c.fact_id "
                          "where c.fact_id is not null and f.id is null",
                          "select count(*) from sources s left join facts f on f.id = s.fact_id where f.id is null",
                          "select count(*) from documents c left join documents o on o.id = c.duplicate_of "
                          "where c.duplicate_of is not null and o.id is null"):
                assert conn.execute(text(query)).scalar() == 0, query
    finally:
        engine.dispose()


OUR_TABLES = {"alembic_version", "claims", "documents", "facts", "reviews", "sipri_deals", "sources", "users"}


def consistent(url: str, reference: Snapshot | None = None, order: list[str] | None = None,
               acknowledged: set[int] = frozenset()) -> Snapshot:
    """Check a register as a kill left it; returns its snapshot.

    - the database is sound (`integrity`), and its schema is all there or not there at all;
    - no document twice; with `reference` (a clean register of the same inputs, no
      reviews): each stored document as the reference has it, with all its claims;
    - with `order` (the input's document keys in order): the stored documents are a prefix;
    - every fact's figures are what its claims give now, and every claim's review state is
      what the log gives (both recomputed in a transaction that is rolled back);
    - every `acknowledged` review id is in the log."""
    integrity(url)
    snap = snapshot(url)
    present = set(snap.tables) & OUR_TABLES
    assert not present or present == OUR_TABLES and snap.version == head_revision(), \
        f"a half-made schema: {sorted(present)} at {snap.version}"
    if not present:
        assert not acknowledged
        return snap
    duplicates = [k for k, n in Counter(snap.doc_keys).items() if n > 1]
    assert not duplicates, f"documents stored twice: {duplicates[:5]}"
    if reference is not None:
        for key, fields in snap.documents.items():
            assert fields == reference.documents[key], f"document {key} differs from the clean register"
            assert snap.claims.get(key, []) == reference.claims.get(key, []), f"document {key}: claims differ"
    if order is not None:
        assert set(snap.doc_keys) == set(order[:len(snap.doc_keys)]), "the stored documents are no prefix of the input"
    missing = acknowledged - snap.review_ids
    assert not missing, f"acknowledged reviews missing from the log: {sorted(missing)[:10]}"
    _recomputed_equal(url)
    return snap


def _recomputed_equal(url: str) -> None:
    from sqlalchemy import select

    from armstrace.store import Store
    from armstrace.store.facts import recompute
    from armstrace.store.schema import ClaimRow, FactRow, ReviewRow, SourceRow

    def state(session):
        session.flush()
        facts = {f.id: (f.status, _j(f.timeline), f.first_date, f.last_date, f.n_claims, f.n_documents,
                        f.n_publishers, f.n_attributed, f.n_sources, f.n_reviewed, f.confidence)
                 for f in session.scalars(select(FactRow))}
        sources = sorted(session.execute(select(SourceRow.fact_id, SourceRow.kind, SourceRow.name)).all())
        claims = {c.id: (c.fact_id, c.supplier, c.recipient, c.category, c.status, c.designation,
                         _j(c.attribution), c.time, c.date, c.review, c.reviewer, c.review_note, _j(c.machine),
                         _j(c.spans)) for c in session.scalars(select(ClaimRow))}
        return facts, sources, claims

    with Store(url) as store, store.WriteSession() as session:
        try:
            unlogged = session.scalars(select(ClaimRow.id).where(
                ClaimRow.review.is_not(None), ClaimRow.key.not_in(select(ReviewRow.claim_key)))).all()
            assert not unlogged, f"claims with a review state but no review in the log: {unlogged[:10]}"
            before = state(session)
            for key, content_hash in session.execute(select(ReviewRow.claim_key, ReviewRow.content_hash).distinct()):
                store._rereview(session, key, content_hash)
            for fact in session.scalars(select(FactRow)).all():
                recompute(session, fact)
            after = state(session)
        finally:
            session.rollback()
    facts_before, sources_before, claims_before = before
    facts_after, sources_after, claims_after = after
    changed = [cid for cid in claims_before if claims_before[cid] != claims_after.get(cid)]
    assert not changed, (f"claims whose state is not what their reviews give: "
                         f"{[(claims_before[c], claims_after.get(c)) for c in changed[:3]]}")
    stale = [fid for fid in facts_before if facts_before[fid] != facts_after.get(fid)]
    assert not stale, f"facts whose figures are not what their claims give: {[(facts_before[f], facts_after[f]) for f in stale[:3]]}"
    assert sources_before == sources_after, "a fact's sources are not what its claims give"


def assert_same_register(got: Snapshot, want: Snapshot, reviews: bool = False) -> None:
    """Document for document, claim for claim, fact for fact (and review for review)."""
    assert sorted(got.doc_keys) == sorted(want.doc_keys), (
        f"missing {sorted(set(want.doc_keys) - set(got.doc_keys))[:5]}, "
        f"extra {sorted(set(got.doc_keys) - set(want.doc_keys))[:5]}, "
        f"twice {[k for k, n in Counter(got.doc_keys).items() if n > 1][:5]}")
    differ = [(key, [(n, a, b) for n, (a, b) in enumerate(zip(got.documents[key], want.documents[key])) if a != b])
              for key in want.documents if got.documents[key] != want.documents[key]]
    assert not differ, f"documents differ (key, [(field, got, want)]): {differ[:3]}"
    for key in want.claims.keys() | got.claims.keys():
        assert got.claims.get(key, []) == want.claims.get(key, []), f"claims of {key} differ"
    assert got.facts.keys() == want.facts.keys(), (
        f"facts missing {sorted(want.facts.keys() - got.facts.keys())[:5]}, "
        f"extra {sorted(got.facts.keys() - want.facts.keys())[:5]}")
    for key in want.facts:
        assert got.facts[key] == want.facts[key], f"fact {key}: {got.facts[key]} != {want.facts[key]}"
    if reviews:
        assert got.reviews == want.reviews


# -- the clean registers --------------------------------------------------------------------

@dataclass
class Reference:
    url: str
    snap: Snapshot
    seconds: float


class References:
    """Clean registers, made once per database kind and input, without a kill."""

    def __init__(self, launcher: Launcher, folder: Path):
        self.launcher, self.folder = launcher, folder
        self.made: dict = {}
        self.dbs: dict[str, Databases] = {}

    def databases(self, dialect: str) -> Databases:
        if dialect not in self.dbs:
            self.dbs[dialect] = Databases(dialect, self.folder)
        return self.dbs[dialect]

    def get(self, dialect: str, label: str, args: list) -> Reference:
        """The register `armstrace ARGS --db <fresh>` makes."""
        if (dialect, label) not in self.made:
            url = self.databases(dialect).new(f"ref-{label}")
            run = self.launcher.start(f"clean-{label}", [*args, "--db", url])
            outcome = self.launcher.finish(run)
            self.made[dialect, label] = Reference(url, consistent(url), outcome["seconds"])
        return self.made[dialect, label]

    def close(self) -> None:
        for dbs in self.dbs.values():
            dbs.close()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    arms = arms_articles(170 * (2 if LONG else 1))
    mixed = arms_articles(120, prefix="wire") + notes(480)
    random.Random(5).shuffle(mixed)
    return {"arms": write_jsonl(folder / "arms.jsonl", arms), "arms_keys": [r["id"] for r in arms],
            "mixed": write_jsonl(folder / "mixed.jsonl", mixed), "mixed_keys": [r["id"] for r in mixed]}


@pytest.fixture(scope="module")
def references(launcher, tmp_path_factory):
    refs = References(launcher, tmp_path_factory.mktemp("references"))
    yield refs
    refs.close()


def ingest_args(path: Path, *extra) -> list:
    return ["ingest", str(path), "--model", RULES, "-q", *extra]


REPORT: list[str] = []


def report(line: str) -> None:
    REPORT.append(line)
    print(line)


def summary(command: str, dialect: str, kills: list[Kill]) -> None:
    done = [k for k in kills if k.interrupted]
    where = Counter(k.where for k in done)
    report(f"{command} on {dialect}: {len(done)} of {len(kills)} kill points interrupted the run; "
           + "; ".join(f"{n} {w}" for w, n in where.most_common()))
    for k in kills:
        report(f"    {k.point:45s} {'killed' if k.interrupted else 'finished first'} after {k.seconds:5.2f} s, "
               f"{k.where}" + ("" if k.stored is None else f", {k.stored} documents stored"))


# -- ingest -------------------------------------------------------------------------------------

INGEST_POINTS = [
    KillPoint("M", 1, 0.02),         # making the fresh register's schema (migrations, ~0.1 s)
    KillPoint("M", 1, 0.05),
    KillPoint("stored", 1, 0.3),     # the real command (python -m armstrace), once its first documents are stored
    KillPoint("B", 1, 0.0),          # a bulk transaction (64 documents) has just begun
    KillPoint("B", 1, 0.35),         # in the middle of it
    KillPoint("E", 1, 0.0),          # just after its commit
    KillPoint("R", 1, 0.05),         # reading, and skipping what is stored
    KillPoint("B", 1, 0.7),          # late in a transaction
    KillPoint("E", 1, 0.6),          # extracting the next batch
    KillPoint("B", 1, 0.1),
    KillPoint("E", 1, 0.25),
    KillPoint("B", 1, 0.5),
]


def kill_chain(command: str, points: list[KillPoint], url: str, start, fresh, reference: Snapshot,
               order: list[str] | None = None, launcher: Launcher | None = None, group: bool = True,
               after=None) -> tuple[str, list[Kill], int]:
    """Start a run (`start(url, point)`) and kill it at each point in turn, checking the register
    after each kill; a run that finishes before its point ends the chain (its register must
    be the clean one) and the point is tried again on a `fresh()` register. Returns the last
    register (to be run to the end), the kills and how many registers were used."""
    kills, registers, points = [], 1, list(points)
    while points:
        run = start(url, points[0])
        interrupted = kill_at(run, points[0], launcher, group)
        if after:
            after(run)
        snap = consistent(url, reference, order)
        kills.append(Kill(command, str(points[0]), interrupted, run.where(), run.outcome.get("seconds") or
                          time.monotonic() - run.started, len(snap.doc_keys)))
        if interrupted:
            points.pop(0)
            continue
        assert run.outcome.get("code") == 0, run.text()[-3000:]
        assert_same_register(snap, reference)
        url, registers = fresh(), registers + 1
    return url, kills, registers


def test_ingest_killed_at_many_points_resumes_to_the_clean_register(db_url, databases, launcher, references, inputs):
    """SIGKILL `armstrace ingest` at 10+ points (in its migrations, inside and between its
    write transactions, while it reads what is stored), rerun it after each kill: the
    register is consistent after every kill and equals a clean ingest at the end."""
    dialect = dialect_of(db_url)
    path, order = inputs["arms"], inputs["arms_keys"]
    ref = references.get(dialect, "arms", ingest_args(path))
    folder = Path(databases.folder)

    def start(url: str, point: KillPoint) -> Run:
        if point.kind != "stored":
            return launcher.start("ingest", ingest_args(path, "--db", url))
        point.condition, point.poll = (lambda _run: _stored(url) > point.seen), 0.05
        point.seen = _stored(url)
        return cli_process("ingest", folder, *ingest_args(path, "--db", url))

    url, kills, registers = kill_chain("ingest", spread(INGEST_POINTS), databases.new("ingest"), start,
                                       lambda: databases.new("ingest"), ref.snap, order, launcher)
    final = launcher.start("ingest-final", ingest_args(path, "--db", url))
    launcher.finish(final)
    assert_same_register(consistent(url, ref.snap, order), ref.snap)
    summary("ingest", dialect, kills)
    report(f"    {registers} fresh registers; the clean ingest took {ref.seconds:.1f} s")
    assert sum(k.interrupted for k in kills) >= 10


def _stored(url: str) -> int:
    from sqlalchemy import text

    from armstrace.store.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("select count(*) from documents")).scalar()
    except Exception:  # no schema yet
        return 0
    finally:
        engine.dispose()


PROCESSES_POINTS = [KillPoint("B", 1, 0.2), KillPoint("E", 1, 0.3), KillPoint("B", 2, 0.0)]


def test_ingest_with_worker_processes_killed_resumes_and_leaves_no_worker(db_url, databases, launcher, references,
                                                                         inputs):
    """`ingest --processes 2` killed (the parent alone, as `kill -9 PID` does): its workers
    go away by themselves, and a rerun gives the clean register."""
    dialect = dialect_of(db_url)
    path, order = inputs["arms"], inputs["arms_keys"]
    ref = references.get(dialect, "arms", ingest_args(path))
    stray = []

    def workers_gone(run: Run) -> None:
        deadline = time.monotonic() + 30
        while alive_in_group(run.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = alive_in_group(run.pid)
        if left:
            stray.extend(left)
            os.killpg(run.pid, signal.SIGKILL)

    url, kills, _registers = kill_chain(
        "ingest --processes 2", spread(PROCESSES_POINTS), databases.new("processes"),
        lambda u, _point: launcher.start("ingest-p2", ingest_args(path, "--db", u, "--processes", "2")),
        lambda: databases.new("processes"), ref.snap, order, launcher, group=False, after=workers_gone)
    assert not stray, f"worker processes {stray} outlived the killed ingest by 30 s"
    launcher.finish(launcher.start("ingest-p2-final", ingest_args(path, "--db", url, "--processes", "2")))
    assert_same_register(consistent(url, ref.snap, order), ref.snap)
    summary("ingest --processes 2", dialect, kills)
    assert sum(k.interrupted for k in kills) >= 3


# -- batch and load -------------------------------------------------------------------------

BATCH_CHUNK = 20 if LONG else 50


def _markers(out: Path) -> int:
    return len(list((out / "done").glob("*.json"))) if (out / "done").is_dir() else 0


def check_batch_output(out: Path, mixed_keys: list[str], complete: bool) -> int:
    """Every marker's partition is whole (both tables, as many documents as the marker says, no
    document in two partitions); when `complete`, every document is in one and no partial
    file is left. Returns the documents in finished partitions."""
    import pyarrow.parquet as pq

    seen: list[str] = []
    for marker in sorted((out / "done").glob("*.json")) if (out / "done").is_dir() else []:
        data = json.loads(marker.read_text(encoding="utf-8"))
        documents = pq.read_table(out / "documents" / f"{marker.stem}.parquet").column("id").to_pylist()
        claims = pq.read_table(out / "claims" / f"{marker.stem}.parquet")
        assert len(documents) == data["documents"] and claims.num_rows == data["claims"], marker.name
        seen += documents
    assert len(seen) == len(set(seen)), "a document in two partitions"
    assert set(seen) <= set(mixed_keys)
    if complete:
        assert sorted(seen) == sorted(mixed_keys)
        assert not list(out.rglob("*.partial")), "partial files left behind"
    return len(seen)


@pytest.fixture(scope="module")
def batch_run(inputs, tmp_path_factory, launcher, references):
    """`armstrace batch` (a 2-worker LocalCluster) killed, process group and all, at several
    points, each time run again; then run to the end."""
    folder = tmp_path_factory.mktemp("batch")
    out = folder / "out"
    args = ["batch", str(inputs["mixed"]), "--out", str(out), "--workers", "2", "--chunk", str(BATCH_CHUNK),
            "--model", RULES, "-q"]
    points = [KillPoint("after", 2.5),  # the cluster is starting
              KillPoint("markers", 1, 0.0, condition=lambda r: _markers(out) >= r.base + 1),
              KillPoint("markers", 3, 0.3, condition=lambda r: _markers(out) >= r.base + 3)]
    points = spread(points)
    kills, stray = [], []
    started = time.monotonic()
    for n, point in enumerate(points):
        run = cli_process("batch", folder, *args)
        run.base = _markers(out)
        # the process group (as the terminal's ^\ does), or the command alone (kill -9 PID): its
        # Dask workers must then go by themselves
        interrupted = kill_at(run, point, group=n % 3 != 1)
        deadline = time.monotonic() + 30
        while alive_in_group(run.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        stray += alive_in_group(run.pid)
        if alive_in_group(run.pid):
            os.killpg(run.pid, signal.SIGKILL)
        done = check_batch_output(out, inputs["mixed_keys"], complete=False)
        kills.append(Kill("batch", ("" if n % 3 != 1 else "the command alone: ") + str(point), interrupted,
                          f"{_markers(out) - run.base} partitions finished in this run", time.monotonic() - run.started,
                          done))
    final = cli_process("batch-final", folder, *args)
    assert final.proc.wait(timeout=600) == 0, final.text()[-3000:]
    seconds = time.monotonic() - started
    return {"out": out, "kills": kills, "stray": stray, "final": final.text(), "seconds": seconds}


def test_batch_killed_with_its_workers_resumes_to_whole_partitions(batch_run, inputs, launcher, references):
    out = batch_run["out"]
    assert not batch_run["stray"], f"processes outlived the killed batch: {batch_run['stray']}"
    kills = batch_run["kills"]
    assert sum(k.interrupted for k in kills) >= 3
    assert "done before" in batch_run["final"]
    check_batch_output(out, inputs["mixed_keys"], complete=True)
    # what the partitions hold is what ingest makes of the same input
    ref = references.get("sqlite", "mixed", ingest_args(inputs["mixed"]))
    loaded = references.get("sqlite", "loaded", ["load", str(out), "-q"])
    assert_same_register(loaded.snap, ref.snap)
    summary("batch", "its Parquet folder", kills)
    report(f"    batch kills and reruns took {batch_run['seconds']:.1f} s")


LOAD_POINTS = [KillPoint("R", 1, 0.02),   # reading the partitions
               KillPoint("B", 1, 0.0),    # the first transaction (500 documents) has begun
               KillPoint("B", 1, 0.6),    # in the middle of it
               KillPoint("E", 1, 0.0),    # just after it committed
               KillPoint("B", 2, 0.05)]   # in the second transaction


def test_load_killed_at_several_points_resumes_to_the_clean_register(db_url, databases, launcher, references,
                                                                    inputs, batch_run):
    """`armstrace load` killed before, inside and between its transactions (500 documents
    each), rerun after each kill: consistent after every kill, and at the end the register
    a load without a kill makes (which is the register `ingest` makes of the same input:
    `test_batch_killed_with_its_workers_resumes_to_whole_partitions`)."""
    dialect = dialect_of(db_url)
    out = batch_run["out"]
    ref = references.get(dialect, "loaded", ["load", str(out), "-q"])
    url, kills, _registers = kill_chain(
        "load", spread(LOAD_POINTS), databases.new("load"),
        lambda u, _point: launcher.start("load", ["load", str(out), "--db", u, "-q"]),
        lambda: databases.new("load"), ref.snap, None, launcher)
    final = cli_process("load-final", Path(databases.folder), "load", out, "--db", url, "-q", new_session=False)
    assert final.proc.wait(timeout=600) == 0, final.text()[-3000:]
    assert_same_register(consistent(url, ref.snap), ref.snap)
    summary("load", dialect, kills)
    assert sum(k.interrupted for k in kills) >= 4


# -- review writes --------------------------------------------------------------------------

def review_plan(ref: Snapshot, ops: int, seed: int = 3) -> list[dict]:
    """A deterministic list of review operations on the claims of a register: accept (one or
    several claims in one transaction), reject, correct (moving claims to other facts), review
    a claim again, add a claim on a sentence, and review an added claim."""
    rng = random.Random(seed)
    claims = [c for c in ref.all_claims() if c[18]]
    targets = [{"doc": c[0], "key": c[18]} for c in rng.sample(claims, min(len(claims), ops))]
    plan: list[dict] = []
    added: list[int] = []
    for n in range(ops):
        kind = rng.choice(["accept", "accept", "accept-many", "reject", "correct", "correct", "again", "add",
                           "review-added"])
        target = targets[n % len(targets)]
        if kind == "accept-many":
            plan.append({"n": n, "action": "accept", "claims": rng.sample(targets, 3)})
        elif kind in ("accept", "reject"):
            plan.append({"n": n, "action": kind, "claims": [target]})
        elif kind == "correct":
            values = rng.choice([{"status": rng.choice(["planned", "delivered", "halted"])},
                                 {"recipient": rng.choice(["UKR", "POL", "IND", "EGY"])},
                                 {"designation": rng.choice(["Leopard 2", "K9", "Gripen"]), "category": "aircraft"}])
            plan.append({"n": n, "action": "correct", "claims": [target], "values": values})
        elif kind == "again" and n:
            earlier = rng.choice([p for p in plan if p["action"] != "add" and "claims" in p])
            action = rng.choice(["accept", "reject", "correct"])
            op = {"n": n, "action": action, "claims": earlier["claims"][:1]}
            if action == "correct":
                op["values"] = {"status": rng.choice(["offered", "agreed"])}
            plan.append(op)
        elif kind == "review-added" and added:
            plan.append({"n": n, "action": rng.choice(["accept", "reject", "correct"]),
                         "added_by": rng.choice(added), "values": {"status": "delivered"}})
        else:
            c = rng.choice(claims)
            plan.append({"n": n, "action": "add", "doc": c[0], "start": c[1], "end": c[2],
                         "values": {"supplier": rng.choice(["FRA", "DEU", "USA"]), "recipient": rng.choice(["EGY", "QAT"]),
                                    "category": "aircraft", "status": "agreed"}})
            added.append(n)
    for op in plan:
        if op["action"] in ("accept", "reject"):
            op.pop("values", None)
    return plan


def _review_worker(url: str, plan_path: str, ack_path: str, reviewer: str) -> None:  # pragma: no cover - a child
    """Do the plan's operations not in the log yet (each carries "op N" as its note), one
    Store call each, and append each acknowledged review id to `ack_path` once it returned."""
    from sqlalchemy import select

    from armstrace.store import Store
    from armstrace.store.schema import ClaimRow, DocumentRow, ReviewRow

    plan = json.loads(Path(plan_path).read_text())
    ack = os.open(ack_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    with Store(url) as store:
        tag = f"{reviewer} op "
        done = {r["note"] for r in store.reviews(limit=None) if (r["note"] or "").startswith(tag)}

        def claim_id(target) -> int:
            with store.Session() as session:
                if "added_by" in target:  # the claim it added on its document (reprints have it too)
                    key, doc_id = session.execute(select(ReviewRow.claim_key, ReviewRow.document_id)
                                                  .where(ReviewRow.note == f"{tag}{target['added_by']}")).one()
                    return session.scalar(select(ClaimRow.id).where(ClaimRow.key == key,
                                                                    ClaimRow.document_id == doc_id))
                return session.scalar(select(ClaimRow.id).join(DocumentRow, ClaimRow.document_id == DocumentRow.id)
                                      .where(ClaimRow.key == target["key"], DocumentRow.doc_key == target["doc"]))

        for op in plan:
            note = f"{tag}{op['n']}"
            if note in done:
                continue
            if op["action"] == "add":
                with store.Session() as session:
                    doc_id = session.scalar(select(DocumentRow.id).where(DocumentRow.doc_key == op["doc"]))
                _record, review = store.add_claim(doc_id, op["start"], op["end"], op["values"], reviewer=reviewer,
                                                  note=note)
                written = [review]
            else:
                ids = [claim_id(t) for t in op.get("claims", [op])]
                assert None not in ids, f"{note}: a claim of {op} is not in the register"
                written = [r for _c, r in store.review(ids, op["action"], op.get("values"), reviewer=reviewer,
                                                       note=note)]
            os.write(ack, "".join(f"{r['id']}\n" for r in written).encode())


def acknowledged(path: Path) -> set[int]:
    return {int(line) for line in path.read_text().split()} if path.exists() else set()


def test_review_writes_killed_lose_no_acknowledged_review(db_url, databases, launcher, references, inputs, tmp_path):
    """A reviewer process writing many reviews (Store.review, Store.add_claim) killed at
    several points: every review it was told was written is in the log, nothing is half
    written (each claim's state is what its reviews give, each fact what its claims give),
    and once it has finished the register equals one where the same reviews were written
    without a kill."""
    dialect = dialect_of(db_url)
    ref = references.get(dialect, "arms", ingest_args(inputs["arms"]))
    plan = review_plan(ref.snap, 40 * SCALE)
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan))

    clean_url = databases.new("reviews-clean", template=ref.url)
    clean = launcher.start("reviews-clean", func="tests.test_crash:_review_worker",
                           func_args=[clean_url, str(plan_path), str(tmp_path / "clean.ack"), "alice"])
    seconds = launcher.finish(clean)["seconds"]
    want = consistent(clean_url, acknowledged=acknowledged(tmp_path / "clean.ack"))
    assert len({r[0] for r in want.reviews}) == len(plan)

    url = databases.new("reviews", template=ref.url)
    ack = tmp_path / "reviews.ack"
    total = len(acknowledged(tmp_path / "clean.ack"))
    kills = []
    points = 4 * SCALE
    for k in range(1, points + 1):  # spread over the run, 0-12 ms after an acknowledgement
        count, delay = round(total * k / (points + 1)), (0.0, 0.004, 0.012, 0.002)[k % 4]
        point = KillPoint("acknowledged", count, delay,
                          condition=lambda _r, count=count: len(acknowledged(ack)) >= count)
        run = launcher.start("reviews", func="tests.test_crash:_review_worker",
                             func_args=[url, str(plan_path), str(ack), "alice"])
        interrupted = kill_at(run, point, launcher)
        consistent(url, acknowledged=acknowledged(ack))
        kills.append(Kill("reviews", f"{count} reviews acknowledged + {delay * 1000:.0f} ms", interrupted, run.where(),
                          run.outcome["seconds"], len(acknowledged(ack))))
        assert interrupted, "the reviewer finished before its kill point"
    launcher.finish(launcher.start("reviews-final", func="tests.test_crash:_review_worker",
                                   func_args=[url, str(plan_path), str(ack), "alice"]))
    got = consistent(url, acknowledged=acknowledged(ack))
    assert_same_register(got, want)
    assert got.reviews == want.reviews
    summary("review writes", dialect, [Kill(k.command, k.point, k.interrupted, k.where, k.seconds) for k in kills])
    report(f"    {len(plan)} operations, {len(want.reviews)} reviews; uninterrupted they take {seconds:.1f} s")


# -- concurrency ----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _trace_counts(runs: list[Run]) -> tuple[int, int, int]:
    """Write transactions, those tried more than once, and bulk transactions that fell back
    to one document at a time, over `runs`."""
    transactions = retried = fallbacks = 0
    for run in runs:
        events = [text for _t, text in run.events()]
        for n, text in enumerate(events):
            if text.startswith("T "):
                transactions += 1
                retried += int(text.split()[1]) > 1
            if text.startswith("B ") and n + 1 < len(events) and events[n + 1] != "E":
                fallbacks += 1
    return transactions, retried, fallbacks


def _replay(url: str, log: list[dict], doc_of: dict[int, str]) -> None:  # pragma: no cover - a child
    """Write `log`'s reviews again, in its order, on the claims of the same documents."""
    from sqlalchemy import select

    from armstrace.store import Store
    from armstrace.store.schema import ClaimRow, DocumentRow

    with Store(url) as store:
        added: dict[str, str] = {}  # the key an added claim had there -> the key it has here
        for r in log:
            with store.Session() as session:
                doc_id = session.scalar(select(DocumentRow.id).where(DocumentRow.doc_key == doc_of[str(r["document_id"])]))
                key = added.get(r["claim_key"], r["claim_key"])
                claim_id = session.scalar(select(ClaimRow.id).where(ClaimRow.key == key, ClaimRow.document_id == doc_id))
            if r["action"] == "add":
                _record, review = store.add_claim(doc_id, r["start"], r["end"], r["values"], reviewer=r["reviewer"],
                                                  note=r["note"])
                added[r["claim_key"]] = review["claim_key"]
            else:
                store.review([claim_id], r["action"], r["values"] or None, reviewer=r["reviewer"], note=r["note"])


def test_concurrent_ingests_reviewers_and_readers(db_url, databases, launcher, references, inputs, tmp_path):
    """Three ingest processes (two on the same file), two reviewers reviewing the same claims,
    the API server read all the while (and the register read through Store): no error and no
    "database is locked" reaches anyone, every answer is 200, every acknowledged review is in
    the log, and the register equals a clean rebuild with the log's reviews replayed in order."""
    import httpx

    dialect = dialect_of(db_url)
    ref = references.get(dialect, "arms", ingest_args(inputs["arms"]))
    url = databases.new("concurrent", template=ref.url)
    # new input: articles of their own, and reprints of stored ones (their reviews apply to them)
    fresh = arms_articles(30, prefix="east") + [dict(r, id=f"again-{r['id']}", url=f"https://again.example/{r['id']}")
                                                for r in json.loads("[" + ",".join(
                                                    inputs["arms"].read_text(encoding="utf-8").splitlines()) + "]")
                                                if r["id"].endswith(("3", "7"))]
    files = [write_jsonl(tmp_path / "east.jsonl", fresh),
             write_jsonl(tmp_path / "west.jsonl", arms_articles(30, prefix="west"))]
    plans = []
    for n, reviewer in enumerate(["alice", "bob"]):
        plan = [op for op in review_plan(ref.snap, 30, seed=11) if op["action"] != "add" or n == 0]
        random.Random(n).shuffle(plan)  # the same claims, in another order
        path = tmp_path / f"plan-{reviewer}.json"
        path.write_text(json.dumps([op for op in plan if "added_by" not in op]))
        plans.append((reviewer, path))

    port = _free_port()
    server = subprocess.Popen([PYTHON, "-m", "armstrace", "serve", "--db", url, "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    answers: Counter = Counter()
    bad: list[str] = []
    stop = threading.Event()
    readers: list[threading.Thread] = []
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/api/stats", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()[-3000:]
            time.sleep(0.2)

        def read_api(path: str) -> None:
            with httpx.Client(base_url=base, timeout=120) as client:
                while not stop.is_set():
                    try:
                        answer = client.get(path)
                        answers[answer.status_code] += 1
                        time.sleep(0.03)  # a reader, not a load test: leave the writers some CPU
                        if answer.status_code != 200:
                            bad.append(f"{path}: {answer.status_code} {answer.text[:300]}")
                    except httpx.HTTPError as err:
                        answers["error"] += 1
                        bad.append(f"{path}: {type(err).__name__}: {err}")

        def read_store() -> None:
            from armstrace.store import Store

            with Store(url) as store:
                while not stop.is_set():
                    try:
                        store.facts(limit=50)
                        store.claims(limit=50, review="any")
                        answers["store"] += 1
                        time.sleep(0.03)
                    except Exception as err:  # reported below
                        bad.append(f"Store read: {type(err).__name__}: {err}")

        readers += [threading.Thread(target=read_api, args=(p,)) for p in
                    ("/api/facts?limit=50", "/api/claims?limit=50", "/api/review/queue?limit=20")]
        readers.append(threading.Thread(target=read_store))
        for t in readers:
            t.start()
        started = time.monotonic()
        writers = [launcher.start("ingest-east", ingest_args(files[0], "--db", url)),
                   launcher.start("ingest-west", ingest_args(files[1], "--db", url)),
                   launcher.start("ingest-east-again", ingest_args(files[0], "--db", url))]
        reviewers = [launcher.start(f"review-{name}", func="tests.test_crash:_review_worker",
                                    func_args=[url, str(path), str(tmp_path / f"{name}.ack"), name])
                     for name, path in plans]
        for run in writers + reviewers:
            launcher.finish(run)
        seconds = time.monotonic() - started
        time.sleep(0.5)
    finally:
        stop.set()
        for t in readers:
            t.join(timeout=120)
        server.terminate()
        server.wait(timeout=30)
    server_errors = server.stderr.read().decode()
    for run in writers + reviewers:
        assert "locked" not in run.text().lower() and "Traceback" not in run.text(), run.text()[-3000:]
    assert "locked" not in server_errors.lower() and "Traceback" not in server_errors, server_errors[-3000:]
    assert not bad, bad[:5]
    acks = set().union(*(acknowledged(tmp_path / f"{name}.ack") for name, _ in plans))
    got = consistent(url, acknowledged=acks)
    assert len(acks) == len(got.reviews)

    # the clean rebuild: the same inputs one after another, then the log's reviews in its order
    clean = databases.new("concurrent-clean", template=ref.url)
    for path in files:
        launcher.finish(launcher.start("clean-ingest", ingest_args(path, "--db", clean)))
    from armstrace.store import Store

    with Store(url) as store:
        log = list(reversed(store.reviews(limit=None)))
        with store.Session() as session:
            from sqlalchemy import select

            from armstrace.store.schema import DocumentRow

            doc_of = {str(i): k for i, k in session.execute(select(DocumentRow.id, DocumentRow.doc_key))}
    launcher.finish(launcher.start("replay", func="tests.test_crash:_replay", func_args=[clean, log, doc_of]))
    want = consistent(clean)
    assert_same_register(got, want, reviews=True)
    transactions, retried, fallbacks = _trace_counts(writers + reviewers)
    report(f"concurrency on {dialect}: 3 ingest processes ({len(got.doc_keys) - len(ref.snap.doc_keys)} new documents), "
           f"2 reviewers ({len(acks)} reviews), {sum(v for k, v in answers.items() if k != 'store')} API answers "
           f"({dict(answers)}), in {seconds:.1f} s; {transactions} single write transactions, {retried} retried, "
           f"{fallbacks} bulk transactions redone one document at a time")
