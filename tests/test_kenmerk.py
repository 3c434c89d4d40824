"""Kenmerk format, year of receipt in the organisation's time zone, and finding it in subjects."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from mailbot.core.kenmerk import find_kenmerken, format_kenmerk, kenmerk_year

AMS = ZoneInfo("Europe/Amsterdam")


def test_format() -> None:
    assert format_kenmerk("DL", 2026, 42) == "DL-2026-0042"
    assert format_kenmerk("DL", 2026, 12345) == "DL-2026-12345"


def test_year_is_local() -> None:
    """23:30 UTC on 31 December is already 1 January in Amsterdam."""
    assert kenmerk_year(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), AMS) == 2027
    assert kenmerk_year(datetime(2026, 12, 31, 22, 30, tzinfo=UTC), AMS) == 2026


def test_find() -> None:
    assert find_kenmerken("Re: [dl-2026-0042] Ontvangstbevestiging", "DL") == ["DL-2026-0042"]
    assert find_kenmerken("DL-2026-0001 en DL-2026-12345", "DL") == ["DL-2026-0001", "DL-2026-12345"]
    assert find_kenmerken("XDL-2026-0001 DL-2026-001 DL-26-0001", "DL") == []
