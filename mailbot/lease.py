"""One worker per database: a lease row, taken at start and renewed while the worker runs.

The file lock in the data dir (worker.py) stops a second worker on the same data dir; this
stops one on the same *database* from anywhere else (another data dir pointed at it through
``MAILBOT_DATABASE_URL``, another machine). Without it both would fetch, handle and send the
same mail. A lease not renewed for :data:`LEASE_SECONDS` has been left by a worker that
died, and may be taken over. A worker on the same machine and data dir holds the file
lock, so an earlier holder with that same place is known to be gone and is taken over at once.

Taking and renewing are one conditional UPDATE (or the first INSERT), so two workers racing
for it cannot both win.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from mailbot import db
from mailbot.clock import Clock, as_utc
from mailbot.errors import MailbotError
from mailbot.models import WorkerLease

log = logging.getLogger(__name__)

LEASE_SECONDS = 60
RENEW_EVERY_SECONDS = 15
NAME = "worker"


@dataclass(frozen=True)
class Holder:
    place: str  # machine and data dir
    pid: int

    @property
    def label(self) -> str:
        return f"{self.place} pid {self.pid}"

    @classmethod
    def here(cls, data_dir: Path) -> Holder:
        return cls(f"{socket.gethostname()}:{data_dir.resolve()}", os.getpid())


class LeaseHeldError(MailbotError):
    pass


def take(engine: Engine, me: Holder, now: datetime) -> None:
    """Take or renew the lease; raises LeaseHeldError naming the worker that holds it."""
    cutoff = now - timedelta(seconds=LEASE_SECONDS)
    with db.session(engine) as s:
        taken = s.exec(
            update(WorkerLease)
            .where(
                and_(
                    col(WorkerLease.name) == NAME,
                    or_(
                        col(WorkerLease.holder) == me.label,
                        col(WorkerLease.holder).startswith(me.place + " pid "),
                        col(WorkerLease.renewed_at) < cutoff,
                    ),
                )
            )
            .values(holder=me.label, renewed_at=now)
        )
        if taken.rowcount == 1:
            s.commit()
            return
        current = s.get(WorkerLease, NAME)
        if current is None:
            s.add(WorkerLease(name=NAME, holder=me.label, acquired_at=now, renewed_at=now))
            try:
                s.commit()
                return
            except IntegrityError:
                s.rollback()
                current = s.get(WorkerLease, NAME)
        assert current is not None
        ago = int((as_utc(now) - as_utc(current.renewed_at)).total_seconds())
        raise LeaseHeldError(
            f"another mailbot worker ({current.holder}) works on this database, last seen {ago} s ago; "
            f"stop it first, or give this one its own MAILBOT_DATABASE_URL (a worker that died "
            f"is taken over {LEASE_SECONDS} s after it was last seen)"
        )


def give_up(engine: Engine, me: Holder) -> None:
    with db.session(engine) as s:
        lease = s.get(WorkerLease, NAME)
        if lease is not None and lease.holder == me.label:
            s.delete(lease)
            s.commit()


class Keeper:
    """Renews the lease from a thread of its own, so that a long pass (a large backlog) cannot
    let it run out. Should it be lost all the same (the process frozen, the database locked for
    a minute) ``on_lost`` is called: the worker stops rather than work beside the new holder."""

    def __init__(self, engine: Engine, me: Holder, clock: Clock, on_lost: Callable[[str], None]) -> None:
        self.engine, self.me, self.clock, self.on_lost = engine, me, clock, on_lost
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease", daemon=True)

    def start(self) -> Keeper:
        take(self.engine, self.me, self.clock())
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(RENEW_EVERY_SECONDS):
            try:
                take(self.engine, self.me, self.clock())
            except LeaseHeldError as exc:
                log.error("lease: lost: %s", exc)
                self.on_lost(str(exc))
                return
            except Exception as exc:  # the database away for a moment: try again next round
                log.warning("lease: could not renew (%s); trying again in %d s", exc, RENEW_EVERY_SECONDS)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        try:
            give_up(self.engine, self.me)
        except Exception as exc:
            log.warning("lease: could not give it up (%s); it runs out by itself in %d s", exc, LEASE_SECONDS)
