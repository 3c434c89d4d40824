"""``mailbot export``, ``ap-draft``, ``letter``, ``report`` and ``purge``: the register's
documents, and its retention."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mailbot.cli import common


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export",
        help="write the breach register (csv, xlsx or html) for an auditor",
        description="One row per case with the register's columns (art. 33(5) GDPR): dates, phase, "
        "summary, nature, data, people, cause, consequences, measures, severity, the AP and "
        "data-subject decisions with their reasons, the FG's advice and the board's decision. "
        "Headers in Dutch, or English with MAILBOT_LANGUAGE=en. The html page is self-contained "
        "and printable, with counts per phase and risk, the AP notifications on time or late, and the "
        "overview's charts embedded.",
    )
    export.add_argument("--format", choices=("csv", "xlsx", "html"), default="csv", help="default csv")
    export.add_argument("--from", dest="since", metavar="DATE", help="cases received on or after DATE (YYYY-MM-DD)")
    export.add_argument("--to", dest="until", metavar="DATE", help="cases received on or before DATE (YYYY-MM-DD)")
    export.add_argument(
        "--status", help="open, gesloten (closed), or a phase: inventariseren, kwalificeren, herstellen, melden, …"
    )
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    draft = sub.add_parser(
        "ap-draft",
        help="the AP notification of a case, prepared in the sections of the AP's form",
        description="The answers for the AP's notification form (Meldloket datalekken), section by section, "
        "filled from the case and from the organisation settings (MAILBOT_ORG_*, MAILBOT_AP_CONTACT_*). "
        "Whatever the form needs and the case lacks is listed on top as still to fill in, with the "
        "command or setting that fills it. Copy the answers into the form; then record the "
        "notification by replying 'Melden AP: ja' and 'AP-meldnummer: …'. Officers can also ask "
        "for it by e-mail: the command 'AP-concept'.",
    )
    draft.add_argument("kenmerk", metavar="KENMERK", help="e.g. DL-2026-0042")
    draft.add_argument("--format", choices=("text", "html", "pdf"), default="text", help="default text")
    draft.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    letter = sub.add_parser(
        "letter",
        help="the letter to the people affected of a case (art. 34), as Word or PDF",
        description="The letter to the people affected, in plain language, from the case's facts: what "
        "happened, which data, the likely consequences, the measures, the FG as contact point and advice "
        "that fits the data. What the case does not say yet is left as […] and listed. Officers can also "
        "ask for it by e-mail: the command 'Brief betrokkenen'. The Word document follows "
        "MAILBOT_LETTER_TEMPLATE, the organisation's own document with placeholders, where it is set; "
        "--starter-template writes one to begin from.",
    )
    letter.add_argument("kenmerk", metavar="KENMERK", nargs="?", help="e.g. DL-2026-0042")
    letter.add_argument(
        "--starter-template",
        action="store_true",
        help="write a Word document with every placeholder, to put on your letterhead (needs -o)",
    )
    letter.add_argument("--format", choices=("docx", "pdf", "text"), default="docx", help="default docx")
    letter.add_argument("--language", choices=("nl", "en"), help="default MAILBOT_LANGUAGE")
    letter.add_argument("--public", action="store_true", help="a public statement (website, press) instead")
    letter.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    report = sub.add_parser(
        "report",
        help="the annual report on breaches for the board (PDF or html)",
        description="A year of the register for the board (the FG's jaarverslag): the key figures (reports, "
        "AP notifications within 72 hours or late, people informed, time to decide, severity), the overview's "
        "charts, the breaches notified to the AP with their meldnummer, and the measures recorded on each case. "
        "Dutch, or English with MAILBOT_LANGUAGE=en.",
    )
    report.add_argument("--year", type=int, required=True, help="the year the cases were received, e.g. 2026")
    report.add_argument("--format", choices=("pdf", "html"), default="pdf", help="default pdf")
    report.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    purge = sub.add_parser(
        "purge",
        help="remove personal data past its retention (also runs daily from mailbot run)",
        description="Of cases closed more than MAILBOT_PURGE_AFTER_DAYS ago (default 365) the raw messages, "
        "attachments and sent mails are removed, each replaced by a record that it existed (size, "
        "SHA-256, dates); mail that never belonged to a case goes after as many days. Register "
        "entries closed more than MAILBOT_RETENTION_YEARS ago (at least 5) are emptied, keeping "
        "kenmerk and dates. Open cases are never touched. Every purge is an audit entry.",
    )
    purge.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    for parser in (export, draft, letter, report, purge):
        parser.set_defaults(main=main)


def main(args: argparse.Namespace) -> int:
    commands = {"export": export, "ap-draft": ap_draft, "letter": letter, "report": report, "purge": purge}
    return commands[args.command](args)


def export(args: argparse.Namespace) -> int:
    from mailbot.core.clock import system_clock
    from mailbot.model.services import build
    from mailbot.register.export import Selection, export

    settings = common.settings(args)
    svc = build(settings)
    selection = Selection(common.date_option(args.since, "--from"), common.date_option(args.until, "--to"), args.status)
    if common.binary_to_terminal(args, "xlsx"):
        return 2
    org = settings.organisation.name
    title = ("Datalekregister" if settings.language == "nl" else "Breach register") + (f" {org}" if org else "")
    target = open(args.output, "wb") if args.output else sys.stdout.buffer  # noqa: SIM115
    try:
        n = export(
            svc.engine, args.format, target, selection=selection, tz=settings.timezone, now=system_clock(),
            language=settings.language, renderer=svc.renderer, title=title,
        )  # fmt: skip
    finally:
        if args.output:
            target.close()
        else:
            target.flush()
    where = f" to {args.output}" if args.output else ""
    print(f"mailbot: {n} case(s) written as {args.format}{where}", file=sys.stderr)
    return 0


def ap_draft(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from mailbot.core.clock import system_clock
    from mailbot.model.services import build
    from mailbot.register import apdraft

    settings = common.settings(args)
    svc = build(settings)
    if common.binary_to_terminal(args, "pdf"):
        return 2
    with Session(svc.engine) as s:
        case = common.case(s, args.kenmerk)
    draft = apdraft.build(case, settings, system_clock())
    if args.format == "text":
        data = apdraft.text(draft, settings.language).encode()
    elif args.format == "html":
        data = "".join(apdraft.html(draft, settings.language, svc.renderer)).encode()
    else:
        if apdraft.font_dir() is None:
            dirs = ", ".join(str(d) for d in apdraft.FONT_DIRS)
            print(f"mailbot: {apdraft.FONT_MISSING.format(dirs=dirs)}", file=sys.stderr)
        data = apdraft.pdf(draft, settings.language)
    common.write_output(args, data)
    missing = len(draft.missing)
    print(f"mailbot: AP draft of {case.kenmerk}: {missing} field(s) still to fill in", file=sys.stderr)
    return 0


def letter(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from mailbot.core.clock import system_clock
    from mailbot.core.errors import MailbotError
    from mailbot.model.services import build
    from mailbot.register import letter

    if args.starter_template:
        if not args.output:
            raise MailbotError("--starter-template writes a Word document: give -o FILE, e.g. -o brief.docx")
        Path(args.output).write_bytes(letter.starter_template())
        print(f"mailbot: {args.output}: every placeholder of the letter; put it on your letterhead, reword it, "
              "and name it in MAILBOT_LETTER_TEMPLATE", file=sys.stderr)  # fmt: skip
        return 0
    if not args.kenmerk:
        raise MailbotError("give the case's kenmerk, e.g. mailbot letter DL-2026-0042")
    settings = common.settings(args)
    svc = build(settings)
    if common.binary_to_terminal(args, "docx") or common.binary_to_terminal(args, "pdf"):
        return 2
    with Session(svc.engine) as s:
        case = common.case(s, args.kenmerk)
    made = letter.build(case, settings, system_clock(), args.language or settings.language, public=args.public)
    if args.format == "text":
        data = made.text().encode()
    elif args.format == "docx":
        data, problem = letter.word(made, settings.letter_template)
        if problem is not None:
            raise MailbotError(f"MAILBOT_LETTER_TEMPLATE: {problem}")
    else:
        data = letter.pdf(made)
    common.write_output(args, data)
    gaps = f"still to fill in: {', '.join(made.missing)}" if made.missing else "nothing left to fill in"
    print(f"mailbot: letter of {case.kenmerk}: {gaps}", file=sys.stderr)
    return 0


def report(args: argparse.Namespace) -> int:
    from datetime import date

    from mailbot.core.clock import system_clock
    from mailbot.model.services import build
    from mailbot.register import report
    from mailbot.register.export import Selection, cases

    settings = common.settings(args)
    if not 2000 <= args.year <= 9999:
        raise SystemExit(f"mailbot: --year {args.year}: give a year such as 2026")
    svc = build(settings)
    if common.binary_to_terminal(args, "pdf"):
        return 2
    tz = settings.timezone
    year = Selection(since=date(args.year, 1, 1), until=date(args.year, 12, 31))
    made = report.build(cases(svc.engine, year, tz), cases(svc.engine, Selection(status="open"), tz), args.year,
                        settings, system_clock())  # fmt: skip
    data = report.pdf(made) if args.format == "pdf" else "".join(report.html(made, svc.renderer)).encode()
    common.write_output(args, data)
    print(f"mailbot: annual report {args.year}: {made.total} case(s), {len(made.notified)} notified to the AP",
          file=sys.stderr)  # fmt: skip
    return 0


def purge(args: argparse.Namespace) -> int:
    from mailbot.core.clock import system_clock
    from mailbot.model.services import build
    from mailbot.register.purge import purge

    settings = common.settings(args)
    result = purge(build(settings), system_clock(), dry_run=args.dry_run)
    for line in result.lines:
        print(("would remove " if args.dry_run else "removed ") + line)
    print(result.summary(args.dry_run))
    return 0
