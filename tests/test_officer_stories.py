"""The officer's conversation as officers work it, end to end on the lab mail server: what
reaches the reporter, which case a command changes, that every officer mail is answered, where
a ``Reden:`` belongs, that the report is never overwritten, and that closing is checked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mailbot.cli.demo import BOT, EMPLOYEE, OFFICER
from mailbot.core.wording import MONTHS
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import REPORTERS, SECOND_OFFICER, Bot, body_text, make_bot, parse, submit
from tests.test_conversation import mail, officer_reply, open_case, show
from tests.test_wording import leaks


@pytest.fixture(autouse=True)
def every_mail_in_plain_words(clean_lab: LabMailServer) -> Iterator[None]:
    """After each story, every mail the bot sent (receipts, notices, the reporter's mail) is
    scanned for field keys, Python values and ISO timestamps (tests/test_wording.py)."""
    yield
    clean_lab.wait_queue_empty()
    people = [u for u in clean_lab.users if u != BOT and u not in REPORTERS] + REPORTERS[:10]
    found = []
    for user in people:
        for raw in clean_lab.messages(user):
            msg = parse(raw)
            part = msg.get_body(preferencelist=("plain",))
            text = f"{msg['Subject']}\n{part.get_content() if part is not None else ''}"
            found += [f"{user}, {msg['Subject']}: {leak}" for leak in leaks(text)]
    assert found == []


def command(bot: Bot, reply_to: Any, text: str) -> str:
    """An officer's reply to ``reply_to``; returns the text of the answer the officer got."""
    before = len(bot.lab.messages(OFFICER))
    submit(bot.lab, officer_reply(reply_to, text))
    bot.run_pass()
    return body_text(parse(bot.lab.wait_for(OFFICER, before + 1)[-1])).replace("\r\n", "\n")


def reporter_texts(bot: Bot, reporter: str = EMPLOYEE) -> list[str]:
    return [f"{parse(m)['Subject']}\n{body_text(parse(m))}".replace("\r\n", "\n") for m in bot.lab.messages(reporter)]


def test_only_the_message_reaches_the_reporter(bot: Bot) -> None:
    """A line after ``Bericht aan melder:`` that looks like another command (a mistyped
    ``Notitite:``, an ``Intern:``) ends the message: it is refused and explained, never mailed;
    the receipt quotes exactly what was sent."""
    kenmerk, _, notice, _ = open_case(bot)
    receipt = command(
        bot,
        notice,
        "Bericht aan melder: De laptop is op afstand gewist.\nU hoeft verder niets te doen.\n"
        "Intern: Dave heeft al eerder een functioneringsgesprek gehad over zorgvuldigheid\n"
        "en dat speelt nog steeds\n"
        "Notitite: aannemer reageerde geïrriteerd",
    )
    bot.lab.wait_queue_empty()
    (sent,) = [t for t in reporter_texts(bot) if "Bericht over uw melding" in t]
    assert "De laptop is op afstand gewist.\nU hoeft verder niets te doen." in sent
    for secret in ("Dave", "functioneringsgesprek", "speelt nog", "aannemer", "Intern", "Notitite"):
        assert secret not in sent
    assert "✘ geweigerd   Intern:" in receipt and "✘ geweigerd   Notitite:" in receipt
    assert "'Notitie:'" in receipt, "the likely command is named"
    assert "    > De laptop is op afstand gewist.\n    > U hoeft verder niets te doen." in receipt
    events = show(bot, kenmerk)["events"]
    (told,) = [e for e in events if e["kind"] == "message_to_reporter"]
    assert told["detail"]["text"] == "De laptop is op afstand gewist.\nU hoeft verder niets te doen."


def test_digest_reply_commands_go_to_the_case_they_name(clean_lab: LabMailServer) -> None:
    """One reply to the digest, opened with "Hoi,", with commands for two cases under their
    kenmerk: each case gets its own; a heading naming two cases is refused, applied to neither."""
    bot = make_bot(clean_lab, MAILBOT_DIGEST_TIME="00:00")
    other = REPORTERS[0]
    try:
        first, _, _, _ = open_case(bot)
        second, _, _, _ = open_case(bot, sender=other)
        bot.lab.wait_queue_empty()
        digest = next(parse(m) for m in bot.lab.messages(OFFICER) if "Overzicht" in parse(m)["Subject"])
        receipt = command(
            bot,
            digest,
            f"Hoi,\n\n{first}\nStatus: herstellen\n\n{second}:\nStatus: kwalificeren\n"
            f"Notitie: gebeld met de melder\n\n{first} en {second}\nStatus: melden",
        )
        one, two = show(bot, first), show(bot, second)
        assert (one["status"], two["status"]) == ("herstellen", "kwalificeren")
        assert [e["detail"]["text"] for e in two["events"] if e["kind"] == "note"] == ["gebeld met de melder"]
        assert not [e for e in one["events"] if e["kind"] == "note"]
        assert first in receipt and second in receipt
        assert "noemt meer dan één melding" in receipt
        bot.lab.wait_queue_empty()
        assert not any("beoordelen nu hoe ernstig" in t for t in reporter_texts(bot)), "kwalificeren is not mine"
        assert any("beoordelen nu hoe ernstig" in t for t in reporter_texts(bot, other))
    finally:
        bot.worker.close()


def test_every_officer_mail_is_answered(clean_lab: LabMailServer) -> None:
    """A new mail "help", a remark on a case without commands, a digest reply naming no case:
    each gets an answer saying what was done or why nothing was."""
    bot = make_bot(clean_lab, MAILBOT_DIGEST_TIME="00:00")
    try:
        kenmerk, _, _, _ = open_case(bot)
        bot.lab.wait_queue_empty()
        notice = next(parse(m) for m in bot.lab.messages(OFFICER) if kenmerk in parse(m)["Subject"])
        before = len(bot.lab.messages(OFFICER))
        submit(bot.lab, mail(OFFICER, "help", "Hoe werkte het ook alweer?"), sender=OFFICER)
        bot.run_pass()
        answer = next(parse(m) for m in bot.lab.wait_for(OFFICER, before + 1) if "help" in parse(m)["Subject"])
        assert "Bericht aan melder:" in body_text(answer) and "Status:" in body_text(answer)

        remark = command(bot, notice, "Dank, ik bel de melder morgen.\n\nPiet")
        assert "geen opdrachten" in remark and "bewaard" in remark
        assert [e["kind"] for e in show(bot, kenmerk)["events"]][-1] == "officer_comment"

        digest = next(parse(m) for m in bot.lab.messages(OFFICER) if "Overzicht" in parse(m)["Subject"])
        unnamed = command(bot, digest, "Hoi,\n\nStatus: herstellen")
        assert "kenmerk" in unnamed and show(bot, kenmerk)["status"] == "ontvangen"
    finally:
        bot.worker.close()


def test_each_reason_belongs_to_the_decision_above_it(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    receipt = command(
        bot,
        notice,
        "Melden AP: nee\nReden: gegevens waren versleuteld\n"
        "Betrokkenen informeren: nee\nReden: geen risico voor betrokkenen",
    )
    case = show(bot, kenmerk)
    assert case["ap_decision_reason"] == "gegevens waren versleuteld"
    assert case["subjects_decision_reason"] == "geen risico voor betrokkenen"
    assert "✘" not in receipt

    kenmerk, _, notice, _ = open_case(bot, sender=REPORTERS[1])
    receipt = command(bot, notice, "Reden: zomaar\nMelden AP: nee\nBetrokkenen informeren: nee")
    case = show(bot, kenmerk)
    # Both decisions are recorded, without a reason: the one above them is put under neither.
    assert (case["ap_decision"], case["subjects_decision"]) == ("nee", "nee")
    assert not case["ap_decision_reason"] and not case["subjects_decision_reason"]
    assert "✘ geweigerd   Reden:" in receipt and "staat niet onder" in receipt
    assert receipt.count("de reden ontbreekt") == 2, receipt


def test_a_short_answer_adds_to_the_report(bot: Bot) -> None:
    report = "Ik ben vanochtend een USB-stick met kopieën van paspoorten en BSN's kwijtgeraakt in de trein."
    kenmerk, ack, _, _ = open_case(bot, body=report)
    submit(
        bot.lab,
        mail(EMPLOYEE, f"Re: {ack['Subject']}", "1. Zie mijn eerdere mail: de stick was niet versleuteld.",
             ack["Message-ID"]),
    )  # fmt: skip
    bot.run_pass()
    case = show(bot, kenmerk)
    description = case["answers"]["description"]
    assert report in description and "de stick was niet versleuteld" in description
    assert case["description"].strip() == report


def test_closing_is_checked_and_a_closed_case_reopens_explicitly(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    receipt = command(bot, notice, "Melden AP: ja\nMelding: voorlopig\nStatus: gearchiveerd")
    assert show(bot, kenmerk)["status"] != "gearchiveerd"
    assert "nog open" in receipt and "voorlopig" in receipt and "Status: gearchiveerd, toch" in receipt

    receipt = command(bot, notice, "Status: gearchiveerd, toch")
    case = show(bot, kenmerk)
    assert case["status"] == "gearchiveerd"
    bot.lab.wait_queue_empty()
    told = len(bot.lab.messages(EMPLOYEE))

    receipt = command(bot, notice, "Aantal betrokkenen: 40\nBericht aan melder: nog een vraag")
    case = show(bot, kenmerk)
    assert case["status"] == "gearchiveerd" and "affected_count" not in case["answers"]
    assert receipt.count("✘ geweigerd") == 2 and "gesloten" in receipt

    receipt = command(bot, notice, "Status: herstellen")
    assert show(bot, kenmerk)["status"] == "herstellen" and "heropend" in receipt
    bot.lab.wait_queue_empty()
    assert len(bot.lab.messages(EMPLOYEE)) == told, "the reporter hears nothing of a closed case's changes"


def test_a_receipt_answers_every_line_in_plain_words(bot: Bot) -> None:
    """Every line of a command mail gets its own line in the receipt, in any order
    (``Besluit door:`` above ``Besluit:``), with no field key or Python value; the subject keeps
    one kenmerk and one prefix however often the officer replies to the receipt."""
    kenmerk, _, notice, _ = open_case(bot)
    receipt = command(
        bot,
        notice,
        "Besluit door: directeur-bestuurder\nBesluit: niet melden, risico is klein\n"
        "Aantal betrokkenen: 7500 tot 8200\nWanneer: 1-12-2026 17:30\nKanaal: brief\n"
        "Status: kwalificeren\nAdvies FG: niet melden\nMelden AP: ja\nMelding: voorlopig\nAP-meldnummer: M-123456\n"
        "Betrokkenen informeren: ja\nNotitie: gebeld met ICT\nOntdekt op: 2-12-2026 09:30\nReden vertraging: ziek\n"
        "Gemeld op: 2-12-2026 10:00",
    )
    lines = [line for line in receipt.splitlines() if line.startswith(("✔", "✘"))]
    words = ["Besluit door", "Besluit", "Aantal betrokkenen", "Wanneer", "Kanaal", "Status", "Advies FG", "Melden AP",
             "Melding", "AP-meldnummer", "Betrokkenen informeren", "Notitie", "Ontdekt op",
             "Reden vertraging", "Gemeld op"]  # fmt: skip
    assert [line.split(":")[0].split("  ")[-1].strip() for line in lines] == words
    assert all(line.startswith("✔") for line in lines), receipt
    said = [line.split("  ", 1)[1].strip().partition(": ") for line in lines]
    assert [word for word, _, text in said if text.lower().startswith(word.lower())] == [], "each word said once"
    assert "7.500 – 8.200" in receipt and "1 december 2026, 17:30" in receipt
    assert leaks(receipt) == []
    case = show(bot, kenmerk)
    assert case["board_decision"]["by"] == "directeur-bestuurder" and case["subjects_channel"] == "brief"

    reply_to = parse(bot.lab.wait_for(OFFICER, 2)[-1])
    first = str(reply_to["Subject"])
    for n in range(2):
        submit(bot.lab, officer_reply(reply_to, "Notitie: gebeld"))
        bot.run_pass()
        reply_to = parse(bot.lab.wait_for(OFFICER, 3 + n)[-1])
    assert reply_to["Subject"] == first
    assert first.count(kenmerk) == 1 and first.count("Verwerkt") == 1


def test_an_assessment_receipt_names_the_field_once(bot: Bot) -> None:
    """The receipt of an assessment line gives the field and the value recorded, without
    repeating the officer's own word (``Maatregelen: Maatregelen: …``)."""
    _, _, notice, _ = open_case(bot)
    receipt = command(
        bot, notice, "Categorieën: namen, IBAN\nVerwijdering bevestigd: ja\nMaatregelen: adres gecorrigeerd"
    )
    lines = [line for line in receipt.splitlines() if line.startswith(("✔", "✘"))]
    assert lines == [
        "✔ uitgevoerd  Categorieën: namen, IBAN",
        "✔ uitgevoerd  Verwijdering bevestigd: ja",
        "✔ uitgevoerd  Maatregelen: adres gecorrigeerd",
    ], receipt


def test_people_informed_on_a_day_records_that_day(bot: Bot) -> None:
    """``Betrokkenen geïnformeerd op:`` with a date and no time records that date (the letters
    went out two days ago), not the moment the command was read; a day still to come is refused."""
    kenmerk, _, notice, _ = open_case(bot)
    ams = ZoneInfo("Europe/Amsterdam")
    day = (bot.clock().astimezone(ams) - timedelta(days=2)).date()
    receipt = command(bot, notice, f"Betrokkenen geïnformeerd op: {day:%d-%m-%Y}")
    written = f"{day.day} {MONTHS['nl'][day.month - 1]} {day.year}"
    assert f"✔ uitgevoerd  Betrokkenen geïnformeerd op: betrokkenen geïnformeerd op {written}\n" in receipt, receipt
    informed = datetime.fromisoformat(show(bot, kenmerk)["subjects_informed_at"]).astimezone(ams)
    assert informed.date() == day
    later = (bot.clock().astimezone(ams) + timedelta(days=2)).date()
    receipt = command(bot, notice, f"Betrokkenen geïnformeerd op: {later:%d-%m-%Y}")
    assert "✘ geweigerd   Betrokkenen geïnformeerd op:" in receipt, receipt


def test_a_receipt_names_the_ap_deadline_only_while_it_runs(bot: Bot) -> None:
    """The receipt's status line gives the AP deadline while the decision is open, and the
    decision once taken: the 72-hour clock has stopped, so no deadline is named any more."""
    _, _, notice, _ = open_case(bot)
    receipt = command(bot, notice, "Notitie: gebeld met de afdeling")
    assert "; deadline AP " in receipt, receipt
    receipt = command(bot, notice, "Melden AP: nee\nReden: de ontvanger heeft de brief teruggegeven")
    assert "; besluit melden AP: nee." in receipt and "deadline AP" not in receipt, receipt


def test_the_other_officers_hear_of_a_decision(bot: Bot) -> None:
    """One officer records decisions; every other officer of the mailbox (the FG among them)
    is told briefly, and can answer that mail with commands. A note tells nobody."""
    kenmerk, _, notice, _ = open_case(bot)
    command(bot, notice, "Notitie: gebeld met ICT")
    assert len(bot.lab.messages(SECOND_OFFICER)) == 1, "the new-case notice only"
    command(bot, notice, "Melden AP: nee\nReden: de stick was versleuteld\nAdvies FG: niet melden")
    told = parse(bot.lab.wait_for(SECOND_OFFICER, 2)[-1])
    assert told["Subject"] == f"[{kenmerk}] Besluit vastgelegd door {OFFICER}"
    text = body_text(told)
    assert "- Melden AP: nee; de 72-uursklok" in text and "Notitie" not in text
    assert "- Advies FG: niet melden\r\n" in text, "the other officers read what was advised"
    assert len([m for m in bot.lab.messages(OFFICER) if "Besluit vastgelegd" in parse(m)["Subject"]]) == 0

    before = len(bot.lab.messages(SECOND_OFFICER))
    submit(bot.lab, officer_reply(told, "Besluit: niet melden", sender=SECOND_OFFICER), sender=SECOND_OFFICER)
    bot.run_pass()
    assert "✔ uitgevoerd" in body_text(parse(bot.lab.wait_for(SECOND_OFFICER, before + 1)[-1]))
    assert show(bot, kenmerk)["board_decision"]["by"] == SECOND_OFFICER


def test_the_other_officers_hear_what_was_decided_not_what_the_deciding_officer_must_do(bot: Bot) -> None:
    """A decision without its reason: the officer who sent it is asked for the reason; the other
    officers read the decision, not that request (two officers would answer it)."""
    _, _, notice, _ = open_case(bot)
    receipt = command(bot, notice, "Melden AP: nee\nBetrokkenen informeren: nee")
    assert receipt.count("stuur het besluit opnieuw met daaronder 'Reden: …'") == 2, receipt
    told = body_text(parse(bot.lab.wait_for(SECOND_OFFICER, 2)[-1]))
    assert "- Melden AP: nee; de 72-uursklok is gestopt" in told and "- Betrokkenen informeren: nee" in told, told
    assert "Reden" not in told and "opnieuw" not in told, told


def test_a_reply_carrying_the_receipt_without_quote_marks_runs_only_the_officers_lines(bot: Bot) -> None:
    """Outlook in German quotes with a "Von:/Gesendet:" header the reader does not know and no
    ``>``: the receipt below the officer's line, help list and all, is read as text, and only
    the officer's own line runs."""
    kenmerk, _, notice, _ = open_case(bot)
    receipt = command(bot, notice, "Notitite: gebeld")
    assert "Status: kwalificeren" in receipt, "the receipt carries the help list"
    answered = parse(bot.lab.wait_for(OFFICER, 2)[-1])
    outlook = (
        "Notitie: melder teruggebeld\n\n"
        f"Von: Meldpunt datalekken <{BOT}>\nGesendet: Mittwoch, 2. Dezember 2026 14:05\n"
        f"An: {OFFICER}\nBetreff: {answered['Subject']}\n\n{body_text(answered)}"
    )
    before = len(bot.lab.messages(OFFICER))
    submit(bot.lab, mail(OFFICER, f"AW: {answered['Subject']}", outlook, answered["Message-ID"]))
    bot.run_pass()
    second = body_text(parse(bot.lab.wait_for(OFFICER, before + 1)[-1]))
    assert second.count("✔ uitgevoerd") == 1 and "✘" not in second, second
    case = show(bot, kenmerk)
    assert case["status"] == "ontvangen" and not case.get("technician")
    assert [e["detail"]["text"] for e in case["events"] if e["kind"] == "note"] == ["melder teruggebeld"]
