"""The people affected (art. 34 GDPR): ``Betrokkenen informeren: ja|nee`` (with ``Reden:`` when
not), ``Betrokkenen geïnformeerd op:`` and ``Kanaal:``."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from mailbot.core import wording
from mailbot.core.dates import parse_when
from mailbot.pipeline.commands import COMPANION, NO, YES, Command, Context, Outcome

DECIDE = ("betrokkenen informeren", "informeren betrokkenen", "inform data subjects", "inform subjects")
INFORMED = ("betrokkenen geïnformeerd op", "betrokkenen geinformeerd op", "geïnformeerd op", "geinformeerd op",
            "data subjects informed at", "subjects informed at", "informed at")  # fmt: skip
CHANNEL = ("kanaal", "channel")
CHANNELS = ("telefoon", "brief", "e-mail", "email", "website", "sociale media", "krant", "anders", "phone", "letter",
            "social media", "newspaper", "other", "persoonlijk", "in person")  # fmt: skip
EXCEPTIONS_HINT = ("versleuteld/onbegrijpelijk, later genomen maatregelen, of onevenredige inspanning "
                   "(dan een openbare mededeling)")  # fmt: skip


def _decide(ctx: Context, word: str, value: str) -> Outcome:
    case = ctx.case
    answer = value.strip().lower().rstrip(".")
    reason = ctx.reason()
    if answer in NO:
        # Recorded even without a reason; the reason is asked for and stays open (cases.open_items).
        case.subjects_decision, case.subjects_decision_reason = "nee", reason
    elif answer in YES:
        case.subjects_decision, case.subjects_decision_reason = "ja", reason
    else:
        return Outcome(word, False, ctx.say("antwoord ja of nee", "answer ja or nee"))
    ctx.record(
        "subjects_decision",
        decision=case.subjects_decision,
        reason=case.subjects_decision_reason or None,
    )
    todo = ""
    if case.subjects_decision == "ja":
        todo = ctx.say("; informeer hen onverwijld, schriftelijk en zorgvuldig",
                       "; inform them without undue delay, in writing")  # fmt: skip
    elif not reason:
        todo = ctx.say(
            f"; de reden ontbreekt: stuur het besluit opnieuw met daaronder 'Reden: …', bijv. {EXCEPTIONS_HINT}",
            "; the reason is missing: send the decision again with 'Reason: …' below it (encrypted, later "
            "measures, or disproportionate effort)",
        )
    yes = case.subjects_decision == "ja"
    return Outcome(word, True, ctx.say("ja", "yes") if yes else ctx.say("nee", "no"), todo=todo)


def _informed(ctx: Context, word: str, value: str) -> Outcome:
    case = ctx.case
    tz = ctx.svc.settings.timezone
    when = parse_when(value, ctx.parsed.date or ctx.now, tz)
    at = None if when is None else when.at or _day(when.day, ctx.now, tz)
    timed = when is not None and when.at is not None  # a day alone is shown as a day
    if at is None or at > ctx.now:
        return Outcome(
            word, False, ctx.say(f"'{value}' is geen datum in het verleden", f"'{value}' is not a past date")
        )
    case.subjects_informed_at = at
    channel = ctx.value_of("kanaal", "channel")
    if channel:
        case.subjects_channel = channel
    ctx.record(
        "subjects_informed",
        informed_at=at.isoformat(),
        channel=case.subjects_channel or None,
    )
    return Outcome(
        word,
        True,
        ctx.say(
            f"betrokkenen geïnformeerd op {wording.when(at, tz, 'nl', time=timed)}",
            f"data subjects informed at {wording.when(at, tz, 'en', time=timed)}",
        ),
    )


def _day(day: date, now: datetime, tz: ZoneInfo) -> datetime:
    """A date given without a time: that day, at this moment when it is today, else at its start
    (never today's date in place of the day written)."""
    return now if day == now.astimezone(tz).date() else datetime.combine(day, time(0), tzinfo=tz)


def _channel(ctx: Context, word: str, value: str) -> Outcome:
    case = ctx.case
    if not any(c in value.lower() for c in CHANNELS):
        return Outcome(
            word,
            False,
            ctx.say(
                f"kanaal '{value}'? Kies uit: telefoon, brief, e-mail, website, sociale media, krant, anders",
                f"channel '{value}'? Choose from: phone, letter, e-mail, website, social media, newspaper, other",
            ),
        )
    case.subjects_channel = value
    ctx.record("subjects_channel_set", channel=value)
    return Outcome(word, True, value)


COMMANDS = (
    Command("subjects", DECIDE, _decide, takes_reason=True, decision=True),
    Command("subjects.informed", INFORMED, _informed, decision=True),
    # "Kanaal:" goes with "Betrokkenen geïnformeerd op:" wherever it stands.
    Command("subjects.channel", CHANNEL, _channel, order=COMPANION),
)
