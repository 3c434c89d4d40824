"""When something happened, read from how people write it, in Dutch or English.

``20-11-2026 14:00``, ``20/11 om 14.00 uur``, ``20 november``, ``gisteren rond 15:00``,
``yesterday at 3pm``, ``2026-11-20T14:00``, ``afgelopen vrijdag rond vier uur``, ``vorige week
dinsdag``, ``ca. half elf``. Pure: the moment the text is read against (the mail's date) and the
time zone are passed in. A date without a year is the latest such date not after the reference;
a weekday is the latest such day (``afgelopen``/``vorige``/``last``: before the reference's day;
``vorige week``: in the week before); a date without a time is returned as a date. Of the
relative words the first one written counts ("vorige week dinsdag, gisteren nog gezien").
An hour from 1 to 6 without "'s nachts", "vannacht", "'s ochtends" or am/pm is read as the
afternoon: that is when people at work write "rond drie uur".

Number words ("drie uur", "half elf") are read by text2num (``alpha2digit``). dateparser 1.5
(``search_dates``, nl and en, the mail's date as ``RELATIVE_BASE``, ``PREFER_DATES_FROM`` past)
was measured on the moments in tests/data/replies: 29 of 62 right against 61 of 62 here, 25
times slower. It drops the time from "gisteren rond 15:00" (keeps the mail's), reads "1-12" as
12 January, "30 november om 8.30 uur" as 8 November, and does not know "half elf".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from text_to_num import alpha2digit

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
    "gisteravond": -1, "gistermiddag": -1, "gisterochtend": -1, "gistermorgen": -1, "gisternacht": -1,
    "last night": -1,
}  # fmt: skip
WEEKDAYS = {
    "maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5, "zondag": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_RELATIVE = "|".join(sorted(RELATIVE, key=len, reverse=True))

_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2}))?")
_NUMERIC = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:e|ste|de)?\s+({_MONTH})\.?(?:\s+(\d{{4}}))?\b", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?(?:\s+(\d{{4}}))?\b", re.IGNORECASE)
_REL = re.compile(rf"\b({_RELATIVE})\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    rf"\b(?:(vorige week|last week|afgelopen|vorige|jl\.?|last)\s+)?({'|'.join(WEEKDAYS)})"
    r"(?:avond|middag|ochtend|morgen|nacht)?\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"(?:\b(?:om|rond|omstreeks|ongeveer|tussen|at|around|about|~)\s*)?\b(\d{1,2})(?:[:.](\d{2}))?\s*"
    r"(uur|u\b|am|pm|a\.m\.|p\.m\.)?",
    re.IGNORECASE,
)
_HALF = re.compile(r"\bhalf\s+(\d{1,2})\b", re.IGNORECASE)
_NIGHT_OR_MORNING = re.compile(r"nacht|ochtend|morgen\b|vanmorgen|\bnight|morning|\bam\b|a\.m\.", re.IGNORECASE)
_AFTERNOON = re.compile(r"'s middags|'s avonds|vanmiddag|gistermiddag|avond|afternoon|evening", re.IGNORECASE)


_CHUNK = re.compile(r"(\s*)([^.,;:!?\s](?:[^.,;:!?\n]{0,198}[^.,;:!?\s])?)?(\s*)(.?)", re.DOTALL)


def number_words(text: str, language: str) -> str:
    """Number words as digits (text2num), a sentence part at a time: text2num takes time that grows
    faster than the text on a long run of number words, and a count is never longer than this."""
    return "".join(
        f"{before}{alpha2digit(words, language) if words else ''}{after}{mark}"
        for before, words, after, mark in _CHUNK.findall(text)
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


_TIME_WORD_BEFORE = re.compile(r"(om|rond|omstreeks|tussen|at|around|about|~)\s*$", re.IGNORECASE)
_UUR_AFTER = re.compile(r"\s*(uur|u)\b", re.IGNORECASE)


def _looks_like_time(text: str, m: re.Match[str]) -> bool:
    """``om 10.11`` and ``10.11 uur`` are times, not the 10th of November (``tussen 29-11`` is a date)."""
    # Looked for just around the match, not in copies of the rest: linear in the text.
    return "." in m[0] and bool(
        _TIME_WORD_BEFORE.search(text, max(0, m.start() - 12), m.start()) or _UUR_AFTER.match(text, m.end())
    )


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
    # Of the relative words and weekdays the first one written counts.
    relative = _REL.search(text)
    weekday = _WEEKDAY.search(text)
    if weekday and (relative is None or weekday.start() < relative.start()):
        return _weekday(weekday, ref), weekday.start(), weekday.end()
    if relative:
        return ref + timedelta(days=RELATIVE[relative[1].lower()]), relative.start(), relative.end()
    return None


def _weekday(m: re.Match[str], ref: date) -> date:
    """``vrijdag`` is the latest Friday up to the reference's day; ``afgelopen vrijdag`` the latest
    before it; ``vorige week dinsdag`` the Tuesday of the week before."""
    wanted, word = WEEKDAYS[m[2].lower()], (m[1] or "").lower()
    if word in ("vorige week", "last week"):
        return ref - timedelta(days=ref.weekday() + 7 - wanted)
    back = (ref.weekday() - wanted) % 7
    return ref - timedelta(days=back or (7 if word else 0))


def _find_time(text: str, whole: str) -> time | None:
    if half := _HALF.search(text):  # "half elf" is 10:30
        hour = int(half[1]) - 1
        if 0 <= hour < 24:
            return _afternoon(time(hour, 30), whole)
    for m in _TIME.finditer(text):
        hour, minute, suffix = int(m[1]), int(m[2]) if m[2] else None, (m[3] or "").lower().replace(".", "")
        if (
            minute is None
            and not suffix
            and not re.match(r"\s*(om|rond|omstreeks|tussen|at|around|about|~)", m[0], re.I)
        ):
            continue  # a bare number is not a time
        if suffix == "pm" and hour < 12:
            hour += 12
        if suffix == "am" and hour == 12:
            hour = 0
        if 0 <= hour < 24 and 0 <= (minute or 0) < 60:
            return (
                time(hour, minute or 0)
                if suffix in ("am", "pm")
                else _afternoon(time(hour, minute or 0), whole, minute is None)
            )
    return None


def _afternoon(moment: time, text: str, on_the_hour: bool = True) -> time:
    """``rond drie uur`` at work is 15:00; ``vannacht om 3 uur``, ``'s ochtends om 6 uur`` and
    ``02:39`` (minutes written: a 24-hour clock) are not."""
    if moment.hour >= 12 or _NIGHT_OR_MORNING.search(text):
        return moment
    if (on_the_hour and 1 <= moment.hour <= 6) or _AFTERNOON.search(text):
        return moment.replace(hour=moment.hour + 12)
    return moment


def parse_when(text: str, reference: datetime, tz: ZoneInfo) -> When | None:
    ref_local = reference.astimezone(tz)
    text = number_words(text, "nl")
    found = _find_date(text, ref_local.date())
    if found is None:
        return None
    day, start, end = found
    moment = _find_time(text[end:], text) or _find_time(text[:start], text)
    if moment is None:
        return When(day, None)
    return When(day, datetime.combine(day, moment, tzinfo=tz))
