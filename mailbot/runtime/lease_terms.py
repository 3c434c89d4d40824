"""The lease's names and its term (lease.py), apart from the database code that keeps it, so
that ``mailbot status`` reads them without loading the database layer."""

from __future__ import annotations

LEASE_SECONDS = 45
NAME = "worker"
STANDBY = "standby "  # + the holder's label: one row per waiting worker, for `mailbot status`
