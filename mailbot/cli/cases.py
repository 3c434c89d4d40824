"""``mailbot list``, ``show`` and ``messages``: the cases and the stored mail, read only
(what each row holds: views.py)."""

from __future__ import annotations

import argparse
import sys

from mailbot.cli import common


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ls = sub.add_parser(
        "list",
        help="the cases, nearest AP deadline first",
        description="The open cases, nearest AP deadline first, then the closed ones; cases closed more "
        "than a year ago only with --all.",
    )
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    ls.add_argument("--all", action="store_true", help="also the cases closed more than a year ago")
    show = sub.add_parser(
        "show",
        help="one case: answers, assessment, decisions, notes, messages and events",
        description="One case: its kenmerk, status and phase, reporter, AP deadline, the report as "
        "received, the reporter's answers, the assessment and the severity with its reasons, the "
        "decisions with their reasons, the notes, its attachments (with SHA-256), every mail in and "
        "out, and the events of its audit trail. --json gives the same as one JSON object.",
    )
    show.add_argument("kenmerk", metavar="KENMERK", help="e.g. DL-2026-0042")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    msgs = sub.add_parser(
        "messages",
        help="every stored incoming message and what was done with it",
        description="Every message the bot fetched, oldest first: when, how it was classified (a new "
        "case, a reply, ignored, quarantined), the case, the sender, the subject and the result. Mail "
        "that opened no case, such as a newsletter or a quarantined message, is found here.",
    )
    msgs.add_argument("--json", action="store_true", help="print a JSON array")
    for parser in (ls, show, msgs):
        parser.set_defaults(main=main)


def main(args: argparse.Namespace) -> int:
    return {"list": list_cases, "show": show, "messages": messages}[args.command](args)


def list_cases(args: argparse.Namespace) -> int:
    from mailbot.cli import views
    from mailbot.core.clock import system_clock

    settings = common.settings(args)
    now = system_clock()
    since = None if args.all else now - views.RECENT_CLOSED
    with common.reading(settings) as r:
        if args.json:
            common.print_json(views.list_cases(r, settings.timezone, now, settings.language, since))
        else:
            sys.stdout.write(views.list_text(r, now, settings.language, since))
    return 0


def show(args: argparse.Namespace) -> int:
    from mailbot.cli.views import case_by_kenmerk, case_detail, case_text
    from mailbot.core.errors import MailbotError
    from mailbot.model.reading import raw

    settings = common.settings(args)
    with common.reading(settings) as r:
        case = case_by_kenmerk(r, args.kenmerk)
        if case is None:
            raise MailbotError(f"no case with kenmerk {args.kenmerk}; see mailbot list")
        detail = case_detail(r, case, settings.timezone, lambda path: raw(r, settings.data_dir, path))
    if args.json:
        common.print_json(detail)
    else:
        print(case_text(detail, settings.timezone, settings.language))
    return 0


def messages(args: argparse.Namespace) -> int:
    from mailbot.cli.views import list_messages

    settings = common.settings(args)
    with common.reading(settings) as r:
        rows = list_messages(r, settings.timezone)
    if args.json:
        common.print_json(rows)
        return 0
    for m in rows:
        print(
            f"#{m['id']:<5} {(m['received_at'] or '')[:16]:<16} {m['disposition'] or m['status']:<11} "
            f"{m['kenmerk'] or '':<14} {m['from'] or '?':<30} {m['subject'] or ''}  [{m['reason'] or ''}]"
        )
    print(f"{len(rows)} message(s)")
    return 0
