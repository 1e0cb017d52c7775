"""`armstrace batch`: the pipeline on a Dask cluster, documents and claims as Parquet;
`armstrace load`: those Parquet files into the register.

    from armstrace.batch import run_batch, load
    report = run_batch(["news/2024.jsonl", "crawl/"], "out/", workers=2)   # a LocalCluster
    report = run_batch(paths, "out/", scheduler="tcp://10.0.0.5:8786")     # a running cluster
    load("out/", Store("sqlite:///register.db"))

The inputs are split into **partitions**: a JSON Lines file into runs of `chunk` lines, a
WARC file into runs of `warc_chunk` records (when its records can be read on their own: an
uncompressed WARC or one gzip member a record, as crawlers write them); the documents keep
the ids and numbers they have when the whole file is read. Every other file (text, HTML,
feed, a WARC in one gzip stream) is one partition. Each partition is one task: read, extract
(the same `extract_safely` as `ingest`), then write ``documents/<part>.parquet`` and
``claims/<part>.parquet`` and last a marker ``done/<part>.json`` (counts, problems, the
input's size and time). Files are written under a temporary name and renamed, so a stopped
run leaves no half file; a rerun skips every partition whose marker matches its input. A
failing task is retried (`retries`); a partition that still fails is reported by name with
its error, and no marker is written, so the next run tries it again.

The Parquet files are plain tables (DuckDB: ``select * from 'out/claims/*.parquet'``; pandas:
``pd.read_parquet('out/claims')``). `load` stores them with `Store.add_many`: the same rows
and facts as `ingest` of the same inputs, many documents a transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .extract.pipeline import SHIPPED, passed_over
from .ingest import Document, FieldMap, InputProblem, Reader, article_files, format_of
from .ingest.document import RemovedSpan
from .ingest.warc import record_offsets
from .pipeline import IngestSummary

CHUNK = 2000  # JSON Lines records a partition
WARC_CHUNK = 500  # WARC records a partition
RETRIES = 2
LOAD_BATCH = 500  # documents a transaction in `load`


class BatchError(Exception):
    """The batch cannot start: no inputs, an input that cannot be split, a bad output folder."""


@dataclass(frozen=True)
class Partition:
    """A piece of the input: lines [start, stop) of a JSON Lines file, records [start, stop)
    of a WARC file (the first at byte `offset`; `stop` None: to the end), or a whole file."""

    path: str
    start: int = 0
    stop: int | None = None
    size: int = 0
    mtime_ns: int = 0
    kind: str = "file"  # "jsonl", "warc" or "file"
    offset: int = 0

    @property
    def name(self) -> str:
        """A stable file name for the partition: the input's name, its line or record range and a hash."""
        stem = Path(self.path).name.replace(".", "_")[:60]
        span = "all" if self.kind == "file" else f"{self.start}-{'end' if self.stop is None else self.stop}"
        digest = hashlib.sha256(f"{os.path.abspath(self.path)}:{self.start}:{self.stop}".encode()).hexdigest()[:10]
        return f"{stem}.{span}.{digest}"

    @property
    def fingerprint(self) -> str:
        """What must match for a finished partition to count as done: the input's size and time."""
        return f"{self.size}:{self.mtime_ns}"

    @property
    def documents(self) -> int | None:
        """How many documents the partition holds, when known (JSON Lines ranges)."""
        return self.stop - self.start if self.kind == "jsonl" and self.stop is not None else None


@dataclass
class PartitionResult:
    name: str
    path: str
    documents: int = 0
    claims: int = 0
    not_processed: int = 0
    problems: list[str] = field(default_factory=list)
    skipped: int = 0  # inputs or records left out (reported in `problems`)
    error: str | None = None  # the partition failed: nothing of it written


@dataclass
class BatchReport:
    partitions: int = 0
    done_before: int = 0  # skipped: finished by an earlier run
    results: list[PartitionResult] = field(default_factory=list)

    @property
    def failed(self) -> list[PartitionResult]:
        return [r for r in self.results if r.error]

    def line(self) -> str:
        ok = [r for r in self.results if not r.error]
        return (f"partitions: {self.partitions} ({len(ok)} done now, {self.done_before} done before, "
                f"{len(self.failed)} failed); documents: {sum(r.documents for r in ok)}, "
                f"claims: {sum(r.claims for r in ok)}, skipped: {sum(r.skipped for r in ok)}")


# -- planning ------------------------------------------------------------------------------

def _files(inputs: Iterable[str | os.PathLike]) -> Iterator[str]:
    for item in inputs:
        path = os.fspath(item)
        if path == "-":
            raise BatchError("batch reads files, not standard input: save it to a file first")
        if os.path.isdir(path):
            yield from article_files(path)
        elif os.path.isfile(path):
            yield path
        else:
            raise BatchError(f"{path}: no such file or directory")


def plan(inputs: Iterable[str | os.PathLike], chunk: int = CHUNK, warc_chunk: int = WARC_CHUNK) -> list[Partition]:
    """The partitions of `inputs`, in input order: `chunk` lines of a JSON Lines file,
    `warc_chunk` records of a WARC file whose records can be read on their own, else a file."""
    parts: list[Partition] = []
    for path in _files(inputs):
        stat = os.stat(path)
        fmt = format_of(path)
        offsets = record_offsets(path) if fmt == "warc" else None
        if fmt == "jsonl" and not path.lower().endswith(".gz"):
            with open(path, "rb") as handle:
                lines = sum(1 for _ in handle)
            for start in range(0, max(lines, 1), chunk):
                parts.append(Partition(path, start, min(start + chunk, lines), stat.st_size, stat.st_mtime_ns,
                                       "jsonl"))
        elif offsets:
            for start in range(0, len(offsets), warc_chunk):
                stop = start + warc_chunk if start + warc_chunk < len(offsets) else None  # the last reads to the end
                parts.append(Partition(path, start, stop, stat.st_size, stat.st_mtime_ns, "warc", offsets[start]))
        else:
            parts.append(Partition(path, 0, None, stat.st_size, stat.st_mtime_ns))
    if not parts:
        raise BatchError("no inputs to read")
    return parts


def _marker(out: Path, part: Partition) -> Path:
    return out / "done" / f"{part.name}.json"


def finished(out: Path, part: Partition) -> bool:
    marker = _marker(out, part)
    try:
        return json.loads(marker.read_text(encoding="utf-8")).get("fingerprint") == part.fingerprint
    except (OSError, ValueError):
        return False


# -- one partition (runs on a worker) ------------------------------------------------------

def _document_row(doc: Document, reason: str | None) -> dict:
    return {"id": doc.id, "title": doc.title, "text": doc.text, "url": doc.url, "published": doc.published,
            "publisher": doc.publisher, "syndicated_from": doc.syndicated_from, "language": doc.language,
            "source_path": doc.source_path, "content_hash": doc.content_hash, "not_processed": reason,
            "removed": [asdict(r) for r in doc.removed],
            "raw": doc.raw if doc.removed else None}


def _write_parquet(rows: list[dict], schema, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial)
    os.replace(partial, path)


def _schemas():
    import pyarrow as pa

    text = pa.string()
    documents = pa.schema([("id", text), ("title", text), ("text", text), ("url", text), ("published", text),
                           ("publisher", text), ("syndicated_from", text), ("language", text),
                           ("source_path", text), ("content_hash", text), ("not_processed", text), ("raw", text),
                           ("removed", pa.list_(pa.struct([("kind", text), ("start", pa.int64()),
                                                           ("end", pa.int64()), ("text", text)])))])
    claims = pa.schema([("doc", text), ("supplier", text), ("recipient", text), ("category", text),
                        ("status", text), ("designation", text), ("item", text), ("attribution", pa.list_(text)),
                        ("time", text), ("quantity", text), ("purpose", text), ("evidence", text),
                        ("start", pa.int64()), ("end", pa.int64()), ("confidence", pa.float64()), ("rule", text),
                        ("spans", pa.struct([(name, pa.list_(pa.int64())) for name in ("supplier", "recipient", "item")]))])
    return documents, claims


def run_partition(part: Partition, out: str, model=SHIPPED, min_confidence: float = 0.0, prefilter: bool = True,
                  fieldmap: FieldMap | None = None, order: int = 0) -> PartitionResult:
    """Read, extract and write one partition; the marker last (with `order`, the partition's
    place in the input, which `load` follows). Raises on failure (the scheduler retries)."""
    from .pipeline import extract_safely

    folder = Path(out)
    problems: list[InputProblem] = []
    reader = Reader(fieldmap, on_problem=problems.append)
    if part.kind == "jsonl":
        docs = reader.read_jsonl_lines(part.path, part.start, part.stop)
    elif part.kind == "warc":
        docs = reader.read_warc_records(part.path, part.offset, part.start + 1,
                                        None if part.stop is None else part.stop - part.start)
    else:
        docs = reader.read([part.path])
    result = PartitionResult(part.name, part.path)
    document_rows, claim_rows = [], []
    for doc, claims in extract_safely(docs, reader.problem, model, min_confidence, prefilter):
        reason = passed_over(doc)
        result.not_processed += bool(reason)
        document_rows.append(_document_row(doc, reason))
        for claim in claims:
            row = claim.to_dict()
            for key in ("time", "quantity", "purpose", "rule"):
                row[key] = None if row[key] is None else str(row[key])
            claim_rows.append(row)
    result.documents, result.claims = len(document_rows), len(claim_rows)
    result.problems = [str(p) for p in problems]
    result.skipped = sum(p.skipped for p in problems)
    documents_schema, claims_schema = _schemas()
    _write_parquet(document_rows, documents_schema, folder / "documents" / f"{part.name}.parquet")
    _write_parquet(claim_rows, claims_schema, folder / "claims" / f"{part.name}.parquet")
    marker = _marker(folder, part)
    marker.parent.mkdir(parents=True, exist_ok=True)
    partial = marker.with_name(marker.name + ".partial")
    partial.write_text(json.dumps({**asdict(result), "fingerprint": part.fingerprint, "start": part.start,
                                   "stop": part.stop, "order": order}, indent=1), encoding="utf-8")
    os.replace(partial, marker)
    return result


# -- the run -------------------------------------------------------------------------------

def run_batch(inputs: Iterable[str | os.PathLike], out: str | os.PathLike, *, scheduler: str | None = None,
              workers: int = 2, chunk: int = CHUNK, model=SHIPPED, min_confidence: float = 0.0,
              prefilter: bool = True, fieldmap: FieldMap | None = None, retries: int = RETRIES,
              warc_chunk: int = WARC_CHUNK, parts: list[Partition] | None = None,
              on_result: Callable[[PartitionResult, Partition], None] | None = None) -> BatchReport:
    """Run every unfinished partition of `inputs` on Dask (`scheduler` address, else a
    LocalCluster of `workers` single-threaded processes) and write them under `out`.
    `parts`: the `plan` of `inputs` when the caller has made it already."""
    from distributed import Client, LocalCluster, as_completed

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise BatchError(f"{folder}: exists and is not a directory")
    folder.mkdir(parents=True, exist_ok=True)
    parts = plan(inputs, chunk, warc_chunk) if parts is None else parts
    report = BatchReport(partitions=len(parts))
    todo = [p for p in parts if not finished(folder, p)]
    report.done_before = len(parts) - len(todo)
    if not todo:
        return report
    position = {p.name: n for n, p in enumerate(parts)}
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=50)
    client = Client(scheduler or cluster)
    try:
        futures = {client.submit(run_partition, part, str(folder.resolve()), model, min_confidence, prefilter,
                                 fieldmap, position[part.name], retries=retries, pure=False,
                                 key=f"armstrace-{part.name}"): part
                   for part in todo}
        for future in as_completed(futures):
            part = futures[future]
            try:
                result = future.result()
            except Exception as err:  # after its retries: reported, never dropped silently
                result = PartitionResult(part.name, part.path, error=f"{type(err).__name__}: {err}")
            report.results.append(result)
            if on_result:
                on_result(result, part)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    report.results.sort(key=lambda r: position[r.name])
    return report


# -- load ----------------------------------------------------------------------------------

@dataclass
class LoadReport(IngestSummary):
    """What `load` did: `ingest`'s summary, and how many partitions it read."""

    partitions: int = 0

    def line(self) -> str:
        return f"partitions: {self.partitions}; {super().line()}"


def partitions_in(out: str | os.PathLike) -> list[tuple[str, dict]]:
    """The finished partitions under `out` (name, marker), in the order of their inputs."""
    folder = Path(out)
    if not (folder / "done").is_dir():
        raise BatchError(f"{folder}: no finished partitions here (is it the --out of `armstrace batch`?)")
    found = []
    for marker in sorted((folder / "done").glob("*.json")):
        data = json.loads(marker.read_text(encoding="utf-8"))
        found.append((marker.stem, data))
    found.sort(key=lambda item: (item[1].get("order", 0), item[1].get("path", ""), item[1].get("start") or 0))
    return found


def _documents_of(folder: Path, name: str) -> Iterator[tuple[Document, list[dict], str | None]]:
    import pyarrow.parquet as pq

    claims: dict[str, list[dict]] = {}
    for row in pq.read_table(folder / "claims" / f"{name}.parquet").to_pylist():
        claims.setdefault(row["doc"], []).append(row)
    for row in pq.read_table(folder / "documents" / f"{name}.parquet").to_pylist():
        doc = Document(id=row["id"], text=row["text"] or "", title=row["title"], url=row["url"],
                       published=row["published"], publisher=row["publisher"],
                       syndicated_from=row["syndicated_from"], language=row["language"],
                       source_path=row["source_path"], raw=row.get("raw"),
                       removed=[RemovedSpan(**r) for r in row["removed"] or []])
        yield doc, claims.get(row["id"], []), row["not_processed"]


def load(out: str | os.PathLike, store, *, batch: int = LOAD_BATCH,
         on_documents: Callable[[int, int], None] | None = None,
         on_problem: Callable[[InputProblem], None] | None = None) -> LoadReport:
    """Store every finished partition under `out` (idempotent: a document stored before with
    the same text is left as it is). A document the database refuses is reported to
    `on_problem` (else raised) and counted as skipped; the others are stored."""
    folder = Path(out)
    report = LoadReport()
    pending: list[tuple[Document, list[dict], str | None]] = []

    def refused(err) -> None:
        report.skipped += 1
        on_problem(err.problem())

    def flush() -> None:
        for (_doc, claims, reason), outcome in zip(pending, store.add_many(pending, on_refused=refused if on_problem else None)):
            if outcome != "refused":
                report.record(outcome, reason, len(claims))
        if on_documents:
            on_documents(len(pending), sum(len(c) for _d, c, _r in pending))
        pending.clear()

    for name, _marker_data in partitions_in(folder):
        report.partitions += 1
        for item in _documents_of(folder, name):
            pending.append(item)
            if len(pending) >= batch:
                flush()
    if pending:
        flush()
    report.facts = store.counts()["facts"]
    return report
