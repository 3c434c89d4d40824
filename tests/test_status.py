"""``mailbot status``: read from the database alone; exit 1 with the reason for each thing
that needs a person, 0 when all is well."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailbot.cli.demo import EMPLOYEE
from mailbot.cli.status_view import STUCK_AFTER, gather, text
from mailbot.model import db
from mailbot.model.models import ConnectionHealth, InboundMessage, Outbox, WorkerLease
from mailbot.model.reading import open_reader
from mailbot.model.services import Services
from mailbot.runtime import lease
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import PO, REPORTERS, close_bot, make_bot, report, submit, two_mailboxes
from tests.offline import make_case, offline_services

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _cli(env: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mailbot", "--config", str(env), "status", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_a_worker_status_says_so_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env, _ = offline_services(tmp_path, monkeypatch)
    out = _cli(env)
    assert out.returncode == 1, out.stderr
    assert "no worker is running on this database" in out.stdout
    assert "IMAP     unknown, last checked never" in out.stdout
    data = json.loads(_cli(env, "--json").stdout)
    assert data["ok"] is False and data["worker"]["holder"] is None
    assert data["mailboxes"][0]["imap"]["state"] == "unknown"


def test_each_finding_that_needs_a_person(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker seen two minutes ago, a mailbox last read an hour ago, a message stored and not
    handled for 11 minutes, mail queued for two hours, a refused mail, an AP deadline passed."""
    _, svc = offline_services(tmp_path, monkeypatch)
    settings = svc.settings
    late = make_case(svc, NOW - timedelta(hours=80))
    soon = make_case(svc, NOW - timedelta(hours=60))
    make_case(svc, NOW - timedelta(hours=100), worked=True)  # decided: no clock running
    with db.session(svc.engine) as s:
        s.add(WorkerLease(name=lease.NAME, holder="host:/data pid 7", acquired_at=NOW, renewed_at=NOW))
        s.add(ConnectionHealth(mailbox="default", channel="imap", last_ok_at=NOW - timedelta(hours=1)))
        s.add(ConnectionHealth(mailbox="default", channel="smtp", last_ok_at=NOW - timedelta(minutes=1)))
        s.add(
            InboundMessage(
                mailbox="default", folder="INBOX", uidvalidity=1, uid=999, identity="<w@x>", sha256="0" * 64,
                size=1, raw_path="messages/00/x.eml", arrived_at=NOW - STUCK_AFTER - timedelta(minutes=1),
                fetched_at=NOW - STUCK_AFTER - timedelta(minutes=1), status="received",
            )
        )  # fmt: skip
        for status, created in (("queued", NOW - timedelta(hours=2)), ("failed", NOW - timedelta(hours=3))):
            s.add(
                Outbox(
                    message_id=f"<{status}@x>", kind="reporter_acknowledgement", mailbox="default",
                    sender="a@example.org", recipient="b@example.org", subject="s", raw=b"x", auto_reply=True,
                    created_at=created, next_attempt_at=created, status=status,
                )
            )  # fmt: skip
        s.commit()

    r = open_reader(settings.database_url)
    assert r is not None
    st = gather(r, settings, NOW + timedelta(minutes=2))
    r.close()
    (box,) = st.mailboxes
    assert (box.backlog, box.queued, box.queued_overdue, box.failed_sends) == (1, 1, 1, 1)
    assert st.next_deadline == (soon.kenmerk, NOW + timedelta(hours=12))
    assert st.overdue == [late.kenmerk]
    assert st.attention == [
        "the worker was last seen 2 min ago (host:/data pid 7): is it running?",
        "default: mailbox last read 62 min ago",
        "default: 1 stored message(s) not handled, the oldest for 13 min",
        "default: 1 outgoing mail(s) queued for more than an hour",
        "default: 1 mail(s) refused for good in the last 24 hours (mailbot messages / the officers were told)",
        f"AP deadline passed without an AP decision: {late.kenmerk}",
    ]
    # Times as people write them, in the organisation's zone (Amsterdam, UTC+1 in November).
    shown = text(st, settings)
    assert shown.startswith("mailbot status at 22 november 2026, 10:02 (Europe/Amsterdam)\n")
    assert "IMAP     ok, last checked 22 november 2026, 09:00" in shown
    assert f"next: {soon.kenmerk}, AP deadline 22 november 2026, 22:00 (" in shown


def test_running_worker_all_well_then_a_failing_mailbox(clean_lab: LabMailServer) -> None:
    """Against the lab: with `mailbot run` reading both mailboxes status exits 0 and says when
    each was read; with po@'s password wrong it exits 1 naming po, IMAP and the refusal."""
    bot = make_bot(clean_lab, **two_mailboxes(clean_lab))
    broken = make_bot(clean_lab, **two_mailboxes(clean_lab, po_password="verlopen"))
    try:
        worker = bot.spawn("run")
        try:
            submit(clean_lab, report(sender=EMPLOYEE))
            clean_lab.send(report(sender=REPORTERS[0]), REPORTERS[0], [PO])
            clean_lab.wait_for(EMPLOYEE, 1, timeout=20)
            clean_lab.wait_for(REPORTERS[0], 1, timeout=20)
            time.sleep(1)
            out = bot.cli("status")
            assert out.returncode == 0, out.stdout + out.stderr
            assert "all well" in out.stdout
            assert "mailbox    po (po@example.org)" in out.stdout
            assert out.stdout.count("IMAP     ok, last checked") == 2
            assert out.stdout.count("SMTP     ok, last connected") == 2
            assert "deadline   next: DL-" in out.stdout
            data = json.loads(bot.cli("status", "--json").stdout)
            assert data["ok"] is True and [b["name"] for b in data["mailboxes"]] == ["meldpunt", "po"]
        finally:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0

        for _ in range(3):
            broken.run_pass()
        # A worker holds the lease (as `mailbot run` would): only po is at fault.
        lease.take(broken.svc.engine, lease.Holder("lab:/data", 1), datetime.now(UTC))
        out = broken.cli("status")
        assert out.returncode == 1, out.stdout + out.stderr
        assert "ATTENTION  1 thing(s) need a person:" in out.stdout
        assert "- po: IMAP failing since" in out.stdout and "(3 attempts)" in out.stdout
        assert "login refused for MAILBOT_MAILBOX_PO_IMAP_USER='po@example.org'" in out.stdout
        assert "officers told: " in out.stdout and "officers told: not yet" not in out.stdout
        assert "verlopen" not in out.stdout
    finally:
        for b in (bot, broken):
            close_bot(b)


def _status_steps(svc: Services) -> int:
    """The steps SQLite's engine takes to answer everything status asks (its progress handler,
    called at each step): what it reads, whatever plan it chose."""
    r = open_reader(svc.settings.database_url)
    assert r is not None
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    r.conn.set_progress_handler(count, 1)
    gather(r, svc.settings, NOW)
    r.close()
    return steps[0]


def test_status_costs_the_same_with_ten_times_the_closed_cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Years of closed cases and their mail cost status nothing: the same open cases (one past
    its AP deadline, one not yet) and a quarantined message, beside 20 and then 200 closed
    cases; SQLite without statistics (mailbot never gathers them), as a register in use is."""
    _, svc = offline_services(tmp_path, monkeypatch)
    make_case(svc, NOW - timedelta(hours=80))
    make_case(svc, NOW - timedelta(hours=60))
    with db.session(svc.engine) as s:
        s.add(
            InboundMessage(
                mailbox="default", folder="INBOX", uidvalidity=1, uid=999, identity="<q@x>", sha256="0" * 64,
                size=1, raw_path="messages/00/q.eml", arrived_at=NOW - timedelta(hours=1),
                fetched_at=NOW - timedelta(hours=1), processed_at=NOW - timedelta(hours=1), status="quarantined",
            )
        )  # fmt: skip
        s.commit()

    def closed(n: int) -> None:
        for i in range(n):
            received = NOW - timedelta(days=3650 - i)
            make_case(svc, received, attachment=None, closed=received + timedelta(days=20))

    closed(20)
    few = _status_steps(svc)
    closed(180)
    assert _status_steps(svc) == few
