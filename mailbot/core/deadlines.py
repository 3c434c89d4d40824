"""The AP's 72-hour clock: which warning is due, and how much time is left. Pure.

Art. 33(1) GDPR: notify the AP within 72 hours after becoming aware; wall-clock hours,
nights and weekends included. Deadlines are absolute moments (UTC), so daylight-saving
changes cannot move them.

Warnings fall at configured hours before the deadline, then at the deadline, then once a
day while overdue. Only the single most urgent warning that is due is ever sent: after
downtime the officers get the one that matters now, not a burst of stale ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta

DAY = timedelta(days=1)


def due_warning(deadline: datetime, now: datetime, warn_hours: tuple[int, ...], sent: set[str]) -> str | None:
    """The key of the most urgent warning due at ``now`` that is not in ``sent``, or None.

    Keys: ``48h``, ``24h``, ``6h`` … before the deadline, ``0h`` at it, ``overdue-1``,
    ``overdue-2`` … each further day past it.
    """
    if now >= deadline:
        days = int((now - deadline) / DAY)
        if days >= 1:
            key = f"overdue-{days}"
        elif 0 in warn_hours:
            key = "0h"
        else:
            return None
    else:
        passed = [h for h in warn_hours if h > 0 and now >= deadline - timedelta(hours=h)]
        if not passed:
            return None
        key = f"{min(passed)}h"
    return None if key in sent else key


_UNITS_NL = (("dag", "dagen"), ("uur", "uur"), ("minuut", "minuten"))
_UNITS_EN = (("day", "days"), ("hour", "hours"), ("minute", "minutes"))


def time_left(deadline: datetime, now: datetime, language: str = "nl") -> str:
    """``nog 5 uur en 10 minuten`` / ``2 uur en 3 minuten te laat``; days when it is more than
    two days. Written out: a director reads this once, not "2 d 23 u" every day."""
    delta = deadline - now
    late = delta < timedelta(0)
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, minutes = rest // 3600, (rest % 3600) // 60
    nl = language == "nl"
    units = _UNITS_NL if nl else _UNITS_EN
    counts = (days, hours, 0) if days >= 2 else (0, days * 24 + hours, minutes)
    words = [f"{n} {unit[n != 1]}" for n, unit in zip(counts, units, strict=True) if n]
    amount = (" en " if nl else " and ").join(words) or f"0 {units[2][1]}"
    if language == "nl":
        return f"{amount} te laat" if late else f"nog {amount}"
    return f"{amount} overdue" if late else f"{amount} left"
