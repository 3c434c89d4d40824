"""The daily digest to the officers: open cases by deadline, time left, what is still missing.

Sent once a day at ``MAILBOT_DIGEST_TIME`` (local time) or at the first check after it,
recorded so a restart does not send it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlmodel import col, select

from mailbot.core.clock import as_utc
from mailbot.core.deadlines import time_left
from mailbot.jobs.alerts import claim, open_items
from mailbot.model import db
from mailbot.model.audit import current_head
from mailbot.model.models import Case
from mailbot.model.services import Services
from mailbot.pipeline.notify import notify_officers


@dataclass(frozen=True)
class DigestRow:
    case: Case
    left: str | None  # None once the AP decision is taken
    overdue: bool
    items: list[str]


def send_if_due(svc: Services, now: datetime) -> bool:
    settings = svc.settings
    if not settings.digest_time:
        return False
    local = now.astimezone(settings.timezone)
    hour, minute = (int(x) for x in settings.digest_time.split(":"))
    if local.time() < time(hour, minute):
        return False
    key = f"digest:{local.date().isoformat()}"
    with db.session(svc.engine) as s:
        if not claim(s, key, "digest", now):
            return False
        open_cases = list(s.exec(select(Case).where(col(Case.closed_at).is_(None)).order_by(col(Case.ap_deadline_at))))
        rows = [
            DigestRow(c, time_left(as_utc(c.ap_deadline_at), now, settings.language) if not c.ap_decision else None,
                      not c.ap_decision and now > as_utc(c.ap_deadline_at),
                      open_items(c, settings.required_answers, now))
            for c in open_cases
        ]  # fmt: skip
        # The audit trail's head goes along: a copy outside the database (see audit.py).
        entries, head_hash = current_head(svc.engine)
        for mb in settings.mailboxes:
            mine = [r for r in rows if r.case.mailbox == mb.name]
            if mine:
                notify_officers(
                    svc, s, mb, "officer_digest", now, rows=mine, day=local.date(), audit_entries=entries,
                    audit_hash=head_hash,
                )  # fmt: skip
        s.commit()
    return bool(open_cases)
