"""Stage 1: new mail from the IMAP folder into storage, raw, before anything else happens to it.

The worker's place in a folder is the last UID stored under the folder's UIDVALIDITY, and it
advances in the same transaction that records the messages. When UIDVALIDITY changes, every
message is looked at again, but one whose identity (Message-ID, or the hash of its bytes)
and bytes were stored before is only noted, not stored or handled a second time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from mailbot.core.config import MailboxSettings
from mailbot.core.parse import message_identity
from mailbot.mail.mailbox import Fetched, ImapMailbox
from mailbot.model import db
from mailbot.model.models import InboundMessage, MailboxState, MessageStatus
from mailbot.model.store import Blobs

log = logging.getLogger(__name__)

FETCH_BATCH = 50

_TABLE = InboundMessage.__table__  # type: ignore[attr-defined]
_INSERT = insert(_TABLE)
# What a message's row holds before dispatch has seen it, besides what intake writes.
_NEW_ROW = {c.key: None for c in _TABLE.columns if c.key != "id"} | {"status": MessageStatus.RECEIVED, "attempts": 0}


@dataclass
class IntakeResult:
    stored: int = 0
    seen_before: int = 0
    uidvalidity_changed: bool = False


def fetch_new(
    engine: Engine,
    mailbox: ImapMailbox,
    store: Blobs,
    settings: MailboxSettings,
    now: datetime,
    stored: Callable[[], None] | None = None,
) -> IntakeResult:
    """Store what is new in the mailbox's folder, :data:`FETCH_BATCH` messages a transaction.
    ``stored`` is called after each batch is committed: the worker handles those while the rest
    waits on the server, so a backlog's first reporters are answered in a second, not once the
    whole backlog is stored."""
    result = IntakeResult()
    status = mailbox.select()
    with db.session(engine) as s:
        state = s.get(MailboxState, settings.name)
        if state is not None and (state.uidvalidity != status.uidvalidity or state.folder != settings.folder):
            log.warning(
                "intake: %s %s: UIDVALIDITY changed from %s to %s; re-reading the folder, "
                "known messages are recognised and not handled again",
                settings.name,
                settings.folder,
                state.uidvalidity,
                status.uidvalidity,
            )
            result.uidvalidity_changed = True
            last_uid = 0
        else:
            last_uid = state.last_uid if state else 0
    uids = mailbox.uids_after(last_uid)
    if uids:
        log.info("intake: %s: %d new message(s) after UID %d", settings.name, len(uids), last_uid)
    for start in range(0, len(uids), FETCH_BATCH):
        wanted = uids[start : start + FETCH_BATCH]
        batch = mailbox.fetch(wanted)
        _store_batch(engine, store, settings, status.uidvalidity, wanted[-1], batch, now, result)
        if settings.processed_folder and batch:
            db.make_durable(engine)  # out of the inbox only once the rows survive a power cut
            mailbox.move([f.uid for f in batch], settings.processed_folder)
        if stored is not None:
            stored()
    with db.session(engine) as s:
        state = s.get(MailboxState, settings.name)
        if state is None:  # an empty folder: remember its UIDVALIDITY all the same
            s.add(
                MailboxState(
                    mailbox=settings.name,
                    folder=settings.folder,
                    uidvalidity=status.uidvalidity,
                    last_uid=0,
                    last_check_at=now,
                )
            )
        else:
            state.last_check_at = now
            s.add(state)
        s.commit()
    return result


def _store_batch(
    engine: Engine,
    store: Blobs,
    settings: MailboxSettings,
    uidvalidity: int,
    upto: int,
    batch: list[Fetched],
    now: datetime,
    result: IntakeResult,
) -> None:
    # Files first (flushed to disk, side by side: BlobStore.put_messages), then one transaction
    # for the rows and the new place.
    digests = [hashlib.sha256(f.raw).hexdigest() if f.raw is not None else "" for f in batch]
    paths = store.put_messages({d: f.raw for d, f in zip(digests, batch, strict=True) if f.raw is not None})
    prepared = []
    for f, digest in zip(batch, digests, strict=True):
        if f.raw is not None:
            size, path, head = len(f.raw), paths[digest], f.raw
        else:
            assert f.chunks is not None
            path, digest, size, head = store.put_chunks("messages", f.chunks(), ".eml")
        message_id, identity = message_identity(head, digest)
        prepared.append((f, digest, size, message_id, identity, path))
    with db.session(engine) as s:
        # What was stored before, looked up for the whole batch at once, and the batch's rows
        # inserted with one Core statement: built as ORM objects they cost twice as much as the
        # rest of storing them. The same message twice within the batch is caught as well.
        known: dict[tuple[str, str], str] = {
            (identity, digest): f"message #{mid}, stored before"
            for mid, identity, digest in s.exec(
                select(InboundMessage.id, InboundMessage.identity, InboundMessage.sha256).where(
                    InboundMessage.mailbox == settings.name,
                    col(InboundMessage.identity).in_({p[4] for p in prepared}),
                )
            )
        }
        rows = []
        for f, digest, size, message_id, identity, path in prepared:
            before = known.get((identity, digest))
            if before is not None:
                result.seen_before += 1
                log.info("intake: UID %d is %s; not handled again", f.uid, before)
                continue
            rows.append(
                {
                    **_NEW_ROW,
                    "mailbox": settings.name,
                    "folder": settings.folder,
                    "uidvalidity": uidvalidity,
                    "uid": f.uid,
                    "identity": identity,
                    "message_id": message_id,
                    "sha256": digest,
                    "size": size,
                    "raw_path": path,
                    "arrived_at": f.arrived_at or now,
                    "fetched_at": now,
                }
            )
            known[(identity, digest)] = f"the same message as UID {f.uid} of this batch"
            result.stored += 1
        if rows:
            s.connection().execute(_INSERT, rows)
        state = s.get(MailboxState, settings.name)
        if state is None:
            state = MailboxState(mailbox=settings.name, folder=settings.folder, uidvalidity=uidvalidity)
        state.folder, state.uidvalidity, state.last_uid = settings.folder, uidvalidity, upto
        s.add(state)
        s.commit()
