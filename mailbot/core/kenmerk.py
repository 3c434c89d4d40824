"""The case reference (*kenmerk*): ``PREFIX-YYYY-NNNN``, a sequence per year."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo


def format_kenmerk(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}-{year}-{seq:04d}"


def kenmerk_year(received_at: datetime, tz: ZoneInfo) -> int:
    """The year of receipt in the organisation's time zone (a report at 00:30 on 1 January counts there)."""
    return received_at.astimezone(tz).year


def find_kenmerken(text: str, prefix: str) -> list[str]:
    """Every kenmerk in a text (usually a subject), normalised to upper case, in order."""
    pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(prefix)}-(\d{{4}})-(\d{{4,}})(?!\d)", re.IGNORECASE)
    return [f"{prefix.upper()}-{m.group(1)}-{m.group(2)}" for m in pattern.finditer(text)]
