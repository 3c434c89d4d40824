"""The reporter's answers to the questionnaire, read from a reply.

Pure. People answer in three ways, all understood: numbered like the questions (``1.``,
``2)``), labelled (``Aantal betrokkenen: 25``), or inline under the quoted questions. What
cannot be placed under a question is returned as free text, never dropped. Counts become a
number or a min–max range; moments are read in the organisation's time zone against the
mail's date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mailbot.core.dates import parse_when
from mailbot.core.questionnaire import QUESTIONS
from mailbot.core.quotes import is_quoted, split_reply, unquote

FIELDS = tuple(q.field for q in QUESTIONS)
SINGLE_LINE = ("affected_count", "occurred_at")

# Labels people use, Dutch and English, lower case; the question texts count as labels too.
LABELS: dict[str, tuple[str, ...]] = {
    "description": ("wat is er gebeurd", "wat is er precies gebeurd", "omschrijving", "beschrijving", "wat",
                    "what happened", "description"),
    "data_types": ("persoonsgegevens", "soort gegevens", "soorten gegevens", "gegevens", "welke gegevens",
                   "type gegevens", "data", "personal data", "data types", "kind of data"),
    "affected_count": ("aantal betrokkenen", "aantal personen", "aantal mensen", "hoeveel personen",
                       "hoeveel mensen", "aantal", "betrokkenen aantal", "number of people", "how many",
                       "affected count", "count"),
    "affected_group": ("groep", "doelgroep", "welke groep", "groep betrokkenen", "betrokken groep", "group",
                       "affected group", "who"),
    "cause": ("oorzaak", "cause", "reason"),
    "occurred_at": ("wanneer", "datum", "tijdstip", "datum en tijd", "datum/tijd", "moment", "when", "date",
                    "date and time", "time"),
    "affected_contacts": ("contactgegevens betrokkenen", "contactgegevens van de betrokkenen", "betrokkenen",
                          "contact details of the people affected", "affected contacts"),
    "reporter_contact": ("mijn contactgegevens", "uw contactgegevens", "uw eigen contactgegevens",
                         "contactgegevens melder", "telefoon", "telefoonnummer", "tel", "mobiel", "bereikbaar op",
                         "my contact details", "phone", "phone number", "reporter contact"),
}  # fmt: skip

_NUMBERED = re.compile(r"^\s*(\d{1,2})\s*[.):\]]\s+(.*)$|^\s*(\d{1,2})\s*[.):\]]\s*$")
_LABELLED = re.compile(r"^\s*([^\W\d_][\w ()/'’-]{0,60}?)\s*[:=]\s*(.*)$")
_NUMBER = re.compile(r"\d{1,3}(?:[.\s]\d{3})+(?!\d)|\d+")
# A range is "<number> <separator> <number>"; a number is a run of digits, dots and spaces.
_NUMBER_RUN = re.compile(r"\d[\d.\s]*")
_RANGE_REST = re.compile(r"(?:-|–|—|tot|à|a|en|and|to)\s*(\d[\d.\s]*)", re.IGNORECASE)
MAX_DIGITS = 15  # a count longer than this is no count (and int() of thousands of digits is slow)
_AT_LEAST = re.compile(r"\b(meer dan|ruim|minstens|minimaal|at least|more than|over)\b", re.IGNORECASE)


def _norm(text: str) -> str:
    return re.sub(r"[\s?:.*_]+", " ", text.lower()).strip()


_LABEL_INDEX: dict[str, str] = {}
for _field, _labels in LABELS.items():
    for _label in _labels:
        _LABEL_INDEX[_norm(_label)] = _field
for _q in QUESTIONS:
    _LABEL_INDEX[_norm(_q.nl)] = _q.field
    _LABEL_INDEX[_norm(_q.en)] = _q.field


def field_for_label(label: str) -> str | None:
    return _LABEL_INDEX.get(_norm(label))


def _question_in(line: str) -> str | None:
    """The field whose question a (quoted) line repeats, e.g. ``> 3. Over hoeveel personen gaat het?``."""
    text = _norm(re.sub(r"^\s*\d{1,2}\s*[.)]\s*", "", line))
    for q in QUESTIONS:
        if text and (text == _norm(q.nl) or text == _norm(q.en)):
            return q.field
    return None


def _strip_question(field_name: str, text: str) -> str:
    """``Wat is er precies gebeurd? Laptop kwijt`` → ``Laptop kwijt``."""
    q = next(q for q in QUESTIONS if q.field == field_name)
    for question in (q.nl, q.en):
        if text.lower().startswith(question.lower()):
            return text[len(question) :].lstrip(" :-\n")
    return text


def _to_int(raw: str) -> int | None:
    digits = re.sub(r"[.\s]", "", raw)
    return int(digits) if len(digits) <= MAX_DIGITS else None


def _range(text: str) -> tuple[str, str] | None:
    """The first ``a - b`` (``tussen a en b``, ``a tot b``, ...) in the text.

    Each run of digits, dots and spaces is read once: the separator can only follow a run's
    end, so a run either starts a range from its first digit or from none of them. (One
    regular expression trying every digit as a start read a long run once per digit.)"""
    for run in _NUMBER_RUN.finditer(text):
        if rest := _RANGE_REST.match(text, run.end()):
            return run[0].rstrip(), rest[1]
    return None


def parse_count(text: str) -> int | dict[str, int | None] | None:
    """``25`` → 25; ``tussen 100 en 200`` / ``100-200`` → {min, max}; ``meer dan 50`` → {min: 50, max: None}."""
    if found := _range(text):
        a, b = _to_int(found[0]), _to_int(found[1])
        if a is not None and b is not None and a < b:
            return {"min": a, "max": b}
    first = _NUMBER.search(text)
    value = _to_int(first[0]) if first else None
    if value is None:
        return None
    if _AT_LEAST.search(text):
        return {"min": value, "max": None}
    return value


@dataclass
class Extraction:
    answers: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    unplaced: list[str] = field(default_factory=list)


def normalise(field_name: str, text: str, reference: datetime, tz: ZoneInfo) -> Any:
    """The stored value of an answer: a number or range, an ISO moment or date, else the text."""
    text = text.strip()
    if field_name == "affected_count":
        count = parse_count(text)
        return count if count is not None else text
    if field_name == "occurred_at":
        when = parse_when(text, reference, tz)
        return when.isoformat() if when else text
    return text


def _collect(lines: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Numbered and labelled answers in unquoted text; the rest is free text."""
    found: dict[str, list[str]] = {}
    free: list[str] = []
    current: str | None = None
    for line in lines:
        numbered = _NUMBERED.match(line)
        if numbered:
            n = int(numbered[1] or numbered[3])
            if 1 <= n <= len(QUESTIONS):
                current = QUESTIONS[n - 1].field
                found.setdefault(current, []).append(numbered[2] or "")
                continue
        labelled = _LABELLED.match(line)
        if labelled and (name := field_for_label(labelled[1])):
            current = name
            found.setdefault(current, []).append(labelled[2])
            continue
        if not line.strip():
            # An answer ends with its paragraph: a closing ("Groet, Jan") after a blank line is
            # free text, not part of the last answer.
            if current is not None and any(found[current]):
                current = None
            continue
        if current is not None:
            found[current].append(line.strip())
        else:
            free.append(line.strip())
    return found, free


def _inline(text: str) -> dict[str, list[str]]:
    """Answers typed under the quoted questions."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.replace("\r\n", "\n").split("\n"):
        if is_quoted(line):
            current = _question_in(unquote(line))
            continue
        if current is not None and line.strip():
            found.setdefault(current, []).append(line.strip())
    return found


def extract_answers(body: str, reference: datetime, tz: ZoneInfo) -> Extraction:
    reply = split_reply(body)
    found, free = _collect(reply.written.split("\n"))
    for name, lines in _inline(body).items():
        found.setdefault(name, lines)
    result = Extraction()
    for name in FIELDS:
        if name not in found:
            continue
        lines = [line for line in found[name] if line.strip()]
        if name in SINGLE_LINE and len(lines) > 1:
            # A count or a moment is one line; what follows it is kept as free text, not lost
            # in the normalised value.
            free.extend(lines[1:])
            lines = lines[:1]
        text = _strip_question(name, "\n".join(lines).strip())
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        if not text or text in ("-", "?"):
            continue
        result.raw[name] = text
        result.answers[name] = normalise(name, text, reference, tz)
    result.unplaced = [line for line in free if line]
    return result
