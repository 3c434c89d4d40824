"""Files under the data dir: raw messages and attachments, named by their SHA-256, owner-only.

A file is written (to a temporary name, flushed to disk, then renamed) before the database
row that points to it is committed. A crash in between leaves at most an unreferenced file,
which the next fetch of the same message writes again: content addressing makes that
idempotent.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, kind: str, digest: str, suffix: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a SHA-256 digest: {digest!r}")
        return self.root / kind / digest[:2] / f"{digest}{suffix}"

    def put(self, kind: str, data: bytes, suffix: str = "", digest: str | None = None) -> str:
        """Store bytes; returns the path relative to the data dir."""
        digest = digest or hashlib.sha256(data).hexdigest()
        path = self._path(kind, digest, suffix)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except OSError as exc:  # name the file the data was for, not the temporary one
                tmp.unlink(missing_ok=True)
                raise OSError(exc.errno, exc.strerror, str(path)) from exc
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        return str(path.relative_to(self.root))

    def put_chunks(
        self, kind: str, chunks: Iterator[bytes], suffix: str = "", head_bytes: int = 256 * 1024
    ) -> tuple[str, str, int, bytes]:
        """Store a stream without holding it: (relative path, SHA-256, size, its first bytes)."""
        folder = self.root / kind
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
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
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OSError(exc.errno, exc.strerror, str(folder)) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return str(path.relative_to(self.root)), hexdigest, size, bytes(head)

    def put_message(self, raw: bytes, digest: str) -> str:
        return self.put("messages", raw, ".eml", digest)

    def read(self, relative: str) -> bytes:
        path = (self.root / relative).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"stored path outside the data dir: {relative!r}")
        return path.read_bytes()

    def remove(self, relative: str) -> bool:
        """Delete a stored file (retention); False when it was already gone."""
        path = (self.root / relative).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"stored path outside the data dir: {relative!r}")
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True
