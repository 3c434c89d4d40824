"""``AP-concept``: the AP notification as prepared so far (apdraft.py), sent back on the case's thread."""

from __future__ import annotations

from mailbot.pipeline.commands import Command, Context, Outcome
from mailbot.register import apdraft

WORDS = ("ap-concept", "ap concept", "concept ap", "ap-draft", "ap draft")


def run(ctx: Context, word: str, value: str) -> Outcome:
    draft = apdraft.build(ctx.case, ctx.svc.settings, ctx.now)
    ctx.extra.append(apdraft.text(draft, ctx.language))
    ctx.record("ap_draft_requested", missing=len(draft.missing))
    missing = len(draft.missing)
    return Outcome(
        word,
        True,
        ctx.say(
            f"het concept staat hieronder; nog in te vullen: {missing} veld(en)",
            f"the draft is below; still to fill in: {missing} field(s)",
        ),
    )


COMMANDS = (Command("apconcept", WORDS, run, on_closed=True),)
