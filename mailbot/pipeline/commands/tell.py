"""``Bericht aan melder:``: a message to the reporter about their report.

The message is the text after the word and the lines under it, up to the first empty line or
the first line shaped like another command (commands/__init__.py); the officer's receipt
quotes it exactly as it was sent."""

from __future__ import annotations

from mailbot.pipeline.commands import Command, Context, Outcome
from mailbot.pipeline.notify import mail_reporter

WORDS = ("bericht aan melder", "bericht aan de melder", "bericht", "message to reporter", "message", "tell reporter")


def run(ctx: Context, word: str, value: str) -> Outcome:
    if not value:
        return Outcome(word, False, ctx.say("geen bericht gegeven", "no message given"))
    if not ctx.case.reporter_address:
        return Outcome(word, False, ctx.say("de melder heeft geen e-mailadres", "the reporter has no e-mail address"))
    mail_reporter(ctx.svc, ctx.s, ctx.case, "reporter_message", ctx.now, caused_by=ctx.message.id, text=value)
    ctx.record("message_to_reporter", text=value)
    return Outcome(
        word,
        True,
        ctx.say(
            f"bericht gestuurd aan {ctx.case.reporter_address}, precies deze tekst:",
            f"message sent to {ctx.case.reporter_address}, exactly this text:",
        ),
        quoted=value,
    )


COMMANDS = (Command("tell", WORDS, run),)
