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
- A member of the **board** (``MAILBOT_BOARD``) answers the decision request with the decision,
  authorised like an officer's command and with no other power (decision.py).
- Anyone else is **unverified**: the mail is kept on the case, changes nothing, and the officers
  are told. So are commands from anyone who may not give them. A colleague of the reporter the
  officer adds (``Betrokken medewerker:``, commands/colleague.py) is on the case from then on:
  the mail held from them is taken in, and their replies in the case's thread (to the report or
  to a mail the bot sent about the case) land like a reporter's answers.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from mailbot.core.answers import extract_answers, field_for_label
from mailbot.core.authentication import sender_authenticated
from mailbot.core.classify import strip_subject_prefixes
from mailbot.core.clock import as_utc
from mailbot.core.compose import Attachment
from mailbot.core.config import MailboxSettings
from mailbot.core.kenmerk import find_kenmerken
from mailbot.core.parse import ParsedMessage, ParseError, parse_message
from mailbot.core.quotes import split_reply
from mailbot.core.render import Rendered
from mailbot.model import cases
from mailbot.model.models import Case, Event, InboundMessage, Outbox
from mailbot.model.services import Services
from mailbot.pipeline import acknowledgement, commands, decision, outbox
from mailbot.pipeline.notify import notify_officers

log = logging.getLogger(__name__)

ON_CASE = ("reporter", "participant", "officer")
COLLEAGUE_ADDED = "colleague_added"
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
    return people | colleagues(s, case)


def colleagues(s: Session, case: Case) -> set[str]:
    """The colleagues an officer added to the case (``Betrokken medewerker:``)."""
    added = s.exec(select(Event.detail).where(Event.case_id == case.id, Event.kind == COLLEAGUE_ADDED))
    return {str(json.loads(detail or "{}").get("address") or "") for detail in added} - {""}


def in_case_thread(s: Session, case: Case, parsed: ParsedMessage) -> bool:
    """Does the mail answer the report or a mail the bot sent about the case? Its Message-IDs
    went only to those on the case's thread (a colleague copied on the report among them)."""
    ids = [i for i in parsed.thread_ids if i]
    if not ids:
        return False
    report = s.get(InboundMessage, case.inbound_message_id) if case.inbound_message_id else None
    if report is not None and report.message_id in ids:
        return True
    ours = select(Outbox.id).where(col(Outbox.message_id).in_(ids), Outbox.case_id == case.id)
    return s.exec(ours).first() is not None


def role_of(svc: Services, s: Session, case: Case, sender: str) -> str:
    if not sender:
        return "unverified"
    if sender in svc.settings.mailbox_named(case.mailbox).officers:
        return "officer"
    if sender == case.reporter_address:
        return "reporter"
    if sender in svc.settings.board:
        return "board"
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


def digest_sections(s: Session, parsed: ParsedMessage, prefix: str) -> list[tuple[list[str], str]] | None:
    """An officer's reply to the daily digest, cut where a line names a case: (the kenmerken
    that line names, the text under it), the text above the first such line with none. None
    when the mail answers no digest the bot sent this officer. A command line that mentions a
    kenmerk (``Notitie: zie ook DL-…``) names no case."""
    ids = list(parsed.thread_ids)
    if not ids or s.exec(select(Outbox.id).where(
            col(Outbox.message_id).in_(ids), Outbox.kind == "officer_digest",
            Outbox.recipient == parsed.from_address)).first() is None:  # fmt: skip
        return None
    sections: list[tuple[list[str], list[str]]] = [([], [])]
    for line in split_reply(parsed.text).written.split("\n"):
        found = find_kenmerken(line, prefix)
        if found and not commands.is_command_line(line):
            sections.append((found, []))
        else:
            sections[-1][1].append(line)
    return [(named, "\n".join(lines).strip()) for named, lines in sections]


def first_named_case(s: Session, sections: list[tuple[list[str], str]]) -> Case | None:
    for named, _ in sections:
        if len(set(named)) == 1 and (case := cases.case_by_kenmerk(s, named[0])) is not None:
            return case
    return None


def bare_subject(subject: str, prefix: str) -> str:
    """``RE: [DL-2026-0001] Verwerkt: Re: x`` → ``x``: a reply's subject carries one kenmerk
    and one prefix, however often it went back and forth (the register's and the overview's
    replies too)."""
    own = re.compile(
        rf"^\s*(?:\[{re.escape(prefix)}-\d{{4}}-\d+\]|(?:verwerkt|done|datalekregister|overzicht datalekken"
        r"|breach register|breach overview)\s*:)\s*",
        re.IGNORECASE,
    )
    previous = None
    while previous != subject:
        previous = subject
        subject = own.sub("", strip_subject_prefixes(subject))
    return subject.strip()


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
    _received(s, m, parsed, case, rule, role, now)
    tell = _Tell(quiet)
    if role == "officer":
        _from_officer(svc, s, m, parsed, [(case, written)], [], now, tell)
    elif role in ("reporter", "participant"):
        _from_reporter(svc, s, m, parsed, case, written, role, now, tell)
    elif role == "board":
        # The board's reply is answered by decision.from_board (recorded, or why not, to the
        # director); the officers hear of it only when it cannot count as the board's at all.
        why = decision.from_board(svc, s, m, parsed, case, written, now, stale_command(parsed, m.arrived_at))
        if why:
            m.reason = f"{case.kenmerk}: board member's mail refused: {why}"
            _refuse(svc, s, m, parsed, case, written, now, why, tell)
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
            # The hint to add the sender goes with the organisation's own people only: a stranger's
            # mail that names the case must not come with an invitation to put them on it.
            addable=acknowledgement.domain_of(parsed.from_address) in svc.settings.reporter_domains,
        )
    s.add(m)
    return tell.held_back


def handle_digest_reply(
    svc: Services,
    s: Session,
    m: InboundMessage,
    parsed: ParsedMessage,
    sections: list[tuple[list[str], str]],
    now: datetime,
) -> None:
    """An officer's reply to the daily digest: the commands under each kenmerk go to that case
    and no other; commands under no kenmerk, or under a line naming several, go nowhere and the
    officer is told why. One answer lists it all."""
    say = svc.renderer.say
    lang = svc.settings.language
    runs: list[tuple[Case, str]] = []
    refused: list[str] = []
    for named, text in sections:
        block = commands.read_block(text)
        if not (block.commands or block.unknown):
            continue
        if not named:
            refused.append(say(lang,
                "opdrachten zonder kenmerk erboven zijn niet uitgevoerd: zet het kenmerk van de melding "
                "(zoals in het overzicht) op een regel boven de opdrachten",
                "commands with no kenmerk above them were not run: put the case's kenmerk (as in the "
                "overview) on a line above its commands"))  # fmt: skip
            continue
        if len(set(named)) > 1:
            refused.append(say(lang,
                f"de regel met {' en '.join(named)} noemt meer dan één melding, dus de opdrachten eronder zijn "
                "niet uitgevoerd; zet elk kenmerk op een eigen regel boven zijn eigen opdrachten",
                f"the line with {' and '.join(named)} names more than one case, so the commands under it were "
                "not run; put each kenmerk on its own line above its own commands"))  # fmt: skip
            continue
        case = cases.case_by_kenmerk(s, named[0])
        if case is None or role_of(svc, s, case, parsed.from_address) != "officer":
            refused.append(say(lang, f"{named[0]}: geen melding van u met dit kenmerk",
                               f"{named[0]}: no case of yours with this kenmerk"))  # fmt: skip
            continue
        runs.append((case, text))
    for case, _ in runs:
        _received(s, m, parsed, case, "digest-reply", "officer", now)
    if runs:
        m.case_id, m.sender_role = runs[0][0].id, "officer"
    _from_officer(svc, s, m, parsed, runs, refused, now, _Tell(False))
    s.add(m)


def _received(
    s: Session, m: InboundMessage, parsed: ParsedMessage, case: Case, rule: str, role: str, now: datetime
) -> None:
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
    addable: bool = False,
) -> None:
    """Keep the mail on the case unchanged and tell the officers why; ``addable``: the sender is
    simply not on the case, so the notice says how to add them (``Betrokken medewerker:``)."""
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
        addable=addable,
    )


def _from_officer(
    svc: Services,
    s: Session,
    m: InboundMessage,
    parsed: ParsedMessage,
    runs: list[tuple[Case, str]],
    refused: list[str],
    now: datetime,
    tell: _Tell,
) -> None:
    """Run an officer's commands on each case named, and answer: what was done, what was
    refused and why, or that the mail held no commands and was kept as a remark."""
    say = svc.renderer.say
    lang = svc.settings.language
    why_not = None
    if any(not answers_mail_to_officer(s, case, parsed) for case, _ in runs):
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
    sections: list[Section] = []
    files: list[Attachment] = []
    wants_help = False
    reasons = []
    for case, written in runs:
        block = commands.read_block(written)
        if not block.commands and not block.unknown:
            reasons.append(f"{case.kenmerk}: officer's mail, no commands")
            cases.add_event(
                s, now, "officer_comment", case.id, actor=parsed.from_address, message_id=m.id, text=written
            )
            sections.append(Section(case, [], []))
            continue
        if why_not:
            reasons.append(f"{case.kenmerk}: officer's commands refused: {why_not}")
            _refuse(svc, s, m, parsed, case, written, now, why_not, tell)
            continue
        ctx = commands.Context(svc=svc, s=s, case=case, officer=parsed.from_address, message=m, parsed=parsed, now=now)
        outcomes, asked = commands.execute(ctx, written)
        wants_help = wants_help or asked
        reasons.append(
            f"{case.kenmerk}: {sum(o.ok for o in outcomes)} command(s) done, {sum(not o.ok for o in outcomes)} refused"
        )
        cases.add_event(
            s,
            now,
            "commands_run",
            case.id,
            actor=parsed.from_address,
            message_id=m.id,
            outcomes=[{"command": o.command, "ok": o.ok, "text": o.text + o.todo} for o in outcomes],
        )
        sections.append(Section(case, outcomes, ctx.extra))
        files += ctx.files
        _tell_the_other_officers(svc, s, m, parsed, case, outcomes, now)
    m.reason = "; ".join(reasons + refused) or "officer's mail, nothing to do"
    if not sections and not refused:
        return  # refused outright: the officers have been told (officer_unverified)
    first = runs[0][0] if runs else None
    mb = svc.settings.mailbox_named(first.mailbox if first else m.mailbox)
    r = svc.renderer.render(
        lang,
        "officer_command_result",
        case=first if len(runs) == 1 else None,
        sections=sections,
        refused=refused,
        help=wants_help or (bool(refused) and not sections),
        original_subject=bare_subject(parsed.subject, svc.settings.kenmerk_prefix),
    )
    _answer(svc, s, m, parsed, mb, "officer_command_result", r, first, now, auto_reply=False, attachments=tuple(files))


def _answer(
    svc: Services,
    s: Session,
    m: InboundMessage,
    parsed: ParsedMessage,
    mb: MailboxSettings,
    kind: str,
    r: Rendered,
    case: Case | None,
    now: datetime,
    auto_reply: bool,
    attachments: tuple[Attachment, ...] = (),
) -> None:
    """The answer to an officer's mail, in its thread."""
    outbox.enqueue(
        s,
        kind=kind,
        mailbox=mb.name,
        sender=mb.address,
        sender_name=svc.settings.sender_name_of(mb),
        recipient=parsed.from_address,
        subject=r.subject,
        body=r.body,
        language=svc.settings.language,
        now=now,
        auto_reply=auto_reply,
        case_id=case.id if case else None,
        kenmerk=case.kenmerk if case else None,
        in_reply_to=parsed.message_id or None,
        references=(*parsed.references, parsed.message_id) if parsed.message_id else parsed.references,
        caused_by=m.id,
        attachments=attachments,
    )


def _tell_the_other_officers(
    svc: Services,
    s: Session,
    m: InboundMessage,
    parsed: ParsedMessage,
    case: Case,
    outcomes: list[commands.Outcome],
    now: datetime,
) -> None:
    """The mailbox's other officers (the FG among them) hear briefly of the decisions one of
    them recorded, so nobody who advised is left with nothing."""
    decided = [o for o in outcomes if o.ok and commands.is_decision(o.command, case)]
    mb = svc.settings.mailbox_named(case.mailbox)
    others = tuple(o for o in mb.officers if o != parsed.from_address)
    if decided and others:
        notify_officers(
            svc, s, replace(mb, officers=others), "officer_decision", now, case=case, caused_by=m.id,
            officer=parsed.from_address, outcomes=decided,
        )  # fmt: skip


@dataclass(frozen=True)
class Section:
    """What an officer's mail did to one case, for the answer."""

    case: Case
    outcomes: list[commands.Outcome]
    extra: list[str]


_HELP_SUBJECT = re.compile(r"^\s*(help|hulp|\?|opdrachten|commando'?s|commands)\s*[.!?]?\s*$", re.IGNORECASE)


def answer_officer_without_case(
    svc: Services, s: Session, m: InboundMessage, parsed: ParsedMessage, digest: bool, now: datetime
) -> None:
    """An officer's mail that is no report and names no case is not ignored without a word:
    the officer is told why nothing was done and what to do instead (with the command list when
    asked for, or for a reply to the digest)."""
    if outbox.auto_replies_last_hour(s, parsed.from_address, now) >= svc.settings.max_replies_per_hour:
        return  # an officer's address answering every mail: the cap that holds for everyone holds here
    mb = svc.settings.mailbox_named(m.mailbox)
    lang = svc.settings.language
    written = split_reply(parsed.text).written
    asked = bool(_HELP_SUBJECT.match(bare_subject(parsed.subject, svc.settings.kenmerk_prefix))) or any(
        word == "help" for word, _ in commands.read_block(written).commands
    )
    r = svc.renderer.render(
        lang,
        "officer_no_case",
        subject=bare_subject(parsed.subject, svc.settings.kenmerk_prefix),
        digest=digest,
        help=asked or digest,
        keyword=mb.keywords[0] if mb.keywords else "",
        example=f"{svc.settings.kenmerk_prefix}-{now.year}-0001",
    )
    _answer(svc, s, m, parsed, mb, "officer_no_case", r, None, now, auto_reply=True)
    m.reason = ("help asked: " if asked else "") + "officer's mail names no case; the officer was told"


PROPOSED = "answers_proposed"

# Answers that add to what is there instead of replacing it: "1. Zie mijn eerdere mail: …"
# must not overwrite the report itself (an officer corrects with ``Wat is er gebeurd: …``).
ADDED_TO = ("description",)


def added_to(name: str, old: Any, new: Any) -> Any:
    """A reporter's answer to an accumulating question, kept below what was there."""
    if name not in ADDED_TO or not isinstance(old, str) or not isinstance(new, str) or not old.strip():
        return new
    if new.strip() in old:
        return old
    return f"{old.rstrip()}\n\n{new.strip()}"


def question_answered(s: Session, case: Case, parsed: ParsedMessage) -> str:
    """The officer's question (``Vraag aan melder:``, or what the technician was asked) whose
    mail this reply answers; "" if none."""
    ids = set(parsed.thread_ids)
    if not ids:
        return ""
    asked = s.exec(
        select(Event.detail)
        .where(Event.case_id == case.id, col(Event.kind).in_(("question_to_reporter", "technician_asked")))
        .order_by(col(Event.id).desc())
    )
    for detail in asked:
        d = json.loads(detail or "{}")
        if d.get("mail") in ids:
            return str(d.get("question") or "")
    return ""


def _keep(
    svc: Services,
    s: Session,
    case: Case,
    m: InboundMessage,
    sender: str,
    answers: dict[str, Any],
    not_placed: list[str],
    question: str,
    now: datetime,
) -> list[tuple[str, Any, Any]]:
    """A bound reply's answers filled in or corrected on the case, what fits no question kept as
    free text, all as from ``sender``. Returns the changes (name, old, new)."""
    before = cases.answers_of(case)
    changes = []
    for name, value in answers.items():
        value = added_to(name, before.get(name), value)
        if cases.set_answer(s, case, name, value, now, actor=sender, message_id=m.id):
            changes.append((name, before.get(name), value))
    if not_placed:
        # An answer to the officer's own question is kept with the question it answers.
        asked = (svc.renderer.say(case.language, f'Antwoord op de vraag "{question}":',
                                  f'Answer to the question "{question}":') + "\n") if question else ""  # fmt: skip
        cases.add_free_text(s, case, asked + "\n".join(not_placed), now, sender, m.id)
    return changes


def take_in_held(
    svc: Services, s: Session, case: Case, address: str, now: datetime, officer: str
) -> tuple[int, int, list[tuple[str, Any, Any]]]:
    """The mail from ``address`` kept on the case but refused (unverified), taken in now that an
    officer added them: its answers land on the case as theirs. Only mail in the case's thread
    (or vouched for by the trusted server) is theirs for sure: anyone can write their From and
    the kenmerk, so the rest stays kept and changes nothing. Returns how many mails were taken
    in, how many were left, and the changes they made."""
    held = s.exec(
        select(InboundMessage)
        .where(
            InboundMessage.case_id == case.id,
            InboundMessage.from_address == address,
            InboundMessage.sender_role == "unverified",
        )
        .order_by(col(InboundMessage.id))
    )
    taken, left, changes = 0, 0, []
    for m in held:
        raw = None if m.purged_at else svc.store.load(m.raw_path)
        try:
            parsed = parse_message(raw) if raw is not None else None
        except (ParseError, ValueError):
            parsed = None
        if parsed is None:
            continue
        if not (in_case_thread(s, case, parsed) or sender_authenticated(parsed, svc.settings.trusted_authserv_id)):
            left += 1
            continue
        extraction = extract_answers(parsed.text, parsed.date or m.arrived_at, svc.settings.timezone)
        not_placed = extraction.not_placed(svc.settings.language)
        question = question_answered(s, case, parsed)
        changes += _keep(svc, s, case, m, address, extraction.answers, not_placed, question, now)
        m.sender_role = "participant"
        s.add(m)
        cases.add_event(s, now, "held_mail_taken_in", case.id, actor=officer, message_id=m.id, sender=address)
        taken += 1
    return taken, left, changes


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
    processor = bool(acknowledgement.processor_of(case))
    extraction = extract_answers(parsed.text, parsed.date or m.arrived_at, svc.settings.timezone, processor=processor)
    answers, not_placed = extraction.answers, extraction.not_placed(svc.settings.language)
    technician = bool(case.technician) and parsed.from_address == case.technician
    if technician:
        # The technician answers the officer's questions (technician_request), not the
        # reporter's questionnaire: the reply is kept whole, under what was asked.
        answers, not_placed = {}, [written.strip()] if written.strip() else []
    proposed = []
    before = cases.answers_of(case)
    bound = (
        answers_mail_to_sender(s, case, parsed)
        or sender_authenticated(parsed, svc.settings.trusted_authserv_id)
        or (parsed.from_address in colleagues(s, case) and in_case_thread(s, case, parsed))
    )
    question = question_answered(s, case, parsed)
    if question:
        cases.add_event(
            s, now, "question_answered", case.id, actor=parsed.from_address, message_id=m.id, question=question,
            answer=written,
        )  # fmt: skip
    changes: list[tuple[str, Any, Any]] = []
    if bound:
        changes = _keep(svc, s, case, m, parsed.from_address, answers, not_placed, question, now)
        m.reason = f"{case.kenmerk}: {role}'s reply, {len(changes)} answer(s) changed"
    else:
        # Kept on the case; what it would change waits for an officer's "Overnemen".
        proposed = [(n, before.get(n), v) for n, v in answers.items() if before.get(n) != v]
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
    if attempts and not technician:  # the technician's "Versleuteld: nee" answers what was asked
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
        question=question,
    )
