"""The seeds' division of roles: the FG advises (``Advies FG:``), the director decides
(``Besluit:``, optionally ``Besluit door:``). Who and when are recorded. With ``MAILBOT_BOARD``
set, the advice goes to the board as a decision request (decision.py)."""

from __future__ import annotations

from mailbot.pipeline import decision
from mailbot.pipeline.commands import COMPANION, Command, Context, Outcome

ADVICE = ("advies fg", "advies", "fg advice", "dpo advice")
DECISION = ("besluit", "besluit bestuur", "board decision", "decision")
BY = ("besluit door", "decided by")


def _alone(ctx: Context, word: str, value: str) -> Outcome:
    """``Besluit door:`` without a ``Besluit:`` in the mail."""
    return Outcome(word, False, ctx.say("'Besluit door:' hoort bij 'Besluit:'", "'Besluit door:' goes with 'Besluit:'"))


def _advice(ctx: Context, word: str, value: str) -> Outcome:
    if not value:
        return Outcome(word, False, ctx.say(f"geen tekst bij {word}", f"no text with {word}"))
    case = ctx.case
    case.fg_advice, case.fg_advice_by, case.fg_advice_at = value, ctx.officer, ctx.now
    text = value  # what was advised, so the officers told of it read it
    if decision.request(ctx.svc, ctx.s, case, ctx.now, ctx.message.id):
        board = ", ".join(ctx.svc.settings.board)
        text += ctx.say(f"; besluitverzoek gestuurd aan {board}", f"; decision request sent to {board}")
    ctx.record("fg_advice", text=value, by=ctx.officer)
    return Outcome(word, True, text)


def _decision(ctx: Context, word: str, value: str) -> Outcome:
    if not value:
        return Outcome(word, False, ctx.say(f"geen tekst bij {word}", f"no text with {word}"))
    case = ctx.case
    by = ctx.value_of(*BY) or ctx.officer
    case.board_decision, case.board_decision_by, case.board_decision_at = value, by, ctx.now
    ctx.record("board_decision", text=value, by=by)
    return Outcome(word, True, ctx.say(f"{value} (door {by})", f"{value} (by {by})"))


COMMANDS = (
    Command("board.advice", ADVICE, _advice, decision=True),
    Command("board", DECISION, _decision, decision=True),
    # "Besluit door:" goes with "Besluit:" above or below it.
    Command("board.by", BY, _alone, order=COMPANION),
)
