"""Mail loops and floods: an auto-responder that answers everything, a storm of bounces.

Anyone can send mail "from" any address, so how much mail arrived in an address's name must
never decide whether that person's own report opens a case or an officer's authorised command
is run: twenty forged mails would otherwise silence them. The loop guard therefore bounds
only what the bot *sends*:

- Every automatic reply counts against ``MAILBOT_MAX_REPLIES_PER_HOUR`` per address (the
  acknowledgement checks it; a report past it still opens a case, and the officers' notice
  says why it went unanswered). That alone ends a loop with an auto-responder, which only
  answers what it gets; the test of one that answers everything holds it to 10 mails.
- Automatic mail proper (Auto-Submitted, Precedence bulk/list, List-Id, X-Autoreply, bounces
  and delivery reports) is classified before anything else and never answered: it cannot
  start a loop.
- An address that keeps sending regardless, ``MAILBOT_LOOP_LIMIT`` messages within the hour
  before a message arrived, is *flooding*. Its reports still open cases and its replies
  still reach their cases, but it gets no acknowledgement, and the officers get one notice
  per address per day instead of a notice per message. Its mail that is neither a report
  nor a reply is ignored as ``mail-loop``. An officer's command that passes the usual checks
  (a reply to a mail the bot sent that officer, authenticated where configured) is run and
  answered as ever: what others sent in the officer's name does not count against it.

Bounces (empty Return-Path, MAILER-DAEMON, delivery reports) are never answered; they count
together, so that a storm of them is told to the officers once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, bindparam, func, select
from sqlmodel import Session, col
from sqlmodel import select as select_rows

from mailbot.core.classify import BOUNCE_RULES
from mailbot.model import cases
from mailbot.model.models import Event, InboundMessage
from mailbot.model.services import Services
from mailbot.pipeline.notify import notify_officers

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)
NOTICE_EVERY = timedelta(days=1)
BOUNCES = "(bounces)"
EVENT = "mail_loop_suspected"


# Run for every message handled: statements built once, on the connection (no ORM round).
_INBOUND = InboundMessage.__table__  # type: ignore[attr-defined]
_WITHIN_THE_HOUR = and_(
    _INBOUND.c.mailbox == bindparam("mailbox"),
    _INBOUND.c.id != bindparam("mid"),
    _INBOUND.c.arrived_at >= bindparam("since"),
    _INBOUND.c.arrived_at <= bindparam("until"),
)
_COUNT = select(func.count()).select_from(_INBOUND)
_FROM = _COUNT.where(_INBOUND.c.from_address == bindparam("sender"), _WITHIN_THE_HOUR)
_BOUNCES = _COUNT.where(_INBOUND.c.rule.in_(BOUNCE_RULES), _WITHIN_THE_HOUR)


def _count_within_the_hour(s: Session, query: Select[int], m: InboundMessage, **params: str) -> int:
    window = {"mailbox": m.mailbox, "mid": m.id, "since": m.arrived_at - WINDOW, "until": m.arrived_at}
    return int(s.connection().execute(query, {**window, **params}).scalar_one())


def messages_from(s: Session, m: InboundMessage) -> int:
    """How many other messages the sender of ``m`` sent in the hour before it arrived."""
    if not m.from_address:
        return 0
    return _count_within_the_hour(s, _FROM, m, sender=m.from_address)


def bounces_before(s: Session, m: InboundMessage) -> int:
    return _count_within_the_hour(s, _BOUNCES, m)


def flooding(svc: Services, s: Session, m: InboundMessage) -> str | None:
    """Why mail from this sender is to be left unanswered for now, or None."""
    sent = messages_from(s, m) + 1
    if sent >= svc.settings.loop_limit:
        return f"mail loop suspected: {sent} messages from {m.from_address} within an hour (MAILBOT_LOOP_LIMIT)"
    return None


def tell_officers_once(svc: Services, s: Session, m: InboundMessage, key: str, reason: str, now: datetime) -> bool:
    """One notice per address (or for all bounces) per day; True when this call sent it."""
    told = s.exec(
        select_rows(Event.id)
        .where(Event.kind == EVENT, Event.actor == key, col(Event.at) >= now - NOTICE_EVERY)
        .limit(1)
    ).first()
    if told is not None:
        return False
    cases.add_event(s, now, EVENT, None, actor=key, message_id=m.id, reason=reason)
    log.warning("%s; told the officers", reason, extra={"message_id": m.id, "mailbox": m.mailbox})
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
