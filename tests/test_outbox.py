"""The outbox against a real Postfix: retried while the server is down, refusals reported."""

from __future__ import annotations

import threading

from sqlmodel import select

from mailbot.cli.demo import BOT, EMPLOYEE, OFFICER
from mailbot.model import db
from mailbot.model.models import Case, Outbox
from mailbot.pipeline import outbox
from mailbot.pipeline.outbox import BACKOFF_MAX, backoff
from mailbot.testing.labserver import REFUSING
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


def test_a_recipient_with_a_line_break_fails_for_good_and_the_officers_are_told(bot: Bot) -> None:
    """A queued mail whose recipient holds CR LF (here adding a second RCPT TO) is never offered
    to the server: it fails at once with the address problem, and the officers hear of it as of
    any refused mail, the address shown with its control characters written out."""
    submit(bot.lab, report())
    (kenmerk,) = bot.run_pass().kenmerken
    bad = f"nobody@example.org>\r\nRCPT TO:<{EMPLOYEE}"
    with db.session(bot.svc.engine) as s:
        case = s.exec(select(Case).where(Case.kenmerk == kenmerk)).one()
        outbox.enqueue(
            s, kind="reporter_message", mailbox="default", sender=BOT, sender_name="Meldpunt", recipient=bad,
            subject=f"[{kenmerk}] Bericht", body="Mag nergens aankomen.", language="nl", now=bot.clock(),
            auto_reply=False, case_id=case.id, kenmerk=kenmerk,
        )  # fmt: skip
        s.commit()
    bot.clock.advance(seconds=1)
    bot.run_pass()
    row = next(r for r in outbox_rows(bot) if r.kind == "reporter_message")
    assert row.status == "failed" and row.attempts == 1
    assert "the address contains an invisible control character (U+000D)" in (row.last_error or "")
    bot.clock.advance(seconds=1)
    bot.run_pass()
    notices = [parse(m) for m in bot.lab.wait_for(OFFICER, 2)]
    failure = next(n for n in notices if "niet worden bezorgd" in n["Subject"])
    assert kenmerk in failure["Subject"]
    assert "nobody@example.org><U+000D><U+000A>RCPT TO:<" in body_text(failure)
    assert len(bot.lab.wait_for(EMPLOYEE, 2, timeout=2)) == 1, "the acknowledgement only"


def test_a_report_from_an_unusable_address_gets_no_acknowledgement(bot: Bot) -> None:
    """A From address with a control character in it (which the mail parser lets through) is
    not answered; the case is opened and the officers are told why there was no acknowledgement."""
    raw = report().replace(f"<{EMPLOYEE}>".encode(), "<medewerker\u0085@example.org>".encode())
    submit(bot.lab, raw)
    (kenmerk,) = bot.run_pass().kenmerken
    assert {r.kind for r in outbox_rows(bot)} == {"officer_new_case"}
    (notice,) = bot.lab.wait_for(OFFICER, 1)
    assert kenmerk in parse(notice)["Subject"]
    assert "medewerker<U+0085>@example.org contains an invisible control character" in body_text(parse(notice))


def test_backoff_grows_and_is_capped() -> None:
    delays = [backoff(n).total_seconds() for n in range(1, 12)]
    assert delays[:4] == [15, 30, 60, 120]
    assert delays == sorted(delays) and max(delays) == BACKOFF_MAX.total_seconds()


def test_one_pass_sends_more_than_one_batch(bot: Bot) -> None:
    """`run --once` sends everything that is due, not only the first batch."""
    from mailbot.pipeline import outbox

    with db.session(bot.svc.engine) as s:
        for i in range(outbox.BATCH + 5):
            outbox.enqueue(
                s,
                kind="reporter_message",
                mailbox="default",
                sender=bot.settings.mailboxes[0].address,
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
    from mailbot.pipeline import outbox

    with db.session(bot.svc.engine) as s:
        for i in range(5):
            outbox.enqueue(
                s, kind="reporter_message", mailbox="default", sender=bot.settings.mailboxes[0].address,
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
