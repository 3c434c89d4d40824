"""``mailbot demo``: the whole intake on a throwaway mail server, start to finish.

An example employee mails a report to the shared address; the bot, running as it would in
production (``mailbot run``, IMAP IDLE over TLS, SMTP with STARTTLS), answers; the demo
prints the acknowledgement exactly as it arrived in the employee's mailbox and the case as
stored.

Every command's parser is built with this module, so what only the demo needs (the e-mail
package, subprocesses, temporary folders) is imported inside it, not at the top, where it
would slow the start of every command (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.testing.labserver import LabMailServer

BOT = "meldpunt@example.org"
EMPLOYEE = "j.devries@example.org"
OFFICER = "fg@example.org"
LAB_USERS = {BOT: "meldpunt-geheim", EMPLOYEE: "jan-geheim", OFFICER: "fg-geheim"}


def lab_config(lab: LabMailServer, data_dir: Path, **overrides: str) -> dict[str, str]:
    """Settings that point the bot at a running lab server (used by the demo and the tests)."""
    values = {
        "MAILBOT_IMAP_HOST": "127.0.0.1",
        "MAILBOT_IMAP_PORT": str(lab.ports.imaps),
        "MAILBOT_IMAP_SECURITY": "ssl",
        "MAILBOT_IMAP_USER": BOT,
        "MAILBOT_IMAP_PASSWORD": LAB_USERS[BOT],
        "MAILBOT_SMTP_HOST": "127.0.0.1",
        "MAILBOT_SMTP_PORT": str(lab.ports.smtp),
        "MAILBOT_SMTP_SECURITY": "starttls",
        "MAILBOT_SMTP_USER": BOT,
        "MAILBOT_SMTP_PASSWORD": LAB_USERS[BOT],
        "MAILBOT_CA_FILE": str(lab.ca_file),
        "MAILBOT_ADDRESS": BOT,
        "MAILBOT_OFFICERS": OFFICER,
        "MAILBOT_DATA_DIR": str(data_dir),
        # The monthly overview would reach the officer before the report's notice: one story at a time.
        "MAILBOT_OVERVIEW": "off",
    }
    values.update(overrides)
    return values


def example_report() -> bytes:
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    msg = EmailMessage()
    msg["From"] = f"Jan de Vries <{EMPLOYEE}>"
    msg["To"] = f"Meldpunt <{BOT}>"
    msg["Subject"] = "Beveiligingsincident: e-mail met huurdersgegevens naar verkeerde ontvanger"
    msg["Date"] = format_datetime(time_now())
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg.set_content(
        "Hallo,\n\nVanochtend om 9.15 uur heb ik een Excel-bestand met namen, adressen en "
        "huurachterstanden van 38 huurders per ongeluk naar een externe aannemer gestuurd in plaats "
        "van naar mijn collega. Ik heb de aannemer gebeld en gevraagd het bericht te verwijderen.\n\n"
        "Groet,\nJan de Vries\nAfdeling Verhuur\n"
    )
    return msg.as_bytes()


def time_now() -> datetime:
    return datetime.now().astimezone()


def _say(text: str) -> None:
    print(text, flush=True)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser(
        "demo",
        help="start a local mail server, send a report, show the acknowledgement and the case",
        description="Starts Dovecot and Postfix on 127.0.0.1 in a temporary folder, runs the bot "
        "against them, sends an example report and prints what the reporter receives "
        "and the case as stored. Needs root and Debian's dovecot-imapd, "
        "dovecot-lmtpd and postfix (apt install dovecot-imapd dovecot-lmtpd postfix; in a clone, "
        "./dev demo installs them).",
    ).set_defaults(main=main)


def main(args: argparse.Namespace) -> int:
    return run_demo()


def run_demo() -> int:
    if os.geteuid() != 0:
        print(
            "mailbot demo starts Postfix and Dovecot and needs root: run it with sudo (or ./dev demo)", file=sys.stderr
        )
        return 1
    import email
    import email.policy
    import signal
    import subprocess
    import tempfile
    import time

    from mailbot.testing.labserver import LabMailServer

    started = time.monotonic()
    _say("1/5  starting a local mail server on 127.0.0.1 (Dovecot for IMAP, Postfix for SMTP) …")
    with LabMailServer(users=dict(LAB_USERS)) as lab, tempfile.TemporaryDirectory(prefix="mailbot-demo-") as tmp:
        _say(f"     IMAP {lab.ports.imaps} (TLS), SMTP {lab.ports.smtp} (STARTTLS), mail for example.org only")
        env_file = Path(tmp) / "demo.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in lab_config(lab, Path(tmp) / "data").items()))
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
        base = [sys.executable, "-m", "mailbot", "--config", str(env_file)]
        subprocess.run([*base, "init"], check=True, env=env, stdout=subprocess.DEVNULL)

        _say("2/5  starting the bot: mailbot run (IMAP IDLE) …")
        log_path = Path(tmp) / "worker.log"
        with log_path.open("wb") as log:
            worker = subprocess.Popen([*base, "run"], env=env, stdout=log, stderr=log)
        try:
            time.sleep(1.0)
            _say(f"3/5  {EMPLOYEE} mails {BOT}, subject 'Beveiligingsincident: …' …")
            sent_at = time.monotonic()
            lab.send(example_report(), EMPLOYEE, [BOT])
            acks = lab.wait_for(EMPLOYEE, 1, timeout=30)
            if not acks:
                _say("     no acknowledgement arrived within 30 s; the worker's log:")
                _say(log_path.read_text(errors="replace"))
                return 1
            _say(f"4/5  acknowledgement in {EMPLOYEE}'s mailbox after {time.monotonic() - sent_at:.1f} s:\n")
            ack = email.message_from_bytes(acks[0], policy=email.policy.default)
            _say("-" * 78)
            for header in ("From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "Auto-Submitted"):
                _say(f"{header}: {ack.get(header, '')}")
            _say("")
            body = ack.get_body(preferencelist=("plain",))
            _say(body.get_content() if body is not None else "")
            _say("-" * 78)
            notices = lab.wait_for(OFFICER, 1, timeout=10)
            if notices:
                notice = email.message_from_bytes(notices[0], policy=email.policy.default)
                _say(f"\n     the privacy officer {OFFICER} received: {notice['Subject']}")
            kenmerk = str(ack.get("X-Mailbot-Kenmerk", ""))
            _say(f"\n5/5  the case as stored (mailbot show {kenmerk}):\n")
            shown = subprocess.run([*base, "show", kenmerk], env=env, capture_output=True, text=True, check=False)
            _say(shown.stdout or shown.stderr)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
        _say("stopping the mail server …")
    _say(f"demo finished in {time.monotonic() - started:.0f} s; everything it made has been removed.")
    return 0
