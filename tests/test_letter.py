"""The letter to the people affected in the organisation's own Word document
(MAILBOT_LETTER_TEMPLATE): placeholders filled and escaped, a broken template named."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document

from mailbot.core.config import ConfigError, parse_settings
from mailbot.model.models import Case
from mailbot.register import letter
from tests.test_decision import _BASE

AT = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _letter() -> letter.Letter:
    settings = parse_settings({**_BASE, "MAILBOT_ORG_NAME": "Woonstichting De Sleutel & Co",
                               "MAILBOT_AP_CONTACT_NAME": "Fenna de Groot",
                               "MAILBOT_AP_CONTACT_EMAIL": "fg@example.org"})  # fmt: skip
    facts = (
        '{"categories": "namen, IBAN", "summary": "Een lijst <b>huurders</b> & \\"adressen\\"\\nging naar '
        'een verkeerd adres {{ kenmerk }}.", "consequences": "oplichting", '
        '"measures": "de ontvanger heeft de lijst gewist"}'
    )
    case = Case(kenmerk="DL-2026-0007", year=2026, seq=7, mailbox="default", received_at=AT, aware_at=AT,
                ap_deadline_at=AT, created_at=AT, assessment=facts)  # fmt: skip
    return letter.build(case, settings, AT, "nl")


def _paragraphs(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def _template(tmp_path: Path, *lines: str) -> Path:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    path = tmp_path / "brief.docx"
    doc.save(str(path))
    return path


def test_the_starter_template_filled_reads_as_the_built_in_letter(tmp_path: Path) -> None:
    """Every placeholder of the starter template is filled; a report's < & " {{ }} stay text; the
    advice comes as paragraphs; the words are those of the built-in letter."""
    made = _letter()
    starter = tmp_path / "starter.docx"
    starter.write_bytes(letter.starter_template())
    filled = _paragraphs(letter.from_template(made, starter))
    text = "\n".join(filled)
    assert "{{" not in text.replace("adres {{ kenmerk }}.", "") and "{%" not in text
    assert 'Een lijst <b>huurders</b> & "adressen"\nging naar een verkeerd adres {{ kenmerk }}.' in filled
    assert filled.count("Woonstichting De Sleutel & Co") == 2 and made.date in filled
    advice = made.parts["advies"]
    assert isinstance(advice, tuple) and len(advice) == 2  # the bank's, then phishing
    assert all(a in filled for a in advice)
    built_in = "\n".join(_paragraphs(letter.docx(made)))
    for name in ("wat_er_gebeurd_is", "gevolgen", "maatregelen", "vragen", "inleiding"):
        value = made.parts[name]
        assert isinstance(value, str) and value in text and value.split("\n")[0] in built_in, name
    assert {name for name, _ in letter.PLACEHOLDERS} == set(made.parts)


def test_the_organisations_own_document_keeps_its_letterhead(tmp_path: Path) -> None:
    head = "Woonstichting De Sleutel — Postbus 1, 1000 AA Amsterdam"
    template = _template(tmp_path, head, "Ons kenmerk: {{ kenmerk }}    Datum: {{ datum }}", "{{ aanhef }}",
                         "{{ gevolgen }}")  # fmt: skip
    document, problem = letter.word(_letter(), template)
    assert problem is None
    assert _paragraphs(document) == [
        head,
        "Ons kenmerk: DL-2026-0007    Datum: 1 december 2026",
        "Geachte heer, mevrouw,",
        "Oplichting.",
    ]


def test_a_broken_template_is_named_and_the_built_in_letter_made_instead(tmp_path: Path) -> None:
    made = _letter()
    broken = _template(tmp_path, "{{ kenmerk }", "{{ datum }}")
    document, problem = letter.word(made, broken)
    assert problem is not None and problem.placeholder
    assert problem.said("nl").startswith("brief.docx: een plaatshouder is niet goed geschreven (")
    assert _paragraphs(document) == _paragraphs(letter.docx(made))
    not_word = tmp_path / "leeg.docx"
    not_word.write_bytes(b"dit is geen Word-document")
    _, problem = letter.word(made, not_word)
    assert problem is not None and not problem.placeholder
    assert problem.said("en").startswith("leeg.docx: not a readable Word document (")
    assert zipfile.is_zipfile(io.BytesIO(letter.starter_template()))


def test_the_template_setting_names_a_word_document(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"MAILBOT_LETTER_TEMPLATE='/nergens/brief\.docx': no such file"):
        parse_settings({**_BASE, "MAILBOT_LETTER_TEMPLATE": "/nergens/brief.docx"})
    odt = tmp_path / "brief.odt"
    odt.write_bytes(b"x")
    with pytest.raises(ConfigError, match=r"give a Word document \(.docx\)"):
        parse_settings({**_BASE, "MAILBOT_LETTER_TEMPLATE": str(odt)})
    template = _template(tmp_path, "{{ kenmerk }}")
    assert parse_settings({**_BASE, "MAILBOT_LETTER_TEMPLATE": str(template)}).letter_template == template


def test_the_officers_notes_read_as_sentences_and_an_unnamed_organisation_is_asked_for() -> None:
    """The officer types "de ontvanger heeft de lijst gewist"; the letter says "De ontvanger heeft
    de lijst gewist." And it is never signed "onze organisatie": without MAILBOT_ORG_NAME the
    signature is a placeholder, named among what is still to fill in."""
    made = _letter()
    assert made.parts["maatregelen"] == "De ontvanger heeft de lijst gewist."
    assert made.parts["gevolgen"] == "Oplichting." and made.parts["gegevens"] == "Namen, IBAN"
    assert made.text().rstrip().endswith("Met vriendelijke groet,\n\nWoonstichting De Sleutel & Co")
    settings = parse_settings({**_BASE, "MAILBOT_AP_CONTACT_NAME": "Fenna de Groot"})
    case = Case(kenmerk="DL-2026-0007", year=2026, seq=7, mailbox="default", received_at=AT, aware_at=AT,
                ap_deadline_at=AT, created_at=AT, assessment='{"measures": "lijst gewist"}')  # fmt: skip
    unnamed = letter.build(case, settings, AT, "nl")
    assert "onze organisatie\n" not in unnamed.text() and "[naam van de organisatie]" in unnamed.text()
    assert "naam van de organisatie" in unnamed.missing


def test_control_characters_from_a_mail_do_not_break_the_word_letter(tmp_path: Path) -> None:
    """A reporter's answer can carry control characters (``namen\\x0b IBAN``); Word cannot hold
    them, and python-docx refused the whole letter. In docxtpl a BEL or form feed became a new
    paragraph or page. They are left out of the letter; line breaks and tabs stay."""
    settings = parse_settings({**_BASE, "MAILBOT_ORG_NAME": "Woonstichting"})
    facts = '{"categories": "namen\\u000b IBAN\\u0001", "summary": "een lijst\\u0007 kwijt\\u000c"}'
    case = Case(kenmerk="DL-2026-0008", year=2026, seq=8, mailbox="default", received_at=AT, aware_at=AT,
                ap_deadline_at=AT, created_at=AT, assessment=facts)  # fmt: skip
    made = letter.build(case, settings, AT, "nl")
    own = tmp_path / "eigen.docx"
    own.write_bytes(letter.starter_template())
    for document in (letter.docx(made), letter.word(made, own)[0]):
        text = "\n".join(_paragraphs(document))
        assert "Een lijst kwijt." in text and "Namen IBAN" in text, text
    assert "\x0b" not in made.text() and "\x07" not in made.text()
