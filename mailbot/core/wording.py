"""Values as people write them: no field keys, no Python values, in any mail or receipt.

``affected_count`` → "Aantal betrokkenen", ``{"min": 7500, "max": 8200}`` → "7.500 – 8.200",
``2026-12-01T17:30:00+01:00`` → "1 december 2026, 17:30". Pure.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip

# The answer fields by the label an officer also uses to set them (commands/fields.py).
FIELD_LABELS = {
    "description": ("Wat is er gebeurd", "What happened"),
    "data_types": ("Persoonsgegevens", "Personal data"),
    "affected_count": ("Aantal betrokkenen", "Number of people"),
    "affected_group": ("Groep", "Group"),
    "cause": ("Oorzaak", "Cause"),
    "occurred_at": ("Wanneer", "When"),
    "affected_contacts": ("Contactgegevens betrokkenen", "Affected contacts"),
    "reporter_contact": ("Contactgegevens melder", "Phone"),
}

# The assessment fields as the officer writes them (commands/assessment.py), for replies and
# `mailbot show`: never the stored key.
ASSESSMENT_LABELS = {
    "categories": ("Categorieën", "Data categories"), "dpc": ("DPC", "DPC"),
    "identifiability": ("Identificeerbaarheid", "Identifiability"),
    "confidentiality": ("Vertrouwelijkheid", "Confidentiality"), "integrity": ("Integriteit", "Integrity"),
    "availability": ("Beschikbaarheid", "Availability"), "encrypted": ("Versleuteld", "Encrypted"),
    "malicious": ("Kwade opzet", "Malicious intent"), "other_eu": ("Andere EU-landen", "Other EU countries"),
    "consequences": ("Gevolgen", "Consequences"), "measures": ("Maatregelen", "Measures"),
    "nature": ("Aard", "Nature"), "processor": ("Verwerker", "Processor"), "summary": ("Samenvatting", "Summary"),
    "records": ("Aantal records", "Number of records"), "other_regulator": ("Andere toezichthouder", "Other regulator"),
    "ongoing": ("Nog gaande", "Ongoing"), "backup": ("Back-up", "Backup"),
    "restore_time": ("Hersteltijd", "Restore time"),
    "exfiltration": ("Exfiltratie", "Exfiltration"),
    "deletion_confirmed": ("Verwijdering bevestigd", "Deletion confirmed"),
}  # fmt: skip

# What each case event means, for `mailbot show` and the audit trail's readers.
EVENTS: dict[str, tuple[str, str]] = {
    "case_opened": ("melding geopend", "case opened"),
    "acknowledgement_queued": ("ontvangstbevestiging aan de melder", "acknowledgement to the reporter"),
    "acknowledgement_held": ("ontvangstbevestiging aangehouden (afzender buiten de organisatie)",
                             "acknowledgement held (sender outside the organisation)"),
    "acknowledgement_skipped": ("geen ontvangstbevestiging gestuurd", "no acknowledgement sent"),
    "officers_notified": ("privacy officers ingelicht", "privacy officers told"),
    "processor_report": ("gemeld door een verwerker", "reported by a processor"),
    "message_defects": ("bericht met gebreken gelezen", "message read despite defects"),
    "message_received": ("bericht ontvangen", "message received"),
    "message_refused": ("bericht geweigerd", "message refused"),
    "message_quarantined": ("bericht apart gezet", "message quarantined"),
    "answer_given": ("antwoord ontvangen", "answer received"),
    "answer_changed": ("antwoord gewijzigd", "answer changed"),
    "answers_proposed": ("antwoorden voorgesteld (afzender niet zeker)", "answers proposed (sender not certain)"),
    "answers_accepted": ("voorgestelde antwoorden overgenomen", "proposed answers taken over"),
    "free_text_kept": ("tekst van de melder bewaard", "reporter's text kept"),
    "question_to_reporter": ("vraag aan de melder", "question to the reporter"),
    "question_answered": ("vraag beantwoord door de melder", "question answered by the reporter"),
    "message_to_reporter": ("bericht aan de melder", "message to the reporter"),
    "reminder_queued": ("herinnering aan de melder", "reminder to the reporter"),
    "commands_run": ("opdrachten van een privacy officer", "commands from a privacy officer"),
    "officer_comment": ("opmerking van een privacy officer", "remark from a privacy officer"),
    "note": ("notitie", "note"),
    "status_changed": ("status gewijzigd", "status changed"),
    "aware_at_changed": ("moment van ontdekking gewijzigd", "moment of discovery changed"),
    "assessment_changed": ("beoordeling aangevuld", "assessment changed"),
    "breach_type_set": ("soort datalek vastgelegd", "kind of breach set"),
    "handler_set": ("behandelaar vastgelegd", "handler set"),
    "technician_set": ("technicus vastgelegd", "technician set"),
    "technician_asked": ("vragen gestuurd aan de technicus", "questions sent to the technician"),
    "colleague_added": ("betrokken medewerker toegevoegd", "colleague added to the case"),
    "held_mail_taken_in": ("aangehouden bericht overgenomen", "held message taken in"),
    "ap_decision": ("besluit over melden bij de AP", "decision on notifying the AP"),
    "ap_notified_at_set": ("gemeld bij de AP", "notified to the AP"),
    "ap_reference_set": ("AP-meldnummer vastgelegd", "AP reference set"),
    "ap_notification_kind_set": ("soort melding aan de AP vastgelegd", "kind of AP notification set"),
    "ap_delay_reason_set": ("reden van vertraging vastgelegd", "reason for delay set"),
    "ap_draft_requested": ("concept van de AP-melding gemaakt", "AP draft made"),
    "ap_draft_archived": ("AP-melding bewaard", "AP notification archived"),
    "subjects_decision": ("besluit over informeren van betrokkenen", "decision on informing the people affected"),
    "subjects_informed": ("betrokkenen geïnformeerd", "people affected informed"),
    "subjects_channel_set": ("kanaal naar betrokkenen vastgelegd", "channel to the people affected set"),
    "subjects_letter_made": ("brief of mededeling aan betrokkenen gemaakt", "letter or statement made"),
    "fg_advice": ("advies van de FG", "the FG's advice"),
    "decision_requested": ("besluit gevraagd aan de directie", "decision asked of the board"),
    "decision_reminder_sent": ("herinnering aan de directie", "reminder to the board"),
    "board_decision": ("besluit van de directie", "the board's decision"),
    "board_reply_refused": ("antwoord van de directie niet verwerkt", "board reply not taken"),
    "board_overdue_sent": ("officers ingelicht: termijn verstreken zonder besluit",
                           "officers told: deadline passed without a decision"),
    "deadline_warning_sent": ("termijnwaarschuwing aan de officers", "deadline warning to the officers"),
    "send_failed": ("versturen mislukt", "sending failed"),
    "mail_loop_suspected": ("mogelijke mail-lus", "possible mail loop"),
    "register_entry_removed": ("registerinhoud verwijderd na de bewaartermijn",
                               "register entry removed after retention"),
}  # fmt: skip


def event_name(kind: str, language: str = "nl") -> str:
    """An event as people say it; one the table does not know yet reads as its words."""
    names = EVENTS.get(kind)
    return names[0 if language == "nl" else 1] if names else kind.replace("_", " ")


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?$")


def label(name: str, language: str = "nl") -> str:
    """The field's name for people; an unknown key is shown with spaces, never as a key."""
    nl, en = FIELD_LABELS.get(name, (name.replace("_", " ").capitalize(),) * 2)
    return nl if language == "nl" else en


def when(value: datetime | None, tz: ZoneInfo, language: str = "nl", time: bool = True) -> str:
    """``1 december 2026, 17:30`` (English: ``1 December 2026, 17:30``), in the organisation's zone."""
    if value is None:
        return ""
    local = value.astimezone(tz) if value.tzinfo else value
    return f"{day(local, language)}, {local:%H:%M}" if time else day(local, language)


def day(value: date, language: str = "nl") -> str:
    """A calendar day: ``2 december 2026`` (English: ``2 December 2026``)."""
    return f"{value.day} {MONTHS[language if language in MONTHS else 'en'][value.month - 1]} {value.year}"


def number(value: int | float, language: str = "nl") -> str:
    """7500 → ``7.500`` (Dutch) or ``7,500`` (English)."""
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,")) if language == "nl" else text


def value(raw: Any, tz: ZoneInfo, language: str = "nl") -> str:
    """Any stored answer as one would write it."""
    if raw is None or raw == "":
        return "(leeg)" if language == "nl" else "(empty)"
    if isinstance(raw, bool):
        return ("ja" if raw else "nee") if language == "nl" else ("yes" if raw else "no")
    if isinstance(raw, int | float):
        return number(raw, language)
    if isinstance(raw, datetime):
        return when(raw, tz, language)
    if isinstance(raw, dict) and ("min" in raw or "max" in raw):
        low, high = raw.get("min"), raw.get("max")
        if low is not None and high is not None:
            return f"{number(low, language)} – {number(high, language)}"
        if low is not None:
            return ("minstens " if language == "nl" else "at least ") + number(low, language)
        return ("hoogstens " if language == "nl" else "at most ") + number(high or 0, language)
    if isinstance(raw, dict):
        return "; ".join(f"{label(str(k), language)}: {value(v, tz, language)}" for k, v in raw.items())
    if isinstance(raw, list | tuple):
        return ", ".join(value(v, tz, language) for v in raw)
    text = str(raw)
    if _ISO.match(text.strip()):
        try:
            parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return text
        return when(parsed, tz, language, time="T" in text or " " in text.strip())
    return text
