"""The officer's desk by e-mail, end to end on the lab mail server: the register on request
(``Register`` in a reply, or a new mail asking for it), only ever to the officer who asked."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from mailbot.cli.demo import BOT, EMPLOYEE, OFFICER
from mailbot.core.wording import when
from mailbot.pipeline.commands.register import Request, asked, asked_in_subject, describe, read_options
from mailbot.register.entry import COLUMNS
from mailbot.register.export import Selection
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import (
    PO,
    PO_OFFICER,
    REPORTERS,
    Bot,
    body_text,
    make_bot,
    parse,
    report,
    submit,
    two_mailboxes,
)
from tests.test_conversation import mail, officer_reply, open_case, show


def answer_to(bot: Bot, raw: bytes, sender: str = OFFICER) -> EmailMessage:
    before = len(bot.lab.messages(sender))
    submit(bot.lab, raw)
    bot.run_pass()
    return parse(bot.lab.wait_for(sender, before + 1)[-1])


def attachments(msg: EmailMessage) -> dict[str, bytes]:
    out = {}
    for part in msg.iter_attachments():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        out[str(part.get_filename())] = payload
    return out


def test_register_by_reply_goes_to_that_officer_only(bot: Bot) -> None:
    """``Register: <year>`` in a reply to the officer's notice: one reply with the register as
    xlsx, the columns of ``mailbot export``, the count and the period in words; no case is
    opened or changed, the reporter gets nothing, the sending is recorded."""
    first, _, notice, _ = open_case(bot)
    second, _, _, _ = open_case(bot, sender=REPORTERS[0])
    bot.lab.wait_queue_empty()
    reporter_mail = len(bot.lab.messages(EMPLOYEE))
    year = first.split("-")[1]
    answer = answer_to(bot, officer_reply(notice, f"Register: {year}"))
    text = body_text(answer)
    assert "2 meldingen, ontvangen in " + year in text
    (name, payload), *more = attachments(answer).items()
    assert not more and name == f"datalekregister-{year}.xlsx"
    sheet = load_workbook(io.BytesIO(payload)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.label("nl") for c in COLUMNS]
    assert sorted(str(r[0]) for r in rows[1:]) == sorted([first, second])
    kind = [c.key for c in COLUMNS].index("breach_type")
    assert {r[kind] for r in rows[1:]} == {"Overig"}, "the kind of breach, in words"
    assert [answer["To"]] == [OFFICER]
    bot.lab.wait_queue_empty()
    assert len(bot.lab.messages(EMPLOYEE)) == reporter_mail, "nothing to the reporter"
    assert bot.cli("list").stdout.count(year) == 2, "no case opened"
    assert show(bot, first)["status"] == "ontvangen", "the case is unchanged"

    # csv, and a year with no cases: the count says so.
    answer = answer_to(bot, officer_reply(answer, "Register: 2019, csv"))
    assert "0 meldingen, ontvangen in 2019" in body_text(answer)
    (name, payload), *_ = attachments(answer).items()
    assert name == "datalekregister-2019.csv"
    assert payload.decode("utf-8-sig").splitlines()[0].startswith("Kenmerk;")


def test_register_is_not_sent_to_anyone_else(bot: Bot) -> None:
    """A reporter replying ``Register`` to the acknowledgement gets no register; neither does a
    mail that claims an officer's address without answering a mail the bot sent them."""
    _, ack, _, _ = open_case(bot)
    bot.lab.wait_queue_empty()
    before = len(bot.lab.messages(EMPLOYEE))
    submit(bot.lab, officer_reply(ack, "Register: open", sender=EMPLOYEE))
    bot.run_pass()
    bot.lab.wait_queue_empty()
    assert not any(attachments(parse(m)) for m in bot.lab.messages(EMPLOYEE)[before:])
    assert not any(attachments(parse(m)) for m in bot.lab.messages(OFFICER))

    # From the officer's address, but in reply to the reporter's acknowledgement.
    answer = answer_to(bot, officer_reply(ack, "Register"))
    assert not attachments(answer)
    assert "Beantwoord daarom een e-mail die de bot u stuurde" in body_text(answer)


def test_a_new_mail_asking_for_the_register_opens_no_case(bot: Bot) -> None:
    """ "Datalekregister 2026 opvragen" from an officer is answered, not taken for a breach
    report: without a trusted DKIM/DMARC verdict the answer says to reply to a mail from the bot."""
    answer = answer_to(bot, mail(OFFICER, "Datalekregister 2026 opvragen", "Graag het register van dit jaar."))
    assert not attachments(answer)
    assert 'met bovenaan alleen het woord "Register"' in body_text(answer)
    assert "DL-" not in bot.cli("list").stdout, "no case opened"


def test_a_new_mail_vouched_for_by_the_trusted_server_gets_the_register(clean_lab: LabMailServer) -> None:
    """Where MAILBOT_TRUSTED_AUTHSERV_ID is set and that server passed DKIM for the officer's
    domain, a new mail "Register" is answered with the register; with DKIM failed, it is not."""
    bot = make_bot(clean_lab, MAILBOT_TRUSTED_AUTHSERV_ID="mx.example.org")
    try:
        kenmerk, _, _, _ = open_case(bot)
        bot.lab.wait_queue_empty()
        failed = mail(OFFICER, "Register", "", Authentication_Results="mx.example.org; dkim=fail; dmarc=fail")
        answer = answer_to(bot, failed)
        assert not attachments(answer) and 'alleen het woord "Register"' in body_text(answer)
        passed = mail(OFFICER, "Register", "", Authentication_Results="mx.example.org; dkim=pass header.d=example.org")
        answer = answer_to(bot, passed)
        ((name, payload),) = attachments(answer).items()
        assert name == "datalekregister.xlsx" and "1 melding, alle meldingen" in body_text(answer)
        sheet = load_workbook(io.BytesIO(payload)).active
        assert sheet is not None and sheet["A2"].value == kenmerk
    finally:
        bot.worker.close()


def test_each_mailbox_officer_gets_that_mailbox_register(clean_lab: LabMailServer) -> None:
    """With two mailboxes, P&O's officer asking for the register gets P&O's cases, not the
    other mailbox's."""
    bot = make_bot(clean_lab, **two_mailboxes(clean_lab))
    try:
        main_case, _, _, _ = open_case(bot)
        clean_lab.send(report().replace(f"To: {BOT}".encode(), f"To: {PO}".encode()), EMPLOYEE, [PO])
        clean_lab.wait_for(PO, 1)
        (po_case,) = bot.run_pass().kenmerken
        notice = parse(clean_lab.wait_for(PO_OFFICER, 1)[-1])
        clean_lab.send(officer_reply(notice, "Register", sender=PO_OFFICER), PO_OFFICER, [PO])
        clean_lab.wait_for(PO, 2)
        bot.run_pass()
        answer = parse(clean_lab.wait_for(PO_OFFICER, 2)[-1])
        ((_, payload),) = attachments(answer).items()
        sheet = load_workbook(io.BytesIO(payload)).active
        assert sheet is not None
        assert [str(r[0]) for r in sheet.iter_rows(min_row=2, values_only=True)] == [po_case]
        assert main_case != po_case and "1 melding" in body_text(answer)
    finally:
        bot.worker.close()


def test_the_overview_by_reply(bot: Bot) -> None:
    """``Overzicht`` in a reply to the officer's notice: the figures in text and three charts,
    inline and attached as PNG, counted from cases opened by mail; one of them notified to the
    AP and given its kind (``Type:``) through the officer's commands."""
    first, _, notice, _ = open_case(bot, body="Een e-mail met de cijferlijst ging naar de verkeerde ontvanger.")
    _, _, laptop, _ = open_case(bot, sender=REPORTERS[0], body="Mijn laptop is gisteren in de trein gestolen.")
    assert "Soort datalek: Apparaat of papier verloren of gestolen (voorstel" in body_text(laptop)
    # The laptop's owner noticed it 80 hours ago: its AP deadline has passed without a decision.
    aware = (datetime.now(ZoneInfo("Europe/Amsterdam")) - timedelta(hours=80)).strftime("%d-%m-%Y %H:%M")
    answer_to(bot, officer_reply(laptop, f"Ontdekt op: {aware}"))
    reported = datetime.now(ZoneInfo("Europe/Amsterdam")).strftime("%d-%m-%Y %H:%M")
    answer_to(
        bot, officer_reply(notice, f"Melden AP: ja\nAP-meldnummer: M-123456\nGemeld op: {reported}\nType: phishing")
    )
    assert show(bot, first)["ap_notified_at"]
    answer = answer_to(bot, officer_reply(notice, "Overzicht"))
    text = body_text(answer)
    assert "Overzicht van 2 meldingen, ontvangen van " in text
    # The officer's Type: replaces what the words suggested; the other case keeps its suggestion.
    assert "Hacking, malware of phishing: 1" in text and "E-mail aan verkeerde ontvanger" not in text
    assert "Apparaat of papier verloren of gestolen: 1" in text
    assert "binnen 72 uur: 1" in text and "100% van de meldingen bij de AP binnen 72 uur" in text
    assert "Mediane tijd van melding tot besluit: minder dan een uur" in text
    # Both cases are still open; one is past its deadline.
    today = when(datetime.now(UTC), ZoneInfo("Europe/Amsterdam"), time=False)
    assert f"Nu open, op {today}: 2" in text
    assert "korter dan een week: 2 (waarvan 1 over de termijn van de AP)" in text
    assert "Termijn van 72 uur verstreken zonder besluit over melden bij de AP: 1" in text
    images = [p for p in answer.iter_attachments() if p.get_content_type() == "image/png"]
    names = ["meldingen-per-maand.png", "ernst-en-72-uur.png", "open-meldingen.png"]
    assert [p.get_filename() for p in images] == names
    assert [p.get_content_disposition() for p in images] == ["inline", "inline", "inline"]
    for part in images:
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes) and payload.startswith(b"\x89PNG")
    assert not [p for p in answer.iter_attachments() if p not in images], "no register with the overview"


def test_the_options() -> None:
    assert asked("Register") == ("register", "") and asked("Hoi,\n\nregister: 2026, csv") == ("register", "2026, csv")
    assert asked("Overzicht") == ("overview", "") and asked("Overview: 2025") == ("overview", "2025")
    assert asked("Register: 2026\nStatus: melden") is None and asked("Notitie: register") is None
    assert asked_in_subject("Datalekregister 2026 opvragen") == ("register", "2026")
    assert asked_in_subject("Overzicht") == ("overview", "")
    assert asked_in_subject("Register") == ("register", "") and asked_in_subject("Het register is kwijt") is None
    request = read_options("2026-01-01 tot 2026-06-30, open")
    assert isinstance(request, Request)
    assert describe(request, "nl") == "ontvangen van 1 januari 2026 tot en met 30 juni 2026, nog open"
    assert read_options("csv") == Request(Selection(), "csv")
    assert read_options("2026, pdf") == "pdf"
    assert read_options("2026-06-30 tot 2026-01-01") == "2026-06-30 tot 2026-01-01"
