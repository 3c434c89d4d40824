"""The audit trail holds while untouched, and names the first entry once anything was altered."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from mailbot.cli.main import main
from mailbot.model import audit, db
from mailbot.model.cases import add_event
from mailbot.model.models import Event
from tests.offline import offline_env

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _engine(tmp_path: Path) -> Engine:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    db.create_schema(engine)
    return engine


def _write(engine: Engine, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        with db.session(engine) as s:
            add_event(s, T0 + timedelta(minutes=i), "note_added", None, actor="fg@example.org", text=f"notitie {i}")
            add_event(s, T0 + timedelta(minutes=i), "phase_changed", None, actor="fg@example.org", to="herstellen")
            s.commit()


def test_an_untouched_trail_holds(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    _write(engine, 5)
    verdict = audit.verify(engine)
    assert verdict.ok, verdict.problem
    assert verdict.entries == 10
    assert verdict.head_hash == audit.current_head(engine)[1] != audit.GENESIS


def test_an_empty_trail_holds(tmp_path: Path) -> None:
    verdict = audit.verify(_engine(tmp_path))
    assert verdict.ok and verdict.entries == 0


@pytest.mark.parametrize(
    ("tamper", "seq", "words"),
    [
        ("UPDATE event SET detail = replace(detail, 'notitie 2', 'notitie X') WHERE seq = 5", 5, "detail altered"),
        ("UPDATE event SET actor = 'iemand@example.org' WHERE seq = 7", 7, "altered"),
        ("UPDATE event SET at = '2026-03-01 09:00:00.000000' WHERE seq = 3", 3, "altered"),
        ("UPDATE event SET redacted = 1, detail = '{}' WHERE seq = 4", 4, "without a recorded retention removal"),
        ("DELETE FROM event WHERE seq = 6", 6, "entry 6 removed"),
        ("DELETE FROM event WHERE seq IN (6, 7)", 6, "entries 6 to 7 removed"),
        ("DELETE FROM event WHERE seq >= 9", 9, "entries after 8 removed"),
    ],
)
def test_any_change_is_named(tmp_path: Path, tamper: str, seq: int, words: str) -> None:
    engine = _engine(tmp_path)
    _write(engine, 5)
    with engine.begin() as conn:
        conn.execute(text(tamper))
    verdict = audit.verify(engine)
    assert not verdict.ok
    assert verdict.at_seq == seq
    assert words in (verdict.problem or "")


def test_rewriting_an_entry_with_a_fresh_hash_breaks_the_next(tmp_path: Path) -> None:
    """Recomputing the altered entry's own hash does not help: the next entry points at the old one."""
    engine = _engine(tmp_path)
    _write(engine, 3)
    with db.session(engine) as s:
        e = s.exec(select(Event).where(Event.seq == 2)).one()
        forged = audit.entry_hash(e.prev_hash, 2, e.at, e.kind, e.case_id, "forger@example.org", None, e.detail_sha256)
    with engine.begin() as conn:
        conn.execute(text("UPDATE event SET actor = 'forger@example.org', hash = :h WHERE seq = 2"), {"h": forged})
    verdict = audit.verify(engine)
    assert verdict.at_seq == 3 and "does not follow" in (verdict.problem or "")


def test_the_code_cannot_change_or_remove_an_entry(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    _write(engine, 1)
    with db.session(engine) as s:
        e = s.get(Event, 1)
        assert e is not None
        e.actor = "iemand@example.org"
        s.add(e)
        with pytest.raises(audit.AuditError, match="cannot be changed"):
            s.commit()
    with db.session(engine) as s:
        e = s.get(Event, 1)
        s.delete(e)
        with pytest.raises(audit.AuditError, match="cannot be removed"):
            s.commit()
    assert audit.verify(engine).ok


def test_entries_written_and_flushed_in_one_transaction_make_one_chain(tmp_path: Path) -> None:
    """cases.add_event writes at once (audit.append); an Event added through the ORM is chained
    at the flush. Mixed in one transaction, with a savepoint rolled back and a transaction
    rolled back, the chain still has no gap and no fork."""
    engine = _engine(tmp_path)
    with db.session(engine) as s:
        add_event(s, T0, "note_added", None, actor="fg@example.org", text="eerste")
        s.add(Event(at=T0, kind="note_added", actor="fg@example.org", detail='{"text": "via de ORM"}'))
        s.flush()
        add_event(s, T0, "note_added", None, actor="fg@example.org", text="derde")
        with s.begin_nested() as savepoint:
            add_event(s, T0, "note_added", None, actor="fg@example.org", text="teruggedraaid")
            savepoint.rollback()
        add_event(s, T0, "note_added", None, actor="fg@example.org", text="vierde")
        s.commit()
    with db.session(engine) as s:
        add_event(s, T0, "note_added", None, actor="fg@example.org", text="nooit vastgelegd")
        s.rollback()
        add_event(s, T0, "note_added", None, actor="fg@example.org", text="vijfde")
        s.commit()
    verdict = audit.verify(engine)
    assert verdict.ok, verdict.problem
    with db.session(engine) as s:
        texts = [e.detail for e in s.exec(select(Event).order_by(col(Event.seq)))]
    assert [t.split('"')[3] for t in texts] == ["eerste", "via de ORM", "derde", "vierde", "vijfde"]
    assert verdict.entries == 5 == audit.current_head(engine)[0]


def _texts(engine: Engine) -> list[str]:
    with db.session(engine) as s:
        return [e.detail.split('"')[3] for e in s.exec(select(Event).order_by(col(Event.seq)))]


def test_entries_written_together_keep_their_order_around_an_orm_flush(tmp_path: Path) -> None:
    """Inside audit.together() entries wait for the end of the block; an Event flushed through
    the ORM in between writes them first, so the chain keeps the order they were made in."""
    engine = _engine(tmp_path)
    statements: list[str] = []
    with db.session(engine) as s:
        add_event(s, T0, "note_added", None, actor="fg@example.org", text="ervoor")
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2].split()[0]))
        with audit.together(s):
            add_event(s, T0, "note_added", None, actor="fg@example.org", text="een")
            add_event(s, T0, "note_added", None, actor="fg@example.org", text="twee")
            assert statements == []  # nothing written yet: the head is known from "ervoor"
            s.add(Event(at=T0, kind="note_added", actor="fg@example.org", detail='{"text": "via de ORM"}'))
            s.flush()
            add_event(s, T0, "note_added", None, actor="fg@example.org", text="drie")
            add_event(s, T0, "note_added", None, actor="fg@example.org", text="vier")
        s.commit()
    # een+twee in one INSERT and the head moved; the head moved for the ORM's event (before_flush)
    # and the event inserted by the flush; drie+vier in one INSERT and the head moved.
    assert statements == ["INSERT", "UPDATE", "UPDATE", "INSERT", "INSERT", "UPDATE"]
    verdict = audit.verify(engine)
    assert verdict.ok, verdict.problem
    assert _texts(engine) == ["ervoor", "een", "twee", "via de ORM", "drie", "vier"]
    assert verdict.entries == 6 == audit.current_head(engine)[0]


def test_a_together_block_that_fails_leaves_no_gap(tmp_path: Path) -> None:
    """The block's entries are dropped with it; what the transaction writes next follows on
    from what is really there."""
    engine = _engine(tmp_path)
    with db.session(engine) as s:
        add_event(s, T0, "note_added", None, actor="fg@example.org", text="eerste")
        with pytest.raises(RuntimeError), audit.together(s):
            add_event(s, T0, "note_added", None, actor="fg@example.org", text="verloren")
            raise RuntimeError("halverwege mislukt")
        add_event(s, T0, "note_added", None, actor="fg@example.org", text="tweede")
        s.commit()
    verdict = audit.verify(engine)
    assert verdict.ok, verdict.problem
    assert _texts(engine) == ["eerste", "tweede"]


def test_a_savepoint_inside_a_together_block_is_refused(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with db.session(engine) as s:
        with pytest.raises(audit.AuditError, match="savepoint"), audit.together(s):
            add_event(s, T0, "note_added", None, actor="fg@example.org", text="buiten")
            with s.begin_nested():
                add_event(s, T0, "note_added", None, actor="fg@example.org", text="binnen")
        s.rollback()
    assert audit.verify(engine).entries == 0


def _writer(url: str, n: int) -> None:
    _write(db.make_engine(url), n)


def test_writers_in_several_processes_make_one_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    engine = db.make_engine(url)
    db.create_schema(engine)
    engine.dispose()  # no SQLite connection may cross a fork (its file locks would be shared)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(url, 25)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    verdict = audit.verify(db.make_engine(url))
    assert verdict.ok, verdict.problem
    assert verdict.entries == 150


def test_cli_verify_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = offline_env(tmp_path, monkeypatch)
    assert main(["--config", str(env), "init"]) == 0
    engine = db.make_engine(f"sqlite:///{tmp_path / 'data' / 'mailbot.sqlite3'}")
    _write(engine, 2)
    assert main(["--config", str(env), "audit", "verify"]) == 0
    assert "audit trail intact: 4 entries" in capsys.readouterr().out
    with engine.begin() as conn:
        conn.execute(text('UPDATE event SET detail = \'{"text": "anders"}\' WHERE seq = 2'))
    assert main(["--config", str(env), "audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "audit trail BROKEN: entry 2" in err and "detail altered" in err
