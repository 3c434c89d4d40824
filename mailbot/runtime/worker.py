"""The worker: one pass is intake → dispatch → outbox; ``run`` repeats it as mail arrives.

Read top to bottom, :meth:`Worker.full_pass` is the whole path of a message. New mail is
noticed with IMAP IDLE where the server offers it, else by polling. Periodic work runs from
a ``schedule`` scheduler, each job wrapped so that a failure is logged and the job stays
scheduled. A file lock in the data dir keeps a second worker off the same data, and a lease
in the database (lease.py) off the same database: each stage first checks that the lease is
still this worker's (:attr:`Worker.fence`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

import schedule
from sqlalchemy.exc import OperationalError

from mailbot.core.clock import Clock
from mailbot.core.errors import MailbotError, PermanentError, TransientError
from mailbot.jobs import alerts, digest, health, overviews, reminders
from mailbot.mail.mailbox import IDLE_RENEW_SECONDS, ImapMailbox
from mailbot.mail.oauth2 import tokens_for
from mailbot.mail.smtp import SmtpTransport
from mailbot.model.services import Services
from mailbot.pipeline import dispatch, outbox
from mailbot.pipeline.intake import fetch_new
from mailbot.register.purge import purge
from mailbot.runtime.lease import LeaseLostError

log = logging.getLogger(__name__)

OUTBOX_EVERY_SECONDS = 10
CLOCK_EVERY_SECONDS = 60
MAX_BACKOFF_SECONDS = 300
PURGE_AT = "03:30"  # daily, the machine's local time
# From this many waiting messages on, what dispatch queues is sent while dispatch goes on
# (SendAlongside): the SMTP server's work overlaps the bot's. Below it one send stage after
# dispatch is as fast and starts no thread.
ALONGSIDE_FROM = 20
# On stop, how long to wait for a sender stuck on the SMTP server before stopping without it.
SENDER_STOP_GRACE_SECONDS = 5


def backoff_seconds(failures: int) -> int:
    """How long to wait after this many failures in a row: doubling from 2 s, at most 5 min."""
    return min(MAX_BACKOFF_SECONDS, 1 << min(failures, 9))


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
        # Who holds the lock is a note for the next one refused; the flock is the lock. A full
        # disk must not keep the worker from starting (it says so per message it cannot store),
        # so the note is written unbuffered and skipped when it does not fit.
        try:
            os.ftruncate(handle.fileno(), 0)
            os.pwrite(handle.fileno(), f"pid {os.getpid()}".encode(), 0)
        except OSError as e:
            log.warning("worker: cannot note the pid in %s (%s); the lock holds regardless", self.path, e.strerror)
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


class Watcher(threading.Thread):
    """Keeps one mailbox in IMAP IDLE on a connection of its own and wakes the worker when the
    server announces mail, so every mailbox is answered within a second, not only the first.
    It reads nothing: fetching is the worker's, which also reports connection trouble."""

    def __init__(self, mailbox: ImapMailbox, wake: threading.Event, stopping: Callable[[], bool]) -> None:
        super().__init__(name=f"watch-{mailbox.settings.name}", daemon=True)
        self.mailbox = mailbox
        self.mailbox.writable = False
        self.wake = wake
        self.stopping = stopping

    def run(self) -> None:
        failures = 0
        uidnext: int | None = None
        while not self.stopping():
            try:
                if not self.mailbox.supports_idle():
                    log.info("worker: %s offers no IDLE: polling", self.mailbox.settings.name)
                    return
                status = self.mailbox.select()
                # IDLE announces only what arrives after it begins. Mail that came before (while
                # this thread was connecting, renewing or reconnecting) may have missed the
                # worker's last fetch too, so a new UIDNEXT wakes the worker; the first select
                # always does, as the worker's first fetch may have run before that mail came.
                if status.uidnext != uidnext:
                    self.wake.set()
                uidnext = status.uidnext
                if self.mailbox.wait(IDLE_RENEW_SECONDS, self.stopping):
                    self.wake.set()
                if failures:
                    log.info("worker: watching %s with IDLE works again", self.mailbox.settings.name)
                failures = 0
            except Exception as exc:
                failures += 1
                self.mailbox.close()
                delay = backoff_seconds(failures)
                # Said once a spell: the worker's own fetch may well work (a server that limits
                # connections per user, say), and then nothing else would show that new mail
                # now waits for the poll instead of being answered within a second.
                log.log(
                    logging.WARNING if failures == 1 else logging.DEBUG,
                    "worker: watching %s with IDLE failed: %s; new mail is noticed by the poll "
                    "(MAILBOT_POLL_SECONDS) until it works again; trying again in %ds",
                    self.mailbox.settings.name,
                    exc,
                    delay,
                )
                end = time.monotonic() + delay
                while not self.stopping() and time.monotonic() < end:
                    time.sleep(0.5)
        self.mailbox.close()


class SendAlongside(threading.Thread):
    """Sends the outbox while dispatch works through a backlog, over connections it keeps open
    until dispatch is done. Python works on the next report while the SMTP server queues the
    last one's mail: on a backlog of 1,000 this is most of what sending costs.

    Only one sender runs at a time: the worker's own send stage waits for this thread to end
    (Worker.dispatcher), so no row is ever in two senders' hands. Anything it leaves (an error,
    a connection lost) stays queued for that stage."""

    def __init__(self, worker: Worker, result: PassResult) -> None:
        super().__init__(name="send-alongside", daemon=True)
        self.worker = worker
        self.result = result
        self.finished = threading.Event()

    def run(self) -> None:
        transports: dict[str, SmtpTransport] = {}
        try:
            while not self.finished.wait(0.02) and not self.worker.stopping:
                self.worker.send_outbox(self.result, keep_open=transports)
        except LeaseLostError:
            pass  # said once by the fence; the worker is stopping
        except Exception:
            log.exception("outbox: sending alongside dispatch failed; the send stage after it takes over")
        finally:
            for transport in transports.values():
                transport.close()


class Worker:
    def __init__(self, svc: Services, clock: Clock) -> None:
        self.svc = svc
        self.clock = clock
        settings = svc.settings
        # One token source per OAuth2 mailbox, shared by its IMAP, SMTP and watcher connections.
        self.tokens = {mb.name: tokens_for(mb, svc.store, settings.ca_file, clock) for mb in settings.mailboxes}
        self.mailboxes = {
            mb.name: ImapMailbox(mb, settings.ca_file, tokens=self.tokens[mb.name]) for mb in settings.mailboxes
        }
        self.stopping = False
        self.lease_lost: str | None = None
        # Whether this worker surely still holds the lease (lease.Keeper.held); checked before
        # every stage, so a worker that was frozen past its lease does not work beside the one
        # that took over.
        self.fence: Callable[[], bool] = lambda: True
        self.scheduler = schedule.Scheduler()
        # Per mailbox: failures in a row, and when (monotonic) to try it again. One mailbox's
        # trouble holds up none of the others.
        self.failures: dict[str, int] = dict.fromkeys(self.mailboxes, 0)
        self.retry_at: dict[str, float] = dict.fromkeys(self.mailboxes, 0.0)
        self.wake = threading.Event()
        self.watchers: list[Watcher] = []
        # A SendAlongside left running on stop because the SMTP server did not answer: nothing
        # else may send while it lives.
        self.stuck_sender: SendAlongside | None = None

    def transport(self, mailbox: str) -> SmtpTransport:
        mb = self.svc.settings.mailbox_named(mailbox)
        return SmtpTransport(mb.smtp, self.svc.settings.ca_file, tokens=self.tokens.get(mb.name))

    # -- one pass --------------------------------------------------------------------------------
    # The passes, from the widest to the narrowest:
    #   full_pass             every mailbox (waiting or not), the periodic work, the outbox:
    #                         ``mailbot run --once``, and the tests' one step
    #   mail_until_quiet      mail_pass again and again while it finds mail: what an IDLE
    #                         notice or the poll sets off in ``mailbot run``
    #   mail_pass             the mailboxes that are due, then the outbox; no periodic work
    #   take_in_and_dispatch  fetch and dispatch only; sending is the caller's
    #   dispatcher            the block inside it: dispatch as often as asked, with a sender
    #                         alongside once a backlog waits
    def full_pass(self) -> PassResult:
        """Fetch every mailbox (also one waiting out its back-off), dispatch, do the periodic
        work, send: as ``mailbot run --once`` does it."""
        result = PassResult()
        self.take_in_and_dispatch(result)
        self.check_clock(result)
        self.send_outbox(result)
        return result

    def _still_mine(self) -> None:
        if not self.fence():
            why = "this worker's lease was not renewed in time (frozen, or the database away); another may have it"
            if not self.lease_lost:
                log.error("lease: %s: stopping", why)
            self.lose_lease(why)
            raise LeaseLostError(why)

    def fetch(self, result: PassResult, waiting_too: bool = True, stored: Callable[[], None] | None = None) -> None:
        """New mail from every mailbox that is due. A mailbox that fails is noted (health.py),
        closed and tried again after a back-off of its own; the others go on. ``stored`` is
        called after each batch of messages is stored (intake.fetch_new)."""
        self._still_mine()
        for name, mailbox in self.mailboxes.items():
            if not waiting_too and time.monotonic() < self.retry_at[name]:
                continue
            try:
                intake = fetch_new(self.svc.engine, mailbox, self.svc.store, mailbox.settings, self.clock(), stored)
            except (TransientError, PermanentError) as exc:
                self._mailbox_failed(name, exc, result)
                continue
            except (OSError, OperationalError, LeaseLostError):
                raise  # the disk or the database (or the lease): every mailbox's trouble, for run_forever
            except Exception as exc:
                log.exception("intake: %s: unexpected error", name)
                self._mailbox_failed(name, exc, result)
                continue
            result.stored += intake.stored
            self.failures[name], self.retry_at[name] = 0, 0.0
            health.record(self.svc, name, "imap", None, self.clock())

    def _mailbox_failed(self, name: str, exc: Exception, result: PassResult) -> None:
        self.mailboxes[name].close()
        self.failures[name] += 1
        delay = backoff_seconds(self.failures[name])
        self.retry_at[name] = time.monotonic() + delay
        text = self.describe(exc) or f"{type(exc).__name__}: {exc}"
        result.errors.append(f"{name}: {text}")
        log.error("intake: %s: %s; trying again in %ds", name, text, delay)
        health.record(self.svc, name, "imap", exc, self.clock())

    def retry_due(self) -> bool:
        now = time.monotonic()
        return any(self.failures[n] and now >= self.retry_at[n] for n in self.mailboxes)

    def take_in_and_dispatch(self, result: PassResult, waiting_too: bool = True) -> None:
        """Intake, with every batch it stores dispatched before the next is fetched; then what
        else waits (stored by an earlier pass that stopped, or to be tried again)."""
        with self.dispatcher(result) as handle:
            self.fetch(result, waiting_too=waiting_too, stored=handle)
            handle()

    @contextlib.contextmanager
    def dispatcher(self, result: PassResult) -> Iterator[Callable[[], None]]:
        """Gives ``handle``, which dispatches every stored message still waiting, as often as it
        is called within the block. Once ALONGSIDE_FROM messages wait, a sender goes alongside
        until the block ends."""
        senders: list[SendAlongside] = []

        def handle() -> None:
            self._still_mine()
            if not senders and dispatch.waiting(self.svc.engine) >= ALONGSIDE_FROM:
                senders.append(SendAlongside(self, result))
                senders[0].start()
            handled = dispatch.process_pending(self.svc, self.clock())
            for disposition, n in handled.counts.items():
                result.dispositions[disposition] = result.dispositions.get(disposition, 0) + n
            result.kenmerken += handled.kenmerken

        try:
            yield handle
        finally:
            if senders:
                self._finish(senders[0])

    def _finish(self, alongside: SendAlongside) -> None:
        """Wait for the sender to end. Stopping, wait at most SENDER_STOP_GRACE_SECONDS: an SMTP
        server that does not answer (Postfix waiting for its authentication service, say) must
        not hold up a stop for its 60 s timeout."""
        alongside.finished.set()
        give_up: float | None = None
        while alongside.is_alive():
            alongside.join(0.1)  # short, so that SIGTERM's handler gets to run
            if self.stopping and alongside.is_alive():
                give_up = give_up or time.monotonic() + SENDER_STOP_GRACE_SECONDS
                if time.monotonic() >= give_up:
                    log.warning(
                        "worker: stopping while the SMTP server has not answered a mail being sent; "
                        "if it did accept it, it goes out again on the next start, with the same Message-ID"
                    )
                    self.stuck_sender = alongside
                    return

    def check_clock(self, result: PassResult | None = None) -> None:
        """The periodic work: reporter reminders, deadline warnings, the daily digest, the overview."""
        self._still_mine()
        now = self.clock()
        queued = reminders.queue_reminders(self.svc, now)
        warned = alerts.check(self.svc, now)
        digest.send_if_due(self.svc, now)
        overviews.send_if_due(self.svc, now)
        if result is not None:
            result.reminders, result.warnings = queued, warned

    def send_outbox(self, result: PassResult | None = None, keep_open: dict[str, SmtpTransport] | None = None) -> None:
        self._still_mine()
        if self.stuck_sender is not None and self.stuck_sender.is_alive():
            return  # it may be halfway through a row; stopping anyway
        sent, problems = outbox.send_due(
            self.svc.engine,
            self.transport,
            self.clock(),
            dispatch.report_send_failure(self.svc),
            on_connect=lambda mailbox, error: health.record(self.svc, mailbox, "smtp", error, self.clock()),
            keep_open=keep_open,
        )
        if result is not None:
            result.sent, result.send_problems = result.sent + sent, result.send_problems + problems

    def close(self) -> None:
        for watcher in self.watchers:
            watcher.join(timeout=5)
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
            except LeaseLostError:
                pass  # said once; the worker is stopping
            except Exception:
                log.exception("worker: scheduled job %s failed; it stays scheduled", name)

        return run

    def mail_until_quiet(self) -> None:
        """New mail in, handled, answered: what a server's IDLE notice (or the poll) sets off.
        A pass that found mail is followed by another at once: mail that arrived during it
        may have been announced before the next IDLE began. A mailbox that fails waits for
        its own retry (:meth:`fetch`); the rest of the pass goes on."""
        while not self.stopping:
            result = self.mail_pass()
            if result.stored or result.sent or result.errors:
                log.info("worker: pass: %s", result.summary())
            if not result.stored:
                return

    def mail_pass(self) -> PassResult:
        """Fetch the mailboxes that are due (not one waiting out its back-off), dispatch, send."""
        result = PassResult()
        self.take_in_and_dispatch(result, waiting_too=False)
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
        self.scheduler.every(settings.poll_seconds).seconds.do(self._job("mail", self.mail_until_quiet))

    def stop_on_signals(self) -> None:
        """SIGTERM (systemd) and Ctrl-C stop the worker after the current step."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def run_forever(self) -> None:
        self.stop_on_signals()
        settings = self.svc.settings
        self.schedule_jobs()
        failures = 0
        log.info(
            "worker: running on %s (%s); stop with Ctrl-C or SIGTERM",
            ", ".join(mb.settings.address for mb in self.mailboxes.values()),
            "IMAP IDLE where offered" if settings.use_idle else f"polling every {settings.poll_seconds}s",
        )
        if settings.use_idle:
            self.watchers = [
                Watcher(ImapMailbox(mb.settings, settings.ca_file, tokens=mb.tokens), self.wake, lambda: self.stopping)
                for mb in self.mailboxes.values()
            ]
            for watcher in self.watchers:
                watcher.start()
        self.check_clock()
        while not self.stopping:
            try:
                self.mail_until_quiet()
                failures = 0
                while not self.stopping:
                    self.scheduler.run_pending()
                    if self._wait():
                        break  # new mail, or a mailbox to try again: fetch now
            except LeaseLostError:
                break  # said once; another worker has the database now
            except Exception as exc:
                failures += 1
                delay = backoff_seconds(failures)
                known = self.describe(exc)
                if known:
                    log.warning("worker: %s; trying again in %ds", known, delay)
                else:
                    log.exception("worker: unexpected error; trying again in %ds", delay)
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

    def _wait(self) -> bool:
        """Wait for new mail (a watcher's IDLE notice), a mailbox's retry or the next scheduled
        job; True when there is mail to fetch or a mailbox to try again."""
        pending = self.scheduler.idle_seconds
        timeout = max(0.5, min(60.0, pending if pending is not None else 60.0))
        retries = [self.retry_at[n] for n in self.mailboxes if self.failures[n]]
        if retries:
            timeout = max(0.0, min(timeout, min(retries) - time.monotonic()))
        if any(w.is_alive() for w in self.watchers):
            woken = self.wake.wait(timeout)
            self.wake.clear()
        else:
            self._sleep(timeout)
            woken = False
        return woken or self.retry_due()

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.5, end - time.monotonic()))
