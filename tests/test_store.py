"""Raw storage: content-addressed, idempotent; as files owner-only and never outside the data
dir; in the database in pieces, streamed, all or nothing."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from mailbot.model.models import BlobChunk
from mailbot.model.store import CHUNK_BYTES, BlobStore, DatabaseBlobStore
from tests.offline import offline_services


def test_put_is_idempotent_and_private(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    raw = b"From: a@example.org\r\n\r\nhallo\r\n"
    digest = hashlib.sha256(raw).hexdigest()
    rel = store.put_message(raw, digest)
    assert rel == f"messages/{digest[:2]}/{digest}.eml"
    assert store.put_message(raw, digest) == rel
    assert store.read(rel) == raw
    path = tmp_path / rel
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not list(path.parent.glob(".*tmp"))


def test_messages_put_side_by_side_are_each_synced_and_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An intake batch is written by several threads; every file is synced before put_messages
    returns, and nothing is left under a temporary name."""
    store = BlobStore(tmp_path)
    raws = [f"From: melder{i}@example.org\r\n\r\nmelding {i}\r\n".encode() * (i + 1) for i in range(30)]
    messages = {hashlib.sha256(r).hexdigest(): r for r in raws}
    earlier = next(iter(messages))
    store.put_message(messages[earlier], earlier)  # stored before: not written again
    synced: list[Path] = []
    real_fsync = os.fsync

    def counted_fsync(fd: int) -> None:
        synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counted_fsync)
    paths = store.put_messages(messages)
    assert set(paths) == set(messages)
    new = [tmp_path / paths[d] for d in messages if d != earlier]
    # Each new file synced once, before its rename (under its temporary name, gone since) ...
    files = [p for p in synced if p.name.endswith(".tmp")]
    assert len(files) == len(new) and {p.name[1:].rsplit(".", 2)[0] for p in files} == {p.name for p in new}
    # ... and the folder of each, after it: the new name is durable. New folders are durable in
    # "messages", which held only the first message's folder.
    folders = set(synced) - set(files)
    assert folders == {p.parent for p in new} | {tmp_path / "messages"}
    for digest, raw in messages.items():
        assert paths[digest] == f"messages/{digest[:2]}/{digest}.eml"
        assert store.read(paths[digest]) == raw
        assert stat.S_IMODE((tmp_path / paths[digest]).stat().st_mode) == 0o600
    assert not list((tmp_path / "messages").rglob(".*tmp"))


def test_read_refuses_paths_outside(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "data")
    with pytest.raises(ValueError):
        store.read("../../etc/passwd")


def test_digest_must_be_sha256(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        BlobStore(tmp_path).put("attachments", b"x", digest="../../x")


# -- in the database (PostgreSQL; the same code runs on SQLite) -------------------------------------


@pytest.fixture
def db_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> DatabaseBlobStore:
    extra = {"MAILBOT_DATABASE_URL": database_url} if database_url else {}
    _, svc = offline_services(tmp_path, monkeypatch, **extra)
    return DatabaseBlobStore(svc.engine, svc.settings.data_dir)


def test_database_store_keeps_what_it_is_given(db_store: DatabaseBlobStore) -> None:
    raw = b"From: a@example.org\r\n\r\nhallo\r\n"
    digest = hashlib.sha256(raw).hexdigest()
    rel = db_store.put_message(raw, digest)
    assert rel == f"messages/{digest[:2]}/{digest}.eml"
    assert db_store.put_message(raw, digest) == rel  # the same thing twice: one copy
    assert db_store.read(rel) == raw
    other = b"From: b@example.org\r\n\r\nnog een\r\n"
    both = db_store.put_messages({digest: raw, hashlib.sha256(other).hexdigest(): other})
    assert both[digest] == rel and db_store.read(both[hashlib.sha256(other).hexdigest()]) == other
    assert db_store.put("documents", b"", ".txt").endswith(".txt")
    assert db_store.read(db_store.put("documents", b"", ".txt")) == b""
    assert not (db_store.files.root / rel).exists()  # nothing on the disk of this machine
    with db_store.engine.connect() as conn:
        assert conn.execute(select(func.count()).where(BlobChunk.path == rel)).scalar() == 1
    assert db_store.remove(rel)
    assert not db_store.remove(rel)
    with pytest.raises(FileNotFoundError, match="not stored"):
        db_store.read(rel)


def test_database_store_streams_in_pieces(db_store: DatabaseBlobStore) -> None:
    """A 2.5 MB message in uneven chunks: three rows of at most 1 MB, read back whole; the
    same stream again adds nothing (the temporary rows are dropped)."""
    data = bytes(range(256)) * (10 * 1024)  # 2.5 MiB
    chunks = [data[i : i + 70_001] for i in range(0, len(data), 70_001)]
    rel, digest, size, head = db_store.put_chunks("messages", iter(chunks), ".eml")
    assert digest == hashlib.sha256(data).hexdigest() and size == len(data)
    assert head == data[: 256 * 1024]
    assert db_store.read(rel) == data
    assert db_store.put_chunks("messages", iter(chunks), ".eml")[0] == rel
    with db_store.engine.connect() as conn:
        rows = conn.execute(select(BlobChunk.seq, func.length(BlobChunk.data)).order_by(BlobChunk.seq)).all()  # type: ignore[arg-type]
    assert [tuple(r) for r in rows] == [(0, CHUNK_BYTES), (1, CHUNK_BYTES), (2, len(data) - 2 * CHUNK_BYTES)]


def test_database_store_reads_files_stored_before_it(db_store: DatabaseBlobStore) -> None:
    """A deployment that moved to PostgreSQL with its data dir: mail stored as files still reads."""
    raw = b"From: a@example.org\r\n\r\nvan voor de database\r\n"
    rel = BlobStore(db_store.files.root).put_message(raw, hashlib.sha256(raw).hexdigest())
    assert db_store.read(rel) == raw
    assert db_store.remove(rel) and not (db_store.files.root / rel).exists()


def test_kept_state_is_replaced_whole(db_store: DatabaseBlobStore, tmp_path: Path) -> None:
    for store in (db_store, BlobStore(tmp_path / "files")):
        assert store.load("oauth2/refresh-x.json") is None
        store.replace("oauth2/refresh-x.json", b"one")
        store.replace("oauth2/refresh-x.json", b"two")
        assert store.load("oauth2/refresh-x.json") == b"two"
