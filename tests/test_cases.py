"""Kenmerk numbers stay unique when several processes open cases at once; deadlines are absolute."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

from mailbot.model import db
from mailbot.model.cases import ap_deadline, next_sequence


def _allocate(url: str, n: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    engine = db.make_engine(url)
    got = []
    for _ in range(n):
        with db.session(engine) as s:
            got.append(next_sequence(s, 2026))
            s.commit()
    out.put(got)


def test_sequences_unique_across_processes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    engine = db.make_engine(url)
    db.create_schema(engine)
    engine.dispose()  # no SQLite connection may cross a fork (its file locks would be shared)
    ctx = multiprocessing.get_context("fork")
    out: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    procs = [ctx.Process(target=_allocate, args=(url, 100, out)) for _ in range(4)]
    for p in procs:
        p.start()
    results = [n for _ in procs for n in out.get(timeout=60)]
    for p in procs:
        p.join(timeout=30)
    assert sorted(results) == list(range(1, 401))


def test_each_year_counts_from_one(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    db.create_schema(engine)
    with db.session(engine) as s:
        assert [next_sequence(s, 2026), next_sequence(s, 2026), next_sequence(s, 2027)] == [1, 2, 1]
        s.commit()


def test_deadline_is_72_wall_clock_hours_across_dst() -> None:
    """Reported Friday 24 Oct 2026 18:00 Amsterdam (CEST); the clocks go back on Sunday: the deadline
    is 72 real hours later, which reads 17:00 CET on Monday."""
    from zoneinfo import ZoneInfo

    ams = ZoneInfo("Europe/Amsterdam")
    aware = datetime(2026, 10, 23, 18, 0, tzinfo=ams).astimezone(UTC)
    deadline = ap_deadline(aware)
    assert (deadline - aware).total_seconds() == 72 * 3600
    assert deadline.astimezone(ams).strftime("%a %d %H:%M %Z") == "Mon 26 17:00 CET"
