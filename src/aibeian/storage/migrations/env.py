"""Alembic environment: always driven from aibeian.storage with a live connection (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from aibeian.storage._schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
