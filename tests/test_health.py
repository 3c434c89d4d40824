"""Connection health: recorded per mailbox and channel; a connection that keeps failing is told
to the officers once, through a route that does not depend on it, and its recovery too."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from mailbot.cli.demo import BOT, OFFICER
from mailbot.jobs.health import TELL_AFTER, should_tell
from mailbot.model import db
from mailbot.model.models import ConnectionHealth, Event, Outbox
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import PO_OFFICER, Bot, body_text, close_bot, make_bot, parse, report, submit, two_mailboxes

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_when_a_failure_is_worth_telling() -> None:
    row = ConnectionHealth(mailbox="po", channel="imap", failing_since=NOW, failures=2)
    assert not should_tell(row, permanent=True, now=NOW)  # two refusals may be a typo being fixed
    row.failures = 3
    assert should_tell(row, permanent=True, now=NOW)  # three logins refused: tell
    assert not should_tell(row, permanent=False, now=NOW + TELL_AFTER - timedelta(seconds=1))
    assert should_tell(row, permanent=False, now=NOW + TELL_AFTER)  # network trouble: after 15 minutes
    row.told_at = NOW
    assert not should_tell(row, permanent=True, now=NOW + timedelta(days=1))  # once per episode


def _health(bot: Bot, mailbox: str, channel: str) -> ConnectionHealth:
    with db.session(bot.svc.engine) as s:
        row = s.get(ConnectionHealth, (mailbox, channel))
        assert row is not None
        return row


def test_refused_login_told_once_through_the_other_mailbox_and_its_recovery(clean_lab: LabMailServer) -> None:
    bot = make_bot(clean_lab, **two_mailboxes(clean_lab, po_password="verlopen"))
    try:
        for _ in range(5):
            result = bot.run_pass()
            assert [e.split(":")[0] for e in result.errors] == ["po"]
        (notice,) = clean_lab.wait_for(PO_OFFICER, 1)
        msg = parse(notice)
        assert msg["Subject"] == "Storing: IMAP van po@example.org" and BOT in str(msg["From"])
        body = body_text(msg)
        assert "De server weigert de inlog" in body and "login refused for MAILBOT_MAILBOX_PO_IMAP_USER" in body
        row = _health(bot, "po", "imap")
        assert row.failures == 5 and row.told_at is not None and row.last_ok_at is None
        assert _health(bot, "meldpunt", "imap").failures == 0
        assert clean_lab.messages(OFFICER) == [], "meldpunt's officers are not po's"

        # The password is put right: the next pass reads po@ and its officers hear so, once.
        mb = bot.worker.mailboxes["po"]
        mb.settings = dataclasses.replace(mb.settings, imap=dataclasses.replace(mb.settings.imap, password="po-geheim"))
        assert bot.run_pass().errors == []
        bot.run_pass()
        mails = clean_lab.wait_for(PO_OFFICER, 2)
        assert [parse(m)["Subject"] for m in mails] == [
            "Storing: IMAP van po@example.org",
            "Werkt weer: IMAP van po@example.org",
        ]
        row = _health(bot, "po", "imap")
        assert row.failures == 0 and row.failing_since is None and row.last_ok_at is not None
        with db.session(bot.svc.engine) as s:
            kinds = list(s.exec(select(Event.kind).where(Event.actor == "po")))
        assert kinds == ["mailbox_failing", "mailbox_recovered"]
    finally:
        close_bot(bot)


def test_one_mailbox_whose_imap_fails_is_told_through_its_own_smtp(clean_lab: LabMailServer) -> None:
    bot = make_bot(clean_lab, MAILBOT_IMAP_PASSWORD="verlopen")
    try:
        for _ in range(3):
            bot.run_pass()
        (notice,) = clean_lab.wait_for(OFFICER, 1)
        assert parse(notice)["Subject"] == "Storing: IMAP van meldpunt@example.org"
        assert "MAILBOT_IMAP_..." in body_text(parse(notice))
    finally:
        close_bot(bot)


def test_failing_smtp_with_no_other_route_is_logged_and_kept_for_status(
    clean_lab: LabMailServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The only mailbox cannot send: no mail can say so. The log does, and status keeps it."""
    bot = make_bot(clean_lab, MAILBOT_SMTP_PASSWORD="verlopen")
    try:
        submit(clean_lab, report())
        for _ in range(3):
            bot.run_pass()
            with db.session(bot.svc.engine) as s:  # the queued mail is due again at once
                s.execute(update(Outbox).values(next_attempt_at=NOW))
                s.commit()
        row = _health(bot, "default", "smtp")
        assert row.failures == 3 and row.told_at is not None
        assert "login refused for MAILBOT_SMTP_USER" in (row.last_error or "")
        assert "cannot tell the officers by mail" in caplog.text
        assert clean_lab.messages(OFFICER) == []
    finally:
        close_bot(bot)
