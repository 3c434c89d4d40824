"""``Melder:`` / ``Technicus:``: who handles the case, in the protocol's roles. A technician
named is mailed what the officer needs from them."""

from __future__ import annotations

import re

from mailbot.core.compose import address_fault, shown_address
from mailbot.pipeline.commands import Command, Context, Outcome, normalise_word
from mailbot.pipeline.notify import mail_technician

ROLES = {
    "melder": "handler", "behandelaar": "handler", "handler": "handler", "case handler": "handler",
    "technicus": "technician", "technician": "technician",
}  # fmt: skip
WORDS = tuple(ROLES)
# An address starts where a word does (not after another character it could hold): the
# leftmost match starts there anyway, and without the look-behind every character of a long
# word was tried as a start and the word read to its end each time.
ADDRESS = re.compile(r"(?<![^@\s<>,;])[^@\s<>,;]++@[^@\s<>,;]+\.[^@\s<>,;]+")


def address_in(ctx: Context, word: str, value: str) -> str | Outcome:
    """The usable e-mail address in ``value`` (lower case), or the refusal saying why none is."""
    found = ADDRESS.search(value)
    if not found:
        return Outcome(word, False, ctx.say(f"'{value}' bevat geen e-mailadres", f"'{value}' holds no e-mail address"))
    address = found[0].lower()
    if address_fault(address):
        shown = shown_address(address)
        said = ctx.say(f"'{shown}' is geen bruikbaar e-mailadres", f"'{shown}' is not a usable e-mail address")
        return Outcome(word, False, said)
    return address


def run(ctx: Context, word: str, value: str) -> Outcome:
    role = ROLES[normalise_word(word)]
    address = address_in(ctx, word, value)
    if isinstance(address, Outcome):
        return address
    old = getattr(ctx.case, role)
    setattr(ctx.case, role, address)
    ctx.record(
        f"{role}_set",
        old=old or None,
        new=address,
    )
    if role == "technician" and address != old:
        sent = mail_technician(ctx.svc, ctx.s, ctx.case, ctx.now, caused_by=ctx.message.id)
        asked = ctx.say("oorzaak, wat er is gedaan, versleuteling en logbestanden",
                        "cause, what was done, encryption and logs")  # fmt: skip
        # The mail's Message-ID: the technician's reply to it is shown as the answer to this.
        ctx.record("technician_asked", technician=address, question=asked, mail=sent)
        return Outcome(word, True, ctx.say(f"{address}; gevraagd naar de {asked}",
                                           f"{address}; asked for the {asked}"))  # fmt: skip
    return Outcome(word, True, address)


COMMANDS = (Command("handler", WORDS, run),)
