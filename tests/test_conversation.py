"""End to end: replies by reporters and officers against Dovecot and Postfix, read back from the mailboxes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mailbot.cli.demo import BOT, EMPLOYEE, OFFICER
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import REPORTERS, SECOND_OFFICER, Bot, body_text, make_bot, parse, report, submit
from tests.test_answers import reply_raw

AMS = ZoneInfo("Europe/Amsterdam")


def open_case(bot: Bot, **kw: str) -> tuple[str, EmailMessage, EmailMessage, bytes]:
    """A report in; returns the kenmerk, the reporter's acknowledgement, the officer's notice, the report."""
    raw = report(**kw)
    submit(bot.lab, raw)
    kenmerk = bot.run_pass().kenmerken[0]
    ack = parse(bot.lab.wait_for(kw.get("sender", EMPLOYEE), 1)[-1])
    notice = parse(bot.lab.wait_for(OFFICER, 1)[-1])
    return kenmerk, ack, notice, raw


def mail(sender: str, subject: str, body: str, in_reply_to: str | None = None, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = BOT
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain="example.org")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for key, value in headers.items():
        msg[key.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def officer_reply(notice: EmailMessage, body: str, sender: str = OFFICER, **headers: str) -> bytes:
    quoted = "\n".join("> " + line for line in body_text(notice).splitlines())
    text = f"{body}\n\nOp zo 22 nov 2026 om 10:15 schreef Meldpunt datalekken <{BOT}>:\n{quoted}\n"
    return mail(sender, f"RE: {notice['Subject']}", text, notice["Message-ID"], **headers)


def show(bot: Bot, kenmerk: str) -> Any:
    out = bot.cli("show", kenmerk, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def subjects(bot: Bot, user: str, count: int) -> list[str]:
    return [str(parse(m)["Subject"]) for m in bot.lab.wait_for(user, count)]


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        (
            "reply_gmail_nl.eml",
            {
                "affected_count": 38,
                "affected_group": "Huurders van complex De Linde",
                "reporter_contact": "06-12345678",
            },
        ),
        (
            "reply_outlook_nl.eml",
            {"affected_count": {"min": 100, "max": 150}, "occurred_at": "2026-11-20T14:00:00+01:00"},
        ),
        ("reply_apple_inline_nl.eml", {"affected_count": 12, "data_types": "Medische gegevens en BSN van cliënten"}),
    ],
)
def test_reporter_reply_fills_fields(bot: Bot, layout: str, expected: dict[str, object]) -> None:
    kenmerk, ack, _, raw = open_case(bot)
    report_id = parse(raw)["Message-ID"]
    submit(
        bot.lab, reply_raw(layout, kenmerk=kenmerk, ack=ack["Message-ID"], report=report_id, unique=make_msgid()[1:-1])
    )
    result = bot.run_pass()
    assert result.dispositions == {"reply": 1} and result.kenmerken == []
    case = show(bot, kenmerk)
    answers = case["answers"]
    for key, value in expected.items():
        assert answers[key] == value
    assert answers["description"]  # the report itself answers "what happened" until a reply corrects it
    officer_mail = subjects(bot, OFFICER, 2)
    assert f"[{kenmerk}] Antwoord van {EMPLOYEE}" in officer_mail
    reply_msgs = [m for m in case["messages"] if m["direction"] == "in"]
    assert [m["sender_role"] for m in reply_msgs] == ["reporter", "reporter"]


def test_later_answers_correct_earlier_ones_and_free_text_is_kept(bot: Bot) -> None:
    kenmerk, ack, _, _ = open_case(bot)
    submit(
        bot.lab, mail(EMPLOYEE, f"Re: {ack['Subject']}", "3. ongeveer 30\nIk bel morgen nog even.", ack["Message-ID"])
    )
    bot.run_pass()
    # In reply to the acknowledgement: a mail that only names the kenmerk changes nothing
    # (test_forged_answers_change_nothing_until_an_officer_takes_them_over).
    submit(bot.lab, mail(EMPLOYEE, f"Aanvulling {kenmerk}", "Aantal betrokkenen: 34", ack["Message-ID"]))
    bot.run_pass()
    case = show(bot, kenmerk)
    assert case["answers"]["affected_count"] == 34
    changes = [e for e in case["events"] if e["kind"] == "answer_changed"]
    assert [(c["detail"]["old"], c["detail"]["new"]) for c in changes] == [(30, 34)]
    assert [f["text"] for f in case["free_text"]] == ["Ik bel morgen nog even."]


def test_forged_answers_change_nothing_until_an_officer_takes_them_over(bot: Bot) -> None:
    """From: the reporter and the kenmerk in the subject, but answering no mail the bot sent the
    reporter: kept on the case, the answers offered to the officers (old → proposed), taken
    over with "Overnemen"; a reply in the reporter's thread still corrects fields directly."""
    kenmerk, ack, _, _ = open_case(bot)
    submit(bot.lab, mail(EMPLOYEE, f"Re: {ack['Subject']}", "3. ongeveer 30", ack["Message-ID"]))
    bot.run_pass()
    assert show(bot, kenmerk)["answers"]["affected_count"] == 30
    forged = "Aantal betrokkenen: 5000\nOorzaak: een medewerker heeft de kluis opengezet"
    submit(bot.lab, mail(EMPLOYEE, f"Aanvulling {kenmerk}", forged))
    assert bot.run_pass().dispositions == {"reply": 1}
    case = show(bot, kenmerk)
    assert case["answers"]["affected_count"] == 30 and "cause" not in case["answers"]
    (kept,) = [m for m in case["messages"] if m["direction"] == "in" and m["subject"] == f"Aanvulling {kenmerk}"]
    assert kept["sender_role"] == "reporter", "kept on the case"
    (offered,) = [e for e in case["events"] if e["kind"] == "answers_proposed"]
    assert offered["detail"]["answers"]["affected_count"] == 5000
    notice = parse(bot.lab.wait_for(OFFICER, 3)[-1])
    text = body_text(notice)
    assert "Aantal personen: 30 → 5.000" in text and "Oorzaak: (leeg) → een medewerker" in text
    assert "Overnemen" in text
    assert len(bot.lab.messages(EMPLOYEE)) == 1, "the reporter is not written to"

    submit(bot.lab, officer_reply(notice, "Overnemen"))
    bot.run_pass()
    case = show(bot, kenmerk)
    assert case["answers"]["affected_count"] == 5000
    assert case["answers"]["cause"] == "een medewerker heeft de kluis opengezet"
    (taken,) = [e for e in case["events"] if e["kind"] == "answers_accepted"]
    assert (taken["actor"], taken["detail"]["proposed_by"]) == (OFFICER, EMPLOYEE)
    assert "overgenomen" in body_text(parse(bot.lab.wait_for(OFFICER, 4)[-1]))

    submit(bot.lab, mail(EMPLOYEE, f"Re: {ack['Subject']}", "3. 4800", ack["Message-ID"]))
    bot.run_pass()
    assert show(bot, kenmerk)["answers"]["affected_count"] == 4800


def test_officer_commands_move_the_case_and_the_reporter_is_told(any_bot: Bot) -> None:  # on SQLite and PostgreSQL
    bot = any_bot
    kenmerk, ack, notice, _ = open_case(bot)
    aware = (datetime.now(AMS) - timedelta(hours=10)).replace(second=0, microsecond=0)
    submit(
        bot.lab,
        officer_reply(
            notice,
            (
                "Status: kwalificeren\n"
                "Vraag aan melder: Was het bestand versleuteld?\n"
                "Notitie: volgens ICT is de laptop op afstand gewist\n"
                "Aantal betrokkenen: 120\n"
                f"Ontdekt op: {aware:%d-%m-%Y %H:%M}\n"
                "Technicus: ict@example.org\n"
                "\nGroet,\nPiet\nTel: 010-1234567"
            ),
        ),
    )
    result = bot.run_pass()
    assert result.dispositions == {"reply": 1}

    case = show(bot, kenmerk)
    assert (case["status"], case["phase"]) == ("kwalificeren", "kwalificeren")
    assert case["answers"]["affected_count"] == 120
    assert "reporter_contact" not in case["answers"]
    assert case["technician"] == "ict@example.org"
    assert case["aware_at"] == aware.isoformat()
    assert datetime.fromisoformat(str(case["ap_deadline_at"])) == aware + timedelta(hours=72)

    (result_mail,) = [parse(m) for m in bot.lab.wait_for(OFFICER, 2)][1:]
    text = body_text(result_mail)
    assert result_mail["Subject"].startswith(f"[{kenmerk}] Verwerkt: ")
    assert text.count("✔ uitgevoerd") == 6 and "✘" not in text
    assert "deadline AP nu" in text
    assert len(bot.lab.messages(SECOND_OFFICER)) == 1  # the result goes to the officer who commanded

    mails = [parse(m) for m in bot.lab.wait_for(EMPLOYEE, 3)]
    status_mail = next(m for m in mails if "Stand van zaken" in m["Subject"])
    question_mail = next(m for m in mails if "Vraag over uw melding" in m["Subject"])
    assert "beoordelen nu hoe ernstig" in body_text(status_mail)
    assert "Was het bestand versleuteld?" in body_text(question_mail)
    for m in (status_mail, question_mail):
        assert m["Subject"].startswith(f"[{kenmerk}]") and ack["Message-ID"] in m["References"]
        assert "op afstand gewist" not in body_text(m) and "120" not in body_text(m)


def test_unknown_words_and_bad_values_are_answered(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    submit(bot.lab, officer_reply(notice, "Stauts: herstellen\nStatus: klaar\nOntdekt op: morgen\nGroet"))
    bot.run_pass()
    text = body_text(parse(bot.lab.wait_for(OFFICER, 2)[1]))
    assert text.count("✘ geweigerd") == 3
    assert "'Stauts:' is geen bekend commando" in text and "onbekende status 'klaar'" in text
    assert "geen datum met tijd" in text and "Vraag aan melder:" in text  # the help list follows
    assert show(bot, kenmerk)["status"] == "ontvangen"


def test_geen_datalek_needs_a_reason_and_closes(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    submit(bot.lab, officer_reply(notice, "Status: geen datalek"))
    bot.run_pass()
    assert show(bot, kenmerk)["status"] == "ontvangen"
    result = parse(bot.lab.wait_for(OFFICER, 2)[1])
    assert "vraagt een reden" in body_text(result)
    submit(bot.lab, officer_reply(result, "Status: geen datalek\nReden: de brief kwam ongeopend retour"))
    bot.run_pass()
    case = show(bot, kenmerk)
    assert (case["status"], case["phase"], case["close_reason"]) == (
        "geen datalek",
        "archiveren",
        "de brief kwam ongeopend retour",
    )
    closing = next(parse(m) for m in bot.lab.wait_for(EMPLOYEE, 2) if "afgesloten" in parse(m)["Subject"])
    assert "geen datalek" in body_text(closing) and "retour" not in body_text(closing)


def test_forged_officer_command_changes_nothing(bot: Bot) -> None:
    """From: the officer, but answering the reporter's acknowledgement (whose Message-ID the reporter
    knows), or only naming the kenmerk: refused, and the officers are told."""
    kenmerk, ack, _, _ = open_case(bot)
    submit(bot.lab, mail(OFFICER, f"Re: {ack['Subject']}", "Status: gearchiveerd", ack["Message-ID"]))
    submit(bot.lab, mail(OFFICER, f"{kenmerk}", "Status: geen datalek\nReden: zomaar"))
    result = bot.run_pass()
    assert result.dispositions == {"reply": 2}
    case = show(bot, kenmerk)
    assert case["status"] == "ontvangen"
    refused = [e for e in case["events"] if e["kind"] == "message_refused"]
    assert len(refused) == 2
    warnings = [s for s in subjects(bot, OFFICER, 3) if "Niet verwerkt" in s]
    assert len(warnings) == 2
    assert len(bot.lab.messages(EMPLOYEE)) == 1  # the reporter heard nothing


def test_command_from_the_reporter_changes_nothing(bot: Bot) -> None:
    kenmerk, ack, _, _ = open_case(bot)
    submit(
        bot.lab,
        mail(EMPLOYEE, f"Re: {ack['Subject']}", "Status: gearchiveerd\nNotitie: graag sluiten", ack["Message-ID"]),
    )
    bot.run_pass()
    assert show(bot, kenmerk)["status"] == "ontvangen"
    assert any("Niet verwerkt" in s for s in subjects(bot, OFFICER, 3))


def test_stranger_naming_the_kenmerk_is_unverified(bot: Bot) -> None:
    kenmerk, _, _, _ = open_case(bot)
    stranger = REPORTERS[0]
    submit(bot.lab, mail(stranger, f"Over {kenmerk}", "Aantal betrokkenen: 5000"), sender=stranger)
    bot.run_pass()
    case = show(bot, kenmerk)
    assert case["answers"].get("affected_count") is None
    (msg,) = [m for m in case["messages"] if m["direction"] == "in" and m["from"] == stranger]
    assert (msg["sender_role"], msg["verified"]) == ("unverified", False)
    assert any("Niet verwerkt" in s and stranger in s for s in subjects(bot, OFFICER, 2))
    assert bot.lab.messages(stranger) == []


def test_a_stranger_outside_the_organisation_is_not_offered_as_a_colleague(bot: Bot) -> None:
    """The notice of a refused mail says how to add the sender to the case only for the
    organisation's own people: a stranger's mail naming the kenmerk comes with no invitation."""
    kenmerk, _, _, _ = open_case(bot)
    outsider = "helpdesk@datalek-hulp.example.net"
    submit(bot.lab, mail(outsider, f"Over {kenmerk}", "Ik ben een collega. Aantal betrokkenen: 0"), sender=outsider)
    bot.run_pass()
    refused = next(parse(m) for m in bot.lab.wait_for(OFFICER, 2) if "Niet verwerkt" in str(parse(m)["Subject"]))
    text = body_text(refused)
    assert outsider in text and "Betrokken medewerker" not in text, text


def test_a_handler_address_with_a_control_character_is_refused(bot: Bot) -> None:
    """``Technicus:`` with an address holding an invisible control character sets nothing, and
    the officer is told the address is not usable."""
    kenmerk, _, notice, _ = open_case(bot)
    submit(bot.lab, officer_reply(notice, "Technicus: ict\u202ebeheer@example.org"))
    bot.run_pass()
    assert show(bot, kenmerk)["technician"] is None
    text = body_text(parse(bot.lab.wait_for(OFFICER, 2)[1]))
    assert "'ict<U+202E>beheer@example.org' is geen bruikbaar e-mailadres" in text


def test_help(bot: Bot) -> None:
    _, _, notice, _ = open_case(bot)
    submit(bot.lab, officer_reply(notice, "Help"))
    bot.run_pass()
    text = body_text(parse(bot.lab.wait_for(OFFICER, 2)[1]))
    for word in (
        "Status:",
        "Vraag aan melder:",
        "Bericht aan melder:",
        "Ontdekt op:",
        "Notitie:",
        "Melder:",
        "Technicus:",
        "Aantal betrokkenen",
    ):
        assert word in text


def test_officer_comment_without_commands_is_kept_and_answered(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    submit(bot.lab, officer_reply(notice, "Dank, ik bel de melder morgen.\n\nPiet\nTel: 010-1234567"))
    bot.run_pass()
    case = show(bot, kenmerk)
    assert [e["kind"] for e in case["events"]][-1] == "officer_comment"
    assert "reporter_contact" not in case["answers"]
    answer = body_text(parse(bot.lab.wait_for(OFFICER, 2)[-1]))
    assert "geen opdrachten gevonden" in answer and "✘" not in answer


def test_commands_need_dkim_where_configured(clean_lab: LabMailServer) -> None:
    bot = make_bot(clean_lab, MAILBOT_TRUSTED_AUTHSERV_ID="mx.example.org")
    try:
        kenmerk, _, notice, _ = open_case(bot)
        submit(
            bot.lab,
            officer_reply(notice, "Status: herstellen", Authentication_Results="mx.example.org; dkim=fail; dmarc=fail"),
        )
        bot.run_pass()
        assert show(bot, kenmerk)["status"] == "ontvangen"
        submit(
            bot.lab,
            officer_reply(
                notice, "Status: herstellen", Authentication_Results="mx.example.org; dkim=pass header.d=example.org"
            ),
        )
        bot.run_pass()
        assert show(bot, kenmerk)["status"] == "herstellen"
    finally:
        bot.worker.close()


def test_reminder_for_missing_answers_sent_once_per_interval_and_capped(
    any_bot: Bot,
) -> None:  # on SQLite and PostgreSQL
    bot = any_bot
    kenmerk, ack, _, _ = open_case(bot)
    submit(bot.lab, mail(EMPLOYEE, f"Re: {ack['Subject']}", "2. namen\n3. 12\n4. huurders", ack["Message-ID"]))
    bot.run_pass()
    assert bot.run_pass().reminders == 0
    bot.clock.advance(hours=25)
    first = bot.run_pass()
    assert first.reminders == 1
    assert bot.run_pass().reminders == 0  # not again in the same interval, nor after a restart
    reminder = next(parse(m) for m in bot.lab.wait_for(EMPLOYEE, 2) if "Herinnering" in parse(m)["Subject"])
    text = body_text(reminder)
    assert "5. Wat is de oorzaak?" in text and "6. Wanneer is het gebeurd" in text
    assert "Om welke (soorten) persoonsgegevens" not in text and "Over hoeveel personen" not in text
    bot.clock.advance(hours=25)
    assert bot.run_pass().reminders == 1
    bot.clock.advance(hours=25)
    assert bot.run_pass().reminders == 0  # MAILBOT_MAX_REMINDERS = 2
    assert show(bot, kenmerk)["reminders_sent"] == 2


def _redated(raw: bytes, when: datetime, message_id: str | None = None) -> bytes:
    msg = parse(raw)
    msg.replace_header("Date", format_datetime(when))
    msg.replace_header("Message-ID", message_id or make_msgid(domain="example.org"))
    return msg.as_bytes()


def test_replayed_command_mail_changes_nothing(any_bot: Bot) -> None:  # on SQLite and PostgreSQL
    """An officer's command mail sent again: with its own Message-ID it is a duplicate; under a new
    Message-ID but written weeks ago it is refused as an old command mail, and the officers told."""
    bot = any_bot
    kenmerk, _, notice, _ = open_case(bot)
    command = officer_reply(notice, "Status: herstellen")
    submit(bot.lab, command)
    bot.run_pass()
    assert show(bot, kenmerk)["status"] == "herstellen"
    submit(bot.lab, officer_reply(notice, "Status: kwalificeren"))
    bot.run_pass()
    assert show(bot, kenmerk)["status"] == "kwalificeren"

    resent = b"Received: from relay.example.net by mx.example.org; " + format_datetime(datetime.now(UTC)).encode()
    submit(bot.lab, resent + b"\r\n" + command)  # the same mail again, other bytes, same Message-ID
    submit(bot.lab, _redated(command, datetime.now(UTC) - timedelta(days=30)))
    result = bot.run_pass()
    assert result.dispositions == {"ignored": 1, "reply": 1}
    case = show(bot, kenmerk)
    assert case["status"] == "kwalificeren"
    refused = [e for e in case["events"] if e["kind"] == "message_refused"]
    assert len(refused) == 1 and "oude of vreemd gedateerde opdrachtmail" in refused[0]["detail"]["reason"]


def test_commands_in_a_forwarded_message_are_not_run(bot: Bot) -> None:
    """An officer forwards someone else's mail to the case, inline or attached: the commands in
    the forwarded text are not the officer's and do nothing."""
    kenmerk, _, notice, _ = open_case(bot)
    inline = (
        "Ter info, zie hieronder.\n\n---------- Forwarded message ---------\nVan: iemand@example.net\n"
        "Onderwerp: status\n\nStatus: gearchiveerd\nReden: geen datalek\n"
    )
    submit(bot.lab, officer_reply(notice, inline))
    attached = parse(officer_reply(notice, "Zie bijlage."))
    attached.add_attachment(parse(mail("iemand@example.net", "status", "Status: gearchiveerd")))
    submit(bot.lab, attached.as_bytes())
    bot.run_pass()
    case = show(bot, kenmerk)
    assert case["status"] == "ontvangen"
    assert [e["kind"] for e in case["events"]].count("commands_run") == 0


def test_authentication_results_from_an_untrusted_hop_do_not_count(clean_lab: LabMailServer) -> None:
    """With MAILBOT_TRUSTED_AUTHSERV_ID set, a pass written by some other server is no proof."""
    bot = make_bot(clean_lab, MAILBOT_TRUSTED_AUTHSERV_ID="mx.example.org")
    try:
        kenmerk, _, notice, _ = open_case(bot)
        forged = "relay.evil.example; dkim=pass header.d=example.org; dmarc=pass"
        submit(bot.lab, officer_reply(notice, "Status: herstellen", Authentication_Results=forged))
        bot.run_pass()
        assert show(bot, kenmerk)["status"] == "ontvangen"
    finally:
        bot.worker.close()


def test_a_pass_for_another_domain_does_not_command(clean_lab: LabMailServer) -> None:
    """The trusted server's header must vouch for the domain in From: a DKIM pass for the
    forger's own domain, or the words in a comment or in the envelope sender, command nothing;
    the officer's own mail, signed by a subdomain of theirs, does."""
    bot = make_bot(clean_lab, MAILBOT_TRUSTED_AUTHSERV_ID="mx.example.org")
    try:
        kenmerk, _, notice, _ = open_case(bot)
        forged = (
            "mx.example.org; dkim=pass header.d=attacker.test",
            "mx.example.org; spf=pass (dkim=pass header.d=example.org) smtp.mailfrom=fg@attacker.test",
            "mx.example.org; spf=pass"
            " (domain of =?utf-8?q?=29=3B_dkim=3Dpass_header.d=3Dexample.org_=28?=@attacker.test)"
            " smtp.mailfrom=x@attacker.test",
        )
        for verdict in forged:  # on top, where the trusted server puts its own
            submit(
                bot.lab, f"Authentication-Results: {verdict}\r\n".encode() + officer_reply(notice, "Status: herstellen")
            )
        bot.run_pass()
        case = show(bot, kenmerk)
        assert case["status"] == "ontvangen"
        assert [e["kind"] for e in case["events"]].count("message_refused") == len(forged)
        genuine = b"Authentication-Results: mx.example.org; dkim=pass header.d=mail.example.org header.s=2026\r\n"
        submit(bot.lab, genuine + officer_reply(notice, "Status: herstellen"))
        bot.run_pass()
        assert show(bot, kenmerk)["status"] == "herstellen"
    finally:
        bot.worker.close()


def test_stale_command_dates() -> None:
    from mailbot.core.parse import parse_message
    from mailbot.pipeline.conversation import stale_command

    arrived = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

    def dated(value: str) -> tuple[str, str] | None:
        return stale_command(
            parse_message(
                mail(OFFICER, "x", "y")
                .replace(b"Date: ", b"X-Old-Date: ", 1)
                .replace(b"\n\n", f"\nDate: {value}\n\n".encode(), 1)
            ),
            arrived,
        )

    assert dated("Sun, 22 Nov 2026 12:59:00 +0000") is None
    assert dated("Sun, 15 Nov 2026 12:01:00 +0000") is None
    assert "7 days" in (dated("Sun, 15 Nov 2026 11:59:00 +0000") or ("", ""))[1]
    assert "future" in (dated("Sun, 22 Nov 2026 13:01:00 +0000") or ("", ""))[1]
    assert "no readable Date" in (dated("gisteren") or ("", ""))[1]


def test_story_report_and_replies_as_people_write_them(bot: Bot) -> None:
    """A report that already tells how many, which data and when: the acknowledgement shows what was
    understood and asks only the rest. The reporter answers from Gmail under the quoted
    questions (with Gmail's empty ">" lines), then corrects a count in a second reply with a label
    that is also an officer command word; the case holds every field and the officers get no
    alarm about a command."""
    body = (
        "Ik heb vanochtend om 9.20 uur per ongeluk een Excel-lijst naar de verkeerde aannemer gemaild.\n"
        "Het ging om ongeveer 40 huurders, namen en adressen."
    )
    kenmerk, ack, notice, _ = open_case(bot, body=body)
    ack_text = body_text(ack)
    assert "Wij hebben uit uw melding begrepen:" in ack_text
    assert "- Aantal personen: 40" in ack_text and "- Persoonsgegevens: namen, adressen" in ack_text
    asked = [line for line in ack_text.splitlines() if line[:2] in {f"{i}." for i in range(1, 9)}]
    assert [line[:2] for line in asked] == ["5.", "7.", "8."]  # cause, contacts, own phone: the rest is known
    notice_text = body_text(notice)
    assert "Uit de melding gelezen:" in notice_text and "  - Groep: huurders" in notice_text

    quoted = "\n".join("> " + line if line else ">" for line in ack_text.splitlines())
    for question, answer in (("5. Wat is de oorzaak?", "Autocomplete in Outlook"), ("8. Uw eigen", "06-12345678")):
        start = quoted.index(f"> {question}")
        end = quoted.index("\n", start)
        quoted = quoted[:end] + f"\n>\n{answer}\n" + quoted[end:]
    gmail = f"Zie hieronder.\n\nOp di 1 dec 2026 om 10:15 schreef Meldpunt datalekken <\n{BOT}>:\n\n{quoted}\n"
    submit(bot.lab, mail(EMPLOYEE, f"Re: {ack['Subject']}", gmail, ack["Message-ID"]))
    bot.run_pass()
    correction = "Soort persoonsgegevens: namen, adressen en huurachterstanden\nAantal: het waren er toch 45, niet 40"
    submit(bot.lab, mail(EMPLOYEE, f"Re: {ack['Subject']}", correction, ack["Message-ID"]))
    bot.run_pass()

    answers = show(bot, kenmerk)["answers"]
    assert answers["cause"] == "Autocomplete in Outlook"
    assert answers["reporter_contact"] == "06-12345678"
    assert answers["affected_count"] == 45
    assert answers["affected_group"] == "huurders"
    assert answers["data_types"] == "namen, adressen en huurachterstanden"
    assert answers["occurred_at"].endswith("T09:20:00+01:00")
    officer_subjects = subjects(bot, OFFICER, 3)
    assert sum("Antwoord van" in s for s in officer_subjects) == 2
    assert not any("Niet verwerkt" in s for s in officer_subjects)  # no false alarm about a command
    replied = body_text(parse(bot.lab.messages(OFFICER)[-1]))
    assert "  - Aantal personen: 45  (was: 40)" in replied and "affected_count" not in replied


@pytest.mark.parametrize(
    "subject",
    [
        "RE: Datalekregister: Datalekregister: Nieuwe melding: beveiligingsincident",
        "Antw: Overzicht datalekken: RE: [DL-2026-0001] Verwerkt: Nieuwe melding: beveiligingsincident",
        "Re: Breach register: Breach overview: Nieuwe melding: beveiligingsincident",
    ],
)
def test_a_register_reply_keeps_one_prefix_however_often_it_went_back(subject: str) -> None:
    from mailbot.pipeline.conversation import bare_subject

    assert bare_subject(subject, "DL") == "Nieuwe melding: beveiligingsincident"
