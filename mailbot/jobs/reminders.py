"""Reminders to reporters whose required answers are still missing (protocol: *Inventariseren*,
"bij onvoldoende informatie zet de Melder aanvullende vragen uit").

Each reminder is recorded on the case in the transaction that queues it, so a restart repeats
none; at most ``MAILBOT_MAX_REMINDERS``, each ``MAILBOT_REMINDER_AFTER_HOURS`` after the
acknowledgement, the reporter's last reply or the previous reminder, whichever is latest.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from mailbot.core.clock import as_utc
from mailbot.core.phases import CaseStatus
from mailbot.model import cases, db
from mailbot.model.models import Case, InboundMessage
from mailbot.model.services import Services
from mailbot.pipeline import acknowledgement
from mailbot.pipeline.notify import mail_reporter

log = logging.getLogger(__name__)

OPEN_FOR_ANSWERS = (CaseStatus.ONTVANGEN, CaseStatus.INVENTARISEREN)


def _not_to_be_mailed(svc: Services, s: Session, case: Case, now: datetime) -> bool:
    """The acknowledgement still waits for an officer, or outside addresses have had their
    share of automatic mail this hour (acknowledgement.py)."""
    if acknowledgement.waiting(s, case):
        return True
    settings = svc.settings
    return not acknowledgement.known_domain(settings, case.reporter_address) and (
        acknowledgement.outside_mail_last_hour(s, settings, now) >= settings.outside_replies_per_hour
    )


def queue_reminders(svc: Services, now: datetime) -> int:
    settings = svc.settings
    if settings.max_reminders == 0 or not settings.required_answers:
        return 0
    wait = timedelta(hours=settings.reminder_after_hours)
    queued = 0
    with db.session(svc.engine) as s:
        due = s.exec(
            select(Case).where(
                col(Case.closed_at).is_(None),  # implied by the status; lets the index of open cases serve
                col(Case.status).in_(OPEN_FOR_ANSWERS),
                Case.reporter_address != "",
                Case.reminders_sent < settings.max_reminders,
                Case.created_at <= now - wait,
            )
        )
        for case in list(due):
            last_reply = s.exec(
                select(func.max(InboundMessage.arrived_at)).where(
                    InboundMessage.case_id == case.id, InboundMessage.from_address == case.reporter_address
                )
            ).one()
            since = max(as_utc(t) for t in (case.created_at, case.last_reminder_at, last_reply) if t is not None)
            missing = cases.missing_answers(case, settings.required_answers)
            if now < since + wait or not missing or _not_to_be_mailed(svc, s, case, now):
                continue
            asked = acknowledgement.asked_of(case)  # a processor is reminded in a processor's words
            still = [q for q in asked if q.field in missing]
            mail_reporter(svc, s, case, "reporter_reminder", now, missing=still, questions=asked)
            case.reminders_sent += 1
            case.last_reminder_at = now
            s.add(case)
            cases.add_event(s, now, "reminder_queued", case.id, missing=missing, number=case.reminders_sent)
            log.info(
                "reminders: %s: reminder %d to %s (missing: %s)",
                case.kenmerk,
                case.reminders_sent,
                case.reporter_address,
                ", ".join(missing),
            )
            queued += 1
        s.commit()
    return queued
