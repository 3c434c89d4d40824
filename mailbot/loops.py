"""Mail loops and floods: an auto-responder that answers everything, a storm of bounces.

The bound, per address: at most ``MAILBOT_MAX_REPLIES_PER_HOUR`` automatic replies an hour
(the acknowledgement checks it; a report past it still opens a case, and the officers'
notice says why it went unanswered). That alone ends a loop with an auto-responder, which
only answers what it gets. Mail that keeps coming regardless, ``MAILBOT_LOOP_LIMIT``
messages from one address within the hour before a message arrived, is stored but neither
answered nor opened as a case from then on, and the officers get one notice per address per
day. Bounces (empty Return-Path, MAILER-DAEMON, delivery reports) are
never answered; they count together, so that a storm of them is told to the officers once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_
from sqlmodel import Session, col, func, select

from mailbot import cases
from mailbot.app import Services
from mailbot.models import Event, InboundMessage
from mailbot.notify import notify_officers

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)
NOTICE_EVERY = timedelta(days=1)
BOUNCE_RULES = frozenset({"empty-return-path", "bounce-sender", "delivery-report"})
BOUNCES = "(bounces)"
EVENT = "mail_loop_suspected"


def _arrived_within_the_hour(m: InboundMessage) -> ColumnElement[bool]:
    return and_(
        col(InboundMessage.mailbox) == m.mailbox,
        col(InboundMessage.id) != m.id,
        col(InboundMessage.arrived_at) >= m.arrived_at - WINDOW,
        col(InboundMessage.arrived_at) <= m.arrived_at,
    )


def messages_from(s: Session, m: InboundMessage) -> int:
    """How many other messages the sender of ``m`` sent in the hour before it arrived."""
    if not m.from_address:
        return 0
    query = (
        select(func.count())
        .select_from(InboundMessage)
        .where(InboundMessage.from_address == m.from_address, _arrived_within_the_hour(m))
    )
    return int(s.exec(query).one())


def bounces_before(s: Session, m: InboundMessage) -> int:
    query = (
        select(func.count())
        .select_from(InboundMessage)
        .where(col(InboundMessage.rule).in_(BOUNCE_RULES), _arrived_within_the_hour(m))
    )
    return int(s.exec(query).one())


def flooding(svc: Services, s: Session, m: InboundMessage) -> str | None:
    """Why mail from this sender is to be left unanswered for now, or None."""
    sent = messages_from(s, m) + 1
    if sent >= svc.settings.loop_limit:
        return f"mail loop suspected: {sent} messages from {m.from_address} within an hour (MAILBOT_LOOP_LIMIT)"
    return None


def tell_officers_once(svc: Services, s: Session, m: InboundMessage, key: str, reason: str, now: datetime) -> bool:
    """One notice per address (or for all bounces) per day; True when this call sent it."""
    told = s.exec(
        select(Event.id).where(Event.kind == EVENT, Event.actor == key, col(Event.at) >= now - NOTICE_EVERY).limit(1)
    ).first()
    if told is not None:
        return False
    cases.add_event(s, now, EVENT, None, actor=key, message_id=m.id, reason=reason)
    log.warning("loops: %s; told the officers", reason)
    notify_officers(
        svc,
        s,
        svc.settings.mailbox_named(m.mailbox),
        "officer_mail_loop",
        now,
        caused_by=m.id,
        message=m,
        sender=key,
        reason=reason,
        bounces=key == BOUNCES,
    )
    return True


def check_bounces(svc: Services, s: Session, m: InboundMessage, now: datetime) -> None:
    """After a bounce was classified: tell the officers once when they have become a storm."""
    count = bounces_before(s, m) + 1
    if count >= svc.settings.loop_limit:
        tell_officers_once(
            svc, s, m, BOUNCES, f"{count} bounces or delivery reports within an hour (MAILBOT_LOOP_LIMIT)", now
        )
