"""The register in figures and charts, for the officer and the board: reports per month by the
AP's breach types, the severity tiers, AP notifications within 72 hours or late, the median
time from report to decision, and the cases still open by age, with those whose AP deadline
passed without a decision.

The figures are counted from the stored cases; the charts are drawn with matplotlib (its Agg
backend, no display), imported only when a chart is drawn. They are made to be read in
greyscale print: shades of grey and hatching tell the series apart, not colour.
"""

from __future__ import annotations

import base64
import io
import json
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from mailbot.core import breachtype
from mailbot.core.clock import as_utc
from mailbot.core.severity import assess
from mailbot.core.wording import MONTHS, number, when
from mailbot.model.models import Case
from mailbot.register.entry import breach_type, timeliness

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

TIER_ORDER = ("none", "risk", "high", "unassessed")
TIER_NAMES = {
    "nl": {"none": "geen risico", "risk": "risico", "high": "hoog risico", "unassessed": "niet beoordeeld"},
    "en": {"none": "no risk", "risk": "risk", "high": "high risk", "unassessed": "not assessed"},
}
TIMELY_ORDER = ("on_time", "late", "late_open")
TIMELY_NAMES = {
    "nl": {"on_time": "binnen 72 uur", "late": "te laat gemeld", "late_open": "termijn verstreken, niet gemeld"},
    "en": {"on_time": "within 72 hours", "late": "notified late", "late_open": "deadline passed, not notified"},
}
AGE_ORDER = ("week", "month", "quarter", "older")
AGE_NAMES = {
    "nl": {"week": "korter dan een week", "month": "1 tot 4 weken", "quarter": "1 tot 3 maanden",
           "older": "3 maanden of langer"},
    "en": {"week": "less than a week", "month": "1 to 4 weeks", "quarter": "1 to 3 months",
           "older": "3 months or more"},
}  # fmt: skip
# The upper bound in days of each age group but the last.
_AGE_DAYS = (("week", 7), ("month", 28), ("quarter", 91))
# Greys and hatches that stay apart in black-and-white print, one per breach type.
_SHADES = ("#222222", "#555555", "#888888", "#aaaaaa", "#cccccc", "#eeeeee", "#ffffff")
_HATCHES = ("", "//", "", "xx", "..", "\\\\", "")


@dataclass
class Figures:
    since: date
    until: date
    months: list[tuple[int, int]]
    by_type: dict[str, list[int]] = field(default_factory=dict)  # breach type → count per month
    tiers: Counter[str] = field(default_factory=Counter)
    timely: Counter[str] = field(default_factory=Counter)
    hours_to_decide: list[float] = field(default_factory=list)
    total: int = 0
    # The cases open at the moment of the overview, whenever received: age group → count, and
    # those of them whose AP deadline passed without a decision.
    as_of: date | None = None
    open_by_age: Counter[str] = field(default_factory=Counter)
    past_deadline: Counter[str] = field(default_factory=Counter)

    @property
    def median_hours(self) -> float | None:
        return statistics.median(self.hours_to_decide) if self.hours_to_decide else None


def _months(since: date, until: date) -> list[tuple[int, int]]:
    out, (y, m) = [], (since.year, since.month)
    while (y, m) <= (until.year, until.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def decided_at(case: Case) -> datetime | None:
    """When the case was decided: the first of the board's decision, the AP notification and closing."""
    moments = [as_utc(t) for t in (case.board_decision_at, case.ap_notified_at, case.closed_at) if t is not None]
    return min(moments) if moments else None


def age_group(opened: datetime, now: datetime) -> str:
    """How long a case has been open, as one of :data:`AGE_ORDER`."""
    days = (now - as_utc(opened)).total_seconds() / 86400
    return next((group for group, limit in _AGE_DAYS if days < limit), "older")


def figures(
    cases: Iterable[Case], since: date, until: date, now: datetime, tz: ZoneInfo, open_cases: Iterable[Case] = ()
) -> Figures:
    """The counts for the cases received from ``since`` to ``until`` (local dates, inclusive),
    and of ``open_cases`` (the cases open now, whenever received) by age."""
    months = _months(since, until)
    fig = Figures(since, until, months, {key: [0] * len(months) for key in breachtype.TYPES})
    fig.as_of = now.astimezone(tz).date()
    for case in open_cases:
        group = age_group(case.received_at, now)
        fig.open_by_age[group] += 1
        fig.past_deadline[group] += timeliness(case, now) == "late_open"
    for case in cases:
        local = as_utc(case.received_at).astimezone(tz)
        if not since <= local.date() <= until:
            continue
        fig.total += 1
        fig.by_type[breach_type(case)][months.index((local.year, local.month))] += 1
        severity = assess(json.loads(case.assessment or "{}"), json.loads(case.answers or "{}"))
        fig.tiers[severity.tier if severity.score is not None else "unassessed"] += 1
        if when := timeliness(case, now):
            fig.timely[when] += 1
        if (decided := decided_at(case)) is not None:
            # A decision dated to the minute can read as a moment before the report's second.
            fig.hours_to_decide.append(max(0.0, (decided - as_utc(case.received_at)).total_seconds() / 3600))
    return fig


_SHORT = {"nl": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]}


def month_name(year: int, month: int, language: str) -> str:
    """``mrt 26`` (English: ``Mar 26``)."""
    short = _SHORT.get(language) or [m[:3] for m in MONTHS["en"]]
    return f"{short[month - 1]} {year % 100:02d}"


def hours_text(hours: float, language: str) -> str:
    """``4,2 dagen``, ``6,5 uur``, ``minder dan een uur``."""
    if hours < 1:
        return "minder dan een uur" if language == "nl" else "less than an hour"
    if hours < 48:
        return f"{number(round(hours, 1), language)} " + ("uur" if language == "nl" else "hours")
    return f"{number(round(hours / 24, 1), language)} " + ("dagen" if language == "nl" else "days")


def text(fig: Figures, language: str) -> list[str]:
    """The figures in lines of text, for whoever does not load images."""
    nl = language == "nl"
    lines = [("Meldingen per maand" if nl else "Reports per month") + ":"]
    for i, (y, m) in enumerate(fig.months):
        parts = [f"{breachtype.name(k, language)} {counts[i]}" for k, counts in fig.by_type.items() if counts[i]]
        total = sum(counts[i] for counts in fig.by_type.values())
        lines.append(f"  {month_name(y, m, language)}: {total}" + (f" ({', '.join(parts)})" if parts else ""))
    kinds = [f"  {breachtype.name(k, language)}: {sum(counts)}" for k, counts in fig.by_type.items() if sum(counts)]
    tiers = [f"  {TIER_NAMES[language][t]}: {fig.tiers[t]}" for t in TIER_ORDER if fig.tiers[t]]
    # A heading over nothing (a period without reports) would read as if something were missing.
    lines += ["", ("Naar soort" if nl else "By type") + ":", *kinds] if kinds else []
    lines += ["", ("Naar ernst" if nl else "By severity") + ":", *tiers] if tiers else []
    notified = fig.timely["on_time"] + fig.timely["late"]
    lines += ["", ("Melding bij de AP" if nl else "AP notification") + ":"]
    lines += [f"  {TIMELY_NAMES[language][t]}: {fig.timely[t]}" for t in TIMELY_ORDER]
    if notified:
        share = round(100 * fig.timely["on_time"] / notified)
        lines.append(
            f"  {share}% van de meldingen bij de AP binnen 72 uur"
            if nl
            else f"  {share}% of AP notifications within 72 hours"
        )
    median = fig.median_hours
    lines.append(
        ("  Mediane tijd van melding tot besluit: " if nl else "  Median time from report to decision: ")
        + (hours_text(median, language) if median is not None else ("nog geen besluiten" if nl else "no decisions yet"))
    )
    return lines + open_text(fig, language)


def as_of_text(fig: Figures, language: str) -> str:
    """The day the open cases were counted: ``2 december 2026``."""
    return when(datetime.combine(fig.as_of or fig.until, time()), ZoneInfo("UTC"), language, time=False)


def open_text(fig: Figures, language: str) -> list[str]:
    """The cases open now by age, and how many of them are past their AP deadline."""
    nl = language == "nl"
    day = as_of_text(fig, language)
    total, late = sum(fig.open_by_age.values()), sum(fig.past_deadline.values())
    lines = ["", (f"Nu open, op {day}" if nl else f"Open now, on {day}") + f": {total}"]
    for group in AGE_ORDER:
        if fig.open_by_age[group]:
            past = fig.past_deadline[group]
            also = (f" (waarvan {past} over de termijn van de AP)" if nl else f" ({past} past the AP deadline)") if (
                past) else ""  # fmt: skip
            lines.append(f"  {AGE_NAMES[language][group]}: {fig.open_by_age[group]}{also}")
    lines.append(
        f"  Termijn van 72 uur verstreken zonder besluit over melden bij de AP: {late}"
        if nl
        else f"  72-hour deadline passed without a decision on notifying the AP: {late}"
    )
    return lines


def charts(fig: Figures, language: str) -> list[tuple[str, bytes]]:
    """The charts as PNG files: (file name, image)."""
    return [(name, _png(figure)) for name, figure in chart_figures(fig, language)]


def chart_figures(fig: Figures, language: str) -> list[tuple[str, Figure]]:
    """The charts as matplotlib figures: (file name, figure)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    nl = language == "nl"
    out = []
    labels = [month_name(y, m, language) for y, m in fig.months]
    figure, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
    bottom = [0] * len(labels)
    for i, (key, counts) in enumerate(fig.by_type.items()):
        ax.bar(labels, counts, bottom=bottom, label=breachtype.name(key, language), color=_SHADES[i],
               hatch=_HATCHES[i], edgecolor="black", linewidth=0.6)  # fmt: skip
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    ax.set_title("Meldingen per maand, naar soort" if nl else "Reports per month, by type")
    ax.set_ylabel("aantal" if nl else "number")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _counts_from_zero(ax, "y", max(bottom, default=0))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    out.append(("meldingen-per-maand.png" if nl else "reports-per-month.png", figure))

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), dpi=100, width_ratios=(1, 1.2))
    tiers = [t for t in TIER_ORDER if t != "unassessed" or fig.tiers[t]]
    left.barh([TIER_NAMES[language][t] for t in tiers], [fig.tiers[t] for t in tiers], color="#777777",
              edgecolor="black", linewidth=0.6)  # fmt: skip
    left.set_title("Naar ernst" if nl else "By severity")
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.invert_yaxis()
    right.barh([TIMELY_NAMES[language][t] for t in TIMELY_ORDER], [fig.timely[t] for t in TIMELY_ORDER],
               color=["#dddddd", "#555555", "#222222"], hatch="", edgecolor="black", linewidth=0.6)  # fmt: skip
    median = fig.median_hours
    shown = hours_text(median, language) if median is not None else "–"
    right.set_title("Melding bij de AP" if nl else "AP notification")
    right.set_xlabel(f"mediane tijd tot besluit: {shown}" if nl else f"median time to decision: {shown}", fontsize=9)
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.invert_yaxis()
    for side, top in ((left, max(fig.tiers[t] for t in tiers)), (right, max(fig.timely.values(), default=0))):
        for bars in side.containers:
            side.bar_label(bars, padding=3, fontsize=9)
        side.margins(x=0.12)
        _counts_from_zero(side, "x", top)
    out.append(("ernst-en-72-uur.png" if nl else "severity-and-72-hours.png", figure))
    out.append(("open-meldingen.png" if nl else "open-cases.png", _open_chart(fig, language)))
    return out


def _counts_from_zero(ax: Axes, axis: str, top: int) -> None:
    """A count axis starts at 0 and reaches at least 1. With nothing counted matplotlib centres
    it on 0 and labels it -0.06 to 0.06: negative and fractional numbers of reports."""
    limits = ax.set_xlim if axis == "x" else ax.set_ylim
    if top <= 0:
        limits(0, 1)
    else:
        limits(0, None)


def _open_chart(fig: Figures, language: str) -> Figure:
    """The open cases by age, those past their AP deadline dark and hatched, the rest light."""
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    nl = language == "nl"
    names = [AGE_NAMES[language][g] for g in AGE_ORDER]
    late = [fig.past_deadline[g] for g in AGE_ORDER]
    rest = [fig.open_by_age[g] - fig.past_deadline[g] for g in AGE_ORDER]
    figure, ax = plt.subplots(figsize=(9, 3.4), dpi=100)
    ax.barh(names, late, color="#333333", hatch="//", edgecolor="black", linewidth=0.6,
            label="termijn AP verstreken, geen besluit" if nl else "AP deadline passed, no decision")  # fmt: skip
    ax.barh(names, rest, left=late, color="#dddddd", edgecolor="black", linewidth=0.6,
            label="overige open meldingen" if nl else "other open cases")  # fmt: skip
    for y, (a, b) in enumerate(zip(late, rest, strict=True)):
        ax.text(a + b, y, f"  {a + b}", va="center", fontsize=9)
    day = as_of_text(fig, language)
    ax.set_title(f"Open meldingen naar leeftijd, op {day}" if nl else f"Open cases by age, on {day}")
    ax.set_xlabel("aantal" if nl else "number")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(x=0.12)
    _counts_from_zero(ax, "x", max(fig.open_by_age.values(), default=0))
    ax.invert_yaxis()
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure


def embedded(images: list[tuple[str, bytes]]) -> list[tuple[str, str]]:
    """Charts for a page that stands alone: (description, ``data:`` URI) pairs."""
    return [
        (name.removesuffix(".png").replace("-", " "), "data:image/png;base64," + base64.b64encode(png).decode())
        for name, png in images
    ]


def _png(figure: Figure) -> bytes:
    from matplotlib import pyplot as plt

    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
