"""The AP notification, prepared: a case's answers in the order and sections of the AP's form.

Notification is only possible through the AP's online form (Meldloket datalekken); a person
copies these answers into it. Every field the form needs that the case does not yet hold is
listed on top, with the command or setting that fills it. Pure: case and settings in, text out
(plain, HTML or PDF at the edges).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mailbot.core import breachtype, wording
from mailbot.core.answers import UNKNOWN
from mailbot.core.clock import as_utc
from mailbot.core.config import Settings
from mailbot.core.render import Renderer
from mailbot.core.severity import (
    BANDS_EN,
    SENSITIVE,
    TIERS,
    TIERS_EN,
    Severity,
    assess,
    read_availability,
    read_confidentiality,
    read_integrity,
    words_in,
)
from mailbot.model.models import Case
from mailbot.register.entry import breach_type, count_text

# The AP's severity scale for the consequences, suggested from the ENISA band.
# The AP form's four levels of severity, one for each of ENISA's four bands, by what ENISA says
# each band means for the people: (almost) no inconvenience, inconvenience overcome with a few
# difficulties, serious difficulties, irreversible consequences.
AP_SEVERITY = {"laag": "verwaarloosbaar", "gemiddeld": "beperkt", "hoog": "aanzienlijk", "zeer hoog": "zeer groot"}
AP_SEVERITY_EN = {"verwaarloosbaar": "negligible", "beperkt": "limited", "aanzienlijk": "considerable",
                  "zeer groot": "very large"}  # fmt: skip
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
FONT_MISSING = (
    "DejaVu Sans is not installed (looked in {dirs}): in the PDF, characters outside Latin-1 are "
    "replaced; on Debian or Ubuntu install it with: apt install fonts-dejavu-core"
)


def font_dir() -> Path | None:
    """The folder holding DejaVu Sans, the PDF's font; None when it is not installed."""
    return next((d for d in FONT_DIRS if (d / "DejaVuSans.ttf").is_file()), None)


@dataclass(frozen=True)
class Item:
    label: str
    value: str
    fill: str = ""  # how to fill it when missing: a command or a setting; "" = not required

    @property
    def missing(self) -> bool:
        return bool(self.fill) and not self.value.strip()


@dataclass(frozen=True)
class Section:
    number: int
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Draft:
    kenmerk: str
    title: str
    sections: tuple[Section, ...]
    made: str
    notified: str = ""  # "gemeld bij de AP op …, meldnummer …" once the notification is recorded

    @property
    def missing(self) -> list[str]:
        return [f"{s.number}. {s.title}: {i.label} ({i.fill})" for s in self.sections for i in s.items if i.missing]


def _yes_no(value: Any, nl: bool) -> str:
    word = str(value or "").strip().lower()
    if word in ("ja", "yes", "j", "y"):
        return "ja" if nl else "yes"
    if word in ("nee", "no", "n"):
        return "nee" if nl else "no"
    return str(value or "")


def _local(value: datetime | None, settings: Settings) -> str:
    """``1 december 2026, 17:30``, as Dutch people write a moment (the form is filled by hand)."""
    return wording.when(as_utc(value), settings.timezone, settings.language) if value else ""


def _severity(severity: Severity, nl: bool) -> str:
    """The AP's level for the ENISA band, with the score and how the one becomes the other."""
    if not severity.band or severity.score is None:
        return ""
    level = AP_SEVERITY[severity.band]
    score = wording.number(severity.score, "nl" if nl else "en")
    if nl:
        mapping = ", ".join(f"{band} → {ap}" for band, ap in AP_SEVERITY.items())
        return f"{level} (ENISA-score {score}: {severity.band})\nOmzetting ENISA → AP: {mapping}"
    mapping = ", ".join(f"{BANDS_EN[band]} → {AP_SEVERITY_EN[ap]}" for band, ap in AP_SEVERITY.items())
    return f"{AP_SEVERITY_EN[level]} (ENISA score {score}: {BANDS_EN[severity.band]})\nENISA → AP: {mapping}"


def _discovered(case: Case, settings: Settings, nl: bool) -> str:
    """How the organisation learnt of the breach: who mailed the report to the breach desk."""
    domain = case.reporter_address.rpartition("@")[2].lower()
    who = case.reporter_name or case.reporter_address
    processor = str(json.loads(case.assessment or "{}").get("processor") or "")
    if processor and processor == settings.processor_of(case.reporter_address):
        text = (f"gemeld door verwerker {processor} ({who}) per e-mail aan het meldpunt" if nl else
                f"reported by the processor {processor} ({who}) by e-mail to the breach desk")  # fmt: skip
    elif processor and domain in settings.reporter_domains:
        text = (f"melding van verwerker {processor}, doorgestuurd door een medewerker ({who}) aan het meldpunt"
                if nl else f"report of the processor {processor}, forwarded by an employee ({who}) to the breach "
                "desk")  # fmt: skip
    elif domain and domain in settings.processor_domains:
        text = (f"gemeld door verwerker {domain} ({who}) per e-mail aan het meldpunt" if nl else
                f"reported by the processor {domain} ({who}) by e-mail to the breach desk")  # fmt: skip
    elif domain and domain in settings.reporter_domains:
        text = (f"gemeld door een medewerker ({who}) per e-mail aan het meldpunt" if nl else
                f"reported by an employee ({who}) by e-mail to the breach desk")  # fmt: skip
    else:
        text = (f"gemeld door {who}, van buiten de organisatie, per e-mail aan het meldpunt" if nl else
                f"reported by {who}, from outside the organisation, by e-mail to the breach desk")  # fmt: skip
    return text + (f" (kenmerk {case.kenmerk})" if nl else f" (reference {case.kenmerk})")


def _signed(text: str, by: str, at: datetime | None, settings: Settings) -> str:
    """``niet melden (fg@…, 2 december 2026, 14:00)``: a decision with who and when."""
    return f"{text} ({by}, {_local(at, settings)})" if text else ""


def _nature(assessment: dict[str, Any], nl: bool) -> str:
    """The form's nature of the breach; ``geen`` (none) is no loss, an unreadable value counts."""
    parts = []
    if read_confidentiality(str(assessment.get("confidentiality") or "geen")) != "none":
        parts.append("gelezen door onbevoegden" if nl else "read by unauthorised persons")
    if read_integrity(str(assessment.get("integrity") or "geen")) != "none":
        parts.append("veranderd" if nl else "altered")
    availability = read_availability(str(assessment.get("availability") or "geen"))
    if availability != "none":
        permanent = availability != "temporary"
        if nl:
            parts.append("blijvend niet beschikbaar" if permanent else "tijdelijk niet beschikbaar")
        else:
            parts.append("permanently unavailable" if permanent else "temporarily unavailable")
    return "; ".join(parts)


def _processor_items(
    case: Case, answers: dict[str, Any], assessment: dict[str, Any], settings: Settings, t: Callable[[str, str], str]
) -> tuple[Item, ...]:
    """The processor (art. 33(2)), its own incident number, and when it knew against when it told
    the organisation: the report's arrival, from which the 72 hours run."""
    processor = str(assessment.get("processor") or "")
    reference = answers.get("processor_reference")
    named = Item(t("Betrokken verwerkers", "Processors involved"),
                 processor + (t(f" (incidentnummer {reference})", f" (incident number {reference})")
                              if processor and reference and reference != UNKNOWN else ""))  # fmt: skip
    if not processor:
        return (named,)
    aware = answers.get("processor_aware_at")
    return (
        named,
        Item(t("Verwerker op de hoogte sinds", "Processor aware since"),
             wording.value(aware, settings.timezone, settings.language) if aware else t("nog niet bekend (gevraagd)",
                                                                                        "not known yet (asked)")),
        Item(t("Organisatie door de verwerker geïnformeerd op", "Organisation told by the processor on"),
             _local(case.received_at, settings)),
    )  # fmt: skip


def _kind(case: Case, assessment: dict[str, Any], nl: bool) -> str:
    """The kind of breach in the AP's words: as the officer set it (``Type:``), or as the
    report's words suggest it, said to be a suggestion."""
    kind = breachtype.ap_name(breach_type(case), "nl" if nl else "en")
    if assessment.get("breach_type") in breachtype.TYPES:
        return kind
    return kind + (
        " (voorstel uit de woorden van de melding; bevestig of wijzig met de opdracht Type:)" if nl else
        " (suggested by the words of the report; confirm or change it with the command Type:)"
    )  # fmt: skip


def build(case: Case, settings: Settings, now: datetime) -> Draft:
    """The form's ten sections filled from the case and the organisation's settings."""
    nl = settings.language == "nl"

    def t(dutch: str, english: str) -> str:
        return dutch if nl else english

    org = settings.organisation
    answers = json.loads(case.answers or "{}")
    assessment = json.loads(case.assessment or "{}")
    severity = assess(assessment, answers)
    categories = str(assessment.get("categories") or answers.get("data_types") or "")
    special = words_in(categories, SENSITIVE)
    other_eu = _yes_no(assessment.get("other_eu"), nl)
    late = (as_utc(case.ap_notified_at) if case.ap_notified_at else now) > as_utc(case.ap_deadline_at)
    informed = case.subjects_decision
    channel_fill = t("opdracht Kanaal:", "command Kanaal:") if informed == "ja" else ""
    why_not_fill = t(
        "opdracht Reden: bij Betrokkenen informeren: nee", "command Reden: with Betrokkenen informeren: nee"
    )
    setting = t("instelling", "setting")
    command = t("opdracht", "command")
    sections = (
        Section(1, t("Inleiding", "Introduction"), (
            Item(t("Soort melding", "Kind of notification"),
                 t("enkelvoudig datalek", "single breach") + (f" ({case.ap_notification_kind})"
                                                               if case.ap_notification_kind else "")),
            Item(t("Wettelijk kader", "Legal basis"), "AVG" if nl else "GDPR (AVG)"),
            *((Item(t("Meldnummer AP", "AP reference"), case.ap_reference, f"{command} AP-meldnummer:"),)
              if case.ap_notified_at else ()),
            Item(t("Ook gemeld bij een andere toezichthouder", "Also reported to another regulator"),
                 str(assessment.get("other_regulator") or ""), f"{command} Andere toezichthouder:"),
        )),
        Section(2, t("Internationaal", "International"), (
            Item(t("Betrokkenen in andere landen", "People affected in other countries"), other_eu,
                 f"{command} Andere EU-landen:"),
        )),
        Section(3, t("Verwerkingsverantwoordelijke", "Controller"), (
            Item(t("Organisatie", "Organisation"), org.name, f"{setting} MAILBOT_ORG_NAME"),
            Item(t("Adres", "Address"), org.address, f"{setting} MAILBOT_ORG_ADDRESS"),
            Item(t("KvK-nummer", "Chamber of Commerce number"), org.kvk, f"{setting} MAILBOT_ORG_KVK"),
            Item(t("Sector", "Sector"), org.sector, f"{setting} MAILBOT_ORG_SECTOR"),
            Item(t("Registratienummer FG", "DPO registration number"), org.fg_registration,
                 f"{setting} MAILBOT_FG_REGISTRATION"),
            Item(t("Melder: naam", "Notifier: name"), org.contact_name, f"{setting} MAILBOT_AP_CONTACT_NAME"),
            Item(t("Melder: functie", "Notifier: job title"), org.contact_title, f"{setting} MAILBOT_AP_CONTACT_TITLE"),
            Item(t("Melder: e-mail", "Notifier: e-mail"), org.contact_email, f"{setting} MAILBOT_AP_CONTACT_EMAIL"),
            Item(t("Melder: telefoon", "Notifier: phone"), org.contact_phone, f"{setting} MAILBOT_AP_CONTACT_PHONE"),
            *_processor_items(case, answers, assessment, settings, t),
        )),
        Section(4, t("Tijdlijn", "Timeline"), (
            Item(t("Begin van het datalek", "Start of the breach"),
                 wording.value(answers["occurred_at"], settings.timezone, settings.language)
                 if answers.get("occurred_at") else "",
                 t("antwoord Wanneer:", "answer Wanneer:")),
            Item(t("Duurt het nog voort", "Still going on"), str(assessment.get("ongoing") or ""),
                 f"{command} Nog gaande:"),
            Item(t("Ontdekt op", "Discovered on"), _local(case.aware_at, settings)),
            Item(t("Hoe ontdekt", "How discovered"), _discovered(case, settings, nl)),
            Item(t("Reden van melding na 72 uur", "Reason for notifying after 72 hours"),
                 case.ap_delay_reason if late else t("n.v.t. (binnen 72 uur)", "n/a (within 72 hours)"),
                 f"{command} Reden vertraging:" if late else ""),
        )),
        Section(5, t("Het datalek", "The breach"), (
            Item(t("Aard", "Nature"), _nature(assessment, nl),
                 f"{command} Vertrouwelijkheid: / Integriteit: / Beschikbaarheid:"),
            Item(t("Soort", "Type"), _kind(case, assessment, nl)),
            Item(t("Toelichting op de soort", "More on the type"), str(assessment.get("nature") or "")),
            Item(t("Omschrijving", "Description"), str(assessment.get("summary") or case.description or ""),
                 f"{command} Samenvatting:"),
            Item(t("Gegevens meegenomen (exfiltratie)", "Data taken (exfiltration)"),
                 str(assessment.get("exfiltration") or "")),
            Item(t("Ontvanger heeft verwijdering bevestigd", "Recipient confirmed deletion"),
                 _yes_no(assessment.get("deletion_confirmed"), nl)),
        )),
        Section(6, t("Persoonsgegevens", "Personal data"), (
            Item(t("Soorten persoonsgegevens", "Categories"), categories, f"{command} Categorieën:"),
            Item(t("Bijzondere persoonsgegevens", "Special categories"), ", ".join(special) if special else
                 (t("geen", "none") if categories else ""), f"{command} Categorieën:"),
            Item(t("Aantal records", "Number of records"), count_text(assessment.get("records")),
                 f"{command} Aantal records:"),
        )),
        Section(7, t("Betrokkenen", "People affected"), (
            Item(t("Groep", "Group"), str(answers.get("affected_group") or ""), t("antwoord Groep:", "answer Groep:")),
            Item(t("Aantal", "Number"), count_text(answers.get("affected_count")),
                 t("antwoord Aantal betrokkenen:", "answer Aantal betrokkenen:")),
        )),
        Section(8, t("Voorafgaande maatregelen", "Prior measures"), (
            Item(t("Gegevens onbegrijpelijk gemaakt (versleuteld)", "Data unintelligible (encrypted)"),
                 _yes_no(assessment.get("encrypted"), nl), f"{command} Versleuteld:"),
            Item(t("Back-up", "Backup"), _yes_no(assessment.get("backup"), nl)),
            Item(t("Hersteltijd", "Restore time"), str(assessment.get("restore_time") or "")),
        )),
        Section(9, t("Gevolgen", "Consequences"), (
            Item(t("Gevolgen voor de betrokkenen", "Consequences for the people"),
                 str(assessment.get("consequences") or ""), f"{command} Gevolgen:"),
            Item(t("Ernst van de gevolgen (voorstel uit de ENISA-score)", "Severity (suggested from the ENISA score)"),
                 _severity(severity, nl),
                 f"{command} Categorieën: / Identificeerbaarheid: / Vertrouwelijkheid:"),
            Item(t("Voorgesteld risico (de organisatie beslist)", "Suggested tier (the organisation decides)"),
                 (TIERS if nl else TIERS_EN)[severity.tier] if severity.score is not None else ""),
        )),
        Section(10, t("Vervolgacties", "Follow-up"), (
            Item(t("Betrokkenen geïnformeerd", "People affected informed"), _yes_no(informed, nl),
                 f"{command} Betrokkenen informeren:"),
            Item(t("Kanaal", "Channel"), case.subjects_channel, channel_fill),
            Item(t("Waarom niet", "Why not"), case.subjects_decision_reason if informed == "nee" else "",
                 why_not_fill if informed == "nee" else ""),
            Item(t("Genomen maatregelen", "Measures taken"), str(assessment.get("measures") or ""),
                 f"{command} Maatregelen:"),
            # Not asked by the form: the procedure's own record of who advised and who decided.
            Item(t("Advies FG (intern)", "DPO advice (internal)"), _signed(case.fg_advice, case.fg_advice_by,
                 case.fg_advice_at, settings)),
            Item(t("Besluit directie (intern)", "Board decision (internal)"), _signed(
                 case.board_decision, case.board_decision_by, case.board_decision_at, settings)),
        )),
    )  # fmt: skip
    title = t(
        f"Concept melding datalek aan de AP, {case.kenmerk}", f"Draft breach notification to the AP, {case.kenmerk}"
    )
    notified = ""
    if case.ap_notified_at:
        notified = t(f"Gemeld bij de AP op {_local(case.ap_notified_at, settings)}",
                     f"Notified to the AP at {_local(case.ap_notified_at, settings)}")  # fmt: skip
        notified += (
            t(f", meldnummer {case.ap_reference}.", f", reference {case.ap_reference}.")
            if case.ap_reference
            else t("; leg het meldnummer vast: AP-meldnummer: …", "; record the reference: AP-meldnummer: …")
        )
    return Draft(case.kenmerk, title, sections, _local(now, settings), notified)


def text(draft: Draft, language: str) -> str:
    nl = language == "nl"
    lines = [draft.title, "=" * len(draft.title), ""]
    if draft.missing:
        lines += [("NOG IN TE VULLEN" if nl else "STILL TO FILL IN") + f" ({len(draft.missing)}):"]
        lines += [f"  - {m}" for m in draft.missing] + [""]
    else:
        lines += [("Alle velden van het formulier zijn gevuld." if nl else "Every field of the form is filled."), ""]
    for s in draft.sections:
        lines += [f"{s.number}. {s.title}"]
        for i in s.items:
            value = i.value.strip() or (
                "(nog in te vullen)" if nl and i.missing else "(to fill in)" if i.missing else "-"
            )
            first, *rest = value.splitlines() or [""]
            lines += [f"   {i.label}: {first}", *(f"      {r}" for r in rest)]
        lines.append("")
    if draft.notified:
        lines.append((f"Opgesteld {draft.made} door mailbot. " if nl else f"Prepared {draft.made} by mailbot. ")
                     + draft.notified)  # fmt: skip
        return "\n".join(lines) + "\n"
    lines.append(
        (f"Opgesteld {draft.made} door mailbot. Neem de antwoorden over in het meldformulier van de AP; "
         "leg daarna vast: Melden AP: ja, AP-meldnummer: …, Gemeld op: …") if nl else
        (f"Prepared {draft.made} by mailbot. Copy the answers into the AP's form; then record: "
         "Melden AP: ja, AP-meldnummer: …, Gemeld op: …")
    )  # fmt: skip
    return "\n".join(lines) + "\n"


def html(draft: Draft, language: str, renderer: Renderer) -> Iterator[str]:
    return renderer.page("ap_draft", draft=draft, language=language)


def pdf(draft: Draft, language: str) -> bytes:
    """An A4 PDF of the plain-text draft (fpdf2). DejaVu Sans where installed (every accent and
    dash); else the PDF core font, with characters outside Latin-1 replaced."""
    doc, family, clean = new_pdf(draft.title)
    width = doc.w - doc.l_margin - doc.r_margin
    doc.set_font(family, "B", 13)
    doc.multi_cell(width, 7, clean(draft.title), new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    body = text(draft, language).split("\n", 3)[3]  # without the title lines
    for line in body.splitlines():
        bold = bool(line) and (line[0].isdigit() or line.isupper() or line.startswith(("NOG", "STILL")))
        doc.set_font(family, "B" if bold else "", 10)
        # Ragged right, and a long line wraps under its own text, not at the margin: the
        # indentation (and a list's "- ") is the cell's offset.
        text_part = line.lstrip(" ")
        lead = line[: len(line) - len(text_part)]
        if text_part.startswith("- "):
            lead, text_part = lead + "- ", text_part[2:]
        offset = doc.get_string_width(lead) if lead else 0.0
        if lead.endswith("- "):
            doc.cell(offset, 5, clean(lead.lstrip(" ")), align="R")
        else:
            doc.set_x(doc.l_margin + offset)
        doc.multi_cell(width - offset, 5, clean(text_part) or " ", align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def new_pdf(title: str) -> tuple[Any, str, Callable[[str], str]]:
    """An A4 fpdf2 document with its first page, the font family to use, and what makes a text
    fit that font: DejaVu Sans where installed, else the PDF core font (Latin-1 only)."""
    from fpdf import FPDF

    # fontTools, which fpdf2 uses to embed the font, logs each table it trims at INFO: lines
    # that mean nothing to the officer who asked for the PDF.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    doc = FPDF(format="A4")
    doc.set_auto_page_break(True, margin=15)
    doc.set_title(title)
    doc.set_creator("mailbot")
    doc.add_page()
    font = font_dir()
    if font is None:
        return doc, "Helvetica", _latin1
    doc.add_font("DejaVu", "", str(font / "DejaVuSans.ttf"))
    doc.add_font("DejaVu", "B", str(font / "DejaVuSans-Bold.ttf"))
    return doc, "DejaVu", str


def _latin1(s: str) -> str:
    return s.replace("–", "-").replace("…", "...").encode("latin-1", "replace").decode("latin-1")
