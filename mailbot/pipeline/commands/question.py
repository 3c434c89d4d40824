"""``Vraag aan melder:``: a follow-up question to the reporter, on the case's thread."""

from __future__ import annotations

from mailbot.pipeline.commands import Command, Context, Outcome
from mailbot.pipeline.notify import mail_reporter

WORDS = ("vraag aan melder", "vraag aan de melder", "vraag", "question to reporter", "question", "ask reporter")


def run(ctx: Context, word: str, value: str) -> Outcome:
    if not value:
        return Outcome(word, False, ctx.say("geen vraag gegeven", "no question given"))
    if not ctx.case.reporter_address:
        return Outcome(word, False, ctx.say("de melder heeft geen e-mailadres", "the reporter has no e-mail address"))
    sent = mail_reporter(
        ctx.svc, ctx.s, ctx.case, "reporter_question", ctx.now, caused_by=ctx.message.id, question=value
    )
    # The mail's Message-ID: the reporter's reply to it is shown as the answer to this question.
    ctx.record(
        "question_to_reporter",
        question=value,
        mail=sent,
    )
    return Outcome(
        word,
        True,
        ctx.say(
            f"vraag gestuurd aan {ctx.case.reporter_address}, precies deze tekst:",
            f"question sent to {ctx.case.reporter_address}, exactly this text:",
        ),
        quoted=value,
    )


COMMANDS = (Command("question", WORDS, run),)
