"""Alembic environment: run by `armstrace.store.engine.migrate` with a connection."""

from alembic import context

from armstrace.store.schema import Base

connection = context.config.attributes["connection"]
if connection.dialect.name == "postgresql":
    # one migrating process at a time; the others wait, then find the schema current
    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
context.run_migrations()
