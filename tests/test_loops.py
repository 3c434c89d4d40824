"""Mail loops against a real Dovecot and Postfix: an auto-responder that answers everything, a
sender flooding the mailbox, a bounce storm. The bot sends a bounded number of mails and tells
the officers once."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlmodel import select

from mailbot.cli.demo import BOT, OFFICER
from mailbot.model import db
from mailbot.model.models import Case, InboundMessage
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import REPORTERS, SECOND_OFFICER, Bot, body_text, close_bot, make_bot, parse, report
from tests.test_conversation import mail, officer_reply, show


def _append(bot: Bot, raw: bytes) -> None:
    with bot.lab.imap(BOT) as c:
        c.append("INBOX", raw)


def _loop_notices(bot: Bot, officer: str) -> list[str]:
    subjects = [str(parse(m)["Subject"]) for m in bot.lab.messages(officer)]
    return [s for s in subjects if s.startswith("Mogelijke maillus")]


def test_auto_responder_that_answers_everything(bot: Bot) -> None:
    """The worst kind: every mail the bot sends it is answered with a fresh report (no thread
    headers, the report keyword in the subject). The bot sends it at most
    MAILBOT_MAX_REPLIES_PER_HOUR (10) mails; the 11th report goes unanswered, which ends the
    loop, and the officers' notice of it says why, once."""
    responder = REPORTERS[0]
    answered = 0
    _append(bot, report(sender=responder))
    for _ in range(25):
        bot.run_pass()
        time.sleep(0.3)
        received = bot.lab.messages(responder)
        for _ in received[answered:]:
            _append(bot, report(sender=responder, subject="beveiligingsincident (automatisch antwoord)"))
        if len(received) == answered:
            break
        answered = len(received)
    assert bot.run_pass().stored == 0
    time.sleep(0.5)
    to_responder = bot.lab.messages(responder)
    assert len(to_responder) == 10, "the bound is MAILBOT_MAX_REPLIES_PER_HOUR"
    with db.session(bot.svc.engine) as s:
        messages = list(s.exec(select(InboundMessage).order_by(InboundMessage.id)))  # type: ignore[arg-type]
        cases = list(s.exec(select(Case)))
    assert len(messages) == 11 and len(cases) == 11
    for officer in (OFFICER, SECOND_OFFICER):
        notices = [body_text(parse(m)) for m in bot.lab.wait_for(officer, 11)]
        assert len(notices) == 11
        assert sum("MAILBOT_MAX_REPLIES_PER_HOUR" in n for n in notices) == 1


def test_flooding_sender_is_stored_not_answered_and_told_once(clean_lab: LabMailServer) -> None:
    """With the reply limit set high, MAILBOT_LOOP_LIMIT (20 messages within an hour) still stops
    the replies and the notices; the reports still open cases (they may be someone's own)."""
    bot = make_bot(clean_lab, MAILBOT_MAX_REPLIES_PER_HOUR="50")
    try:
        _flood(bot)
    finally:
        close_bot(bot)


def _flood(bot: Bot) -> None:
    flooder = REPORTERS[1]
    for i in range(30):
        _append(bot, report(sender=flooder, subject=f"beveiligingsincident {i}"))
    result = bot.run_pass()
    assert result.stored == 30
    with db.session(bot.svc.engine) as s:
        rules = [m.rule for m in s.exec(select(InboundMessage).order_by(InboundMessage.id))]  # type: ignore[arg-type]
    assert rules == ["report-keyword"] * 30, "a flood in an address's name opens its reports all the same"
    with db.session(bot.svc.engine) as s:
        assert len(list(s.exec(select(Case)))) == 30
    time.sleep(0.5)
    assert len(bot.lab.wait_for(flooder, 19, timeout=10)) == 19, "from the 20th on, no acknowledgement"
    assert len(_loop_notices(bot, OFFICER)) == 1
    assert len(bot.lab.messages(OFFICER)) == 20, "19 new-case notices, then the one loop notice"
    notice = next(parse(m) for m in bot.lab.messages(OFFICER) if parse(m)["Subject"].startswith("Mogelijke maillus"))
    assert "MAILBOT_LOOP_LIMIT" in body_text(notice)


def test_a_flood_in_an_employees_name_does_not_silence_their_own_report(bot: Bot) -> None:
    """Nineteen mails forged "from" an employee within the hour, then the employee's own report:
    it opens a case (stored, the officers told once), however loud the forgeries were."""
    employee = REPORTERS[2]
    for i in range(19):
        _append(bot, report(sender=employee, subject=f"beveiligingsincident {i}", body="Vervalst."))
    assert len(bot.run_pass().kenmerken) == 19
    _append(bot, report(sender=employee, subject="datalek: laptop kwijt", body="Mijn laptop is gestolen."))
    result = bot.run_pass()
    assert result.dispositions == {"case": 1} and len(result.kenmerken) == 1
    with db.session(bot.svc.engine) as s:
        case = s.exec(select(Case).where(Case.kenmerk == result.kenmerken[0])).one()
        assert case.description.strip() == "Mijn laptop is gestolen."
        assert case.reporter_address == employee
    time.sleep(0.5)
    assert len(_loop_notices(bot, OFFICER)) == 1


def test_a_flood_in_an_officers_name_does_not_stop_their_authorised_command(bot: Bot) -> None:
    """Nineteen command mails forged "from" an officer (refused: they answer no mail the bot sent
    that officer), then the officer's own reply to the new-case notice: applied and answered."""
    _append(bot, report())
    (kenmerk,) = bot.run_pass().kenmerken
    notice = parse(bot.lab.wait_for(OFFICER, 1)[-1])
    for _ in range(19):
        _append(bot, mail(OFFICER, f"Re: [{kenmerk}]", "Status: geen datalek\nReden: vervalst"))
    assert bot.run_pass().dispositions == {"reply": 19}
    assert show(bot, kenmerk)["status"] == "ontvangen"
    before = len(bot.lab.wait_for(OFFICER, 20))
    _append(bot, officer_reply(notice, "Status: kwalificeren"))
    assert bot.run_pass().dispositions == {"reply": 1}
    assert show(bot, kenmerk)["status"] == "kwalificeren"
    answer = parse(bot.lab.wait_for(OFFICER, before + 1)[-1])
    assert answer["Subject"].startswith(f"[{kenmerk}] Verwerkt")
    assert "✔ uitgevoerd" in body_text(answer)


def _bounce(n: int) -> bytes:
    msg = EmailMessage()
    msg["Return-Path"] = "<>"
    msg["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.net>"
    msg["To"] = BOT
    msg["Subject"] = f"Undelivered Mail Returned to Sender ({n})"
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain="mx.example.net")
    msg.set_content("This is the mail system at host mx.example.net. beveiligingsincident")
    return msg.as_bytes()


def test_bounce_storm_is_never_answered_and_told_once(bot: Bot) -> None:
    for i in range(40):
        _append(bot, _bounce(i))
    result = bot.run_pass()
    assert result.dispositions == {"ignored": 40}
    assert result.sent == 2, "one notice to each of the two officers, nothing else"
    time.sleep(0.5)
    (notice,) = _loop_notices(bot, OFFICER)
    assert "(bounces)" in notice
    for i in range(40, 60):
        _append(bot, _bounce(i))
    assert bot.run_pass().sent == 0
