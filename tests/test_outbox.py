"""The outbox against a real Postfix: retried while the server is down, refusals reported."""

from __future__ import annotations

import threading

from sqlmodel import select

from mailbot import db
from mailbot.demo import EMPLOYEE, OFFICER
from mailbot.labserver import REFUSING
from mailbot.models import Outbox
from mailbot.outbox import BACKOFF_MAX, backoff
from tests.mailserver import Bot, body_text, parse, report, submit


def outbox_rows(bot: Bot) -> list[Outbox]:
    with db.session(bot.svc.engine) as s:
        return list(s.exec(select(Outbox).order_by(Outbox.id)))  # type: ignore[arg-type]


def test_smtp_down_then_back(bot: Bot) -> None:
    """The case is opened while SMTP is down; the acknowledgement goes out once, when it is back."""
    submit(bot.lab, report())
    bot.lab.stop_postfix()
    try:
        result = bot.run_pass()
        assert len(result.kenmerken) == 1 and result.sent == 0 and result.send_problems == 3
        rows = outbox_rows(bot)
        assert {r.status for r in rows} == {"queued"} and all("cannot connect" in (r.last_error or "") for r in rows)
    finally:
        bot.lab.start_postfix()
    assert bot.run_pass().sent == 0, "not due again before the back-off has passed"
    bot.clock.advance(seconds=backoff(1).total_seconds() + 1)
    assert bot.run_pass().sent == 3
    (ack,) = bot.lab.wait_for(EMPLOYEE, 1)
    assert result.kenmerken[0] in parse(ack)["Subject"]
    assert bot.run_pass().sent == 0
    assert len(bot.lab.messages(EMPLOYEE)) == 1


def test_permanent_refusal_is_recorded_and_reported(bot: Bot) -> None:
    submit(bot.lab, report(sender=REFUSING), sender=REFUSING)
    result = bot.run_pass()
    kenmerk = result.kenmerken[0]
    ack = next(r for r in outbox_rows(bot) if r.kind == "reporter_acknowledgement")
    assert ack.status == "failed" and "554 5.7.1" in (ack.last_error or "")
    bot.clock.advance(seconds=1)
    bot.run_pass()  # sends the report of the failure queued in the previous pass
    notices = [parse(m) for m in bot.lab.wait_for(OFFICER, 2)]
    failure = next(n for n in notices if "niet worden bezorgd" in n["Subject"])
    assert kenmerk in failure["Subject"] and REFUSING in body_text(failure)
    bot.clock.advance(hours=1)
    assert bot.run_pass().sent == 0  # a refused mail is not retried


def test_backoff_grows_and_is_capped() -> None:
    delays = [backoff(n).total_seconds() for n in range(1, 12)]
    assert delays[:4] == [15, 30, 60, 120]
    assert delays == sorted(delays) and max(delays) == BACKOFF_MAX.total_seconds()


def test_one_pass_sends_more_than_one_batch(bot: Bot) -> None:
    """`run --once` sends everything that is due, not only the first batch."""
    from mailbot import outbox

    with db.session(bot.svc.engine) as s:
        for i in range(outbox.BATCH + 5):
            outbox.enqueue(
                s,
                kind="reporter_message",
                mailbox="default",
                sender=bot.settings.mailbox.address,
                sender_name="Meldpunt",
                recipient=EMPLOYEE,
                subject=f"bericht {i}",
                body="x",
                language="nl",
                now=bot.clock(),
                auto_reply=False,
            )
        s.commit()
    assert bot.run_pass().sent == outbox.BATCH + 5
    assert len(bot.lab.wait_for(EMPLOYEE, outbox.BATCH + 5, timeout=60)) == outbox.BATCH + 5


def test_the_sender_does_not_wait_for_dispatch_to_mark_what_it_sent(bot: Bot) -> None:
    """While dispatch holds the database (db.writing), the sender beside it goes on sending and
    marks what the SMTP server accepted once the database is free again, none of it lost."""
    from mailbot import outbox

    with db.session(bot.svc.engine) as s:
        for i in range(5):
            outbox.enqueue(
                s, kind="reporter_message", mailbox="default", sender=bot.settings.mailbox.address,
                sender_name="Meldpunt", recipient=EMPLOYEE, subject=f"bericht {i}", body="x", language="nl",
                now=bot.clock(), auto_reply=False,
            )  # fmt: skip
        s.commit()
    sender = threading.Thread(target=bot.worker.send_outbox)
    with db.writing(bot.svc.engine):  # as dispatch holds it, for its transaction
        sender.start()
        assert len(bot.lab.wait_for(EMPLOYEE, 5, timeout=30)) == 5
        assert {r.status for r in outbox_rows(bot)} == {"queued"}  # accepted, not yet marked
        assert sender.is_alive()  # waiting to mark them
    sender.join(timeout=30)
    rows = outbox_rows(bot)
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1)] * 5 and all(r.sent_at for r in rows)
    assert len(bot.lab.messages(EMPLOYEE)) == 5
