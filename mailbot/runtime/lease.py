"""One active worker per database: a lease row, taken at start and renewed while the worker runs.

Without it two workers would fetch, handle and send the same mail. The file lock in the data
dir (worker.py) stops a second worker on the same data dir; the lease stops one on the same
*database* from anywhere else: another data dir, another machine.

A lease not renewed for :data:`LEASE_SECONDS` has been left by a worker that died, and may be
taken over. On PostgreSQL, where workers on several machines share one database, a second
``mailbot run`` therefore waits as a *standby*: it looks every :data:`STANDBY_CHECK_SECONDS`
and takes over at once when the active worker stops cleanly (it gives the lease up), and
within a minute when it is killed or its machine goes down. The standby can do the work
because everything it needs is in the database, raw mail included (store.py). Why one active
worker and not several sharing the mailboxes: every change is appended to one hash chain
(audit.py), so writes are one after another anyway, and a few reports a week never need two
workers at once; what is needed is that the bot keeps running when one machine does not.
On SQLite (one machine) a second worker is refused instead.

Taking and renewing are one conditional UPDATE (or the first INSERT), so two workers racing
for it cannot both win. On PostgreSQL the times are the database server's, so clocks that
differ between machines cannot make a standby take over from a worker that is alive. A
worker that cannot show it renewed the lease in time (frozen, cut off from the database)
stops working before a standby may take over (:meth:`Keeper.held`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from mailbot.core.clock import Clock, as_utc
from mailbot.core.errors import MailbotError
from mailbot.model import db
from mailbot.model.models import WorkerLease
from mailbot.runtime.lease_terms import LEASE_SECONDS as LEASE_SECONDS
from mailbot.runtime.lease_terms import NAME as NAME
from mailbot.runtime.lease_terms import STANDBY as STANDBY

log = logging.getLogger(__name__)

RENEW_EVERY_SECONDS = 10
STANDBY_CHECK_SECONDS = 5
# A worker stops working this long before its lease could be taken over, should it not have
# renewed it: room for the renewal's own round trip.
FENCE_MARGIN_SECONDS = 5


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


_TABLE = WorkerLease.__table__  # type: ignore[attr-defined]


class LeaseHeldError(MailbotError):
    pass


class LeaseLostError(MailbotError):
    pass


def across_machines(engine: Engine) -> bool:
    """PostgreSQL: workers on several machines may share the database. A second one then waits
    as standby, and lease times are the database server's, not this machine's clock."""
    return engine.dialect.name == "postgresql"


def _times(now: datetime | None) -> tuple[Any, Any]:
    """(now, the moment before which a lease has run out) as SQL values."""
    if now is None:
        return func.now(), func.now() - timedelta(seconds=LEASE_SECONDS)
    return now, now - timedelta(seconds=LEASE_SECONDS)


def take(engine: Engine, me: Holder, now: datetime | None) -> None:
    """Take or renew the lease; raises LeaseHeldError naming the worker that holds it. ``now``
    None: the database server's clock."""
    at, cutoff = _times(now)
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
            .values(holder=me.label, renewed_at=at)
        )
        if taken.rowcount == 1:
            s.commit()
            return
        current = s.get(WorkerLease, NAME)
        if current is None:
            s.execute(_TABLE.insert().values(name=NAME, holder=me.label, acquired_at=at, renewed_at=at))
            try:
                s.commit()
                return
            except IntegrityError:
                s.rollback()
                current = s.get(WorkerLease, NAME)
        assert current is not None
        clock_now = now if now is not None else s.execute(select(func.now())).scalar_one()
        ago = int((as_utc(clock_now) - as_utc(current.renewed_at)).total_seconds())
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


def stand_by(engine: Engine, me: Holder, now: datetime | None, waiting: bool = True) -> None:
    """Say (or, ``waiting`` False, stop saying) that this worker waits to take over; rows of
    standbys not seen for a lease's time are cleared on the way."""
    at, cutoff = _times(now)
    t = _TABLE.c
    with engine.begin() as conn:
        conn.execute(
            delete(_TABLE).where(
                or_(t.name == STANDBY + me.label, and_(t.name.startswith(STANDBY), t.renewed_at < cutoff))
            )
        )
        if waiting:
            conn.execute(
                _TABLE.insert().values(name=STANDBY + me.label, holder=me.label, acquired_at=at, renewed_at=at)
            )


def _boottime() -> float:
    """Seconds that also run while the machine or the process is suspended (monotonic does not
    on Linux), so a worker frozen for a minute knows its lease may be gone."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


class Keeper:
    """Takes the lease (or waits for it) and renews it from a thread of its own, so that a long
    pass (a large backlog) cannot let it run out. Should it be lost all the same (the process
    frozen, the database away for most of a minute) ``on_lost`` is called and :meth:`held`
    turns False: the worker stops rather than work beside the new holder."""

    def __init__(self, engine: Engine, me: Holder, clock: Clock, on_lost: Callable[[str], None]) -> None:
        self.engine, self.me, self.clock, self.on_lost = engine, me, clock, on_lost
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease", daemon=True)
        self._held_until = 0.0

    def _now(self) -> datetime | None:
        return None if across_machines(self.engine) else self.clock()

    def _take(self) -> None:
        started = _boottime()
        take(self.engine, self.me, self._now())
        self._held_until = started + LEASE_SECONDS - FENCE_MARGIN_SECONDS

    def held(self) -> bool:
        """Whether this worker surely still holds the lease: renewed recently enough that no
        other worker can have taken it over."""
        return _boottime() < self._held_until

    def start(self) -> Keeper:
        self._take()
        self._thread.start()
        return self

    def wait_for_turn(self, stopping: Callable[[], bool]) -> bool:
        """Standby: wait until the lease is free or runs out, then take it (True), or until
        ``stopping`` (False). Database trouble while waiting is logged and waited out."""
        told = False
        while not stopping():
            try:
                self.start()
            except LeaseHeldError as exc:
                if not told:
                    log.info(
                        "lease: standby: %s; this worker waits and takes over when that one stops (looking every %d s)",
                        str(exc).split(";")[0],
                        STANDBY_CHECK_SECONDS,
                    )
                    told = True
                stand_by(self.engine, self.me, self._now())
            except Exception as exc:
                log.warning("lease: standby: cannot reach the database (%s); trying again", exc)
            else:
                if told:
                    log.info("lease: taking over: this worker (%s) is now the active one", self.me.label)
                self._no_longer_standing_by()
                return True
            end = time.monotonic() + STANDBY_CHECK_SECONDS
            while not stopping() and time.monotonic() < end:
                time.sleep(0.25)
        self._no_longer_standing_by()
        return False

    def _no_longer_standing_by(self) -> None:
        try:
            stand_by(self.engine, self.me, self._now(), waiting=False)
        except Exception as exc:
            log.debug("lease: standby row left (%s); cleared by the next standby", exc)

    def _run(self) -> None:
        while not self._stop.wait(RENEW_EVERY_SECONDS):
            try:
                self._take()
            except LeaseHeldError as exc:
                log.error("lease: lost: %s", exc)
                self.on_lost(str(exc))
                return
            except Exception as exc:  # the database away for a moment: try again next round
                log.warning("lease: could not renew (%s); trying again in %d s", exc, RENEW_EVERY_SECONDS)
                if not self.held():
                    self.on_lost(f"the lease could not be renewed for {LEASE_SECONDS - FENCE_MARGIN_SECONDS} s")
                    return

    def stop(self) -> None:
        """Stop renewing and give the lease up, if this worker ever took it."""
        self._stop.set()
        if self._thread.ident is None:
            return  # never started: refused, or stopped while standing by
        self._thread.join(timeout=5)
        try:
            give_up(self.engine, self.me)
        except Exception as exc:
            log.warning("lease: could not give it up (%s); it runs out by itself in %d s", exc, LEASE_SECONDS)
