"""The processing states of stored mail, apart from the tables (models.py) so that the
commands that only read (cli/views.py, cli/status_view.py) name them without loading the ORM.

They are stored as their values in text columns (the columns stay ``str``: an Enum column
would store the members' names, or make a type of its own on PostgreSQL).
"""

from __future__ import annotations

from enum import StrEnum


class MessageStatus(StrEnum):
    RECEIVED = "received"  # stored, not yet handled
    PROCESSED = "processed"
    QUARANTINED = "quarantined"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
