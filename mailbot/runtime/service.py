"""The worker's life: the data dir's lock, the database's lease, then the work, then letting go.

``mailbot run`` and ``mailbot run --once`` come here; the command line only prints what comes
back. The lease keeper and the worker are wired into each other: the keeper tells the worker
when the lease is lost (:meth:`Worker.lose_lease`), and the worker asks the keeper before each
stage whether it still surely holds it (:attr:`Worker.fence`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from mailbot.core.clock import Clock
from mailbot.model.services import Services
from mailbot.runtime import lease
from mailbot.runtime.worker import PassResult, Worker, WorkerLock


@contextlib.contextmanager
def _turn(svc: Services, clock: Clock, standby: bool) -> Iterator[Worker | None]:
    """A worker holding the lock and the lease, released on leaving. With ``standby`` and a
    database shared across machines, wait for the lease (None when stopped while waiting);
    otherwise a lease held by another worker is refused with its name."""
    lock = WorkerLock(svc.settings.data_dir)
    lock.acquire()
    worker = Worker(svc, clock)
    keeper = lease.Keeper(svc.engine, lease.Holder.here(svc.settings.data_dir), clock, worker.lose_lease)
    worker.fence = keeper.held
    try:
        if not standby or not lease.across_machines(svc.engine):
            keeper.start()
            yield worker
        else:
            worker.stop_on_signals()
            yield worker if keeper.wait_for_turn(lambda: worker.stopping) else None
    finally:
        worker.close()
        keeper.stop()
        lock.release()


def run_once(svc: Services, clock: Clock) -> PassResult:
    """One full pass (fetch, handle, periodic work, send), then let go."""
    with _turn(svc, clock, standby=False) as worker:
        assert worker is not None
        return worker.full_pass()


def run_until_stopped(svc: Services, clock: Clock) -> str | None:
    """Work until SIGTERM or Ctrl-C; on a shared database stand by first while another worker
    holds the lease. Returns why the lease was lost to another worker, None when stopped."""
    with _turn(svc, clock, standby=True) as worker:
        if worker is None:
            return None  # stopped while standing by
        worker.run_forever()
        return worker.lease_lost
