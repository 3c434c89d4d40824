"""ENISA severity (SE = DPC × EI + CB) against hand-worked examples, and the suggested tier."""

from __future__ import annotations

from mailbot.core.severity import assess, band_of


def test_misaddressed_letter_name_and_address() -> None:
    """Letter to a known wrong recipient: simple data (1) × full identification (1) + 0.25 = 1.25, low."""
    s = assess({"categories": "naam, adres", "identifiability": "maximaal", "confidentiality": "bekende ontvanger"}, {})
    assert (s.dpc, s.ei, s.cb, s.score, s.band, s.tier) == (1.0, 1.0, 0.25, 1.25, "laag", "none")


def test_bsn_and_arrears_to_unknown_recipients() -> None:
    """Financial/identifying data (3) × 1 + 0.5 unknown recipients = 3.5, high: notify AP and people."""
    s = assess(
        {"identifiability": "maximaal", "confidentiality": "onbekende ontvangers"},
        {"data_types": "namen, BSN en huurachterstanden", "affected_count": 150},
    )
    assert (s.dpc, s.score, s.band, s.tier) == (3.0, 3.5, "hoog", "high")
    assert any("meer dan 100 betrokkenen" in r for r in s.reasons)


def test_ransomware_behavioural_data() -> None:
    """Behavioural (2) × limited (0.5) + availability permanent 0.5 + integrity not recoverable 0.5
    + malicious 0.5 = 2.5, medium: notify the AP."""
    s = assess(
        {
            "categories": "locatiegegevens",
            "identifiability": "beperkt",
            "availability": "permanent",
            "integrity": "niet herstelbaar",
            "malicious": "ja",
        },
        {},
    )
    assert (s.dpc, s.ei, s.cb, s.score, s.band, s.tier) == (2.0, 0.5, 1.5, 2.5, "gemiddeld", "risk")


def test_special_categories_never_no_risk() -> None:
    """Health data, barely identifiable: 4 × 0.25 + 0.5 = 1.5 is low, but never suggested as no risk."""
    s = assess(
        {"categories": "medische gegevens", "identifiability": "verwaarloosbaar", "confidentiality": "onbekend"}, {}
    )
    assert (s.score, s.band, s.tier) == (1.5, "laag", "risk")
    assert any("nooit" in r for r in s.reasons)


def test_encrypted_suggests_no_risk_unless_sensitive() -> None:
    lost_laptop = {
        "categories": "namen en e-mailadressen",
        "identifiability": "maximaal",
        "confidentiality": "onbekend",
        "encrypted": "ja",
    }
    assert assess(lost_laptop, {}).tier == "none"
    assert assess({**lost_laptop, "categories": "strafrechtelijke gegevens"}, {}).tier != "none"


def test_not_assessed_is_treated_as_risk() -> None:
    s = assess({}, {})
    assert (s.score, s.tier) == (None, "risk")


def test_dpc_set_by_assessor() -> None:
    s = assess({"categories": "naam", "dpc": "2", "identifiability": "aanzienlijk"}, {})
    assert (s.dpc, s.score) == (2.0, 1.5)


def test_bands() -> None:
    assert [band_of(x) for x in (1.99, 2.0, 2.99, 3.0, 3.99, 4.0)] == [
        "laag",
        "gemiddeld",
        "gemiddeld",
        "hoog",
        "hoog",
        "zeer hoog",
    ]


def test_inflected_and_compound_dutch_words() -> None:
    """Dutch inflects and compounds: these must still count as sensitive or financial."""
    for text in ("strafrechtelijke gegevens", "medische dossiers", "gezondheidsgegevens", "religieuze voorkeur"):
        assert assess({"categories": text}, {}).dpc == 4.0, text
    for text in ("bankrekeningnummers", "loonstroken", "BSN-nummers"):
        assert assess({"categories": text}, {}).dpc == 3.0, text
    assert assess({"categories": "zorgvuldig bewaarde namen"}, {}).dpc == 1.0
