"""Answers read from real reply layouts: numbered, labelled, inline; counts and moments normalised."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from mailbot.core.answers import extract_answers, parse_count
from mailbot.core.parse import parse_message
from tests.conftest import eml
from tests.linear import assert_linear

AMS = ZoneInfo("Europe/Amsterdam")
MAIL_DATE = datetime(2026, 11, 22, 10, 2, tzinfo=UTC)


def reply_raw(
    name: str,
    kenmerk: str = "DL-2026-0001",
    ack: str = "<ack@example.org>",
    report: str = "<report@example.org>",
    unique: str = "1",
) -> bytes:
    raw = eml(name)
    for key, value in (("KENMERK", kenmerk), ("ACK_ID", ack), ("REPORT_ID", report), ("UNIQUE", unique)):
        raw = raw.replace(b"{{" + key.encode() + b"}}", value.encode())
    return raw


def reply_text(name: str) -> str:
    return parse_message(reply_raw(name)).text


def answers(name: str) -> dict[str, object]:
    return extract_answers(reply_text(name), MAIL_DATE, AMS).answers


def test_gmail_numbered() -> None:
    a = answers("reply_gmail_nl.eml")
    assert a == {
        "description": "Een Excel-lijst is naar een externe aannemer gemaild.",
        "data_types": "Namen, adressen en huurachterstanden",
        "affected_count": 38,
        "affected_group": "Huurders van complex De Linde",
        "cause": "Verkeerde naam gekozen in de adresbalk (autocomplete)",
        "occurred_at": "2026-11-21T15:00:00+01:00",
        "reporter_contact": "06-12345678",
    }
    e = extract_answers(reply_text("reply_gmail_nl.eml"), MAIL_DATE, AMS)
    assert e.unplaced == ["Hoi,", "Hierbij mijn antwoorden:", "Groet,", "Jan"]


def test_outlook_labelled_with_range() -> None:
    a = answers("reply_outlook_nl.eml")
    assert a["affected_count"] == {"min": 100, "max": 150}
    assert a["cause"] == "phishingmail, medewerker heeft ingelogd op een valse pagina"
    assert a["occurred_at"] == "2026-11-20T14:00:00+01:00"
    assert a["data_types"] == "e-mailadressen en telefoonnummers van cliënten"


def test_apple_inline_under_quoted_questions() -> None:
    a = answers("reply_apple_inline_nl.eml")
    assert a == {
        "description": "De tas met dossiers is in de bus blijven liggen.",
        "data_types": "Medische gegevens en BSN van cliënten",
        "affected_count": 12,
        "cause": "Vergeten bij het uitstappen",
        "occurred_at": "2026-11-20T08:30:00+01:00",
    }


def test_iphone_thousands_separator() -> None:
    assert answers("reply_iphone_nl.eml") == {"affected_count": 1200, "reporter_contact": "06-87654321"}


def test_english_labels() -> None:
    assert answers("reply_gmail_en.eml") == {
        "description": "I sent the tenant list to the wrong supplier.",
        "affected_count": 40,
        "occurred_at": "2026-11-21T15:00:00+01:00",
        "reporter_contact": "+31 6 11122233",
    }
    assert answers("reply_outlook_original_en.eml") == {
        "affected_group": "tenants",
        "cause": "the letter was put in the wrong envelope.",
    }


def test_free_text_is_kept() -> None:
    e = extract_answers(reply_text("reply_free_text_nl.eml"), MAIL_DATE, AMS)
    assert e.answers == {}
    assert e.unplaced == [
        "Ik weet verder niet zoveel, mijn leidinggevende kan u meer vertellen.",
        "Zij is bereikbaar via de receptie.",
    ]


def test_question_repeated_before_answer() -> None:
    e = extract_answers(
        "1. Wat is er precies gebeurd? Laptop gestolen\n5. Wat is de oorzaak?\nInbraak in auto", MAIL_DATE, AMS
    )
    assert e.answers == {"description": "Laptop gestolen", "cause": "Inbraak in auto"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25", 25),
        ("ongeveer 120 huurders", 120),
        ("tussen 100 en 200", {"min": 100, "max": 200}),
        ("100-200", {"min": 100, "max": 200}),
        ("1.200", 1200),
        ("meer dan 50", {"min": 50, "max": None}),
        ("geen idee", None),
        ("10 à 15", {"min": 10, "max": 15}),
    ],
)
def test_parse_count(text: str, expected: object) -> None:
    assert parse_count(text) == expected


def test_a_count_of_many_spaced_digits_is_read_in_linear_time() -> None:
    """A range is looked for once per run of digits, not once per digit (16 KB of ``1 1 1``
    took 11 s); a number too long to be a count is kept as text instead of failing."""
    assert_linear(lambda n: "1 " * (n // 2), parse_count)
    assert_linear(
        lambda n: "Aantal betrokkenen: " + "1 " * (n // 2) + "\n", lambda body: extract_answers(body, MAIL_DATE, AMS)
    )
    assert parse_count("111 111 " * 1000) is None
    assert parse_count("ongeveer 1.200 - 1.500 mensen") == {"min": 1200, "max": 1500}
    assert parse_count("5. en 7") == {"min": 5, "max": 7}
