"""Working days in the Netherlands: Monday to Friday, less the public holidays (New Year's Day,
Good Friday, Easter and Whit Monday, King's Day, Ascension Day, Christmas and, every fifth year,
Liberation Day) as the ``holidays`` package keeps them. Pure.

The periodic overview goes out on the first working day of its month or quarter: on New Year's
Day or Easter Monday nobody reads it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

PERIODS = ("monthly", "quarterly")


@cache
def _holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("NL", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def period_start(day: date, every: str) -> date:
    """The first day of the month (``monthly``) or the quarter (``quarterly``) ``day`` falls in."""
    month = day.month if every == "monthly" else 3 * ((day.month - 1) // 3) + 1
    return date(day.year, month, 1)


def first_working_day(start: date) -> date:
    day = start
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def months_before(start: date, months: int) -> date:
    """The first day of the month ``months`` months before ``start``'s month."""
    index = start.year * 12 + start.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)
