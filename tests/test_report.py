"""``mailbot report``: the annual report for the board, from a register built by mail."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.mailserver import Bot
from tests.test_alerts import command
from tests.test_conversation import open_case

AMS = ZoneInfo("Europe/Amsterdam")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def test_the_annual_report_counts_a_register_built_by_mail(bot: Bot, tmp_path: Path) -> None:
    """Three reports by mail: one notified to the AP within the hour with its meldnummer and
    measures, one decided not to notify, one left open. The report's key figures, the list of
    notified breaches and the lessons say so; the PDF is made from the same figures."""
    first, _, notice, _ = open_case(bot, body="De nieuwsbrief ging met alle adressen in de cc naar 80 huurders.")
    _, _, second, _ = open_case(bot, body="Een brief met een huurachterstand ging naar een verkeerd adres.")
    open_case(bot, body="Mijn telefoon met de werkmail is gestolen.")
    notified = (datetime.now(AMS) - timedelta(minutes=30)).strftime("%d-%m-%Y %H:%M")
    measures = "Maatregelen: nieuwsbrieven gaan voortaan via het mailprogramma <Laposta> & nooit met adressen in cc"
    command(bot, notice, f"Melden AP: ja\nAP-meldnummer: M-2026-555\nGemeld op: {notified}\n{measures}")
    command(bot, second, "Melden AP: nee\nReden: de ontvanger heeft de brief ongeopend teruggegeven")
    year = first.split("-")[1]

    page = tmp_path / "jaarverslag.html"
    done = bot.cli("report", "--year", year, "--format", "html", "-o", str(page))
    assert done.returncode == 0, done.stderr
    assert f"annual report {year}: 3 case(s), 1 notified to the AP" in done.stderr
    html = page.read_text()
    assert "<Laposta>" not in html and "&lt;Laposta&gt; &amp; nooit" in html, "text from a mail is escaped"
    parsed = _Text()
    parsed.feed(html)
    text = parsed.text()
    assert f"Jaarverslag datalekken {year}" in text
    for label, value in (("Meldingen ontvangen", "3"), ("Gemeld bij de AP", "1"), ("binnen 72 uur", "1 (100%)"),
                         ("later dan 72 uur", "0"), ("Besloten niet te melden", "1")):  # fmt: skip
        assert f"{label} {value} " in text, label
    assert "Aan/Cc in plaats van Bcc 1" in text and "Post naar verkeerd adres 1" in text
    assert "Nu open, op " in text
    assert re.search(rf"{first} \d+ \w+ {year} Aan/Cc in plaats van Bcc \d+ \w+ {year} M-2026-555 ja nee", text), text
    assert f"{first}, Aan/Cc in plaats van Bcc Maatregelen: nieuwsbrieven gaan voortaan via het mailprogramma" in text
    assert len(parsed.images) == 3 and all(i.startswith("data:image/png;base64,") for i in parsed.images)

    pdf = tmp_path / "jaarverslag.pdf"
    done = bot.cli("report", "--year", year, "-o", str(pdf))
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF-") and b"/Subtype /Image" in pdf.read_bytes()

    empty = bot.cli("report", "--year", "2019", "--format", "html", "-o", str(tmp_path / "2019.html"))
    assert empty.returncode == 0 and "2019: 0 case(s), 0 notified" in empty.stderr
