"""``Status:`` / ``Fase:``: move the case through the protocol's phases, or close it.

Archiving is checked: while the protocol still needs something (a decision, a preliminary AP
notification to complete, …) the case is not archived, the officer is told what is open, and
``Status: gearchiveerd, toch`` archives it all the same. A closed case changes no more until it
is reopened with a ``Status:`` naming an open phase; the reporter is not written to about that.
"""

from __future__ import annotations

import re

from mailbot.core.phases import CLOSED, STATES, CaseStatus
from mailbot.model import cases
from mailbot.model.cases import open_items
from mailbot.pipeline.commands import FIRST, LAST, Command, Context, Outcome, normalise_word
from mailbot.pipeline.commands.assessment import FIELDS
from mailbot.pipeline.notify import mail_reporter

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
    state, inline_reason = _read(value)
    if state is None:
        return Outcome(
            word,
            False,
            ctx.say(
                f"onbekende status '{value}'; kies uit: {CHOICES}", f"unknown status '{value}'; choose from: {CHOICES}"
            ),
        )
    status, phase = state
    case = ctx.case
    anyway = inline_reason.lower() in ANYWAY
    reason = "" if anyway else inline_reason or ctx.reason()
    if status == CaseStatus.GEEN_DATALEK and not reason:
        return Outcome(
            word,
            False,
            ctx.say(
                "'geen datalek' sluit de melding en vraagt een reden: voeg 'Reden: …' toe",
                "'geen datalek' closes the case and needs a reason: add 'Reden: …'",
            ),
        )
    if (case.status, case.phase) == (status, phase):
        return Outcome(word, True, ctx.say(f"status was al {status}", f"status was already {status}"))
    if status == "gearchiveerd" and not anyway:
        still_open = open_items(case, ctx.svc.settings.required_answers, ctx.now)
        if still_open:
            return Outcome(
                word,
                False,
                ctx.say(
                    "niet gearchiveerd, want nog open is wat hieronder staat; rond dat af, of archiveer toch "
                    "met 'Status: gearchiveerd, toch'",
                    "not archived: what is listed below is still open; settle it, or archive all the same "
                    "with 'Status: gearchiveerd, toch'",
                ),
                items=tuple(still_open),
            )
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
        return Outcome(word, True, ctx.say(f"melding heropend: {old} → {status}", f"case reopened: {old} → {status}"))
    told = ""
    # Procedure M: the reporter is kept informed of the measures taken, so the measures the
    # officer recorded go with the news, and the receipt quotes them as they were sent.
    measures = _measures(ctx)
    if case.reporter_address:
        template = "reporter_closing" if status in CLOSED else "reporter_status"
        mail_reporter(ctx.svc, ctx.s, case, template, ctx.now, caused_by=ctx.message.id, measures=measures)
        told = ctx.say("; de melder is geïnformeerd", "; the reporter has been told")
        if measures:
            told += ctx.say(", met de maatregelen:", ", with the measures:")
    text = ctx.say(f"van {old} naar {status}{told}", f"from {old} to {status}{told}")
    return Outcome(word, True, text, quoted=measures if told and measures else "")


def _measures(ctx: Context) -> str:
    """The measures recorded, or given in this same mail (a status runs before the other
    lines, so ``Maatregelen:`` below ``Status:`` still goes with the news)."""
    given = [v for w, v in ctx.lines if FIELDS.get(normalise_word(w)) == "measures" and v.strip()]
    return given[-1].strip() if given else str(cases.answers_of_assessment(ctx.case).get("measures") or "").strip()


# A decision the other officers hear of when it closes the case; the one command that runs on
# a closed case (it reopens it).
COMMANDS = (Command("status", WORDS, run, takes_reason=True, closes=True, on_closed=True, order=order),)
