"""``Status:`` / ``Fase:``: move the case through the protocol's phases, or close it."""

from __future__ import annotations

import re

from mailbot.core.phases import CLOSED, STATES, CaseStatus
from mailbot.pipeline.commands import Context, Outcome
from mailbot.pipeline.notify import mail_reporter

WORDS = ("status", "fase", "phase")

CHOICES = "inventariseren, kwalificeren, herstellen, melden, gearchiveerd, geen datalek"


def _read(value: str) -> tuple[tuple[str, str] | None, str]:
    """``geen datalek, want …`` → (("geen datalek", "archiveren"), "want …")."""
    text = re.sub(r"\s+", " ", value.strip())
    for key in sorted(STATES, key=len, reverse=True):
        if text.lower().startswith(key) and (len(text) == len(key) or not text[len(key)].isalnum()):
            return STATES[key], text[len(key) :].strip(" ,;:-–")
    return None, ""


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
    reason = inline_reason or ctx.value_of("reden", "reason")
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
    old = case.status
    case.status, case.phase = status, phase
    case.closed_at = ctx.now if status in CLOSED else None
    case.close_reason = reason if status in CLOSED else ""
    ctx.record(
        "status_changed",
        old=old,
        new=status,
        phase=phase,
        reason=reason or None,
    )
    told = ""
    if case.reporter_address:
        template = "reporter_closing" if status in CLOSED else "reporter_status"
        mail_reporter(ctx.svc, ctx.s, case, template, ctx.now, caused_by=ctx.message.id)
        told = ctx.say("; de melder is geïnformeerd", "; the reporter has been told")
    return Outcome(word, True, ctx.say(f"status: {old} → {status}{told}", f"status: {old} → {status}{told}"))
