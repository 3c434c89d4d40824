"""Alembic's environment for mailbot: migrations run on the connection schema.py hands over
(SQLite or PostgreSQL), against the models' metadata. SQLite changes tables by copying them
(batch mode), as it cannot alter most columns in place."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from mailbot.model import models  # noqa: F401  (the tables)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
