"""The database engine: SQLite by default (WAL, foreign keys, a busy timeout), PostgreSQL by URL."""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from mailbot.model import audit, models  # models: the tables; audit: the hook that chains every event

# How long a write waits for another process's lock on a SQLite database before it gives up;
# the worker then says so and tries again after a back-off.
BUSY_TIMEOUT_SECONDS = 10


# SQLite lets one transaction write at a time and makes the others retry, sleeping 1, 2, 5, …
# ms in between. Threads of one worker that write at the same time (dispatch, and the sender
# beside it: worker.SendAlongside) take this lock around their writing transactions instead,
# which is handed over at once.
_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def writing(engine: Engine, wait: bool = True) -> Iterator[bool]:
    """Hold around a transaction that writes, where another thread of this process may write
    too. SQLite only; PostgreSQL's row locks let writers work side by side. Says whether it is
    yours: with ``wait=False`` it is not when another thread holds it (write nothing then)."""
    if engine.url.get_backend_name() != "sqlite":
        yield True
        return
    lock = _WRITERS.setdefault(engine, threading.Lock())
    if not lock.acquire(blocking=wait):
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def make_durable(engine: Engine) -> None:
    """Make every transaction committed so far survive a power cut, before something outside
    the database is done on the strength of it: messages moved out of the inbox, mail sent.

    SQLite runs in WAL mode with synchronous=NORMAL: a commit is written to the WAL file and
    synced only at the next checkpoint, so a power cut (a crash of the process loses nothing)
    can take the last commits back. Had the worker moved those messages to the processed
    folder already, their reports would be lost; had it sent their mail, the mail would go
    twice. One fsync of the WAL file here makes all of them durable: one per batch instead of
    one per commit. Frames no longer in the WAL were checkpointed, which syncs the database
    file. PostgreSQL syncs every commit itself (synchronous_commit)."""
    if engine.url.get_backend_name() != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    try:
        fd = os.open(f"{engine.url.database}-wal", os.O_RDONLY)
    except FileNotFoundError:
        return  # no WAL: everything is in the database file
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    """Bring the database to the newest schema (schema.py: Alembic migrations), then make sure
    the audit chain has its head row."""
    from mailbot.model import schema

    schema.upgrade(engine)
    with Session(engine) as s:
        if s.get(models.AuditHead, 1) is None:
            s.add(models.AuditHead(id=1, seq=0, hash=audit.GENESIS))
            s.commit()
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            p = Path(url.database + suffix)
            if p.exists():
                os.chmod(p, 0o600)


def session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)
