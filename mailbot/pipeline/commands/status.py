"""``Status:`` / ``Fase:``: move the case through the protocol's phases, or close it.

Archiving is checked: while the protocol still needs something (a decision, a preliminary AP
notification to complete, …) the case is not archived, the officer is told what is open, and
``Status: gearchiveerd, toch`` archives it all the same. A closed case changes no more until it
is reopened with a ``Status:`` naming an open phase; the reporter is not written to about that.

The reporter's news carries the measures recorded and a ``Bericht aan melder:`` of the same
mail: one mail, as procedure M promises. Where no news goes out (the status is refused or the
case reopened), the message goes alone; to a closed case, not at all.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mailbot.core.phases import CLOSED, STATES, CaseStatus
from mailbot.model import cases
from mailbot.model.cases import open_items
from mailbot.pipeline.commands import FIRST, LAST, Command, Context, Outcome, tell

WORDS = ("status", "fase", "phase")
ANYWAY = ("toch", "anyway", "toch archiveren")

CHOICES = "inventariseren, kwalificeren, herstellen, melden, gearchiveerd, geen datalek"


def _read(value: str) -> tuple[tuple[str, str] | None, str]:
    """``geen datalek, want …`` → (("geen datalek", "archiveren"), "want …")."""
    text = re.sub(r"\s+", " ", value.strip())
    for key in sorted(STATES, key=len, reverse=True):
        if text.lower().startswith(key) and (len(text) == len(key) or not text[len(key)].isalnum()):
            return STATES[key], text[len(key) :].strip(" ,;:-–")
    return None, ""


def order(value: str) -> int:
    """Closing runs after the other commands of the mail (they may record what closing needs);
    any other status first (it may reopen the case for them)."""
    state, _ = _read(value)
    return LAST if state is not None and state[0] in CLOSED else FIRST


def run(ctx: Context, word: str, value: str) -> Outcome:
    message = tell.take_messages(ctx)
    outcome, sent = _change(ctx, word, value, message)
    if not message or sent:
        return outcome
    if ctx.case.status in CLOSED:
        return replace(outcome, text=outcome.text + ctx.say(
            "; uw bericht aan de melder is niet gestuurd: de melding is gesloten",
            "; your message to the reporter was not sent: the case is closed"))  # fmt: skip
    if not ctx.case.reporter_address:
        return replace(outcome, text=outcome.text + ctx.say(
            "; uw bericht is niet gestuurd: de melder heeft geen e-mailadres",
            "; your message was not sent: the reporter has no e-mail address"))  # fmt: skip
    measures = tell.measures_in_mail(ctx)
    tell.send(ctx, "reporter_message", message, measures)
    to = ctx.case.reporter_address
    alone = ctx.say(f"; uw bericht is apart gestuurd aan {to}, precies deze tekst:",
                    f"; your message was sent on its own to {to}, exactly this text:")  # fmt: skip
    return replace(outcome, text=outcome.text + alone, quoted=tell.sent_text(message, measures))


def _change(ctx: Context, word: str, value: str, message: str) -> tuple[Outcome, bool]:
    """The status changed (or why not), and whether the reporter's mail took ``message``."""
    state, inline_reason = _read(value)
    if state is None:
        said = ctx.say(f"onbekende status '{value}'; kies uit: {CHOICES}",
                       f"unknown status '{value}'; choose from: {CHOICES}")  # fmt: skip
        return Outcome(word, False, said), False
    status, phase = state
    case = ctx.case
    anyway = inline_reason.lower() in ANYWAY
    reason = "" if anyway else inline_reason or ctx.reason()
    if status == CaseStatus.GEEN_DATALEK and not reason:
        said = ctx.say("'geen datalek' sluit de melding en vraagt een reden: voeg 'Reden: …' toe",
                       "'no breach' closes the case and needs a reason: add 'Reason: …'")  # fmt: skip
        return Outcome(word, False, said), False
    if (case.status, case.phase) == (status, phase):
        return Outcome(word, True, ctx.say(f"status was al {status}", f"status was already {status}")), False
    if status == "gearchiveerd" and not anyway:
        still_open = open_items(case, ctx.svc.settings.required_answers, ctx.now)
        if still_open:
            said = ctx.say(
                "niet gearchiveerd, want nog open is wat hieronder staat; rond dat af, of archiveer toch "
                "met 'Status: gearchiveerd, toch'",
                "not archived: what is listed below is still open; settle it, or archive all the same "
                "with 'Status: archived, anyway'",
            )
            return Outcome(word, False, said, items=tuple(still_open)), False
    old = case.status
    reopened = old in CLOSED and status not in CLOSED
    case.status, case.phase = status, phase
    case.closed_at = ctx.now if status in CLOSED else None
    case.close_reason = reason if status in CLOSED else ""
    ctx.record(
        "status_changed",
        old=old,
        new=status,
        phase=phase,
        reason=reason or None,
        anyway=anyway or None,
        reopened=reopened or None,
    )
    if reopened:
        said = ctx.say(f"melding heropend: {old} → {status}", f"case reopened: {old} → {status}")
        return Outcome(word, True, said), False
    if not case.reporter_address:
        return Outcome(word, True, ctx.say(f"van {old} naar {status}", f"from {old} to {status}")), False
    # Procedure M: the reporter is kept informed of the measures taken, so the measures the
    # officer recorded go with the news, with the officer's message of the same mail; the
    # receipt quotes both as they were sent. Nothing else of the mail goes with it.
    measures = _measures(ctx)
    tell.send(ctx, "reporter_closing" if status in CLOSED else "reporter_status", message, measures)
    told = ctx.say("; de melder is geïnformeerd", "; the reporter has been told")
    if message or measures:
        with_nl = " en ".join(w for w, given in (("uw bericht", message), ("de maatregelen", measures)) if given)
        with_en = " and ".join(w for w, given in (("your message", message), ("the measures", measures)) if given)
        told += ctx.say(f" in één e-mail, met {with_nl}:", f" in one mail, with {with_en}:")
    text = ctx.say(f"van {old} naar {status}{told}", f"from {old} to {status}{told}")
    return Outcome(word, True, text, quoted=tell.sent_text(message, measures)), True


def _measures(ctx: Context) -> str:
    """The measures recorded, or given in this same mail (a status runs before the other
    lines, so ``Maatregelen:`` below ``Status:`` still goes with the news)."""
    return tell.measures_in_mail(ctx) or str(cases.answers_of_assessment(ctx.case).get("measures") or "").strip()


# A decision the other officers hear of when it closes the case; the one command that runs on
# a closed case (it reopens it).
COMMANDS = (Command("status", WORDS, run, takes_reason=True, closes=True, on_closed=True, order=order),)
