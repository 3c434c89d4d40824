"""``Help``: the command list (the reply template shows it)."""

from __future__ import annotations

from mailbot.pipeline.commands import Command, Context, Outcome

WORDS = ("help", "hulp", "?")


def _never(ctx: Context, word: str, value: str) -> Outcome:
    raise AssertionError("Help is answered with the command list, not run")


COMMANDS = (Command("help", WORDS, _never, help=True),)
