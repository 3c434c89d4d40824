"""The annual report for the board (the FG's *jaarverslag*): a year of the register in figures
and charts, the breaches notified to the AP with their meldnummer, and what was learned (the
measures recorded on each case). Dutch, or English with ``MAILBOT_LANGUAGE=en``.

The figures are the overview's (overview.py), counted from the stored cases; the PDF is made
with the AP draft's machinery (fpdf2, DejaVu Sans where installed), the html page is
self-contained (its charts are ``data:`` images).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from mailbot.core import breachtype
from mailbot.core.clock import as_utc
from mailbot.core.config import Settings
from mailbot.core.render import Renderer
from mailbot.core.wording import when
from mailbot.model.models import Case
from mailbot.register.apdraft import new_pdf
from mailbot.register.entry import breach_type, timeliness
from mailbot.register.overview import (
    TIER_NAMES,
    TIER_ORDER,
    Figures,
    charts,
    embedded,
    figures,
    hours_text,
    open_text,
)

FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class Notified:
    kenmerk: str
    received: str
    kind: str
    notified: str
    reference: str
    on_time: str
    informed: str


@dataclass(frozen=True)
class Lesson:
    kenmerk: str
    kind: str
    cause: str
    measures: str


@dataclass(frozen=True)
class Report:
    language: str
    total: int
    title: str
    intro: str
    made: str
    key_figures: list[tuple[str, str]]
    by_type: list[tuple[str, int]]
    open_lines: list[str]
    notified: list[Notified]
    lessons: list[Lesson]
    charts: list[tuple[str, bytes]]

    def t(self, nl: str, en: str) -> str:
        return nl if self.language == "nl" else en


def _day(value: datetime | None, tz: ZoneInfo, language: str) -> str:
    return when(as_utc(value), tz, language, time=False) if value else ""


def build(
    year_cases: Iterable[Case], open_cases: Iterable[Case], year: int, settings: Settings, now: datetime
) -> Report:
    """The report of the cases received in ``year`` (and of the cases open now)."""
    tz, language = settings.timezone, settings.language
    nl = language == "nl"
    today = now.astimezone(tz).date()
    since, until = date(year, 1, 1), min(date(year, 12, 31), max(today, date(year, 1, 1)))
    kept = list(year_cases)
    fig = figures(kept, since, until, now, tz, open_cases)
    notified, lessons = [], []
    informed = not_notified = 0
    for case in kept:
        kind = breachtype.name(breach_type(case), language)
        informed += case.subjects_informed_at is not None
        not_notified += case.ap_decision == "nee"
        if case.ap_notified_at is not None:
            on_time = timeliness(case, now) == "on_time"
            notified.append(Notified(
                case.kenmerk, _day(case.received_at, tz, language), kind, _day(case.ap_notified_at, tz, language),
                case.ap_reference or ("nog niet vastgelegd" if nl else "not recorded yet"),
                ("ja" if on_time else "nee") if nl else ("yes" if on_time else "no"),
                _day(case.subjects_informed_at, tz, language) or ("nee" if nl else "no"),
            ))  # fmt: skip
        assessment = json.loads(case.assessment or "{}")
        measures = str(assessment.get("measures") or "").strip()
        if measures:
            cause = str(json.loads(case.answers or "{}").get("cause") or "").strip()
            lessons.append(Lesson(case.kenmerk, kind, cause, measures))
    period = (
        when(datetime.combine(since, time()), ZoneInfo("UTC"), language, time=False),
        when(datetime.combine(until, time()), ZoneInfo("UTC"), language, time=False),
    )
    org = settings.organisation.name
    title = (f"Jaarverslag datalekken {year}" if nl else f"Annual report on personal-data breaches {year}") + (
        f", {org}" if org else ""
    )
    intro = (
        f"De datalekken die van {period[0]} tot en met {period[1]} zijn gemeld, uit het datalekregister "
        "(artikel 33 lid 5 AVG): hoeveel, van welke soort en hoe ernstig, welke bij de Autoriteit "
        "Persoonsgegevens zijn gemeld en of dat binnen 72 uur gebeurde, en welke maatregelen zijn genomen."
        if nl
        else f"The breaches reported from {period[0]} to {period[1]}, from the breach register (Article 33(5) "
        "GDPR): how many, of which kind and how serious, which were notified to the Dutch Data Protection "
        "Authority (AP) and whether within 72 hours, and the measures taken."
    )
    return Report(
        language, fig.total, title, intro, when(now, tz, language), _key_figures(fig, informed, not_notified, language),
        [(breachtype.name(k, language), sum(c)) for k, c in fig.by_type.items() if sum(c)],
        open_text(fig, language)[1:], notified, lessons, charts(fig, language),
    )  # fmt: skip


def _key_figures(fig: Figures, informed: int, not_notified: int, language: str) -> list[tuple[str, str]]:
    nl = language == "nl"
    on_time, late = fig.timely["on_time"], fig.timely["late"]
    notified = on_time + late
    share = f" ({round(100 * on_time / notified)}%)" if notified else ""
    median = fig.median_hours
    rows = [
        ("Meldingen ontvangen" if nl else "Breaches reported", str(fig.total)),
        ("Gemeld bij de AP" if nl else "Notified to the AP", str(notified)),
        ("  binnen 72 uur" if nl else "  within 72 hours", f"{on_time}{share}"),
        ("  later dan 72 uur" if nl else "  after 72 hours", str(late)),
        ("Besloten niet te melden" if nl else "Decided not to notify", str(not_notified)),
        ("Betrokkenen geïnformeerd" if nl else "People affected informed", str(informed)),
        (
            "Mediane tijd van melding tot besluit" if nl else "Median time from report to decision",
            hours_text(median, language) if median is not None else ("nog geen besluiten" if nl else "no decisions"),
        ),
    ]
    rows += [
        (("Ernst: " if nl else "Severity: ") + TIER_NAMES[language][t], str(fig.tiers[t]))
        for t in TIER_ORDER
        if fig.tiers[t] or t != "unassessed"
    ]
    return rows


def html(report: Report, renderer: Renderer) -> Iterator[str]:
    return renderer.page("annual_report", report=report, images=embedded(report.charts))


def pdf(report: Report) -> bytes:
    """An A4 PDF: the key figures, the charts, the kinds, the notified breaches, the lessons."""
    t = report.t
    doc, family, clean = new_pdf(report.title)
    width = doc.w - doc.l_margin - doc.r_margin

    def heading(text: str) -> None:
        doc.ln(3)
        doc.set_font(family, "B", 12)
        doc.multi_cell(width, 7, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
        doc.set_font(family, "", 10)

    def paragraph(text: str, size: int = 10) -> None:
        doc.set_font(family, "", size)
        doc.multi_cell(width, 5, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")

    def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], widths: tuple[int, ...]) -> None:
        doc.set_font(family, "", 8.5)
        with doc.table(col_widths=widths, line_height=4.6, text_align="LEFT", first_row_as_headings=True) as grid:
            for row in [header, *rows]:
                line = grid.row()
                for value in row:
                    line.cell(clean(value))
        doc.set_font(family, "", 10)

    doc.set_font(family, "B", 16)
    doc.multi_cell(width, 8, clean(report.title), new_x="LMARGIN", new_y="NEXT", align="L")
    doc.ln(1)
    paragraph(report.intro)
    heading(t("1. Kerncijfers", "1. Key figures"))
    table((t("Wat", "What"), t("Aantal", "Number")), report.key_figures, (3, 1))
    doc.ln(2)
    paragraph(t("Soorten datalekken:", "Kinds of breach:"))
    table((t("Soort", "Kind"), t("Aantal", "Number")), [(k, str(n)) for k, n in report.by_type] or
          [(t("geen meldingen", "no reports"), "0")], (3, 1))  # fmt: skip
    doc.ln(2)
    for line in report.open_lines:  # the age groups under their heading line, as a list
        paragraph(("– " if line.startswith("  ") else "") + line.strip())
    heading(t("2. Grafieken", "2. Charts"))
    for _, png in report.charts:
        doc.image(io.BytesIO(png), w=width)
        doc.ln(2)
    heading(t("3. Gemeld bij de Autoriteit Persoonsgegevens", "3. Notified to the Dutch DPA (AP)"))
    if report.notified:
        header = (t("Kenmerk", "Reference"), t("Ontvangen", "Received"), t("Soort", "Kind"),
                  t("Gemeld op", "Notified on"), t("Meldnummer AP", "AP reference"),
                  t("Binnen 72 uur", "Within 72 h"), t("Betrokkenen geïnformeerd", "People informed"))  # fmt: skip
        rows = [
            (n.kenmerk, n.received, n.kind, n.notified, n.reference, n.on_time, n.informed) for n in report.notified
        ]
        table(header, rows, (22, 24, 34, 24, 26, 16, 24))
    else:
        paragraph(t("Dit jaar is geen datalek bij de AP gemeld.", "No breach was notified to the AP this year."))
    heading(t("4. Wat we hebben geleerd: de genomen maatregelen", "4. What was learned: the measures taken"))
    if not report.lessons:
        paragraph(t("Bij de meldingen van dit jaar zijn nog geen maatregelen vastgelegd.",
                    "No measures have been recorded on this year's cases yet."))  # fmt: skip
    for lesson in report.lessons:
        doc.set_font(family, "B", 10)
        doc.multi_cell(width, 5, clean(f"{lesson.kenmerk}, {lesson.kind}"), new_x="LMARGIN", new_y="NEXT", align="L")
        if lesson.cause:
            paragraph(t("Oorzaak: ", "Cause: ") + lesson.cause)
        paragraph(t("Maatregelen: ", "Measures: ") + lesson.measures)
        doc.ln(1.5)
    doc.ln(3)
    paragraph(
        t(f"Opgesteld op {report.made} uit het datalekregister door mailbot.",
          f"Prepared on {report.made} from the breach register by mailbot."), 8,
    )  # fmt: skip
    return bytes(doc.output())
