"""Raw messages, attachments and documents, named by their SHA-256: written before the database
row that points to them is committed. A crash in between leaves at most an unreferenced copy,
which the next fetch of the same message writes again: content addressing makes that
idempotent.

Two places to keep them, with one interface (:class:`Blobs`):

- :class:`BlobStore`, files under the data dir, owner-only (SQLite: one machine, one data dir);
- :class:`DatabaseBlobStore`, rows in the database itself (PostgreSQL). A standby worker on
  another machine (lease.py) must be able to read mail the worker before it stored but did
  not handle; with everything in the database no shared file system is needed, and a
  database backup is a backup of everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, exists, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from mailbot.model.models import BlobChunk
from mailbot.model.reading import inside

HEAD_BYTES = 256 * 1024
WRITERS = 8  # files of one intake batch written side by side (BlobStore.put_messages)


def relative_path(kind: str, digest: str, suffix: str) -> str:
    """Where a stored thing lives, the same in both stores: ``messages/ab/ab12….eml``."""
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        raise ValueError(f"not a SHA-256 digest: {digest!r}")
    return f"{kind}/{digest[:2]}/{digest}{suffix}"


class Blobs(Protocol):
    def put(self, kind: str, data: bytes, suffix: str = "", digest: str | None = None) -> str:
        """Store bytes; returns where (the path relative to the data dir)."""
        ...

    def put_chunks(
        self, kind: str, chunks: Iterator[bytes], suffix: str = "", head_bytes: int = HEAD_BYTES
    ) -> tuple[str, str, int, bytes]:
        """Store a stream without holding it: (where, SHA-256, size, its first bytes)."""
        ...

    def put_message(self, raw: bytes, digest: str) -> str: ...

    def put_messages(self, messages: dict[str, bytes]) -> dict[str, str]:
        """Store several messages, keyed by their digest; returns where each went. All of them
        are durable when it returns."""
        ...

    def read(self, relative: str) -> bytes:
        """The stored bytes; OSError (FileNotFoundError) when there are none."""
        ...

    def remove(self, relative: str) -> bool:
        """Delete a stored thing (retention); False when it was already gone."""
        ...

    def load(self, relative: str) -> bytes | None:
        """Kept state under a fixed name (not content-addressed), None when there is none."""
        ...

    def replace(self, relative: str, data: bytes) -> None:
        """Write kept state under a fixed name, all or nothing, durably before returning."""
        ...


class BlobStore:
    """Files under the data dir: written to a temporary name, flushed to disk, then renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real_root = root.resolve()  # resolved once: every read checks the path against it

    def _path(self, kind: str, digest: str, suffix: str) -> Path:
        return self.root / relative_path(kind, digest, suffix)

    def _inside(self, relative: str) -> Path:
        return inside(self._real_root, relative)

    def put(self, kind: str, data: bytes, suffix: str = "", digest: str | None = None) -> str:
        digest = digest or hashlib.sha256(data).hexdigest()
        path = self._path(kind, digest, suffix)
        if not path.exists():
            _write_file(path, data)
        return str(path.relative_to(self.root))

    def put_chunks(
        self, kind: str, chunks: Iterator[bytes], suffix: str = "", head_bytes: int = HEAD_BYTES
    ) -> tuple[str, str, int, bytes]:
        folder = self.root / kind
        _make_folder(folder)
        tmp = folder / f".incoming.{os.getpid()}.{secrets.token_hex(8)}.tmp"
        digest, size, head = hashlib.sha256(), 0, bytearray()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if len(head) < head_bytes:
                        head += chunk[: head_bytes - len(head)]
                f.flush()
                os.fsync(f.fileno())
            hexdigest = digest.hexdigest()
            path = self._path(kind, hexdigest, suffix)
            _make_folder(path.parent)
            os.replace(tmp, path)
            _sync_folder(path.parent)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OSError(exc.errno, exc.strerror, str(folder)) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return str(path.relative_to(self.root)), hexdigest, size, bytes(head)

    def put_message(self, raw: bytes, digest: str) -> str:
        return self.put("messages", raw, ".eml", digest)

    def put_messages(self, messages: dict[str, bytes]) -> dict[str, str]:
        """Written side by side: each file is still synced before this returns, but syncs in
        flight together share the file system's journal commits. One after the other, each
        file waited for the commit of the one before (docs/benchmarks.md, *Figures behind the
        code*)."""
        if len(messages) < 2:
            return {digest: self.put_message(raw, digest) for digest, raw in messages.items()}
        with ThreadPoolExecutor(max_workers=min(WRITERS, len(messages)), thread_name_prefix="store") as pool:
            paths = pool.map(lambda item: self.put_message(item[1], item[0]), messages.items())
            return dict(zip(messages, paths, strict=True))

    def read(self, relative: str) -> bytes:
        return self._inside(relative).read_bytes()

    def remove(self, relative: str) -> bool:
        try:
            self._inside(relative).unlink()
        except FileNotFoundError:
            return False
        return True

    def load(self, relative: str) -> bytes | None:
        try:
            return self.read(relative)
        except FileNotFoundError:
            return None

    def replace(self, relative: str, data: bytes) -> None:
        _write_file(self._inside(relative), data)


def _write_file(path: Path, data: bytes) -> None:
    """Owner-only, flushed to disk under a temporary name, then renamed into place, the new
    name made durable in its folder."""
    _make_folder(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _sync_folder(path.parent)
    except OSError as exc:  # name the file the data was for, not the temporary one
        tmp.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _make_folder(folder: Path) -> None:
    """Create the folder (owner-only) and whatever above it is missing, each new one made
    durable in the folder holding it."""
    if folder.is_dir():
        return
    _make_folder(folder.parent)
    with contextlib.suppress(FileExistsError):  # made by another writer at the same moment
        folder.mkdir(mode=0o700)
    _sync_folder(folder.parent)


def _sync_folder(folder: Path) -> None:
    """fsync a folder: a file's data is durable once the file is synced, but its name (a rename,
    a new file) only once the folder holding it is, and a power cut could otherwise leave the
    database pointing at a name that is gone."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


CHUNK_BYTES = 1024 * 1024
_CHUNKS = BlobChunk.__table__  # type: ignore[attr-defined]


class DatabaseBlobStore:
    """Rows of the ``blob_chunk`` table, a thing in pieces of at most :data:`CHUNK_BYTES`, each
    thing written in one transaction (all of it or none). Reading falls back to a file under
    the data dir, for what was stored there before the database kept it."""

    def __init__(self, engine: Engine, root: Path) -> None:
        self.engine = engine
        self.files = BlobStore(root)

    def put(self, kind: str, data: bytes, suffix: str = "", digest: str | None = None) -> str:
        relative = relative_path(kind, digest or hashlib.sha256(data).hexdigest(), suffix)
        try:
            with self.engine.begin() as conn:
                if not _present(conn, relative):
                    _insert(conn, relative, [data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)])
        except IntegrityError:  # another worker stored the same thing at the same moment
            pass
        return relative

    def put_chunks(
        self, kind: str, chunks: Iterator[bytes], suffix: str = "", head_bytes: int = HEAD_BYTES
    ) -> tuple[str, str, int, bytes]:
        """Streamed into rows under a temporary name, renamed once the digest is known, in one
        transaction: at most one piece is held in memory."""
        incoming = f"{kind}/.incoming.{secrets.token_hex(8)}"
        digest, size, head, piece, seq = hashlib.sha256(), 0, bytearray(), bytearray(), 0
        with self.engine.begin() as conn:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                if len(head) < head_bytes:
                    head += chunk[: head_bytes - len(head)]
                piece += chunk
                while len(piece) >= CHUNK_BYTES:
                    _insert(conn, incoming, [bytes(piece[:CHUNK_BYTES])], first=seq)
                    del piece[:CHUNK_BYTES]
                    seq += 1
            if piece or seq == 0:
                _insert(conn, incoming, [bytes(piece)], first=seq)
            relative = relative_path(kind, digest.hexdigest(), suffix)
            if _present(conn, relative):
                conn.execute(delete(_CHUNKS).where(_CHUNKS.c.path == incoming))
            else:
                conn.execute(update(_CHUNKS).where(_CHUNKS.c.path == incoming).values(path=relative))
        return relative, digest.hexdigest(), size, bytes(head)

    def put_message(self, raw: bytes, digest: str) -> str:
        return self.put("messages", raw, ".eml", digest)

    def put_messages(self, messages: dict[str, bytes]) -> dict[str, str]:
        return {digest: self.put_message(raw, digest) for digest, raw in messages.items()}

    def read(self, relative: str) -> bytes:
        found = self.load(relative)
        if found is None:
            raise FileNotFoundError(2, "not stored in the database nor under the data dir", relative)
        return found

    def load(self, relative: str) -> bytes | None:
        with self.engine.connect() as conn:
            pieces = conn.execute(
                select(_CHUNKS.c.data).where(_CHUNKS.c.path == relative).order_by(_CHUNKS.c.seq)
            ).scalars()
            data = b"".join(pieces)
            if data or _present(conn, relative):
                return data
        return self.files.load(relative)

    def remove(self, relative: str) -> bool:
        with self.engine.begin() as conn:
            removed = conn.execute(delete(_CHUNKS).where(_CHUNKS.c.path == relative)).rowcount > 0
        return self.files.remove(relative) or removed

    def replace(self, relative: str, data: bytes) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_CHUNKS).where(_CHUNKS.c.path == relative))
            _insert(conn, relative, [data])


def _present(conn: Connection, relative: str) -> bool:
    return bool(conn.execute(select(exists().where(_CHUNKS.c.path == relative, _CHUNKS.c.seq == 0))).scalar())


def _insert(conn: Connection, relative: str, pieces: list[bytes], first: int = 0) -> None:
    rows = [{"path": relative, "seq": first + i, "data": piece} for i, piece in enumerate(pieces or [b""])]
    conn.execute(_CHUNKS.insert(), rows)
