"""The AP notification prepared from a case: complete for a worked case, a list of gaps for a new one."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlmodel import select

from mailbot.cli.demo import OFFICER
from mailbot.cli.main import main
from mailbot.model import db
from mailbot.model.cases import case_by_kenmerk
from mailbot.model.models import Case, Event
from mailbot.register import apdraft
from tests.mailserver import Bot, body_text, parse, submit
from tests.offline import make_case, offline_services
from tests.test_conversation import AMS, officer_reply, open_case

T1 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
NOW = T1 + timedelta(days=3)
ORGANISATION = {
    "MAILBOT_ORG_NAME": "Woonstichting Voorbeeld",
    "MAILBOT_ORG_ADDRESS": "Dorpsstraat 1, 1234 AB Ergens",
    "MAILBOT_ORG_KVK": "12345678",
    "MAILBOT_ORG_SECTOR": "Woningcorporatie",
    "MAILBOT_FG_REGISTRATION": "FG001234",
    "MAILBOT_AP_CONTACT_NAME": "Petra de Vries",
    "MAILBOT_AP_CONTACT_TITLE": "Privacy officer",
    "MAILBOT_AP_CONTACT_EMAIL": "privacy@example.org",
    "MAILBOT_AP_CONTACT_PHONE": "010-1234567",
}
SECTIONS_NL = [
    "Inleiding", "Internationaal", "Verwerkingsverantwoordelijke", "Tijdlijn", "Het datalek", "Persoonsgegevens",
    "Betrokkenen", "Voorafgaande maatregelen", "Gevolgen", "Vervolgacties",
]  # fmt: skip


def _worked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **extra: str) -> tuple[Path, Case, apdraft.Draft]:
    env, svc = offline_services(tmp_path, monkeypatch, **{**ORGANISATION, **extra})
    case = make_case(svc, T1, worked=True)
    with db.session(svc.engine) as s:
        fresh = s.get(Case, case.id)
        assert fresh is not None
        assessment = json.loads(fresh.assessment)
        assessment.update(other_regulator="nee", ongoing="nee, gestopt op 2 maart")
        fresh.assessment = json.dumps(assessment)
        s.add(fresh)
        s.commit()
    return env, fresh, apdraft.build(fresh, svc.settings, NOW)


def test_a_worked_case_fills_every_field_in_the_forms_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, draft = _worked(tmp_path, monkeypatch)
    assert [s.title for s in draft.sections] == SECTIONS_NL
    assert draft.missing == []
    values = {i.label: i.value for s in draft.sections for i in s.items}
    assert values["KvK-nummer"] == "12345678" and values["Registratienummer FG"] == "FG001234"
    assert values["Aard"] == "gelezen door onbevoegden"
    assert values["Soorten persoonsgegevens"] == "naam, adres, BSN" and values["Aantal records"] == "120"
    assert values["Aantal"] == "120" and values["Groep"] == "huurders"
    assert values["Reden van melding na 72 uur"] == "n.v.t. (binnen 72 uur)"  # notified after 30 hours
    assert values["Ernst van de gevolgen (voorstel uit de ENISA-score)"].startswith(
        "aanzienlijk (ENISA-score 3,25: hoog)"
    )
    assert values["Betrokkenen geïnformeerd"] == "ja" and values["Kanaal"] == "brief"
    text = apdraft.text(draft, "nl")
    assert "Alle velden van het formulier zijn gevuld." in text and "nog in te vullen" not in text.lower()
    positions = [text.index(f"{n}. {title}\n") for n, title in enumerate(SECTIONS_NL, start=1)]
    assert positions == sorted(positions)


def test_the_draft_is_written_as_people_write_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dutch dates; how the breach came to light from who reported it; the AP's own four levels
    of severity with the mapping from ENISA's bands stated; a notified case shows its meldnummer
    instead of asking to record it."""
    _, case, draft = _worked(tmp_path, monkeypatch)
    values = {i.label: i.value for s in draft.sections for i in s.items}
    assert values["Ontdekt op"] == "2 maart 2026, 09:30"
    assert values["Begin van het datalek"] == "2 maart 2026, 09:30"
    assert values["Hoe ontdekt"] == (
        f"gemeld door een medewerker (Jan Melder) per e-mail aan het meldpunt (kenmerk {case.kenmerk})"
    )
    assert values["Ernst van de gevolgen (voorstel uit de ENISA-score)"] == (
        "aanzienlijk (ENISA-score 3,25: hoog)\n"
        "Omzetting ENISA → AP: laag → verwaarloosbaar, gemiddeld → beperkt, hoog → aanzienlijk, zeer hoog → zeer groot"
    )
    assert values["Meldnummer AP"] == "M-2026-1234"
    text = apdraft.text(draft, "nl")
    assert "Gemeld bij de AP op 3 maart 2026, 15:30, meldnummer M-2026-1234." in text
    assert "leg daarna vast" not in text and "AP-meldnummer: …" not in text
    assert not re.search(r"\d{2}-\d{2}-\d{4}", text), "no date as a row of digits"


def test_a_processors_report_is_not_called_an_employees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, draft = _worked(tmp_path, monkeypatch, MAILBOT_PROCESSOR_DOMAINS="example.org")
    values = {i.label: i.value for s in draft.sections for i in s.items}
    assert values["Hoe ontdekt"].startswith("gemeld door verwerker example.org (Jan Melder)")
    assert "medewerker" not in values["Hoe ontdekt"]


def test_pdf_prints_no_font_library_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The officer who asks for the PDF sees what was written, not the font library's
    progress (fontTools logs every table it trims)."""
    _, _, draft = _worked(tmp_path, monkeypatch)
    if apdraft.font_dir() is None:
        pytest.skip("DejaVu Sans is not installed: the PDF then embeds no font")
    caplog.set_level(logging.DEBUG)
    assert apdraft.pdf(draft, "nl").startswith(b"%PDF-")
    assert [
        r.getMessage() for r in caplog.records if r.name.startswith("fontTools") and r.levelno < logging.WARNING
    ] == []


def test_a_new_case_lists_what_is_missing_on_top(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, svc = offline_services(tmp_path, monkeypatch)  # no organisation settings either
    case = make_case(svc, T1)
    draft = apdraft.build(case, svc.settings, T1 + timedelta(days=5))
    missing = draft.missing
    assert "3. Verwerkingsverantwoordelijke: KvK-nummer (instelling MAILBOT_ORG_KVK)" in missing
    assert "7. Betrokkenen: Aantal (antwoord Aantal betrokkenen:)" in missing
    assert "6. Persoonsgegevens: Soorten persoonsgegevens (opdracht Categorieën:)" in missing
    assert "4. Tijdlijn: Reden van melding na 72 uur (opdracht Reden vertraging:)" in missing  # 5 days: late
    assert "10. Vervolgacties: Betrokkenen geïnformeerd (opdracht Betrokkenen informeren:)" in missing
    text = apdraft.text(draft, "nl")
    assert text.index("NOG IN TE VULLEN") < text.index("1. Inleiding")
    assert f"NOG IN TE VULLEN ({len(missing)}):" in text
    # The description the reporter gave is there already.
    assert "Een lijst met namen en adressen van huurders" in text


def test_english_draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, draft = _worked(tmp_path, monkeypatch, MAILBOT_LANGUAGE="en")
    assert [s.title for s in draft.sections][:3] == ["Introduction", "International", "Controller"]
    assert "Every field of the form is filled." in apdraft.text(draft, "en")


def test_html_and_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env, case, _ = _worked(tmp_path, monkeypatch, MAILBOT_ORG_NAME="Wonen & <Zorg>")
    html_file, pdf_file = tmp_path / "draft.html", tmp_path / "draft.pdf"
    assert main(["--config", str(env), "ap-draft", case.kenmerk, "--format", "html", "-o", str(html_file)]) == 0
    page = html_file.read_text()
    assert "Wonen &amp; &lt;Zorg&gt;" in page and "<Zorg>" not in page

    class Headings(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_data(self, data: str) -> None:
            if self.lasttag == "h2" and data.strip():
                self.found.append(data.strip())

    parser = Headings()
    parser.feed(page)
    assert parser.found == [f"{n}. {t}" for n, t in enumerate(SECTIONS_NL, start=1)]
    assert main(["--config", str(env), "ap-draft", case.kenmerk, "--format", "pdf", "-o", str(pdf_file)]) == 0
    data = pdf_file.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF") and len(data) > 2000
    assert "0 field(s) still to fill in" in capsys.readouterr().err
    assert main(["--config", str(env), "ap-draft", "DL-2026-9999"]) == 1


def test_pdf_without_dejavu_names_the_package_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env, case, _ = _worked(tmp_path, monkeypatch)
    monkeypatch.setattr(apdraft, "FONT_DIRS", (tmp_path / "no-fonts",))
    pdf_file = tmp_path / "draft.pdf"
    assert main(["--config", str(env), "ap-draft", case.kenmerk, "--format", "pdf", "-o", str(pdf_file)]) == 0
    assert pdf_file.read_bytes().startswith(b"%PDF-")
    err = capsys.readouterr().err
    assert f"DejaVu Sans is not installed (looked in {tmp_path / 'no-fonts'})" in err
    assert "apt install fonts-dejavu-core" in err


def test_officer_asks_for_the_draft_by_mail_and_the_notification_archives_it(bot: Bot) -> None:
    kenmerk, _, notice, _ = open_case(bot)
    submit(bot.lab, officer_reply(notice, "AP-concept"))
    bot.run_pass()
    result = parse(bot.lab.wait_for(OFFICER, 2)[-1])
    text = body_text(result)
    assert "✔ uitgevoerd  AP-concept: het concept staat hieronder; nog in te vullen:" in text
    assert f"Concept melding datalek aan de AP, {kenmerk}" in text and "NOG IN TE VULLEN" in text
    assert "1. Inleiding" in text and "10. Vervolgacties" in text

    notified = (datetime.now(AMS) - timedelta(hours=1)).strftime("%d-%m-%Y %H:%M")
    submit(bot.lab, officer_reply(notice, f"Melden AP: ja\nAP-meldnummer: M-2026-77\nGemeld op: {notified}"))
    bot.run_pass()
    with db.session(bot.svc.engine) as s:
        case = case_by_kenmerk(s, kenmerk)
        assert case is not None and case.ap_reference == "M-2026-77"
        archived = s.exec(select(Event).where(Event.case_id == case.id, Event.kind == "ap_draft_archived")).all()
    assert len(archived) == 1
    detail = json.loads(archived[0].detail)
    stored = bot.svc.store.read(detail["path"]).decode()
    assert f"Concept melding datalek aan de AP, {kenmerk}" in stored


def test_none_is_no_loss_and_the_tier_facts_are_in_the_draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Beschikbaarheid: geen`` is no loss of availability; backup, restore time, exfiltration,
    the recipient's deletion and the suggested tier are in the draft."""
    _, svc = offline_services(tmp_path, monkeypatch, **ORGANISATION)
    case = make_case(svc, T1, worked=True)
    facts = {"availability": "geen", "integrity": "geen", "backup": "ja", "restore_time": "4 uur",
             "exfiltration": "uitgesloten", "deletion_confirmed": "ja, schriftelijk"}  # fmt: skip
    case.assessment = json.dumps({**json.loads(case.assessment), **facts})
    values = {i.label: i.value for s in apdraft.build(case, svc.settings, NOW).sections for i in s.items}
    assert values["Aard"] == "gelezen door onbevoegden"
    assert (values["Back-up"], values["Hersteltijd"]) == ("ja", "4 uur")
    assert values["Gegevens meegenomen (exfiltratie)"] == "uitgesloten"
    assert values["Ontvanger heeft verwijdering bevestigd"] == "ja, schriftelijk"
    # Financial data with a known recipient who confirmed deletion: contained.
    assert values["Voorgesteld risico (de organisatie beslist)"] == "geen risico: alleen registreren"


def test_section_5_names_the_kind_of_breach_in_the_forms_words(bot: Bot) -> None:
    """The AP form's type of breach: first as the report's words suggest it (said to be a
    suggestion), then as the officer set it with ``Type:``."""
    _, _, notice, _ = open_case(bot, body="Mijn laptop met de huurdersmap is gisteren in de trein gestolen.")
    submit(bot.lab, officer_reply(notice, "AP-concept"))
    bot.run_pass()
    text = body_text(parse(bot.lab.wait_for(OFFICER, 2)[-1]))
    assert (
        "   Soort: apparaat, USB-stick of papier verloren of gestolen (voorstel uit de woorden van de melding;" in text
    )
    submit(bot.lab, officer_reply(notice, "Type: phishing"))
    bot.run_pass()
    bot.lab.wait_for(OFFICER, 3)
    submit(bot.lab, officer_reply(notice, "AP-concept"))
    bot.run_pass()
    text = body_text(parse(bot.lab.wait_for(OFFICER, 4)[-1]))
    assert "   Soort: hacking, malware en/of phishing\r\n" in text


def test_the_pdf_wraps_a_long_line_under_its_own_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long indented line ("Hoe ontdekt: …") wrapped back to the margin, and every wrapped line
    was justified with wide gaps: the draft's lines are ragged right and keep their indent."""
    import re
    import zlib

    _, _, draft = _worked(tmp_path, monkeypatch)
    data = apdraft.pdf(draft, "nl")
    content = b"".join(
        zlib.decompress(m[1]) for m in re.finditer(rb"/FlateDecode[^>]*>>\s*stream\r?\n(.*?)\r?\nendstream", data, re.S)
    )
    starts = [float(x) for x in re.findall(rb"BT ([\d.]+) [\d.]+ Td", content)]
    margin = min(starts)
    body = apdraft.text(draft, "nl").split("\n", 3)[3].splitlines()
    flush = [line for line in body if line and not line.startswith(" ")]
    assert len([x for x in starts if x == margin]) <= 2 * len(flush) + 1, "indented lines start past the margin"
    assert not re.search(rb"\) -\d+(\.\d+)?\(", content), "no justified word gaps"
