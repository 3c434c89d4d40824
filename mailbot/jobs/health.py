"""How each mailbox's connections are doing, and telling the officers when one keeps failing.

The worker records every IMAP check and SMTP connection here (one row per mailbox and
channel). A connection that keeps failing (a login refused three times in a row: an expired
password or client secret, revoked consent; any other failure for a quarter of an hour) is
reported to the officers once, by a route that does not depend on it: another mailbox's
SMTP where there is one, else the mailbox's own SMTP when only its IMAP fails, and always
the log and ``mailbot status``. When the connection works again they are told that too.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from mailbot.core.clock import as_utc
from mailbot.core.config import MailboxSettings
from mailbot.core.errors import PermanentError
from mailbot.model import cases, db
from mailbot.model.models import ConnectionHealth
from mailbot.model.services import Services
from mailbot.pipeline.notify import notify_officers

log = logging.getLogger(__name__)

CHANNELS = ("imap", "smtp")
TELL_AFTER_FAILURES = 3
TELL_AFTER = timedelta(minutes=15)


def failing(row: ConnectionHealth | None) -> bool:
    return row is not None and row.failing_since is not None


def should_tell(row: ConnectionHealth, permanent: bool, now: datetime) -> bool:
    """Keeps failing: three refusals in a row, or three failures over at least 15 minutes."""
    if row.told_at is not None or row.failing_since is None or row.failures < TELL_AFTER_FAILURES:
        return False
    return permanent or now - as_utc(row.failing_since) >= TELL_AFTER


def record(svc: Services, mailbox: str, channel: str, error: Exception | None, now: datetime) -> None:
    """Note how a connection went; tell the officers when it keeps failing or works again."""
    with db.session(svc.engine) as s:
        row = s.get(ConnectionHealth, (mailbox, channel)) or ConnectionHealth(mailbox=mailbox, channel=channel)
        if error is None:
            if row.told_at is not None:
                _tell(svc, s, row, now, recovered=True)
            elif row.failing_since is not None:
                log.info("health: %s %s works again", mailbox, channel.upper())
            row.last_ok_at, row.failing_since, row.failures, row.told_at = now, None, 0, None
        else:
            row.failing_since = row.failing_since or now
            row.failures += 1
            row.last_error, row.last_error_at = str(error), now
            if should_tell(row, isinstance(error, PermanentError), now):
                row.told_at = now
                _tell(svc, s, row, now, recovered=False)
        s.add(row)
        s.commit()


def route(svc: Services, s: Session, mailbox: str, channel: str) -> MailboxSettings | None:
    """The mailbox to send a notice about ``mailbox``'s trouble through: another one whose SMTP
    works, else its own SMTP when only its IMAP fails; None when there is no such route."""
    others = [mb for mb in svc.settings.mailboxes if mb.name != mailbox]
    own = [svc.settings.mailbox_named(mailbox)] if channel != "smtp" else []
    for mb in others + own:
        if not failing(s.get(ConnectionHealth, (mb.name, "smtp"))):
            return mb
    return None


def _tell(svc: Services, s: Session, row: ConnectionHealth, now: datetime, recovered: bool) -> None:
    broken = svc.settings.mailbox_named(row.mailbox)
    kind = "mailbox_recovered" if recovered else "mailbox_failing"
    cases.add_event(s, now, kind, None, actor=row.mailbox, channel=row.channel, error=row.last_error)
    via = route(svc, s, row.mailbox, row.channel)
    what = f"{row.mailbox} ({broken.address}) {row.channel.upper()}"
    if not recovered:
        log.error("health: %s keeps failing since %s: %s", what, row.failing_since, row.last_error)
    if via is None:
        log.error("health: cannot tell the officers by mail about %s: no working route; see mailbot status", what)
        return
    # The failing mailbox's officers, through the route's address.
    notify_officers(
        svc,
        s,
        dataclasses.replace(via, officers=broken.officers),
        "officer_mailbox_failing",
        now,
        mailbox=broken,
        channel=row.channel,
        error=row.last_error or "",
        since=row.failing_since,
        failures=row.failures,
        recovered=recovered,
        login=bool(row.last_error and "login refused" in row.last_error),
    )
