"""``Reden:``: the reason that goes with ``Status: geen datalek`` (read by that command)."""

from __future__ import annotations

from mailbot.pipeline.commands import Context, Outcome

WORDS = ("reden", "reason")


def run(ctx: Context, word: str, value: str) -> Outcome:
    return Outcome(
        word, False, ctx.say("'Reden:' hoort bij 'Status: geen datalek'", "'Reden:' goes with 'Status: geen datalek'")
    )
