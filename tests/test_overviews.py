"""The overview to the officers every month or quarter (MAILBOT_OVERVIEW): on the first working
day, exactly once per period, with the clock passed in; and as it lands in the officer's mailbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from mailbot.cli.demo import BOT, OFFICER
from mailbot.core.config import parse_settings
from mailbot.core.wording import MONTHS
from mailbot.core.workdays import first_working_day, months_before, period_start
from mailbot.jobs import overviews
from mailbot.model import db
from mailbot.model.models import Outbox
from mailbot.model.services import Services, build
from mailbot.runtime.worker import Worker
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import PO, PO_OFFICER, Bot, body_text, make_bot, parse, two_mailboxes
from tests.test_config import BASE
from tests.test_conversation import open_case

AMS = ZoneInfo("Europe/Amsterdam")


def services(tmp_path: Path, **settings: str) -> Services:
    return build(parse_settings({**BASE, "MAILBOT_DATA_DIR": str(tmp_path), **settings}))


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def queued(svc: Services) -> list[Outbox]:
    with db.session(svc.engine) as s:
        return list(s.exec(select(Outbox).where(Outbox.kind == "officer_overview")))


def test_monthly_on_the_first_working_day_once(tmp_path: Path) -> None:
    """New Year's Day 2027 is a Friday and a holiday: the overview waits for Monday 4 January
    at the digest's time, goes to both officers once, and next month again."""
    svc = services(tmp_path, MAILBOT_DIGEST_TIME="08:00")
    assert not overviews.send_if_due(svc, at(2027, 1, 1, 10))
    assert not overviews.send_if_due(svc, at(2027, 1, 3, 10)), "a Sunday"
    assert not overviews.send_if_due(svc, at(2027, 1, 4, 7, 59)), "before the digest's time"
    worker = Worker(svc, lambda: at(2027, 1, 4, 8, 30))
    worker.check_clock()
    worker.check_clock()
    sent = queued(svc)
    assert sorted(m.recipient for m in sent) == ["fg@example.org", "privacy@example.org"]
    assert {m.subject for m in sent} == {"Maandoverzicht datalekken: januari 2026 tot en met december 2026"}
    body = message_from_bytes(sent[0].raw, policy=policy.default).get_body(("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")
    assert "0 meldingen." in text and "dec 26: 0\n\nMelding bij de AP:" in text, "no headings over nothing"
    assert not overviews.send_if_due(svc, at(2027, 1, 20, 9)), "once a month"
    assert overviews.send_if_due(svc, at(2027, 2, 1, 8, 0))
    assert len(queued(svc)) == 4

    # A worker down on the first working day catches up within the week, not after it.
    late = services(tmp_path / "late")
    assert not overviews.send_if_due(late, at(2027, 1, 11, 8, 30)), "more than a week late"
    assert overviews.send_if_due(late, at(2027, 1, 8, 17))


def test_quarterly_and_off(tmp_path: Path) -> None:
    """Quarterly: 1 April 2024 was Easter Monday, so Tuesday 2 April; nothing more that
    quarter. Off: never."""
    svc = services(tmp_path / "q", MAILBOT_OVERVIEW="quarterly", MAILBOT_DIGEST_TIME="off")
    assert not overviews.send_if_due(svc, at(2024, 4, 1, 12))
    assert overviews.send_if_due(svc, at(2024, 4, 2, 8, 0))
    assert not overviews.send_if_due(svc, at(2024, 5, 1, 9))
    assert {m.subject for m in queued(svc)} == {"Kwartaaloverzicht datalekken: april 2023 tot en met maart 2024"}
    off = services(tmp_path / "off", MAILBOT_OVERVIEW="off")
    assert not overviews.send_if_due(off, at(2027, 2, 1, 9)) and queued(off) == []


def next_month_at_nine(bot: Bot) -> date:
    """Move the bot's clock to 09:00 on the first working day of next month; returns the month's
    first day."""
    start = months_before(period_start(datetime.now(AMS).date(), "monthly"), -1)
    moment = datetime.combine(first_working_day(start), datetime.min.time(), AMS) + timedelta(hours=9)
    bot.clock.offset = moment - datetime.now(UTC)
    return start


def overviews_to(bot: Bot, officer: str) -> list[EmailMessage]:
    return [m for m in map(parse, bot.lab.messages(officer)) if "overzicht datalekken:" in m["Subject"]]


def test_the_overview_lands_with_its_charts(clean_lab: LabMailServer) -> None:
    """A case reported by mail; on the first working day of next month the worker's passes send
    the officer one overview, its figures in text and three charts inline."""
    bot = make_bot(clean_lab, MAILBOT_OVERVIEW="monthly")
    try:
        open_case(bot, body="Een e-mail met de cijferlijst ging naar de verkeerde ontvanger.")
        bot.lab.wait_queue_empty()
        # Early in a month this month's overview has gone out already: only the next one counts.
        before = len(overviews_to(bot, OFFICER))
        today = datetime.now(AMS).date()
        start = next_month_at_nine(bot)
        bot.run_pass()
        bot.run_pass()
        bot.lab.wait_queue_empty()
        *_, overview = overviews_sent = overviews_to(bot, OFFICER)
        assert len(overviews_sent) == before + 1, "one overview for the new month, however many passes"
        assert overview["Subject"].endswith(f"{MONTHS['nl'][(start - timedelta(days=1)).month - 1]} {today.year}")
        text = body_text(overview)
        assert "1 melding. De grafieken staan hieronder" in text
        assert "E-mail aan verkeerde ontvanger: 1" in text and "Nu open, op " in text
        images = [p for p in overview.iter_attachments() if p.get_content_type() == "image/png"]
        assert [p.get_filename() for p in images] == [
            "meldingen-per-maand.png", "ernst-en-72-uur.png", "open-meldingen.png"
        ]  # fmt: skip
        for part in images:
            payload = part.get_payload(decode=True)
            assert part.get_content_disposition() == "inline"
            assert isinstance(payload, bytes) and payload.startswith(b"\x89PNG")
    finally:
        bot.worker.close()


def test_each_mailbox_officer_gets_the_overview_of_that_mailbox(clean_lab: LabMailServer) -> None:
    """With two mailboxes, a report to the main one: its officer's overview counts it, P&O's
    officer's overview does not, and each names its mailbox."""
    bot = make_bot(clean_lab, **two_mailboxes(clean_lab), MAILBOT_OVERVIEW="monthly")
    try:
        open_case(bot)
        bot.lab.wait_queue_empty()
        before = {who: len(overviews_to(bot, who)) for who in (OFFICER, PO_OFFICER)}
        next_month_at_nine(bot)
        bot.run_pass()
        bot.lab.wait_queue_empty()
        main, po = (overviews_to(bot, who) for who in (OFFICER, PO_OFFICER))
        assert (len(main), len(po)) == (before[OFFICER] + 1, before[PO_OFFICER] + 1)
        main_text, po_text = (" ".join(body_text(m[-1]).split()) for m in (main, po))
        assert f"over de meldingen die binnenkwamen op {BOT}." in main_text and ": 1 melding." in main_text
        assert f"over de meldingen die binnenkwamen op {PO}." in po_text and ": 0 meldingen." in po_text
        assert [po[-1]["To"]] == [PO_OFFICER]
    finally:
        bot.worker.close()
