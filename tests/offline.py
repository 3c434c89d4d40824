"""A configuration for commands that never touch a mail server (export, audit, purge, drafts)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def offline_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **extra: str) -> Path:
    """Write a complete .env whose servers are never contacted; clear MAILBOT_* from the environment."""
    for key in [k for k in os.environ if k.startswith("MAILBOT_")]:
        monkeypatch.delenv(key)
    values = {
        "MAILBOT_IMAP_HOST": "127.0.0.1",
        "MAILBOT_IMAP_USER": "bot",
        "MAILBOT_IMAP_PASSWORD": "unused",
        "MAILBOT_SMTP_HOST": "127.0.0.1",
        "MAILBOT_ADDRESS": "informatiebeveiliging@example.org",
        "MAILBOT_OFFICERS": "fg@example.org",
        "MAILBOT_DATA_DIR": str(tmp_path / "data"),
        **extra,
    }
    env = tmp_path / "mailbot.env"
    env.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    env.chmod(0o600)
    return env
