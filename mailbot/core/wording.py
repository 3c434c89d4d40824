"""Values as people write them: no field keys, no Python values, in any mail or receipt.

``affected_count`` → "Aantal betrokkenen", ``{"min": 7500, "max": 8200}`` → "7.500 – 8.200",
``2026-12-01T17:30:00+01:00`` → "1 december 2026, 17:30". Pure.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip

# The answer fields by the label an officer also uses to set them (commands/fields.py).
FIELD_LABELS = {
    "description": ("Wat is er gebeurd", "What happened"),
    "data_types": ("Persoonsgegevens", "Personal data"),
    "affected_count": ("Aantal betrokkenen", "Number of people"),
    "affected_group": ("Groep", "Group"),
    "cause": ("Oorzaak", "Cause"),
    "occurred_at": ("Wanneer", "When"),
    "affected_contacts": ("Contactgegevens betrokkenen", "Affected contacts"),
    "reporter_contact": ("Contactgegevens melder", "Phone"),
}

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?$")


def label(name: str, language: str = "nl") -> str:
    """The field's name for people; an unknown key is shown with spaces, never as a key."""
    nl, en = FIELD_LABELS.get(name, (name.replace("_", " ").capitalize(),) * 2)
    return nl if language == "nl" else en


def when(value: datetime | None, tz: ZoneInfo, language: str = "nl", time: bool = True) -> str:
    """``1 december 2026, 17:30`` (English: ``1 December 2026, 17:30``), in the organisation's zone."""
    if value is None:
        return ""
    local = value.astimezone(tz) if value.tzinfo else value
    return f"{day(local, language)}, {local:%H:%M}" if time else day(local, language)


def day(value: date, language: str = "nl") -> str:
    """A calendar day: ``2 december 2026`` (English: ``2 December 2026``)."""
    return f"{value.day} {MONTHS[language if language in MONTHS else 'en'][value.month - 1]} {value.year}"


def number(value: int | float, language: str = "nl") -> str:
    """7500 → ``7.500`` (Dutch) or ``7,500`` (English)."""
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,")) if language == "nl" else text


def value(raw: Any, tz: ZoneInfo, language: str = "nl") -> str:
    """Any stored answer as one would write it."""
    if raw is None or raw == "":
        return "(leeg)" if language == "nl" else "(empty)"
    if isinstance(raw, bool):
        return ("ja" if raw else "nee") if language == "nl" else ("yes" if raw else "no")
    if isinstance(raw, int | float):
        return number(raw, language)
    if isinstance(raw, datetime):
        return when(raw, tz, language)
    if isinstance(raw, dict) and ("min" in raw or "max" in raw):
        low, high = raw.get("min"), raw.get("max")
        if low is not None and high is not None:
            return f"{number(low, language)} – {number(high, language)}"
        if low is not None:
            return ("minstens " if language == "nl" else "at least ") + number(low, language)
        return ("hoogstens " if language == "nl" else "at most ") + number(high or 0, language)
    if isinstance(raw, dict):
        return "; ".join(f"{label(str(k), language)}: {value(v, tz, language)}" for k, v in raw.items())
    if isinstance(raw, list | tuple):
        return ", ".join(value(v, tz, language) for v in raw)
    text = str(raw)
    if _ISO.match(text.strip()):
        try:
            parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return text
        return when(parsed, tz, language, time="T" in text or " " in text.strip())
    return text
