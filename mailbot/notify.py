"""Mail to the privacy officers: one rendered notice per officer, through the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from mailbot import outbox
from mailbot.app import Services
from mailbot.config import MailboxSettings
from mailbot.models import Case, Outbox


def notify_officers(
    svc: Services,
    s: Session,
    mb: MailboxSettings,
    template: str,
    now: datetime,
    *,
    case: Case | None = None,
    caused_by: int | None = None,
    **context: Any,
) -> list[Outbox]:
    language = case.language if case else svc.settings.language
    rows = []
    for officer in mb.officers:
        r = svc.renderer.render(language, template, case=case, **context)
        rows.append(
            outbox.enqueue(
                s,
                kind=template,
                mailbox=mb.name,
                sender=mb.address,
                sender_name=svc.settings.sender_name,
                recipient=officer,
                subject=r.subject,
                body=r.body,
                language=language,
                now=now,
                auto_reply=False,
                case_id=case.id if case else None,
                kenmerk=case.kenmerk if case else None,
                caused_by=caused_by,
            )
        )
    return rows
