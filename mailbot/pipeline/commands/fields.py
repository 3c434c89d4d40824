"""Any questionnaire field by its label (``Aantal betrokkenen: 120``): the officer fills or corrects it."""

from __future__ import annotations

from mailbot.core import answers as answer_fields
from mailbot.core import wording
from mailbot.model.cases import set_answer
from mailbot.pipeline.commands import Command, Context, Outcome, Who


def matches(word: str) -> bool:
    return answer_fields.field_for_label(word) is not None


def run(ctx: Context, word: str, value: str) -> Outcome:
    name = answer_fields.field_for_label(word)
    assert name is not None
    if not value:
        return Outcome(word, False, ctx.say(f"geen waarde voor {word}", f"no value for {word}"))
    normalised = answer_fields.normalise(name, value, ctx.parsed.date or ctx.now, ctx.svc.settings.timezone)
    changed = set_answer(ctx.s, ctx.case, name, normalised, ctx.now, actor=ctx.officer, message_id=ctx.message.id)
    shown = wording.value(normalised, ctx.svc.settings.timezone, ctx.language)
    text = shown if changed else ctx.say(f"was al {shown}", f"was already {shown}")
    return Outcome(word, True, text)


COMMANDS = (Command("fields", (), run, who=Who.ANYONE, also=matches),)
