"""Reading the register without the ORM: for the commands people type (``list``, ``show``,
``messages``, ``status``), which must answer at once, also after ten years of cases.

Importing SQLAlchemy, SQLModel and the models costs most of a second before the first row
is read; these commands need none of it. They read through the database's own driver
(``sqlite3`` from the standard library, or psycopg), with plain SQL on the tables the
migrations made, each row a dict by column name. The one check before reading is the schema's
revision, one query against the newest migration's number: a database that is not there yet
gets None here, and the command then brings it up to date the usual way (schema.py) first.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from mailbot.core.clock import as_utc

MIGRATIONS = Path(__file__).parent / "migrations"


@functools.cache
def newest() -> str:
    """The newest revision from the file names alone: the migrations are one line, each
    ``NNNN_what.py`` with revision ``"NNNN"`` (see schema.revision). tests/test_schema.py proves
    this is what Alembic reads from the scripts."""
    numbers = sorted(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    assert numbers, "mailbot/model/migrations/versions holds no revision"
    return numbers[-1]


class _Cursor(Protocol):
    description: Any

    def execute(self, sql: Any, params: Sequence[Any] = ...) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def close(self) -> None: ...


class Reader:
    """One read-only connection. SQL is written with ``?`` for parameters, on either database."""

    def __init__(self, conn: Any, placeholder: str) -> None:
        self.conn = conn
        self.placeholder = placeholder

    def _execute(self, sql: str, params: Sequence[Any]) -> _Cursor:
        cur: _Cursor = self.conn.cursor()
        cur.execute(sql.replace("?", self.placeholder) if self.placeholder != "?" else sql, params)
        return cur

    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        cur = self._execute(sql, params)
        try:
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        finally:
            cur.close()

    def tuples(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """The rows as the driver gives them: for many rows, where a dict each would cost."""
        cur = self._execute(sql, params)
        try:
            return [tuple(row) for row in cur.fetchall()] if self.placeholder != "?" else cur.fetchall()
        finally:
            cur.close()

    def value(self, sql: str, *params: Any) -> Any:
        cur = self._execute(sql, params)
        try:
            found = cur.fetchall()
        finally:
            cur.close()
        return found[0][0] if found else None

    def at(self, moment: datetime) -> Any:
        """A time as a parameter, as the ORM sends it, so that it compares with stored times as
        the ORM's queries do: UTC wall time as text on SQLite, the aware time to psycopg."""
        utc = moment.astimezone(UTC)
        return utc.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if self.placeholder == "?" else utc

    def close(self) -> None:
        self.conn.close()


def when(value: Any) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite keeps text, PostgreSQL a timestamp."""
    if value is None:
        return None
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _connect(url: str) -> Reader:
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        # Read-only: a command that only reads never creates nor changes the database.
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        return Reader(conn, "?")
    import psycopg

    return Reader(psycopg.connect(re.sub(r"^postgresql\+\w+://", "postgresql://", url), autocommit=True), "%s")


def open_reader(url: str) -> Reader | None:
    """A reader on the database at ``url``; None when it is missing or not at the newest
    revision (then schema.upgrade first)."""
    if url.startswith("sqlite") and not Path(url.split("sqlite:///", 1)[-1]).is_file():
        return None
    reader = _connect(url)
    try:
        revision = reader.value("SELECT version_num FROM alembic_version")
    except Exception:  # no alembic_version table: a database from before migrations
        reader.close()
        return None
    if revision != newest():
        reader.close()
        return None
    return reader


def inside(real_root: Path, relative: str) -> Path:
    """The stored file ``relative`` under ``real_root`` (a resolved path); ValueError for a path
    that leads outside it, as a stored path altered in the database would."""
    path = (real_root / relative).resolve()
    if real_root not in path.parents:
        raise ValueError(f"stored path outside the data dir: {relative!r}")
    return path


def raw(reader: Reader, data_dir: Path, relative: str) -> bytes:
    """Stored bytes (a raw message), as store.py keeps them: in the database on PostgreSQL,
    else (and for what was stored before) under the data dir. OSError when there are none."""
    if reader.placeholder != "?":
        pieces = reader.rows("SELECT data FROM blob_chunk WHERE path = ? ORDER BY seq", relative)
        if pieces:
            return b"".join(bytes(p["data"]) for p in pieces)
    return inside(data_dir.resolve(), relative).read_bytes()
