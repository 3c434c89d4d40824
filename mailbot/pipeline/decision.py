"""The director's decision (procedure W): the FG advises, the board (``MAILBOT_BOARD``) decides.

When an officer records ``Advies FG:``, every board member gets a **decision request**: the case
in short, the severity suggestion with its reasons, the FG's advice, the time left on the
72-hour clock and the AP draft as PDF, and how to answer: ``Akkoord`` (the advice becomes the
decision) or ``Besluit: …`` with ``Reden: …``.

A board member's reply is authorised like an officer's command: it must answer the request the
bot sent to that very address about that case, be freshly dated, and pass DKIM/DMARC where
``MAILBOT_TRUSTED_AUTHSERV_ID`` is set. It has exactly one power, the decision: any other
command in it is refused and nothing changes. The decision is recorded with who, when, what,
the advice and the case state it applied to; the officers are told and the board member gets
an answer either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from mailbot.core import severity
from mailbot.core.authentication import sender_authenticated
from mailbot.core.clock import as_utc
from mailbot.core.compose import Attachment
from mailbot.core.deadlines import time_left
from mailbot.core.parse import ParsedMessage
from mailbot.model import cases
from mailbot.model.models import Case, InboundMessage, Outbox
from mailbot.model.services import Services
from mailbot.pipeline import commands, outbox
from mailbot.pipeline.notify import notify_officers
from mailbot.register import apdraft

REQUEST = "board_decision_request"
ANSWER = "board_decision_result"

_AGREED = re.compile(r"^\s*\**(akkoord|agreed|approved|i agree)\**\s*[.!]?\s*$", re.IGNORECASE)
_LINE = re.compile(r"^\s*\**([^\W\d_][\w '’/-]{0,40}?)\**\s*:\s*(.*)$")
DECISION = ("besluit", "decision", "besluit bestuur", "board decision")


def request(
    svc: Services, s: Session, case: Case, now: datetime, caused_by: int | None, reminder: bool = False
) -> list[str]:
    """Queue the decision request to every board member (``reminder``: again, as the AP
    deadline nears and the decision is still open); their Message-IDs are returned. A reply
    to a reminder counts as a reply to the request."""
    board = svc.settings.board
    if not board:
        return []
    mb = svc.settings.mailbox_named(case.mailbox)
    lang = case.language
    draft = apdraft.build(case, svc.settings, now)
    pdf = Attachment(f"AP-concept-{case.kenmerk}.pdf", "application/pdf", apdraft.pdf(draft, lang))
    suggestion = severity.table(severity.assess(cases.answers_of_assessment(case), cases.answers_of(case)), lang)
    ids = []
    for member in board:
        r = svc.renderer.render(
            lang,
            REQUEST,
            case=case,
            suggestion=suggestion.rsplit("\n", 1)[0],  # its last line tells officers which command to use
            left=time_left(as_utc(case.ap_deadline_at), now, lang),
            fields_open=len(draft.missing),
            reminder=reminder,
            overdue=now >= as_utc(case.ap_deadline_at),
        )
        ids.append(outbox.enqueue(
            s, kind=REQUEST, mailbox=mb.name, sender=mb.address, sender_name=svc.settings.sender_name_of(mb),
            recipient=member, subject=r.subject, body=r.body, language=lang, now=now, auto_reply=False,
            case_id=case.id, kenmerk=case.kenmerk, caused_by=caused_by, attachments=(pdf,),
        ))  # fmt: skip
    kind = "decision_reminder_sent" if reminder else "decision_requested"
    cases.add_event(s, now, kind, case.id, board=list(board), advice=case.fg_advice)
    return ids


def answers_request(s: Session, case: Case, parsed: ParsedMessage) -> bool:
    """Does the reply answer a decision request the bot sent to this very address about this case?"""
    ids = list(parsed.thread_ids)
    return bool(ids) and s.exec(
        select(Outbox.id).where(
            col(Outbox.message_id).in_(ids), Outbox.recipient == parsed.from_address,
            Outbox.case_id == case.id, Outbox.kind == REQUEST,
        )
    ).first() is not None  # fmt: skip


@dataclass(frozen=True)
class Reading:
    """What a board member's reply says: the decision and its reason, or why it says none."""

    decision: str = ""
    reason: str = ""
    agreed: bool = False
    other: tuple[str, ...] = ()  # command words that are not the decision


def read(written: str) -> Reading:
    """``Akkoord`` on a line of its own, or ``Besluit: …`` with ``Reden: …``; any other
    ``Woord:`` line that is a command is noted, so the reply can be refused."""
    decision = reason = ""
    agreed = False
    other: list[str] = []
    for line in written.split("\n"):
        if _AGREED.match(line):
            agreed = True
        elif m := _LINE.match(line):
            word = commands.normalise_word(m[1])
            if word in DECISION:
                decision = m[2].strip()
            elif word in commands.REASON:
                reason = m[2].strip()
            elif commands.is_command(word):
                other.append(m[1].strip())
    return Reading(decision, reason, agreed, tuple(other))


def from_board(
    svc: Services,
    s: Session,
    m: InboundMessage,
    parsed: ParsedMessage,
    case: Case,
    written: str,
    now: datetime,
    stale: tuple[str, str] | None,
) -> str | None:
    """Record a board member's decision. Returns why nothing was done (to refuse the mail as
    any other), or None when the decision was recorded or the member was told what to write."""
    say = svc.renderer.say
    lang = case.language
    if not answers_request(s, case, parsed):
        return say(
            lang,
            "een besluit werkt alleen als antwoord op het besluitverzoek dat de bot aan u stuurde",
            "a decision only works as a reply to the decision request the bot sent to you",
        )
    if stale:
        return say(
            lang, f"een oude of vreemd gedateerde e-mail ({stale[0]})", f"an old or oddly dated mail ({stale[1]})"
        )
    trusted = svc.settings.trusted_authserv_id
    if trusted and not sender_authenticated(parsed, trusted):
        return say(
            lang, f"DKIM/DMARC niet geslaagd volgens {trusted}", f"DKIM/DMARC did not pass according to {trusted}"
        )
    reading = read(written)
    problem = _problem(case, reading, lang)
    if problem is None:
        decision = reading.decision or case.fg_advice
        reason = reading.reason if reading.decision else say(lang, "conform advies FG", "as the DPO advised")
        case.board_decision, case.board_decision_by, case.board_decision_at = decision, parsed.from_address, now
        s.add(case)
        cases.add_event(
            s, now, "board_decision", case.id, actor=parsed.from_address, message_id=m.id, text=decision,
            by=parsed.from_address, reason=reason, agreed=reading.agreed and not reading.decision,
            advice=case.fg_advice, advice_by=case.fg_advice_by, status=case.status, phase=case.phase,
        )  # fmt: skip
        notify_officers(
            svc, s, svc.settings.mailbox_named(case.mailbox), "officer_decision", now, case=case, caused_by=m.id,
            officer=parsed.from_address,
            outcomes=[commands.Outcome(say(lang, "Besluit", "Decision"), True, f"{decision} ({reason})")],
        )  # fmt: skip
        m.reason = f"{case.kenmerk}: board decision recorded"
    else:
        cases.add_event(s, now, "board_reply_refused", case.id, actor=parsed.from_address, message_id=m.id,
                        reason=problem)  # fmt: skip
        m.reason = f"{case.kenmerk}: board reply, no decision recorded: {problem}"
    r = svc.renderer.render(lang, ANSWER, case=case, problem=problem)
    mb = svc.settings.mailbox_named(case.mailbox)
    outbox.enqueue(
        s, kind=ANSWER, mailbox=mb.name, sender=mb.address, sender_name=svc.settings.sender_name_of(mb),
        recipient=parsed.from_address, subject=r.subject, body=r.body, language=lang, now=now, auto_reply=False,
        case_id=case.id, kenmerk=case.kenmerk, in_reply_to=parsed.message_id or None,
        references=(*parsed.references, parsed.message_id) if parsed.message_id else parsed.references,
        caused_by=m.id,
    )  # fmt: skip
    return None


def _problem(case: Case, reading: Reading, lang: str) -> str | None:
    """Why the reply records no decision, in plain words; None when it does."""
    nl = lang == "nl"
    if reading.other:
        words = ", ".join(f"'{w}:'" for w in reading.other)
        return (
            f"uw antwoord bevat ook {words}; met een antwoord op deze e-mail kunt u alleen besluiten"
            if nl
            else f"your reply also holds {words}; a reply to this mail can only give the decision"
        )
    if reading.decision and not reading.reason:
        return (
            "bij een eigen besluit hoort een reden: zet 'Reden: …' onder 'Besluit: …'"
            if nl
            else "a decision of your own needs a reason: put 'Reason: …' under 'Decision: …'"
        )
    if reading.decision:
        return None
    if reading.agreed:
        return None if case.fg_advice else ("er is nog geen advies van de FG" if nl else "there is no DPO advice yet")
    return (
        "er staat geen besluit in uw antwoord: schrijf 'Akkoord' of 'Besluit: …' met 'Reden: …'"
        if nl
        else "your reply holds no decision: write 'Agreed' or 'Decision: …' with 'Reason: …'"
    )
