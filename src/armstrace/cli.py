"""The `armstrace` command: a thin layer over the Python API.

Exit codes (every command):
  0  everything was read
  1  some inputs or records were skipped (each named on stderr); the rest was processed
  2  usage error (bad option or argument)
  3  nothing could be read at all
  4  stopped by an error (the database went away, a bug): what was stored before it stays,
     and a rerun resumes; the message says what happened
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator

import click

from . import __version__
from .ingest import Document, FieldMap, InputNotice, InputProblem, Reader
from .output import FORMATS, Writer

from .cli_options import EXIT_FATAL, EXIT_NOTHING, EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, Fatal, _filters, _open_store, \
    db_option, filter_options  # noqa: F401  (the exit codes are part of the command's interface)
DEBUG_VAR = "ARMSTRACE_DEBUG"  # set to 1: an error that stops a command shows its traceback

DOC_COLUMNS = ("id", "published", "publisher", "title", "chars", "removed", "syndicated_from")
CLAIM_COLUMNS = (
    "doc", "supplier", "recipient", "category", "status", "designation", "item",
    "attribution", "time", "quantity", "evidence",
)


def _report(problem: InputProblem) -> None:
    click.echo(f"armstrace: {'skipped' if problem.skipped else 'note:'} {problem}", err=True)


def _fieldmap(pairs: tuple[str, ...]) -> FieldMap:
    overrides = {}
    for pair in pairs:
        name, sep, key = pair.partition("=")
        if not sep or not name or not key:
            raise click.BadParameter(f"{pair!r}: write FIELD=KEY, e.g. text=body", param_hint="--field")
        overrides[name.strip()] = key.strip()
    try:
        return FieldMap().with_overrides(overrides)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--field") from None


def _finish(reader: Reader, documents: int) -> None:
    if reader.problems:
        click.echo(f"armstrace: {documents} documents read, {len(reader.problems)} inputs or records skipped", err=True)
        sys.exit(EXIT_SKIPPED if documents else EXIT_NOTHING)
    if documents == 0:
        click.echo("armstrace: no documents found in the inputs", err=True)
        sys.exit(EXIT_NOTHING)


inputs_argument = click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
field_option = click.option(
    "--field", "fields", multiple=True, metavar="FIELD=KEY",
    help="JSON input: read document FIELD (id, title, text, date, url, publisher) from KEY. Repeatable.",
)


class Main(click.Group):
    """The command group; an error no command expected stops it with exit code 4 and one
    clear line, not a traceback that looks like skipped input (exit code 1)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except Exception as err:  # noqa: BLE001  (reported, with its type, and the exit code says so)
            import os
            import traceback

            if os.environ.get(DEBUG_VAR):
                traceback.print_exc()
            lines = str(err).strip().splitlines()
            click.echo(f"armstrace: error: {type(err).__name__}: {lines[0][:500] if lines else ''}", err=True)
            click.echo("armstrace: stopped; what was stored before the error stays, and a rerun resumes "
                       f"(set {DEBUG_VAR}=1 to see where it happened)", err=True)
            sys.exit(EXIT_FATAL)


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="armstrace")
def main() -> None:
    """armstrace: a sourced register of arms-transfer claims read from the news.

    INPUT is a file (.txt, .md, .html, .jsonl, .json, .warc[.gz], .rss/.atom/.xml, or any of
    them .gz), a directory (read recursively) or - for standard input.

    Exit codes: 0 all read; 1 some inputs or records skipped (named on stderr);
    2 usage error; 3 nothing could be read; 4 stopped by an error (what was stored stays).
    """


@main.command()
@inputs_argument
@click.option("--format", "fmt", type=click.Choice(("text",) + FORMATS), default="text", show_default=True,
              help="text: each document in full; table: one line each; jsonl/json/csv: all fields.")
@field_option
@click.option("--raw", is_flag=True, help="Also output the raw input before boilerplate removal (jsonl/json).")
def docs(inputs: tuple[str, ...], fmt: str, fields: tuple[str, ...], raw: bool) -> None:
    """Print documents as ingested: clean text, metadata, and what was removed."""
    reader = Reader(_fieldmap(fields), on_problem=_report)
    out = click.get_text_stream("stdout")
    count = 0
    if fmt == "text":
        for doc in reader.read(inputs):
            count += 1
            out.write(render_document(doc))
    else:
        writer = Writer(out, fmt, DOC_COLUMNS)
        for doc in reader.read(inputs):
            count += 1
            record = doc.to_dict(include_raw=raw)
            if fmt in ("table", "csv"):
                record.update(chars=len(doc.text), removed=", ".join(sorted({r.kind for r in doc.removed})))
            writer.write(record)
        writer.close()
    _finish(reader, count)


def render_document(doc: Document) -> str:
    meta = [
        ("title", doc.title), ("url", doc.url), ("published", doc.published),
        ("publisher", doc.publisher), ("syndicated from", doc.syndicated_from),
        ("language", doc.language), ("source", doc.source_path), ("sha256", doc.content_hash),
    ]
    lines = [f"== {doc.id}"]
    lines += [f"{name + ':':<17}{value}" for name, value in meta if value]
    lines += ["", doc.text, ""]
    if doc.removed:
        lines.append(f"-- removed ({len(doc.removed)}):")
        lines += [f"  {r.kind:<13}[{r.start}:{r.end}]  {r.text}" for r in doc.removed]
    else:
        lines.append("-- removed: nothing")
    return "\n".join(lines) + "\n\n"


model_option = click.option(
    "--model", default=None, metavar="PATH|linear|encoder|rules",
    help="Claim model: 'linear' for the shipped linear judge over the rules' candidates, 'encoder' for the shipped "
         "claim encoder, a folder (or a --linear JSON file) `armstrace train --out` wrote, or 'rules' for the rules "
         "alone (default: the linear judge with the encoder's claims of confidence >= 0.75 beside it).")
confidence_option = click.option(
    "--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
    help="Only claims at least this likely to be right (the model's calibrated probability).")


processes_option = click.option(
    "--processes", "-p", type=click.IntRange(1, 256), default=1, show_default=True,
    help="Worker processes for extraction (one per core helps; output order is kept).")
prefilter_option = click.option(
    "--prefilter/--no-prefilter", default=True, show_default=True,
    help="Skip parsing documents that cannot hold a claim (same claims, far faster on general news).")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary.")


def _model(model: str | None):
    from .extract.pipeline import SHIPPED, load_model
    from .neural.runtime import ModelError

    if model is None:
        return SHIPPED
    try:
        load_model(model)
    except (OSError, ValueError, ModelError) as err:
        raise click.BadParameter(str(err), param_hint="--model") from None
    return model


@main.command()
@inputs_argument
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@field_option
@model_option
@confidence_option
@processes_option
@prefilter_option
@quiet_option
def extract(inputs: tuple[str, ...], fmt: str, fields: tuple[str, ...], model: str | None, min_confidence: float,
            processes: int, prefilter: bool, quiet: bool) -> None:
    """Find the arms-transfer claims in documents; one claim a line in JSONL."""
    from collections import Counter

    from .extract import passed_over
    from .pipeline import extract_safely, not_processed_text
    from .progress import Progress, count_documents

    reader = Reader(_fieldmap(fields), on_problem=_report)
    writer = Writer(click.get_text_stream("stdout"), fmt, CLAIM_COLUMNS)
    count = 0
    unread: Counter = Counter()

    def counted() -> Iterator[Document]:
        nonlocal count
        for doc in reader.read(inputs):
            count += 1
            yield doc

    model = _model(model)
    quiet = quiet or click.get_text_stream("stdout").isatty()  # claims on the terminal: they show the progress
    total = None if quiet else count_documents(inputs)
    with Progress("extracting", total, quiet=quiet) as progress:
        for doc, claims in extract_safely(counted(), reader.problem, model, min_confidence, prefilter, processes):
            reason = passed_over(doc)
            if reason:
                unread[reason] += 1
                reader.problem(InputNotice(doc.source_path or doc.id, f"document {doc.id}: not processed ({reason})"))
            for claim in claims:
                writer.write(claim.to_dict())
            progress.advance(claims=len(claims))
    writer.close()
    if unread:
        click.echo(f"armstrace: {count} documents read{not_processed_text(unread)}", err=True)
    _finish(reader, count)


@main.command(name="train")
@click.option("--labels", "label_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A label file of your own (JSONL, the format of data/training/README.md). Repeatable.")
@click.option("--docs", "doc_files", multiple=True, metavar="CORPUS=FILE",
              help="Where the documents of a corpus your labels name are (JSONL). Repeatable.")
@click.option("--no-shipped", is_flag=True, help="Train on your label files only, not the shipped labels too.")
@click.option("--out", type=click.Path(), default=None,
              help="Where to write the model: a folder for the claim encoder, a JSON file with --linear "
                   "(default: the shipped model in the package).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--epochs", type=click.IntRange(1, 20), default=4, show_default=True,
              help="Passes over the training windows (the claim encoder).")
@click.option("--exclude-corpus", "excluded", multiple=True, metavar="NAME", default=("pool",), show_default=True,
              help="Leave the labels of this corpus out of training (the shipped model leaves out the pool, so "
                   "that the pool scores it as news it never saw; 'none' leaves out nothing). Repeatable.")
@click.option("--curve/--no-curve", default=False, show_default=True,
              help="Also train on 25% and 50% of the documents and print the learning curve.")
@click.option("--synthetic/--no-synthetic", default=True, show_default=True,
              help="Also train on the team's synthetic texts (data/training/synthetic; with the shipped labels only).")
@click.option("--linear", is_flag=True,
              help="Train the linear judge over the rules' candidates (the model before the claim encoder).")
def train_command(label_files: tuple[str, ...], doc_files: tuple[str, ...], no_shipped: bool, out: str | None,
                  seed: int, epochs: int, excluded: tuple[str, ...], curve: bool, synthetic: bool, linear: bool) -> None:
    """Train the claim model from labelled documents; print held-out scores; write the model
    that `extract --model` and `ingest --model` take. The claim encoder needs torch
    (pip install torch==2.13.0, then pip install -e '.[train]')."""
    from .train import DEFAULT_OUT, TrainingError, train

    docs = {}
    for pair in doc_files:
        name, sep, path = pair.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(f"{pair!r}: write CORPUS=FILE, e.g. mine=articles.jsonl", param_hint="--docs")
        docs[name] = path
    log = lambda line: click.echo(f"armstrace: {line}", err=True)  # noqa: E731
    try:
        if linear:
            report = train(label_files, shipped=not no_shipped, docs=docs, out=out or DEFAULT_OUT, seed=seed,
                           curve=curve, log=log)
        else:
            from .neural.fit import FitSettings
            from .neural.runtime import shipped_dir
            from .train_encoder import train_encoder

            report = train_encoder(label_files, shipped=not no_shipped, docs=docs, synthetic=synthetic,
                                   out=out or shipped_dir(),
                                   settings=FitSettings(epochs=epochs, seed=seed),
                                   exclude_corpora=[c for c in excluded if c != "none"],
                                   curve=(0.25, 0.5) if curve else (), log=log)
    except (TrainingError, RuntimeError) as err:
        raise click.ClickException(str(err)) from None
    for line in report.lines():
        click.echo(line)


@main.command(name="eval")
@click.option("--gold", required=True, type=click.Path(exists=True, dir_okay=False), help="Gold claims (JSONL).")
@click.option("--docs", "docs_path", required=True, type=click.Path(exists=True), help="The documents the gold file is about.")
@click.option("--scorer", type=click.Path(exists=True, dir_okay=False), default=None,
              help="score.py to use (default: ../shared/eval/score.py beside the checkout).")
@click.option("--per-doc/--no-per-doc", default=True, show_default=True, help="List missed and spurious triples per document.")
@model_option
def eval_command(gold: str, docs_path: str, scorer: str | None, per_doc: bool, model: str | None) -> None:
    """Score extraction against a gold file: the scorer's metrics, what was missed or spurious,
    errors by field and a status confusion table."""
    from .extract.evaluate import evaluate, format_report

    metrics, details = evaluate(gold, docs_path, scorer, model=_model(model))
    click.echo(format_report(metrics, details if per_doc else None))


# -- the register -------------------------------------------------------------------------

@main.command()
@inputs_argument
@db_option
@field_option
@quiet_option
@model_option
@confidence_option
@processes_option
@prefilter_option
@click.option("--reextract", is_flag=True,
              help="Extract documents stored already with the same text again (after training a model, say); "
                   "analysts' reviews apply to the new claims.")
def ingest(inputs: tuple[str, ...], db: str | None, fields: tuple[str, ...], quiet: bool, model: str | None,
           min_confidence: float, processes: int, prefilter: bool, reextract: bool) -> None:
    """Read, extract and store documents in the register (idempotent; resumes after a stop)."""
    from .pipeline import ingest as run_ingest
    from .progress import Progress, count_documents

    store = _open_store(db)
    model = _model(model)
    total = None if quiet else count_documents(inputs)
    with Progress("ingesting", total, quiet=quiet) as progress:
        claims_before = 0

        def advance(_doc, _outcome, summary) -> None:
            nonlocal claims_before
            progress.advance(claims=summary.claims - claims_before)
            claims_before = summary.claims

        summary = run_ingest(inputs, store, _fieldmap(fields), on_problem=_report, on_document=advance,
                             model=model, min_confidence=min_confidence, processes=processes, prefilter=prefilter,
                             reextract=reextract)
    click.echo(f"armstrace: {summary.line()}", err=True)
    store.close()
    if summary.skipped:
        sys.exit(EXIT_SKIPPED if summary.documents else EXIT_NOTHING)


@main.command()
@inputs_argument
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the Parquet partitions.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="A running Dask scheduler (tcp://host:8786); default: a local cluster of --workers processes.")
@click.option("--workers", type=click.IntRange(1, 512), default=2, show_default=True,
              help="Worker processes of the local cluster.")
@click.option("--chunk", type=click.IntRange(1), default=None, help="JSON Lines records a partition (default 2000).")
@field_option
@model_option
@confidence_option
@prefilter_option
@quiet_option
def batch(inputs: tuple[str, ...], out: str, scheduler: str | None, workers: int, chunk: int | None,
          fields: tuple[str, ...], model: str | None, min_confidence: float, prefilter: bool, quiet: bool) -> None:
    """Extract on a Dask cluster: documents and claims as Parquet partitions under --out
    (a rerun skips finished partitions; `armstrace load` stores them)."""
    from .batch import CHUNK, BatchError, plan, run_batch
    from .progress import Progress

    try:
        parts = plan(inputs, chunk or CHUNK)
    except BatchError as err:
        raise click.ClickException(str(err)) from None
    known = [p.documents for p in parts]
    total = None if None in known else sum(known)
    with Progress("batch", total, quiet=quiet) as progress:
        def done(result, part) -> None:
            for problem in result.problems:
                click.echo(f"armstrace: {problem}", err=True)
            if result.error:
                click.echo(f"armstrace: partition {result.name} ({part.path}) failed after retries: {result.error}",
                           err=True)
            progress.advance(part.documents or result.documents, result.claims)

        try:
            report = run_batch(inputs, out, scheduler=scheduler, workers=workers, parts=parts,
                               model=_model(model), min_confidence=min_confidence, prefilter=prefilter,
                               fieldmap=_fieldmap(fields), on_result=done)
        except BatchError as err:
            raise click.ClickException(str(err)) from None
    click.echo(f"armstrace: {report.line()}", err=True)
    if report.failed:
        click.echo(f"armstrace: {len(report.failed)} partitions failed; run the same command again to retry them",
                   err=True)
        sys.exit(EXIT_SKIPPED)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@db_option
@quiet_option
def load(folder: str, db: str | None, quiet: bool) -> None:
    """Store the Parquet partitions `armstrace batch` wrote in the register (idempotent)."""
    from .batch import BatchError, load as run_load, partitions_in
    from .progress import Progress

    try:
        markers = partitions_in(folder)
    except BatchError as err:
        raise click.ClickException(str(err)) from None
    store = _open_store(db)
    total = sum(m.get("documents", 0) for _name, m in markers)
    with Progress("loading", total, quiet=quiet) as progress:
        report = run_load(folder, store, on_documents=lambda docs, claims: progress.advance(docs, claims),
                          on_problem=_report)
    click.echo(f"armstrace: {report.line()}", err=True)
    store.close()
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


STORED_CLAIM_COLUMNS = ("id", "date", "supplier", "recipient", "category", "status", "designation", "item",
                        "attribution", "publisher", "review", "evidence")
FACT_COLUMNS = ("id", "supplier", "recipient", "category", "designation", "status", "statuses", "first_date",
                "last_date", "n_sources", "n_claims", "n_reviewed", "confidence")


@main.command()
@db_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
def claims(db: str | None, fmt: str, **kwargs) -> None:
    """List stored claims, with their evidence."""
    filters = _filters(kwargs)
    store = _open_store(db)
    writer = Writer(click.get_text_stream("stdout"), fmt, STORED_CLAIM_COLUMNS)
    writer.write_all(c.to_dict() for c in store.claims(filters))
    writer.close()


@main.command()
@db_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--evidence/--no-evidence", default=True, show_default=True,
              help="Table format: print each fact's evidence sentences under it.")
def facts(db: str | None, fmt: str, evidence: bool, **kwargs) -> None:
    """List facts: claims merged by supplier, recipient and item, with corroboration."""
    filters = _filters(kwargs)
    store = _open_store(db)
    out = click.get_text_stream("stdout")
    records = store.facts(filters)
    if fmt == "table" and evidence:
        for fact in records:
            row = {**fact.to_dict(), "statuses": ", ".join(fact.statuses)}
            out.write(render_fact(row))
        if not records:
            out.write("(none)\n")
        return
    writer = Writer(out, fmt, FACT_COLUMNS)
    writer.write_all({**f.to_dict(), "statuses": ", ".join(f.statuses)} for f in records)
    writer.close()


def render_fact(fact: dict) -> str:
    item = f"{fact['designation']} ({fact['category']})" if fact["designation"] else fact["category"]
    lines = [
        f"#{fact['id']}  {fact['supplier'] or '?'} -> {fact['recipient'] or '?'}  {item}  "
        f"latest: {fact['status']}  statuses: {fact['statuses']}",
        f"    dates {fact['first_date'] or '?'} .. {fact['last_date'] or '?'};  independent reports "
        f"{fact['n_sources']};  claims {fact['n_claims']} ({fact['n_reviewed']} reviewed);  "
        f"confidence {fact['confidence']:.2f}",
    ]
    if fact.get("cited"):
        lines.append(f"    cited: {'; '.join(fact['cited'])}")
    for ev in fact["evidence"]:
        who = f" [{'; '.join(' '.join(a.split()) for a in ev['attribution'])}]" if ev["attribution"] else ""
        copy = " (copy)" if ev["duplicate"] else ""
        mark = f" [{ev['review']}]" if ev.get("review") else ""
        # one line each: a wire story's hard line breaks inside a sentence would break the listing
        lines.append(f"    - {ev['status']:<10} {ev['date'] or '':<10} {' '.join(ev['evidence'].split())}{who}  "
                     f"<{ev['url'] or ev['doc']}>{copy}{mark}  (claim {ev['claim']})")
    return "\n".join(lines) + "\n\n"


@main.command(name="export")
@db_option
@click.option("--format", "fmt", type=click.Choice(("csv", "jsonl", "parquet", "graphml", "gexf")), required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="File to write.")
@filter_options
def export_command(db: str | None, fmt: str, out: str, **kwargs) -> None:
    """Export facts: CSV in SIPRI's column order, JSONL, Parquet, or a GraphML/GEXF network for Gephi.

    In CSV a cell a spreadsheet would run as a formula (=, +, -, @ first) gets a leading ';
    the other formats keep the exact values."""
    from .export import export

    filters = _filters(kwargs)
    store = _open_store(db)
    try:
        count = export(store, fmt, out, filters)
    except OSError as err:
        raise click.ClickException(f"cannot write {out}: {err.strerror or err}") from None
    click.echo(f"armstrace: {count} facts written to {out} ({fmt})", err=True)


@main.group()
def sipri() -> None:
    """Compare the register with SIPRI's Arms Transfers Database."""


@sipri.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@db_option
def sipri_import(file: str, db: str | None) -> None:
    """Load a SIPRI Trade Register CSV export (replaces an earlier import)."""
    from .sipri import SipriFormatError, import_register

    store = _open_store(db)
    try:
        counts = import_register(store, file)
    except SipriFormatError as err:
        raise click.ClickException(str(err)) from None
    unmapped = counts.pop("_unmapped")
    click.echo(f"armstrace: {counts['deals']} SIPRI deals imported from {file}", err=True)
    if unmapped:
        shown = ", ".join(unmapped[:12]) + (" ..." if len(unmapped) > 12 else "")
        click.echo(f"armstrace: {len(unmapped)} SIPRI party names have no code in our gazetteer: {shown}", err=True)


DIFF_COLUMNS = ("kind", "supplier", "recipient", "category", "designation", "status", "first_date", "last_date",
                "sources", "sipri_ids",
                "sipri_designations", "sipri_years", "evidence")


@sipri.command(name="diff")
@db_option
@filter_options
@click.option("--only", type=click.Choice(("corroborated", "news-only", "disputed", "outside-sipri-period")),
              help="Show one kind only.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
def sipri_diff(db: str | None, only: str | None, fmt: str, **kwargs) -> None:
    """Facts the news reports that SIPRI lacks, and SIPRI deals the news corroborates."""
    from .sipri import diff

    filters = _filters(kwargs)
    store = _open_store(db)
    try:
        entries = diff(store, filters)
    except LookupError as err:
        raise click.ClickException(str(err)) from None
    entries = [e for e in entries if only is None or e.kind == only]
    writer = Writer(click.get_text_stream("stdout"), fmt, DIFF_COLUMNS)
    writer.write_all(e.to_dict() for e in entries)
    writer.close()
    kinds = Counter(e.kind for e in entries)
    click.echo(f"armstrace: {kinds['news-only']} facts not in SIPRI, {kinds['corroborated']} corroborating SIPRI deals, "
               f"{kinds['disputed']} halted or denied where SIPRI lists a deal, {kinds['outside-sipri-period']} "
               "from years the SIPRI export does not cover", err=True)


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--token", envvar="ARMSTRACE_TOKEN", default=None,
              help="A token for one anonymous writer (reviews, uploads), besides the reviewers' own tokens "
                   "(`armstrace users add`). Set it as $ARMSTRACE_TOKEN: on the command line it shows in "
                   "`ps` to everyone on this machine.")
@click.option("--header-timeout", type=click.FloatRange(0, 3600, min_open=True), default=10.0, show_default=True,
              metavar="SECONDS",
              help="Close a connection that has not sent a request's complete headers within SECONDS of opening "
                   "(or of the previous response): half-open clients cannot hold connections.")
@click.pass_context
def serve(ctx: click.Context, db: str | None, host: str, port: int, token: str | None, header_timeout: float) -> None:
    """Serve the web UI and the JSON API (docs at /docs), on this machine only unless --host
    says otherwise (then put a reverse proxy with TLS and access control in front)."""
    import uvicorn
    from click.core import ParameterSource

    from .api import create_app
    from .header_timeout import protocol

    store = _open_store(db)
    app = create_app(store=store, token=token)
    click.echo(f"armstrace: serving {store.url} at http://{host}:{port}/ (API docs at /docs)", err=True)
    warnings = exposure_warnings(host, bool(token), len(store.users()))
    if token and ctx.get_parameter_source("token") is ParameterSource.COMMANDLINE:
        warnings.append("--token on the command line can be read by anyone on this machine who lists processes "
                        "(ps, /proc); set ARMSTRACE_TOKEN in the environment instead, or give each reviewer a "
                        "token of their own (`armstrace users add NAME`).")
    for line in warnings:
        click.secho(f"armstrace: WARNING: {line}", err=True, fg="yellow", bold=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", http=protocol(header_timeout))


def exposure_warnings(host: str, token: bool, reviewers: int) -> list[str]:
    """What an analyst should know when the server is reachable from other machines."""
    import ipaddress

    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        return []
    lines = [f"--host {host} exposes the register beyond this machine: anyone who can reach this port "
             "can READ every document, claim and review. Put a reverse proxy (nginx, Caddy) in front, with TLS, "
             "access control and its own limits on connections and slow clients, and keep serve on 127.0.0.1 "
             "behind it."]
    if token:
        lines.append("--token admits an ANONYMOUS writer: anyone holding it can upload and review without a name; "
                     "prefer `armstrace users add NAME`.")
    if not token and not reviewers:
        lines.append("no reviewer tokens exist (`armstrace users add NAME`): writes are refused.")
    return lines


from .cli_review import review, users  # noqa: E402  (they use the options above)

main.add_command(review)
main.add_command(users)
