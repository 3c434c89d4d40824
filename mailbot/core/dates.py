"""When something happened, read from how people write it, in Dutch or English.

``20-11-2026 14:00``, ``20/11 om 14.00 uur``, ``20 november``, ``gisteren rond 15:00``,
``yesterday at 3pm``, ``2026-11-20T14:00``. Pure: the moment the text is read against (the
mail's date) and the time zone are passed in. A date without a year is the latest such date
not after the reference; a date without a time is returned as a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTHS = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "februari": 2, "february": 2,
    "mrt": 3, "maart": 3, "mar": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "augustus": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oktober": 10, "oct": 10, "october": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
RELATIVE = {
    "eergisteren": -2, "day before yesterday": -2, "gisteren": -1, "yesterday": -1,
    "vandaag": 0, "today": 0, "vanochtend": 0, "vanmorgen": 0, "vanmiddag": 0, "vanavond": 0,
    "this morning": 0, "this afternoon": 0, "this evening": 0, "vannacht": 0, "tonight": 0,
}  # fmt: skip
_RELATIVE = "|".join(sorted(RELATIVE, key=len, reverse=True))

_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2}))?")
_NUMERIC = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:e|ste|de)?\s+({_MONTH})\.?(?:\s+(\d{{4}}))?\b", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?(?:\s+(\d{{4}}))?\b", re.IGNORECASE)
_REL = re.compile(rf"\b({_RELATIVE})\b", re.IGNORECASE)
_TIME = re.compile(
    r"(?:\b(?:om|rond|omstreeks|ongeveer|at|around|about|~)\s*)?\b(\d{1,2})(?:[:.](\d{2}))?\s*(uur|u\b|am|pm|a\.m\.|p\.m\.)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class When:
    """A moment (``at``) when a time was given, else only a day."""

    day: date
    at: datetime | None

    def isoformat(self) -> str:
        return self.at.isoformat() if self.at else self.day.isoformat()


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _year_for(month: int, day: int, ref: date) -> int:
    candidate = _valid(ref.year, month, day)
    return ref.year - 1 if candidate is not None and candidate > ref else ref.year


_TIME_WORDS = ("om", "rond", "omstreeks", "at", "around", "about", "~")
_HOUR_AFTER = re.compile(r"\s*(uur|u)\b", re.IGNORECASE)


def _looks_like_time(text: str, m: re.Match[str]) -> bool:
    """``om 10.11`` and ``10.11 uur`` are times, not the 10th of November.

    Only the white space and the word right before the match are read, never the whole text
    before it: this runs for every number pair in the text."""
    before = m.start()
    while before > 0 and text[before - 1].isspace():
        before -= 1
    word = text[max(0, before - 9) : before].lower()
    return word.endswith(_TIME_WORDS) or bool(_HOUR_AFTER.match(text, m.end()))


def _find_date(text: str, ref: date) -> tuple[date, int, int] | None:
    """The date in the text and where it starts and ends (a time is looked for around it)."""
    if m := _ISO.search(text):
        d = _valid(int(m[1]), int(m[2]), int(m[3]))
        if d:
            return d, m.start(), m.start(4) if m[4] else m.end()
    for m in _NUMERIC.finditer(text):
        if not m[3] and _looks_like_time(text, m):
            continue
        day, month = int(m[1]), int(m[2])
        year = int(m[3]) if m[3] else _year_for(month, day, ref)
        year = year + 2000 if year < 100 else year
        d = _valid(year, month, day)
        if d:
            return d, m.start(), m.end()
    if m := _DAY_MONTH.search(text):
        month, day = MONTHS[m[2].lower()], int(m[1])
        d = _valid(int(m[3]) if m[3] else _year_for(month, day, ref), month, day)
        if d:
            return d, m.start(), m.end()
    if m := _MONTH_DAY.search(text):
        month, day = MONTHS[m[1].lower()], int(m[2])
        d = _valid(int(m[3]) if m[3] else _year_for(month, day, ref), month, day)
        if d:
            return d, m.start(), m.end()
    if m := _REL.search(text):
        return ref + timedelta(days=RELATIVE[m[1].lower()]), m.start(), m.end()
    return None


def _find_time(text: str) -> time | None:
    for m in _TIME.finditer(text):
        hour, minute, suffix = int(m[1]), int(m[2]) if m[2] else None, (m[3] or "").lower().replace(".", "")
        if minute is None and not suffix and not re.match(r"\s*(om|rond|omstreeks|at|around|about|~)", m[0], re.I):
            continue  # a bare number is not a time
        if suffix == "pm" and hour < 12:
            hour += 12
        if suffix == "am" and hour == 12:
            hour = 0
        if 0 <= hour < 24 and 0 <= (minute or 0) < 60:
            return time(hour, minute or 0)
    return None


def parse_when(text: str, reference: datetime, tz: ZoneInfo) -> When | None:
    ref_local = reference.astimezone(tz)
    found = _find_date(text, ref_local.date())
    if found is None:
        return None
    day, start, end = found
    moment = _find_time(text[end:]) or _find_time(text[:start])
    if moment is None:
        return When(day, None)
    return When(day, datetime.combine(day, moment, tzinfo=tz))
