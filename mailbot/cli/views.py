"""What the command line shows: cases and messages as plain dicts (for --json) and text."""

from __future__ import annotations

import json
from datetime import datetime
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from mailbot.core.clock import as_utc
from mailbot.core.deadlines import time_left
from mailbot.core.parse import decode_header_value
from mailbot.core.severity import assess
from mailbot.model.models import Case, Event, InboundMessage, Outbox, SentNotice, StoredAttachment


def iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    return value.astimezone(tz).isoformat() if value else None


def case_summary(case: Case, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "kenmerk": case.kenmerk,
        "status": case.status,
        "phase": case.phase,
        "reporter": case.reporter_address,
        "reporter_name": case.reporter_name,
        "subject": case.subject,
        "received_at": iso(case.received_at, tz),
        "ap_deadline_at": iso(case.ap_deadline_at, tz),
    }


def list_cases(s: Session, tz: ZoneInfo, now: datetime, language: str = "nl") -> list[dict[str, Any]]:
    """Open cases with an open AP decision first, nearest deadline first; then the rest."""
    rows = []
    for c in s.exec(select(Case).order_by(col(Case.ap_deadline_at), col(Case.id))):
        row = case_summary(c, tz)
        clock_running = c.closed_at is None and not c.ap_decision
        row["time_left"] = time_left(as_utc(c.ap_deadline_at), now, language) if clock_running else None
        row["overdue"] = clock_running and now > as_utc(c.ap_deadline_at)
        row["ap_decision"] = c.ap_decision or None
        rows.append((not clock_running, row))
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


def _outgoing(row: Outbox, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "direction": "out",
        "message_id": row.message_id,
        "from": row.sender,
        "to": row.recipient,
        "subject": row.subject,
        "date": iso(row.sent_at or row.created_at, tz),
        "kind": row.kind,
        "status": row.status,
    }


def _incoming(m: InboundMessage, raw_headers: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    return {
        "direction": "in",
        "message_id": m.message_id,
        "from": m.from_address,
        "to": [a for _, a in getaddresses([raw_headers.get("to", "")]) if a],
        "subject": m.subject,
        "date": iso(m.arrived_at, tz),
        "disposition": m.disposition,
        "sender_role": m.sender_role,
        "verified": m.sender_role != "unverified",
    }


def case_detail(s: Session, case: Case, tz: ZoneInfo, read_raw: Any) -> dict[str, Any]:
    out = case_summary(case, tz)
    out["aware_at"] = iso(case.aware_at, tz)
    out["mailbox"] = case.mailbox
    out["description"] = case.description
    out["language"] = case.language
    out["answers"] = json.loads(case.answers or "{}")
    out["free_text"] = json.loads(case.free_text or "[]")
    out["handler"] = case.handler or None
    out["technician"] = case.technician or None
    out["closed_at"] = iso(case.closed_at, tz)
    out["close_reason"] = case.close_reason or None
    out["reminders_sent"] = case.reminders_sent
    out["ap_decision"] = case.ap_decision or None
    out["ap_decision_reason"] = case.ap_decision_reason or None
    out["ap_notified_at"] = iso(case.ap_notified_at, tz)
    out["ap_reference"] = case.ap_reference or None
    out["ap_notification_kind"] = case.ap_notification_kind or None
    out["ap_on_time"] = (as_utc(case.ap_notified_at) <= as_utc(case.ap_deadline_at)) if case.ap_notified_at else None
    out["ap_delay_reason"] = case.ap_delay_reason or None
    out["subjects_decision"] = case.subjects_decision or None
    out["subjects_decision_reason"] = case.subjects_decision_reason or None
    out["subjects_informed_at"] = iso(case.subjects_informed_at, tz)
    out["subjects_channel"] = case.subjects_channel or None
    out["fg_advice"] = (
        {"text": case.fg_advice, "by": case.fg_advice_by, "at": iso(case.fg_advice_at, tz)} if case.fg_advice else None
    )
    out["board_decision"] = (
        {"text": case.board_decision, "by": case.board_decision_by, "at": iso(case.board_decision_at, tz)}
        if case.board_decision
        else None
    )
    out["assessment"] = json.loads(case.assessment or "{}")
    out["severity"] = assess(out["assessment"], out["answers"]).as_dict()
    out["warnings_sent"] = [
        {"key": n.key.split(":", 1)[-1], "at": iso(n.sent_at, tz)}
        for n in s.exec(select(SentNotice).where(SentNotice.case_id == case.id).order_by(col(SentNotice.sent_at)))
    ]
    out["attachments"] = [
        {
            "name": a.filename,
            "type": a.content_type,
            "size": a.size,
            "sha256": a.sha256,
            "stored": a.stored_path is not None,
            "note": a.note,
        }
        for a in s.exec(
            select(StoredAttachment).where(StoredAttachment.case_id == case.id).order_by(col(StoredAttachment.id))
        )
    ]
    messages: list[dict[str, Any]] = []
    for m in s.exec(select(InboundMessage).where(InboundMessage.case_id == case.id)):
        try:
            head = BytesHeaderParser().parsebytes(read_raw(m.raw_path))
            headers = {"to": decode_header_value(str(head.get("To", "")))}
        except OSError:
            headers = {}
        messages.append(_incoming(m, headers, tz))
    messages += [_outgoing(o, tz) for o in s.exec(select(Outbox).where(Outbox.case_id == case.id))]
    out["messages"] = sorted(messages, key=lambda x: x["date"] or "")
    out["events"] = [
        {
            "at": iso(e.at, tz),
            "kind": e.kind,
            "actor": e.actor,
            "message": e.inbound_message_id,
            "detail": json.loads(e.detail or "{}"),
        }
        for e in s.exec(select(Event).where(Event.case_id == case.id).order_by(col(Event.id)))
    ]
    return out


def list_messages(s: Session, tz: ZoneInfo) -> list[dict[str, Any]]:
    kenmerken = dict(s.exec(select(Case.id, Case.kenmerk)).all())
    return [
        {
            "id": m.id,
            "message_id": m.message_id,
            "from": m.from_address,
            "subject": m.subject,
            "received_at": iso(m.arrived_at, tz),
            "status": m.status,
            "disposition": m.disposition or ("quarantined" if m.status == "quarantined" else None),
            "kenmerk": kenmerken.get(m.case_id) if m.case_id else None,
            "reason": m.reason,
            "mailbox": m.mailbox,
            "uid": m.uid,
            "size": m.size,
        }
        for m in s.exec(select(InboundMessage).order_by(col(InboundMessage.id)))
    ]


LABELS = {
    "nl": {
        "kenmerk": "Kenmerk",
        "status": "Status",
        "phase": "fase",
        "reporter": "Melder",
        "subject": "Onderwerp",
        "received": "Ontvangen",
        "deadline": "Deadline AP",
        "report": "Melding",
        "no_text": "(geen tekst)",
        "attachments": "Bijlagen",
        "none": "geen",
        "messages": "Berichten",
        "events": "Gebeurtenissen",
        "cases": "melding(en)",
        "no_cases": "nog geen meldingen",
    },
    "en": {
        "kenmerk": "Reference",
        "status": "Status",
        "phase": "phase",
        "reporter": "Reporter",
        "subject": "Subject",
        "received": "Received",
        "deadline": "AP deadline",
        "report": "Report",
        "no_text": "(no text)",
        "attachments": "Attachments",
        "none": "none",
        "messages": "Messages",
        "events": "Events",
        "cases": "case(s)",
        "no_cases": "no cases yet",
    },
}


def case_text(d: dict[str, Any], language: str = "nl") -> str:
    t = LABELS[language]

    def row(key: str, value: str) -> str:
        return f"{t[key] + ':':<14}{value}"

    lines = [
        row("kenmerk", d["kenmerk"]),
        row("status", f"{d['status']} ({t['phase']} {d['phase']})"),
        row("reporter", f"{d['reporter_name']} <{d['reporter']}>"),
        row("subject", d["subject"]),
        row("received", d["received_at"]),
        row("deadline", d["ap_deadline_at"]),
        "",
        f"{t['report']}:",
        *("  " + line for line in (d["description"] or t["no_text"]).splitlines()),
        "",
        f"{t['attachments']}:" if d["attachments"] else f"{t['attachments']}: {t['none']}",
        *(f"  - {a['name']} ({a['type']}, {a['size']} bytes, sha256 {a['sha256'][:12]}…)" for a in d["attachments"]),
        "",
        f"{t['messages']}:",
        *(
            f"  {(m['date'] or '')[:19]}  {'→' if m['direction'] == 'out' else '←'} "
            f"{m['to'] if m['direction'] == 'out' else m['from']}: {m['subject']}"
            for m in d["messages"]
        ),
        "",
        f"{t['events']}:",
        *(f"  {(e['at'] or '')[:19]}  {e['kind']}" for e in d["events"]),
    ]
    return "\n".join(lines)
