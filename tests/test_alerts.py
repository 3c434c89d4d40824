"""The 72-hour clock end to end: warnings, decisions, reminders and the digest, read from the mailboxes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mailbot.cli.demo import OFFICER
from mailbot.model.audit import current_head
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import SECOND_OFFICER, Bot, body_text, make_bot, parse, submit
from tests.test_conversation import officer_reply, open_case, show

AMS = ZoneInfo("Europe/Amsterdam")


def ago(hours: float) -> str:
    return f"{datetime.now(AMS) - timedelta(hours=hours):%d-%m-%Y %H:%M}"


def officer_mail(bot: Bot) -> list[Any]:
    return [parse(m) for m in bot.lab.messages(OFFICER)]


def command(bot: Bot, reply_to: Any, text: str) -> Any:
    """An officer's command reply; returns the result mail."""
    before = len(bot.lab.messages(OFFICER))
    submit(bot.lab, officer_reply(reply_to, text))
    bot.run_pass()
    return parse(bot.lab.wait_for(OFFICER, before + 1)[-1])


def warnings(bot: Bot) -> list[str]:
    return [m["Subject"] for m in officer_mail(bot) if "Deadline AP" in m["Subject"] or "TE LAAT" in m["Subject"]]


@pytest.fixture
def bot(any_bot: Bot) -> Bot:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_bot


def test_one_warning_for_a_case_discovered_70_hours_ago(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    command(bot, notice, f"Ontdekt op: {ago(70)}")
    bot.lab.wait_queue_empty()
    # The time actually left, not the warning's point ("over 6 uur" with two hours to go).
    (subject,) = warnings(bot)
    assert re.fullmatch(rf"\[{kenmerk}\] Deadline AP over 1 uur en 5\d minuten: beveiligingsincident", subject), subject
    warning = next(m for m in officer_mail(bot) if "Deadline AP" in m["Subject"])
    assert "nog 1 uur en " in body_text(warning) and "besluit melden AP" in body_text(warning)
    assert len([m for m in bot.lab.messages(SECOND_OFFICER) if "Deadline AP over" in parse(m)["Subject"]]) == 1

    assert bot.run_pass().warnings == 0  # the next pass sends nothing
    restarted = bot.cli("run", "--once")  # nor does a restarted worker
    assert restarted.returncode == 0 and "deadline notice" not in restarted.stdout
    bot.lab.wait_queue_empty()
    assert len(warnings(bot)) == 1
    assert [w["key"] for w in show(bot, kenmerk)["warnings_sent"]] == ["deadline-6h"]


def test_overdue_case_gets_its_overdue_warning_then_one_a_day(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    command(bot, notice, f"Ontdekt op: {ago(80)}")
    bot.lab.wait_queue_empty()
    assert warnings(bot) == [f"[{kenmerk}] TE LAAT: deadline AP verstreken: beveiligingsincident"]
    bot.clock.advance(hours=15)  # the deadline passed 8 hours ago: the next one is due 24 hours after it
    assert bot.run_pass().warnings == 0
    bot.clock.advance(hours=2)
    assert bot.run_pass().warnings == 1
    assert [w["key"] for w in show(bot, kenmerk)["warnings_sent"]] == ["deadline-0h", "deadline-overdue-1"]


def test_decided_case_gets_no_warnings(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    result = command(bot, notice, "Melden AP: nee")
    assert "de reden ontbreekt" in body_text(result)  # art. 33(5): not notified is documented, with why
    result = command(bot, result, "Melden AP: nee\nReden: brief ongeopend retour, geen risico")
    assert "72-uursklok is gestopt" in body_text(result)
    bot.clock.advance(hours=100)
    assert bot.run_pass().warnings == 0
    case = show(bot, kenmerk)
    assert (case["ap_decision"], case["ap_decision_reason"]) == ("nee", "brief ongeopend retour, geen risico")
    assert case["warnings_sent"] == []
    decision = next(e for e in case["events"] if e["kind"] == "ap_decision")
    assert decision["detail"]["suggested_tier"] == "risk"  # the suggestion is kept beside the decision


def test_late_notification_asks_for_the_reason(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    command(bot, notice, f"Ontdekt op: {ago(100)}")
    result = command(bot, notice, f"Melden AP: ja\nAP-meldnummer: M-123456\nGemeld op: {ago(1)}\nMelding: voorlopig")
    assert "Reden vertraging" in body_text(result)
    case = show(bot, kenmerk)
    assert (case["ap_decision"], case["ap_reference"], case["ap_on_time"], case["ap_notification_kind"]) == (
        "ja",
        "M-123456",
        False,
        "voorlopig",
    )
    command(bot, result, "Reden vertraging: de verwerker meldde het pas na vier dagen")
    assert show(bot, kenmerk)["ap_delay_reason"] == "de verwerker meldde het pas na vier dagen"
    bot.clock.advance(days=7, hours=1)
    bot.run_pass()
    bot.lab.wait_queue_empty()
    assert any("voorlopige melding AP aanvullen" in m["Subject"] for m in officer_mail(bot))


def test_people_to_inform_get_a_daily_reminder_until_done(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    command(bot, notice, "Betrokkenen informeren: ja\nMelden AP: ja\nAP-meldnummer: M-1")
    bot.clock.advance(hours=21)
    assert bot.run_pass().warnings == 1
    assert bot.run_pass().warnings == 0
    bot.clock.advance(hours=24)
    assert bot.run_pass().warnings == 1
    bot.lab.wait_queue_empty()
    reminder = next(m for m in officer_mail(bot) if "betrokkenen nog informeren" in m["Subject"])
    command(bot, reminder, f"Betrokkenen geïnformeerd op: {ago(2)}\nKanaal: brief")
    bot.clock.advance(hours=24)
    assert bot.run_pass().warnings == 0
    case = show(bot, kenmerk)
    assert (case["subjects_decision"], case["subjects_channel"]) == ("ja", "brief")


def test_assessment_and_board_decision(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    result = command(
        bot,
        notice,
        (
            "Categorieën: namen, BSN\nIdentificeerbaarheid: maximaal\nVertrouwelijkheid: onbekende ontvangers\n"
            "Advies FG: melden bij de AP\nBesluit: melden\nBesluit door: directeur-bestuurder"
        ),
    )
    assert body_text(result).count("✔") == 6  # every line, "Besluit door:" with its "Besluit:"
    case = show(bot, kenmerk)
    assert (case["severity"]["score"], case["severity"]["band"], case["severity"]["tier"]) == (3.5, "hoog", "high")
    assert case["fg_advice"]["text"] == "melden bij de AP" and case["fg_advice"]["by"] == OFFICER
    assert case["board_decision"]["by"] == "directeur-bestuurder"


def test_assessment_values_are_read_not_guessed_and_the_suggestion_is_a_table(bot: Bot) -> None:
    """The notice shows the suggestion; an unreadable value is refused with what to write, and
    the reply ends with the suggestion as a table built from the values that were read."""
    kenmerk, _, notice, _ = open_case(bot)
    notice_text = body_text(notice)
    assert "Voorstel    risico: melden bij de AP" in notice_text and "Identificeerbaarheid: maximaal" in notice_text
    result = body_text(
        command(
            bot,
            notice,
            "Categorieën: namen, geen medische gegevens\nIdentificeerbaarheid: maximaal\n"
            "Vertrouwelijkheid: niet bekend\nVersleuteld: misschien\nBeschikbaarheid: geen\nKwade opzet: ja",
        )
    )
    assert "✘ geweigerd   Versleuteld: 'misschien' is niet te lezen: begin met ja of nee" in result
    assert "Vertrouwelijkheid: niet bekend" in result and "confidentiality" not in result
    assert "Voorstel    risico: melden bij de AP" in result
    assert "Score       SE 2 (gemiddeld)" in result
    assert "- als de gegevens versleuteld waren (met een veilige sleutel): geen risico" in result
    assert result.count("Voorstel ") == 1
    case = show(bot, kenmerk)
    assert "encrypted" not in case["assessment"] and case["severity"]["dpc"] == 1.0


def test_daily_digest_once(clean_lab: LabMailServer) -> None:
    bot = make_bot(clean_lab, MAILBOT_DIGEST_TIME="00:00")
    try:
        kenmerk, _, _, _ = open_case(bot)
        bot.lab.wait_queue_empty()
        digests = [m for m in officer_mail(bot) if "Overzicht open meldingen" in m["Subject"]]
        assert len(digests) == 1
        text = body_text(digests[0])
        assert kenmerk in text and "deadline AP" in text and "besluit melden AP" in text
        entries, head_hash = current_head(bot.svc.engine)
        assert entries > 0 and f"Audittrail: {entries} gebeurtenissen, laatste hash {head_hash}" in text
        bot.run_pass()
        bot.cli("run", "--once")
        bot.lab.wait_queue_empty()
        assert len([m for m in officer_mail(bot) if "Overzicht" in m["Subject"]]) == 1
    finally:
        bot.worker.close()


def test_list_sorts_by_deadline_and_shows_time_left(bot: Bot) -> None:
    first, _, first_notice, _ = open_case(bot)
    second, _, _, _ = open_case(bot)
    command(bot, first_notice, f"Ontdekt op: {ago(30)}")
    import json

    rows = json.loads(bot.cli("list", "--json").stdout)
    assert [r["kenmerk"] for r in rows] == [first, second]
    assert rows[0]["time_left"].startswith("nog 4") and rows[0]["overdue"] is False
    text = bot.cli("list").stdout
    assert first in text.splitlines()[0] and "nog 4" in text.splitlines()[0]


def test_officer_commands_a_case_by_replying_to_the_digest(clean_lab: LabMailServer) -> None:
    bot = make_bot(clean_lab, MAILBOT_DIGEST_TIME="00:00")
    try:
        kenmerk, _, _, _ = open_case(bot)
        bot.lab.wait_queue_empty()
        digest = next(m for m in officer_mail(bot) if "Overzicht open meldingen" in m["Subject"])
        result = command(bot, digest, f"{kenmerk}\nStatus: inventariseren")
        assert "✔ uitgevoerd" in body_text(result)
        assert show(bot, kenmerk)["status"] == "inventariseren"
    finally:
        bot.worker.close()
