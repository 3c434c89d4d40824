"""Schema migrations (schema.py, Alembic): on SQLite and on a real PostgreSQL, the migrations
build exactly the schema the models describe, a new database is stamped at the newest
revision, an older one is brought up to it, and `mailbot db upgrade` says what it did."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from mailbot.core.classify import Disposition
from mailbot.core.phases import CaseStatus
from mailbot.model import reading, schema
from mailbot.model.cases import open_case
from mailbot.model.db import create_schema, make_engine
from mailbot.model.models import InboundMessage, MessageStatus, OutboxStatus
from mailbot.pipeline.outbox import enqueue
from tests.offline import offline_env
from tests.pgserver import PostgresServer


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        return make_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    server: PostgresServer = request.getfixturevalue("postgres")
    return make_engine(server.database())


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), SQLModel.metadata))


def test_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.begin() as conn:
        command.upgrade(schema._config(conn), "head")
    assert _differences(engine) == []
    assert schema.current(engine) == schema.head()
    engine.dispose()


def test_the_newest_revision_read_from_the_file_names_is_alembics_head() -> None:
    """Every start compares the database with reading.newest(), which reads the file names
    alone so that Alembic need not be imported: a migration named another way would fail here."""
    assert reading.newest() == schema.head()


def test_the_revision_a_database_is_at_is_read_as_alembic_reads_it(engine: Engine) -> None:
    assert schema.current(engine) is None
    with engine.begin() as conn:
        command.upgrade(schema._config(conn), "0001")
    with engine.connect() as conn:
        assert schema.current(engine) == MigrationContext.configure(conn).get_current_revision() == "0001"
    assert schema.upgrade(engine) == ("0001", schema.head())
    assert schema.current(engine) == schema.head()
    engine.dispose()


def test_a_new_database_is_created_and_stamped(engine: Engine) -> None:
    create_schema(engine)
    assert schema.current(engine) == schema.head()
    assert _differences(engine) == []
    assert schema.upgrade(engine) == (schema.head(), schema.head())  # again: nothing to do
    engine.dispose()


def test_a_sqlite_database_from_before_migrations_is_completed_and_stamped(tmp_path: Path) -> None:
    """Made by create_all before there were migrations, and older than connection_health."""
    engine = make_engine(f"sqlite:///{tmp_path}/old.sqlite3")
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE connection_health"))
    before, after = schema.upgrade(engine)
    assert before is None and after == schema.head()
    assert inspect(engine).has_table("connection_health")
    assert _differences(engine) == []
    engine.dispose()


def test_mailbot_db_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    env = offline_env(tmp_path, monkeypatch)

    def db_upgrade() -> str:
        out = subprocess.run(
            [sys.executable, "-m", "mailbot", "--config", str(env), "db", "upgrade"],
            capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        return out.stdout.strip()

    assert db_upgrade().endswith(f"upgraded from revision (none: new database) to {schema.head()}")
    assert db_upgrade().endswith(f"at revision {schema.head()}, the newest; nothing to do")


def test_states_are_stored_as_the_same_words(engine: Engine) -> None:
    """The states are enums in the code; the database holds the words it always held, so no
    migration changes a stored value."""
    create_schema(engine)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with Session(engine) as s:
        m = InboundMessage(mailbox="default", folder="INBOX", uidvalidity=1, uid=1, identity="<a@b>", sha256="x",
                           size=1, raw_path="p", arrived_at=now, fetched_at=now)  # fmt: skip
        s.add(m)
        s.flush()
        case = open_case(s, prefix="DL", year=2026, mailbox="default", language="nl", reporter_name="",
                         reporter_address="", subject="", description="", received_at=now, now=now,
                         inbound_message_id=m.id or 0)  # fmt: skip
        enqueue(s, kind="reporter_ack", mailbox="default", sender="meldpunt@example.org", sender_name="Meldpunt",
                recipient="jan@example.org", subject="s", body="b", language="nl", now=now,
                auto_reply=True)  # fmt: skip
        s.commit()
        case.status = CaseStatus.GEEN_DATALEK
        m.status, m.disposition = MessageStatus.QUARANTINED, Disposition.QUARANTINED
        s.add_all([case, m])
        s.commit()
    with engine.connect() as conn:
        assert conn.execute(text('SELECT status, phase FROM "case"')).one() == ("geen datalek", "ontdekken")
        assert conn.execute(text("SELECT status, disposition FROM inbound_message")).one() == (
            "quarantined",
            "quarantined",
        )
        assert conn.execute(text("SELECT status FROM outbox")).scalar_one() == "queued"
    assert [str(v) for v in MessageStatus] == ["received", "processed", "quarantined"]
    assert [str(v) for v in OutboxStatus] == ["queued", "sent", "failed"]
    engine.dispose()
