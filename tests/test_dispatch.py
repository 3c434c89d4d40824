"""Dispatch without a mail server: how attempts are counted when the worker dies mid-message,
and how the handled message's row is written.

The mail flow through dispatch is tested against the lab's servers (test_worker, test_intake,
test_conversation); here only the bookkeeping around each message."""

from __future__ import annotations

import dataclasses
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from mailbot.mail.mailbox import Fetched
from mailbot.model import db
from mailbot.model.models import Case, InboundMessage, Outbox
from mailbot.model.services import Services
from mailbot.pipeline import dispatch
from mailbot.pipeline.intake import IntakeResult, _store_batch
from tests.offline import offline_services

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


class Killed(BaseException):
    """Stands for the process dying: nothing catches it, nothing after it is committed."""


def _report(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"medewerker{n}@example.org"
    msg["To"] = "informatiebeveiliging@example.org"
    msg["Subject"] = f"beveiligingsincident {n}"
    msg["Message-ID"] = f"<report-{n}@example.org>"
    msg.set_content(f"Melding {n}: een brief met persoonsgegevens is naar het verkeerde adres gestuurd.")
    return msg.as_bytes()


def _stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> Services:
    """Offline services with reports 1..n stored (UIDs 1..n), waiting for dispatch."""
    _, svc = offline_services(tmp_path, monkeypatch)
    batch = [Fetched(uid, _report(uid), NOW, 0) for uid in range(1, n + 1)]
    _store_batch(svc.engine, svc.store, svc.settings.mailboxes[0], 1, n, batch, NOW, IntakeResult())
    return svc


def _before_handling(monkeypatch: pytest.MonkeyPatch, each: Callable[[InboundMessage], None]) -> None:
    """Run ``each`` on every message dispatch is about to handle."""
    real = dispatch.handle

    def handle(svc: Services, s: Session, m: InboundMessage, *rest: Any) -> str:
        each(m)
        return real(svc, s, m, *rest)

    monkeypatch.setattr(dispatch, "handle", handle)


def test_a_message_that_kills_the_worker_is_given_up_on_and_the_ones_around_it_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attempt of each message is committed before its work begins; for all but the first
    of a run, in the transaction of the message before it. The second of three kills the worker
    every time: after MAX_ATTEMPTS runs it is quarantined (the officers told), and the first and
    third are handled once, none of their attempts spent on the other's crashes."""
    svc = _stored(tmp_path, monkeypatch, 3)

    def kill_on_the_second(m: InboundMessage) -> None:
        if m.uid == 2:
            raise Killed

    _before_handling(monkeypatch, kill_on_the_second)
    runs = 0
    while True:
        runs += 1
        try:
            result = dispatch.process_pending(svc, NOW)
            break
        except Killed:
            assert runs <= dispatch.MAX_ATTEMPTS, "the message that kills the worker is tried again and again"
    assert runs == dispatch.MAX_ATTEMPTS + 1
    assert result.counts == {"quarantined": 1, "case": 1}
    with db.session(svc.engine) as s:
        rows = list(s.exec(select(InboundMessage).order_by(col(InboundMessage.uid))))
    assert [(m.uid, m.status, m.attempts) for m in rows] == [
        (1, "processed", 1),
        (2, "quarantined", dispatch.MAX_ATTEMPTS),
        (3, "processed", 1),
    ]
    assert "failed 3 times" in (rows[1].reason or "")
    svc.engine.dispose()


def test_a_run_of_messages_is_handled_with_one_commit_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The attempt of the next message rides along with this one's transaction: n messages,
    n transactions that write (plus the first message's attempt)."""
    svc = _stored(tmp_path, monkeypatch, 5)
    commits = 0

    def count(_conn: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(svc.engine, "commit", count)
    assert dispatch.process_pending(svc, NOW).counts == {"case": 5}
    assert commits == 5 + 1
    with db.session(svc.engine) as s:
        assert [m.attempts for m in s.exec(select(InboundMessage))] == [1] * 5
    svc.engine.dispose()


def test_what_handling_changes_in_the_message_row_is_written_whichever_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fields handling sets are written back with one statement; a change to any other
    field (none today) is left to the ORM's flush and reaches the database all the same."""
    svc = _stored(tmp_path, monkeypatch, 2)

    def move_the_second(m: InboundMessage) -> None:
        if m.uid == 2:
            m.folder = "Elders"

    _before_handling(monkeypatch, move_the_second)
    assert dispatch.process_pending(svc, NOW).counts == {"case": 2}
    with db.session(svc.engine) as s:
        rows = list(s.exec(select(InboundMessage).order_by(col(InboundMessage.uid))))
        kenmerken = [c.kenmerk for c in s.exec(select(Case).order_by(col(Case.id)))]
    for m, kenmerk in zip(rows, kenmerken, strict=True):
        assert (m.status, m.disposition, m.rule, m.sender_role) == ("processed", "case", "report-keyword", "reporter")
        assert m.case_id is not None and m.reason == f"new case {kenmerk}"
        assert m.processed_at is not None and m.processed_at.replace(tzinfo=UTC) == NOW
        assert m.from_address == f"medewerker{m.uid}@example.org" and m.subject == f"beveiligingsincident {m.uid}"
    assert [m.folder for m in rows] == ["INBOX", "Elders"]
    svc.engine.dispose()


# The stop is a signal: where it lands in a garbage-collector callback Python prints and drops
# the exception (pytest reports that as "unraisable"), and the budget fires again
# (tests/test_budget.py::test_a_stop_that_python_swallowed_comes_again).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_message_that_uses_up_its_processor_time_is_quarantined_and_the_next_is_handled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a budget of 0.2 s (the setting's floor is 1 s; set lower here to keep the test
    short), a report of 1.5 MB of HTML, slow to read but read in linear time, is stopped, rolled
    back and quarantined with a reason naming MAILBOT_MAX_CPU_SECONDS; the officers are told;
    the report after it opens its case; the timer is left disarmed."""
    _, svc = offline_services(tmp_path, monkeypatch)
    svc = dataclasses.replace(svc, settings=dataclasses.replace(svc.settings, max_cpu_seconds=0.2))
    slow = EmailMessage()
    slow["From"] = "medewerker1@example.org"
    slow["Subject"] = "beveiligingsincident 1"
    slow["Message-ID"] = "<slow@example.org>"
    slow.set_content("<table>" + "<tr><td>naam</td><td>adres</td></tr>" * 40_000 + "</table>", subtype="html")
    batch = [Fetched(1, slow.as_bytes(), NOW, 0), Fetched(2, _report(2), NOW, 0)]
    _store_batch(svc.engine, svc.store, svc.settings.mailboxes[0], 1, 2, batch, NOW, IntakeResult())

    assert dispatch.process_pending(svc, NOW).counts == {"quarantined": 1, "case": 1}
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    with db.session(svc.engine) as s:
        first, second = s.exec(select(InboundMessage).order_by(col(InboundMessage.uid))).all()
        assert first.status == "quarantined" and first.case_id is None
        assert first.reason is not None and "MAILBOT_MAX_CPU_SECONDS" in first.reason
        assert (second.status, second.disposition) == ("processed", "case")
        notices = s.exec(select(Outbox).where(Outbox.kind == "officer_quarantine")).all()
        assert len(notices) == len(svc.settings.mailboxes[0].officers)
        assert all(n.caused_by_message_id == first.id for n in notices)
    svc.engine.dispose()


def test_a_reply_with_seventy_thousand_references_lands_on_its_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """A References header of 70,000 ids (more than PostgreSQL takes as parameters of one
    query) is read for the ids nearest the reply: the answer lands on the case it answers."""
    extra = {"MAILBOT_DATABASE_URL": database_url} if database_url else {}
    _, svc = offline_services(tmp_path, monkeypatch, **extra)
    _store_batch(svc.engine, svc.store, svc.settings.mailboxes[0], 1, 1, [Fetched(1, _report(1), NOW, 0)], NOW,
                 IntakeResult())  # fmt: skip
    assert dispatch.process_pending(svc, NOW).counts == {"case": 1}
    with db.session(svc.engine) as s:
        ack = s.exec(select(Outbox).where(Outbox.recipient == "medewerker1@example.org")).one()
    references = " ".join(f"<r{i}@example.net>" for i in range(70_000))
    reply = (
        "From: medewerker1@example.org\r\nTo: informatiebeveiliging@example.org\r\n"
        f"Subject: Re: beveiligingsincident 1\r\nMessage-ID: <answer@example.org>\r\n"
        f"In-Reply-To: {ack.message_id}\r\nReferences: {references}\r\n {ack.message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n1. Gisteren om 14:00 ontdekt.\r\n"
    ).encode()
    _store_batch(svc.engine, svc.store, svc.settings.mailboxes[0], 1, 2, [Fetched(2, reply, NOW, 0)], NOW,
                 IntakeResult())  # fmt: skip
    dispatch.process_pending(svc, NOW)
    with db.session(svc.engine) as s:
        answer = s.exec(select(InboundMessage).where(InboundMessage.uid == 2)).one()
        assert (answer.status, answer.case_id) == ("processed", ack.case_id), answer.reason
    svc.engine.dispose()
