"""``Betrokken medewerker:``: a colleague named in the case (copied by the reporter, a witness)
whose mail was refused because they were not on it. Added by an officer, they are on the case:
the mail held from them is taken in as theirs, and their replies in the case's thread land on it
like a reporter's answers (conversation.py)."""

from __future__ import annotations

from mailbot.core.answers import answer_text
from mailbot.core.render import field_label
from mailbot.pipeline import conversation
from mailbot.pipeline.commands import Command, Context, Outcome
from mailbot.pipeline.commands.handler import address_in

WORDS = ("betrokken medewerker", "betrokken collega", "involved colleague", "involved employee")


def run(ctx: Context, word: str, value: str) -> Outcome:
    address = address_in(ctx, word, value)
    if isinstance(address, Outcome):
        return address
    why = _why_not(ctx, address)
    if why:
        return Outcome(word, False, why)
    if address in conversation.colleagues(ctx.s, ctx.case):
        return Outcome(word, True, ctx.say(f"{address} hoorde al bij de melding", f"{address} was already on the case"))
    ctx.record(conversation.COLLEAGUE_ADDED, address=address)
    taken, left, changes = conversation.take_in_held(ctx.svc, ctx.s, ctx.case, address, ctx.now, ctx.officer)
    text = ctx.say(
        f"{address} hoort nu bij de melding; antwoorden van {address} komen voortaan op de melding, zoals die van "
        "de melder",
        f"{address} is now on the case; replies from {address} now land on the case, like the reporter's",
    )
    if taken:
        listed = "; ".join(
            f"{field_label(name, ctx.language)}: {answer_text(name, new, ctx.language)}" for name, _, new in changes
        )
        text += ctx.say(
            f"; eerder bewaarde e-mail{'s' if taken > 1 else ''} alsnog verwerkt"
            + (f" ({listed})" if listed else " (de tekst is bij de melding bewaard)"),
            "; mail kept earlier taken in" + (f" ({listed})" if listed else " (its text is kept on the case)"),
        )
    if left:
        text += ctx.say(
            f"; {left} eerder bewaarde e-mail{'s' if left > 1 else ''} in de naam van {address} "
            f"antwoordde{'n' if left > 1 else ''} niet op de melding of op onze e-mail erover en "
            f"{'zijn' if left > 1 else 'is'} niet verwerkt: iedereen kan dat afzenderadres invullen",
            f"; {left} mail{'s' if left > 1 else ''} kept earlier in the name of {address} answered neither the "
            f"report nor our mail about it and {'were' if left > 1 else 'was'} not taken in: anyone can write that "
            "sender address",
        )
    return Outcome(word, True, text)


def _why_not(ctx: Context, address: str) -> str:
    """Someone who already has a role of their own on the case is not added as a colleague."""
    if address == ctx.case.reporter_address:
        return ctx.say(f"{address} is de melder; diens antwoorden komen al op de melding",
                       f"{address} is the reporter, whose replies already land on the case")  # fmt: skip
    if address in ctx.svc.settings.mailbox_named(ctx.case.mailbox).officers:
        return ctx.say(f"{address} is privacy officer van deze mailbox en geeft opdrachten, geen antwoorden",
                       f"{address} is an officer of this mailbox and gives commands, not answers")  # fmt: skip
    if address in ctx.svc.settings.board:
        return ctx.say(f"{address} beslist als directie over de melding en antwoordt niet als medewerker",
                       f"{address} decides on the case for the board and does not answer as a colleague")  # fmt: skip
    return ""


COMMANDS = (Command("colleague", WORDS, run),)
