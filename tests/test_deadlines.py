"""The 72-hour clock's arithmetic: warning points, downtime, overdue days, DST, time left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from mailbot.core.deadlines import due_warning, time_left
from mailbot.model.cases import ap_deadline

AMS = ZoneInfo("Europe/Amsterdam")
POINTS = (48, 24, 6, 0)


def walk(aware: datetime, until: datetime, step: timedelta) -> list[tuple[datetime, str]]:
    """Check every ``step`` like the worker does, recording what it sends."""
    deadline, sent, out = ap_deadline(aware), set[str](), []
    now = aware
    while now <= until:
        key = due_warning(deadline, now, POINTS, sent)
        if key:
            sent.add(key)
            out.append((now, key))
        now += step
    return out


def test_each_warning_once_in_order() -> None:
    aware = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    sent = walk(aware, aware + timedelta(hours=72 + 50), timedelta(minutes=1))
    assert [k for _, k in sent] == ["48h", "24h", "6h", "0h", "overdue-1", "overdue-2"]
    assert [t - aware for t, _ in sent] == [timedelta(hours=h) for h in (24, 48, 66, 72, 96, 120)]


def test_after_downtime_only_the_most_urgent() -> None:
    """Down from 20 h to 70 h after discovery: on return, only the 6-hour warning, not 48/24/6."""
    aware = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    deadline = ap_deadline(aware)
    assert due_warning(deadline, aware + timedelta(hours=70), POINTS, set()) == "6h"
    assert due_warning(deadline, aware + timedelta(hours=70), POINTS, {"6h"}) is None
    assert due_warning(deadline, aware + timedelta(hours=200), POINTS, set()) == "overdue-5"


def test_nothing_due_early() -> None:
    aware = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    assert due_warning(ap_deadline(aware), aware + timedelta(hours=23, minutes=59), POINTS, set()) is None


def test_without_a_point_at_the_deadline() -> None:
    aware = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    assert due_warning(ap_deadline(aware), aware + timedelta(hours=73), (24,), {"24h"}) is None


def test_friday_evening_report_deadline_is_monday_evening() -> None:
    """Weekends count: reported Friday 20 Nov 2026 at 18:30, the AP deadline is Monday 18:30."""
    aware = datetime(2026, 11, 20, 18, 30, tzinfo=AMS)
    deadline = ap_deadline(aware.astimezone(UTC)).astimezone(AMS)
    assert deadline.strftime("%A %d %H:%M") == "Monday 23 18:30"


def test_spring_forward_keeps_72_real_hours() -> None:
    """The clocks go forward on 29 March 2026: 72 real hours read as 73 on the wall clock."""
    aware = datetime(2026, 3, 27, 12, 0, tzinfo=AMS)
    deadline = ap_deadline(aware.astimezone(UTC)).astimezone(AMS)
    assert deadline == datetime(2026, 3, 30, 13, 0, tzinfo=AMS)


def test_time_left() -> None:
    d = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert time_left(d, d - timedelta(hours=5, minutes=10)) == "nog 5 uur en 10 minuten"
    assert time_left(d, d + timedelta(hours=2, minutes=3)) == "2 uur en 3 minuten te laat"
    assert time_left(d, d - timedelta(hours=60)) == "nog 2 dagen en 12 uur"
    assert time_left(d, d - timedelta(hours=5), "en") == "5 hours left"
    assert time_left(d, d - timedelta(hours=47, minutes=1), "en") == "47 hours and 1 minute left"
    assert time_left(d, d - timedelta(seconds=20)) == "nog 0 minuten"
