"""The read-only path of the commands people type (model/reading.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from mailbot.model import reading
from mailbot.model.services import Services
from tests.offline import offline_services


@pytest.fixture
def svc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Services:
    return offline_services(tmp_path, monkeypatch)[1]


def test_the_reader_cannot_change_the_register(svc: Services) -> None:
    r = reading.open_reader(svc.settings.database_url)
    assert r is not None
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        r.value('DELETE FROM "case"')
    r.close()


def test_a_stored_path_leading_out_of_the_data_dir_is_not_read(svc: Services) -> None:
    """A raw_path altered in the database (../../etc/shadow) is refused, as the file store does."""
    r = reading.open_reader(svc.settings.database_url)
    assert r is not None
    with pytest.raises(ValueError, match="outside the data dir"):
        reading.raw(r, svc.settings.data_dir, "../../../etc/passwd")
    r.close()


def test_a_database_behind_the_newest_revision_is_not_read_as_it_is(svc: Services) -> None:
    """Then the command upgrades it first (cli.common.reading): no reader on an older schema."""
    assert reading.open_reader(svc.settings.database_url) is not None
    with svc.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0003'"))
    assert reading.open_reader(svc.settings.database_url) is None
    missing = f"sqlite:///{svc.settings.data_dir / 'nothing-here.sqlite3'}"
    assert reading.open_reader(missing) is None
    assert not (svc.settings.data_dir / "nothing-here.sqlite3").exists()
