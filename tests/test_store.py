"""Raw storage: content-addressed, owner-only, idempotent, never outside the data dir."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from mailbot.store import BlobStore


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


def test_read_refuses_paths_outside(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "data")
    with pytest.raises(ValueError):
        store.read("../../etc/passwd")


def test_digest_must_be_sha256(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        BlobStore(tmp_path).put("attachments", b"x", digest="../../x")
