"""``Help``: the command list (the reply template shows it)."""

from __future__ import annotations

WORDS = ("help", "hulp", "?")
