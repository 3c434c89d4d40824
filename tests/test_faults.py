"""Servers going away under a running worker (`mailbot run`, a separate process): Dovecot
restarted while it fetches, Postfix down for a while, the database locked by another
process, the disk full. Each time the worker says what is wrong, backs off, and recovers by
itself with nothing lost and nothing doubled."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from mailbot.cli.demo import BOT, EMPLOYEE
from mailbot.model import db
from mailbot.model.models import Case, InboundMessage, Outbox
from mailbot.pipeline.intake import FETCH_BATCH
from mailbot.runtime.worker import ALONGSIDE_FROM, SENDER_STOP_GRACE_SECONDS, WorkerLock, WorkerLockedError
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import REPORTERS, Bot, append_reports, close_bot, make_bot, parse, report, until


def _count(bot: Bot, model: type[InboundMessage] | type[Case]) -> int:
    with db.session(bot.svc.engine) as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


@contextlib.contextmanager
def running(bot: Bot) -> Iterator[subprocess.Popen[bytes]]:
    """A running worker process, stopped with SIGTERM at the end and required to exit cleanly;
    a failure inside the block shows the end of its log."""
    worker = bot.start_worker()
    try:
        yield worker
    except Exception as exc:
        exc.add_note("the worker's log, last lines:\n" + _log(bot)[-3000:])
        raise
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, _log(bot)[-3000:]


def _log(bot: Bot) -> str:
    return (bot.data_dir / "worker.log").read_text()


# Two fetch batches (intake.FETCH_BATCH) of 100 KB reports: the first is stored and handled
# before the next is fetched, and the crash comes then, with the second, 5 MB, still to fetch.
# Each report more is a case, three mails and their delivery (0.2 s of wall time each on an
# idle machine, several times that under load) and proves nothing more about the restart.
RESTART_REPORTS = 2 * FETCH_BATCH


def test_imap_restart_while_fetching(bot: Bot) -> None:
    """100 waiting reports (100 KB each); Dovecot crashes and comes back as soon as the first
    are stored, breaking the worker's connection in the middle of its fetching."""
    n = RESTART_REPORTS
    padding = "Bijlage volgt in de tekst. " * 4000
    with bot.lab.imap(BOT) as c:
        for i in range(n):
            c.append("INBOX", report(sender=REPORTERS[i], subject=f"beveiligingsincident {i}", body=padding))
    with running(bot):
        until(lambda: _count(bot, InboundMessage) > 0, 30, "the first stored message")
        stored_at_restart = _count(bot, InboundMessage)
        bot.lab.crash_dovecot()
        until(lambda: _count(bot, Case) == n, 90, f"all {n} cases")
    assert stored_at_restart < n, "the restart should come while the worker was still fetching"
    log = "\n".join(line for line in _log(bot).splitlines() if "outbox: sent" not in line)
    assert "trying again" in log, log[-3000:]
    with db.session(bot.svc.engine) as s:
        kenmerken = list(s.exec(select(Case.kenmerk)))
        statuses = set(s.exec(select(InboundMessage.status)))
    assert len(set(kenmerken)) == n and statuses == {"processed"}
    assert _count(bot, InboundMessage) == n


def test_smtp_down_for_a_while(bot: Bot) -> None:
    """Postfix stops; a report comes in (straight into the mailbox); the case is opened, the
    worker logs that it cannot send, and when Postfix is back the acknowledgement goes out once."""
    bot.lab.stop_postfix()
    try:
        with running(bot):
            with bot.lab.imap(BOT) as c:
                c.append("INBOX", report())
            until(lambda: _count(bot, Case) == 1, 20, "the case")
            until(lambda: "cannot connect" in _log(bot), 20, "the worker to say it cannot send")
            time.sleep(2)
            bot.lab.start_postfix()
            acks = bot.lab.wait_for(EMPLOYEE, 1, timeout=60)
            assert len(acks) == 1, _log(bot)[-2000:]
    finally:
        bot.lab.start_postfix()
    with db.session(bot.svc.engine) as s:
        assert set(s.exec(select(Outbox.status))) == {"sent"}, "nothing left to send, so nothing sent twice"
    assert len(bot.lab.messages(EMPLOYEE)) == 1
    assert "Ontvangstbevestiging" in str(parse(acks[0])["Subject"])


LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def test_database_locked_by_another_process(bot: Bot) -> None:
    """Another process holds the write lock for longer than the busy timeout (10 s): the worker
    says the database is locked, backs off, and handles the report once the lock is gone."""
    database = bot.settings.data_dir / "mailbot.sqlite3"
    bot.cli("init")
    with running(bot):
        locker = subprocess.Popen(
            [sys.executable, "-c", LOCKER, str(database), "14"], stdout=subprocess.PIPE, text=True
        )
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        with bot.lab.imap(BOT) as c:
            c.append("INBOX", report())
        until(lambda: "database is locked" in _log(bot), 30, "the worker to say the database is locked")
        assert bot.lab.messages(EMPLOYEE) == []
        assert locker.wait(timeout=30) == 0
        acks = bot.lab.wait_for(EMPLOYEE, 1, timeout=40)
        assert len(acks) == 1, _log(bot)[-2000:]
    assert _count(bot, Case) == 1


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 16 MB file system of its own for the data dir, so that it can really fill up."""
    mount = Path(os.environ.get("TMPDIR", "/tmp")) / f"mailbot-small-disk-{os.getpid()}"
    mount.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(mount)], check=False)
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        with contextlib.suppress(OSError):
            mount.rmdir()


def test_disk_full_when_storing_a_message(clean_lab: LabMailServer, small_disk: Path) -> None:
    """The data dir fills up: the report with a 2 MB attachment cannot be stored. The worker
    says the disk is full and names MAILBOT_DATA_DIR; nothing is marked as read on the server,
    and once there is room again the report is stored and acknowledged."""
    bot = make_bot(clean_lab, MAILBOT_DATA_DIR=str(small_disk / "data"))
    try:
        bot.cli("init")
        filler = small_disk / "filler"
        with running(bot):
            # Unbuffered: a buffered file would fail once more on close, flushing what did not fit.
            with filler.open("wb", buffering=0) as f, contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * 65536)
            big = report(body="Scan van de dossiers:\n" + "A" * (2 * 1024 * 1024))
            with clean_lab.imap(BOT) as c:
                c.append("INBOX", big)
            until(lambda: "disk full" in _log(bot) or "cannot grow" in _log(bot), 30, "the worker to say so")
            assert "MAILBOT_DATA_DIR" in _log(bot)
            assert clean_lab.messages(EMPLOYEE) == []
            filler.unlink()
            acks = clean_lab.wait_for(EMPLOYEE, 1, timeout=60)
            assert len(acks) == 1, _log(bot)[-2000:]
        assert _count(bot, Case) == 1 and _count(bot, InboundMessage) == 1
    finally:
        close_bot(bot)


def test_worker_lock_taken_on_a_full_disk(small_disk: Path) -> None:
    """A worker started while the data dir's disk is full still takes the lock (and then says
    per message what it cannot store); a second one is refused all the same."""
    data = small_disk / "data"
    data.mkdir()
    with (small_disk / "filler").open("wb", buffering=0) as f:
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * size)
    first = WorkerLock(data)
    first.acquire()
    try:
        with pytest.raises(WorkerLockedError):
            WorkerLock(data).acquire()
    finally:
        first.release()


@contextlib.contextmanager
def silent_smtp_server() -> Iterator[int]:
    """A server on loopback that takes connections and never says a word: an SMTP server hung
    before its greeting (Postfix waiting for an authentication service that is down)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def test_stop_while_the_smtp_server_hangs_during_a_backlog(clean_lab: LabMailServer) -> None:
    """A backlog is handled while the SMTP server takes the connection but never answers. SIGTERM
    stops the worker within seconds, not after the 60 s SMTP timeout, and every mail it could
    not send stays queued for the next start."""
    n = ALONGSIDE_FROM + 5
    with silent_smtp_server() as port:
        bot = make_bot(clean_lab, MAILBOT_SMTP_PORT=str(port))
        try:
            append_reports(clean_lab, n)
            worker = bot.start_worker()
            until(lambda: _count(bot, Case) == n, 30, "every report handled")
            worker.send_signal(signal.SIGTERM)
            stopped = time.monotonic()
            assert worker.wait(timeout=20) == 0, _log(bot)[-3000:]
            assert time.monotonic() - stopped < SENDER_STOP_GRACE_SECONDS + 5
            assert "has not answered" in _log(bot)
            with db.session(bot.svc.engine) as s:
                assert set(s.exec(select(Outbox.status))) == {"queued"}
                assert len(list(s.exec(select(Outbox.id)))) == 3 * n  # the reporter and two officers each
        finally:
            close_bot(bot)
