"""Templates: both languages render, subjects carry the kenmerk, overrides win, headers stop loops."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot.core.answers import answer_text
from mailbot.core.compose import address_fault, compose, mail_address, new_message_id, shown_address
from mailbot.core.questionnaire import QUESTIONS
from mailbot.core.render import Renderer
from mailbot.model.models import Case

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


def case() -> Case:
    return Case(
        kenmerk="DL-2026-0042",
        year=2026,
        seq=42,
        mailbox="default",
        reporter_name="Jan de Vries",
        reporter_address="jan@example.org",
        subject="beveiligingsincident laptop",
        description="Mijn laptop met cliëntdossiers is gestolen.",
        received_at=NOW,
        aware_at=NOW,
        ap_deadline_at=datetime(2026, 11, 23, 16, 0, tzinfo=UTC),
        created_at=NOW,
    )


@pytest.mark.parametrize(("language", "word"), [("nl", "Ontvangstbevestiging"), ("en", "Acknowledgement")])
def test_acknowledgement(language: str, word: str) -> None:
    r = Renderer(AMS).render(
        language,
        "reporter_acknowledgement",
        case=case(),
        questions=QUESTIONS,
        original_subject="beveiligingsincident\r\nBcc: evil@example.org",
        sender_name="Meldpunt",
    )
    assert r.subject == f"[DL-2026-0042] {word}: beveiligingsincident Bcc: evil@example.org"
    assert "DL-2026-0042" in r.body
    assert ("20 november 2026, 17:00" if language == "nl" else "20 November 2026, 17:00") in r.body  # Amsterdam
    for i, q in enumerate(QUESTIONS, 1):
        assert f"{i}. {q.text(language)}" in r.body
    assert "cliëntdossiers" not in r.body  # the report is not echoed back


@pytest.mark.parametrize(
    ("language", "understood", "again"),
    [
        (
            "nl",
            ["- Aantal personen: 40", "- Wanneer: 1 december 2026, 17:30", "- Persoonsgegevens: namen en adressen"],
            "Klopt iets niet? Antwoord dan op deze e-mail met de juiste gegevens.",
        ),
        (
            "en",
            ["- Number of people: 40", "- When: 1 December 2026, 17:30", "- Personal data: namen en adressen"],
            "Is anything wrong? Then reply to this e-mail with the right details.",
        ),
    ],
)
def test_acknowledgement_shows_what_was_understood_and_asks_only_the_rest(
    language: str, understood: list[str], again: str
) -> None:
    answers = {"affected_count": 40, "occurred_at": "2026-12-01T17:30:00+01:00", "data_types": "namen en adressen"}
    asked = [q for q in QUESTIONS if q.field not in answers and q.field != "description"]
    r = Renderer(AMS).render(
        language,
        "reporter_acknowledgement",
        case=case(),
        questions=QUESTIONS,
        original_subject="datalek",
        sender_name="Meldpunt",
        understood=[(name, answers[name]) for name in ("affected_count", "occurred_at", "data_types")],
        missing=asked,
    )
    for line in [*understood, again]:
        assert line in r.body
    # The questions keep their own numbers: a reply "5. …" still answers the cause.
    assert [line for line in r.body.splitlines() if line[:2] in ("4.", "5.", "7.", "8.")] == [
        f"{QUESTIONS.index(q) + 1}. {q.text(language)}" for q in asked
    ]
    assert "1. " not in r.body and "3. " not in r.body and "6. " not in r.body
    assert "affected_count" not in r.body and "{" not in r.body and "T17:30" not in r.body


def test_acknowledgement_repeats_a_text_answer_only_in_short() -> None:
    """The acknowledgement goes to the report's sender: a long text from the report is not
    carried back whole (the report itself is never echoed)."""
    cause = "Autocomplete " + "x" * 300
    r = Renderer(AMS).render(
        "nl",
        "reporter_acknowledgement",
        case=case(),
        questions=QUESTIONS,
        original_subject="datalek",
        sender_name="Meldpunt",
        understood=[("cause", cause)],
        missing=[],
    )
    (line,) = [line for line in r.body.splitlines() if line.startswith("- Oorzaak: ")]
    assert len(line) <= len("- Oorzaak: ") + 80 and line.endswith("…")
    assert "vragen hieronder" not in r.body  # nothing is asked, so nothing is said about questions


@pytest.mark.parametrize(
    ("value", "nl", "en"),
    [
        ({"min": 100, "max": 150}, "100 – 150", "100 – 150"),
        ({"min": 50, "max": None}, "minstens 50", "at least 50"),
        ("2026-11-27", "27 november 2026", "27 November 2026"),
        ("onbekend", "onbekend", "unknown"),
    ],
)
def test_answers_are_shown_as_people_write_them(value: object, nl: str, en: str) -> None:
    name = "occurred_at" if isinstance(value, str) and value[:1].isdigit() else "affected_count"
    assert answer_text(name, value, "nl") == nl and answer_text(name, value, "en") == en


def test_officer_new_case_shows_what_was_read_and_apart_what_was_not_placed() -> None:
    r = Renderer(AMS).render(
        "nl",
        "officer_new_case",
        case=case(),
        attachments=[],
        acknowledged=True,
        not_acknowledged_reason="",
        understood=[("affected_count", {"min": 20, "max": 99}), ("affected_group", "huurders")],
        not_placed=["Wanneer is het gebeurd (datum en tijd)? in het weekend"],
    )
    read = r.body.index("Uit de melding gelezen:")
    apart = r.body.index("Niet geplaatst")
    assert read < r.body.index("  - Aantal personen: 20 – 99") < r.body.index("  - Groep: huurders") < apart
    assert "  Wanneer is het gebeurd (datum en tijd)? in het weekend" in r.body[apart:]


def test_text_from_a_mail_is_never_a_template() -> None:
    """Template syntax in a report (subject, description, name) comes out as written, not run."""
    c = case()
    c.reporter_name = "{{ 7 * 7 }}"
    c.description = "{% for x in range(3) %}{{ x }}{% endfor %} {{ config }} {{ ''.__class__.__mro__ }}"
    c.subject = "{{ 6 * 111 }}"
    r = Renderer(AMS).render(
        "nl", "officer_new_case", case=c, attachments=[], acknowledged=True, not_acknowledged_reason=""
    )
    assert "{{ 6 * 111 }}" in r.subject and "666" not in r.subject
    assert "{{ 7 * 7 }}" in r.body and "49" not in r.body
    assert "{% for x in range(3) %}" in r.body and "012" not in r.body and "__mro__ }}" in r.body


@pytest.mark.parametrize(
    ("language", "held", "why", "command"),
    [
        ("nl", "unverified", "vals afzenderadres", "Bevestig melder"),
        ("nl", "busy", "buiten de\norganisatie", "Bevestig melder"),
        ("en", "unverified", "false sender address", "Confirm reporter"),
        ("en", "busy", "outside the organisation", "Confirm reporter"),
    ],
)
def test_officer_notice_says_why_the_acknowledgement_waits(language: str, held: str, why: str, command: str) -> None:
    r = Renderer(AMS).render(
        language,
        "officer_new_case",
        case=case(),
        attachments=[],
        acknowledged=False,
        not_acknowledged_reason="",
        held=held,
    )
    assert why in r.body and f"\n{command}\n" in r.body
    assert "unverified" not in r.body and "busy" not in r.body


@pytest.mark.parametrize("language", ["nl", "en"])
def test_officer_notice_has_the_facts(language: str) -> None:
    r = Renderer(AMS).render(
        language, "officer_new_case", case=case(), attachments=[], acknowledged=True, not_acknowledged_reason=""
    )
    assert r.subject.startswith("[DL-2026-0042] ")
    month = "november" if language == "nl" else "November"
    for fact in ("jan@example.org", f"20 {month} 2026, 17:00", f"23 {month} 2026, 17:00", "cliëntdossiers"):
        assert fact in r.body


@pytest.mark.parametrize(("language", "note"), [("nl", "nog 30000 tekens"), ("en", "30000 more characters")])
def test_officer_notice_carries_an_excerpt_of_a_long_report(language: str, note: str) -> None:
    """A 50,000-character report: the notice to each officer carries the first 20,000 and says
    where the rest is, instead of a copy of everything per officer."""
    c = case()
    c.description = "begin " + "x" * (50_000 - 12) + " einde"
    r = Renderer(AMS).render(
        language, "officer_new_case", case=c, attachments=[], acknowledged=True, not_acknowledged_reason=""
    )
    assert "begin " in r.body and " einde" not in r.body
    assert f"{note}; " in r.body and "mailbot show DL-2026-0042]" in r.body
    assert len(r.body) < 22_000


def test_override_folder_wins(tmp_path: Path) -> None:
    (tmp_path / "nl").mkdir()
    (tmp_path / "nl" / "reporter_acknowledgement.txt").write_text(
        "{% block subject %}Eigen tekst {{ case.kenmerk }}{% endblock %}{% block body %}Hallo{% endblock %}"
    )
    r = Renderer(AMS, tmp_path).render(
        "nl", "reporter_acknowledgement", case=case(), questions=QUESTIONS, original_subject="x", sender_name="M"
    )
    assert (r.subject, r.body) == ("Eigen tekst DL-2026-0042", "Hallo\n")
    other = Renderer(AMS, tmp_path).render(
        "nl", "officer_new_case", case=case(), attachments=[], acknowledged=True, not_acknowledged_reason=""
    )
    assert "Nieuwe melding" in other.subject


def test_composed_headers() -> None:
    mid = new_message_id("meldpunt@example.org")
    raw = compose(
        sender="meldpunt@example.org",
        sender_name="Meldpunt datalekken",
        recipient="jan@example.org",
        subject="[DL-2026-0042] Ontvangstbevestiging: café",
        body="Beste Jan,\n\nDank u — groet.\n",
        message_id=mid,
        date=NOW,
        language="nl",
        auto_submitted="auto-replied",
        in_reply_to="<orig@example.org>",
        references=("<orig@example.org>",),
        kenmerk="DL-2026-0042",
    )
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Message-ID"] == mid and mid.endswith("@example.org>")
    assert msg["In-Reply-To"] == "<orig@example.org>" and msg["References"] == "<orig@example.org>"
    assert msg["Auto-Submitted"] == "auto-replied" and msg["X-Auto-Response-Suppress"] == "All"
    assert msg["Subject"] == "[DL-2026-0042] Ontvangstbevestiging: café"
    assert msg.get_content().replace("\r\n", "\n") == "Beste Jan,\n\nDank u — groet.\n"
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_message_ids_are_random() -> None:
    ids = {new_message_id("meldpunt@example.org") for _ in range(1000)}
    assert len(ids) == 1000 and all(len(i) > 30 for i in ids)


def test_non_ascii_subject_and_name_are_encoded_words() -> None:
    """Headers are ASCII on the wire; a long non-ASCII subject folds between encoded words and
    reads back exactly, with single spaces."""
    subject = "[DL-2026-0042] Ontvangstbevestiging: lijst met cliënten — " + "heel lang onderwerp " * 6
    raw = compose(
        sender="meldpunt@example.org",
        sender_name="Meldpunt Zoë",
        recipient="jan@example.org",
        subject=subject.strip(),
        body="x",
        message_id="<m@example.org>",
        date=NOW,
        language="nl",
        auto_submitted="auto-generated",
    )
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and all(len(line) <= 78 for line in head.split(b"\r\n"))
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == subject.strip()
    assert msg["From"].addresses[0].display_name == "Meldpunt Zoë"


def test_international_recipient_and_non_ascii_message_ids() -> None:
    """A reporter at an international address still gets mail: the domain in IDNA form, a
    non-ASCII local part as UTF-8 (sent with SMTPUTF8); a Message-ID with non-ASCII in it is
    left out of the thread instead of making the mail impossible to write."""
    raw = compose(
        sender="meldpunt@example.org",
        sender_name="Meldpunt",
        recipient="zoë@bücher.example",
        subject="x",
        body="x",
        message_id="<m@example.org>",
        date=NOW,
        language="nl",
        auto_submitted="auto-replied",
        in_reply_to="<zoë@bücher.example>",
        references=("<a@example.org>", "<zoë@bücher.example>"),
    )
    head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8")
    assert "To: zoë@xn--bcher-kva.example\r\n" in head
    assert "In-Reply-To" not in head and "References: <a@example.org>\r\n" in head
    assert mail_address("jan@example.org") == "jan@example.org"


@pytest.mark.parametrize(
    ("address", "fault"),
    [
        ("jan@example.org", None),
        ("j.de-vries+datalek@example.org", None),
        ("jösé@bücher.example", None),  # sent with SMTPUTF8 where the server offers it
        ('"jan.de.vries"@example.org', None),
        ("jan@[192.0.2.1]", None),
        ("jan@example.org\r\nRCPT TO:<x@example.org>", "contains an invisible control character (U+000D)"),
        ("jan@example.org\n", "contains an invisible control character (U+000A)"),
        ("jan\x00@example.org", "contains an invisible control character (U+0000)"),
        ("jan\x85@example.org", "contains an invisible control character (U+0085)"),
        ("jan\u202e@example.org", "contains an invisible control character (U+202E)"),
        ("jan@example.org, piet@example.org", "is not a single e-mail address"),
        ("Jan <jan@example.org>", "is not a single e-mail address"),
        ("jan@example.org>", "is not a single e-mail address"),
        ("jan@@example.org", "is not a single e-mail address"),
        ("jan@", "is not a single e-mail address"),
        ("jan..piet@example.org", "is not a single e-mail address"),
        ("", "is not a single e-mail address"),
    ],
)
def test_address_fault(address: str, fault: str | None) -> None:
    assert address_fault(address) == fault


def test_shown_address_writes_control_characters_as_their_code() -> None:
    assert shown_address("jan@example.org\r\nRCPT") == "jan@example.org<U+000D><U+000A>RCPT"
    assert shown_address("jösé@example.org") == "jösé@example.org"


@pytest.mark.parametrize(
    ("language", "command", "empty", "count", "cause"),
    [
        ("nl", "Overnemen", "(leeg)", "Aantal personen", "Oorzaak"),
        ("en", "Accept", "(empty)", "Number of people", "Cause"),
    ],
)
def test_unbound_reply_notice_offers_the_answers(
    language: str, command: str, empty: str, count: str, cause: str
) -> None:
    r = Renderer(AMS).render(
        language,
        "officer_reporter_replied",
        case=case(),
        sender="jan@example.org",
        changes=[],
        proposed=[("affected_count", 30, 5000), ("cause", None, "de kluis stond open")],
        bound=False,
        unplaced=["Groet, Jan"],
        missing=[],
        written="",
    )
    thousands = "5.000" if language == "nl" else "5,000"
    assert f"{count}: 30 → {thousands}" in r.body and f"{cause}: {empty} → de kluis stond open" in r.body
    assert "affected_count" not in r.body
    assert f"e-mail met: {command}\n" in r.body or f"this mail with: {command}\n" in r.body
    assert "free text" not in r.body and "vrije tekst" not in r.body
