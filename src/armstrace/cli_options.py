"""Options and helpers the register's commands share (`cli.py` and `cli_review.py`), and the
exit codes of the `armstrace` command."""

from __future__ import annotations

import click

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, EXIT_NOTHING, EXIT_FATAL = 0, 1, 2, 3, 4


db_option = click.option(
    "--db", default=None, metavar="URL",
    help="Database: a SQLite path or postgresql://user@host/name (default: $ARMSTRACE_DB, else ./armstrace.db).",
)


def _open_store(db: str | None):
    from .store import Store

    try:
        return Store(db)
    except ValueError as err:  # a URL of a database armstrace does not speak
        raise click.BadParameter(str(err), param_hint="--db") from None
    except Exception as err:  # an unreachable server, a file that is no database
        raise Fatal(f"cannot open the database {db or '(default)'}: {type(err).__name__}: {err}") from None


class Fatal(click.ClickException):
    """An error that stops the command (exit code 4), not a skipped input (1)."""

    exit_code = EXIT_FATAL


def filter_options(func):
    """The filters shared by claims, facts and export."""
    from .choices import CATEGORIES, REVIEW_STATES, STATUSES

    options = [
        click.option("--supplier", help="Supplier code (IRN, USA, hezbollah, ...)."),
        click.option("--recipient", help="Recipient code."),
        click.option("--party", help="Either supplier or recipient."),
        click.option("--category", type=click.Choice(CATEGORIES)),
        click.option("--designation", help="Model name, e.g. Su-35 (spelling-insensitive: SU35 finds Su-35)."),
        click.option("--status", type=click.Choice(STATUSES)),
        click.option("--since", metavar="DATE", help="Only claims dated on or after DATE (2024, 2024-05, 2024-05-31)."),
        click.option("--until", metavar="DATE", help="Only claims dated on or before DATE."),
        click.option("--min-sources", type=click.IntRange(min=0),
                     help="Only facts with at least N independent reports (distinct original publishers)."),
        click.option("--min-confidence", type=click.FloatRange(0, 1),
                     help="Only claims (and facts) whose confidence is at least this."),
        click.option("--text", help="Evidence sentence contains TEXT."),
        click.option("--review", type=click.Choice(REVIEW_STATES),
                     help="Only claims (facts with a claim) in this review state; default: all but the rejected."),
        click.option("--limit", type=click.IntRange(min=0), help="At most N rows."),
        click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip the first N rows."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filters(kwargs: dict):
    from .store import ClaimFilter

    names = ("supplier", "recipient", "party", "category", "designation", "status", "since", "until",
             "min_sources", "min_confidence", "text", "review", "limit", "offset")
    try:
        return ClaimFilter(**{n: kwargs.pop(n) for n in names})
    except ValueError as err:
        raise click.UsageError(str(err)) from None
