"""What `mailbot status` shows: is the bot doing its job, and what needs someone's attention?

Everything comes from the database the worker writes as it goes (connection health per
mailbox, the lease, messages, the outbox, the cases), so status works from any machine that
reaches the database, also while the worker is down, and never touches a mail server. Every
finding that needs a person is listed under "attention"; the command then exits 1, so a
monitoring system can call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mailbot.core import wording
from mailbot.core.config import Settings
from mailbot.core.deadlines import time_left
from mailbot.model.reading import Reader, when
from mailbot.model.states import MessageStatus, OutboxStatus
from mailbot.runtime.lease_terms import LEASE_SECONDS, NAME, STANDBY

STUCK_AFTER = timedelta(minutes=10)  # a stored message not handled by then is stuck
QUEUED_TOO_LONG = timedelta(hours=1)  # an outgoing mail still not sent by then
RECENT = timedelta(hours=24)  # failed sends and quarantined mail looked back over


def stale_after(settings: Settings) -> timedelta:
    """A mailbox not checked successfully for this long is not being read."""
    return max(timedelta(minutes=5), timedelta(seconds=3 * settings.poll_seconds))


@dataclass
class Channel:
    name: str  # imap or smtp
    last_ok_at: datetime | None = None
    failing_since: datetime | None = None
    failures: int = 0
    last_error: str | None = None
    told_at: datetime | None = None

    @property
    def state(self) -> str:
        if self.failing_since is not None:
            return "failing"
        return "ok" if self.last_ok_at is not None else "unknown"


@dataclass
class MailboxStatus:
    name: str
    address: str
    imap: Channel
    smtp: Channel
    backlog: int = 0
    oldest_waiting_at: datetime | None = None
    queued: int = 0
    queued_overdue: int = 0
    failed_sends: int = 0
    quarantined: int = 0


@dataclass
class Status:
    now: datetime
    worker: str | None
    worker_seen_at: datetime | None
    mailboxes: list[MailboxStatus]
    next_deadline: tuple[str, datetime] | None
    overdue: list[str]
    standby: list[tuple[str, datetime]] = field(default_factory=list)  # waiting workers, last seen
    attention: list[str] = field(default_factory=list)


def _utc(stored: Any) -> datetime:
    moment = when(stored)
    assert moment is not None
    return moment


def _channel(r: Reader, mailbox: str, channel: str) -> Channel:
    found = r.rows(
        "SELECT last_ok_at, failing_since, failures, last_error, told_at FROM connection_health "
        "WHERE mailbox = ? AND channel = ?",
        mailbox,
        channel,
    )
    if not found:
        return Channel(channel)
    row = found[0]
    return Channel(channel, when(row["last_ok_at"]), when(row["failing_since"]), row["failures"], row["last_error"],
                   when(row["told_at"]))  # fmt: skip


def gather(r: Reader, settings: Settings, now: datetime) -> Status:
    held = r.rows("SELECT holder, renewed_at FROM worker_lease WHERE name = ?", NAME)
    # The stored mail by its state, every mailbox at once: asked per mailbox, SQLite's planner
    # took the index by mailbox and read every message the mailbox ever had (docs/benchmarks.md).
    waiting = {
        row["mailbox"]: row
        for row in r.rows(
            "SELECT mailbox, count(*) AS n, min(fetched_at) AS oldest FROM inbound_message WHERE status = ? "
            "GROUP BY mailbox",
            MessageStatus.RECEIVED.value,
        )
    }
    quarantined = {
        row["mailbox"]: row["n"]
        for row in r.rows(
            "SELECT mailbox, count(*) AS n FROM inbound_message WHERE status = ? AND processed_at >= ? "
            "GROUP BY mailbox",
            MessageStatus.QUARANTINED.value,
            r.at(now - RECENT),
        )
    }
    boxes = []
    for mb in settings.mailboxes:
        box = MailboxStatus(mb.name, mb.address, _channel(r, mb.name, "imap"), _channel(r, mb.name, "smtp"))
        if mb.name in waiting:
            box.backlog, box.oldest_waiting_at = waiting[mb.name]["n"], when(waiting[mb.name]["oldest"])
        box.quarantined = quarantined.get(mb.name, 0)
        queued = "SELECT count(*) FROM outbox WHERE mailbox = ? AND status = ?"
        box.queued = r.value(queued, mb.name, OutboxStatus.QUEUED.value)
        box.queued_overdue = r.value(
            queued + " AND created_at < ?", mb.name, OutboxStatus.QUEUED.value, r.at(now - QUEUED_TOO_LONG)
        )
        box.failed_sends = r.value(
            "SELECT count(*) FROM outbox WHERE mailbox = ? AND status = ? AND created_at >= ?",
            mb.name,
            OutboxStatus.FAILED.value,
            r.at(now - RECENT),
        )
        boxes.append(box)
    clock_running = "closed_at IS NULL AND (ap_decision IS NULL OR ap_decision = '')"
    upcoming = r.rows(
        f'SELECT kenmerk, ap_deadline_at FROM "case" WHERE {clock_running} AND ap_deadline_at >= ? '  # noqa: S608
        "ORDER BY ap_deadline_at LIMIT 1",
        r.at(now),
    )
    # By deadline, as the index of the open cases runs: by id, the planner read every case.
    overdue = r.rows(
        f'SELECT kenmerk FROM "case" WHERE {clock_running} AND ap_deadline_at < ? '  # noqa: S608
        "ORDER BY ap_deadline_at, id",
        r.at(now),
    )
    standby = r.rows(
        "SELECT holder, renewed_at FROM worker_lease WHERE name LIKE ? AND renewed_at >= ?",
        STANDBY + "%",
        r.at(now - timedelta(seconds=LEASE_SECONDS)),
    )
    status = Status(
        now=now,
        worker=held[0]["holder"] if held else None,
        worker_seen_at=when(held[0]["renewed_at"]) if held else None,
        mailboxes=boxes,
        next_deadline=(upcoming[0]["kenmerk"], _utc(upcoming[0]["ap_deadline_at"])) if upcoming else None,
        overdue=[row["kenmerk"] for row in overdue],
        standby=sorted((row["holder"], _utc(row["renewed_at"])) for row in standby),
    )
    status.attention = attention(status, settings)
    return status


def attention(st: Status, settings: Settings) -> list[str]:
    """What needs a person, one line each (English, like the log)."""
    out = []
    if st.worker_seen_at is None:
        out.append("no worker is running on this database: start `mailbot run` (or the mailbot service)")
    elif st.now - st.worker_seen_at > timedelta(seconds=LEASE_SECONDS):
        out.append(f"the worker was last seen {_ago(st.now, st.worker_seen_at)} ago ({st.worker}): is it running?")
    for box in st.mailboxes:
        for ch in (box.imap, box.smtp):
            if ch.failing_since is not None:
                out.append(
                    f"{box.name}: {ch.name.upper()} failing since {_ago(st.now, ch.failing_since)} ago "
                    f"({ch.failures} attempts): {ch.last_error}"
                )
        imap = box.imap
        unread = imap.last_ok_at is None or st.now - imap.last_ok_at > stale_after(settings)
        if imap.failing_since is None and st.worker is not None and unread:
            when = f"{_ago(st.now, imap.last_ok_at)} ago" if imap.last_ok_at else "never"
            out.append(f"{box.name}: mailbox last read {when}")
        if box.oldest_waiting_at is not None and st.now - box.oldest_waiting_at > STUCK_AFTER:
            out.append(
                f"{box.name}: {box.backlog} stored message(s) not handled, the oldest for "
                f"{_ago(st.now, box.oldest_waiting_at)}"
            )
        if box.queued_overdue:
            out.append(f"{box.name}: {box.queued_overdue} outgoing mail(s) queued for more than an hour")
        if box.failed_sends:
            out.append(
                f"{box.name}: {box.failed_sends} mail(s) refused for good in the last 24 hours "
                "(mailbot messages / the officers were told)"
            )
    if st.overdue:
        out.append(f"AP deadline passed without an AP decision: {', '.join(st.overdue)}")
    return out


def _ago(now: datetime, then: datetime | None) -> str:
    if then is None:
        return "never"
    seconds = int((now - then).total_seconds())
    if seconds < 120:
        return f"{max(0, seconds)} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def _when(value: datetime | None, settings: Settings) -> str:
    """``1 december 2026, 17:30`` in the organisation's zone and language."""
    return wording.when(value, settings.timezone, settings.language) if value else "never"


def text(st: Status, settings: Settings) -> str:
    lines = [f"mailbot status at {_when(st.now, settings)} ({settings.timezone.key})"]
    if st.worker_seen_at is None:
        lines.append("worker     none running on this database")
    else:
        lines.append(f"worker     {st.worker}, last seen {_ago(st.now, st.worker_seen_at)} ago")
    for holder, seen in st.standby:
        lines.append(f"standby    {holder}, last seen {_ago(st.now, seen)} ago")
    for box in st.mailboxes:
        lines.append(f"mailbox    {box.name} ({box.address})")
        for ch in (box.imap, box.smtp):
            verb = "checked" if ch.name == "imap" else "connected"
            state = f"{ch.state}, last {verb} {_when(ch.last_ok_at, settings)}"
            if ch.failing_since is not None:
                state = (
                    f"FAILING since {_when(ch.failing_since, settings)}, {ch.failures} attempts: {ch.last_error}; "
                    f"officers told: {_when(ch.told_at, settings) if ch.told_at else 'not yet'}; "
                    f"last worked {_when(ch.last_ok_at, settings)}"
                )
            lines.append(f"  {ch.name.upper():<9}{state}")
        lines.append(
            f"  backlog  {box.backlog} message(s) waiting to be handled; "
            f"{box.quarantined} quarantined in the last 24 hours"
        )
        lines.append(
            f"  outbox   {box.queued} queued ({box.queued_overdue} for more than an hour); "
            f"{box.failed_sends} refused for good in the last 24 hours"
        )
    if st.next_deadline:
        kenmerk, at = st.next_deadline
        lines.append(f"deadline   next: {kenmerk}, AP deadline {_when(at, settings)} ({time_left(at, st.now, 'en')})")
    else:
        lines.append("deadline   no case is waiting for an AP decision")
    if st.overdue:
        lines.append(f"           passed: {', '.join(st.overdue)}")
    if st.attention:
        lines.append(f"ATTENTION  {len(st.attention)} thing(s) need a person:")
        lines += [f"  - {a}" for a in st.attention]
    else:
        lines.append("all well")
    return "\n".join(lines)


def as_dict(st: Status) -> dict[str, Any]:
    def iso(v: datetime | None) -> str | None:
        return v.isoformat() if v else None

    def channel(ch: Channel) -> dict[str, Any]:
        return {
            "state": ch.state,
            "last_ok_at": iso(ch.last_ok_at),
            "failing_since": iso(ch.failing_since),
            "failures": ch.failures,
            "last_error": ch.last_error,
            "officers_told_at": iso(ch.told_at),
        }

    return {
        "at": iso(st.now),
        "worker": {"holder": st.worker, "last_seen_at": iso(st.worker_seen_at)},
        "standby": [{"holder": holder, "last_seen_at": iso(seen)} for holder, seen in st.standby],
        "mailboxes": [
            {
                "name": b.name,
                "address": b.address,
                "imap": channel(b.imap),
                "smtp": channel(b.smtp),
                "backlog": b.backlog,
                "oldest_waiting_at": iso(b.oldest_waiting_at),
                "outbox_queued": b.queued,
                "outbox_queued_over_an_hour": b.queued_overdue,
                "failed_sends_24h": b.failed_sends,
                "quarantined_24h": b.quarantined,
            }
            for b in st.mailboxes
        ],
        "next_deadline": {"kenmerk": st.next_deadline[0], "at": iso(st.next_deadline[1])} if st.next_deadline else None,
        "deadlines_passed": st.overdue,
        "attention": st.attention,
        "ok": not st.attention,
    }
