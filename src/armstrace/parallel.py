"""Extraction in worker processes: `extract --processes N`, `ingest --processes N`.

Parsing is CPU-bound and spaCy holds the GIL, so more cores need more processes. Documents
go to the workers in chunks, at most a few chunks ahead of what has been consumed (memory
stays flat however long the input), and come back in input order: the claims are the same
as with one process, and the register is still written by the calling process alone. The
pipeline and the model are loaded before the workers start (they share the pages under
``fork``); where ``fork`` is missing each worker loads its own.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from .extract.pipeline import SHIPPED
from .ingest import Document, InputProblem

CHUNK = 32  # documents a task
AHEAD = 2  # chunks queued per worker beyond the one it works on


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _load(model) -> None:
    from .extract.pipeline import get_extractor
    from .nlp import get_nlp

    get_nlp()
    get_extractor(model)


def _die_with_parent() -> None:
    """Make this worker end when the process that started it dies (Linux): a killed ingest
    leaves no worker parsing on, nor one printing a broken pipe's traceback as it finds the
    results have nowhere to go."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: workers end when they next write to the parent, as before


def _start_worker(model, load: bool) -> None:
    _die_with_parent()
    if load:
        _load(model)


def _work(chunk: list[Document], model, min_confidence: float, prefilter: bool):
    """One chunk in a worker: (position, claims) of each document extracted, and the problems
    as plain tuples (exceptions with extra fields do not pickle back)."""
    from .safe_extract import extract_batches

    problems: list[InputProblem] = []
    position = {id(doc): i for i, doc in enumerate(chunk)}
    done = [(position[id(doc)], claims)
            for doc, claims in extract_batches(chunk, problems.append, model, min_confidence, prefilter)]
    return done, [(type(p), p.path, p.message, p.line) for p in problems]


def extract_in_processes(docs: Iterable[Document], on_problem: Callable[[InputProblem], None], processes: int,
                         *, model=SHIPPED, min_confidence: float = 0.0,
                         prefilter: bool = True) -> Iterator[tuple[Document, list]]:
    """(document, claims) of every document extracted, in input order, by `processes` workers."""
    context = _context()
    fork = context.get_start_method() == "fork"
    if fork:
        _load(model)  # once here: the workers inherit it
    pool = context.Pool(processes, initializer=_start_worker, initargs=(model, not fork))
    source = iter(docs)
    pending: deque = deque()

    def submit() -> bool:
        chunk = list(islice(source, CHUNK))
        if chunk:
            pending.append((chunk, pool.apply_async(_work, (chunk, model, min_confidence, prefilter))))
        return bool(chunk)

    try:
        for _ in range(processes * (AHEAD + 1)):
            if not submit():
                break
        while pending:
            chunk, result = pending.popleft()
            done, problems = result.get()
            submit()
            for kind, path, message, line in problems:
                on_problem(kind(path, message, line))
            for position, claims in done:
                yield chunk[position], claims
    finally:
        pool.terminate()
        pool.join()
