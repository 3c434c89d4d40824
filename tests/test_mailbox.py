"""The IMAP edge against a real Dovecot: waiting with IDLE, announcements that come late."""

from __future__ import annotations

import threading
import time

from mailbot.demo import BOT
from tests.mailserver import Bot, report


def test_mail_announced_after_idle_ends_is_not_lost(bot: Bot) -> None:
    """Dovecot announces new mail 0.5 s after delivery. When IDLE ends sooner, the announcement
    comes in the responses to DONE or NOOP; wait() must still say that mail has arrived."""
    mailbox = bot.worker.mailboxes["default"]
    mailbox.connect()
    mailbox.select()
    sender = threading.Thread(target=bot.lab.send, args=(report(), "j.devries@example.org", [BOT]))
    start = time.monotonic()
    sender.start()
    assert mailbox.wait(0.3, lambda: False) is True
    sender.join()
    assert time.monotonic() - start < 2


def test_wait_without_mail_times_out(bot: Bot) -> None:
    mailbox = bot.worker.mailboxes["default"]
    mailbox.connect()
    mailbox.select()
    start = time.monotonic()
    assert mailbox.wait(1.0, lambda: False) is False
    assert 0.9 < time.monotonic() - start < 3


def test_wait_stops_when_asked(bot: Bot) -> None:
    mailbox = bot.worker.mailboxes["default"]
    mailbox.connect()
    mailbox.select()
    start = time.monotonic()
    assert mailbox.wait(30, lambda: time.monotonic() - start > 0.5) is False
    assert time.monotonic() - start < 3
