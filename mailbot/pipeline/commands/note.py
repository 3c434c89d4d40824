"""``Notitie:``: an internal note on the case; never sent to the reporter."""

from __future__ import annotations

from mailbot.pipeline.commands import Command, Context, Outcome

WORDS = ("notitie", "interne notitie", "note", "internal note")


def run(ctx: Context, word: str, value: str) -> Outcome:
    if not value:
        return Outcome(word, False, ctx.say("lege notitie", "empty note"))
    ctx.record("note", text=value)
    return Outcome(word, True, ctx.say("vastgelegd", "recorded"))


COMMANDS = (Command("note", WORDS, run, on_closed=True),)
