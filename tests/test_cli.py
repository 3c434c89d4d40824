"""The command line as a user runs it: init, check, run, list, show, messages, errors and help."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailbot.cli.common import config_exposure
from mailbot.cli.demo import BOT, EMPLOYEE
from mailbot.cli.views import recipients
from mailbot.testing.labserver import LabMailServer, make_ca
from tests.mailserver import Bot, make_bot, report, submit


def test_help_explains_the_commands() -> None:
    out = subprocess.run([sys.executable, "-m", "mailbot", "--help"], capture_output=True, text=True, check=True)
    for command in ("init", "check", "run", "list", "show", "messages", "export", "ap-draft", "purge", "audit", "demo"):
        assert command in out.stdout
    assert "config.example.env" in out.stdout


def test_every_command_has_a_description() -> None:
    """``mailbot COMMAND --help`` says what the command does, not only its usage line."""
    from mailbot.cli.main import parser

    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    bare = [name for name, p in sub.choices.items() if not p.description]
    assert bare == []


def test_init_example_prints_every_setting(tmp_path: Path) -> None:
    """``init --example`` needs no configuration and prints config.example.env as it is."""
    out = subprocess.run(
        [sys.executable, "-m", "mailbot", "--config", str(tmp_path / "absent.env"), "init", "--example"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout == Path("config.example.env").read_text(encoding="utf-8") and not out.stderr
    assert not (tmp_path / "data").exists()


def test_config_error_names_the_key(tmp_path: Path) -> None:
    env_file = tmp_path / "bad.env"
    env_file.write_text("MAILBOT_IMAP_HOST=imap.example.org\nMAILBOT_IMAP_USER=x\nMAILBOT_IMAP_PASSWORD=topsecret\n")
    out = subprocess.run(
        [sys.executable, "-m", "mailbot", "--config", str(env_file), "init"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert out.stderr.strip() == (
        "mailbot: configuration error: MAILBOT_ADDRESS is not set: give the shared "
        "address the bot sends from (see config.example.env)"
    )
    assert "topsecret" not in out.stderr + out.stdout


def test_init_and_check(bot: Bot) -> None:
    out = bot.cli("init")
    assert out.returncode == 0 and "OK" in out.stdout
    bot.env_file.chmod(0o644)
    out = bot.cli("check")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "IMAP  ok" in out.stdout and "IDLE supported" in out.stdout and "SMTP  ok" in out.stdout
    assert f"WARN  {bot.env_file} can be read by other users" in out.stdout
    bot.env_file.chmod(0o600)
    assert "WARN" not in bot.cli("check").stdout


SERVICE = 4242  # the service's user and group, as useradd --system would give them


@pytest.mark.parametrize(
    ("owner", "group", "mode", "warning"),
    [
        (0, SERVICE, 0o640, None),  # the README's install -m 0640 -o root -g mailbot
        (SERVICE, SERVICE, 0o640, None),
        (SERVICE, SERVICE, 0o600, None),
        (0, 0, 0o600, None),
        (0, SERVICE, 0o644, "can be read by other users and holds passwords: chmod 640"),
        (SERVICE, SERVICE, 0o604, "can be read by other users and holds passwords: chmod 600"),
        (0, SERVICE, 0o660, f"can be changed by group {SERVICE}: chmod 640"),
        (0, 0, 0o640, "can be read by other users (group root) and holds passwords: chmod 600"),
        (4343, SERVICE, 0o640, "can be read by other users (group 4242) and holds passwords: chmod 600"),
    ],
)
def test_config_readable_by_the_service_group_only_is_fine(
    tmp_path: Path, owner: int, group: int, mode: int, warning: str | None
) -> None:
    """``check`` accepts the configuration as the README installs it and still warns when
    anyone else can read it or its group can change it."""
    if os.geteuid() != 0:
        pytest.skip("giving a file to another owner takes root")
    env = tmp_path / "mailbot.env"
    env.write_text("MAILBOT_IMAP_PASSWORD=x\n")
    os.chown(env, owner, group)
    env.chmod(mode)
    found = config_exposure(env, SERVICE, SERVICE)
    assert found == (f"{env} {warning} {env}" if warning else None)


def test_check_names_what_is_wrong(clean_lab: LabMailServer, tmp_path: Path) -> None:
    bot = make_bot(clean_lab, MAILBOT_IMAP_PASSWORD="wrong-password-123")
    out = bot.cli("check")
    assert out.returncode == 1
    assert "IMAP  FAIL" in out.stdout and "MAILBOT_IMAP_PASSWORD" in out.stdout and "SMTP  ok" in out.stdout
    assert "wrong-password-123" not in out.stdout + out.stderr


def test_wrong_ca_fails_to_connect(clean_lab: LabMailServer, tmp_path: Path) -> None:
    """Certificates are always verified: a server certificate from another CA is refused."""
    other_ca = tmp_path / "other-ca.pem"
    make_ca(other_ca, tmp_path / "other-ca.key", "other")
    bot = make_bot(clean_lab, MAILBOT_CA_FILE=str(other_ca))
    out = bot.cli("check")
    assert out.returncode == 1
    assert out.stdout.count("certificate not trusted") == 2 and "MAILBOT_CA_FILE" in out.stdout


def test_json_shapes(bot: Bot) -> None:
    submit(bot.lab, report(subject="datalek", body="Een map met dossiers is zoek."))
    run = bot.cli("run", "--once")
    assert run.returncode == 0 and "new case DL-" in run.stdout
    (row,) = json.loads(bot.cli("list", "--json").stdout)
    assert set(row) >= {"kenmerk", "status", "reporter", "subject", "received_at", "ap_deadline_at"}
    assert row["reporter"] == EMPLOYEE and row["status"] == "ontvangen"
    assert row["received_at"].endswith(("+01:00", "+02:00"))
    shown = json.loads(bot.cli("show", row["kenmerk"], "--json").stdout)
    listed = {"kenmerk", "status", "reporter", "subject", "received_at", "ap_deadline_at"}
    assert set(shown) >= listed | {"description", "attachments", "messages", "events", "answers"}
    assert shown["description"] == "Een map met dossiers is zoek."
    assert {m["direction"] for m in shown["messages"]} == {"in", "out"}
    for m in shown["messages"]:
        assert set(m) >= {"direction", "message_id", "from", "to", "subject", "date"}
    assert [e["kind"] for e in shown["events"]][:1] == ["case_opened"]
    (msg,) = json.loads(bot.cli("messages", "--json").stdout)
    assert set(msg) >= {"id", "message_id", "from", "subject", "received_at", "disposition", "kenmerk", "reason"}
    assert (msg["disposition"], msg["kenmerk"]) == ("case", row["kenmerk"])
    text = bot.cli("show", row["kenmerk"]).stdout
    assert f"Kenmerk:      {row['kenmerk']}" in text and "Een map met dossiers is zoek." in text
    month = "(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december)"
    assert re.search(rf"^Ontvangen: +\d{{1,2}} {month} 20\d\d, \d\d:\d\d$", text, re.M), text
    assert re.search(rf"^  \d{{1,2}} {month} 20\d\d, \d\d:\d\d +melding geopend \(", text, re.M), text
    assert bot.cli("list").stdout.strip().endswith("1 melding(en)")
    missing = bot.cli("show", "DL-1999-0001")
    assert missing.returncode == 1 and "no case" in missing.stderr


def test_show_names_each_recipient_once_also_behind_an_encoded_name() -> None:
    """``show`` lists a message's To addresses from the field as it came: decoded first, the
    comma in "Vries, Jan de" made "Vries" a recipient of its own."""
    raw = (
        b"From: fg@example.org\r\nTo: =?utf-8?q?Vries=2C_Jan_de?= <jan@example.org>, meldpunt@example.org\r\n"
        b"Subject: datalek\r\n\r\nTekst.\r\n"
    )
    assert recipients(raw) == ["jan@example.org", "meldpunt@example.org"]


def test_run_answers_within_seconds_and_stops_on_sigterm(bot: Bot) -> None:
    """`mailbot run` notices new mail by IDLE; SIGTERM ends it cleanly with exit 0."""
    worker = bot.start_worker()
    try:
        second = bot.cli("run", "--once")
        assert second.returncode == 1 and "another mailbot worker" in second.stderr
        start = time.monotonic()
        submit(bot.lab, report(), wait=False)
        acks = bot.lab.wait_for(EMPLOYEE, 1, timeout=15)
        latency = time.monotonic() - start
        assert acks, (bot.data_dir / "worker.log").read_text()
        assert latency < 5, f"acknowledgement took {latency:.1f}s"
        print(f"report to acknowledgement: {latency:.2f}s")
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=15)
    assert code == 0
    assert BOT in (bot.data_dir / "worker.log").read_text()


def test_cleartext_to_another_machine_is_warned_about() -> None:
    from mailbot.cli.admin import cleartext
    from mailbot.core.config import parse_settings
    from tests.test_config import BASE

    assert cleartext(parse_settings(BASE)) == []
    remote = parse_settings({**BASE, "MAILBOT_SMTP_SECURITY": "none"})
    (warning,) = cleartext(remote)
    assert warning.startswith("MAILBOT_SMTP_SECURITY=none for ") and "unencrypted" in warning
    local = parse_settings({**BASE, "MAILBOT_SMTP_SECURITY": "none", "MAILBOT_SMTP_HOST": "127.0.0.1"})
    assert cleartext(local) == []


def test_run_once_quiet_prints_nothing_when_all_is_well(bot: Bot) -> None:
    """For cron: a pass that handles a report prints nothing (cron mails whatever is printed);
    a mailbox that cannot be read is still said, with exit 1."""
    submit(bot.lab, report())
    bot.env_file.chmod(0o600)  # else the warning that others can read it is rightly printed
    done = bot.cli("run", "--once", "--quiet")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert len(bot.lab.wait_for(EMPLOYEE, 1)) == 1, "the pass did its work"
    bot.env_file.write_text(bot.env_file.read_text().replace("MAILBOT_IMAP_PASSWORD=", "MAILBOT_IMAP_PASSWORD=wrong"))
    failed = bot.cli("run", "--once", "--quiet")
    assert failed.returncode == 1 and failed.stdout == "" and "error:" in failed.stderr, failed.stderr


def test_json_log_lines(bot: Bot) -> None:
    submit(bot.lab, report())
    bot.env_file.write_text(bot.env_file.read_text() + "MAILBOT_LOG_FORMAT=json\n")
    done = bot.cli("run", "--once")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert lines and all(set(e) >= {"time", "level", "logger", "message"} for e in lines)
    (handled,) = [e for e in lines if e["logger"] == "mailbot.pipeline.dispatch" and "new case DL-" in e["message"]]
    assert handled["kenmerk"].startswith("DL-") and handled["mailbox"] == "default"
    assert isinstance(handled["message_id"], int) and handled["message"].startswith(
        f"message #{handled['message_id']} "
    )


def test_list_leaves_out_cases_closed_long_ago_unless_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """After years of use the register holds thousands of closed cases: list shows the open ones
    and those closed within the year, says how many it left out, and --all shows every one."""
    from mailbot.cli.main import main
    from tests.offline import make_case, offline_services

    env, svc = offline_services(tmp_path, monkeypatch)
    now = datetime.now(UTC)
    recent = make_case(svc, now - timedelta(days=40), closed=now - timedelta(days=30)).kenmerk
    old = make_case(svc, now - timedelta(days=800), closed=now - timedelta(days=700)).kenmerk
    current = make_case(svc, now - timedelta(days=1)).kenmerk
    assert main(["--config", str(env), "list"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in shown[:2]] == [current, recent]
    assert shown[2:] == [
        "2 melding(en)",
        "1 melding(en) meer dan een jaar geleden gesloten, niet getoond; alle: mailbot list --all",
    ]
    assert main(["--config", str(env), "list", "--all"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in shown[:3]] == [current, old, recent] and shown[3:] == ["3 melding(en)"]
    assert main(["--config", str(env), "list", "--json"]) == 0
    assert [row["kenmerk"] for row in json.loads(capsys.readouterr().out)] == [current, recent]


def test_show_prints_what_an_officer_needs_in_plain_dutch(bot: Bot) -> None:
    """A case worked by reply: ``mailbot show`` gives the answers, the assessment, the severity
    with its reasons, the decisions, the notes and the events in Dutch words and Dutch times,
    no stored key and no ISO time."""
    from tests.test_conversation import open_case
    from tests.test_officer_stories import command

    kenmerk, ack, notice, _ = open_case(bot)
    reply = EmailMessage()
    reply["From"], reply["To"], reply["Subject"] = EMPLOYEE, BOT, f"Re: {ack['Subject']}"
    reply["In-Reply-To"] = reply["References"] = ack["Message-ID"]
    reply.set_content("1. Gisteren om 14:00\n2. namen en BSN\n3. ongeveer 40 huurders")
    submit(bot.lab, reply.as_bytes(), sender=EMPLOYEE)
    bot.run_pass()
    command(bot, notice, "Samenvatting: lijst met huurders naar verkeerd adres\nVersleuteld: nee\n"
                         "Notitie: ontvanger gebeld, lijst gewist\nMelden AP: ja\nGemeld op: vandaag 10:00\n"
                         "AP-meldnummer: M-123456\nAdvies FG: melden bij de AP")  # fmt: skip
    out = bot.cli("show", kenmerk)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for part in ("Antwoorden van de melder:", "Aantal personen", "Beoordeling:", "Samenvatting:",
                 "lijst met huurders naar verkeerd adres", "Ernst (voorstel):", "Waarom", "Besluiten:",
                 "Melden AP:", "meldnummer M-123456", "Advies FG:", "melden bij de AP", "Notities:",
                 "ontvanger gebeld, lijst gewist", "melding geopend", "antwoord ontvangen",
                 "gemeld bij de AP"):  # fmt: skip
        assert part in text, (part, text)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", text), text
