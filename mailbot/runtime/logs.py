"""Log lines on stderr: readable text by default, or one JSON object per line for a collector.

What a line is about goes in as fields, not as words to parse: the stages log with
``extra={"message_id": …, "kenmerk": …, "mailbox": …}`` (the stored message's number, the
case's kenmerk, the mailbox's name), and a JSON line carries each one that is set. The
logger's name says which stage wrote it (``mailbot.pipeline.dispatch``)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
FIELDS = ("message_id", "kenmerk", "mailbox")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((key, value) for key in FIELDS if (value := getattr(record, key, None)) is not None)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def use_format(name: str) -> None:
    """Switch the root logger's handlers to ``text`` or ``json`` (MAILBOT_LOG_FORMAT)."""
    formatter = JsonFormatter() if name == "json" else logging.Formatter(TEXT_FORMAT)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
