"""Load: 2,000 reports in the mailbox at once. All are handled (a case and an acknowledgement
each), and the worker's memory stays flat while it works through them: it does not grow with
the backlog."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from mailbot.cli.demo import BOT, OFFICER
from mailbot.model import db
from mailbot.model.models import Case, InboundMessage, Outbox
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import REPORTERS, close_bot, make_bot, report

REPORTS = 2000


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_two_thousand_reports_at_once_with_flat_memory(clean_lab: LabMailServer) -> None:
    bot = make_bot(clean_lab, MAILBOT_OFFICERS=OFFICER, MAILBOT_MAX_REPLIES_PER_HOUR="100")
    try:
        with clean_lab.imap(BOT) as c:
            for i in range(REPORTS):
                sender = REPORTERS[i % len(REPORTERS)]
                body = f"Melding {i}: een brief met gegevens van huurders is naar het verkeerde adres gestuurd.\n" * 5
                c.append("INBOX", report(sender=sender, subject=f"beveiligingsincident {i}", body=body))
        worker = bot.spawn("run")
        samples: list[tuple[int, float]] = []  # (messages handled, RSS in MB)
        started = time.monotonic()
        try:
            with db.session(bot.svc.engine) as s:
                while time.monotonic() - started < 400:
                    handled = s.exec(
                        select(func.count()).select_from(InboundMessage).where(InboundMessage.status != "received")
                    ).one()
                    queued = s.exec(select(func.count()).select_from(Outbox).where(Outbox.status != "sent")).one()
                    samples.append((handled, _rss_mb(worker.pid)))
                    if handled == REPORTS and queued == 0:
                        break
                    s.rollback()
                    time.sleep(0.25)
            elapsed = time.monotonic() - started
        finally:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0
        with db.session(bot.svc.engine) as s:
            cases = s.exec(select(func.count()).select_from(Case)).one()
            acks = s.exec(
                select(func.count())
                .select_from(Outbox)
                .where(Outbox.kind == "reporter_acknowledgement", Outbox.status == "sent")
            ).one()
        assert cases == REPORTS and acks == REPORTS, (cases, acks, elapsed)

        early = max(rss for handled, rss in samples if handled <= REPORTS // 4)
        late = max(rss for handled, rss in samples if handled >= REPORTS // 2)
        print(f"{REPORTS} reports in {elapsed:.0f} s; peak RSS first quarter {early:.0f} MB, second half {late:.0f} MB")
        assert late <= early + 25, f"memory grew with the backlog: {early:.0f} MB early, {late:.0f} MB late"
    finally:
        close_bot(bot)
