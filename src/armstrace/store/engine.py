"""Database URLs and engines: SQLite by default (WAL mode), PostgreSQL for teams."""

from __future__ import annotations

import os
import threading
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_URL = "sqlite:///armstrace.db"
ENV_VAR = "ARMSTRACE_DB"


def resolve_url(db: str | None = None) -> str:
    """The database URL: `db`, else $ARMSTRACE_DB, else ./armstrace.db.

    A plain path means a SQLite file; ``postgresql://`` uses the psycopg 3 driver."""
    url = db or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(db: str | None = None, write: bool = False) -> Engine:
    """An engine for `db`. On SQLite, `write=True` gives transactions that take the write
    lock up front (BEGIN IMMEDIATE), so concurrent writers queue instead of failing;
    readers keep plain transactions and never wait for writers (WAL)."""
    url = make_url(resolve_url(db))
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # let SQLAlchemy, not the driver, decide where transactions begin
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=60000")
            if url.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise ValueError(f"unsupported database {url.get_backend_name()!r}: use a SQLite path or postgresql://")


_MIGRATING = threading.Lock()  # Alembic's environment is one per process: one upgrade at a time


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (safe to call from several processes and threads)."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("armstrace.store").joinpath("migrations")))
    with _MIGRATING, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
