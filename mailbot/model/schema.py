"""The database schema and its migrations (Alembic, in ``mailbot/migrations``), for SQLite and
PostgreSQL alike.

``mailbot init`` and every command that writes bring the database to the newest revision (``mailbot db
upgrade`` does only that, and says from which revision to which). A new, empty database gets
the tables from the models at once and is stamped with the newest revision, which the tests
prove is the same schema the migrations build step by step. A database made before migrations
existed (tables, no ``alembic_version``) gets what it lacks and is stamped.

Making a migration after changing ``models.py``::

    .venv/bin/python -m mailbot.model.schema revision "what changed"

writes ``mailbot/model/migrations/versions/NNNN_what_changed.py`` from the difference between the
models and a database at the newest revision; read it before committing it.
"""

from __future__ import annotations

import functools
import logging
import sys
import tempfile
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from mailbot.model import models  # noqa: F401  (the tables)
from mailbot.model.reading import MIGRATIONS, newest

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)


def _config(connection: Connection | None = None) -> Config:
    # Alembic is imported only when there is something to migrate (or to ask it): importing it
    # and reading the migration scripts was a third of every command's start-up.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head() -> str:
    """The newest revision, as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    rev = ScriptDirectory.from_config(_config()).get_current_head()
    assert rev is not None, "mailbot/model/migrations/versions holds no revision"
    return rev


def _stamped(conn: Connection) -> str | None:
    """The revision the database is at; None for a database without Alembic's table."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return versions[0] if len(versions) == 1 else None


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _stamped(conn)


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the newest revision; returns (before, after). A database already
    there (every start but the first after an upgrade) costs two queries and no Alembic."""
    with engine.begin() as conn:
        before = _stamped(conn)
        if before == newest():
            return before, before
        from alembic import command

        if before is None and conn.dialect.name == "sqlite":
            if inspect(conn).has_table("inbound_message"):
                log.warning("database: made before migrations existed; adding what it lacks and stamping it")
            SQLModel.metadata.create_all(conn)
            command.stamp(_config(conn), "head")
        else:
            command.upgrade(_config(conn), "head")
    return before, head()


def revision(message: str) -> None:  # pragma: no cover (a developer's tool)
    """Autogenerate a migration from a scratch SQLite database at the newest revision."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/scratch.sqlite3")
        with engine.begin() as conn:
            command.upgrade(_config(conn), "head")
            number = len(list(ScriptDirectory.from_config(_config()).walk_revisions())) + 1
            command.revision(_config(conn), message=message, autogenerate=True, rev_id=f"{number:04d}")


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        sys.exit('usage: python -m mailbot.model.schema revision "what changed"')
    revision(sys.argv[2])
