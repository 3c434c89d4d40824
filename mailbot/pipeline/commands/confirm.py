"""``Bevestig melder``: the officer vouches for a reporter outside the organisation, and the
acknowledgement that waited for it (acknowledgement.py) goes now."""

from __future__ import annotations

from mailbot.pipeline import acknowledgement
from mailbot.pipeline.commands import Command, Context, Outcome

WORDS = ("bevestig melder", "confirm reporter")


def run(ctx: Context, word: str, value: str) -> Outcome:
    if not acknowledgement.waiting(ctx.s, ctx.case):
        return Outcome(
            word, False, ctx.say("er wacht geen ontvangstbevestiging", "no acknowledgement is waiting on this case")
        )
    acknowledgement.release(ctx.svc, ctx.s, ctx.case, ctx.now, ctx.officer, ctx.message.id)
    to = ctx.case.reporter_address
    return Outcome(word, True, ctx.say(f"ontvangstbevestiging verstuurd aan {to}", f"acknowledgement sent to {to}"))


COMMANDS = (Command("confirm", WORDS, run),)
