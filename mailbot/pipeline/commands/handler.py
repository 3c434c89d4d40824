"""``Melder:`` / ``Technicus:``: who handles the case, in the protocol's roles."""

from __future__ import annotations

import re

from mailbot.core.compose import address_fault, shown_address
from mailbot.pipeline.commands import Command, Context, Outcome, normalise_word

ROLES = {
    "melder": "handler", "behandelaar": "handler", "handler": "handler", "case handler": "handler",
    "technicus": "technician", "technician": "technician",
}  # fmt: skip
WORDS = tuple(ROLES)
# An address starts where a word does (not after another character it could hold): the
# leftmost match starts there anyway, and without the look-behind every character of a long
# word was tried as a start and the word read to its end each time.
_ADDRESS = re.compile(r"(?<![^@\s<>,;])[^@\s<>,;]++@[^@\s<>,;]+\.[^@\s<>,;]+")


def run(ctx: Context, word: str, value: str) -> Outcome:
    role = ROLES[normalise_word(word)]
    found = _ADDRESS.search(value)
    if not found:
        return Outcome(word, False, ctx.say(f"'{value}' bevat geen e-mailadres", f"'{value}' holds no e-mail address"))
    address = found[0].lower()
    if address_fault(address):
        shown = shown_address(address)
        said = ctx.say(f"'{shown}' is geen bruikbaar e-mailadres", f"'{shown}' is not a usable e-mail address")
        return Outcome(word, False, said)
    old = getattr(ctx.case, role)
    setattr(ctx.case, role, address)
    ctx.record(
        f"{role}_set",
        old=old or None,
        new=address,
    )
    label = ctx.say(
        {"handler": "behandelaar", "technician": "technicus"}[role],
        {"handler": "case handler", "technician": "technician"}[role],
    )
    return Outcome(word, True, f"{label}: {address}")


COMMANDS = (Command("handler", WORDS, run),)
