"""The worker: one pass is intake → dispatch → outbox; ``run`` repeats it as mail arrives.

Read top to bottom, :meth:`Worker.run_pass` is the whole path of a message. New mail is
noticed with IMAP IDLE where the server offers it, else by polling. Periodic work runs from
a ``schedule`` scheduler, each job wrapped so that a failure is logged and the job stays
scheduled. A file lock in the data dir keeps a second worker off the same data, and a lease
in the database (lease.py) off the same database.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

import schedule
from sqlalchemy.exc import OperationalError

from mailbot import alerts, digest, dispatch, outbox, reminders
from mailbot.app import Services
from mailbot.clock import Clock
from mailbot.errors import MailbotError, PermanentError, TransientError
from mailbot.intake import fetch_new
from mailbot.mailbox import ImapMailbox
from mailbot.purge import purge
from mailbot.smtp import SmtpTransport

log = logging.getLogger(__name__)

OUTBOX_EVERY_SECONDS = 10
CLOCK_EVERY_SECONDS = 60
MAX_BACKOFF_SECONDS = 300
PURGE_AT = "03:30"  # daily, the machine's local time


class WorkerLockedError(MailbotError):
    pass


@dataclass
class PassResult:
    stored: int = 0
    dispositions: dict[str, int] = field(default_factory=dict)
    kenmerken: list[str] = field(default_factory=list)
    reminders: int = 0
    warnings: int = 0
    sent: int = 0
    send_problems: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.stored} new message(s)"]
        parts += [f"{n} {d}" for d, n in sorted(self.dispositions.items())]
        if self.reminders:
            parts.append(f"{self.reminders} reminder(s)")
        if self.warnings:
            parts.append(f"{self.warnings} deadline notice(s)")
        parts.append(f"{self.sent} mail(s) sent")
        if self.send_problems:
            parts.append(f"{self.send_problems} send problem(s)")
        if self.errors:
            parts.append(f"{len(self.errors)} error(s)")
        return ", ".join(parts)


class WorkerLock:
    """An exclusive lock on the data dir, held while a worker runs."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "worker.lock"
        self.handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise WorkerLockedError(
                f"another mailbot worker ({holder}) is already running on {self.path.parent}; "
                "stop it first, or give this one its own MAILBOT_DATA_DIR"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


class Worker:
    def __init__(self, svc: Services, clock: Clock) -> None:
        self.svc = svc
        self.clock = clock
        self.mailboxes = {mb.name: ImapMailbox(mb, svc.settings.ca_file) for mb in svc.settings.mailboxes}
        self.stopping = False
        self.lease_lost: str | None = None
        self.scheduler = schedule.Scheduler()

    def transport(self) -> SmtpTransport:
        return SmtpTransport(self.svc.settings.smtp, self.svc.settings.ca_file)

    # -- one pass --------------------------------------------------------------------------------
    def run_pass(self) -> PassResult:
        """One full pass, as ``mailbot run --once`` does it."""
        result = PassResult()
        self.fetch(result)
        self.handle_mail(result)
        self.check_clock(result)
        self.send_outbox(result)
        return result

    def fetch(self, result: PassResult) -> None:
        for name, mailbox in self.mailboxes.items():
            try:
                intake = fetch_new(self.svc.engine, mailbox, self.svc.store, mailbox.settings, self.clock())
                result.stored += intake.stored
            except (TransientError, PermanentError) as exc:
                result.errors.append(f"{name}: {exc}")
                log.error("intake: %s: %s", name, exc)

    def handle_mail(self, result: PassResult) -> None:
        handled = dispatch.process_pending(self.svc, self.clock())
        result.dispositions, result.kenmerken = handled.counts, handled.kenmerken

    def check_clock(self, result: PassResult | None = None) -> None:
        """The periodic work: reporter reminders, deadline warnings, the daily digest."""
        now = self.clock()
        queued = reminders.queue_reminders(self.svc, now)
        warned = alerts.check(self.svc, now)
        digest.send_if_due(self.svc, now)
        if result is not None:
            result.reminders, result.warnings = queued, warned

    def send_outbox(self, result: PassResult | None = None) -> None:
        sent, problems = outbox.send_due(
            self.svc.engine, self.transport, self.clock(), dispatch.report_send_failure(self.svc)
        )
        if result is not None:
            result.sent, result.send_problems = result.sent + sent, result.send_problems + problems

    def close(self) -> None:
        for mailbox in self.mailboxes.values():
            mailbox.close()

    # -- running until stopped -------------------------------------------------------------------
    def stop(self, signum: int = 0, _frame: FrameType | None = None) -> None:
        if not self.stopping:
            log.info("worker: stopping after the current step (signal %s)", signum)
        self.stopping = True

    def lose_lease(self, why: str) -> None:
        """Another worker has taken over the database (lease.py): stop, do not work beside it."""
        self.lease_lost = why
        self.stop()

    def _job(self, name: str, fn: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except Exception:
                log.exception("worker: scheduled job %s failed; it stays scheduled", name)

        return run

    def fetch_and_handle(self) -> None:
        """New mail in, handled, answered: what a server's IDLE notice (or the poll) sets off.
        A pass that found mail is followed by another at once: mail that arrived during it
        may have been announced before the next IDLE began."""
        while not self.stopping:
            result = self.run_mail_pass()
            if result.stored or result.sent or result.errors:
                log.info("worker: pass: %s", result.summary())
            if result.errors:
                raise TransientError("; ".join(result.errors))
            if not result.stored:
                return

    def run_mail_pass(self) -> PassResult:
        result = PassResult()
        self.fetch(result)
        self.handle_mail(result)
        self.send_outbox(result)
        return result

    def schedule_jobs(self) -> None:
        """Periodic work, each job isolated: a failure is logged and the job stays scheduled.
        Deadlines live in the database; the scheduler only decides when to look."""
        settings = self.svc.settings
        self.scheduler.every(OUTBOX_EVERY_SECONDS).seconds.do(self._job("outbox", self.send_outbox))
        self.scheduler.every(CLOCK_EVERY_SECONDS).seconds.do(self._job("deadlines", self.check_clock))
        # Retention: personal data past MAILBOT_PURGE_AFTER_DAYS, register entries past the
        # retention years; nothing of an open case.
        self.scheduler.every().day.at(PURGE_AT).do(self._job("purge", lambda: purge(self.svc, self.clock())))
        # Polling, and with IDLE a safety net should the server not announce a message.
        self.scheduler.every(settings.poll_seconds).seconds.do(self._job("mail", self.fetch_and_handle))

    def run_forever(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        settings = self.svc.settings
        self.schedule_jobs()
        (mailbox,) = list(self.mailboxes.values())[:1]
        failures = 0
        log.info(
            "worker: running on %s (%s); stop with Ctrl-C or SIGTERM",
            mailbox.settings.address,
            "IMAP IDLE where offered" if settings.use_idle else f"polling every {settings.poll_seconds}s",
        )
        self.check_clock()
        while not self.stopping:
            try:
                self.fetch_and_handle()
                failures = 0
                while not self.stopping:
                    self.scheduler.run_pending()
                    if self._wait(mailbox):
                        break  # new mail: fetch it now
            except Exception as exc:
                failures += 1
                delay = min(MAX_BACKOFF_SECONDS, 2 ** min(failures, 9))
                known = self.describe(exc)
                if known:
                    log.warning("worker: %s; trying again in %ds", known, delay)
                else:
                    log.exception("worker: unexpected error; trying again in %ds", delay)
                mailbox.close()
                self._sleep(delay)
        self.close()
        log.info("worker: stopped")

    def describe(self, exc: Exception) -> str | None:
        """What went wrong, in words that name what to fix; None for the unexpected (then the
        traceback is logged). Nothing is lost either way: what was not committed is redone."""
        data_dir = self.svc.settings.data_dir
        if isinstance(exc, MailbotError):
            return str(exc)
        if isinstance(exc, OperationalError):
            reason = str(exc.orig) if exc.orig is not None else str(exc)
            if "locked" in reason or "busy" in reason:
                return f"the database is locked by another process ({reason})"
            if "full" in reason:
                return f"the database cannot grow: {reason}; free space under MAILBOT_DATA_DIR ({data_dir})"
            return f"the database is not available: {reason} (MAILBOT_DATABASE_URL)"
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return (
                f"disk full: cannot write {exc.filename or 'under the data dir'}; "
                f"free space under MAILBOT_DATA_DIR ({data_dir})"
            )
        return None

    def _wait(self, mailbox: ImapMailbox) -> bool:
        """Wait for new mail (IDLE) or the next scheduled job; True when mail has arrived."""
        pending = self.scheduler.idle_seconds
        timeout = max(0.5, min(60.0, pending if pending is not None else 60.0))
        if self.svc.settings.use_idle and mailbox.supports_idle():
            return mailbox.wait(timeout, lambda: self.stopping)
        self._sleep(timeout)
        return False

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.5, end - time.monotonic()))
