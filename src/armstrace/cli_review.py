"""`armstrace review ...` and `armstrace users ...`: analysts check the register."""

from __future__ import annotations

import getpass
import sys

import click

from .cli_options import _filters, _open_store, db_option, filter_options
from .output import FORMATS, Writer

QUEUE_COLUMNS = ("id", "fact_n_sources", "confidence", "supplier", "recipient", "category", "designation", "status",
                 "attribution", "doc", "evidence")
LOG_COLUMNS = ("id", "created_at", "reviewer", "action", "claim_id", "values", "note")
reviewer_option = click.option("--reviewer", default=None,
                               help="Your name in the log (default: $ARMSTRACE_REVIEWER, else your login).")
note_option = click.option("--note", default=None, help="Why: kept in the log with the review.")
request_option = click.option(
    "--request-id", default=None, metavar="KEY",
    help="A key for this write (a UUID, say): the same command again with the same key writes "
         "nothing more, so a script may retry it safely; another write with the key is refused.")
set_option = click.option("--set", "pairs", multiple=True, metavar="FIELD=VALUE",
                          help="A field to set: supplier, recipient, category, status, designation, "
                               "attribution (names joined with ';'), time. Repeatable.")


def _reviewer(name: str | None) -> str:
    import os

    return name or os.environ.get("ARMSTRACE_REVIEWER") or getpass.getuser()


def _values(pairs: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r}: write FIELD=VALUE, e.g. status=delivered", param_hint="--set")
        values[name.strip()] = value.strip()
    return values


def _show(record) -> str:
    c = record.to_dict() if hasattr(record, "to_dict") else record
    item = c["designation"] or c["category"]
    was = ""
    if c.get("machine"):
        changed = [f"{k} {v!r}" for k, v in c["machine"].items() if c.get(k) != v]
        was = f"  (was: {', '.join(changed)})" if changed else ""
    return (f"claim {c['id']}: {c['supplier'] or '?'} -> {c['recipient'] or '?'}  {item} ({c['category']}), "
            f"{c['status']}  [{c['review'] or 'unreviewed'}]{was}  fact {c['fact_id']}")


@click.group()
def review() -> None:
    """Check what armstrace read: accept, reject or correct claims, add missed ones."""


def _write(store, claim_ids, action, values, reviewer, note, request_id=None) -> None:
    from .store import ReviewError

    try:
        written = store.review(claim_ids, action, values, reviewer=_reviewer(reviewer), note=note,
                               request_id=request_id)
    except ReviewError as err:
        raise click.ClickException(str(err)) from None
    for claim, _review in written:
        click.echo(_show(claim))


@review.command()
@click.argument("claim_ids", nargs=-1, required=True, type=click.IntRange(min=1), metavar="CLAIM_ID...")
@note_option
@reviewer_option
@request_option
@db_option
def accept(claim_ids: tuple[int, ...], note: str | None, reviewer: str | None, request_id: str | None,
           db: str | None) -> None:
    """Mark claims right."""
    _write(_open_store(db), claim_ids, "accept", None, reviewer, note, request_id)


@review.command()
@click.argument("claim_ids", nargs=-1, required=True, type=click.IntRange(min=1), metavar="CLAIM_ID...")
@note_option
@reviewer_option
@request_option
@db_option
def reject(claim_ids: tuple[int, ...], note: str | None, reviewer: str | None, request_id: str | None,
           db: str | None) -> None:
    """Mark claims wrong: they drop out of their facts, exports and the API."""
    _write(_open_store(db), claim_ids, "reject", None, reviewer, note, request_id)


@review.command()
@click.argument("claim_id", type=click.IntRange(min=1))
@set_option
@note_option
@reviewer_option
@request_option
@db_option
def correct(claim_id: int, pairs: tuple[str, ...], note: str | None, reviewer: str | None, request_id: str | None,
            db: str | None) -> None:
    """Set fields of a claim to what the text says; it moves to the right fact."""
    if not pairs:
        raise click.UsageError("say what to correct: --set field=value (e.g. --set status=planned)")
    _write(_open_store(db), (claim_id,), "correct", _values(pairs), reviewer, note, request_id)


def _sentences(full: str) -> list[tuple[int, int]]:
    """The sentences of a stored text as extraction splits them: (start, end) offsets."""
    from .nlp import get_nlp, normalise

    spans = []
    for sent in get_nlp()(normalise(full)).sents:
        stripped = sent.text.strip()
        if stripped:
            start = sent.start_char + len(sent.text) - len(sent.text.lstrip())
            spans.append((start, start + len(stripped)))
    return spans


@review.command()
@click.argument("document")
@click.option("--sentence", type=click.IntRange(min=1), default=None,
              help="The sentence (numbered from 1) that states the claim; without it, the sentences are listed.")
@set_option
@note_option
@reviewer_option
@request_option
@db_option
def add(document: str, sentence: int | None, pairs: tuple[str, ...], note: str | None, reviewer: str | None,
        request_id: str | None, db: str | None) -> None:
    """Add a claim the machine missed, on a sentence of a stored document (its id or key)."""
    from .ingest import Document
    from .store import ReviewError
    from .store.schema import DocumentRow

    store = _open_store(db)
    with store.Session() as session:
        from sqlalchemy import select

        row = session.get(DocumentRow, int(document)) if document.isdigit() else None
        row = row or session.scalar(select(DocumentRow).where(DocumentRow.doc_key == document))
        if row is None:
            raise click.ClickException(f"no document {document!r} (give its id or its key)")
        doc_id, full = row.id, Document(id=row.doc_key, text=row.text, title=row.title).full_text
    spans = _sentences(full)
    if sentence is None:
        for n, (start, end) in enumerate(spans, 1):
            click.echo(f"{n:>4}  {' '.join(full[start:end].split())}")
        return
    if sentence > len(spans):
        raise click.BadParameter(f"document {document} has {len(spans)} sentences", param_hint="--sentence")
    if not pairs:
        raise click.UsageError("give the claim: --set category=... --set status=... (and supplier, recipient, ...)")
    start, end = spans[sentence - 1]
    try:
        claim, _review = store.add_claim(doc_id, start, end, _values(pairs), reviewer=_reviewer(reviewer), note=note,
                                        request_id=request_id)
    except ReviewError as err:
        raise click.ClickException(str(err)) from None
    click.echo(_show(claim))


@review.command()
@filter_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@db_option
def queue(fmt: str, db: str | None, **kwargs) -> None:
    """What to look at first: unreviewed claims, the least sure on the facts with the fewest
    independent reports first."""
    limit = kwargs.get("limit")
    kwargs["limit"] = None
    filters = _filters(kwargs)
    items, total = _open_store(db).queue(filters, limit=20 if limit is None else limit, offset=filters.offset)
    writer = Writer(click.get_text_stream("stdout"), fmt, QUEUE_COLUMNS)
    writer.write_all(items)
    writer.close()
    click.echo(f"armstrace: {total} claims to review; showing {len(items)}", err=True)


@review.command()
@click.option("--claim", "claim_id", type=click.IntRange(min=1), default=None, help="Only the reviews of this claim.")
@click.option("--reviewer", default=None, help="Only this reviewer's.")
@click.option("--limit", type=click.IntRange(min=0), default=100, show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@db_option
def log(claim_id: int | None, reviewer: str | None, limit: int, fmt: str, db: str | None) -> None:
    """The review log, newest first (never changed: every decision stays)."""
    writer = Writer(click.get_text_stream("stdout"), fmt, LOG_COLUMNS)
    writer.write_all(_open_store(db).reviews(claim_id, reviewer, limit))
    writer.close()


@review.command(name="export")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Label file to write (JSONL).")
@db_option
def export_command(out: str, db: str | None) -> None:
    """Write the reviews as training labels (and the documents beside them as OUT.docs.jsonl)
    for `armstrace train --labels OUT`."""
    from .review_export import docs_path, export_reviews

    try:
        documents, claims = export_reviews(_open_store(db), out)
    except OSError as err:
        raise click.ClickException(f"cannot write {out}: {err.strerror or err}") from None
    click.echo(f"armstrace: {documents} reviewed documents ({claims} claims) written to {out}; "
               f"their texts to {docs_path(out)}", err=True)


@click.group()
def users() -> None:
    """Reviewers who may write through the API (each with a token): add, list, rotate, revoke.

    Exit codes: 0 done; 1 the write failed (a name taken already); 2 a bad NAME (no such
    reviewer) or option."""


@users.command(name="add")
@click.argument("name")
@db_option
def users_add(name: str, db: str | None) -> None:
    """Make a reviewer; print their token (shown this once: only its hash is stored)."""
    from .store import ReviewError

    try:
        token = _open_store(db).add_user(name)
    except ReviewError as err:
        raise click.ClickException(str(err)) from None
    click.echo(token)
    if sys.stdout.isatty():
        click.echo(f"armstrace: the token of {name}; it is shown only now. Send it as "
                   "'Authorization: Bearer TOKEN' or paste it into the web UI.", err=True)


def _unknown(name: str, err: Exception) -> click.BadParameter:
    return click.BadParameter(f"{err}; `armstrace users list` names the reviewers", param_hint=f"NAME {name!r}")


@users.command(name="revoke")
@click.argument("name")
@db_option
def users_revoke(name: str, db: str | None) -> None:
    """Take a reviewer's token away: a running server refuses it from the next request on.
    Their reviews stay in the log under their name."""
    from .store import ReviewError

    try:
        _open_store(db).revoke_user(name)
    except ReviewError as err:
        raise _unknown(name, err) from None
    click.echo(f"armstrace: {name.strip()} may no longer write; their reviews stay in the log", err=True)


@users.command(name="rotate")
@click.argument("name")
@db_option
def users_rotate(name: str, db: str | None) -> None:
    """Give a reviewer a new token and print it (shown this once); the old one is refused
    from the next request on."""
    from .store import ReviewError

    try:
        token = _open_store(db).rotate_token(name)
    except ReviewError as err:
        raise _unknown(name, err) from None
    click.echo(token)
    if sys.stdout.isatty():
        click.echo(f"armstrace: the new token of {name.strip()}; it is shown only now, and the old one "
                   "no longer works.", err=True)


@users.command(name="list")
@db_option
def users_list(db: str | None) -> None:
    """The reviewers (never their tokens)."""
    for user in _open_store(db).users():
        click.echo(f"{user['name']}\t{user['created_at']}")
