"""Intake against a real Dovecot: UIDVALIDITY changes, the processed folder, a worker killed mid-batch."""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import stat
import time
from collections import Counter

import pytest
from sqlmodel import select

from mailbot.cli.demo import BOT, EMPLOYEE, OFFICER
from mailbot.mail.mailbox import ImapMailbox
from mailbot.mail.smtp import SmtpTransport
from mailbot.model import db
from mailbot.model.models import Case, InboundMessage, Outbox
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import REPORTERS, Bot, make_bot, message_id_of, parse, report, submit


def test_uidvalidity_change_loses_nothing_and_repeats_nothing(bot: Bot) -> None:
    submit(bot.lab, report(subject="datalek een"))
    submit(bot.lab, report(subject="datalek twee"))
    assert len(bot.run_pass().kenmerken) == 2
    bot.lab.set_uidvalidity(BOT, 4242)
    submit(bot.lab, report(subject="datalek drie"))
    result = bot.run_pass()
    assert result.stored == 1 and len(result.kenmerken) == 1
    with db.session(bot.svc.engine) as s:
        assert len(list(s.exec(select(Case)))) == 3
        assert len(list(s.exec(select(InboundMessage)))) == 3
    time.sleep(0.5)
    assert len(bot.lab.wait_for(EMPLOYEE, 3)) == 3


def test_the_same_message_twice_in_one_batch_is_stored_and_handled_once(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    """Two identical copies (a client that saved its outgoing mail into the shared mailbox,
    say) arrive in one fetch: one row, one case, and the log names the copy it repeats."""
    raw = report(subject="datalek dubbel")
    with bot.lab.imap(BOT) as c:
        c.append("INBOX", raw)
        c.append("INBOX", raw)
        first, second = sorted(c.search("ALL"))
    with caplog.at_level(logging.INFO, logger="mailbot.pipeline.intake"):
        result = bot.run_pass()
    assert (result.stored, len(result.kenmerken)) == (1, 1)
    with db.session(bot.svc.engine) as s:
        (row,) = s.exec(select(InboundMessage))
    assert (row.uid, row.status, row.attempts, row.message_id) == (first, "processed", 1, message_id_of(raw))
    assert f"UID {second} is the same message as UID {first} of this batch; not handled again" in caplog.text
    assert bot.run_pass().stored == 0


def test_processed_mail_moves_after_it_is_stored(clean_lab: LabMailServer) -> None:
    bot = make_bot(clean_lab, MAILBOT_PROCESSED_FOLDER="Verwerkt")
    try:
        submit(clean_lab, report())
        assert len(bot.run_pass().kenmerken) == 1
        assert clean_lab.messages(BOT) == []
        (moved,) = clean_lab.messages(BOT, "Verwerkt")
        with db.session(bot.svc.engine) as s:
            (stored,) = s.exec(select(InboundMessage))
        assert stored.message_id == message_id_of(moved)
        assert bot.svc.store.read(stored.raw_path) == moved
        assert bot.run_pass().stored == 0
    finally:
        bot.worker.close()


def test_nothing_leaves_the_inbox_or_goes_out_before_it_would_survive_a_power_cut(
    clean_lab: LabMailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite syncs its WAL only now and then (synchronous=NORMAL). Before a message is moved
    out of the inbox, its raw file's name and the WAL holding its row are synced; before the
    acknowledgement is sent, the WAL holding the case is synced again."""
    bot = make_bot(clean_lab, MAILBOT_PROCESSED_FOLDER="Verwerkt")
    effects: list[str] = []
    real_fsync, real_move, real_send = os.fsync, ImapMailbox.move, SmtpTransport.send

    def fsync(fd: int) -> None:
        effects.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    def move(self: ImapMailbox, uids: list[int], folder: str) -> None:
        effects.append("move")
        real_move(self, uids, folder)

    def send(self: SmtpTransport, sender: str, recipient: str, raw: bytes) -> None:
        effects.append("send")
        real_send(self, sender, recipient, raw)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(ImapMailbox, "move", move)
    monkeypatch.setattr(SmtpTransport, "send", send)
    try:
        submit(clean_lab, report())
        assert len(bot.run_pass().kenmerken) == 1
        with db.session(bot.svc.engine) as s:
            (stored,) = s.exec(select(InboundMessage))
    finally:
        bot.worker.close()
    wal = f"{bot.svc.engine.url.database}-wal"
    raw_folder = str((bot.settings.data_dir / stored.raw_path).parent)
    move_at, send_at = effects.index("move"), effects.index("send")
    assert raw_folder in effects[:move_at] and effects[move_at - 1] == wal, effects
    assert wal in effects[move_at:send_at], effects


def test_stored_raw_is_byte_identical(bot: Bot) -> None:
    submit(bot.lab, report())
    bot.run_pass()
    (raw,) = bot.lab.messages(BOT)
    with db.session(bot.svc.engine) as s:
        (stored,) = s.exec(select(InboundMessage))
    assert bot.svc.store.read(stored.raw_path) == raw


def _progress(bot: Bot) -> int:
    with db.session(bot.svc.engine) as s:
        handled = len(list(s.exec(select(InboundMessage.id).where(InboundMessage.status != "received"))))
        sent = len(list(s.exec(select(Outbox.id).where(Outbox.status == "sent"))))
    return handled + sent


def _unfinished(bot: Bot) -> bool:
    with db.session(bot.svc.engine) as s:
        waiting = s.exec(select(InboundMessage.id).where(InboundMessage.status == "received")).first()
        queued = s.exec(select(Outbox.id).where(Outbox.status == "queued")).first()
        none_yet = s.exec(select(InboundMessage.id)).first() is None
    return waiting is not None or queued is not None or none_yet


def test_killed_worker_loses_nothing_and_doubles_nothing(bot: Bot) -> None:
    """200 reports; `mailbot run` is killed with SIGKILL ten times at random moments while it works,
    then restarted. Every report ends with exactly one case and every reporter with one acknowledgement
    (a repeat is only allowed with the same Message-ID: killed between SMTP accepting and the outbox
    recording it)."""
    reporters = REPORTERS[:200]
    for r in reporters:
        submit(bot.lab, report(sender=r, subject=f"beveiligingsincident van {r}"), sender=r, wait=False)
    assert len(bot.lab.wait_for(BOT, 200, timeout=60)) == 200
    rng = random.Random(2026)
    kills = interrupted = 0
    for _ in range(10):
        worker = bot.spawn("run")
        threshold = rng.randint(5, 60)  # kill once this many more mails are out or messages handled
        start = _progress(bot)
        deadline = time.monotonic() + 20
        while _progress(bot) - start < threshold and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(rng.uniform(0.001, 0.02))
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        kills += 1
        interrupted += _unfinished(bot)
    for _ in range(5):
        done = bot.cli("run", "--once")
        assert done.returncode == 0, done.stderr
        with db.session(bot.svc.engine) as s:
            if not list(s.exec(select(InboundMessage).where(InboundMessage.status == "received"))):
                break
    bot.cli("run", "--once")

    with db.session(bot.svc.engine) as s:
        messages = list(s.exec(select(InboundMessage)))
        cases = list(s.exec(select(Case)))
    assert kills == 10 and interrupted >= 8, "the kills should land while the worker still had work"
    assert len(messages) == 200 and {m.status for m in messages} == {"processed"}
    assert len(cases) == 200 and len({c.kenmerk for c in cases}) == 200
    assert Counter(c.reporter_address for c in cases) == Counter({r: 1 for r in reporters})
    duplicates = 0
    for r in reporters:
        acks = [parse(m) for m in bot.lab.wait_for(r, 1, timeout=20)]
        assert len(acks) >= 1, f"{r} received no acknowledgement"
        assert len({a["Message-ID"] for a in acks}) == 1, f"{r} received two different acknowledgements"
        duplicates += len(acks) - 1
    notices = [parse(m)["Subject"] for m in bot.lab.wait_for(OFFICER, 200, timeout=30)]
    assert len(set(notices)) == 200
    print(f"killed 10 times, {interrupted} with work unfinished; repeated acknowledgements: {duplicates}")


def test_same_message_delivered_twice_opens_one_case(bot: Bot) -> None:
    """The same report reaching the mailbox twice (e.g. To and Cc both pointing at it): one case."""
    raw = report()
    with bot.lab.imap(BOT) as c:
        c.append("INBOX", b"Delivered-To: informatiebeveiliging@example.org\r\n" + raw)
        c.append("INBOX", b"Delivered-To: meldpunt@example.org\r\n" + raw)
    result = bot.run_pass()
    assert result.dispositions == {"case": 1, "ignored": 1}
    with db.session(bot.svc.engine) as s:
        second = s.exec(select(InboundMessage).where(InboundMessage.id == 2)).one()
    assert second.rule == "duplicate" and "#1" in (second.reason or "")
    time.sleep(0.3)
    assert len(bot.lab.wait_for(EMPLOYEE, 1)) == 1


def test_message_that_kept_killing_the_worker_is_quarantined(bot: Bot) -> None:
    """A message the worker died on three times (attempt counted before the work) is quarantined, and
    the officers told, instead of being retried forever and blocking the mailbox."""
    submit(bot.lab, report(subject="datalek één"))
    submit(bot.lab, report(subject="datalek twee"))
    status = bot.worker.mailboxes["default"].select()
    from mailbot.pipeline.intake import fetch_new

    fetch_new(bot.svc.engine, bot.worker.mailboxes["default"], bot.svc.store, bot.settings.mailboxes[0], bot.clock())
    assert status.uidvalidity
    with db.session(bot.svc.engine) as s:
        first = s.exec(select(InboundMessage).where(InboundMessage.id == 1)).one()
        first.attempts = 3
        s.add(first)
        s.commit()
    result = bot.run_pass()
    assert result.dispositions == {"quarantined": 1, "case": 1}
    rows = json.loads(bot.cli("messages", "--json").stdout)
    assert rows[0]["disposition"] == "quarantined" and "3 times" in rows[0]["reason"]
    assert any("quarantaine" in parse(m)["Subject"] for m in bot.lab.wait_for(OFFICER, 2))


def test_data_is_readable_by_the_owner_only(bot: Bot) -> None:
    submit(bot.lab, report())
    bot.run_pass()
    data = bot.settings.data_dir
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "mailbot.sqlite3").stat().st_mode) == 0o600
    for path in (data / "messages").rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_worker_reconnects_after_imap_restart(bot: Bot) -> None:
    """Dovecot restarts while the worker idles: the worker notices, backs off, reconnects, and the
    report sent meanwhile is acknowledged."""
    worker = bot.start_worker()
    try:
        bot.lab.restart_dovecot()
        submit(bot.lab, report(), wait=False)
        acks = bot.lab.wait_for(EMPLOYEE, 1, timeout=40)
        log = (bot.data_dir / "worker.log").read_text()
        assert acks, log
        assert "trying again" in log or "connection lost" in log
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0


def test_polling_when_idle_is_off(clean_lab: LabMailServer) -> None:
    bot = make_bot(clean_lab, MAILBOT_IDLE="no", MAILBOT_POLL_SECONDS="1")
    worker = bot.start_worker()
    try:
        submit(clean_lab, report(), wait=False)
        assert clean_lab.wait_for(EMPLOYEE, 1, timeout=15)
        assert "polling every 1s" in (bot.data_dir / "worker.log").read_text()
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0
