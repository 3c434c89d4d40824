"""A reply that landed on a case: who sent it decides what it may do.

- An **officer** (``MAILBOT_OFFICERS``) replying to a mail the bot sent *to that officer*
  about the case (and, where ``MAILBOT_TRUSTED_AUTHSERV_ID`` is set, with DKIM or DMARC passed)
  commands the case; the officer gets one reply with every outcome. The reporter's
  acknowledgement is not enough: the reporter knows its Message-ID. A command mail is run
  once: the same Message-ID again is ignored as a duplicate, and a mail written more than
  :data:`COMMAND_MAX_AGE` before it arrived (or dated in the future, or not dated) is refused,
  so an old command mail sent again under a new Message-ID changes nothing.
- The **reporter**, or someone already on the case, answers the questionnaire: answers fill or
  correct the case's fields, what fits no question is kept as free text, the officers are told.
  Only in a reply to a mail the bot sent that very address about the case, or with the trusted
  server's word for the sender: naming the kenmerk "from" the reporter's address is easy to
  forge. Such a mail changes nothing; its answers are offered to the officers, who take them
  over with ``Overnemen`` (commands/accept.py).
- Anyone else is **unverified**: the mail is kept on the case, changes nothing, and the officers
  are told. So are commands from anyone who may not give them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from mailbot.core.answers import extract_answers, field_for_label
from mailbot.core.authentication import sender_authenticated
from mailbot.core.classify import strip_subject_prefixes
from mailbot.core.clock import as_utc
from mailbot.core.kenmerk import find_kenmerken
from mailbot.core.parse import ParsedMessage
from mailbot.core.quotes import split_reply
from mailbot.model import cases
from mailbot.model.models import Case, InboundMessage, Outbox
from mailbot.model.services import Services
from mailbot.pipeline import acknowledgement, commands, outbox
from mailbot.pipeline.notify import notify_officers

log = logging.getLogger(__name__)

ON_CASE = ("reporter", "participant", "officer")
COMMAND_MAX_AGE = timedelta(days=7)
CLOCK_SKEW = timedelta(hours=1)


def stale_command(parsed: ParsedMessage, arrived_at: datetime) -> tuple[str, str] | None:
    """Why a command mail is too old (or oddly dated) to be run, in Dutch and English; None when
    it is fresh."""
    days = COMMAND_MAX_AGE.days
    if parsed.date is None:
        return "de e-mail heeft geen leesbare datum", "the mail has no readable Date"
    arrived_at = as_utc(arrived_at)
    if parsed.date < arrived_at - COMMAND_MAX_AGE:
        return (
            f"geschreven op {parsed.date:%Y-%m-%d}, meer dan {days} dagen voor aankomst",
            f"written {parsed.date:%Y-%m-%d}, more than {days} days before it arrived",
        )
    if parsed.date > arrived_at + CLOCK_SKEW:
        return (
            f"gedateerd {parsed.date:%Y-%m-%d %H:%M} UTC, in de toekomst",
            f"dated {parsed.date:%Y-%m-%d %H:%M} UTC, in the future",
        )
    return None


def participants(s: Session, case: Case) -> set[str]:
    """Everyone on the case: whom we wrote to about it, and who wrote about it and was accepted."""
    people = set(s.exec(select(Outbox.recipient).where(Outbox.case_id == case.id)))
    people |= {
        a for a in s.exec(select(InboundMessage.from_address).where(
            InboundMessage.case_id == case.id, col(InboundMessage.sender_role).in_(ON_CASE))) if a
    }  # fmt: skip
    people |= {a for a in (case.reporter_address, case.handler, case.technician) if a}
    return people


def role_of(svc: Services, s: Session, case: Case, sender: str) -> str:
    if not sender:
        return "unverified"
    if sender in svc.settings.mailbox_named(case.mailbox).officers:
        return "officer"
    if sender == case.reporter_address:
        return "reporter"
    return "participant" if sender in participants(s, case) else "unverified"


def answers_mail_to_officer(s: Session, case: Case, parsed: ParsedMessage) -> bool:
    """Does the reply answer a mail the bot sent to this very officer about this case (or the
    daily digest, which is about every open case)?"""
    return _answers_mail_to_sender(s, case, parsed, officer=True)


def answers_mail_to_sender(s: Session, case: Case, parsed: ParsedMessage) -> bool:
    """Does the reply answer a mail the bot sent to this very address about this case?"""
    return _answers_mail_to_sender(s, case, parsed, officer=False)


def _answers_mail_to_sender(s: Session, case: Case, parsed: ParsedMessage, officer: bool) -> bool:
    ids = list(parsed.thread_ids)
    if not ids:
        return False
    about = Outbox.case_id == case.id
    query = select(Outbox.id).where(col(Outbox.message_id).in_(ids), Outbox.recipient == parsed.from_address)
    if officer:
        query = query.where(col(Outbox.kind).startswith("officer_"), about | (Outbox.kind == "officer_digest"))
    else:
        query = query.where(about)
    return s.exec(query).first() is not None


def case_from_digest_reply(s: Session, parsed: ParsedMessage, prefix: str) -> Case | None:
    """An officer's reply to the daily digest names its case by the kenmerk on its first line."""
    ids = list(parsed.thread_ids)
    if not ids or s.exec(select(Outbox.id).where(
            col(Outbox.message_id).in_(ids), Outbox.kind == "officer_digest",
            Outbox.recipient == parsed.from_address)).first() is None:  # fmt: skip
        return None
    first = next((line for line in split_reply(parsed.text).written.split("\n") if line.strip()), "")
    found = find_kenmerken(first, prefix)
    return cases.case_by_kenmerk(s, found[0]) if found else None


def handle_reply(
    svc: Services,
    s: Session,
    m: InboundMessage,
    parsed: ParsedMessage,
    case: Case,
    rule: str,
    now: datetime,
    quiet: bool = False,
) -> bool:
    """Handle a reply on ``case``. ``quiet`` (the sender is flooding the mailbox, loops.py):
    the officers get no notice of it, unless it is an officer's command they asked for. Returns
    whether a notice to the officers was held back for that reason."""
    role = role_of(svc, s, case, parsed.from_address)
    m.case_id, m.sender_role = case.id, role
    written = split_reply(parsed.text).written
    if rule == "digest-reply":  # the first line names the case; the commands follow it
        written = written.split("\n", 1)[1] if "\n" in written else ""
    cases.add_event(
        s,
        now,
        "message_received",
        case.id,
        actor=parsed.from_address,
        message_id=m.id,
        subject=parsed.subject,
        matched_by=rule,
        role=role,
    )
    tell = _Tell(quiet)
    if role == "officer":
        _from_officer(svc, s, m, parsed, case, written, now, tell)
    elif role in ("reporter", "participant"):
        _from_reporter(svc, s, m, parsed, case, written, role, now, tell)
    else:
        m.reason = f"{case.kenmerk}: unverified, {parsed.from_address or 'no sender'} is not on the case"
        _refuse(
            svc,
            s,
            m,
            parsed,
            case,
            written,
            now,
            svc.renderer.say(
                svc.settings.language, "de afzender hoort niet bij deze melding", "the sender is not on this case"
            ),
            tell,
        )
    s.add(m)
    return tell.held_back


class _Tell:
    """Whether to notify the officers of this reply, and whether a notice was held back."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.held_back = False

    def __call__(self, svc: Services, s: Session, case: Case, template: str, now: datetime, **context: Any) -> None:
        if self.quiet:
            self.held_back = True
            return
        notify_officers(svc, s, svc.settings.mailbox_named(case.mailbox), template, now, case=case, **context)


def _refuse(
    svc: Services,
    s: Session,
    m: InboundMessage,
    parsed: ParsedMessage,
    case: Case,
    written: str,
    now: datetime,
    why: str,
    tell: _Tell,
) -> None:
    cases.add_event(s, now, "message_refused", case.id, actor=parsed.from_address, message_id=m.id, reason=why)
    log.warning("conversation: %s: mail from %s changes nothing: %s", case.kenmerk, parsed.from_address, why)
    tell(
        svc,
        s,
        case,
        "officer_unverified",
        now,
        caused_by=m.id,
        sender=parsed.from_address or "",
        subject=parsed.subject,
        reason=why,
        written=written,
    )


def _from_officer(
    svc: Services,
    s: Session,
    m: InboundMessage,
    parsed: ParsedMessage,
    case: Case,
    written: str,
    now: datetime,
    tell: _Tell,
) -> None:
    say = svc.renderer.say
    lang = svc.settings.language
    block = commands.read_block(written)
    if not block.commands and not block.unknown:
        m.reason = f"{case.kenmerk}: officer's mail, no commands"
        cases.add_event(s, now, "officer_comment", case.id, actor=parsed.from_address, message_id=m.id, text=written)
        return
    why_not = None
    if not answers_mail_to_officer(s, case, parsed):
        why_not = say(
            lang,
            "commando's werken alleen in een antwoord op een e-mail die de bot aan u stuurde",
            "commands only work in a reply to a mail the bot sent to you",
        )
    elif stale := stale_command(parsed, m.arrived_at):
        why_not = say(
            lang,
            f"een oude of vreemd gedateerde opdrachtmail ({stale})",
            f"an old or oddly dated command mail ({stale})",
        )
    elif svc.settings.trusted_authserv_id and not sender_authenticated(parsed, svc.settings.trusted_authserv_id):
        why_not = say(
            lang,
            f"DKIM/DMARC niet geslaagd volgens {svc.settings.trusted_authserv_id}",
            f"DKIM/DMARC did not pass according to {svc.settings.trusted_authserv_id}",
        )
    if why_not:
        m.reason = f"{case.kenmerk}: officer's commands refused: {why_not}"
        _refuse(svc, s, m, parsed, case, written, now, why_not, tell)
        return
    ctx = commands.Context(svc=svc, s=s, case=case, officer=parsed.from_address, message=m, parsed=parsed, now=now)
    outcomes, wants_help = commands.execute(ctx, written)
    m.reason = (
        f"{case.kenmerk}: {sum(o.ok for o in outcomes)} command(s) done, {sum(not o.ok for o in outcomes)} refused"
    )
    cases.add_event(
        s,
        now,
        "commands_run",
        case.id,
        actor=parsed.from_address,
        message_id=m.id,
        outcomes=[{"command": o.command, "ok": o.ok, "text": o.text} for o in outcomes],
    )
    mb = svc.settings.mailbox_named(case.mailbox)
    r = svc.renderer.render(
        lang,
        "officer_command_result",
        case=case,
        outcomes=outcomes,
        help=wants_help,
        extra=ctx.extra,
        original_subject=strip_subject_prefixes(parsed.subject),
    )
    outbox.enqueue(
        s,
        kind="officer_command_result",
        mailbox=mb.name,
        sender=mb.address,
        sender_name=svc.settings.sender_name,
        recipient=parsed.from_address,
        subject=r.subject,
        body=r.body,
        language=lang,
        now=now,
        auto_reply=False,
        case_id=case.id,
        kenmerk=case.kenmerk,
        in_reply_to=parsed.message_id or None,
        references=(*parsed.references, parsed.message_id) if parsed.message_id else parsed.references,
        caused_by=m.id,
    )


PROPOSED = "answers_proposed"


def _from_reporter(
    svc: Services,
    s: Session,
    m: InboundMessage,
    parsed: ParsedMessage,
    case: Case,
    written: str,
    role: str,
    now: datetime,
    tell: _Tell,
) -> None:
    extraction = extract_answers(parsed.text, parsed.date or m.arrived_at, svc.settings.timezone)
    not_placed = extraction.not_placed(svc.settings.language)
    changes = []
    proposed = []
    before = cases.answers_of(case)
    bound = answers_mail_to_sender(s, case, parsed) or sender_authenticated(parsed, svc.settings.trusted_authserv_id)
    if bound:
        for name, value in extraction.answers.items():
            if cases.set_answer(s, case, name, value, now, actor=parsed.from_address, message_id=m.id):
                changes.append((name, before.get(name), value))
        if not_placed:
            cases.add_free_text(s, case, "\n".join(not_placed), now, parsed.from_address, m.id)
        m.reason = f"{case.kenmerk}: {role}'s reply, {len(changes)} answer(s) changed"
    else:
        # Kept on the case; what it would change waits for an officer's "Overnemen".
        proposed = [(n, before.get(n), v) for n, v in extraction.answers.items() if before.get(n) != v]
        if proposed:
            cases.add_event(
                s,
                now,
                PROPOSED,
                case.id,
                actor=parsed.from_address,
                message_id=m.id,
                answers={n: v for n, _, v in proposed},
            )
        m.reason = (
            f"{case.kenmerk}: {role}'s reply answers no mail the bot sent to {parsed.from_address} and is not "
            f"authenticated: nothing changed, {len(proposed)} answer(s) offered to the officers"
        )
    # "Soort persoonsgegevens: namen" is also the assessment's word for the categories; from a
    # reporter a line the questionnaire reads as an answer is an answer, not a refused command.
    attempts = [
        word
        for word, _ in commands.read_block(written).commands
        if commands.is_command(word) and field_for_label(word) is None
    ]
    if attempts:
        _refuse(
            svc,
            s,
            m,
            parsed,
            case,
            written,
            now,
            svc.renderer.say(
                svc.settings.language,
                f"commando's ({', '.join(attempts)}) van iemand die geen privacy officer is",
                f"commands ({', '.join(attempts)}) from someone who is not a privacy officer",
            ),
            tell,
        )
    tell(
        svc,
        s,
        case,
        "officer_reporter_replied",
        now,
        caused_by=m.id,
        sender=parsed.from_address,
        changes=changes,
        proposed=proposed,
        bound=bound,
        unplaced=not_placed,
        answers_so_far=acknowledgement.understood_and_missing(case)[0],
        missing=cases.missing_answers(case, svc.settings.required_answers),
        written=written,
    )
