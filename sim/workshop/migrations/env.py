"""Alembic's environment for the results store: always run programmatically, on a connection the
store hands over (``config.attributes["connection"]``); see ``sim.workshop.store.migrate``."""

from __future__ import annotations

from alembic import context

from sim.workshop.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # Several serve hosts may start at once: one migrates, the others wait for it.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(74201613)")
    context.run_migrations()
