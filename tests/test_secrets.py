"""Secrets never reach a log or an error message: the worker at debug level, a wrong password,
`mailbot check`; and a readable .env is warned about."""

from __future__ import annotations

from mailbot.cli.demo import BOT, LAB_USERS
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import close_bot, make_bot, report, submit


def test_passwords_never_logged_even_at_debug_level(clean_lab: LabMailServer) -> None:
    secret = LAB_USERS[BOT]
    bot = make_bot(clean_lab, MAILBOT_LOG_LEVEL="debug")
    try:
        submit(clean_lab, report())
        done = bot.cli("--verbose", "run", "--once")
        assert done.returncode == 0, done.stderr
        checked = bot.cli("--verbose", "check")
        output = done.stdout + done.stderr + checked.stdout + checked.stderr
        assert "new case DL-" in output and "IMAP  ok" in output
        assert secret not in output
    finally:
        close_bot(bot)

    wrong = "Zeer-Geheim-Wachtwoord-42"
    bad = make_bot(clean_lab, MAILBOT_LOG_LEVEL="debug", MAILBOT_IMAP_PASSWORD=wrong, MAILBOT_SMTP_PASSWORD=wrong)
    try:
        for args in (("--verbose", "run", "--once"), ("--verbose", "check")):
            out = bad.cli(*args)
            assert out.returncode != 0
            assert wrong not in out.stdout + out.stderr
            assert "MAILBOT_IMAP_PASSWORD" in out.stdout + out.stderr
    finally:
        close_bot(bad)


def test_a_readable_env_file_is_warned_about(clean_lab: LabMailServer) -> None:
    bot = make_bot(clean_lab)
    try:
        bot.env_file.chmod(0o600)
        assert "can be read by other users" not in bot.cli("run", "--once").stderr
        bot.env_file.chmod(0o644)
        for args in (("run", "--once"), ("check",)):
            out = bot.cli(*args)
            assert f"chmod 600 {bot.env_file}" in out.stdout + out.stderr
    finally:
        close_bot(bot)
