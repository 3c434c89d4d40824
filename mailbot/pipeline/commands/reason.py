"""``Reden:``: the reason for the decision above it (``Status: geen datalek``, ``Melden AP:``,
``Betrokkenen informeren:``); that decision reads it. A ``Reden:`` that belongs to no decision
comes here and is refused: it is never put under a guess."""

from __future__ import annotations

from mailbot.pipeline.commands import Command, Context, Outcome

WORDS = ("reden", "reason")


def run(ctx: Context, word: str, value: str) -> Outcome:
    return Outcome(
        word,
        False,
        ctx.say(
            "deze 'Reden:' staat niet onder een besluit dat nog een reden mist (Status: geen datalek, "
            "Melden AP:, Betrokkenen informeren:); zet de reden direct onder het besluit",
            "this 'Reason:' stands under no decision still missing a reason (Status: no breach, "
            "Notify AP:, Inform data subjects:); put the reason right under the decision",
        ),
    )


COMMANDS = (Command("reason", WORDS, run),)
