"""One worker per database: the lease is taken, renewed, refused to a second worker, taken
over from one that died; and two real workers on one database, from two data dirs."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from mailbot.cli import status_view as status
from mailbot.cli.demo import BOT, EMPLOYEE
from mailbot.model import db
from mailbot.model.models import Case, InboundMessage, WorkerLease
from mailbot.model.reading import open_reader
from mailbot.model.services import Services
from mailbot.runtime import lease
from mailbot.runtime.worker import PassResult, Worker
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import REPORTERS, close_bot, make_bot, report, submit, until
from tests.offline import offline_services
from tests.pgserver import PostgresServer

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _status(svc: Services) -> status.Status:
    """What `mailbot status` shows now."""
    r = open_reader(svc.settings.database_url)
    assert r is not None
    try:
        return status.gather(r, svc.settings, datetime.now(UTC))
    finally:
        r.close()


def test_lease_refused_renewed_and_taken_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, svc = offline_services(tmp_path, monkeypatch)
    a = lease.Holder("host-a:/srv/mailbot", 100)
    b = lease.Holder("host-b:/srv/mailbot", 200)
    lease_s = lease.LEASE_SECONDS

    def at(seconds: int) -> datetime:
        return T0 + timedelta(seconds=seconds)

    lease.take(svc.engine, a, T0)
    with pytest.raises(lease.LeaseHeldError, match=r"host-a:/srv/mailbot pid 100.*last seen 30 s ago"):
        lease.take(svc.engine, b, at(30))
    lease.take(svc.engine, a, at(40))  # renewed
    with pytest.raises(lease.LeaseHeldError):
        lease.take(svc.engine, b, at(40 + lease_s))
    lease.take(svc.engine, b, at(41 + lease_s))  # a was last seen a lease's time ago: taken over
    with pytest.raises(lease.LeaseHeldError, match="host-b"):
        lease.take(svc.engine, a, at(42 + lease_s))
    # the same machine and data dir, a new process: the old one is gone (it held the file lock)
    lease.take(svc.engine, lease.Holder("host-b:/srv/mailbot", 300), at(43 + lease_s))
    lease.give_up(svc.engine, lease.Holder("host-b:/srv/mailbot", 300))
    lease.take(svc.engine, a, at(44 + lease_s))  # given up: free at once


def test_on_postgresql_the_lease_runs_on_the_servers_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres: PostgresServer
) -> None:
    """Workers on several machines: their clocks may differ, the database server's is the one
    clock they share. A standby row says who waits; `mailbot status` lists it."""
    _, svc = offline_services(tmp_path, monkeypatch, MAILBOT_DATABASE_URL=postgres.database())
    assert lease.across_machines(svc.engine)
    a = lease.Holder("host-a:/srv/mailbot", 100)
    b = lease.Holder("host-b:/srv/mailbot", 200)
    lease.take(svc.engine, a, None)
    with pytest.raises(lease.LeaseHeldError, match=r"host-a.*last seen 0 s ago"):
        lease.take(svc.engine, b, None)
    lease.stand_by(svc.engine, b, None)
    shown = _status(svc)
    assert shown.worker == a.label and [holder for holder, _ in shown.standby] == [b.label]
    assert f"standby    {b.label}, last seen" in status.text(shown, svc.settings)

    def age_the_lease(seconds: int) -> None:  # as if a had not renewed for that long
        with svc.engine.begin() as conn:
            conn.execute(text("UPDATE worker_lease SET renewed_at = now() - make_interval(secs => :s)"), {"s": seconds})

    age_the_lease(lease.LEASE_SECONDS - 5)
    with pytest.raises(lease.LeaseHeldError, match=rf"last seen {lease.LEASE_SECONDS - 5} s ago"):
        lease.take(svc.engine, b, None)
    age_the_lease(lease.LEASE_SECONDS + 1)
    lease.take(svc.engine, b, None)
    lease.stand_by(svc.engine, b, None, waiting=False)
    shown = _status(svc)
    assert shown.worker == b.label and shown.standby == []
    with pytest.raises(lease.LeaseHeldError, match="host-b"):
        lease.take(svc.engine, a, None)


def test_a_worker_that_cannot_renew_stops_before_it_could_be_taken_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fence: a worker frozen (or cut off from the database) past its lease's time no
    longer counts itself the holder, and its stages refuse to run."""
    _, svc = offline_services(tmp_path, monkeypatch)
    boottime = [1000.0]
    monkeypatch.setattr(lease, "_boottime", lambda: boottime[0])
    worker = Worker(svc, lambda: T0)
    keeper = lease.Keeper(svc.engine, lease.Holder("host-a:/srv", 1), lambda: T0, worker.lose_lease)
    worker.fence = keeper.held
    keeper._take()
    assert keeper.held()
    boottime[0] += lease.LEASE_SECONDS - lease.FENCE_MARGIN_SECONDS - 1
    assert keeper.held()
    boottime[0] += 2
    assert not keeper.held()
    with pytest.raises(lease.LeaseLostError, match="not renewed in time"):
        worker.check_clock()
    assert worker.stopping and worker.lease_lost


def test_second_worker_on_the_same_database_is_refused(clean_lab: LabMailServer) -> None:
    """Two data dirs, one database (MAILBOT_DATABASE_URL): the file lock cannot see the other
    worker, the lease does. The second is refused with a clear message and the report is
    answered once."""
    first = make_bot(clean_lab)
    other_dir = Path(tempfile.mkdtemp(prefix="mbot-second-"))
    second = make_bot(
        clean_lab, MAILBOT_DATA_DIR=str(other_dir / "data"), MAILBOT_DATABASE_URL=first.settings.database_url
    )
    try:
        worker = first.start_worker()
        try:
            refused = second.cli("run", "--once")
            assert refused.returncode == 1
            assert "another mailbot worker" in refused.stderr and "MAILBOT_DATABASE_URL" in refused.stderr
            with clean_lab.imap(BOT) as c:
                c.append("INBOX", report())
            assert len(clean_lab.wait_for(EMPLOYEE, 1, timeout=20)) == 1
            refused = second.cli("run", "--once")
            assert refused.returncode == 1
        finally:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=20) == 0
        done = second.cli("run", "--once")  # the lease was given up on a clean stop
        assert done.returncode == 0, done.stderr
        time.sleep(0.5)
        assert len(clean_lab.messages(EMPLOYEE)) == 1
    finally:
        for b in (first, second):
            close_bot(b)
        shutil.rmtree(other_dir, ignore_errors=True)


def test_two_workers_on_postgresql_one_killed(clean_lab: LabMailServer, postgres: PostgresServer) -> None:
    """Two `mailbot run` on one PostgreSQL database from two data dirs (two machines): one
    works, the other stands by. The active one is killed (SIGKILL: no clean stop, its lease
    left as it was) having stored a report it did not handle, and its data dir goes with it,
    as with a machine that died. The standby takes over within a minute, handles that report
    from what the database holds and the one that arrives after; every reporter is answered
    once, and no report makes two cases."""
    url = postgres.database()
    first = make_bot(clean_lab, MAILBOT_DATABASE_URL=url)
    other_dir = Path(tempfile.mkdtemp(prefix="mbot-standby-"))
    second = make_bot(clean_lab, MAILBOT_DATABASE_URL=url, MAILBOT_DATA_DIR=str(other_dir / "data"))
    standby_log = other_dir / "standby.log"
    reporters = REPORTERS[:3]

    def holder() -> str | None:
        with db.session(first.svc.engine) as s:
            row = s.get(WorkerLease, lease.NAME)
            return row.holder if row else None

    active = first.spawn("run")
    standby: subprocess.Popen[bytes] | None = None
    try:
        until(lambda: holder() is not None, 30, "the first worker holds the lease")
        first_holder = holder()
        standby = second.spawn("run", log=standby_log)
        until(lambda: "standby" in standby_log.read_text(), 30, "the second worker stands by")
        shown = json.loads(second.cli("status", "--json").stdout)
        assert shown["worker"]["holder"] == first_holder
        assert [w["holder"] for w in shown["standby"]] == [
            f"{socket.gethostname()}:{second.settings.data_dir} pid {standby.pid}"
        ]

        submit(clean_lab, report(reporters[0]), wait=False)
        assert len(clean_lab.wait_for(reporters[0], 1, timeout=20)) == 1

        active.kill()
        active.wait(timeout=10)
        killed_at = time.monotonic()
        with clean_lab.imap(BOT) as c:
            c.append("INBOX", report(reporters[1]))
        stored = PassResult()
        first.worker.fetch(stored)  # what the killed worker had done: stored, not handled
        assert stored.stored == 1 and not stored.errors
        first.worker.close()
        shutil.rmtree(first.settings.data_dir)  # the machine is gone, and its disk with it
        with clean_lab.imap(BOT) as c:
            c.append("INBOX", report(reporters[2]))

        for reporter in reporters[1:]:
            assert len(clean_lab.wait_for(reporter, 1, timeout=75)) == 1, f"{reporter} got no answer"
        took = time.monotonic() - killed_at
        assert took < 60, f"the standby answered {took:.0f} s after the active worker was killed"
        assert "taking over" in standby_log.read_text()
        print(f"answered {took:.1f} s after the kill")
        assert holder() != first_holder

        time.sleep(2)  # anything sent twice would be here by now
        for reporter in reporters:
            assert len(clean_lab.messages(reporter)) == 1, f"{reporter} was answered more than once"
        with db.session(first.svc.engine) as s:
            cases = s.exec(select(Case)).all()
            assert sorted(c.reporter_address for c in cases) == reporters
            assert len({c.kenmerk for c in cases}) == 3
            assert not s.exec(select(InboundMessage).where(InboundMessage.status != "processed")).all()
        assert not list(second.settings.data_dir.rglob("*.eml"))  # raw mail only in the database
    finally:
        if active.poll() is None:
            active.kill()
        if standby is not None:
            standby.send_signal(signal.SIGTERM)
            assert standby.wait(timeout=20) == 0
        for b in (first, second):
            close_bot(b)
        shutil.rmtree(other_dir, ignore_errors=True)


def test_a_standby_stopped_while_waiting_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres: PostgresServer
) -> None:
    _, svc = offline_services(tmp_path, monkeypatch, MAILBOT_DATABASE_URL=postgres.database())
    lease.take(svc.engine, lease.Holder("host-a:/srv", 1), None)
    b = lease.Holder("host-b:/srv", 2)
    keeper = lease.Keeper(svc.engine, b, lambda: T0, lambda why: None)
    stop_at = time.monotonic() + 1
    assert keeper.wait_for_turn(lambda: time.monotonic() > stop_at) is False
    assert not keeper.held()
    with db.session(svc.engine) as s:
        assert [row.name for row in s.exec(select(WorkerLease))] == [lease.NAME]
