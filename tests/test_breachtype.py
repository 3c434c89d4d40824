from __future__ import annotations

import pytest

from mailbot.core.breachtype import TYPES, name, suggest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik heb de mail met alle adressen in de CC gezet in plaats van BCC.", "bcc"),
        ("De cijferlijst ging naar de verkeerde ontvanger.", "email"),
        ("Een brief met de uitslag is naar een verkeerd adres gestuurd.", "post"),
        ("Mijn laptop is in de trein gestolen.", "lost"),
        ("De USB-stick is kwijt.", "lost"),
        ("Na een phishingmail is mijn account gebruikt; ransomware op de server.", "hacking"),
        ("Een stagiair kon alle dossiers inzien door verkeerde rechten.", "access"),
        ("Er is iets misgegaan.", "other"),
        ("Het staat in mijn postvak.", "other"),
    ],
)
def test_the_report_suggests_the_kind(text: str, expected: str) -> None:
    assert suggest(text) == expected


def test_every_kind_has_a_dutch_and_english_name() -> None:
    assert all(name(k, "nl") and name(k, "en") and name(k, "nl") != k for k in TYPES)
    assert name("unknown") == "Overig"
