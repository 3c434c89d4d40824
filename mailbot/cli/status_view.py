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

from sqlalchemy import func
from sqlmodel import Session, col, select

from mailbot.core.clock import as_utc
from mailbot.core.config import Settings
from mailbot.core.deadlines import time_left
from mailbot.model.models import Case, ConnectionHealth, InboundMessage, Outbox, WorkerLease
from mailbot.runtime import lease

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


def _channel(s: Session, mailbox: str, channel: str) -> Channel:
    row = s.get(ConnectionHealth, (mailbox, channel))
    if row is None:
        return Channel(channel)
    at = [as_utc(v) if v else None for v in (row.last_ok_at, row.failing_since, row.told_at)]
    return Channel(channel, at[0], at[1], row.failures, row.last_error, at[2])


def _count(s: Session, model: Any, *where: Any) -> int:
    return int(s.exec(select(func.count()).select_from(model).where(*where)).one())


def gather(s: Session, settings: Settings, now: datetime) -> Status:
    held = s.get(WorkerLease, lease.NAME)
    seen = as_utc(held.renewed_at) if held else None
    boxes = []
    for mb in settings.mailboxes:
        box = MailboxStatus(mb.name, mb.address, _channel(s, mb.name, "imap"), _channel(s, mb.name, "smtp"))
        waiting = (InboundMessage.mailbox == mb.name, InboundMessage.status == "received")
        box.backlog = _count(s, InboundMessage, *waiting)
        oldest = s.exec(select(func.min(InboundMessage.fetched_at)).where(*waiting)).one()
        box.oldest_waiting_at = as_utc(oldest) if oldest else None
        queued = (Outbox.mailbox == mb.name, Outbox.status == "queued")
        box.queued = _count(s, Outbox, *queued)
        box.queued_overdue = _count(s, Outbox, *queued, col(Outbox.created_at) < now - QUEUED_TOO_LONG)
        box.failed_sends = _count(
            s, Outbox, Outbox.mailbox == mb.name, Outbox.status == "failed", col(Outbox.created_at) >= now - RECENT
        )
        box.quarantined = _count(
            s,
            InboundMessage,
            InboundMessage.mailbox == mb.name,
            InboundMessage.status == "quarantined",
            col(InboundMessage.processed_at) >= now - RECENT,
        )
        boxes.append(box)
    clock_running = (col(Case.closed_at).is_(None), col(Case.ap_decision).is_(None) | (Case.ap_decision == ""))
    upcoming = s.exec(
        select(Case.kenmerk, Case.ap_deadline_at)
        .where(*clock_running, col(Case.ap_deadline_at) >= now)
        .order_by(col(Case.ap_deadline_at))
        .limit(1)
    ).first()
    overdue = list(s.exec(select(Case.kenmerk).where(*clock_running, col(Case.ap_deadline_at) < now)))
    standby = s.exec(
        select(WorkerLease.holder, WorkerLease.renewed_at).where(
            col(WorkerLease.name).startswith(lease.STANDBY),
            col(WorkerLease.renewed_at) >= now - timedelta(seconds=lease.LEASE_SECONDS),
        )
    )
    status = Status(
        now=now,
        worker=held.holder if held else None,
        worker_seen_at=seen,
        mailboxes=boxes,
        next_deadline=(upcoming[0], as_utc(upcoming[1])) if upcoming else None,
        overdue=overdue,
        standby=sorted((holder, as_utc(seen)) for holder, seen in standby),
    )
    status.attention = attention(status, settings)
    return status


def attention(st: Status, settings: Settings) -> list[str]:
    """What needs a person, one line each (English, like the log)."""
    out = []
    if st.worker_seen_at is None:
        out.append("no worker is running on this database: start `mailbot run` (or the mailbot service)")
    elif st.now - st.worker_seen_at > timedelta(seconds=lease.LEASE_SECONDS):
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
    return value.astimezone(settings.timezone).strftime("%d-%m-%Y %H:%M:%S") if value else "never"


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
