"""One worker per database: the lease is taken, renewed, refused to a second worker, taken
over from one that died; and two real workers on one database, from two data dirs."""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailbot import lease
from mailbot.demo import BOT, EMPLOYEE
from mailbot.labserver import LabMailServer
from tests.mailserver import close_bot, make_bot, report
from tests.offline import offline_services

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_lease_refused_renewed_and_taken_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, svc = offline_services(tmp_path, monkeypatch)
    a = lease.Holder("host-a:/srv/mailbot", 100)
    b = lease.Holder("host-b:/srv/mailbot", 200)
    lease.take(svc.engine, a, T0)
    with pytest.raises(lease.LeaseHeldError, match=r"host-a:/srv/mailbot pid 100.*last seen 30 s ago"):
        lease.take(svc.engine, b, T0 + timedelta(seconds=30))
    lease.take(svc.engine, a, T0 + timedelta(seconds=50))  # renewed
    with pytest.raises(lease.LeaseHeldError):
        lease.take(svc.engine, b, T0 + timedelta(seconds=100))
    lease.take(svc.engine, b, T0 + timedelta(seconds=111))  # a was last seen 61 s ago: taken over
    with pytest.raises(lease.LeaseHeldError, match="host-b"):
        lease.take(svc.engine, a, T0 + timedelta(seconds=112))
    # the same machine and data dir, a new process: the old one is gone (it held the file lock)
    lease.take(svc.engine, lease.Holder("host-b:/srv/mailbot", 300), T0 + timedelta(seconds=113))
    lease.give_up(svc.engine, lease.Holder("host-b:/srv/mailbot", 300))
    lease.take(svc.engine, a, T0 + timedelta(seconds=114))  # given up: free at once


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
        worker = first.spawn("run")
        try:
            time.sleep(2)
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
