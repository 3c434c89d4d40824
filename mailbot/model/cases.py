"""Cases: the kenmerk allocated once under concurrency, every change kept as an event."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, col, select

from mailbot.core.clock import as_utc
from mailbot.core.kenmerk import format_kenmerk
from mailbot.model import audit
from mailbot.model.models import Case, InboundMessage, Outbox

AP_NOTIFICATION_HOURS = 72  # GDPR art. 33(1): within 72 hours after becoming aware


def ap_deadline(aware_at: datetime) -> datetime:
    """Wall-clock hours: absolute time, so daylight-saving changes do not move it."""
    return aware_at + timedelta(hours=AP_NOTIFICATION_HOURS)


_NEXT = text("UPDATE kenmerk_counter SET last = last + 1 WHERE year = :y RETURNING last")
_FIRST = text("INSERT INTO kenmerk_counter (year, last) VALUES (:y, 1)")
_CASES = Case.__table__  # type: ignore[attr-defined]
_INSERT_CASE = insert(_CASES).returning(_CASES.c.id)
_CASE_COLUMNS = [c.key for c in _CASES.columns if c.key != "id"]


def next_sequence(session: Session, year: int) -> int:
    """The next number of the year. The UPDATE takes the write lock (SQLite) or the row lock
    (PostgreSQL) first, so two workers can never hand out the same number."""
    conn = session.connection()  # not session.execute: nothing pending needs flushing for this
    row = conn.execute(_NEXT, {"y": year}).first()
    if row is not None:
        return int(row[0])
    conn.execute(_FIRST, {"y": year})
    return 1


def add_event(
    session: Session,
    at: datetime,
    kind: str,
    case_id: int | None = None,
    actor: str = "",
    message_id: int | None = None,
    **detail: Any,
) -> None:
    """Record a change in the audit trail, in the session's transaction (audit.append)."""
    audit.append(
        session,
        at,
        kind,
        case_id,
        actor,
        message_id,
        json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
    )


def open_case(
    session: Session,
    *,
    prefix: str,
    year: int,
    mailbox: str,
    language: str,
    reporter_name: str,
    reporter_address: str,
    subject: str,
    description: str,
    received_at: datetime,
    now: datetime,
    inbound_message_id: int,
    answers: dict[str, Any] | None = None,
) -> Case:
    """A new case with its kenmerk. ``answers`` the report already gives go in with the case,
    each an event of the reporter's, as :func:`set_answer` records them: the row is written
    once, not written and then rewritten (a report's text is in both columns)."""
    given = {name: value for name, value in (answers or {}).items() if value not in (None, "")}
    seq = next_sequence(session, year)
    case = Case(
        kenmerk=format_kenmerk(prefix, year, seq),
        year=year,
        seq=seq,
        mailbox=mailbox,
        language=language,
        reporter_name=reporter_name,
        reporter_address=reporter_address,
        subject=subject,
        description=description,
        received_at=received_at,
        aware_at=received_at,
        ap_deadline_at=ap_deadline(received_at),
        created_at=now,
        inbound_message_id=inbound_message_id,
        answers=json.dumps(given, ensure_ascii=False, sort_keys=True),
    )
    # One INSERT of the object's values, then the object joins the session as if it had been
    # loaded: a flush would also write every other pending change, and cost more (docs/benchmarks.md).
    values = {name: getattr(case, name) for name in _CASE_COLUMNS}
    case.id = session.connection().execute(_INSERT_CASE, values).scalar_one()
    make_transient_to_detached(case)
    session.add(case)
    add_event(
        session,
        now,
        "case_opened",
        case.id,
        actor=reporter_address,
        message_id=inbound_message_id,
        kenmerk=case.kenmerk,
        status=case.status,
        phase=case.phase,
        ap_deadline_at=case.ap_deadline_at.isoformat(),
    )
    for name, value in given.items():
        _answer_event(session, case, name, None, value, now, reporter_address, inbound_message_id)
    return case


def case_by_kenmerk(session: Session, kenmerk: str) -> Case | None:
    return session.exec(select(Case).where(Case.kenmerk == kenmerk.upper())).first()


def case_for_thread(session: Session, message_ids: Iterable[str]) -> Case | None:
    """The case that any of these Message-IDs (ours or theirs) belongs to."""
    ids = [m for m in message_ids if m]
    if not ids:
        return None
    out = session.exec(
        select(Outbox.case_id).where(col(Outbox.message_id).in_(ids), col(Outbox.case_id).is_not(None))
    ).first()
    if out is None:
        out = session.exec(
            select(InboundMessage.case_id).where(
                col(InboundMessage.message_id).in_(ids), col(InboundMessage.case_id).is_not(None)
            )
        ).first()
    return session.get(Case, out) if out is not None else None


def answers_of(case: Case) -> dict[str, Any]:
    value = json.loads(case.answers or "{}")
    return value if isinstance(value, dict) else {}


def answers_of_assessment(case: Case) -> dict[str, Any]:
    value = json.loads(case.assessment or "{}")
    return value if isinstance(value, dict) else {}


def set_answer(
    session: Session, case: Case, name: str, value: Any, now: datetime, actor: str, message_id: int | None
) -> bool:
    """Fill or correct one answer; a change is an event. Returns whether anything changed."""
    current = answers_of(case)
    if current.get(name) == value:
        return False
    old = current.get(name)
    current[name] = value
    case.answers = json.dumps(current, ensure_ascii=False, sort_keys=True)
    session.add(case)
    _answer_event(session, case, name, old, value, now, actor, message_id)
    return True


def _answer_event(
    session: Session, case: Case, name: str, old: Any, new: Any, now: datetime, actor: str, message_id: int | None
) -> None:
    kind = "answer_changed" if old is not None else "answer_given"
    add_event(session, now, kind, case.id, actor=actor, message_id=message_id, field=name, old=old, new=new)


def add_free_text(session: Session, case: Case, text: str, now: datetime, actor: str, message_id: int | None) -> None:
    """What a reporter wrote that fits no question: kept on the case, never dropped."""
    kept = json.loads(case.free_text or "[]")
    kept.append({"message": message_id, "from": actor, "at": now.isoformat(), "text": text})
    case.free_text = json.dumps(kept, ensure_ascii=False)
    session.add(case)
    add_event(session, now, "free_text_kept", case.id, actor=actor, message_id=message_id, text=text)


def missing_answers(case: Case, required: tuple[str, ...]) -> list[str]:
    have = answers_of(case)
    return [name for name in required if have.get(name) in (None, "")]


def open_items(case: Case, required: tuple[str, ...], now: datetime) -> list[str]:
    """What the protocol still needs for this case (keys; templates word them)."""
    items = [f"answer:{name}" for name in missing_answers(case, required)]
    if not case.ap_decision:
        items.append("ap_decision")
    elif case.ap_decision == "ja" and not case.ap_reference:
        items.append("ap_reference")
    elif case.ap_decision == "nee" and not case.ap_decision_reason:
        items.append("ap_decision_reason")  # art. 33(5): the reasoning behind not notifying
    if case.ap_notified_at and as_utc(case.ap_notified_at) > as_utc(case.ap_deadline_at) and not case.ap_delay_reason:
        items.append("ap_delay_reason")
    if case.ap_notification_kind == "voorlopig":
        items.append("ap_supplement")
    if not case.subjects_decision:
        items.append("subjects_decision")
    elif case.subjects_decision == "ja" and not case.subjects_informed_at:
        items.append("subjects_informed")
    elif case.subjects_decision == "nee" and not case.subjects_decision_reason:
        items.append("subjects_decision_reason")
    if not case.fg_advice:
        items.append("fg_advice")
    if not case.board_decision:
        items.append("board_decision")
    return items
