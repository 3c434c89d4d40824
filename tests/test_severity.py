"""ENISA severity (SE = DPC × EI + CB) against hand-worked examples, and the suggested tier."""

from __future__ import annotations

from mailbot.core.severity import SENSITIVE, TIERS, assess, band_of, check, table, words_in


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


# A stolen laptop: 1 × 1 + 0.5 unknown + 0.5 malicious = 2.0, medium.
LAPTOP = {"categories": "namen en e-mailadressen", "identifiability": "maximaal", "confidentiality": "onbekend",
          "malicious": "ja"}  # fmt: skip


def test_encrypted_with_an_explanation_is_encrypted() -> None:
    """``Versleuteld: ja, AES-256``: the first word decides, the rest explains."""
    assert assess({**LAPTOP, "encrypted": "ja, AES-256"}, {}).tier == "none"
    assert assess({**LAPTOP, "encrypted": "nee, alleen een wachtwoord op het account"}, {}).tier == "risk"


def test_a_denied_category_does_not_count() -> None:
    assert assess({"categories": "namen, geen medische gegevens"}, {}).dpc == 1.0
    assert assess({"categories": "adressen zonder BSN"}, {}).dpc == 1.0
    assert words_in("no health data", SENSITIVE) == []
    # A doubt or a later clause is no denial: the safer reading counts the word.
    assert assess({"categories": "weet niet of er medische gegevens bij zaten"}, {}).dpc == 4.0
    assert assess({"categories": "geen BSN, wel medische gegevens"}, {}).dpc == 4.0


def test_none_is_no_loss_and_not_known_is_the_worse_case() -> None:
    base = {"categories": "namen", "identifiability": "maximaal"}
    s = assess({**base, "availability": "geen", "integrity": "geen", "confidentiality": "geen"}, {})
    assert (s.cb, s.score) == (0.0, 1.0)
    assert assess({**base, "confidentiality": "niet bekend"}, {}).cb == 0.5
    assert assess({**base, "confidentiality": "bekende ontvanger"}, {}).cb == 0.25
    assert assess({**base, "integrity": "niet herstelbaar"}, {}).cb == 0.5


def test_unreadable_values_are_refused_with_what_to_write() -> None:
    for key, value in (("encrypted", "misschien"), ("confidentiality", "weet ik niet"), ("availability", "soms"),
                       ("restore_time", "snel"), ("exfiltration", "hmm"), ("backup", "waarschijnlijk")):  # fmt: skip
        problem = check(key, value)
        assert problem is not None and "niet te lezen" in problem[0] and "cannot be read" in problem[1], key
    for key, value in (("encrypted", "ja, AES-256"), ("confidentiality", "niet bekend"), ("availability", "geen"),
                       ("restore_time", "3 dagen"), ("exfiltration", "niet uitgesloten"),
                       ("backup", "nee")):  # fmt: skip
        assert check(key, value) is None, key


def test_a_stored_unreadable_value_counts_as_the_worse_case() -> None:
    s = assess({**LAPTOP, "confidentiality": "tja", "encrypted": "misschien"}, {})
    assert s.cb == 1.0 and s.tier == "risk"  # unknown recipients, not encrypted
    assert any("slechtste geval" in r for r in s.reasons)


def test_the_number_of_people_counts() -> None:
    stolen = LAPTOP
    assert assess(stolen, {"affected_count": 2}).tier == "risk"
    assert assess(stolen, {"affected_count": 100_000}).tier == "high"
    assert assess(stolen, {"affected_count": {"min": 200, "max": 300}}).tier == "high"


def test_what_would_change_the_suggestion_is_tried_not_guessed() -> None:
    s = assess(LAPTOP, {"affected_count": 500})
    assert s.tier == "high"
    assert "als de gegevens versleuteld waren (met een veilige sleutel): geen risico: alleen registreren" in [
        nl for nl, _ in s.changes
    ]
    assert "bij 100 of minder betrokkenen: risico: melden bij de AP" in [nl for nl, _ in s.changes]
    lines = table(s, "nl").splitlines()
    assert lines[0].split(None, 1) == ["Voorstel", TIERS["high"]] and lines[1].startswith("Score       SE 2")
    assert any(line.startswith("Anders als") for line in lines)
    assert table(s, "en").startswith("Suggestion  high risk")


def test_special_categories_are_never_no_risk_whatever_the_mitigation() -> None:
    mitigations = ({"encrypted": "ja"}, {"deletion_confirmed": "ja"}, {"exfiltration": "uitgesloten"},
                   {"confidentiality": "geen"},
                   {"availability": "tijdelijk", "backup": "ja", "restore_time": "1 uur"})  # fmt: skip
    for confidentiality in ("bekend", "onbekend", "geen"):
        for extra in mitigations:
            facts = {"categories": "strafrechtelijke gegevens", "identifiability": "verwaarloosbaar",
                     "confidentiality": confidentiality, **extra}  # fmt: skip
            assert assess(facts, {"affected_count": 1}).tier != "none", facts


def test_a_known_recipient_who_deleted_it_contains_the_exposure() -> None:
    letter = {"categories": "naam, adres, IBAN", "identifiability": "maximaal", "confidentiality": "bekend"}
    assert assess(letter, {}).tier == "high"  # 3 × 1 + 0.25 = 3.25
    assert assess({**letter, "deletion_confirmed": "ja"}, {}).tier == "none"
    # Someone with malicious intent is not trusted on a deletion.
    assert assess({**letter, "deletion_confirmed": "ja", "malicious": "ja"}, {}).tier == "high"


def test_an_unavailability_that_lasts_is_at_least_a_risk() -> None:
    ransomware = {"categories": "namen", "identifiability": "maximaal", "availability": "tijdelijk"}
    assert assess({**ransomware, "backup": "ja", "restore_time": "4 uur"}, {}).tier == "none"
    assert assess({**ransomware, "backup": "ja", "restore_time": "3 dagen"}, {}).tier == "risk"
    assert assess({**ransomware, "backup": "nee"}, {}).tier == "risk"


def test_dutch_reasons_write_decimals_with_a_comma() -> None:
    """The Dutch table and reasons write 3,25 and +0,25, as the register's "Ernst (score)"
    column and the AP draft do; the English ones keep the point."""
    s = assess(
        {"categories": "namen, IBAN", "identifiability": "maximaal", "confidentiality": "bekend"},
        {"affected_count": 1},
    )
    assert s.score == 3.25
    dutch = table(s, "nl")
    assert "SE 3,25 (hoog)" in dutch and "+0,25" in dutch and "SE = 3 × 1 + 0,25 = 3,25" in dutch
    assert "3.25" not in dutch and "0.25" not in dutch
    english = table(s, "en")
    assert "SE 3.25 (high)" in english and "+0.25" in english
