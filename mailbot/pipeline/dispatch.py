"""Stage 2: each stored message is classified and acted on, once.

One message, one transaction: the case, its attachments, its events, the acknowledgement
and the officers' notices are written together with the message's new status, or not at
all. The attempt is counted (and committed) before the work starts, so a message that
crashes the worker every time is quarantined after :data:`MAX_ATTEMPTS` instead of blocking
the mailbox; so is one that cannot be read. Quarantined mail stays stored and the officers
are told.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, func, inspect, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from mailbot.core import breachtype, severity
from mailbot.core.answers import extract_answers, named_processor
from mailbot.core.classify import Context, Disposition, classify
from mailbot.core.compose import address_fault, shown_address
from mailbot.core.config import MailboxSettings, Settings
from mailbot.core.kenmerk import find_kenmerken, kenmerk_year
from mailbot.core.language import guess_language
from mailbot.core.parse import ParsedMessage, ParseError, parse_message
from mailbot.model import audit, cases, db
from mailbot.model.models import Case, InboundMessage, MessageStatus, Outbox, StoredAttachment
from mailbot.model.services import Services
from mailbot.pipeline import acknowledgement, conversation, loops, outbox
from mailbot.pipeline.budget import BudgetExceeded, CpuBudget
from mailbot.pipeline.commands import register
from mailbot.pipeline.notify import notify_officers
from mailbot.register.entry import breach_type

log = logging.getLogger(__name__)

REPORT_READ_CHARS = 3_000  # of a new report, read for answers (about 20 ms; 100 KB took 0.6 s)

MAX_ATTEMPTS = 3
BATCH = 500


@dataclass
class DispatchResult:
    counts: dict[str, int] = field(default_factory=dict)
    kenmerken: list[str] = field(default_factory=list)

    def add(self, disposition: str) -> None:
        self.counts[disposition] = self.counts.get(disposition, 0) + 1


_INBOUND = InboundMessage.__table__  # type: ignore[attr-defined]
_CLAIM = (
    update(_INBOUND)
    .where(
        _INBOUND.c.id == bindparam("mid"),
        _INBOUND.c.status == MessageStatus.RECEIVED,
        _INBOUND.c.attempts < bindparam("most"),
    )
    .values(attempts=_INBOUND.c.attempts + 1)
    .returning(_INBOUND.c.attempts, _INBOUND.c.raw_path)
)

# The message to handle, locked: built once, where Session.get builds its statement and works
# out its cache key for every message (docs/benchmarks.md, dispatch).
_LOCKED = select(InboundMessage).where(InboundMessage.id == bindparam("mid")).with_for_update()

_DUPLICATE = (
    select(_INBOUND.c.id)
    .where(
        _INBOUND.c.mailbox == bindparam("mailbox"),
        _INBOUND.c.identity == bindparam("identity"),
        _INBOUND.c.id != bindparam("mid"),
        _INBOUND.c.status == MessageStatus.PROCESSED,
    )
    .limit(1)
)


def waiting(engine: Engine) -> int:
    """How many stored messages wait to be handled."""
    with db.session(engine) as s:
        return int(
            s.exec(
                select(func.count()).select_from(InboundMessage).where(InboundMessage.status == MessageStatus.RECEIVED)
            ).one()
        )


# A message's attempts and where its raw file is; None when it is no longer to be handled here
# (handled meanwhile, or out of attempts).
Claimed = tuple[int, str] | None


def process_pending(svc: Services, now: datetime) -> DispatchResult:
    result = DispatchResult()
    while True:
        with db.session(svc.engine) as s:
            ids = list(
                s.exec(
                    select(InboundMessage.id)
                    .where(InboundMessage.status == MessageStatus.RECEIVED)
                    .order_by(col(InboundMessage.id))
                    .limit(BATCH)
                )
            )
        if not ids:
            return result
        ahead: dict[int, Claimed] = {}
        for message_id, following in zip(ids, [*ids[1:], None], strict=True):
            assert message_id is not None
            process_one(svc, message_id, now, result, ahead=ahead, claim_next=following)
        if len(ids) < BATCH:
            return result


def process_one(
    svc: Services,
    message_id: int,
    now: datetime,
    result: DispatchResult | None = None,
    ahead: dict[int, Claimed] | None = None,
    claim_next: int | None = None,
) -> None:
    """Handle one stored message. With ``claim_next``, the attempt of the message after it is
    counted in this message's transaction and left in ``ahead`` for its turn."""
    result = result if result is not None else DispatchResult()
    ahead = ahead if ahead is not None else {}
    # The attempt is counted and committed before the message is read, so one that kills the
    # worker every time is quarantined after MAX_ATTEMPTS. Counted with the message before it
    # where there is one (a commit less per message), else on its own.
    if message_id in ahead:
        claimed = ahead.pop(message_id)
    else:
        with db.writing(svc.engine), svc.engine.begin() as conn:
            claimed = _claim(conn, message_id)
    if claimed is None:
        with db.writing(svc.engine), db.session(svc.engine) as s:
            m = s.get(InboundMessage, message_id)
            if m is None or m.status != MessageStatus.RECEIVED:
                return
            why = f"processing failed {m.attempts} times; last error: {m.reason or 'the worker stopped'}"
            quarantine(svc, s, m, why, now)
            s.commit()
        result.add(Disposition.QUARANTINED)
        return
    attempts, raw_path = claimed
    # Reading and handling the message share one processor-time budget; a message that uses it
    # up is stopped, its transaction rolled back, and it is quarantined so the mailbox moves on.
    budget = CpuBudget(svc.settings.max_cpu_seconds)
    budget.start()
    try:
        try:
            raw = svc.store.read(raw_path)
            parsed = parse_message(raw)
        except (ParseError, OSError, ValueError) as exc:
            budget.stop()
            _fail(svc, message_id, f"cannot be read: {exc}", now, permanent=True)
            result.add(Disposition.QUARANTINED)
            return
        with db.writing(svc.engine), db.session(svc.engine) as s:
            # Locked for the transaction (PostgreSQL; on SQLite a second worker is refused
            # outright): should two workers handle the same message at the same moment
            # (lease.py rules that out, this makes sure), one waits for the other and then
            # finds it handled.
            fresh = s.exec(_LOCKED, params={"mid": message_id}).first()
            if fresh is None or fresh.status != MessageStatus.RECEIVED:
                budget.stop()
                return
            disposition = handle(svc, s, fresh, parsed, now, result)
            budget.stop()
            _write_back(s, fresh)
            following = _claim(s.connection(), claim_next) if claim_next is not None else None
            s.commit()
        if claim_next is not None:
            ahead[claim_next] = following
        result.add(disposition)
    except BudgetExceeded as exc:
        budget.stop()
        why = f"handling it took {exc} (MAILBOT_MAX_CPU_SECONDS): stopped, so that other mail is not held up"
        _fail(svc, message_id, why, now, permanent=True)
        result.add(Disposition.QUARANTINED)
    except Exception as exc:
        budget.stop()
        log.exception(
            "message #%d failed (attempt %d of %d)",
            message_id,
            attempts,
            MAX_ATTEMPTS,
            extra={"message_id": message_id},
        )
        _fail(svc, message_id, f"{type(exc).__name__}: {exc}", now, permanent=attempts >= MAX_ATTEMPTS)
        result.add(Disposition.QUARANTINED if attempts >= MAX_ATTEMPTS else "retry")
    finally:
        budget.stop()


# What handling a message may change in its row: written back with one prebuilt UPDATE.
_HANDLED = frozenset(
    {"status", "disposition", "rule", "reason", "processed_at", "case_id", "sender_role", "from_address", "subject"}
)
_WRITE_BACK = update(_INBOUND).where(_INBOUND.c.id == bindparam("mid"))  # SET: the parameters' columns
_COLUMNS = frozenset(c.key for c in _INBOUND.columns)


def _write_back(s: Session, m: InboundMessage) -> None:
    """What handling changed in the message's row, written with one UPDATE built once instead
    of the ORM's flush of it (docs/benchmarks.md, dispatch); the object then leaves the
    session, so the commit's flush does not write it again. Should anything else have
    changed, the flush writes it as before."""
    changed = _COLUMNS - inspect(m).unmodified
    if not changed or not changed <= _HANDLED:
        return
    s.connection().execute(_WRITE_BACK, {"mid": m.id, **{key: getattr(m, key) for key in _HANDLED}})
    s.expunge(m)


def _claim(conn: Connection, message_id: int) -> Claimed:
    row = conn.execute(_CLAIM, {"mid": message_id, "most": MAX_ATTEMPTS}).first()
    return None if row is None else (int(row[0]), str(row[1]))


def _fail(svc: Services, message_id: int, reason: str, now: datetime, permanent: bool) -> None:
    with db.session(svc.engine) as s:
        m = s.get(InboundMessage, message_id)
        assert m is not None
        if permanent:
            quarantine(svc, s, m, reason, now)
        else:
            m.reason = reason
            s.add(m)
        s.commit()


def _about(m: InboundMessage, kenmerk: str | None = None) -> dict[str, object]:
    """The fields of a log line about this message (runtime/logs.py)."""
    return {"message_id": m.id, "mailbox": m.mailbox, "kenmerk": kenmerk}


def quarantine(svc: Services, s: Session, m: InboundMessage, reason: str, now: datetime) -> None:
    m.status, m.disposition = MessageStatus.QUARANTINED, Disposition.QUARANTINED
    m.reason = reason
    m.processed_at = now
    s.add(m)
    cases.add_event(s, now, "message_quarantined", None, message_id=m.id, reason=reason)
    log.error("message #%d quarantined: %s", m.id, reason, extra=_about(m))
    notify_officers(
        svc,
        s,
        svc.settings.mailbox_named(m.mailbox),
        "officer_quarantine",
        now,
        caused_by=m.id,
        message=m,
        reason=reason,
        sender=m.from_address or "",
        subject=m.subject or "",
    )


def handle(
    svc: Services, s: Session, m: InboundMessage, parsed: ParsedMessage, now: datetime, result: DispatchResult
) -> str:
    mb = svc.settings.mailbox_named(m.mailbox)
    m.from_address = parsed.from_address or None
    m.subject = parsed.subject
    duplicate_of = (
        s.connection().execute(_DUPLICATE, {"mailbox": m.mailbox, "identity": m.identity, "mid": m.id}).scalar()
    )
    thread_case = cases.case_for_thread(s, parsed.thread_ids)
    digest = None  # an officer's reply to the digest: its parts, each under the kenmerk it names
    digest_case = None
    if thread_case is None and parsed.from_address in mb.officers:
        digest = conversation.digest_sections(s, parsed, svc.settings.kenmerk_prefix)
        digest_case = conversation.first_named_case(s, digest) if digest else None
    loop_reason = loops.flooding(svc, s, m)
    kenmerk_case = None
    for k in find_kenmerken(parsed.subject, svc.settings.kenmerk_prefix):
        kenmerk_case = cases.case_by_kenmerk(s, k)
        if kenmerk_case is not None:
            break
    context = Context(
        bot_addresses=frozenset({a.address for a in svc.settings.mailboxes}),
        keywords=mb.keywords,
        thread_case=thread_case.kenmerk if thread_case else None,
        digest_case=digest_case.kenmerk if digest_case else None,
        kenmerk_case=kenmerk_case.kenmerk if kenmerk_case else None,
        duplicate_of=duplicate_of,
        flooding=loop_reason is not None,
    )
    c = classify(parsed, context)
    case: Case | None = None
    m.status, m.disposition, m.rule, m.processed_at = MessageStatus.PROCESSED, c.disposition, c.rule, now
    desk = _desk_request(parsed, c.disposition, c.rule, mb, svc.settings.kenmerk_prefix)
    if desk is not None:
        register.answer(svc, s, m, parsed, desk, now)
    elif c.disposition is Disposition.CASE:
        case = _new_case(svc, s, mb, m, parsed, now, loop_reason)
        result.kenmerken.append(case.kenmerk)
        m.reason = f"new case {case.kenmerk}" + (f"; {loop_reason}" if loop_reason else "")
        if loop_reason:
            loops.tell_officers_once(svc, s, m, m.from_address or "", loop_reason, now)
    elif c.disposition is Disposition.REPLY and digest and c.rule == "digest-reply":
        conversation.handle_digest_reply(svc, s, m, parsed, digest, now)
    elif c.disposition is Disposition.REPLY:
        case = thread_case or digest_case or kenmerk_case  # in the order of the rules
        assert case is not None
        held_back = conversation.handle_reply(svc, s, m, parsed, case, c.rule, now, quiet=loop_reason is not None)
        if held_back and loop_reason:
            loops.tell_officers_once(svc, s, m, m.from_address or "", loop_reason, now)
    elif c.rule == "mail-loop":
        assert loop_reason is not None
        m.reason = loop_reason
        loops.tell_officers_once(svc, s, m, m.from_address or "", loop_reason, now)
    elif c.rule == "not-a-report" and parsed.from_address in mb.officers:
        conversation.answer_officer_without_case(svc, s, m, parsed, digest is not None, now)
    else:
        m.reason = c.reason
        if c.matched.bounce:
            loops.check_bounces(svc, s, m, now)
    s.add(m)
    log.info(
        "message #%d from %s: %s (%s)",
        m.id,
        parsed.from_address or "?",
        c.disposition.value,
        m.reason,
        extra=_about(m, case.kenmerk if case else None),
    )
    return c.disposition.value


def suggested_type(case: Case, language: str) -> str:
    """The kind of breach the report's words suggest, for the officer's notice ("" when none does)."""
    kind = breach_type(case)
    return "" if kind == "other" else breachtype.name(kind, language)


def _desk_request(
    parsed: ParsedMessage, disposition: Disposition, rule: str, mb: MailboxSettings, prefix: str
) -> tuple[str, str] | None:
    """An officer asking for the register or the overview (commands/register.py): in a reply
    whose only command is ``Register`` or ``Overzicht``, or in a new mail with a subject like
    "Datalekregister 2026 opvragen" (which is no breach report of theirs). Returns what is asked
    for and its options; None for any other mail."""
    if parsed.from_address not in mb.officers or not (
        disposition in (Disposition.CASE, Disposition.REPLY) or rule == "not-a-report"
    ):
        return None
    options = register.asked(register.written_part(parsed))
    if options is None and disposition is not Disposition.REPLY:
        options = register.asked_in_subject(conversation.bare_subject(parsed.subject, prefix))
    return options


def _new_case(
    svc: Services,
    s: Session,
    mb: MailboxSettings,
    m: InboundMessage,
    parsed: ParsedMessage,
    now: datetime,
    loop_reason: str | None = None,
) -> Case:
    """Open the case; acknowledge it (or say why not) and tell the officers. A report from an
    address flooding the mailbox is opened all the same, unanswered, and the officers hear of
    it in the one loop notice (loops.py) instead of a notice per report."""
    settings = svc.settings
    processor = processor_of_report(settings, parsed)
    # The report is read like a reply: what it already tells is not asked again. Only its
    # opening is read for answers (the facts come first; a pasted log or forwarded thread
    # below would cost the acknowledgement time and add nothing); the whole text stays the
    # report's description.
    read = extract_answers(
        parsed.text[:REPORT_READ_CHARS], parsed.date or m.arrived_at, settings.timezone, processor=bool(processor)
    )
    # A new report's four or five audit entries go in together (audit.together).
    with audit.together(s):
        case = cases.open_case(
            s,
            prefix=settings.kenmerk_prefix,
            year=kenmerk_year(m.arrived_at, settings.timezone),
            mailbox=mb.name,
            language=guess_language(parsed.text, parsed.header("content-language"), settings.language),
            reporter_name=parsed.from_name,
            reporter_address=parsed.from_address,
            subject=parsed.subject,
            description=parsed.text,
            received_at=m.arrived_at,
            now=now,
            inbound_message_id=m.id or 0,
            answers={**read.answers, "description": parsed.text},
        )
        m.case_id, m.sender_role = case.id, "reporter"
        if processor:
            # Art. 33(2): the processor's report makes the organisation aware; the 72 hours run
            # from its arrival (the default aware_at). The AP draft's section 3 names it.
            case.assessment = json.dumps({"processor": processor}, ensure_ascii=False)
            cases.add_event(s, now, "processor_report", case.id, message_id=m.id, processor=processor)
        attachments = _store_attachments(svc, s, case, m, parsed)
        if parsed.defects:
            cases.add_event(s, now, "message_defects", case.id, message_id=m.id, defects=list(parsed.defects))
        if loop_reason:
            cases.add_event(s, now, "acknowledgement_skipped", case.id, message_id=m.id, reason=loop_reason)
            return case
        acknowledged, why_not, held = _acknowledge(svc, s, case, m, parsed, now)
        notify_officers(
            svc,
            s,
            mb,
            "officer_new_case",
            now,
            case=case,
            caused_by=m.id,
            attachments=attachments,
            acknowledged=acknowledged,
            not_acknowledged_reason=why_not,
            held=held,
            suggestion=severity.table(severity.assess({}, cases.answers_of(case)), case.language),
            understood=acknowledgement.understood_and_missing(case)[0],
            not_placed=read.unsure_lines(case.language),
            breach_type=suggested_type(case, svc.settings.language),
            processor=processor,
        )
        cases.add_event(s, now, "officers_notified", case.id, message_id=m.id, officers=list(mb.officers))
        return case


def processor_of_report(settings: Settings, parsed: ParsedMessage) -> str:
    """The processor a report comes from: its sender's (MAILBOT_PROCESSORS), or the one an
    employee names on a ``Verwerker:`` line above a report they forward (spelt as configured
    when it is a known one); "" when it is no processor's report."""
    if by_sender := settings.processor_of(parsed.from_address):
        return by_sender
    if acknowledgement.domain_of(parsed.from_address) not in settings.reporter_domains:
        return ""
    named = named_processor(parsed.text[:REPORT_READ_CHARS])
    return next((name for name, _ in settings.processors if name.lower() == named.lower()), named)


def _store_attachments(
    svc: Services, s: Session, case: Case, m: InboundMessage, parsed: ParsedMessage
) -> list[StoredAttachment]:
    limit = svc.settings.max_attachment_bytes
    stored = []
    for a in parsed.attachments:
        if a.size > limit:
            path, note = (
                None,
                f"larger than MAILBOT_MAX_ATTACHMENT_MB ({limit // (1024 * 1024)} MB): not stored "
                "separately, kept in the original message",
            )
        else:
            path, note = svc.store.put("attachments", a.payload, digest=a.sha256), None
        row = StoredAttachment(
            case_id=case.id,
            inbound_message_id=m.id or 0,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            stored_path=path,
            note=note,
        )
        s.add(row)
        stored.append(row)
    return stored


def _acknowledge(
    svc: Services,
    s: Session,
    case: Case,
    m: InboundMessage,
    parsed: ParsedMessage,
    now: datetime,
) -> tuple[bool, str, str]:
    """Whether the reporter was acknowledged, why not, and why it waits for an officer
    (acknowledgement.UNVERIFIED or BUSY; "" when it does not)."""
    settings = svc.settings
    reporter = parsed.from_address
    if not reporter:
        why = "no sender address in the report"
    elif fault := address_fault(reporter):
        why = f"the sender address {shown_address(reporter)} {fault}"
    elif outbox.auto_replies_last_hour(s, reporter, now) >= settings.max_replies_per_hour:
        why = (
            f"more than {settings.max_replies_per_hour} automatic replies to {reporter} in the last hour "
            "(MAILBOT_MAX_REPLIES_PER_HOUR)"
        )
    elif wait := acknowledgement.why_wait(svc, s, parsed, now):
        acknowledgement.hold(s, case, m, wait, now)
        log.warning(
            "%s: acknowledgement to %s waits for an officer (%s)",
            case.kenmerk,
            reporter,
            wait,
            extra=_about(m, case.kenmerk),
        )
        return False, "", wait
    else:
        refs = tuple(parsed.references) + ((parsed.message_id,) if parsed.message_id else ())
        acknowledgement.queue(
            svc, s, case, now, caused_by=m.id, thread=(parsed.message_id or None, refs), original_subject=parsed.subject
        )
        return True, "", ""
    cases.add_event(s, now, "acknowledgement_skipped", case.id, message_id=m.id, reason=why)
    log.warning("%s: no acknowledgement: %s", case.kenmerk, why, extra=_about(m, case.kenmerk))
    return False, why, ""


def report_send_failure(svc: Services) -> outbox.OnFailure:
    """What happens when the SMTP server refuses a mail for good: the officers are told
    (unless the refused mail was itself to an officer: then the log must do, or we would loop)."""

    def _on_failure(s: Session, row: Outbox, error: str, now: datetime) -> None:
        case = s.get(Case, row.case_id) if row.case_id else None
        cases.add_event(
            s,
            now,
            "send_failed",
            row.case_id,
            recipient=row.recipient,
            mail=row.kind,
            error=error,
            outgoing_message_id=row.message_id,
        )
        if row.kind.startswith("officer_"):
            return
        notify_officers(
            svc,
            s,
            svc.settings.mailbox_named(row.mailbox),
            "officer_send_failed",
            now,
            case=case,
            recipient=shown_address(row.recipient),
            subject=row.subject,
            kenmerk=case.kenmerk if case else None,
            error=error,
        )

    return _on_failure
