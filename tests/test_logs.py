"""JSON log lines carry what a line is about as fields of their own."""

from __future__ import annotations

import json
import logging

from mailbot.runtime.logs import JsonFormatter


def _line(**extra: object) -> dict[str, object]:
    record = logging.LogRecord("mailbot.pipeline.dispatch", logging.INFO, __file__, 1, "message #%d", (7,), None)
    record.__dict__.update(extra)
    entry: dict[str, object] = json.loads(JsonFormatter().format(record))
    return entry


def test_the_message_kenmerk_and_mailbox_are_fields() -> None:
    entry = _line(message_id=7, kenmerk="DL-2026-0001", mailbox="meldpunt")
    assert entry["message"] == "message #7" and entry["logger"] == "mailbot.pipeline.dispatch"
    assert (entry["message_id"], entry["kenmerk"], entry["mailbox"]) == (7, "DL-2026-0001", "meldpunt")


def test_fields_not_set_are_left_out() -> None:
    assert set(_line(kenmerk=None)) == {"time", "level", "logger", "message"}
