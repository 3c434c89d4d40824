"""``Overnemen``: take over the answers last offered for the case by a mail the bot could not
tie to the reporter (conversation.py), as the officers' notice listed them."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import col, select

from mailbot.model import cases
from mailbot.model.models import Event
from mailbot.pipeline.commands import Command, Context, Outcome
from mailbot.pipeline.conversation import PROPOSED

WORDS = ("overnemen", "accept")
ACCEPTED = "answers_accepted"


def _latest(ctx: Context, kind: str) -> Event | None:
    return ctx.s.exec(
        select(Event).where(Event.case_id == ctx.case.id, Event.kind == kind).order_by(col(Event.id).desc()).limit(1)
    ).first()


def run(ctx: Context, word: str, value: str) -> Outcome:
    proposal = _latest(ctx, PROPOSED)
    answers: dict[str, Any] = json.loads(proposal.detail or "{}").get("answers", {}) if proposal else {}
    if proposal is None or not answers:
        return Outcome(word, False, ctx.say("er zijn geen voorgestelde antwoorden", "no answers were proposed"))
    taken = _latest(ctx, ACCEPTED)
    if taken is not None and json.loads(taken.detail or "{}").get("proposal") == proposal.id:
        return Outcome(word, False, ctx.say("deze antwoorden zijn al overgenomen", "these answers were already taken"))
    changed = [
        name
        for name, answer in answers.items()
        if cases.set_answer(ctx.s, ctx.case, name, answer, ctx.now, actor=ctx.officer, message_id=ctx.message.id)
    ]
    ctx.record(ACCEPTED, proposal=proposal.id, proposed_by=proposal.actor, fields=changed)
    listed = ", ".join(f"{n} = {answers[n]}" for n in changed) or ctx.say("niets gewijzigd", "nothing changed")
    return Outcome(
        word, True, ctx.say(f"overgenomen van {proposal.actor}: {listed}", f"taken from {proposal.actor}: {listed}")
    )


COMMANDS = (Command("accept", WORDS, run),)
