"""Fixtures for end-to-end tests: a real Dovecot + Postfix on loopback, and a bot pointed at it.

The lab server starts once per test session (about 3 s) and every test gets empty mailboxes
and a bot with its own data dir and a clock it can move.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import pytest

from mailbot.cli.demo import BOT, EMPLOYEE, LAB_USERS, OFFICER, lab_config
from mailbot.core.config import Settings, parse_settings
from mailbot.model.services import Services, build
from mailbot.runtime.worker import Worker
from mailbot.testing.labserver import LabMailServer
from tests.oauthserver import OAuthServer
from tests.pgserver import PostgresServer

REPORTERS = [f"medewerker{i:03d}@example.org" for i in range(1, 201)]
SECOND_OFFICER = "privacy@example.org"
PO = "po@example.org"  # a second shared mailbox (P&O), with an officer of its own
PO_OFFICER = "hr-privacy@example.org"
BOARD = "directeur@example.org"  # the director who decides (MAILBOT_BOARD)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A private PostgreSQL server (Debian's), started once when a test first asks for it."""
    if os.geteuid() != 0:
        pytest.fail("the PostgreSQL tests start a server as the postgres user and need root: run ./dev test")
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Run a test on both databases: "" (SQLite in the bot's data dir) or a new PostgreSQL database."""
    if request.param == "sqlite":
        return ""
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.database()


@pytest.fixture(scope="session")
def oauth() -> Iterator[OAuthServer]:
    """The tests' OAuth2 provider; the lab's Dovecot asks it about XOAUTH2 tokens."""
    server = OAuthServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def lab(oauth: OAuthServer) -> Iterator[LabMailServer]:
    if os.geteuid() != 0:
        pytest.fail("the end-to-end tests start Postfix and need root: run ./dev test (it uses sudo)")
    users = dict(LAB_USERS)
    users[SECOND_OFFICER] = "privacy-geheim"
    users[PO], users[PO_OFFICER] = "po-geheim", "hr-geheim"
    users[BOARD] = "directeur-geheim"
    users.update({r: "geheim" for r in REPORTERS})
    server = LabMailServer(users=users, oauth2_introspection_url=oauth.introspection_url).start()
    oauth.start(server.root / "tls" / "server.pem", server.root / "tls" / "server.key")
    yield server
    server.stop()


class Clock:
    """The bot's clock in tests: real time plus an offset the test can move."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **kw: float) -> None:
        self.offset += timedelta(**kw)


@dataclass
class Bot:
    lab: LabMailServer
    data_dir: Path
    config: dict[str, str]
    settings: Settings
    svc: Services
    clock: Clock
    worker: Worker
    env_file: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def run_pass(self) -> Any:
        return self.worker.full_pass()

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run the real command line against this bot's configuration."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
        return subprocess.run(
            [sys.executable, "-m", "mailbot", "--config", str(self.env_file), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )

    def spawn(self, *args: str, log: Path | None = None) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
        out = (log or self.data_dir / "worker.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "mailbot", "--config", str(self.env_file), *args], env=env, stdout=out, stderr=out
        )

    def start_worker(self) -> subprocess.Popen[bytes]:
        """`mailbot run` in the background, returned once it holds the lock and says it is
        running: a loaded machine can take seconds to start Python, so no fixed sleep."""
        log = self.data_dir / "worker.log"
        worker = self.spawn("run")
        until(lambda: worker.poll() is not None or "worker: running on" in log.read_text(), 60, "the worker to start")
        assert worker.poll() is None, log.read_text()[-3000:]
        return worker


def make_bot(lab: LabMailServer, **overrides: str) -> Bot:
    data_dir = Path(tempfile.mkdtemp(prefix="mbot-"))
    defaults = {"MAILBOT_OFFICERS": f"{OFFICER},{SECOND_OFFICER}", "MAILBOT_DIGEST_TIME": "off"}
    config = lab_config(lab, data_dir / "data", **{**defaults, **overrides})
    env_file = data_dir / "bot.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in config.items()))
    settings = parse_settings(config)
    svc = build(settings)
    clock = Clock()
    return Bot(lab, data_dir, config, settings, svc, clock, Worker(svc, clock), env_file)


def two_mailboxes(lab: LabMailServer, po_password: str = "po-geheim") -> dict[str, str]:  # noqa: S107
    """Overrides for a bot reading two mailboxes: "meldpunt" (the usual BOT) and "po" (PO),
    each logging in as itself for IMAP and SMTP; PO's cases go to PO_OFFICER."""
    return {
        "MAILBOT_MAILBOXES": "meldpunt,po",
        "MAILBOT_MAILBOX_MELDPUNT_ADDRESS": BOT,
        "MAILBOT_MAILBOX_MELDPUNT_IMAP_USER": BOT,
        "MAILBOT_MAILBOX_MELDPUNT_IMAP_PASSWORD": LAB_USERS[BOT],
        "MAILBOT_MAILBOX_PO_ADDRESS": PO,
        "MAILBOT_MAILBOX_PO_IMAP_USER": PO,
        "MAILBOT_MAILBOX_PO_IMAP_PASSWORD": po_password,
        "MAILBOT_MAILBOX_PO_SMTP_USER": PO,
        "MAILBOT_MAILBOX_PO_SMTP_PASSWORD": "po-geheim",
        "MAILBOT_MAILBOX_PO_OFFICERS": PO_OFFICER,
    }


def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait for ``condition``, polling; fail naming ``what`` when it does not hold in time."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def close_bot(b: Bot) -> None:
    """Close a bot made with make_bot: its connections, its database, its data dir."""
    b.worker.close()
    b.svc.engine.dispose()
    shutil.rmtree(b.data_dir, ignore_errors=True)


@pytest.fixture
def clean_lab(lab: LabMailServer) -> LabMailServer:
    lab.wait_queue_empty()
    lab.clear()
    return lab


@pytest.fixture
def any_bot(clean_lab: LabMailServer, database_url: str) -> Iterator[Bot]:
    """A bot on SQLite, then on PostgreSQL: for the tests that must hold on both."""
    b = make_bot(clean_lab, **({"MAILBOT_DATABASE_URL": database_url} if database_url else {}))
    yield b
    close_bot(b)


@pytest.fixture
def bot(clean_lab: LabMailServer) -> Iterator[Bot]:
    b = make_bot(clean_lab)
    yield b
    close_bot(b)


def report(
    sender: str = EMPLOYEE,
    subject: str = "beveiligingsincident",
    body: str = "Er is iets misgegaan.",
    name: str = "Medewerker",
    **headers: str,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>"
    msg["To"] = BOT
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = headers.pop("message_id", None) or make_msgid(domain="example.org")
    for key, value in headers.items():
        msg[key.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def message_id_of(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"])


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def body_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def append_reports(lab: LabMailServer, n: int) -> None:
    """A backlog: ``n`` reports, one from each of the first ``n`` REPORTERS, put straight into
    the bot's INBOX (IMAP APPEND, no SMTP delivery to wait for)."""
    with lab.imap(BOT) as c:
        for i in range(n):
            c.append("INBOX", report(sender=REPORTERS[i], subject=f"beveiligingsincident {i}"))


def submit(lab: LabMailServer, raw: bytes, sender: str = EMPLOYEE, wait: bool = True) -> None:
    """Mail a message to the bot's address through Postfix, and wait until it is in the bot's INBOX."""
    before = len(lab.messages(BOT)) if wait else 0
    lab.send(raw, sender, [BOT])
    if wait:
        got = lab.wait_for(BOT, before + 1, timeout=20)
        assert len(got) >= before + 1, "the lab server did not deliver the message to the bot's mailbox"
