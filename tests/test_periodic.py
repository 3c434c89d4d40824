"""The worker's periodic work (deadline warnings, reminders, the digest: Worker.check_clock)
touches open cases only: with ten years of closed cases it reads as little as with none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from mailbot.core.config import parse_settings
from mailbot.model import cases, db
from mailbot.model.models import Case, InboundMessage
from mailbot.model.services import Services, build
from mailbot.runtime.worker import Worker
from tests.test_config import BASE

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TABLES = ("case", "event", "inbound_message", "outbox", "sent_notice", "attachment")


def _open(svc: Services, n: int, received: datetime) -> list[int]:
    ids = []
    with db.session(svc.engine) as s:
        for i in range(n):
            m = InboundMessage(mailbox="default", folder="INBOX", uidvalidity=1, uid=int(received.timestamp()) + i,
                               identity=f"m{received.timestamp()}-{i}", sha256="-", size=1, raw_path="-",
                               arrived_at=received, fetched_at=received, status="processed",
                               from_address="j.devries@example.org", subject="lek")  # fmt: skip
            s.add(m)
            s.flush()
            assert m.id is not None
            case = cases.open_case(
                s, prefix="DL", year=received.year, mailbox="default", language="nl", reporter_name="Jan",
                reporter_address="j.devries@example.org", subject="lek", description="lijst gemaild",
                received_at=received, now=received, inbound_message_id=m.id,
            )  # fmt: skip
            assert case.id is not None
            m.case_id = case.id  # as dispatch files the report on its case
            ids.append(case.id)
        s.commit()
    return ids


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    settings = parse_settings(
        {**BASE, "MAILBOT_DATA_DIR": str(tmp_path), "MAILBOT_DIGEST_TIME": "08:00", "MAILBOT_OVERVIEW": "off"}
    )
    yield build(settings)


class Reads:
    """Every SELECT the code sends, and the case rows the ORM builds from the answers."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any]] = []
        self.cases_loaded = 0

    def __enter__(self) -> Reads:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(Case, "load", self._case)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(Case, "load", self._case)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            self.statements.append((statement, parameters))

    def _case(self, *_: Any) -> None:
        self.cases_loaded += 1

    def full_scans(self) -> list[str]:
        """The statements that SQLite answers by reading a whole table of cases or their mail."""
        found = []
        with self.engine.connect() as conn:
            for statement, parameters in self.statements:
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                scans = [row[-1] for row in plan if any(row[-1] in (f"SCAN {t}", f'SCAN "{t}"') for t in TABLES)]
                found += [f"{scan}: {' '.join(statement.split())}" for scan in scans]
        return found


def test_periodic_work_reads_open_cases_only(svc: Services) -> None:
    closed = _open(svc, 300, NOW - timedelta(days=400))
    with db.session(svc.engine) as s:
        closing = update(Case).where(col(Case.id).in_(closed))
        s.execute(closing.values(status="gearchiveerd", phase="archiveren", closed_at=NOW - timedelta(days=390)))
        s.commit()
    _open(svc, 2, NOW - timedelta(days=2))
    with db.session(svc.engine) as s:
        s.execute(text("ANALYZE"))  # as a database in use has statistics: the planner's choice is the real one
        s.commit()
    worker = Worker(svc, lambda: NOW)
    with Reads(svc.engine) as reads:
        worker.check_clock()
    assert reads.cases_loaded <= 2 * 3, "each job loads the open cases only"
    assert reads.full_scans() == []
