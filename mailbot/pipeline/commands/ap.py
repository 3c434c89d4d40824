"""The AP notification (art. 33 GDPR): ``Melden AP:``, ``AP-meldnummer:``, ``Gemeld op:``,
``Melding: voorlopig|definitief|ingetrokken``, ``Reden vertraging:``. A decision closes the clock.
"""

from __future__ import annotations

import hashlib

from mailbot.core import wording
from mailbot.core.dates import parse_when
from mailbot.core.severity import TIERS, TIERS_EN, Severity, assess
from mailbot.model import cases
from mailbot.pipeline.commands import NO, YES, Command, Context, Outcome, normalise_word
from mailbot.register import apdraft

DECIDE = ("melden ap", "melding ap", "ap melden", "notify ap", "report to ap")
REFERENCE = ("ap-meldnummer", "meldnummer", "ap meldnummer", "ap reference", "ap number")
NOTIFIED = ("gemeld op", "gemeld", "notified at", "notified on")
KIND = ("melding", "notification", "soort melding")
DELAY = ("reden vertraging", "reden van vertraging", "vertraging", "reason for delay", "delay reason")
# What the receipt says: "Melding: voorlopig", not "Melding: melding voorlopig".
SHOWN_KINDS = {"voorlopig": ("voorlopig", "preliminary"), "definitief": ("definitief", "final"),
               "ingetrokken": ("ingetrokken", "withdrawn")}  # fmt: skip
KINDS = {
    "voorlopig": "voorlopig", "preliminary": "voorlopig", "definitief": "definitief", "definitive": "definitief",
    "final": "definitief", "ingetrokken": "ingetrokken", "intrekken": "ingetrokken", "withdrawn": "ingetrokken",
}  # fmt: skip


def _reference(ctx: Context, word: str, value: str) -> Outcome:
    return _set(ctx, word, "ap_reference", value, value)


def _kind(ctx: Context, word: str, value: str) -> Outcome:
    kind = KINDS.get(value.strip().lower())
    if kind is None:
        return Outcome(
            word,
            False,
            ctx.say("kies voorlopig, definitief of ingetrokken", "choose voorlopig, definitief or ingetrokken"),
        )
    shown = ctx.say(SHOWN_KINDS[kind][0], SHOWN_KINDS[kind][1])
    return _set(ctx, word, "ap_notification_kind", kind, shown)


def _delay(ctx: Context, word: str, value: str) -> Outcome:
    return _set(ctx, word, "ap_delay_reason", value, ctx.say("vastgelegd", "recorded"))


def _set(ctx: Context, word: str, attribute: str, value: str, text: str) -> Outcome:
    if not value:
        return Outcome(word, False, ctx.say(f"geen waarde voor {word}", f"no value for {word}"))
    old = getattr(ctx.case, attribute)
    setattr(ctx.case, attribute, value)
    ctx.record(
        f"{attribute}_set",
        old=old or None,
        new=value,
    )
    return Outcome(word, True, text, todo=_late_note(ctx))


def _late_note(ctx: Context) -> str:
    """Notified after the deadline: the AP form asks why, so we do too."""
    case = ctx.case
    if case.ap_notified_at and case.ap_notified_at > case.ap_deadline_at and not case.ap_delay_reason:
        return ctx.say(
            "; gemeld na de deadline: geef de reden ('Reden vertraging: …'), het AP-formulier vraagt erom",
            "; notified after the deadline: give the reason ('Reason for delay: …'), the AP form asks for it",
        )
    return ""


def _decide(ctx: Context, word: str, value: str) -> Outcome:
    answer = value.strip().lower().rstrip(".")
    case = ctx.case
    suggestion = assess(cases.answers_of_assessment(case), cases.answers_of(case))
    reason = ctx.reason()
    against = _against(answer in NO, suggestion)
    if answer in NO:
        # Recorded even without a reason (the decision was taken); the reason is asked for and
        # stays open until it is given, so the case is not archived without it.
        case.ap_decision, case.ap_decision_reason = "nee", reason
    elif answer in YES:
        case.ap_decision, case.ap_decision_reason = "ja", reason
        if case.ap_notified_at is None and not any(normalise_word(w) in NOTIFIED for w, _ in ctx.lines):
            case.ap_notified_at = ctx.now
    else:
        return Outcome(word, False, ctx.say("antwoord ja of nee", "answer ja or nee"))
    ctx.record(
        "ap_decision",
        decision=case.ap_decision,
        reason=case.ap_decision_reason or None,
        suggested_tier=suggestion.tier,
        suggested_score=suggestion.score,
        against_suggestion=against,
    )
    notify = case.ap_decision == "ja"
    text = ctx.say(
        f"{'ja' if notify else 'nee'}; de 72-uursklok is gestopt",
        f"{'yes' if notify else 'no'}; the 72-hour clock has stopped",
    )
    todo = ""
    if against:
        said, todo = _against_note(ctx, suggestion, reason)
        text += said
    elif case.ap_decision == "nee" and not reason:
        todo = ctx.say(
            "; de reden ontbreekt: ook een niet-gemeld datalek wordt met de reden vastgelegd (art. 33 lid 5 AVG); "
            "stuur het besluit opnieuw met daaronder 'Reden: …'",
            "; the reason is missing: a breach not notified is documented with its reason (art. 33(5) GDPR); "
            "send the decision again with 'Reason: …' below it",
        )
    return Outcome(word, True, text, todo=todo + _late_note(ctx))


def _against(no: bool, suggestion: Severity) -> bool:
    """A decision the assessed suggestion does not give: not notifying where it sees a risk,
    or notifying where it sees none. Without a score there is no suggestion to go against."""
    return suggestion.score is not None and no == (suggestion.tier != "none")


def _against_note(ctx: Context, suggestion: Severity, reason: str) -> tuple[str, str]:
    """Said of a decision against the suggestion, so it is taken knowingly and the register
    shows why; and, without a reason, what the officer is asked to send."""
    tier = ctx.say(TIERS[suggestion.tier], TIERS_EN[suggestion.tier])
    if reason:
        return ctx.say(
            f"; dit wijkt af van de suggestie ({tier}), met de reden '{reason}' vastgelegd",
            f"; this goes against the suggestion ({tier}), recorded with the reason '{reason}'",
        ), ""
    return ctx.say(
        f"; dit wijkt af van de suggestie ({tier})", f"; this goes against the suggestion ({tier})"
    ), ctx.say(
        ": waarom? Art. 33 lid 5 AVG vraagt een reden; stuur het besluit opnieuw met daaronder 'Reden: …'",
        ": why? Art. 33(5) GDPR asks for the reason; send the decision again with 'Reason: …' below it",
    )


def _notified(ctx: Context, word: str, value: str) -> Outcome:
    when = parse_when(value, ctx.parsed.date or ctx.now, ctx.svc.settings.timezone)
    if when is None or when.at is None or when.at > ctx.now:
        return Outcome(
            word,
            False,
            ctx.say(f"'{value}' is geen datum met tijd in het verleden", f"'{value}' is not a past date and time"),
        )
    ctx.case.ap_notified_at = when.at
    ctx.record(
        "ap_notified_at_set",
        new=when.at.isoformat(),
    )
    archive_draft(ctx)
    at = wording.when(when.at, ctx.svc.settings.timezone, ctx.language)
    return Outcome(word, True, at + _late_note(ctx))


def archive_draft(ctx: Context) -> None:
    """Keep the AP draft as it stood when the notification was recorded: what was sent, as far
    as the bot knows it (the archive keeps everything gathered, the protocol says)."""
    draft = apdraft.text(apdraft.build(ctx.case, ctx.svc.settings, ctx.now), ctx.language).encode()
    path = ctx.svc.store.put("documents", draft, ".txt")
    ctx.record("ap_draft_archived", path=path, sha256=hashlib.sha256(draft).hexdigest(), size=len(draft))


# The other officers are told of the decision, the meldnummer and the date notified (conversation.py).
COMMANDS = (
    Command("ap", DECIDE, _decide, takes_reason=True, decision=True),
    Command("ap.reference", REFERENCE, _reference, decision=True),
    Command("ap.notified", NOTIFIED, _notified, decision=True),
    Command("ap.kind", KIND, _kind),
    Command("ap.delay", DELAY, _delay),
)
