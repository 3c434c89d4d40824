"""Whom the bot acknowledges unasked, against a real Dovecot and Postfix: a report from an
address outside the organisation opens a case, but the bot does not mail that address from
the organisation's own until the mail server vouched for it or an officer confirms it."""

from __future__ import annotations

import time

from mailbot.cli.demo import OFFICER
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import REPORTERS, Bot, body_text, close_bot, make_bot, parse, report, submit
from tests.test_conversation import officer_reply, show

OUTSIDE = REPORTERS[10]  # example.org: outside once the reporters' domain is another one
ELSEWHERE = {"MAILBOT_REPORTER_DOMAINS": "intern.example.org"}
VOUCHED = "mx.example.org; dkim=pass header.d=example.org; dmarc=pass header.from=example.org"


def _report_in(bot: Bot, sender: str, **headers: str) -> str:
    submit(bot.lab, report(sender=sender, **headers), sender=sender)
    (kenmerk,) = bot.run_pass().kenmerken
    return str(kenmerk)


def test_an_outside_report_waits_for_an_officer_who_confirms_the_reporter(clean_lab: LabMailServer) -> None:
    bot = make_bot(clean_lab, **ELSEWHERE)
    try:
        kenmerk = _report_in(bot, OUTSIDE, name="Directeur (klik hier: http://example.net)")
        notice = parse(bot.lab.wait_for(OFFICER, 1)[-1])
        text = body_text(notice)
        assert "nog geen ontvangstbevestiging" in text and "vals afzenderadres" in text
        assert "Bevestig melder" in text
        time.sleep(0.5)
        assert bot.lab.messages(OUTSIDE) == [], "the outside address got nothing"
        assert [e["kind"] for e in show(bot, kenmerk)["events"]].count("acknowledgement_held") == 1

        submit(bot.lab, officer_reply(notice, "Bevestig melder"))
        bot.run_pass()
        (ack,) = [parse(m) for m in bot.lab.wait_for(OUTSIDE, 1)]
        assert ack["Subject"].startswith(f"[{kenmerk}] Ontvangstbevestiging")
        result = body_text(parse(bot.lab.wait_for(OFFICER, 2)[-1]))
        assert f"ontvangstbevestiging verstuurd aan {OUTSIDE}" in result

        submit(bot.lab, officer_reply(notice, "Bevestig melder"))
        bot.run_pass()
        assert "er wacht geen ontvangstbevestiging" in body_text(parse(bot.lab.wait_for(OFFICER, 3)[-1]))
        time.sleep(0.5)
        assert len(bot.lab.messages(OUTSIDE)) == 1, "confirmed once, acknowledged once"
    finally:
        close_bot(bot)


def test_a_waiting_acknowledgement_gets_no_reminders_either(clean_lab: LabMailServer) -> None:
    bot = make_bot(clean_lab, **ELSEWHERE)
    try:
        _report_in(bot, OUTSIDE)
        bot.clock.advance(hours=25)
        assert bot.run_pass().reminders == 0
        time.sleep(0.5)
        assert bot.lab.messages(OUTSIDE) == []
    finally:
        close_bot(bot)


def test_reporter_domain_is_acknowledged_straight_away(bot: Bot) -> None:
    """By default the shared address's domain (example.org) is the reporters' own."""
    kenmerk = _report_in(bot, REPORTERS[11])
    (ack,) = [parse(m) for m in bot.lab.wait_for(REPORTERS[11], 1)]
    assert ack["Subject"].startswith(f"[{kenmerk}] Ontvangstbevestiging")
    assert "Bevestig melder" not in body_text(parse(bot.lab.wait_for(OFFICER, 1)[-1]))


def test_processor_domain_is_acknowledged_straight_away(clean_lab: LabMailServer) -> None:
    bot = make_bot(clean_lab, **ELSEWHERE, MAILBOT_PROCESSOR_DOMAINS="example.org")
    try:
        kenmerk = _report_in(bot, OUTSIDE)
        (ack,) = [parse(m) for m in bot.lab.wait_for(OUTSIDE, 1)]
        assert ack["Subject"].startswith(f"[{kenmerk}] Ontvangstbevestiging")
    finally:
        close_bot(bot)


def test_vouched_outside_senders_are_acknowledged_up_to_the_outside_cap(clean_lab: LabMailServer) -> None:
    """The trusted server vouched for each sender: acknowledged straight away, but outside
    addresses together get at most MAILBOT_OUTSIDE_REPLIES_PER_HOUR mails an hour."""
    bot = make_bot(
        clean_lab, **ELSEWHERE, MAILBOT_TRUSTED_AUTHSERV_ID="mx.example.org", MAILBOT_OUTSIDE_REPLIES_PER_HOUR="2"
    )
    try:
        senders = REPORTERS[12:15]
        for sender in senders:
            _report_in(bot, sender, Authentication_Results=VOUCHED)
        bot.lab.wait_for(senders[0], 1)
        bot.lab.wait_for(senders[1], 1)
        time.sleep(0.5)
        assert bot.lab.messages(senders[2]) == [], "the third outside address waits"
        third = body_text(parse(bot.lab.wait_for(OFFICER, 3)[-1]))
        assert "automatische e-mails naar adressen buiten de" in third and "Bevestig melder" in third
    finally:
        close_bot(bot)
