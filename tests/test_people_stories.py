"""The people around a case, worked by reply on the real mail stack: the technician asked and
answering, the reporter's answer to the officer's question, the measures in the reporter's
news, a decision against the suggestion, a colleague added, each mailbox under its own name."""

from __future__ import annotations

from mailbot.cli.demo import BOT, EMPLOYEE, OFFICER
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import (
    BOARD,
    PO,
    PO_OFFICER,
    REPORTERS,
    Bot,
    body_text,
    close_bot,
    make_bot,
    parse,
    report,
    submit,
    two_mailboxes,
)
from tests.test_conversation import mail, officer_reply, open_case, show
from tests.test_officer_stories import (  # every_mail_in_plain_words: each story's mail is scanned
    command,
    every_mail_in_plain_words,  # noqa: F401
    reporter_texts,
)
from tests.test_wording import leaks

TECHNICIAN = REPORTERS[5]
ASSESSED = "Categorieën: namen, BSN\nIdentificeerbaarheid: maximaal\nVertrouwelijkheid: onbekende ontvangers"


def test_the_technician_is_asked_and_the_answer_lands_on_the_case(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    receipt = command(bot, notice, f"Technicus: {TECHNICIAN}")
    assert f"✔ uitgevoerd  Technicus: {TECHNICIAN}; gevraagd naar de oorzaak" in receipt, receipt
    asked = parse(bot.lab.wait_for(TECHNICIAN, 1)[-1])
    text = body_text(asked)
    assert kenmerk in str(asked["Subject"]) and leaks(text) == []
    for label in ("Oorzaak:", "Wat is er gedaan:", "Versleuteld:", "Logbestanden:"):
        assert label in text

    before = len(bot.lab.messages(OFFICER))
    answer = (
        "Oorzaak: phishingmail, wachtwoord buitgemaakt\nWat is er gedaan: account geblokkeerd\n"
        "Versleuteld: nee\nLogbestanden: drie mailboxen ingezien"
    )
    submit(bot.lab, mail(TECHNICIAN, f"RE: {asked['Subject']}", answer, asked["Message-ID"]))
    bot.run_pass()
    case = show(bot, kenmerk)
    (kept,) = [f for f in case["free_text"] if f["from"] == TECHNICIAN]
    assert kept["text"].startswith('Antwoord op de vraag "oorzaak, wat er is gedaan, versleuteling en logbestanden":')
    assert answer in kept["text"].replace("\r\n", "\n")
    assert "cause" not in case["answers"], "the technician's reply is no answer to the reporter's questionnaire"
    told = body_text(parse(bot.lab.wait_for(OFFICER, before + 1)[-1])).replace("\r\n", "\n")
    assert TECHNICIAN in told and "geweigerd" not in told
    assert "Antwoord op uw vraag" in told and "  > Logbestanden: drie mailboxen ingezien" in told
    bot.lab.wait_queue_empty()
    assert len(bot.lab.messages(TECHNICIAN)) == 1, "the technician's answer is not refused"


def test_the_answer_to_the_officers_question_is_shown_as_such(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    command(bot, notice, "Vraag aan melder: Was de USB-stick versleuteld?")
    question = parse(bot.lab.wait_for(EMPLOYEE, 2)[-1])
    before = len(bot.lab.messages(OFFICER))
    submit(bot.lab, mail(EMPLOYEE, f"Re: {question['Subject']}", "Nee, helaas niet.", question["Message-ID"]))
    bot.run_pass()
    told = body_text(parse(bot.lab.wait_for(OFFICER, before + 1)[-1])).replace("\r\n", "\n")
    assert 'Antwoord op uw vraag "Was de USB-stick versleuteld?":\n  > Nee, helaas niet.' in told
    case = show(bot, kenmerk)
    assert any(
        "Was de USB-stick versleuteld?" in f["text"] and "Nee, helaas niet." in f["text"] for f in case["free_text"]
    )
    assert "question_answered" in [e["kind"] for e in case["events"]]


def test_the_reporters_news_says_what_was_done(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    receipt = command(bot, notice, "Maatregelen: laptop op afstand gewist\nStatus: herstellen")
    assert "met de maatregelen:" in receipt and "laptop op afstand gewist" in receipt, receipt
    assert "✔ uitgevoerd  Maatregelen: laptop op afstand gewist\n" in receipt, "the command's word once"
    bot.lab.wait_queue_empty()
    news = [t for t in reporter_texts(bot) if "Stand van zaken" in t]
    assert news and "Wat er is gedaan:\n  laptop op afstand gewist" in news[-1]
    assert news[-1].index("Wat er is gedaan") < news[-1].index("antwoord dan op deze e-mail"), "the next step last"
    assert show(bot, kenmerk)["status"] == "herstellen"


def test_a_decision_against_the_suggestion_is_said_and_asks_why(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    command(bot, notice, ASSESSED)
    receipt = command(bot, notice, "Melden AP: nee\nReden: de ontvanger is een collega-organisatie")
    assert "wijkt af van de suggestie" in receipt and "de ontvanger is een collega-organisatie" in receipt
    assert "✔ uitgevoerd  Melden AP: nee; de 72-uursklok is gestopt" in receipt, receipt
    decided = [e for e in show(bot, kenmerk)["events"] if e["kind"] == "ap_decision"]
    assert decided and decided[-1]["detail"]["against_suggestion"] is True

    kenmerk, _, notice, _ = open_case(bot, sender=REPORTERS[1])
    command(bot, notice, "Categorieën: namen\nIdentificeerbaarheid: verwaarloosbaar\nVertrouwelijkheid: bekend")
    receipt = command(bot, notice, "Melden AP: ja")
    assert show(bot, kenmerk)["ap_decision"] == "ja"
    assert "wijkt af van de suggestie" in receipt and "Reden: …" in receipt


def test_a_colleague_named_in_the_case_is_added_and_their_held_mail_taken_in(bot: Bot) -> None:
    """The reporter copied a colleague; the colleague's reply-all was refused (not on the case).
    ``Betrokken medewerker:`` adds them: the held mail's answers land on the case as theirs, and
    their next reply in the case's thread lands like a reporter's answer."""
    colleague = REPORTERS[7]
    raw = report(body="De lijst met huurders is kwijt.", Cc=colleague)
    submit(bot.lab, raw)
    kenmerk = bot.run_pass().kenmerken[0]
    report_id = parse(raw)["Message-ID"]
    first = "Aantal betrokkenen: 40\n\nIk zag de lijst gisteren nog bij de printer liggen."
    submit(bot.lab, mail(colleague, "RE: beveiligingsincident", first, report_id), sender=colleague)
    bot.run_pass()
    assert show(bot, kenmerk)["answers"].get("affected_count") is None, "not on the case yet"
    refused = next(parse(m) for m in bot.lab.wait_for(OFFICER, 2) if "Niet verwerkt" in str(parse(m)["Subject"]))
    assert f'"Betrokken medewerker: {colleague}"' in body_text(refused), "the notice says how to add them"

    receipt = command(bot, refused, f"Betrokken medewerker: {EMPLOYEE}\nBetrokken medewerker: {OFFICER}")
    assert receipt.count("✘ geweigerd") == 2, receipt
    receipt = command(bot, refused, f"Betrokken medewerker: {colleague}")
    assert "✔ uitgevoerd" in receipt and colleague in receipt and "40" in receipt, receipt
    assert leaks(receipt) == [], leaks(receipt)
    case = show(bot, kenmerk)
    assert case["answers"]["affected_count"] == 40
    (given,) = [e for e in case["events"] if e["kind"] == "answer_given" and e["detail"]["field"] == "affected_count"]
    assert given["actor"] == colleague
    assert any(f["from"] == colleague and "printer" in f["text"] for f in case["free_text"])
    (held,) = [m for m in case["messages"] if m["direction"] == "in" and m["from"] == colleague]
    assert held["sender_role"] == "participant"

    before = len(bot.lab.messages(OFFICER))
    again = mail(colleague, "RE: beveiligingsincident", "Oorzaak: de printer staat in de open gang", report_id)
    submit(bot.lab, again, sender=colleague)
    bot.run_pass()
    assert show(bot, kenmerk)["answers"]["cause"] == "de printer staat in de open gang"
    told = parse(bot.lab.wait_for(OFFICER, before + 1)[-1])
    assert f"Antwoord van {colleague}" in str(told["Subject"])
    # The same From: outside the case's thread is still only offered to the officers.
    submit(bot.lab, mail(colleague, f"Over {kenmerk}", "Oorzaak: iets heel anders"), sender=colleague)
    bot.run_pass()
    assert show(bot, kenmerk)["answers"]["cause"] == "de printer staat in de open gang"


def test_held_mail_in_a_colleagues_name_outside_the_thread_is_not_taken_in(bot: Bot) -> None:
    """Anyone can write "From: the colleague" and name the kenmerk. Mail held in their name is
    taken in when the officer adds them only if it answered the report or the bot's mail about
    the case; the rest stays kept, unchanged, and the receipt says so."""
    colleague = REPORTERS[7]
    raw = report(body="De lijst met huurders is kwijt.", Cc=colleague)
    submit(bot.lab, raw)
    kenmerk = bot.run_pass().kenmerken[0]
    report_id = parse(raw)["Message-ID"]
    submit(bot.lab, mail(colleague, "RE: beveiligingsincident", "Aantal betrokkenen: 40", report_id), sender=colleague)
    bot.run_pass()
    forged = f"Aantal betrokkenen: 0\nOorzaak: niemand heeft iets fout gedaan\n\nZie {kenmerk}."
    submit(bot.lab, mail(colleague, f"Over {kenmerk}", forged), sender=colleague)
    bot.run_pass()
    refused = next(parse(m) for m in bot.lab.wait_for(OFFICER, 3) if "Niet verwerkt" in str(parse(m)["Subject"]))

    receipt = command(bot, refused, f"Betrokken medewerker: {colleague}")
    assert "✔ uitgevoerd" in receipt and "40" in receipt, receipt
    assert "1 eerder bewaarde e-mail" in receipt and "niet verwerkt" in receipt, receipt
    assert leaks(receipt) == [], leaks(receipt)
    case = show(bot, kenmerk)
    assert case["answers"]["affected_count"] == 40
    assert case["answers"].get("cause") is None
    roles = sorted(m["sender_role"] for m in case["messages"] if m["direction"] == "in" and m["from"] == colleague)
    assert roles == ["participant", "unverified"], roles


def test_the_officers_message_and_the_news_go_to_the_reporter_in_one_mail(bot: Bot) -> None:
    """Procedure M: status, measures and ``Bericht aan melder:`` in one command mail make one
    mail to the reporter, with the message and what was done; notes, the assessment and
    reasons stay inside. The receipt quotes what was sent."""
    kenmerk, _, notice, _ = open_case(bot)

    def sent_after(text: str) -> tuple[list[str], str]:
        before = len(bot.lab.messages(EMPLOYEE))
        receipt = command(bot, notice, text)
        bot.lab.wait_queue_empty()
        return reporter_texts(bot)[before:], receipt

    new, receipt = sent_after(
        "Status: herstellen\nMaatregelen: laptop op afstand gewist\nGevolgen: kans op identiteitsfraude\n"
        "Notitie: Dave is hier eerder op aangesproken\n\n"
        "Bericht aan melder: De laptop is op afstand gewist.\nU hoeft verder niets te doen."
    )
    assert len(new) == 1, new
    assert "Stand van zaken" in new[0] and "We nemen maatregelen" in new[0]
    assert "De laptop is op afstand gewist.\nU hoeft verder niets te doen." in new[0]
    assert "Wat er is gedaan:\n  laptop op afstand gewist" in new[0]
    for inside in ("Dave", "identiteitsfraude", "Notitie"):
        assert inside not in new[0]
    assert "    > De laptop is op afstand gewist.\n    > U hoeft verder niets te doen." in receipt, receipt
    assert "    > laptop op afstand gewist" in receipt and receipt.count("✘") == 0, receipt

    new, receipt = sent_after("Maatregelen: wachtwoorden vervangen\nBericht aan melder: Ook uw wachtwoord is nieuw.")
    assert len(new) == 1 and "Ook uw wachtwoord is nieuw." in new[0], new
    assert "Wat er is gedaan:\n  wachtwoorden vervangen" in new[0]
    assert "    > wachtwoorden vervangen" in receipt, receipt

    new, receipt = sent_after("Status: herstellen\nBericht aan melder: We houden u op de hoogte.")
    assert len(new) == 1 and "Bericht over uw melding" in new[0] and "We houden u op de hoogte." in new[0], new
    assert "status was al herstellen; uw bericht is apart gestuurd" in receipt, receipt

    new, receipt = sent_after(
        "Bericht aan melder: Dank voor het snelle melden.\nStatus: geen datalek\nReden: volgens Dave niets aan de hand"
    )
    assert len(new) == 1 and "Uw melding is afgesloten" in new[0], new
    assert "Dank voor het snelle melden." in new[0] and "Dave" not in new[0]
    assert "    > Dank voor het snelle melden." in receipt, receipt
    assert show(bot, kenmerk)["status"] == "geen datalek"
    told = [e["detail"]["text"] for e in show(bot, kenmerk)["events"] if e["kind"] == "message_to_reporter"]
    assert told == [
        "De laptop is op afstand gewist.\nU hoeft verder niets te doen.",
        "Ook uw wachtwoord is nieuw.",
        "We houden u op de hoogte.",
        "Dank voor het snelle melden.",
    ]


def test_a_decision_without_a_reason_is_recorded_and_the_reason_stays_open(bot: Bot) -> None:
    """``Melden AP: nee`` on a high-risk suggestion without a ``Reden:`` is recorded as decided
    against the suggestion, the receipt asks why (art. 33(5)), and archiving names the missing
    reason as still open until it is given; the same for ``Betrokkenen informeren: nee``."""
    kenmerk, _, notice, _ = open_case(bot)
    command(bot, notice, ASSESSED)
    receipt = command(bot, notice, "Melden AP: nee\nBetrokkenen informeren: nee")
    assert "✘" not in receipt, receipt
    assert "wijkt af van de suggestie" in receipt and "Reden: …" in receipt
    case = show(bot, kenmerk)
    assert (case["ap_decision"], case["subjects_decision"]) == ("nee", "nee")
    decided = [e for e in case["events"] if e["kind"] == "ap_decision"]
    assert decided[-1]["detail"]["against_suggestion"] is True

    receipt = command(bot, notice, "Status: gearchiveerd")
    assert show(bot, kenmerk)["status"] != "gearchiveerd"
    assert "reden waarom niet gemeld bij de AP" in receipt and "reden waarom de betrokkenen niet" in receipt, receipt
    assert leaks(receipt) == [], leaks(receipt)

    command(bot, notice, "Melden AP: nee\nReden: de stick was versleuteld\nBetrokkenen informeren: nee\nReden: idem")
    receipt = command(bot, notice, "Status: gearchiveerd")
    assert "reden waarom" not in receipt, receipt
    case = show(bot, kenmerk)
    assert (case["ap_decision_reason"], case["subjects_decision_reason"]) == ("de stick was versleuteld", "idem")


def test_each_mailbox_signs_with_its_own_name(clean_lab: LabMailServer) -> None:
    """P&O's mailbox has its own sender name and signature: the reporter's acknowledgement, the
    officer's notice and receipt, and the board's decision request all come from "P&O"; the
    other mailbox keeps the organisation's name."""
    bot = make_bot(
        clean_lab, **two_mailboxes(clean_lab), MAILBOT_BOARD=BOARD, MAILBOT_MAILBOX_PO_SENDER_NAME="P&O",
        MAILBOT_MAILBOX_PO_SIGNATURE=r"Team P&O\nWoonstichting Voorbeeld",
    )  # fmt: skip
    try:
        reporter = REPORTERS[3]
        clean_lab.send(report(sender=reporter, subject="datalek personeelsdossier"), reporter, [PO])
        clean_lab.wait_for(PO, 1)
        submit(clean_lab, report())
        bot.run_pass()
        ack = parse(clean_lab.wait_for(reporter, 1)[-1])
        assert str(ack["From"]) == f"P&O <{PO}>"
        assert body_text(ack).replace("\r\n", "\n").rstrip().endswith("Team P&O\nWoonstichting Voorbeeld")
        notice = parse(clean_lab.wait_for(PO_OFFICER, 1)[-1])
        assert str(notice["From"]) == f"P&O <{PO}>"
        other = parse(clean_lab.wait_for(EMPLOYEE, 1)[-1])
        assert str(other["From"]) == f"{bot.settings.sender_name} <{BOT}>" and "P&O" not in body_text(other)

        clean_lab.send(officer_reply(notice, "Advies FG: niet melden", sender=PO_OFFICER), PO_OFFICER, [PO])
        clean_lab.wait_for(PO, 2)
        bot.run_pass()
        receipt = parse(clean_lab.wait_for(PO_OFFICER, 2)[-1])
        assert str(receipt["From"]) == f"P&O <{PO}>" and "besluitverzoek" in body_text(receipt)
        request = parse(clean_lab.wait_for(BOARD, 1)[-1])
        assert str(request["From"]) == f"P&O <{PO}>"
    finally:
        close_bot(bot)
