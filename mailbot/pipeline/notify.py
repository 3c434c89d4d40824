"""Mail about a case, through the outbox: notices to the officers, messages to the reporter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from mailbot.core.compose import Attachment
from mailbot.core.config import MailboxSettings
from mailbot.core.questionnaire import QUESTIONS
from mailbot.model.models import Case, InboundMessage, Outbox
from mailbot.model.services import Services
from mailbot.pipeline import outbox


def notify_officers(
    svc: Services,
    s: Session,
    mb: MailboxSettings,
    template: str,
    now: datetime,
    *,
    case: Case | None = None,
    caused_by: int | None = None,
    files: tuple[Attachment, ...] = (),
    **context: Any,
) -> list[str]:
    """Queue ``template`` to each of the mailbox's officers (with ``files`` attached, if any);
    their Message-IDs are returned."""
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
                sender_name=svc.settings.sender_name_of(mb),
                recipient=officer,
                subject=r.subject,
                body=r.body,
                language=language,
                now=now,
                auto_reply=False,
                case_id=case.id if case else None,
                kenmerk=case.kenmerk if case else None,
                caused_by=caused_by,
                attachments=files,
            )
        )
    return rows


def reporter_thread(s: Session, case: Case) -> tuple[str | None, tuple[str, ...]]:
    """In-Reply-To and References for a mail to the reporter: the report, our acknowledgement, and
    the latest message either way, so every mail program files it under the same conversation."""
    report = s.get(InboundMessage, case.inbound_message_id) if case.inbound_message_id else None
    ours = list(
        s.exec(
            select(Outbox.message_id)
            .where(Outbox.case_id == case.id, Outbox.recipient == case.reporter_address)
            .order_by(col(Outbox.id))
        )
    )
    theirs = list(
        s.exec(
            select(InboundMessage.message_id)
            .where(
                InboundMessage.case_id == case.id,
                InboundMessage.from_address == case.reporter_address,
                col(InboundMessage.message_id).is_not(None),
            )
            .order_by(col(InboundMessage.id))
        )
    )
    chain = [report.message_id if report else None, *ours[:1], *theirs[-1:], *ours[-1:]]
    refs = tuple(dict.fromkeys(m for m in chain if m))
    in_reply_to = (theirs[-1] if theirs else None) or (ours[-1] if ours else None) or (refs[0] if refs else None)
    return in_reply_to, refs


def mail_reporter(
    svc: Services,
    s: Session,
    case: Case,
    template: str,
    now: datetime,
    *,
    caused_by: int | None = None,
    auto_reply: bool = False,
    thread: tuple[str | None, tuple[str, ...]] | None = None,
    **context: Any,
) -> str:
    """Render ``template`` for the case's reporter and queue it on the case's thread (or on
    ``thread``, In-Reply-To and References, when the caller answers a particular message).
    Returns the mail's Message-ID."""
    in_reply_to, refs = thread if thread is not None else reporter_thread(s, case)
    return _mail_about(
        svc, s, case, case.reporter_address, template, now, caused_by=caused_by, auto_reply=auto_reply,
        in_reply_to=in_reply_to, references=refs, **{"questions": QUESTIONS, **context},
    )  # fmt: skip


def _mail_about(
    svc: Services,
    s: Session,
    case: Case,
    recipient: str,
    template: str,
    now: datetime,
    *,
    caused_by: int | None = None,
    auto_reply: bool = False,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    **context: Any,
) -> str:
    """Queue ``template`` about ``case`` to ``recipient``, from the case's mailbox, under its
    sender name and signed with its signature."""
    mb = svc.settings.mailbox_named(case.mailbox)
    name = svc.settings.sender_name_of(mb)
    r = svc.renderer.render(
        case.language, template, case=case, sender_name=name, signature=svc.settings.signature_of(mb), **context
    )
    return outbox.enqueue(
        s,
        kind=template,
        mailbox=mb.name,
        sender=mb.address,
        sender_name=name,
        recipient=recipient,
        subject=r.subject,
        body=r.body,
        language=case.language,
        now=now,
        auto_reply=auto_reply,
        case_id=case.id,
        kenmerk=case.kenmerk,
        in_reply_to=in_reply_to,
        references=references,
        caused_by=caused_by,
    )


def mail_technician(svc: Services, s: Session, case: Case, now: datetime, *, caused_by: int | None = None) -> str:
    """Ask the case's technician what the officer needs from them (cause, what was done,
    encryption, logs). Their reply answers a mail the bot sent them, so it lands on the case
    like a reporter's (conversation.py). Returns the mail's Message-ID."""
    domain = case.technician.rpartition("@")[2].lower()
    # What the reporter wrote goes only to the organisation's own or a known processor's
    # address: a mistyped or outside address gets the questions, not the personal data.
    ours = domain in (*svc.settings.reporter_domains, *svc.settings.processor_domains)
    return _mail_about(
        svc, s, case, case.technician, "technician_request", now, caused_by=caused_by,
        report=case.description if ours else "",
    )  # fmt: skip
