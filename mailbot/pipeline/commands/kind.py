"""``Type:`` / ``Soort datalek:``: the kind of breach in the AP's categories, as the register's
overview counts it. Until it is set the overview uses the kind the report's words suggest."""

from __future__ import annotations

import json

from mailbot.core import breachtype
from mailbot.model import cases
from mailbot.pipeline.commands import Command, Context, Outcome

WORDS = ("type", "soort datalek", "breach type")
OTHER = ("overig", "other", "anders")


def run(ctx: Context, word: str, value: str) -> Outcome:
    key = "other" if value.strip().lower() in OTHER else breachtype.suggest(value)
    if key == "other" and value.strip().lower() not in OTHER:
        choices = ", ".join(breachtype.name(k, ctx.language).lower() for k in breachtype.TYPES)
        return Outcome(
            word,
            False,
            ctx.say(
                f"onbekende soort '{value}'; kies uit: {choices}", f"unknown kind '{value}'; choose from: {choices}"
            ),
        )
    current = cases.answers_of_assessment(ctx.case)
    old = current.get("breach_type")
    current["breach_type"] = key
    ctx.case.assessment = json.dumps(current, ensure_ascii=False, sort_keys=True)
    ctx.record("breach_type_set", old=old, new=key)
    return Outcome(word, True, breachtype.name(key, ctx.language))


COMMANDS = (Command("kind", WORDS, run),)
