"""Retention: personal data removed once it has served its purpose, the register kept as long as required.

Two limits, both counted from the day a case closed, and nothing of an open case is touched:

- after ``MAILBOT_PURGE_AFTER_DAYS`` (default 365) the raw messages, attachments and the
  bodies of the mails sent, which hold the personal data, are removed; each row stays as the
  record that it existed (size, SHA-256, dates);
- after ``MAILBOT_RETENTION_YEARS`` (at least 5) the register entry itself is emptied: the
  kenmerk, dates and phase stay, the content goes, and so does the detail of its events
  (their digests stay, so the audit trail still verifies).

Mail that never belonged to a case (automatic replies, bounces, list mail) goes after
``MAILBOT_PURGE_AFTER_DAYS`` from its handling; quarantined mail waits for a person. A file
shared with something still kept is not removed. Every run that removes anything is an
audit entry. ``mailbot purge --dry-run`` shows the same list without removing anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from mailbot.core.clock import as_utc
from mailbot.model import audit, db
from mailbot.model.cases import add_event
from mailbot.model.models import Case, Event, InboundMessage, MessageStatus, Outbox, OutboxStatus, StoredAttachment
from mailbot.model.services import Services

log = logging.getLogger(__name__)


@dataclass
class PurgeResult:
    messages: int = 0
    attachments: int = 0
    outgoing: int = 0
    bytes_removed: int = 0
    entries_removed: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(self.messages or self.attachments or self.outgoing or self.entries_removed)

    def summary(self, dry_run: bool) -> str:
        verb = "would remove" if dry_run else "removed"
        return (
            f"{verb} {self.messages} raw message(s), {self.attachments} attachment(s) and {self.outgoing} sent "
            f"mail(s) ({self.bytes_removed / 1e6:.1f} MB); {self.entries_removed} register entr(y/ies) past retention"
        )


def _still_used(
    s: Session, path: str, keep_ids: set[int], table: type[InboundMessage] | type[StoredAttachment]
) -> bool:
    """Is the (content-addressed, so possibly shared) file referenced by a row that stays?"""
    column = InboundMessage.raw_path if table is InboundMessage else StoredAttachment.stored_path
    rows = s.exec(select(table.id).where(column == path, col(table.purged_at).is_(None))).all()
    return any(r not in keep_ids for r in rows)


def purge(svc: Services, now: datetime, dry_run: bool = False) -> PurgeResult:
    settings = svc.settings
    data_limit = now - timedelta(days=settings.purge_after_days)
    register_limit = now - timedelta(days=365 * settings.retention_years + settings.retention_years // 4)
    result = PurgeResult()
    with db.session(svc.engine) as s:
        done = list(s.exec(select(Case).where(col(Case.closed_at).is_not(None), col(Case.closed_at) <= data_limit)))
        case_ids = {c.id for c in done}
        kenmerk = {c.id: c.kenmerk for c in done}
        messages = list(
            s.exec(select(InboundMessage).where(col(InboundMessage.case_id).in_(case_ids),
                                                col(InboundMessage.purged_at).is_(None)))
        ) + list(
            s.exec(
                select(InboundMessage).where(
                    col(InboundMessage.case_id).is_(None), InboundMessage.status == MessageStatus.PROCESSED,
                    col(InboundMessage.processed_at) <= data_limit, col(InboundMessage.purged_at).is_(None),
                )
            )
        )  # fmt: skip
        going = {m.id for m in messages if m.id is not None}
        for m in messages:
            where = kenmerk.get(m.case_id, f"no case, {m.disposition}")
            result.lines.append(f"message #{m.id} ({where}): {m.size} bytes, sha256 {m.sha256[:16]}…")
            result.messages += 1
            result.bytes_removed += m.size
            if not dry_run:
                if not _still_used(s, m.raw_path, going, InboundMessage):
                    svc.store.remove(m.raw_path)
                m.purged_at = now
                s.add(m)
        attachments = list(
            s.exec(select(StoredAttachment).where(col(StoredAttachment.case_id).in_(case_ids),
                                                  col(StoredAttachment.purged_at).is_(None)))
        )  # fmt: skip
        going_a = {a.id for a in attachments if a.id is not None}
        for a in attachments:
            result.lines.append(f"attachment {a.filename!r} ({kenmerk[a.case_id]}): {a.size} bytes")
            result.attachments += 1
            result.bytes_removed += a.size if a.stored_path else 0
            if not dry_run:
                if a.stored_path and not _still_used(s, a.stored_path, going_a, StoredAttachment):
                    svc.store.remove(a.stored_path)
                a.stored_path, a.purged_at = None, now
                a.note = f"removed {now:%Y-%m-%d} (MAILBOT_PURGE_AFTER_DAYS); size and SHA-256 kept"
                s.add(a)
        sent = list(
            s.exec(select(Outbox).where(col(Outbox.case_id).in_(case_ids), col(Outbox.purged_at).is_(None),
                                        col(Outbox.status).in_((OutboxStatus.SENT, OutboxStatus.FAILED))))
        )  # fmt: skip
        for o in sent:
            result.outgoing += 1
            result.bytes_removed += len(o.raw)
            if not dry_run:
                o.raw, o.purged_at = b"", now
                s.add(o)
        for c in done:
            if c.removed_at is None and c.closed_at is not None and as_utc(c.closed_at) <= register_limit:
                result.entries_removed += 1
                result.lines.append(f"register entry {c.kenmerk}: closed {c.closed_at:%Y-%m-%d}, past retention")
                if not dry_run:
                    _remove_entry(s, c, now)
        if result.anything and not dry_run:
            add_event(
                s, now, "purged", None, actor="mailbot", messages=result.messages, attachments=result.attachments,
                outgoing=result.outgoing, bytes=result.bytes_removed, entries=result.entries_removed,
                cases=sorted(kenmerk.values()), purge_after_days=settings.purge_after_days,
                retention_years=settings.retention_years,
            )  # fmt: skip
            s.commit()
            log.info("purge: %s", result.summary(False))
    return result


def _remove_entry(s: Session, case: Case, now: datetime) -> None:
    """Empty a register entry past retention: content and event details go, kenmerk and dates stay."""
    s.info[audit.REDACTING] = True
    for e in s.exec(select(Event).where(Event.case_id == case.id, col(Event.redacted).is_(False))):
        e.detail, e.redacted = "{}", True
        s.add(e)
    case.reporter_name = case.reporter_address = case.subject = case.description = ""
    case.answers = case.assessment = "{}"
    case.free_text = "[]"
    case.close_reason = case.ap_decision_reason = case.ap_delay_reason = case.subjects_decision_reason = ""
    case.fg_advice = case.board_decision = ""
    case.removed_at = now
    s.add(case)
    s.flush()
    s.info[audit.REDACTING] = False
    add_event(s, now, audit.REMOVED_KIND, case.id, actor="mailbot", kenmerk=case.kenmerk)
