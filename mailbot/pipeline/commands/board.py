"""The seeds' division of roles: the FG advises (``Advies FG:``), the director decides
(``Besluit:``, optionally ``Besluit door:``). Who and when are recorded. With ``MAILBOT_BOARD``
set, the advice goes to the board as a decision request (decision.py)."""

from __future__ import annotations

import re

from mailbot.pipeline import decision
from mailbot.pipeline.commands import COMPANION, NORMAL, Context, Outcome

ADVICE = ("advies fg", "advies", "fg advice", "dpo advice")
DECISION = ("besluit", "besluit bestuur", "board decision", "decision")
BY = ("besluit door", "decided by")
WORDS = ADVICE + DECISION + BY
DECISION_WORDS = ADVICE + DECISION


def order(word: str, value: str) -> int:
    """``Besluit door:`` goes with ``Besluit:`` above or below it."""
    return COMPANION if re.sub(r"\s+", " ", word.strip().lower()) in BY else NORMAL


def run(ctx: Context, word: str, value: str) -> Outcome:
    w = re.sub(r"\s+", " ", word.strip().lower())
    case = ctx.case
    if w in BY:
        return Outcome(
            word, False, ctx.say("'Besluit door:' hoort bij 'Besluit:'", "'Besluit door:' goes with 'Besluit:'")
        )
    if not value:
        return Outcome(word, False, ctx.say(f"geen tekst bij {word}", f"no text with {word}"))
    if w in ADVICE:
        case.fg_advice, case.fg_advice_by, case.fg_advice_at = value, ctx.officer, ctx.now
        kind, text = "fg_advice", ctx.say("advies FG vastgelegd", "DPO advice recorded")
        if decision.request(ctx.svc, ctx.s, case, ctx.now, ctx.message.id):
            board = ", ".join(ctx.svc.settings.board)
            text += ctx.say(f"; besluitverzoek gestuurd aan {board}", f"; decision request sent to {board}")
    else:
        by = ctx.value_of(*BY) or ctx.officer
        case.board_decision, case.board_decision_by, case.board_decision_at = value, by, ctx.now
        kind, text = "board_decision", ctx.say(f"besluit vastgelegd (door {by})", f"decision recorded (by {by})")
    ctx.record(
        kind,
        text=value,
        by=case.board_decision_by if kind == "board_decision" else ctx.officer,
    )
    return Outcome(word, True, text)
