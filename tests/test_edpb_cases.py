"""The tier suggestion against the 18 worked cases of the EDPB Guidelines 01/2021 on examples
regarding personal data breach notification (version 2.0, adopted 14 December 2021).

Each case is written as the officer's assessment reply ("Veld: waarde" lines, as an
experienced officer would fill them from the case's facts); the EDPB's conclusion is the
expected tier: no notification (none), notify the supervisory authority only (risk), or notify
it and inform the people (high). These cases calibrate the rules in severity.py; the rules
themselves are general and know nothing of case numbers.

Where the suggestion differs from the EDPB, the difference is kept in DIFFERENCES with the
rule behind it and explained in the README ("How the suggestion is made").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from mailbot.core import answers as answer_fields
from mailbot.core.severity import assess, check
from mailbot.pipeline.commands.assessment import FIELDS

TZ = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=TZ)


@dataclass(frozen=True)
class Case:
    number: int
    title: str
    reply: str
    edpb: str  # none | risk | high


def read_reply(reply: str) -> tuple[dict[str, str], dict[str, object]]:
    """The assessment and answer fields of an officer's reply, read as the commands read them;
    a value the command would refuse fails the test."""
    assessment: dict[str, str] = {}
    answers: dict[str, object] = {}
    for line in reply.strip().splitlines():
        word, _, value = line.partition(":")
        word, value = " ".join(word.lower().split()), value.strip()
        if word in FIELDS:
            key = FIELDS[word]
            problem = check(key, value)
            assert problem is None, f"{line!r} refused: {problem}"
            assessment[key] = value
        else:
            name = answer_fields.field_for_label(word)
            assert name is not None, f"unknown field in {line!r}"
            answers[name] = answer_fields.normalise(name, value, NOW, TZ)
    return assessment, answers


CASES = (
    Case(1, "Ransomware with proper backup and without exfiltration", """
        Categorieën: namen, adressen en contactgegevens van klanten en medewerkers
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: geen
        Beschikbaarheid: tijdelijk
        Kwade opzet: ja
        Versleuteld: ja, AES-256 op de schijven; de sleutel is niet buitgemaakt
        Exfiltratie: uitgesloten (logboeken en extern onderzoek)
        Back-up: ja
        Hersteltijd: 4 uur
        Aantal betrokkenen: 40
    """, "none"),
    Case(2, "Ransomware without proper backup", """
        Categorieën: namen, adressen en contactgegevens van medewerkers en klanten, geen bijzondere gegevens
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: geen
        Beschikbaarheid: tijdelijk
        Kwade opzet: ja
        Versleuteld: nee
        Exfiltratie: uitgesloten
        Back-up: nee, hersteld uit papieren administratie
        Hersteltijd: 5 dagen
        Aantal betrokkenen: 40
    """, "risk"),
    Case(3, "Ransomware with backup and without exfiltration in a hospital", """
        Categorieën: gezondheidsgegevens van patiënten, personeelsgegevens
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: geen
        Beschikbaarheid: tijdelijk, behandelingen ernstig vertraagd
        Kwade opzet: ja
        Versleuteld: nee
        Exfiltratie: uitgesloten
        Back-up: ja
        Hersteltijd: 3 dagen
        Aantal betrokkenen: 5000
    """, "high"),
    Case(4, "Ransomware without backup and with exfiltration", """
        Categorieën: namen, identiteitskaartnummers, creditcardgegevens
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: onbekend
        Beschikbaarheid: permanent
        Kwade opzet: ja
        Versleuteld: nee
        Exfiltratie: ja
        Back-up: nee, ook versleuteld door de aanvaller
        Aantal betrokkenen: 5000
    """, "high"),
    Case(5, "Exfiltration of job application data from a website", """
        Categorieën: sollicitatiegegevens: namen, contactgegevens, cv en opleiding; geen bijzondere gegevens
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: onbekend
        Kwade opzet: ja
        Versleuteld: nee
        Exfiltratie: niet uitgesloten
        Aantal betrokkenen: 213
    """, "high"),
    Case(6, "Exfiltration of hashed password from a website", """
        Categorieën: gebruikersnamen (pseudoniemen) en wachtwoorden
        Identificeerbaarheid: beperkt
        Vertrouwelijkheid: onbekend
        Kwade opzet: ja
        Versleuteld: ja, gehasht met een actueel algoritme en zout; het zout is niet buitgemaakt
        Exfiltratie: ja
        Aantal betrokkenen: 1200
    """, "none"),
    Case(7, "Credential stuffing attack on a banking website", """
        Categorieën: naam, geslacht, geboortedatum en -plaats, fiscaal nummer (BSN), gebruikers-ID
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: onbekend
        Kwade opzet: ja
        Versleuteld: nee
        Exfiltratie: ja
        Aantal betrokkenen: 100000
    """, "high"),
    Case(8, "Exfiltration of business data by an employee", """
        Categorieën: contactgegevens van klanten
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: bekend (oud-medewerker)
        Kwade opzet: ja
        Versleuteld: nee
        Exfiltratie: ja
    """, "risk"),
    Case(9, "Accidental transmission of data to a trusted third party", """
        Categorieën: contactgegevens, soort verzekering en verzekerd bedrag
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: bekende ontvanger met beroepsgeheim
        Kwade opzet: nee
        Versleuteld: nee
        Verwijdering bevestigd: ja, schriftelijk
        Aantal betrokkenen: 24
    """, "none"),
    Case(10, "Stolen material storing encrypted personal data", """
        Categorieën: namen en geboortedata van kinderen, gegevens over hun opvoeding
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: onbekend
        Beschikbaarheid: geen
        Kwade opzet: ja
        Versleuteld: ja, volledige schijfversleuteling met een sterk wachtwoord
        Back-up: ja
    """, "none"),
    Case(11, "Stolen material storing non-encrypted personal data", """
        Categorieën: namen, geslacht, adressen en geboortedata van klanten
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: onbekend
        Beschikbaarheid: geen
        Kwade opzet: ja
        Versleuteld: nee
        Back-up: ja
        Aantal betrokkenen: 100000
    """, "high"),
    Case(12, "Stolen paper files with sensitive data", """
        Categorieën: namen en gezondheidsgegevens (verslavingszorg)
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: onbekend
        Beschikbaarheid: permanent
        Kwade opzet: ja
        Versleuteld: nee
        Back-up: nee
    """, "high"),
    Case(13, "Postal mail mistake (two orders swapped)", """
        Categorieën: naam, adres en bestelde artikelen
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: bekende ontvanger
        Kwade opzet: nee
        Versleuteld: nee
        Verwijdering bevestigd: ja, pakketten teruggehaald
        Aantal betrokkenen: 2
    """, "none"),
    Case(14, "Highly confidential personal data sent by mail by mistake", """
        Categorieën: naam, e-mailadres, postadres, burgerservicenummer
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: bekende ontvangers
        Kwade opzet: nee
        Versleuteld: nee
        Verwijdering bevestigd: nee, wel gevraagd
        Aantal betrokkenen: 60000
    """, "high"),
    Case(15, "Personal data sent by mail by mistake (course participant list)", """
        Categorieën: namen, e-mailadressen, voedselvoorkeuren; bij twee deelnemers lactose-intolerantie (gezondheid)
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: bekende ontvangers
        Kwade opzet: nee
        Versleuteld: nee
        Verwijdering bevestigd: ja
        Aantal betrokkenen: 15
    """, "none"),
    Case(16, "Postal mail mistake (two policy letters in one envelope)", """
        Categorieën: naam, adres, geboortedatum, kenteken, premie en geschat aantal jaarkilometers
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: bekende ontvanger
        Kwade opzet: nee
        Versleuteld: nee
        Aantal betrokkenen: 1
    """, "risk"),
    Case(17, "Identity theft (billing e-mail address changed by an impostor)", """
        Categorieën: naam, adres, factuurgegevens
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: onbekend
        Integriteit: herstelbaar
        Kwade opzet: ja
        Versleuteld: nee
        Aantal betrokkenen: 1
    """, "high"),
    Case(18, "Email exfiltration (forwarding rules in a mailbox)", """
        Categorieën: namen, salarissen, burgerlijke staat, aantal kinderen
        Identificeerbaarheid: maximaal
        Vertrouwelijkheid: onbekend
        Kwade opzet: ja
        Versleuteld: nee
        Exfiltratie: ja
        Aantal betrokkenen: 99
    """, "high"),
)  # fmt: skip

# Where the suggestion knowingly differs from the EDPB's conclusion: case → (our tier, why).
DIFFERENCES = {
    15: ("risk", "special-category data (health: lactose intolerance) is never suggested as no risk"),
}


def suggested(case: Case) -> str:
    assessment, answers = read_reply(case.reply)
    return assess(assessment, answers).tier


@pytest.mark.parametrize("case", CASES, ids=[f"edpb-{c.number:02d}" for c in CASES])
def test_edpb_case(case: Case) -> None:
    """EDPB 01/2021 case n: the suggested tier is the EDPB's conclusion, or the documented difference."""
    expected = DIFFERENCES[case.number][0] if case.number in DIFFERENCES else case.edpb
    assert suggested(case) == expected, f"EDPB case {case.number}: {case.title}"


def test_agreement_with_the_edpb() -> None:
    """At least 16 of the 18 cases agree on the whole tier; the others are the documented ones."""
    disagree = {c.number for c in CASES if suggested(c) != c.edpb}
    assert len(CASES) - len(disagree) >= 16
    assert disagree == set(DIFFERENCES)
