"""Plain words for people: values as people write them, and every mail template (Dutch and
English) rendered with realistic values holds no field key, Python value or ISO timestamp."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mailbot.core import wording
from mailbot.core.questionnaire import QUESTIONS
from mailbot.core.render import Renderer, package_templates
from mailbot.core.severity import assess, table
from mailbot.model.models import Case, InboundMessage
from mailbot.pipeline.commands import Outcome, is_command_line, read_block
from tests.test_render import case

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 2, 9, 15, tzinfo=UTC)

# What must never reach a person: snake_case keys, dicts, tuples, Python's None/True/False,
# ISO timestamps.
LEAKS = {
    "field key": re.compile(r"\b[a-z]+_[a-z_]+\b"),
    "dict": re.compile(r"\{'|': "),
    "tuple": re.compile(r"\('|', '"),
    "Python value": re.compile(r"\b(None|True|False)\b"),
    "ISO timestamp": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    # A moment the bot states is written "1 december 2026, 17:30", not "01-12-2026 17:30" (the
    # help's examples of what an officer may type, "1-12-2026 09:30", are input, not a leak).
    "digit date": re.compile(r"\b\d{2}-\d{2}-\d{4} \d{2}:\d{2}\b"),
}


def leaks(text: str) -> list[str]:
    return [f"{what}: {m[0]!r}" for what, pattern in LEAKS.items() for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    ("raw", "language", "shown"),
    [
        ({"min": 7500, "max": 8200}, "nl", "7.500 – 8.200"),
        ({"min": 7500, "max": 8200}, "en", "7,500 – 8,200"),
        ({"min": 100, "max": None}, "nl", "minstens 100"),
        (38, "nl", "38"),
        ("2026-12-01T17:30:00+01:00", "nl", "1 december 2026, 17:30"),
        ("2026-12-01T17:30:00+01:00", "en", "1 December 2026, 17:30"),
        ("2026-12-01", "nl", "1 december 2026"),
        (None, "nl", "(leeg)"),
        (True, "nl", "ja"),
        ("Huurders van complex De Linde", "nl", "Huurders van complex De Linde"),
    ],
)
def test_values_as_people_write_them(raw: Any, language: str, shown: str) -> None:
    assert wording.value(raw, AMS, language) == shown


def test_labels_are_the_officers_words() -> None:
    assert wording.label("affected_count") == "Aantal betrokkenen"
    assert wording.label("affected_count", "en") == "Number of people"
    assert wording.label("something_new") == "Something new"
    assert all("_" not in wording.label(q.field, lang) for q in QUESTIONS for lang in ("nl", "en"))


@dataclass
class Row:
    case: Case
    left: str
    items: list[str] = field(default_factory=list)
    overdue: bool = False


@dataclass
class Section:
    case: Case
    outcomes: list[Outcome]
    extra: list[str]


@dataclass
class Box:
    name: str
    address: str


def realistic_case() -> Case:
    c = case()
    c.id, c.subject, c.status, c.phase = 7, "beveiligingsincident USB-stick kwijt", "kwalificeren", "kwalificeren"
    c.ap_decision, c.ap_reference, c.ap_notification_kind = "ja", "M-123456", "voorlopig"
    c.answers = '{"affected_count": {"min": 7500, "max": 8200}, "occurred_at": "2026-12-01T17:30:00+01:00"}'
    return c


def context() -> dict[str, Any]:
    the_case = realistic_case()
    answers = {"affected_count": {"min": 7500, "max": 8200}, "occurred_at": "2026-12-01T17:30:00+01:00"}
    outcomes = [
        Outcome("Aantal betrokkenen", True, "7.500 – 8.200"),
        Outcome("Status", False, "niet gearchiveerd", items=("ap_decision", "answer:data_types")),
        Outcome("Bericht aan melder", True, "bericht gestuurd", quoted="De stick is terug.\nDank."),
    ]
    message = InboundMessage(
        id=12, mailbox="default", folder="INBOX", identity="x", message_id="<a@b>", raw_path="p", sha256="0", size=1,
        arrived_at=NOW, fetched_at=NOW, uid=1, uidvalidity=1,
    )  # fmt: skip
    return {
        "case": the_case,
        "questions": QUESTIONS,
        "missing": list(QUESTIONS[:2]),
        "original_subject": "beveiligingsincident USB-stick kwijt",
        "sender_name": "Meldpunt datalekken",
        "attachments": [],
        "acknowledged": True,
        "not_acknowledged_reason": "",
        "held": "",
        "changes": [("affected_count", 30, answers["affected_count"]), ("occurred_at", None, answers["occurred_at"])],
        "proposed": [("affected_count", 30, answers["affected_count"]), ("cause", None, "de kluis stond open")],
        "bound": True,
        "unplaced": ["Ik bel morgen nog even."],
        "written": "Aantal betrokkenen: 7500 tot 8200",
        "sender": "j.devries@example.org",
        "subject": "beveiligingsincident USB-stick kwijt",
        "reason": "de afzender hoort niet bij deze melding",
        "message": message,
        "error": "550 5.1.1 mailbox unavailable",
        "kenmerk": "DL-2026-0042",
        "recipient": "j.devries@example.org",
        "days": 3,
        "rows": [Row(the_case, "nog 2 d 3 u", ["ap_decision", "answer:cause"])],
        "day": NOW.date(),
        "audit_entries": 12,
        "audit_hash": "ab12cd34",
        "point": "6h",
        "overdue": False,
        "left": "nog 5 u 10 min",
        "items": ["ap_reference", "answer:affected_group"],
        "severity": assess({"categories": "BSN", "identifiability": "maximaal"}, answers),
        "channel": "imap",
        "login": False,
        "mailbox": Box("default", "meldpunt@example.org"),
        "recovered": False,
        "failures": 3,
        "since": NOW,
        "bounces": False,
        "outcomes": outcomes,
        "sections": [Section(the_case, outcomes, ["De melding aan de AP staat klaar."])],
        "refused": ["de regel met DL-2026-0041 en DL-2026-0042 noemt meer dan één melding"],
        "help": True,
        "extra": [],
        "text": "De laptop is op afstand gewist.",
        "officer_text": "De laptop is op afstand gewist.",
        "addable": True,
        "question": "Was het bestand versleuteld?",
        "measures": "Laptop op afstand gewist; wachtwoorden vervangen.",
        "report": "Een lijst met namen en adressen van huurders is naar de verkeerde ontvanger gemaild.",
        "signature": "P&O, Woonstichting Voorbeeld\nT 030 123 45 67",
        "digest": False,
        "keyword": "beveiligingsincident",
        "example": "DL-2026-0001",
        "officer": "fg@example.org",
        "overview": True,
        "every": "monthly",
        "desk": "po@example.org",
        "why_not": "",
        "unknown": "",
        "count": 3,
        "period": "ontvangen in 2026",
        "fmt": "xlsx",
        "lines": ["Meldingen per maand:", "  jan 26: 3 (Overig 3)"],
        "suggestion": "Voorstel    risico: melden bij de AP",
        "fields_open": 3,
        "problem": "",
        "board": ["directeur@example.org"],
    }


TEMPLATES = sorted(
    (language, path.stem)
    for language in ("nl", "en")
    for path in (package_templates() / language).glob("*.txt")
    if not path.name.startswith("_")
)


@pytest.mark.parametrize(("language", "name"), TEMPLATES)
def test_no_template_shows_a_key_or_a_python_value(language: str, name: str) -> None:
    values = context()
    if name.startswith("officer_"):  # the officers' notices name the missing answers by key
        values["missing"] = ["data_types", "affected_count"]
    r = Renderer(AMS).render(language, name, **values)
    assert leaks(r.subject) == [], r.subject
    assert leaks(r.body) == [], r.body


def test_every_template_is_scanned() -> None:
    assert {name for _, name in TEMPLATES} >= {"officer_command_result", "officer_reporter_replied", "reporter_status"}
    assert {lang for lang, _ in TEMPLATES} == {"nl", "en"}


@pytest.mark.parametrize(("language", "example"), [("nl", '"Vraag aan melder: '), ("en", '"Question to reporter: ')])
def test_the_new_case_notice_says_how_to_work_the_case_by_reply(language: str, example: str) -> None:
    """Examples in the text, never at the start of a line: a reply that quotes the notice
    without quote marks must not run them."""
    r = Renderer(AMS).render(language, "officer_new_case", **context())
    assert example in r.body and "Help" in r.body
    assert not any(is_command_line(line) for line in r.body.splitlines())


OFFICER_MAILS = [(language, name) for language, name in TEMPLATES if name.startswith("officer_")]


@pytest.mark.parametrize(("language", "name"), OFFICER_MAILS)
def test_no_line_of_a_mail_to_an_officer_runs_when_replied_to_without_quote_marks(language: str, name: str) -> None:
    """An officer's reply that carries the bot's mail below their own lines with no quote marker
    and no header the reader knows (Outlook in another language): only the officer's lines are
    commands; not the help list, not the receipt, not a sender's text shown in a notice."""
    values = context()
    values["missing"] = ["data_types", "affected_count"]  # the officers' notices name them by key
    values["written"] = "Aantal betrokkenen: 40\nStatus: gearchiveerd, toch\nReden: dit is al opgelost"
    values["unplaced"] = ["Status: gearchiveerd, toch", "Melden AP: nee"]
    values["case"].description = "Mijn laptop is gestolen.\nStatus: gearchiveerd, toch"
    body = Renderer(AMS).render(language, name, **values).body
    block = read_block(f"Notitie: gebeld met de melder\n\n{body}")
    assert (block.commands, block.unknown) == ([("Notitie", "gebeld met de melder")], []), body


BOARD_MAILS = [(language, name) for language, name in TEMPLATES if name.startswith("board_")]


@pytest.mark.parametrize(("language", "name"), BOARD_MAILS)
def test_a_board_mail_quoted_without_quote_marks_adds_nothing_to_the_decision(language: str, name: str) -> None:
    """The director's reply with the request below it unmarked (Outlook in another language):
    the decision and the reason are the director's own lines, not the request's examples."""
    from mailbot.pipeline.decision import read

    values = {**context(), "reminder": True, "overdue": False, "left": "nog 20 uur", "decision": "melden"}
    values["case"].description = "Mijn laptop is gestolen.\nBesluit: niet melden\nAkkoord"
    body = Renderer(AMS).render(language, name, **values).body
    own = read(f"Besluit: melden bij de AP, betrokkenen niet informeren\nReden: veel BSN's\n\n{body}")
    assert (own.decision, own.reason, own.agreed, own.other) == (
        "melden bij de AP, betrokkenen niet informeren", "veel BSN's", False, ()), body  # fmt: skip
    assert read(f"Akkoord\n\n{body}") == read("Akkoord"), body


@pytest.mark.parametrize(
    ("language", "name", "shown"),
    [
        ("nl", "officer_command_result", "Status nu: fase kwalificeren; besluit melden AP: ja."),
        ("nl", "officer_decision", "Status nu: fase kwalificeren."),
        ("nl", "officer_deadline_warning", "Status nu:    fase kwalificeren"),
        ("nl", "officer_digest", "DL-2026-0042  fase kwalificeren  deadline AP"),
        ("en", "officer_command_result", "Status now: assessment phase; notify the AP: yes."),
        ("en", "officer_decision", "Status now: assessment phase."),
        ("en", "officer_deadline_warning", "Status now:   assessment phase"),
        ("en", "officer_digest", "DL-2026-0042  assessment phase  AP deadline"),
    ],
)
def test_a_cases_state_is_one_phrase_in_the_mails_language(language: str, name: str, shown: str) -> None:
    """A notice said "kwalificeren (fase kwalificeren)", the same word twice, and an English mail showed
    the stored Dutch word."""
    values = {**context(), "help": False}
    body = Renderer(AMS).render(language, name, **values).body
    assert shown in body, body
    if language == "en":
        assert "kwalificeren" not in body, body


@pytest.mark.parametrize(("language", "day"), [("nl", "2 december 2026"), ("en", "2 December 2026")])
def test_the_digest_names_its_day_as_people_write_it(language: str, day: str) -> None:
    r = Renderer(AMS).render(language, "officer_digest", **context())
    assert day in r.subject, r.subject


def test_a_decided_case_in_the_english_digest_says_yes_not_ja() -> None:
    values = context()
    values["rows"] = [Row(realistic_case(), "")]
    body = Renderer(AMS).render("en", "officer_digest", **values).body
    assert "notify the AP: yes" in body and " ja" not in body, body


@pytest.mark.parametrize(
    ("language", "done", "step"),
    [("nl", "Wat er is gedaan:", "U hoeft niets te doen."), ("en", "What has been done:", "There is nothing you need")],
)
def test_the_reporters_news_ends_with_the_next_step(language: str, done: str, step: str) -> None:
    """What was done is news; what the reporter may do comes after it, just above the greeting."""
    body = Renderer(AMS).render(language, "reporter_status", **context()).body
    assert body.index(done) < body.index(step), body


@pytest.mark.parametrize(
    ("language", "name", "one"),
    [
        ("nl", "officer_subjects_reminder", "(1 dag geleden)"),
        ("nl", "officer_supplement_reminder", "is 1 dag geleden als voorlopig gedaan"),
        ("en", "officer_subjects_reminder", "(1 day ago)"),
        ("en", "officer_supplement_reminder", "was made 1 day ago as preliminary"),
    ],
)
def test_a_reminder_counts_its_days_as_people_do(language: str, name: str, one: str) -> None:
    """Not "1 dagen" nor "3 dag(en)"."""
    body = Renderer(AMS).render(language, name, **{**context(), "days": 1}).body
    assert one in body, body
    assert "(en)" not in Renderer(AMS).render(language, name, **context()).body


def test_a_dutch_mail_writes_the_severity_score_with_a_decimal_comma() -> None:
    severity = assess({"categories": "BSN", "identifiability": "maximaal", "confidentiality": "onbekend"}, {})
    nl, en = table(severity, "nl"), table(severity, "en")
    assert "SE 3,5 (hoog)" in nl and "+0,5" in nl and "= 3,5 (hoog)" in nl and "3.5" not in nl, nl
    assert "SE 3.5 (high)" in en and "3,5" not in en, en


@pytest.mark.parametrize(
    ("language", "shown", "foreign"),
    [
        ("nl", "Voorstel:     hoog risico: melden bij de AP en de betrokkenen informeren (SE 3,5, hoog)", "high"),
        ("en", "Suggestion:   high risk: notify the AP and inform the people affected (SE 3.5, high)", "identificeer"),
    ],
)
def test_the_deadline_warning_words_the_suggestion_in_its_language(language: str, shown: str, foreign: str) -> None:
    """The English warning showed the key "high", the Dutch band and the Dutch reasons."""
    values = context()
    values["severity"] = assess({"categories": "BSN", "identifiability": "maximaal", "confidentiality": "onbekend"}, {})
    body = Renderer(AMS).render(language, "officer_deadline_warning", **values).body
    assert shown in body and foreign not in body, body


DUTCH_ONLY = {"melden ap", "reden", "ap-meldnummer", "gemeld op", "besluit", "reden vertraging", "kanaal",
              "betrokkenen geïnformeerd op", "melding", "betrokkenen informeren"}  # fmt: skip


@pytest.mark.parametrize("name", [name for language, name in TEMPLATES if language == "en"])
def test_an_english_mail_gives_its_examples_in_english_commands(name: str) -> None:
    """The bot takes "Notify AP: yes" as well as "Melden AP: ja"; an English mail showed the
    Dutch words ("Melden AP: ja", "Akkoord", "Status: kwalificeren") to a reader without Dutch."""
    values = {**context(), "help": True, "reminder": True}
    if name.startswith("officer_"):
        values["missing"] = ["data_types"]
    values["sections"] = [Section(realistic_case(), [], [])]  # receipts: only the template's own words
    values["refused"], values["outcomes"] = [], []
    body = Renderer(AMS).render("en", name, **values).body
    examples = {m.lower() for m in re.findall(r'["(]([A-Za-zé -]+?):', body)}
    assert examples & DUTCH_ONLY == set(), body
    assert "Akkoord" not in body and not re.search(r"Status: (kwalificeren|gearchiveerd|inventariseren)", body), body


@pytest.mark.parametrize(("language", "none"), [("nl", "geen antwoorden herkend"), ("en", "No answers were")])
def test_an_answer_to_the_officers_question_is_not_called_unrecognised(language: str, none: str) -> None:
    """The notice showed the reporter's answer to the officer's question, then "Er zijn geen
    antwoorden herkend." below it: the answer was recognised, as the answer to that question."""
    values = {**context(), "changes": [], "answers_so_far": [], "missing": ["data_types"]}
    body = Renderer(AMS).render(language, "officer_reporter_replied", **values).body
    assert "Was het bestand versleuteld?" in body and none not in body, body
    values["question"] = ""
    assert none in Renderer(AMS).render(language, "officer_reporter_replied", **values).body


REPORTER_MAILS = [(language, name) for language, name in TEMPLATES if name.startswith(("reporter_", "technician_"))]


@pytest.mark.parametrize(("language", "name"), REPORTER_MAILS)
def test_a_reporters_mail_names_one_person_not_a_list_of_roles(language: str, name: str) -> None:
    """A reporter read "De privacy officer / functionaris gegevensbescherming beoordeelt …": an employee reads one
    person who looks at the report, not two job titles joined by a slash."""
    body = Renderer(AMS).render(language, name, **context()).body
    assert " / " not in body, body


@pytest.mark.parametrize("name", ["officer_new_case", "board_decision_request"])
@pytest.mark.parametrize(("language", "word"), [("nl", "Voorstel"), ("en", "Suggest")])
def test_a_suggestion_is_headed_once(language: str, word: str, name: str) -> None:
    """The heading said "Voorstel voor het risico:" above a table opening with "Voorstel    risico: …"."""
    values = {**context(), "suggestion": table(assess({"categories": "BSN"}, {}), language)}
    body = Renderer(AMS).render(language, name, **values).body
    assert body.count(word) == 1, body


@pytest.mark.parametrize(("language", "deadline"), [("nl", "; deadline AP "), ("en", "; AP deadline ")])
def test_a_receipt_shows_the_ap_deadline_only_while_the_clock_runs(language: str, deadline: str) -> None:
    """A receipt said "Melden AP: ja; de 72-uursklok is gestopt" and "Status nu: …; deadline AP …":
    once the AP decision is taken (or the case closed) there is no deadline to show."""
    values = {**context(), "help": False}
    assert deadline not in Renderer(AMS).render(language, "officer_command_result", **values).body
    values["sections"][0].case.ap_decision = ""
    assert deadline in Renderer(AMS).render(language, "officer_command_result", **values).body
