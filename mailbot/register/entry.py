"""The breach register (art. 33(5) GDPR): one entry per case, the facts, effects and remedial
action, and the decisions taken. Pure: from a case to its entry, and the counts over entries.

Every breach is documented, notified or not; the export (export.py) writes these entries.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mailbot.core import breachtype
from mailbot.core.clock import as_utc
from mailbot.core.severity import BANDS_EN, assess
from mailbot.model.models import Case


@dataclass(frozen=True)
class Column:
    key: str
    nl: str
    en: str
    kind: str = "text"  # text | date | number | count (a number of people or records, or text)
    width: int = 24  # characters, for the spreadsheet

    def label(self, language: str) -> str:
        return self.nl if language == "nl" else self.en


COLUMNS: tuple[Column, ...] = (
    Column("kenmerk", "Kenmerk", "Reference", width=14),
    Column("received_at", "Ontvangen", "Received", "date", 17),
    Column("aware_at", "Bekend sinds", "Aware since", "date", 17),
    Column("deadline_at", "Deadline AP", "AP deadline", "date", 17),
    Column("phase", "Fase", "Phase", width=15),
    Column("status", "Status", "Status", width=15),
    Column("summary", "Samenvatting", "Summary", width=50),
    Column("nature", "Aard van het datalek", "Nature of the breach", width=30),
    Column("breach_type", "Soort datalek", "Kind of breach", width=24),
    Column("categories", "Soorten persoonsgegevens", "Data categories", width=30),
    Column("people", "Aantal betrokkenen", "People affected", "count", 12),
    Column("records", "Aantal records", "Records", "count", 12),
    Column("group", "Groep betrokkenen", "Group affected", width=24),
    Column("cause", "Oorzaak", "Cause", width=30),
    Column("processor", "Verwerker", "Processor", width=16),
    # When the processor knew, beside "Ontvangen": when it told the organisation (art. 33(2)).
    Column("processor_aware_at", "Verwerker op de hoogte", "Processor aware", "date", 17),
    Column("consequences", "Gevolgen", "Consequences", width=30),
    Column("measures", "Maatregelen", "Measures", width=30),
    Column("encrypted", "Versleuteld", "Encrypted", width=14),
    Column("exfiltration", "Exfiltratie", "Exfiltration", width=14),
    Column("deletion_confirmed", "Verwijdering bevestigd", "Deletion confirmed", width=14),
    Column("backup", "Back-up", "Backup", width=12),
    Column("restore_time", "Hersteltijd", "Restore time", width=12),
    Column("score", "Ernst (score)", "Severity (score)", "number", 10),
    Column("band", "Ernst", "Severity", width=12),
    Column("tier", "Risico", "Risk", width=14),
    Column("tier_reasons", "Waarom dit risico", "Why this risk", width=40),
    Column("ap_decision", "Melden AP", "Notify AP", width=10),
    Column("ap_decision_reason", "Reden besluit AP", "Reason for the AP decision", width=30),
    Column("ap_notified_at", "Gemeld bij AP", "Notified to AP", "date", 17),
    Column("ap_reference", "Meldnummer AP", "AP reference", width=16),
    Column("ap_timeliness", "Binnen 72 uur", "Within 72 hours", width=14),
    Column("ap_delay_reason", "Reden vertraging", "Reason for delay", width=30),
    Column("subjects_decision", "Betrokkenen informeren", "Inform the people affected", width=12),
    Column("subjects_decision_reason", "Reden besluit betrokkenen", "Reason for that decision", width=30),
    Column("subjects_letter_at", "Brief of mededeling gemaakt", "Letter or statement made", "date", 17),
    Column("subjects_informed_at", "Betrokkenen geïnformeerd", "People informed", "date", 17),
    Column("fg_advice", "Advies FG", "DPO advice", width=30),
    Column("board_decision", "Besluit bestuur", "Board decision", width=30),
    Column("closed_at", "Gesloten", "Closed", "date", 17),
)

WORDS = {
    "nl": {"ja": "ja", "nee": "nee", "on_time": "tijdig", "late": "te laat", "late_open": "te laat, nog niet gemeld",
           "none": "geen risico", "risk": "risico", "high": "hoog risico"},
    "en": {"ja": "yes", "nee": "no", "on_time": "on time", "late": "late", "late_open": "late, not notified yet",
           "none": "no risk", "risk": "risk", "high": "high risk"},
}  # fmt: skip
# The facts the suggested tier weighs beside the ENISA score, as the officer wrote them.
FACTS = ("encrypted", "exfiltration", "deletion_confirmed", "backup", "restore_time")
SUMMARY_LENGTH = 300


def count_text(value: Any) -> str:
    """120, {"min": 50, "max": 80} or a text answer, as one would write it."""
    if isinstance(value, dict):
        low, high = value.get("min"), value.get("max")
        if low is not None and high is not None:
            return f"{low}–{high}"
        return f"≥ {low}" if low is not None else (f"≤ {high}" if high is not None else "")
    return "" if value is None else str(value)


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    return as_utc(value).astimezone(tz).replace(tzinfo=None) if value is not None else None


def _moment(value: Any) -> datetime | None:
    """A stored moment (ISO text with its offset); None for "onbekend" or nothing."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _summary(case: Case, assessment: dict[str, Any]) -> str:
    text = str(assessment.get("summary") or "").strip() or " ".join((case.description or case.subject).split())
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1].rstrip() + "…"


def _signed(text: str, by: str) -> str:
    return f"{text} ({by})" if text and by else text


def breach_type(case: Case) -> str:
    """The kind of breach the officer set (``Type:``), else the one the report's words suggest."""
    chosen = json.loads(case.assessment or "{}").get("breach_type")
    if isinstance(chosen, str) and chosen in breachtype.TYPES:
        return chosen
    return breachtype.suggest(f"{case.subject}\n{case.description}")


def timeliness(case: Case, now: datetime) -> str:
    """on_time / late (notified after the 72 hours) / late_open (not notified, deadline passed, no
    decision) / "" (not notified and not due, or decided not to notify)."""
    deadline = as_utc(case.ap_deadline_at)
    if case.ap_notified_at is not None:
        return "on_time" if as_utc(case.ap_notified_at) <= deadline else "late"
    if not case.ap_decision and case.closed_at is None and now > deadline:
        return "late_open"
    return ""


def entry(case: Case, tz: ZoneInfo, now: datetime, language: str = "nl") -> dict[str, Any]:
    """The register entry of one case: column key → value (dates as local naive datetimes)."""
    words = WORDS[language]
    answers = json.loads(case.answers or "{}")
    assessment = json.loads(case.assessment or "{}")
    severity = assess(assessment, answers)
    band = severity.band or ""
    return {
        "kenmerk": case.kenmerk,
        "received_at": _local(case.received_at, tz),
        "aware_at": _local(case.aware_at, tz),
        "deadline_at": _local(case.ap_deadline_at, tz),
        "phase": case.phase,
        "status": case.status,
        "summary": _summary(case, assessment),
        "nature": str(assessment.get("nature") or ""),
        "breach_type": breachtype.name(breach_type(case), language),
        "categories": str(assessment.get("categories") or answers.get("data_types") or ""),
        "people": count_text(answers.get("affected_count")),
        "records": count_text(assessment.get("records")),
        "group": str(answers.get("affected_group") or ""),
        "cause": str(answers.get("cause") or ""),
        "processor": str(assessment.get("processor") or ""),
        "processor_aware_at": _local(_moment(answers.get("processor_aware_at")), tz),
        "consequences": str(assessment.get("consequences") or ""),
        "measures": str(assessment.get("measures") or ""),
        **{key: str(assessment.get(key) or "") for key in FACTS},
        "score": severity.score,
        "band": BANDS_EN.get(band, band) if language == "en" else band,
        "tier": words[severity.tier] if severity.score is not None else "",
        "tier_reasons": "\n".join(severity.reasons if language == "nl" else severity.reasons_en),
        "ap_decision": words.get(case.ap_decision, case.ap_decision),
        "ap_decision_reason": case.ap_decision_reason,
        "ap_notified_at": _local(case.ap_notified_at, tz),
        "ap_reference": case.ap_reference,
        "ap_timeliness": words.get(timeliness(case, now), ""),
        "ap_delay_reason": case.ap_delay_reason,
        "subjects_decision": words.get(case.subjects_decision, case.subjects_decision),
        "subjects_decision_reason": case.subjects_decision_reason,
        "subjects_letter_at": _local(case.subjects_letter_at, tz),
        "subjects_informed_at": _local(case.subjects_informed_at, tz),
        "fg_advice": _signed(case.fg_advice, case.fg_advice_by),
        "board_decision": _signed(case.board_decision, case.board_decision_by),
        "closed_at": _local(case.closed_at, tz),
    }


@dataclass
class Summary:
    """Counts for the top of the register: per phase, per risk tier, notified on time or late."""

    total: int = 0
    phases: Counter[str] = field(default_factory=Counter)
    tiers: Counter[str] = field(default_factory=Counter)
    notified: int = 0
    on_time: int = 0
    late: int = 0
    late_open: int = 0

    def add(self, case: Case, now: datetime) -> None:
        self.total += 1
        self.phases[case.phase] += 1
        severity = assess(json.loads(case.assessment or "{}"), json.loads(case.answers or "{}"))
        self.tiers[severity.tier if severity.score is not None else "unassessed"] += 1
        when = timeliness(case, now)
        if when in ("on_time", "late"):
            self.notified += 1
        self.on_time += when == "on_time"
        self.late += when == "late"
        self.late_open += when == "late_open"
