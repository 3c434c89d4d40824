"""The director's decision (procedure W) end to end on the lab mail server: the FG's advice
brings the board a decision request with the AP draft attached, and the director's reply to it
records the decision, and nothing else."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from mailbot.cli.demo import OFFICER
from mailbot.core.answers import extract_answers, named_processor
from mailbot.core.config import parse_settings
from mailbot.core.parse import parse_message
from mailbot.pipeline.commands import is_command_line
from mailbot.pipeline.decision import read
from mailbot.pipeline.dispatch import processor_of_report
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import (
    BOARD,
    REPORTERS,
    SECOND_OFFICER,
    Bot,
    body_text,
    close_bot,
    make_bot,
    parse,
    report,
    submit,
)
from tests.test_alerts import ago
from tests.test_conversation import officer_reply, open_case, show
from tests.test_officer_stories import command

ADVICE = "melden bij de AP, betrokkenen informeren"


@pytest.fixture
def board_bot(clean_lab: LabMailServer) -> Iterator[Bot]:
    b = make_bot(clean_lab, MAILBOT_BOARD=BOARD)
    yield b
    close_bot(b)


def answer(bot: Bot, reply_to: object, text: str) -> str:
    """The director's reply to ``reply_to``; returns the text of the answer the director got."""
    before = len(bot.lab.messages(BOARD))
    submit(bot.lab, officer_reply(reply_to, text, sender=BOARD), sender=BOARD)  # type: ignore[arg-type]
    bot.run_pass()
    return body_text(parse(bot.lab.wait_for(BOARD, before + 1)[-1])).replace("\r\n", "\n")


def test_the_director_decides_by_replying_to_the_request(board_bot: Bot) -> None:
    """``Advies FG:`` mails the board the case, the advice, the clock and the AP draft as PDF.
    A reply to it that tries anything besides the decision changes nothing; ``Akkoord`` makes the
    advice the decision, recorded with who, when, the advice and the case state; the officers are
    told, and the AP draft shows it."""
    bot = board_bot
    kenmerk, _, notice, _ = open_case(bot)
    receipt = command(bot, notice, f"Advies FG: {ADVICE}")
    assert f"besluitverzoek gestuurd aan {BOARD}" in receipt

    request = parse(bot.lab.wait_for(BOARD, 1)[-1])
    assert request["Subject"].startswith(f"[{kenmerk}] Uw besluit gevraagd")
    text = body_text(request).replace("\r\n", "\n")
    assert ADVICE in text and "Akkoord" in text and "Besluit: " in text and "Reden: " in text
    assert "Deadline AP:" in text and "(nog " in text
    assert "Melden AP: ja of nee" not in text, "the board is not told the officers' commands"
    (pdf,) = [p for p in request.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"AP-concept-{kenmerk}.pdf"
    assert pdf.get_content().startswith(b"%PDF")

    # A forged decision: the director's address, but answering the officer's notice.
    before = len(bot.lab.messages(OFFICER))
    submit(bot.lab, officer_reply(notice, "Akkoord", sender=BOARD), sender=BOARD)
    bot.run_pass()
    assert show(bot, kenmerk)["board_decision"] is None
    bot.lab.wait_for(OFFICER, before + 1)

    # One power only: a status change beside the decision refuses the whole reply.
    refused = answer(bot, request, "Akkoord\nStatus: gesloten")
    assert "niet vastgelegd" in refused and "'Status:'" in refused
    assert refused.count("vastgelegd") == 1, "said once"
    case = show(bot, kenmerk)
    assert case["board_decision"] is None and case["status"] != "gesloten"

    # An own decision needs a reason.
    assert "Reden" in answer(bot, request, "Besluit: niet melden")
    assert show(bot, kenmerk)["board_decision"] is None

    done = answer(bot, request, "Akkoord")
    assert "vastgelegd" in done and ADVICE in done and "niet vastgelegd" not in done
    case = show(bot, kenmerk)
    assert case["board_decision"]["text"] == ADVICE and case["board_decision"]["by"] == BOARD
    (event,) = [e for e in case["events"] if e["kind"] == "board_decision"]
    assert event["actor"] == BOARD
    assert event["detail"]["advice"] == ADVICE and event["detail"]["advice_by"] == OFFICER
    assert event["detail"]["status"] == case["status"] and event["detail"]["agreed"] is True

    told = [parse(m) for m in bot.lab.wait_for(SECOND_OFFICER, 3)]
    assert any(m["Subject"] == f"[{kenmerk}] Besluit vastgelegd door {BOARD}" for m in told)
    bot.lab.wait_queue_empty()
    unheld = [str(m["Subject"]) for m in map(parse, bot.lab.messages(SECOND_OFFICER))
              if "hoort niet bij deze melding" in body_text(m)]  # fmt: skip
    assert unheld == [], "the director's replies to the request are not 'Niet verwerkt' to the officers"

    draft = bot.cli("ap-draft", kenmerk)
    assert draft.returncode == 0, draft.stderr
    assert f"Besluit directie (intern): {ADVICE} ({BOARD}," in draft.stdout


def test_the_directors_own_decision_is_recorded_with_its_reason(board_bot: Bot) -> None:
    bot = board_bot
    kenmerk, _, notice, _ = open_case(bot)
    command(bot, notice, f"Advies FG: {ADVICE}")
    request = parse(bot.lab.wait_for(BOARD, 1)[-1])
    done = answer(bot, request, "Goedemiddag,\n\nBesluit: niet melden\nReden: de stick was versleuteld\n\nGroet, D.")
    assert "niet melden" in done and "niet vastgelegd" not in done
    case = show(bot, kenmerk)
    assert case["board_decision"]["text"] == "niet melden"
    (event,) = [e for e in case["events"] if e["kind"] == "board_decision"]
    assert event["detail"]["reason"] == "de stick was versleuteld" and event["detail"]["advice"] == ADVICE


def test_no_board_no_request(bot: Bot) -> None:
    """Without MAILBOT_BOARD the advice is recorded and nobody else is mailed."""
    _, _, notice, _ = open_case(bot)
    receipt = command(bot, notice, f"Advies FG: {ADVICE}")
    assert f"✔ uitgevoerd  Advies FG: {ADVICE}\n" in receipt and "besluitverzoek" not in receipt


def test_reading_a_board_reply() -> None:
    assert read("Akkoord.").agreed
    assert read("Besluit: melden\nReden: veel mensen").decision == "melden"
    assert read("Akkoord\nNotitie: x").other == ("Notitie",)
    assert read("Met vriendelijke groet,\nTel: 06-1234").other == ()


_BASE = {
    "MAILBOT_IMAP_HOST": "imap.example.org",
    "MAILBOT_IMAP_USER": "bot@example.org",
    "MAILBOT_IMAP_PASSWORD": "x",
    "MAILBOT_SMTP_HOST": "smtp.example.org",
    "MAILBOT_ADDRESS": "bot@example.org",
    "MAILBOT_OFFICERS": "fg@example.org",
}


def test_board_setting_is_read_and_checked() -> None:
    base = _BASE
    assert parse_settings({**base, "MAILBOT_BOARD": "Directeur@example.org, rvb@example.org"}).board == (
        "directeur@example.org",
        "rvb@example.org",
    )
    with pytest.raises(Exception, match="MAILBOT_BOARD"):
        parse_settings({**base, "MAILBOT_BOARD": "directeur"})


def _attachments(msg: EmailMessage) -> dict[str, bytes]:
    return {str(p.get_filename()): p.get_content() for p in msg.iter_attachments()}


def test_the_letter_to_the_people_affected_comes_as_word_and_pdf(bot: Bot) -> None:
    """``Brief betrokkenen`` answers with the letter attached as DOCX and PDF: what happened,
    the data, the consequences, the measures, the contact point and advice fitting the data;
    what the case lacks is named; the letter is kept in the audit trail, and the officer is
    asked to record when it went out."""
    kenmerk, _, notice, _ = open_case(bot)
    facts = (
        "Samenvatting: een lijst met huurders is per ongeluk naar een verkeerd adres gemaild\n"
        "Categorieën: namen, adressen, IBAN\nMaatregelen: de ontvanger heeft de lijst gewist"
    )
    command(bot, notice, facts)
    before = len(bot.lab.messages(OFFICER))
    submit(bot.lab, officer_reply(notice, "Brief betrokkenen"))
    bot.run_pass()
    reply = parse(bot.lab.wait_for(OFFICER, before + 1)[-1])
    text = body_text(reply)
    assert "✔ uitgevoerd" in text and "Betrokkenen geïnformeerd op:" in text
    assert "wat de gevolgen voor u kunnen zijn" in text, "the missing consequences are named"
    files = _attachments(reply)
    assert set(files) == {f"brief-{kenmerk}.docx", f"brief-{kenmerk}.pdf"}
    assert files[f"brief-{kenmerk}.pdf"].startswith(b"%PDF")
    words = "\n".join(p.text for p in Document(io.BytesIO(files[f"brief-{kenmerk}.docx"])).paragraphs)
    for part in ("Wat is er gebeurd?", "per ongeluk naar een verkeerd adres", "Namen, adressen, IBAN",
                 "Wat kan dit voor u betekenen?", "De ontvanger heeft de lijst gewist.", "Fraudehelpdesk",
                 "blokkeren", kenmerk):  # fmt: skip
        assert part in words, part
    assert "Identiteitsfraude" not in words, "no BSN or ID: no identity-fraud advice"
    case = show(bot, kenmerk)
    (event,) = [e for e in case["events"] if e["kind"] == "subjects_letter_made"]
    assert "per ongeluk naar een verkeerd adres" in event["detail"]["text"]
    # Archived with the case: the very files mailed, stored as its attachments, and when.
    kept = {a["name"]: a for a in case["attachments"] if a["name"] in files}
    assert set(kept) == set(files) and all(a["stored"] for a in kept.values())
    assert {n: a["sha256"] for n, a in kept.items()} == {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}
    assert case["subjects_letter_at"] is not None
    register = bot.cli("export", "--format", "csv").stdout.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(register), delimiter=";"))
    assert dict(zip(rows[0], rows[-1], strict=True))["Brief of mededeling gemaakt"].startswith(
        f"{datetime.now(ZoneInfo('Europe/Amsterdam')):%d-%m-%Y}"
    )

    out = bot.data_dir / "letter.docx"
    made = bot.cli("letter", kenmerk, "--format", "docx", "--language", "en", "-o", str(out))
    assert made.returncode == 0 and "still to fill in" in made.stderr, made.stderr
    english = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "What happened?" in english and "per ongeluk naar een verkeerd adres" in english


def test_the_letter_advice_fits_the_data() -> None:
    from datetime import UTC, datetime

    from mailbot.model.models import Case
    from mailbot.register import letter

    settings = parse_settings({**_BASE, "MAILBOT_ORG_NAME": "Woonstichting Voorbeeld",
                               "MAILBOT_AP_CONTACT_NAME": "Fenna de Groot",
                               "MAILBOT_AP_CONTACT_EMAIL": "fg@example.org"})  # fmt: skip
    at = datetime(2026, 12, 1, 12, tzinfo=UTC)
    facts = '{"categories": "BSN, kopie paspoort", "summary": "x", "consequences": "y", "measures": "z"}'
    case = Case(kenmerk="DL-2026-0001", year=2026, seq=1, mailbox="default", received_at=at, aware_at=at,
                ap_deadline_at=at, created_at=at, assessment=facts)  # fmt: skip
    made = letter.build(case, settings, at, "nl")
    text = made.text()
    assert "Centraal Meldpunt Identiteitsfraude" in text and "blokkeren" not in text
    assert "Fenna de Groot" in text and "fg@example.org" in text and made.missing == ()
    assert "1 december 2026" in text
    public = letter.build(case, settings, at, "en", public=True)
    assert public.title == "Statement about a data breach at Woonstichting Voorbeeld"
    assert "Dear reader," in public.text()


def test_the_board_is_reminded_while_the_decision_is_open(board_bot: Bot) -> None:
    """As the AP deadline nears with the decision open, the board gets its request again (a
    reply to the reminder decides like a reply to the request); once decided, no more."""
    bot = board_bot
    kenmerk, _, notice, _ = open_case(bot)
    command(bot, notice, f"Advies FG: {ADVICE}")
    command(bot, notice, f"Ontdekt op: {ago(70)}")
    bot.lab.wait_queue_empty()
    mails = [parse(m) for m in bot.lab.wait_for(BOARD, 2)]
    assert mails[-1]["Subject"].startswith(f"[{kenmerk}] Herinnering: uw besluit gevraagd")
    assert "loopt af (nog 1 uur en " in body_text(mails[-1])
    assert "niet vastgelegd" not in answer(bot, mails[-1], "Akkoord")
    assert show(bot, kenmerk)["board_decision"]["text"] == ADVICE
    bot.clock.advance(hours=3)  # past the deadline: the officers are warned, the board is not
    assert bot.run_pass().warnings == 1
    bot.lab.wait_queue_empty()
    assert len(bot.lab.messages(BOARD)) == 3, "the request, the reminder and the answer to the decision"


def test_a_processors_report_names_the_processor(clean_lab: LabMailServer) -> None:
    """A report from a named processor's domain (MAILBOT_PROCESSORS) is a processor report: the
    case, the register and the AP draft's section 3 name the processor, and it is acknowledged
    straight away."""
    bot = make_bot(clean_lab, MAILBOT_PROCESSORS="Aareon=aareon.nl")
    try:
        submit(bot.lab, report(sender="security@aareon.nl", name="Aareon Security"), sender="security@aareon.nl")
        (kenmerk,) = bot.run_pass().kenmerken
        case = show(bot, kenmerk)
        assert [e["detail"]["processor"] for e in case["events"] if e["kind"] == "processor_report"] == ["Aareon"]
        kinds = [e["kind"] for e in case["events"]]
        assert "acknowledgement_queued" in kinds and "acknowledgement_held" not in kinds
        draft = bot.cli("ap-draft", kenmerk)
        assert "Betrokken verwerkers: Aareon" in draft.stdout, draft.stdout
        register = bot.cli("export", "--format", "csv")
        assert register.returncode == 0 and "Verwerker" in register.stdout and "Aareon" in register.stdout
    finally:
        close_bot(bot)


def test_processors_setting_is_read_and_checked() -> None:
    settings = parse_settings({**_BASE, "MAILBOT_PROCESSORS": "Aareon=aareon.nl, Accensys=Security@accensys.nl"})
    assert settings.processor_of("x@aareon.nl") == "Aareon" and settings.processor_of("security@accensys.nl")
    assert settings.processor_of("other@accensys.nl") == "" and "aareon.nl" in settings.processor_domains
    with pytest.raises(Exception, match="MAILBOT_PROCESSORS"):
        parse_settings({**_BASE, "MAILBOT_PROCESSORS": "Aareon"})


PROCESSOR = REPORTERS[5]  # the address the processor Aareon reports from (MAILBOT_PROCESSORS)


def test_a_processor_is_asked_what_a_processor_knows_and_its_answers_reach_the_register(
    clean_lab: LabMailServer,
) -> None:
    """A processor's acknowledgement asks its incident number, the systems and clients affected,
    its measures, when it became aware and a contact for follow-up, numbered on from the usual
    questions; its numbered reply is read into the case and shown to the officer, and the AP
    draft's section 3 and the register set when the processor knew against when it told us."""
    bot = make_bot(clean_lab, MAILBOT_PROCESSORS=f"Aareon={PROCESSOR}")
    try:
        submit(bot.lab, report(sender=PROCESSOR, name="Aareon Security"), sender=PROCESSOR)
        (kenmerk,) = bot.run_pass().kenmerken
        ack = parse(bot.lab.wait_for(PROCESSOR, 1)[-1])
        text = body_text(ack).replace("\r\n", "\n")
        assert "U meldt dit als onze verwerker (Aareon)" in text
        for line in ("8. Contactpersoon voor vervolgvragen", "9. Wat is uw eigen incidentnummer?",
                     "10. Welke systemen zijn getroffen, en welke klanten", "11. Welke maatregelen heeft u",
                     "12. Sinds wanneer weet u zelf van het incident"):  # fmt: skip
            assert line in text, text
        assert "Uw eigen contactgegevens (telefoonnummer)" not in text
        notice = body_text(parse(bot.lab.wait_for(OFFICER, 1)[-1]))
        assert "Een verwerker meldt dit: Aareon." in notice
        assert not any(is_command_line(line) for line in notice.splitlines()), "a quoted notice runs nothing"

        before = len(bot.lab.messages(OFFICER))
        reply = ("8. Piet Jansen, security@aareon.example, 020 123 45 67\n9. INC-4411\n"
                 "10. Het klantportaal; ook twee andere woningcorporaties\n11. Alle wachtwoorden gereset\n"
                 "12. 30 november 2026 om 22:00")  # fmt: skip
        submit(bot.lab, officer_reply(ack, reply, sender=PROCESSOR), sender=PROCESSOR)
        bot.run_pass()
        answers = show(bot, kenmerk)["answers"]
        assert answers["processor_reference"] == "INC-4411"
        assert answers["processor_measures"] == "Alle wachtwoorden gereset"
        assert answers["processor_aware_at"].startswith("2026-11-30T22:00")
        assert answers["reporter_contact"].startswith("Piet Jansen")
        shown = body_text(parse(bot.lab.wait_for(OFFICER, before + 1)[-1]))
        assert "Incidentnummer verwerker: INC-4411" in shown and "processor_" not in shown, shown
        assert "Verwerker op de hoogte sinds: 30 november 2026, 22:00" in shown, shown

        draft = bot.cli("ap-draft", kenmerk).stdout
        assert "Betrokken verwerkers: Aareon (incidentnummer INC-4411)" in draft, draft
        assert "Verwerker op de hoogte sinds: 30 november 2026, 22:00" in draft
        assert "Organisatie door de verwerker geïnformeerd op: " in draft
        assert "gemeld door verwerker Aareon (Aareon Security)" in draft
        register = bot.cli("export", "--format", "csv").stdout.lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(register), delimiter=";"))
        row = dict(zip(rows[0], rows[-1], strict=True))
        assert row["Verwerker"] == "Aareon" and row["Verwerker op de hoogte"].startswith("30-11-2026 22:00"), row
    finally:
        close_bot(bot)


def test_a_report_an_employee_forwards_naming_the_processor_is_a_processor_report(clean_lab: LabMailServer) -> None:
    """``Verwerker: aareon`` above a forwarded report makes it Aareon's report (spelt as
    configured); the employee is asked the processor's questions to pass on."""
    bot = make_bot(clean_lab, MAILBOT_PROCESSORS="Aareon=aareon.nl")
    try:
        body = ("Verwerker: aareon\n\nZie hieronder.\n\n---------- Doorgestuurd bericht ---------\n"
                "Van: Aareon <security@aareon.nl>\nOnderwerp: incident\n\nWij hebben een incident.\n")  # fmt: skip
        kenmerk, ack, notice, _ = open_case(bot, body=body)
        case = show(bot, kenmerk)
        assert [e["detail"]["processor"] for e in case["events"] if e["kind"] == "processor_report"] == ["Aareon"]
        assert "9. Wat is uw eigen incidentnummer?" in body_text(ack)
        assert "Een verwerker meldt dit: Aareon." in body_text(notice)
        assert "melding van verwerker Aareon, doorgestuurd door een medewerker" in bot.cli("ap-draft", kenmerk).stdout
    finally:
        close_bot(bot)


def test_numbers_past_eight_are_a_processors_answers_only() -> None:
    """A processor's reply numbered 9-12 fills its fields; from anyone else a ``9.`` is free text.
    The ``Verwerker:`` line counts only in what the sender wrote, not in a quote."""
    tz = ZoneInfo("Europe/Amsterdam")
    at = datetime(2026, 12, 1, 9, 0, tzinfo=tz)
    reply = "9. INC-7\n12. ontdekt op 30 november 2026 om 22:00\nIncidentnummer: INC-7"
    read = extract_answers(reply, at, tz, processor=True)
    assert read.answers["processor_reference"] == "INC-7"
    assert read.answers["processor_aware_at"] == "2026-11-30T22:00:00+01:00"
    plain = extract_answers("9. INC-7", at, tz)
    assert "processor_reference" not in plain.answers and plain.unplaced == ["9. INC-7"]
    assert named_processor("Verwerker: Accensys B.V.\n\nzie hieronder") == "Accensys B.V"
    assert named_processor("Hallo\n\nOp 1 dec schreef X:\n> Verwerker: Aareon\n") == ""


def test_the_officers_are_told_once_when_the_deadline_passes_without_the_boards_decision(board_bot: Bot) -> None:
    """Past the AP deadline with the board's decision open, the officers get one notice (kept
    like the deadline warnings) that says to notify anyway and give the reason for the delay;
    an answer to it with that reason is recorded."""
    bot = board_bot
    kenmerk, _, notice, _ = open_case(bot)
    command(bot, notice, f"Advies FG: {ADVICE}")
    command(bot, notice, f"Ontdekt op: {ago(73)}")
    bot.lab.wait_queue_empty()

    def overdue() -> list[EmailMessage]:
        return [m for m in map(parse, bot.lab.messages(OFFICER)) if "besluit van de directie ontbreekt" in m["Subject"]]

    (told,) = overdue()
    text = body_text(told)
    assert ADVICE in text and BOARD in text and '"Reden vertraging: ' in text and '"Melden AP: ja"' in text
    assert not any(is_command_line(line) for line in text.splitlines()), "a quoted notice runs nothing"
    bot.clock.advance(days=1, hours=1)
    bot.run_pass()
    bot.lab.wait_queue_empty()
    assert len(overdue()) == 1, "told once, restarts included (a SentNotice)"
    result = command(bot, told, "Melden AP: ja\nReden vertraging: het besluit van het bestuur liet op zich wachten")
    assert "niet uitgevoerd" not in result, result
    assert show(bot, kenmerk)["ap_delay_reason"] == "het besluit van het bestuur liet op zich wachten"


def test_no_notice_of_the_boards_silence_once_the_board_decided(board_bot: Bot) -> None:
    """A decided board, or a deadline not yet passed, brings no such notice."""
    bot = board_bot
    kenmerk, _, notice, _ = open_case(bot)
    command(bot, notice, f"Advies FG: {ADVICE}")
    request = parse(bot.lab.wait_for(BOARD, 1)[-1])
    answer(bot, request, "Akkoord")
    command(bot, notice, f"Ontdekt op: {ago(73)}")
    bot.lab.wait_queue_empty()
    subjects = [str(parse(m)["Subject"]) for m in bot.lab.messages(OFFICER)]
    assert any("deadline AP verstreken" in s for s in subjects), subjects
    assert not any("bestuur ontbreekt" in s for s in subjects)
    assert show(bot, kenmerk)["board_decision"]["text"] == ADVICE


def test_only_our_own_people_name_a_processor() -> None:
    """``Verwerker:`` makes a processor report from the organisation's own domains only; the
    processor's own address needs no such line; anyone else's line is ignored."""
    settings = parse_settings({**_BASE, "MAILBOT_PROCESSORS": "Aareon=aareon.nl"})
    body = "Verwerker: Aareon\n\nEr is iets misgegaan."
    assert processor_of_report(settings, parse_message(report(sender="jan@example.org", body=body))) == "Aareon"
    assert processor_of_report(settings, parse_message(report(sender="x@elders.nl", body=body))) == ""
    assert processor_of_report(settings, parse_message(report(sender="soc@aareon.nl"))) == "Aareon"
    unknown = report(sender="jan@example.org", body="Verwerker: Accensys\n\nzie hieronder")
    assert processor_of_report(settings, parse_message(unknown)) == "Accensys", "named as written when not configured"


def test_a_processor_is_reminded_in_a_processors_words(clean_lab: LabMailServer) -> None:
    """The reminder asks a processor for its contact for follow-up, as its acknowledgement did."""
    required = "description,reporter_contact"
    bot = make_bot(clean_lab, MAILBOT_PROCESSORS=f"Aareon={PROCESSOR}", MAILBOT_REQUIRED_ANSWERS=required)
    try:
        submit(bot.lab, report(sender=PROCESSOR, name="Aareon Security"), sender=PROCESSOR)
        bot.run_pass()
        bot.clock.advance(hours=25)
        assert bot.run_pass().reminders == 1
        mails = [parse(m) for m in bot.lab.wait_for(PROCESSOR, 2)]
        (reminder,) = [m for m in mails if "Herinnering" in m["Subject"]]
        text = body_text(reminder)
        assert "8. Contactpersoon voor vervolgvragen" in text and "Uw eigen contactgegevens" not in text, text
    finally:
        close_bot(bot)


def test_the_letter_comes_in_the_organisations_own_word_document(clean_lab: LabMailServer, tmp_path: Path) -> None:
    """With MAILBOT_LETTER_TEMPLATE the Word file of ``Brief betrokkenen`` is the organisation's
    document with its placeholders filled; a template that cannot be filled is named in the
    receipt, and the letter comes in the built-in layout instead of not at all."""
    template = tmp_path / "brief.docx"
    head = "Woonstichting De Sleutel — Postbus 1, 1000 AA Amsterdam"

    def write_template(*lines: str) -> None:
        doc = Document()
        for line in lines:
            doc.add_paragraph(line)
        doc.save(str(template))

    write_template(head, "Ons kenmerk: {{ kenmerk }}", "{{ aanhef }}", "{{ wat_er_gebeurd_is }}")
    bot = make_bot(clean_lab, MAILBOT_LETTER_TEMPLATE=str(template))
    try:
        kenmerk, _, notice, _ = open_case(bot)
        command(bot, notice, "Samenvatting: een lijst met huurders is naar een verkeerd adres gemaild")

        def letter_reply() -> tuple[str, dict[str, bytes]]:
            before = len(bot.lab.messages(OFFICER))
            submit(bot.lab, officer_reply(notice, "Brief betrokkenen"))
            bot.run_pass()
            reply = parse(bot.lab.wait_for(OFFICER, before + 1)[-1])
            return body_text(reply), _attachments(reply)

        text, files = letter_reply()
        assert "sjabloon" not in text
        words = [p.text for p in Document(io.BytesIO(files[f"brief-{kenmerk}.docx"])).paragraphs]
        assert words == [head, f"Ons kenmerk: {kenmerk}", "Geachte heer, mevrouw,",
                         "Een lijst met huurders is naar een verkeerd adres gemaild."]  # fmt: skip

        write_template(head, "Ons kenmerk: {{ kenmerk }")
        text, files = letter_reply()
        assert "uw eigen sjabloon (MAILBOT_LETTER_TEMPLATE) kon niet worden gebruikt" in " ".join(text.split())
        assert "brief.docx: een plaatshouder is niet goed geschreven" in " ".join(text.split())
        words = [p.text for p in Document(io.BytesIO(files[f"brief-{kenmerk}.docx"])).paragraphs]
        assert "Wat is er gebeurd?" in words and head not in words
    finally:
        close_bot(bot)
