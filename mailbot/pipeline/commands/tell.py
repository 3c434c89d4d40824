"""``Bericht aan melder:``: a message to the reporter about their report.

The message is the text after the word and the lines under it, up to the first empty line or
the first line shaped like another command (commands/__init__.py); the officer's receipt
quotes it exactly as it was sent. Procedure M keeps the reporter informed of the measures
taken: measures recorded in the same mail go with the message, and a ``Status:`` in the same
mail sends the message with its news (commands/status.py), so the reporter gets one mail.
"""

from __future__ import annotations

from mailbot.pipeline.commands import Command, Context, Outcome, find, normalise_word
from mailbot.pipeline.commands.assessment import FIELDS
from mailbot.pipeline.notify import mail_reporter

WORDS = ("bericht aan melder", "bericht aan de melder", "bericht", "message to reporter", "message", "tell reporter")


def run(ctx: Context, word: str, value: str) -> Outcome:
    if not value:
        return Outcome(word, False, ctx.say("geen bericht gegeven", "no message given"))
    if not ctx.case.reporter_address:
        return Outcome(word, False, ctx.say("de melder heeft geen e-mailadres", "the reporter has no e-mail address"))
    if any((command := find(w)) is not None and command.name == "status" for w, _ in ctx.lines):
        # The status command takes this message into its own mail to the reporter.
        return Outcome(word, True, ctx.say("gaat mee in de e-mail over de status", "goes with the status mail"))
    measures = measures_in_mail(ctx)
    send(ctx, "reporter_message", value, measures)
    said = ctx.say(
        f"bericht gestuurd aan {ctx.case.reporter_address}{', met de maatregelen' if measures else ''}, "
        "precies deze tekst:",
        f"message sent to {ctx.case.reporter_address}{', with the measures' if measures else ''}, exactly this text:",
    )
    return Outcome(word, True, said, quoted=sent_text(value, measures))


def send(ctx: Context, template: str, message: str, measures: str) -> None:
    """Mail the reporter ``template`` with the officer's message and the measures; the message
    is recorded as sent."""
    mail_reporter(
        ctx.svc, ctx.s, ctx.case, template, ctx.now, caused_by=ctx.message.id, text=message, officer_text=message,
        measures=measures,
    )  # fmt: skip
    if message:
        ctx.record("message_to_reporter", text=message)


def sent_text(message: str, measures: str) -> str:
    """What the receipt quotes: the message, then the measures, as the reporter got them."""
    return "\n\n".join(part for part in (message, measures) if part)


def measures_in_mail(ctx: Context) -> str:
    """The measures a ``Maatregelen:`` line in this same mail records ("" when none)."""
    given = [v for w, v in ctx.lines if FIELDS.get(normalise_word(w)) == "measures" and v.strip()]
    return given[-1].strip() if given else ""


def take_messages(ctx: Context) -> str:
    """The messages to the reporter in this mail, for the command running now to send (they
    are then used up: their lines go with it)."""
    taken = []
    for index, (w, value) in enumerate(ctx.lines):
        if normalise_word(w) in WORDS and index not in ctx.consumed and value.strip():
            ctx.consumed[index] = ctx.lines[ctx.index][0]
            taken.append(value.strip())
    return "\n\n".join(taken)


COMMANDS = (Command("tell", WORDS, run),)
