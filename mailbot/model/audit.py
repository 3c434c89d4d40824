"""The audit trail: every event append-only and hash-chained, and the check that it still is.

Each entry's hash covers its number, time, kind, case, actor and message, the digest of its
detail, and the previous entry's hash; the one-row head holds the newest number and hash.
Alter a stored entry, remove one, or cut entries off the end, and :func:`verify` names the
first place where the chain no longer holds.

Entries are written by :func:`append` (through ``cases.add_event``), chained as they are
inserted: one INSERT and the head's UPDATE, not an ORM object and a flush, because a new
report writes four of them (``docs/benchmarks.md``); inside :func:`together`, all of them
in one INSERT with one UPDATE of the head when the block ends. An ``Event`` added through
the ORM after all is chained as it is flushed (a ``before_flush`` hook), so no code path can
add an event outside the chain, and a flush that would change a stored event is refused. The
one permitted change is emptying the detail of a register entry past its retention
(purge.py): the detail's digest stays, so the chain still holds, and the removal is itself an
entry.

Whoever can rewrite the whole database can rewrite the whole chain. The head hash is
therefore printed by ``mailbot audit verify`` and included in the officers' daily digest, so
copies of it exist outside the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from mailbot.core.clock import as_utc
from mailbot.core.errors import MailbotError
from mailbot.model.models import AuditHead, Event

GENESIS = "0" * 64
REDACTING = "audit.redacting"  # Session.info flag set by the one code path allowed to empty details
REMOVED_KIND = "register_entry_removed"


class AuditError(MailbotError):
    pass


def detail_digest(detail: str) -> str:
    return hashlib.sha256(detail.encode()).hexdigest()


def entry_hash(
    prev: str,
    seq: int,
    at: datetime,
    kind: str,
    case_id: int | None,
    actor: str,
    message_id: int | None,
    detail_sha256: str,
) -> str:
    # The time in one fixed form: SQLite hands datetimes back naive, PostgreSQL aware.
    stamp = as_utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = json.dumps(
        [prev, seq, stamp, kind, case_id, actor, message_id, detail_sha256], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode()).hexdigest()


_HEAD = AuditHead.__table__  # type: ignore[attr-defined]
_EVENT = Event.__table__  # type: ignore[attr-defined]
_TAKE = update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq).returning(_HEAD.c.seq, _HEAD.c.hash)
_MOVE = update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("to_seq"), hash=bindparam("to_hash"))
_INSERT = insert(_EVENT)
_HEAD_KEY = "audit.head"  # Session.info: (transaction, seq, hash) as this transaction left the head
_PENDING_KEY = "audit.pending"  # Session.info: the _Pending of the together() block now open


def _take_head(session: Session) -> tuple[int, str]:
    """The newest entry's number and hash, with the head locked until the transaction ends.
    An UPDATE first: on SQLite it waits for the write lock (a plain read would let two writers
    see the same head), on PostgreSQL it locks the row. Once taken, the transaction holds the
    lock, so its own later entries follow on from what it wrote last (kept per transaction,
    savepoints included: a savepoint rolled back is a different transaction, read again)."""
    conn = session.connection()  # begins the transaction, if none has begun
    current = _transaction(session)
    known = session.info.get(_HEAD_KEY)
    if known is not None and known[0] is current:
        return known[1], known[2]
    row = conn.execute(_TAKE).first()
    if row is None:
        conn.execute(insert(_HEAD).values(id=1, seq=0, hash=GENESIS))
        seq, last = 0, GENESIS
    else:
        seq, last = int(row.seq), str(row.hash)
    session.info[_HEAD_KEY] = (current, seq, last)
    return seq, last


def _move_head(session: Session, seq: int, last: str, write: bool = True) -> None:
    """The head is now ``seq`` and ``last`` for this transaction; written at once unless an open
    :func:`together` block writes it when it ends."""
    if write:
        session.connection().execute(_MOVE, {"to_seq": seq, "to_hash": last})
    session.info[_HEAD_KEY] = (_transaction(session), seq, last)


def _transaction(session: Session) -> object:
    """The transaction writing now: the innermost savepoint, else the session's transaction."""
    return session.get_nested_transaction() or session.get_transaction()


@dataclass
class _Pending:
    transaction: object
    rows: list[dict[str, Any]] = field(default_factory=list)


@contextlib.contextmanager
def together(session: Session) -> Iterator[None]:
    """Entries appended inside the block are written when it ends: one INSERT of them all and
    one UPDATE of the head, instead of both for each. An ORM flush inside the block writes them
    first, so the chain keeps their order. The block stays in the transaction it began in: an
    entry appended in a savepoint begun inside it is refused. Should the block raise, its
    entries are dropped, and the head is read again for whatever the transaction writes next."""
    if _PENDING_KEY in session.info:  # inside another block: that one writes them
        yield
        return
    session.connection()  # begins the transaction, if none has begun
    session.info[_PENDING_KEY] = _Pending(_transaction(session))
    try:
        yield
        _write_pending(session)
    except BaseException:
        session.info.pop(_HEAD_KEY, None)  # it counts entries that were never written
        raise
    finally:
        session.info.pop(_PENDING_KEY, None)


def _pending(session: Session) -> _Pending | None:
    pending: _Pending | None = session.info.get(_PENDING_KEY)
    if pending is not None and pending.transaction is not _transaction(session):
        raise AuditError("an audit entry in a savepoint begun inside audit.together(): its entries would be split")
    return pending


def _write_pending(session: Session) -> None:
    pending = _pending(session)
    if pending is None or not pending.rows:
        return
    session.connection().execute(_INSERT, pending.rows)
    last = pending.rows[-1]
    pending.rows = []
    _move_head(session, last["seq"], last["hash"])


def append(
    session: Session,
    at: datetime,
    kind: str,
    case_id: int | None,
    actor: str,
    message_id: int | None,
    detail: str,
) -> None:
    """Write one entry at the end of the chain, in the session's transaction (inside
    :func:`together`: when the block ends)."""
    pending = _pending(session)
    seq, last = _take_head(session)
    seq += 1
    digest = detail_digest(detail)
    entry = entry_hash(last, seq, at, kind, case_id, actor, message_id, digest)
    row = {
        "seq": seq,
        "case_id": case_id,
        "at": at,
        "kind": kind,
        "actor": actor,
        "detail": detail,
        "inbound_message_id": message_id,
        "detail_sha256": digest,
        "prev_hash": last,
        "hash": entry,
        "redacted": False,
    }
    if pending is not None:
        pending.rows.append(row)
    else:
        session.connection().execute(_INSERT, row)
    _move_head(session, seq, entry, write=pending is None)


@event.listens_for(Session, "before_flush")
def _chain(session: Session, _context: Any, _instances: Any) -> None:
    if not session.info.get(REDACTING):
        for obj in session.dirty:
            if isinstance(obj, Event) and session.is_modified(obj):
                raise AuditError(f"event #{obj.id} ({obj.kind}) is part of the audit trail and cannot be changed")
    for obj in session.deleted:
        if isinstance(obj, Event):
            raise AuditError(f"event #{obj.id} ({obj.kind}) is part of the audit trail and cannot be removed")
    new = [obj for obj in session.new if isinstance(obj, Event)]
    if not new:
        return
    _write_pending(session)  # entries of an open together() block come first
    seq, last = _take_head(session)
    for e in new:
        seq += 1
        e.detail_sha256 = detail_digest(e.detail or "")
        e.seq, e.prev_hash = seq, last
        e.hash = last = entry_hash(last, seq, e.at, e.kind, e.case_id, e.actor, e.inbound_message_id, e.detail_sha256)
    _move_head(session, seq, last)


@dataclass(frozen=True)
class Verdict:
    entries: int
    head_hash: str
    problem: str | None = None
    at_seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _rows(engine: Engine, chunk: int = 2000) -> Iterator[Any]:
    """Every event in chain order, a chunk at a time (the trail of years does not fit in memory)."""
    t = Event.__table__  # type: ignore[attr-defined]
    last = 0
    with engine.connect() as conn:
        while True:
            rows = conn.execute(select(t).where(t.c.seq > last).order_by(t.c.seq).limit(chunk)).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].seq


def verify(engine: Engine) -> Verdict:
    """Walk the chain from the start. The first entry that does not hold is named, with why."""
    t = Event.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        unchained = conn.execute(select(t.c.id, t.c.kind).where(t.c.seq.is_(None)).limit(1)).first()
        stored_head = conn.execute(select(_HEAD)).first()
        removed_cases = {r.case_id for r in conn.execute(select(t.c.case_id).where(t.c.kind == REMOVED_KIND))}
    if unchained is not None:
        return Verdict(0, GENESIS, f"event #{unchained.id} ({unchained.kind}) was added outside the chain", None)
    expected, prev, count = 1, GENESIS, 0
    for e in _rows(engine):
        where = f"entry {e.seq} (event #{e.id}, {e.kind}, {as_utc(e.at):%Y-%m-%d %H:%M:%S} UTC)"
        if e.seq != expected:
            missing = f"entry {expected}" if e.seq == expected + 1 else f"entries {expected} to {e.seq - 1}"
            return Verdict(count, prev, f"{missing} removed (the next stored is {where})", expected)
        if e.prev_hash != prev:
            return Verdict(count, prev, f"{where}: does not follow the entry before it", e.seq)
        if e.redacted:
            if e.case_id not in removed_cases:
                return Verdict(count, prev, f"{where}: detail emptied without a recorded retention removal", e.seq)
        elif detail_digest(e.detail or "") != e.detail_sha256:
            return Verdict(count, prev, f"{where}: detail altered", e.seq)
        if entry_hash(prev, e.seq, e.at, e.kind, e.case_id, e.actor, e.inbound_message_id, e.detail_sha256) != e.hash:
            return Verdict(count, prev, f"{where}: altered (time, kind, case, actor or message)", e.seq)
        prev, expected, count = e.hash, expected + 1, count + 1
    head_seq = stored_head.seq if stored_head is not None else 0
    head_hash = stored_head.hash if stored_head is not None else GENESIS
    if head_seq != count or head_hash != prev:
        return Verdict(count, prev, f"entries after {count} removed (the head names entry {head_seq})", count + 1)
    return Verdict(count, prev)


def current_head(engine: Engine) -> tuple[int, str]:
    with engine.connect() as conn:
        row = conn.execute(select(_HEAD)).first()
    return (row.seq, row.hash) if row is not None else (0, GENESIS)
