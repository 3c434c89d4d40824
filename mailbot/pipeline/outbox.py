"""The durable outbox: mail is queued in the transaction that causes it and sent by a separate stage.

A crash after the SMTP server accepted a message but before it was marked sent makes the
next pass send it again, with the same Message-ID, so the recipient's mail program can tell.
Temporary failures are retried with back-off; permanent ones are recorded and reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mailbot.core.compose import Attachment, compose, new_message_id
from mailbot.core.errors import PermanentError, TransientError
from mailbot.mail.smtp import SmtpTransport
from mailbot.model import db
from mailbot.model.models import Outbox, OutboxStatus

log = logging.getLogger(__name__)

BACKOFF_FIRST = timedelta(seconds=15)
BACKOFF_MAX = timedelta(minutes=15)
BATCH = 200


def backoff(attempts: int) -> timedelta:
    delay: timedelta = BACKOFF_FIRST * (2 ** min(max(0, attempts - 1), 10))
    return min(delay, BACKOFF_MAX)


_TABLE = Outbox.__table__  # type: ignore[attr-defined]
_INSERT = insert(_TABLE)
_AUTO_REPLIES = (
    select(func.count())
    .select_from(_TABLE)
    .where(
        _TABLE.c.recipient == bindparam("recipient"),
        _TABLE.c.auto_reply.is_(True),
        _TABLE.c.created_at >= bindparam("since"),
    )
)


def auto_replies_last_hour(session: Session, recipient: str, now: datetime) -> int:
    since = now - timedelta(hours=1)
    return int(session.connection().execute(_AUTO_REPLIES, {"recipient": recipient, "since": since}).scalar_one())


def enqueue(
    session: Session,
    *,
    kind: str,
    mailbox: str,
    sender: str,
    sender_name: str,
    recipient: str,
    subject: str,
    body: str,
    language: str,
    now: datetime,
    auto_reply: bool,
    case_id: int | None = None,
    kenmerk: str | None = None,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    caused_by: int | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> str:
    """Queue a mail in the session's transaction; its Message-ID is returned."""
    message_id = new_message_id(sender)
    raw = compose(
        sender=sender,
        sender_name=sender_name,
        recipient=recipient,
        subject=subject,
        body=body,
        message_id=message_id,
        date=now,
        language=language,
        auto_submitted="auto-replied" if auto_reply else "auto-generated",
        in_reply_to=in_reply_to,
        references=references,
        kenmerk=kenmerk,
        attachments=attachments,
    )
    # One INSERT on the session's connection: a new report queues two mails, and an ORM object
    # and its flush cost ten times the statement (docs/benchmarks.md).
    session.connection().execute(
        _INSERT,
        {
            "message_id": message_id,
            "kind": kind,
            "case_id": case_id,
            "mailbox": mailbox,
            "sender": sender,
            "recipient": recipient,
            "subject": subject,
            "raw": raw,
            "auto_reply": auto_reply,
            "created_at": now,
            "next_attempt_at": now,
            "caused_by_message_id": caused_by,
        },
    )
    return message_id


OnFailure = Callable[[Session, Outbox, str, datetime], None]


def _due(engine: Engine, now: datetime, mailbox: str | None = None) -> list[Outbox]:
    with db.session(engine) as s:
        query = select(Outbox).where(Outbox.status == OutboxStatus.QUEUED, Outbox.next_attempt_at <= now)
        if mailbox is not None:
            query = query.where(Outbox.mailbox == mailbox)
        return list(s.exec(query.order_by(col(Outbox.id)).limit(BATCH)))


def _mailboxes_due(engine: Engine, now: datetime) -> list[str]:
    with db.session(engine) as s:
        query = select(Outbox.mailbox).where(Outbox.status == OutboxStatus.QUEUED, Outbox.next_attempt_at <= now)
        return sorted(set(s.exec(query.distinct())))


def send_due(
    engine: Engine,
    transport_factory: Callable[[str], SmtpTransport],
    now: datetime,
    on_permanent_failure: OnFailure,
    on_connect: Callable[[str, Exception | None], None] | None = None,
    keep_open: dict[str, SmtpTransport] | None = None,
) -> tuple[int, int]:
    """Send every queued mail that is due, per mailbox over that mailbox's own connection, so
    one mailbox's SMTP trouble holds up none of the others' mail. ``on_connect`` hears of each
    connection made or failed. With ``keep_open`` the connections are kept there for the next
    call (the caller closes them), instead of being closed at the end. Returns (sent, deferred
    or refused)."""
    transports = {} if keep_open is None else keep_open
    sent = problems = 0
    for mailbox in _mailboxes_due(engine, now):
        if mailbox not in transports:
            transports[mailbox] = transport_factory(mailbox)
        try:
            s, p = _send_mailbox(engine, mailbox, transports[mailbox], now, on_permanent_failure, on_connect)
        finally:
            if keep_open is None:
                transports[mailbox].close()
        sent, problems = sent + s, problems + p
    return sent, problems


def _send_mailbox(
    engine: Engine,
    mailbox: str,
    transport: SmtpTransport,
    now: datetime,
    on_permanent_failure: OnFailure,
    on_connect: Callable[[str, Exception | None], None] | None,
) -> tuple[int, int]:
    due = _due(engine, now, mailbox)
    if not due:
        return 0, 0
    if transport.conn is None and not _connect(engine, mailbox, transport, due, now, on_connect):
        return 0, len(due)
    sent = problems = 0
    while due:
        batch_sent, batch_problems, connection_lost = _send_batch(engine, transport, due, now, on_permanent_failure)
        sent, problems = sent + batch_sent, problems + batch_problems
        if connection_lost:
            break
        due = _due(engine, now, mailbox)
    return sent, problems


def _connect(
    engine: Engine,
    mailbox: str,
    transport: SmtpTransport,
    due: list[Outbox],
    now: datetime,
    on_connect: Callable[[str, Exception | None], None] | None,
) -> bool:
    """Connect for ``due``; when that fails, put those mails off with back-off and say False."""
    try:
        transport.connect()
    except (TransientError, PermanentError) as exc:
        log.warning("outbox: %s: %s; %d mail(s) wait for the next try", mailbox, exc, len(due))
        with db.session(engine) as s:
            s.execute(
                update(Outbox)
                .where(col(Outbox.status) == OutboxStatus.QUEUED, col(Outbox.next_attempt_at) <= now,
                       col(Outbox.mailbox) == mailbox)
                .values(attempts=Outbox.attempts + 1, last_error=str(exc),
                        next_attempt_at=now + backoff(max(o.attempts for o in due) + 1))
            )  # fmt: skip
            s.commit()
        if on_connect is not None:
            on_connect(mailbox, exc)
        return False
    if on_connect is not None:
        on_connect(mailbox, None)
    return True


def _send_batch(
    engine: Engine, transport: SmtpTransport, due: list[Outbox], now: datetime, on_permanent_failure: OnFailure
) -> tuple[int, int, bool]:
    # What caused these mails (a case opened, an answer recorded) must not be taken back by a
    # power cut once they are out: handled again, it would send them again.
    db.make_durable(engine)
    sent = problems = 0
    accepted: list[int] = []  # accepted by the SMTP server, not yet marked sent
    try:
        for row in due:
            try:
                transport.send(row.sender, row.recipient, row.raw)
            except TransientError as exc:
                problems += 1
                _mark_deferred(engine, row.id, str(exc), now + backoff(row.attempts + 1))
                log.warning("outbox: %s to %s deferred: %s", row.kind, row.recipient, exc)
                if transport.conn is None:
                    return sent, problems, True  # the connection is gone: the rest waits for the next try
                continue
            except PermanentError as exc:
                problems += 1
                with db.session(engine) as s:
                    fresh = s.get(Outbox, row.id)
                    assert fresh is not None
                    fresh.status, fresh.attempts, fresh.last_error = OutboxStatus.FAILED, fresh.attempts + 1, str(exc)
                    s.add(fresh)
                    on_permanent_failure(s, fresh, str(exc), now)
                    s.commit()
                log.error("outbox: %s to %s refused permanently: %s", row.kind, row.recipient, exc)
                continue
            assert row.id is not None
            accepted.append(row.id)
            sent += 1
            log.info("outbox: sent %s to %s %s", row.kind, row.recipient, row.message_id)
            _mark_sent(engine, accepted, now, wait=False)
    finally:
        _mark_sent(engine, accepted, now)
    return sent, problems, False


_SENT = (
    update(_TABLE).where(_TABLE.c.id == bindparam("oid"))
    .values(status=OutboxStatus.SENT, attempts=_TABLE.c.attempts + 1, sent_at=bindparam("at"))
)  # fmt: skip
_DEFERRED = (
    update(_TABLE).where(_TABLE.c.id == bindparam("oid"))
    .values(status=OutboxStatus.QUEUED, attempts=_TABLE.c.attempts + 1, last_error=bindparam("error"),
            next_attempt_at=bindparam("at"))
)  # fmt: skip


def _mark_sent(engine: Engine, accepted: list[int], at: datetime, wait: bool = True) -> None:
    """Mark what the SMTP server accepted as sent, committed, and empty ``accepted``: a crash
    after it repeats none of them. With ``wait=False`` nothing is marked while dispatch, beside
    the sender (worker.SendAlongside), holds the database: the sender goes on with the next
    mail instead of waiting for it (on a backlog, a third of its time), and marks these with the
    next. Should the worker die in between, the next pass sends those one or two again, with
    the same Message-IDs. Core statements on a pooled connection: through an ORM session this
    cost as much as the SMTP exchange itself."""
    if not accepted:
        return
    with db.writing(engine, wait=wait) as mine:
        if not mine:
            return
        with engine.begin() as conn:
            conn.execute(_SENT, [{"oid": oid, "at": at} for oid in accepted])
    accepted.clear()


def _mark_deferred(engine: Engine, outbox_id: int | None, error: str, at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(_DEFERRED, {"oid": outbox_id, "error": error, "at": at})
