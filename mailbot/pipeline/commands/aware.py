"""``Ontdekt op:``: when the organisation became aware; the AP deadline is counted from it."""

from __future__ import annotations

from mailbot.core import wording
from mailbot.core.dates import parse_when
from mailbot.model import cases
from mailbot.pipeline.commands import Command, Context, Outcome

WORDS = ("ontdekt op", "ontdekt", "bekend sinds", "bekend op", "discovered at", "discovered", "aware at",
         "aware since", "aware")  # fmt: skip


def run(ctx: Context, word: str, value: str) -> Outcome:
    tz = ctx.svc.settings.timezone
    when = parse_when(value, ctx.parsed.date or ctx.now, tz)
    if when is None or when.at is None:
        return Outcome(
            word,
            False,
            ctx.say(
                f"'{value}' is geen datum met tijd; schrijf bijv. 20-11-2026 14:00",
                f"'{value}' is not a date and time; write e.g. 20-11-2026 14:00",
            ),
        )
    if when.at > ctx.now:
        return Outcome(word, False, ctx.say(f"{value} ligt in de toekomst", f"{value} is in the future"))
    case = ctx.case
    old_aware, old_deadline = case.aware_at, case.ap_deadline_at
    case.aware_at = when.at
    case.ap_deadline_at = cases.ap_deadline(when.at)
    ctx.record(
        "aware_at_changed",
        old=old_aware.isoformat(),
        new=case.aware_at.isoformat(),
        ap_deadline_at=case.ap_deadline_at.isoformat(),
        old_ap_deadline_at=old_deadline.isoformat(),
    )
    deadline, aware = wording.when(case.ap_deadline_at, tz, ctx.language), wording.when(case.aware_at, tz, ctx.language)
    return Outcome(
        word,
        True,
        ctx.say(f"{aware}; deadline AP nu {deadline}", f"{aware}; AP deadline now {deadline}"),
    )


COMMANDS = (Command("aware", WORDS, run),)
