"""Warnings to the officers while the protocol waits on them.

- The AP deadline: at ``MAILBOT_WARN_HOURS`` before it, at it, then daily while overdue, as
  long as the AP decision is open; only the most urgent warning due is sent (deadlines.py).
  With the FG's advice given and the board's decision still open, the board (``MAILBOT_BOARD``)
  gets its decision request again at the same moments.
- The AP deadline passed while the board's decision is open: the officers are told once, with
  the next step (notify anyway, and record the reason for the delay).
- People to be informed ("onverwijld", art. 34): daily, while a "ja" is not yet done.
- A preliminary AP notification: every ``MAILBOT_SUPPLEMENT_AFTER_DAYS`` until it is
  definitive or withdrawn.

Each notice is recorded under a unique key (``SentNotice``) in the transaction that queues
it, so it goes out exactly once, restarts included.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from mailbot.core.clock import as_utc
from mailbot.core.deadlines import due_warning, time_left
from mailbot.core.severity import assess
from mailbot.model import cases, db
from mailbot.model.models import Case, Event, SentNotice
from mailbot.model.services import Services
from mailbot.pipeline import decision
from mailbot.pipeline.notify import notify_officers

log = logging.getLogger(__name__)

open_items = cases.open_items


def claim(s: Session, key: str, kind: str, now: datetime, case_id: int | None = None) -> bool:
    """Record the notice ``key`` as sent in this transaction; False when it was already."""
    if s.get(SentNotice, key) is not None:
        return False
    s.add(SentNotice(key=key, case_id=case_id, kind=kind, sent_at=now))
    return True


def _claim(s: Session, key: str, case: Case, kind: str, now: datetime) -> bool:
    return claim(s, key, kind, now, case.id)


def _decided_at(s: Session, case: Case, kind: str) -> datetime | None:
    at = s.exec(
        select(Event.at).where(Event.case_id == case.id, Event.kind == kind).order_by(col(Event.id).desc())
    ).first()
    return as_utc(at) if at else None


def _board_overdue(board: tuple[str, ...], case: Case, now: datetime) -> bool:
    """The AP deadline has passed, the board was asked and has not decided, and the AP is
    neither notified nor decided against."""
    asked = bool(board) and bool(case.fg_advice) and not case.board_decision
    unsettled = case.ap_notified_at is None and case.ap_decision != "nee"
    return asked and unsettled and now >= as_utc(case.ap_deadline_at)


def check(svc: Services, now: datetime) -> int:
    settings = svc.settings
    tz = settings.timezone
    queued = 0
    with db.session(svc.engine) as s:
        for case in list(s.exec(select(Case).where(col(Case.closed_at).is_(None)))):
            mb = settings.mailbox_named(case.mailbox)
            deadline = as_utc(case.ap_deadline_at)
            if not case.ap_decision:
                prefix = f"case-{case.id}:deadline-"
                sent = {k.removeprefix(prefix) for k in s.exec(select(SentNotice.key).where(
                    SentNotice.case_id == case.id, col(SentNotice.key).startswith(prefix)))}  # fmt: skip
                point = due_warning(deadline, now, settings.warn_hours, sent)
                if point and _claim(s, prefix + point, case, "deadline_warning", now):
                    severity = assess(cases.answers_of_assessment(case), cases.answers_of(case))
                    notify_officers(
                        svc,
                        s,
                        mb,
                        "officer_deadline_warning",
                        now,
                        case=case,
                        point=point,
                        left=time_left(deadline, now, settings.language),
                        overdue=now >= deadline,
                        severity=severity,
                        items=open_items(case, settings.required_answers, now),
                    )
                    cases.add_event(s, now, "deadline_warning_sent", case.id, point=point)
                    if case.fg_advice and not case.board_decision:
                        decision.request(svc, s, case, now, None, reminder=True)
                    log.warning(
                        "alerts: %s: AP deadline warning %s (%s)", case.kenmerk, point, time_left(deadline, now, "en")
                    )
                    queued += 1
            if _board_overdue(settings.board, case, now) and _claim(
                s, f"case-{case.id}:board-overdue", case, "board_overdue", now
            ):
                notify_officers(svc, s, mb, "officer_board_overdue", now, case=case, board=list(settings.board))
                cases.add_event(s, now, "board_overdue_sent", case.id, board=list(settings.board))
                log.warning("alerts: %s: AP deadline passed, the board's decision is open", case.kenmerk)
                queued += 1
            if case.subjects_decision == "ja" and case.subjects_informed_at is None:
                decided = _decided_at(s, case, "subjects_decision") or now
                key = f"case-{case.id}:subjects-{now.astimezone(tz).date().isoformat()}"
                if now - decided >= timedelta(hours=20) and _claim(s, key, case, "subjects_reminder", now):
                    notify_officers(svc, s, mb, "officer_subjects_reminder", now, case=case, days=(now - decided).days)
                    queued += 1
            if case.ap_notification_kind == "voorlopig" and case.ap_notified_at is not None:
                period = timedelta(days=settings.supplement_after_days)
                n = int((now - as_utc(case.ap_notified_at)) / period)
                if n >= 1 and _claim(s, f"case-{case.id}:supplement-{n}", case, "supplement_reminder", now):
                    notify_officers(
                        svc,
                        s,
                        mb,
                        "officer_supplement_reminder",
                        now,
                        case=case,
                        days=(now - as_utc(case.ap_notified_at)).days,
                    )
                    queued += 1
        s.commit()
    return queued
