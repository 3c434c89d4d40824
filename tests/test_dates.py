"""Moments as people write them, read in Europe/Amsterdam against the mail's date."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from mailbot.core.dates import parse_when
from tests.linear import assert_linear

AMS = ZoneInfo("Europe/Amsterdam")
REF = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # Sunday 10:00 in Amsterdam


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20-11-2026 14:00", "2026-11-20T14:00:00+01:00"),
        ("20/11 om 14.00 uur", "2026-11-20T14:00:00+01:00"),
        ("20 november", "2026-11-20"),
        ("gisteren rond 15:00", "2026-11-21T15:00:00+01:00"),
        ("eergisteren", "2026-11-20"),
        ("vanochtend om 9.15", "2026-11-22T09:15:00+01:00"),
        ("om 10.11 uur gisteren", "2026-11-21T10:11:00+01:00"),
        ("20 nov. om 8 uur", "2026-11-20T08:00:00+01:00"),
        ("yesterday at 3pm", "2026-11-21T15:00:00+01:00"),
        ("November 20, 2026 at 2:30 pm", "2026-11-20T14:30:00+01:00"),
        ("2026-11-20T14:00", "2026-11-20T14:00:00+01:00"),
        ("21-11-26", "2026-11-21"),
        ("op 3 december", "2025-12-03"),  # no year: the last 3 December before the mail
        ("15 juli 2026 om 14:00", "2026-07-15T14:00:00+02:00"),  # summer time
    ],
)
def test_parse_when(text: str, expected: str) -> None:
    when = parse_when(text, REF, AMS)
    assert when is not None and when.isoformat() == expected


@pytest.mark.parametrize("text", ["geen idee", "25 mensen", "vorige week", "31-02-2026"])
def test_not_a_moment(text: str) -> None:
    assert parse_when(text, REF, AMS) is None


def test_relative_days_follow_the_local_date() -> None:
    """At 00:30 Amsterdam time it is still the previous day in UTC; "gisteren" is local."""
    ref = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    when = parse_when("gisteren", ref, AMS)
    assert when is not None and when.isoformat() == "2026-11-21"


def test_a_text_of_number_pairs_that_are_no_dates_is_read_in_linear_time() -> None:
    """Each ``99-99`` is checked for a time word before it without reading all the text before
    it again (48 KB of them took 18 s)."""
    assert_linear(lambda n: "99-99 " * (n // 6), lambda text: parse_when(text, REF, AMS))
    when = parse_when("99-99 om 10.11 op 12-11", REF, AMS)
    assert when is not None and when.isoformat() == "2026-11-12T10:11:00+01:00"
