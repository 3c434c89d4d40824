"""Retention with the clock moved forward: exactly what is past its limit goes, the rest stays, the chain holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from mailbot.cli.main import main
from mailbot.model import audit, db
from mailbot.model.models import Case, Event, InboundMessage, Outbox, StoredAttachment
from mailbot.model.services import Services
from mailbot.pipeline.outbox import enqueue
from mailbot.register.purge import purge
from tests.offline import make_case, offline_env, offline_services

T1 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SHARED = b"%PDF-1.4 dezelfde bijlage in twee meldingen"


def _sent_mail(svc: Services, case: Case) -> None:
    with db.session(svc.engine) as s:
        message_id = enqueue(
            s, kind="reporter_acknowledgement", mailbox="default", sender="informatiebeveiliging@example.org",
            sender_name="Meldpunt", recipient=case.reporter_address, subject=f"[{case.kenmerk}] ontvangen",
            body="Uw melding over de huurderslijst is ontvangen.", language="nl", now=case.received_at,
            auto_reply=True, case_id=case.id,
        )  # fmt: skip
        row = s.exec(select(Outbox).where(Outbox.message_id == message_id)).one()
        row.status = "sent"
        s.add(row)
        s.commit()


def _cases(svc: Services) -> tuple[Case, Case, Case]:
    old = make_case(svc, T1, worked=True, closed=T1 + timedelta(days=10), attachment=SHARED)
    recent = make_case(svc, T1, worked=True, closed=T1 + timedelta(days=200), attachment=b"%PDF eigen bijlage")
    still_open = make_case(svc, T1, attachment=SHARED)  # the same attachment, in a case still open
    for c in (old, recent, still_open):
        _sent_mail(svc, c)
    return old, recent, still_open


def _files(svc: Services, case: Case) -> tuple[InboundMessage, StoredAttachment, Outbox]:
    with db.session(svc.engine) as s:
        m = s.exec(select(InboundMessage).where(InboundMessage.case_id == case.id)).one()
        a = s.exec(select(StoredAttachment).where(StoredAttachment.case_id == case.id)).one()
        o = s.exec(select(Outbox).where(Outbox.case_id == case.id)).one()
        return m, a, o


def test_purge_removes_exactly_what_is_past_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, svc = offline_services(tmp_path, monkeypatch)  # MAILBOT_PURGE_AFTER_DAYS 365
    old, recent, still_open = _cases(svc)
    data = svc.settings.data_dir

    # 360 days after the first case closed: nothing is old enough yet.
    assert not purge(svc, T1 + timedelta(days=370)).anything

    now = T1 + timedelta(days=400)  # 390 days after "old" closed, 200 after "recent"
    dry = purge(svc, now, dry_run=True)
    assert (dry.messages, dry.attachments, dry.outgoing, dry.entries_removed) == (1, 1, 1, 0)
    m, a, o = _files(svc, old)
    assert (data / m.raw_path).exists() and a.stored_path and (data / a.stored_path).exists() and o.raw

    result = purge(svc, now)
    assert (result.messages, result.attachments, result.outgoing) == (1, 1, 1)
    m, a, o = _files(svc, old)
    assert not (data / m.raw_path).exists() and m.purged_at is not None
    assert m.size > 0 and len(m.sha256) == 64, "the record that it existed stays"
    assert a.stored_path is None and a.sha256 and a.size == len(SHARED) and "MAILBOT_PURGE_AFTER_DAYS" in (a.note or "")
    assert o.raw == b"" and o.purged_at is not None

    # The shared attachment file stays: the open case still holds it. The recent case is untouched.
    for keep in (recent, still_open):
        km, ka, ko = _files(svc, keep)
        assert (data / km.raw_path).exists() and ka.stored_path and (data / ka.stored_path).exists() and ko.raw
    with db.session(svc.engine) as s:
        case = s.get(Case, old.id)
        assert case is not None and case.description and case.removed_at is None  # the register entry stays
        purged = s.exec(select(Event).where(Event.kind == "purged")).one()
        assert '"messages": 1' in purged.detail and old.kenmerk in purged.detail
    assert not purge(svc, now).anything, "a second run finds nothing more"
    assert audit.verify(svc.engine).ok


def test_register_entries_go_only_after_the_retention_years(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, svc = offline_services(tmp_path, monkeypatch, MAILBOT_RETENTION_YEARS="5")
    old, recent, still_open = _cases(svc)
    closed = T1 + timedelta(days=10)
    purge(svc, closed + timedelta(days=5 * 365))  # just short of five years (the leap day)
    with db.session(svc.engine) as s:
        assert all(c.removed_at is None for c in s.exec(select(Case)))

    result = purge(svc, closed + timedelta(days=5 * 365 + 2))
    assert result.entries_removed == 1
    with db.session(svc.engine) as s:
        gone = s.get(Case, old.id)
        assert gone is not None and gone.removed_at is not None
        assert (gone.kenmerk, gone.description, gone.reporter_address, gone.answers) == (old.kenmerk, "", "", "{}")
        assert gone.received_at is not None and gone.closed_at is not None
        details = [e for e in s.exec(select(Event).where(Event.case_id == old.id, col(Event.redacted).is_(True)))]
        assert details and all(e.detail == "{}" for e in details)
        for other in (recent, still_open):
            kept = s.get(Case, other.id)
            assert kept is not None and kept.removed_at is None and kept.description
    verdict = audit.verify(svc.engine)
    assert verdict.ok, verdict.problem


def test_limits_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = offline_env(tmp_path, monkeypatch, MAILBOT_RETENTION_YEARS="3")
    assert main(["--config", str(env), "purge", "--dry-run"]) == 2
    assert "MAILBOT_RETENTION_YEARS=3 is out of range: use 5–100" in capsys.readouterr().err


def test_cli_dry_run_lists_and_removes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env, svc = offline_services(tmp_path, monkeypatch, MAILBOT_PURGE_AFTER_DAYS="30")
    case = make_case(svc, datetime.now(UTC) - timedelta(days=90), closed=datetime.now(UTC) - timedelta(days=60))
    assert main(["--config", str(env), "purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert (
        f"would remove message #1 ({case.kenmerk})" in out and "would remove 1 raw message(s), 1 attachment(s)" in out
    )
    with db.session(svc.engine) as s:
        m = s.exec(select(InboundMessage).where(InboundMessage.case_id == case.id)).one()
    assert (svc.settings.data_dir / m.raw_path).exists()
    assert main(["--config", str(env), "purge"]) == 0
    assert "removed 1 raw message(s), 1 attachment(s)" in capsys.readouterr().out
    assert not (svc.settings.data_dir / m.raw_path).exists()
