"""Quote stripping on the reply layouts of Gmail, Outlook, Apple Mail and the iPhone, Dutch and English."""

from __future__ import annotations

import pytest

from mailbot.core.quotes import split_reply
from tests.conftest import DATA
from tests.test_answers import reply_text


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("reply_gmail_nl.eml", "Hoi,", "Jan"),
        ("reply_outlook_nl.eml", "Aantal betrokkenen: tussen 100 en 150", "Afdeling Verhuur | Woonstichting Voorbeeld"),
        ("reply_apple_inline_nl.eml", "Zie mijn antwoorden hieronder.", "Zie mijn antwoorden hieronder."),
        ("reply_iphone_nl.eml", "3. Het gaat om 1.200 huurders", "8. 06-87654321"),
        ("reply_gmail_en.eml", "What happened: I sent the tenant list to the wrong supplier.", "Phone: +31 6 11122233"),
        ("reply_outlook_original_en.eml", "Cause: the letter was put in the wrong envelope.", "Group: tenants"),
        ("reply_free_text_nl.eml", "Ik weet verder niet zoveel", "Zij is bereikbaar via de receptie."),
    ],
)
def test_written_part_of_real_layouts(name: str, first: str, last: str) -> None:
    reply = split_reply(reply_text(name))
    assert reply.written.startswith(first)
    assert reply.written.endswith(last)
    assert "Wat is er precies gebeurd?" not in reply.written
    assert reply.has_quote and "Wat is er precies gebeurd?" in reply.quoted


@pytest.mark.parametrize(
    "attribution",
    [
        "Op zo 22 nov 2026 om 10:15 schreef Meldpunt datalekken <meldpunt@example.org>:",
        "Op 22 nov. 2026, om 10:15 heeft Meldpunt <meldpunt@example.org> het volgende geschreven:",
        "On Sun, Nov 22, 2026 at 10:15 AM Meldpunt <meldpunt@example.org> wrote:",
        "-----Oorspronkelijk bericht-----",
        "-----Original Message-----",
        "________________________________",
        "> quoted line",
    ],
)
def test_attribution_lines(attribution: str) -> None:
    reply = split_reply(f"Mijn antwoord.\n\n{attribution}\nOud bericht")
    assert reply.written == "Mijn antwoord."


@pytest.mark.parametrize(
    "signature", ["Verstuurd vanaf mijn iPhone", "Sent from my iPad", "Verzonden vanuit Outlook voor iOS", "-- "]
)
def test_mobile_signatures_end_the_reply(signature: str) -> None:
    assert split_reply(f"Antwoord\n\n{signature}\nJan").written == "Antwoord"


def test_outlook_header_block_needs_two_header_lines() -> None:
    """A sentence starting with "Van:" is not a quote; an Outlook header block is."""
    assert split_reply("Van: de afdeling Wonen\nkwam het bericht").written.endswith("kwam het bericht")
    text = "Antwoord\n\nVan: Meldpunt <m@example.org>\nVerzonden: maandag\nAan: Jan\nOnderwerp: x\n\noud"
    assert split_reply(text).written == "Antwoord"


def test_no_quote() -> None:
    reply = split_reply("Alleen tekst.\nTweede regel.")
    assert (reply.written, reply.has_quote) == ("Alleen tekst.\nTweede regel.", False)


def test_data_dir_has_the_layouts() -> None:
    assert len(list(DATA.glob("reply_*.eml"))) >= 7
