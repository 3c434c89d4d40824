"""Whom the bot acknowledges unasked: a new report's acknowledgement, and when it waits.

A report can come "from" any address, and its acknowledgement goes to that address from the
organisation's own, echoing the report's subject and the sender's display name. Unchecked,
anyone could have the bot mail anyone. So the acknowledgement goes straight away only to a
sender the bot can place: in ``MAILBOT_REPORTER_DOMAINS`` (default: the shared mailboxes'
domains, i.e. the organisation's own people), in ``MAILBOT_PROCESSOR_DOMAINS``, or vouched for
by the trusted receiving server (``authentication.sender_authenticated``). For anyone else the
case is opened as usual, but the acknowledgement waits, not yet composed: the wait is an event
on the case, written with it, so it survives a restart. An officer releases it by answering
the notice with ``Bevestig melder`` (commands/confirm.py). Automatic mail to addresses
outside those domains is also capped in total, ``MAILBOT_OUTSIDE_REPLIES_PER_HOUR``, however
many addresses it is spread over; past the cap an acknowledgement waits in the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, not_, or_
from sqlmodel import Session, col, select

from mailbot.core.authentication import sender_authenticated
from mailbot.core.config import Settings
from mailbot.core.parse import ParsedMessage
from mailbot.core.questionnaire import Question, asked
from mailbot.model import cases
from mailbot.model.models import Case, Event, InboundMessage, Outbox
from mailbot.model.services import Services
from mailbot.pipeline.notify import mail_reporter

HELD = "acknowledgement_held"
QUEUED = "acknowledgement_queued"

# Why an acknowledgement waits (the officers' notice explains each in plain words).
UNVERIFIED = "unverified"
BUSY = "busy"


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower() if "@" in address else ""


def known_domain(settings: Settings, address: str) -> bool:
    """Is the address in a reporter or processor domain (the organisation's own, or a known processor's)?"""
    return domain_of(address) in (*settings.reporter_domains, *settings.processor_domains)


def outside_mail_last_hour(s: Session, settings: Settings, now: datetime) -> int:
    """Mails the bot queued in the last hour to addresses outside the known domains (officers
    not counted: they may have an address elsewhere)."""
    domains = (*settings.reporter_domains, *settings.processor_domains)
    officers = {o for mb in settings.mailboxes for o in mb.officers}
    inside = or_(*(col(Outbox.recipient).like(f"%@{d}") for d in domains)) if domains else None
    where = [col(Outbox.created_at) >= now - timedelta(hours=1), col(Outbox.recipient).not_in(officers)]
    if inside is not None:
        where.append(not_(inside))
    return int(s.exec(select(func.count()).select_from(Outbox).where(and_(*where))).one())


def why_wait(svc: Services, s: Session, parsed: ParsedMessage, now: datetime) -> str | None:
    """Why the acknowledgement of this report must wait (UNVERIFIED or BUSY), or None."""
    settings = svc.settings
    if known_domain(settings, parsed.from_address):
        return None
    if not sender_authenticated(parsed, settings.trusted_authserv_id):
        return UNVERIFIED
    if outside_mail_last_hour(s, settings, now) >= settings.outside_replies_per_hour:
        return BUSY
    return None


def queue(
    svc: Services,
    s: Session,
    case: Case,
    now: datetime,
    *,
    caused_by: int | None,
    thread: tuple[str | None, tuple[str, ...]],
    original_subject: str,
    actor: str = "",
) -> str:
    """Queue the acknowledgement to the case's reporter and record it; its Message-ID is returned.
    It shows what the report already told (read with the same reader as the replies) and asks
    only the rest; the report itself is the answer to "what happened"."""
    understood, missing = understood_and_missing(case)
    queued = mail_reporter(
        svc,
        s,
        case,
        "reporter_acknowledgement",
        now,
        caused_by=caused_by,
        auto_reply=True,
        thread=thread,
        original_subject=original_subject,
        understood=understood,
        missing=missing,
        questions=asked_of(case),
        processor=processor_of(case),
    )
    cases.add_event(
        s, now, QUEUED, case.id, actor=actor, message_id=caused_by, to=case.reporter_address, outgoing_message_id=queued
    )
    return queued


def processor_of(case: Case) -> str:
    """The processor whose report opened the case (dispatch records it); "" for anyone else's."""
    return str(cases.answers_of_assessment(case).get("processor") or "")


def asked_of(case: Case) -> tuple[Question, ...]:
    """The questions the case's reporter is asked, numbered: a processor gets a processor's list."""
    return asked(bool(processor_of(case)))


def understood_and_missing(case: Case) -> tuple[list[tuple[str, Any]], list[Question]]:
    """The answers the case has (field, value), and the questions still without one."""
    have = cases.answers_of(case)
    questions = asked_of(case)
    understood = [(q.field, have[q.field]) for q in questions if q.field != "description" and have.get(q.field)]
    return understood, [q for q in questions if have.get(q.field) in (None, "")]


def hold(s: Session, case: Case, m: InboundMessage, why: str, now: datetime) -> None:
    cases.add_event(s, now, HELD, case.id, message_id=m.id, to=case.reporter_address, reason=why)


def waiting(s: Session, case: Case) -> bool:
    """Does the case's acknowledgement wait for an officer (held, and not queued since)?"""
    kinds = list(
        s.exec(
            select(Event.kind)
            .where(Event.case_id == case.id, col(Event.kind).in_((HELD, QUEUED)))
            .order_by(col(Event.id).desc())
            .limit(1)
        )
    )
    return kinds == [HELD]


def release(svc: Services, s: Session, case: Case, now: datetime, officer: str, caused_by: int | None) -> str:
    """An officer vouched for the reporter: the acknowledgement that waited goes now, in answer
    to the report."""
    report = s.get(InboundMessage, case.inbound_message_id) if case.inbound_message_id else None
    report_id = report.message_id if report is not None else None
    return queue(
        svc,
        s,
        case,
        now,
        caused_by=caused_by,
        thread=(report_id, (report_id,) if report_id else ()),
        original_subject=case.subject,
        actor=officer,
    )
