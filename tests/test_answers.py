"""Answers read from real reply layouts: numbered, labelled, inline; counts and moments normalised."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bench.replies import CORPUS, same_answer, score
from mailbot.core.answers import UNKNOWN, Extraction, extract_answers, field_for_label, parse_count
from mailbot.core.parse import parse_message
from mailbot.core.questionnaire import QUESTIONS
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
        ("een stuk of twintig", 20),
        ("ruim honderd", {"min": 100, "max": None}),
        ("tientallen", {"min": 20, "max": 99}),
        ("Eén cliënt", 1),
        ("Een huurder", 1),
        ("twee", 2),
        ("approx. 4,800 tenants", 4800),
        ("6 gezinnen, ongeveer 15 personen", 15),
        ("6 gezinnen", None),  # households, not people: for the officer
        ("het waren er toch 45, niet 40", 45),
        ("niet 40 maar 45", 45),
        ("27 in plaats van 72", 27),
        ("4 of 5", {"min": 4, "max": 5}),
        ("12 of 40", {"min": 12, "max": 40}),
        ("40 huurders en 3 medewerkers", None),  # two counts: no telling which
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


# Replies as people write them: tests/data/replies holds one .eml per reply and a .json with the
# fields it carries; bench/replies.py prints the accuracy table over the same set.
REPLIES = sorted(p.stem for p in CORPUS.glob("*.eml"))
DEC_1 = datetime(2026, 12, 1, 9, 4, tzinfo=UTC)  # Tuesday 10:04 in Amsterdam
QUOTE = "\n".join(f"> {i}. {q.nl}" for i, q in enumerate(QUESTIONS, 1))


def read(text: str) -> Extraction:
    return extract_answers(text, DEC_1, AMS)


def test_the_set_is_large_and_varied() -> None:
    assert len(REPLIES) >= 60
    layouts = {name.rsplit("_", 1)[0] for name in REPLIES}
    assert {"gmail_inline", "outlook_inside", "outlook_html", "apple_inline", "prose", "correction"} <= layouts


@pytest.mark.parametrize("name", REPLIES)
def test_no_field_is_filled_with_a_wrong_value(name: str) -> None:
    eml = CORPUS / f"{name}.eml"
    parsed = parse_message(eml.read_bytes())
    expected = json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))
    got = extract_answers(parsed.text, parsed.date or DEC_1, AMS).answers
    wrong = {k: v for k, v in got.items() if not same_answer(expected.get(k), v)}
    assert wrong == {}


def test_accuracy_on_the_whole_set() -> None:
    scores = score()
    carried = sum(s.carried for s in scores.values())
    assert sum(s.wrong for s in scores.values()) == 0
    assert sum(s.right for s in scores.values()) >= 0.95 * carried


def test_gmail_empty_quote_line_after_the_question_does_not_end_the_answer() -> None:
    text = "Zie hieronder.\n\nOp di 1 dec 2026 om 09:12 schreef Meldpunt <m@example.org>:\n\n" + QUOTE.replace(
        "> 3. Over hoeveel personen gaat het (ongeveer)?", "> 3. Over hoeveel personen gaat het (ongeveer)?\n>\n38\n"
    )
    assert read(text).answers == {"affected_count": 38}


def test_outlook_answers_typed_inside_the_quote_without_marks() -> None:
    text = (
        "Zie mijn antwoorden in het rood.\n\nKees\n\n________________________________\n"
        "Van: Meldpunt <m@example.org>\nVerzonden: dinsdag 1 december 2026 09:12\nAan: Kees\n"
        "Onderwerp: Ontvangstbevestiging\n\nBeste Kees,\n\n"
        "1. Wat is er precies gebeurd?\nBrief bij de buren bezorgd\n"
        "2. Om welke (soorten) persoonsgegevens gaat het?\n"
        "3. Over hoeveel personen gaat het (ongeveer)? 2\n"
        "8. Uw eigen contactgegevens (telefoonnummer)\n\n"
        "Stuur geen wachtwoorden of volledige bestanden met persoonsgegevens mee als dat niet\nnodig is.\n"
    )
    assert read(text).answers == {"description": "Brief bij de buren bezorgd", "affected_count": 2}


def test_an_older_reply_quoted_inside_the_quote_is_not_read_again() -> None:
    older = (
        "________________________________\nVan: Kees\nVerzonden: maandag 30 november 2026 09:12\nAan: Meldpunt\n"
        "Onderwerp: RE: Ontvangstbevestiging\n\n3. Over hoeveel personen gaat het (ongeveer)?\n40\n"
    )
    text = (
        "Aanvulling.\n\n________________________________\nVan: Meldpunt\nVerzonden: dinsdag 1 december 2026 08:00\n"
        "Aan: Kees\nOnderwerp: Herinnering\n\n6. Wanneer is het gebeurd (datum en tijd)?\ngisteren om 14:00\n\n"
    ) + older
    assert read(text).answers == {"occurred_at": "2026-11-30T14:00:00+01:00"}


def test_html_only_outlook_reply() -> None:
    parsed = parse_message((CORPUS / "outlook_html_01.eml").read_bytes())
    assert parsed.text and "<p" not in parsed.text
    answers = extract_answers(parsed.text, parsed.date or DEC_1, AMS).answers
    assert answers["affected_count"] == 1 and answers["reporter_contact"] == "06-55667788"


@pytest.mark.parametrize(
    "lines",
    [
        ["Ad 1. Laptop kwijt", "Ad 3. 12", "Ad 6. gisteren 9:00"],
        ["1 Laptop kwijt", "3 12", "6 gisteren 9:00"],  # iPhone: no dot
        ["1) Laptop kwijt", "3) 12", "6) gisteren 9:00"],
        ["Vraag 1: Laptop kwijt", "Vraag 3: 12", "Vraag 6: gisteren 9:00"],
        ["1- Laptop kwijt", "3- 12", "6- gisteren 9:00"],
        ["(1) Laptop kwijt", "(3) 12", "(6) gisteren 9:00"],
        ["1: Laptop kwijt", "3: 12", "6: gisteren 9:00"],
    ],
)
def test_numbering_styles(lines: list[str]) -> None:
    assert read("\n".join(lines)).answers == {
        "description": "Laptop kwijt",
        "affected_count": 12,
        "occurred_at": "2026-11-30T09:00:00+01:00",
    }


def test_a_bare_number_is_numbering_only_in_a_numbered_list() -> None:
    e = read("6 gezinnen kregen de verkeerde brief.\n\nGroet, Jan")
    assert "affected_group" not in e.answers and "occurred_at" not in e.answers
    assert e.unplaced == ["6 gezinnen kregen de verkeerde brief.", "Groet, Jan"]


@pytest.mark.parametrize(
    ("label", "field_name"),
    [
        ("Soort persoonsgegevens", "data_types"),
        ("Welke gegevens", "data_types"),
        ("Om welke gegevens gaat het", "data_types"),
        ("Aantal", "affected_count"),
        ("Hoeveel mensen", "affected_count"),
        ("Wanneer gebeurd", "occurred_at"),
        ("Datum", "occurred_at"),
        ("Tel.", "reporter_contact"),
        ("Telefoon", "reporter_contact"),
        ("Telefoonummer", "reporter_contact"),  # a typo
        ("Mijn telnr.", "reporter_contact"),
        ("Betrokkenen", "affected_group"),  # a group, not contact details
        ("Contactgegevens betrokkenen", "affected_contacts"),
        ("Let op", None),
        ("Groet", None),
    ],
)
def test_label_variants(label: str, field_name: str | None) -> None:
    assert field_for_label(label) == field_name


def test_a_label_ends_the_answer_above_it() -> None:
    e = read(
        "Wat is er gebeurd: mail naar de verkeerde huurder\nWanneer gebeurd: gisteren rond 10:00\nTel.: 06-13572468"
    )
    assert e.answers == {
        "description": "mail naar de verkeerde huurder",
        "occurred_at": "2026-11-30T10:00:00+01:00",
        "reporter_contact": "06-13572468",
    }


def test_prose_on_top_fills_three_fields_in_one_sentence() -> None:
    e = read("Het ging om ongeveer 40 huurders, namen en adressen, gisteren rond drie uur.\n\nGert")
    assert e.answers == {
        "affected_count": 40,
        "affected_group": "huurders",
        "data_types": "namen, adressen",
        "occurred_at": "2026-11-30T15:00:00+01:00",
    }


def test_prose_names_a_single_account_number_as_data() -> None:
    """ "het rekeningnummer" (one tenant's) is data as much as "rekeningnummers": financial data,
    which the suggestion weighs as such."""
    e = read("Het gaat om 1 huurder: naam, adres, het bedrag van de achterstand en het rekeningnummer.")
    assert e.answers["data_types"] == "naam, adres, rekeningnummer"
    e = read("Het ging om de naam en het bankrekeningnummer van een huurder.")
    assert e.answers["data_types"] == "naam, bankrekeningnummer"


def test_prose_about_something_else_fills_nothing() -> None:
    e = read("Ik ben vanaf maandag weer bereikbaar.\nMijn leidinggevende weet meer.")
    assert e.answers == {}


def test_a_day_and_a_time_from_two_sentences_are_not_joined() -> None:
    """The letter went out yesterday; the neighbour called this morning at half past nine: the
    moment is yesterday, not yesterday at half past nine."""
    e = read("Gisteren is een brief naar het verkeerde adres gestuurd. De buurvrouw belde ons vanochtend om half tien.")
    assert e.answers["occurred_at"] == "2026-11-30"


@pytest.mark.parametrize(
    "text",
    [
        "De buurvrouw heeft de brief vanmiddag teruggebracht.",
        "De laptop is vanochtend teruggevonden in de trein.",
        "De ontvanger heeft het bestand gisteren teruggestuurd.",
    ],
)
def test_a_moment_something_came_back_is_not_when_it_happened(text: str) -> None:
    """Getting the data back (teruggebracht, teruggevonden, teruggestuurd) happens after the
    breach: its moment does not fill or replace "Wanneer", as "terug" already did not."""
    assert "occurred_at" not in read(text).answers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Correctie: het waren er toch 45, niet 40.", {"affected_count": 45}),
        ("Aantal: niet 40 maar 45", {"affected_count": 45}),
        ("Tijdstip: niet 14:20 maar 15:20 op 30 november", {"occurred_at": "2026-11-30T15:20:00+01:00"}),
        ("3. 27 in plaats van 72", {"affected_count": 27}),
    ],
)
def test_corrections(text: str, expected: dict[str, object]) -> None:
    assert read(text).answers == expected


@pytest.mark.parametrize("answer", ["weet ik niet", "Onbekend", "n.v.t.", "nvt", "Weet ik nog niet", "geen idee"])
def test_unknown_is_an_answer_not_a_value(answer: str) -> None:
    assert read(f"2. {answer}\n3. {answer}\n6. {answer}").answers == {
        "data_types": UNKNOWN,
        "affected_count": UNKNOWN,
        "occurred_at": UNKNOWN,
    }


@pytest.mark.parametrize(
    ("line", "field_name"),
    [
        ("3. 6 gezinnen", "affected_count"),
        ("6. In het weekend", "occurred_at"),
        ("6. Weet ik niet, ontdekt op 30-11", "occurred_at"),
        ("6. in de nacht van zondag op maandag", "occurred_at"),
        ("6. weet ik niet meer precies, vorige week", "occurred_at"),
        ("2. Zie 1", "data_types"),
    ],
)
def test_unsure_answers_go_to_the_officer_not_into_the_field(line: str, field_name: str) -> None:
    e = read(line)
    assert field_name not in e.answers
    assert e.unsure[field_name] == line.split(". ", 1)[1]


@pytest.mark.parametrize(
    "body",
    [
        "1" * 40_000,
        "Aantal" + " " * 40_000 + "x",
        "*" * 40_000,
        "tussen 1 en " * 3_000,
        "om 10.11 " * 4_000,
        "3. 40\n" * 6_000,
        "> 1. Wat is er precies gebeurd?\n>\nantwoord\n" * 1_000,
        "het waren er 40 huurders gisteren rond drie uur. " * 800,
        "twintig " * 5_000,
        "Wanneer: " + "1-1 " * 10_000,
    ],
    ids=lambda body: repr(body[:12]),
)
def test_reading_takes_time_in_proportion_to_the_mail(body: str) -> None:
    """Eight times the text may take about eight times as long, not sixty-four."""

    def seconds(text: str) -> float:
        start = time.perf_counter()
        extract_answers(text, DEC_1, AMS)
        return time.perf_counter() - start

    small = min(seconds(body[: len(body) // 8]) for _ in range(2))
    large = min(seconds(body) for _ in range(2))
    assert large < 20 * small + 0.2


def test_a_processors_answers_fill_fields_only_on_a_processors_report() -> None:
    """ "Op de hoogte sinds:" and "Incidentnummer:" answer a processor's questions. From anyone
    else they went into the processor's fields all the same, and the register showed when "the
    processor" knew on a case without one. There they go to the officer as not placed."""
    reply = "Op de hoogte sinds: 20 november 2026, 09:00\nIncidentnummer: INC-4711\nAantal betrokkenen: 12"
    theirs = extract_answers(reply, MAIL_DATE, AMS, processor=True)
    assert theirs.answers["processor_reference"] == "INC-4711" and "processor_aware_at" in theirs.answers
    others = extract_answers(reply, MAIL_DATE, AMS)
    assert others.answers == {"affected_count": 12}, others.answers
    placed = "\n".join(others.not_placed("nl"))
    assert "INC-4711" in placed and "20 november 2026, 09:00" in placed, placed
