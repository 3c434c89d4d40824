"""``mailbot list``, ``show`` and ``messages``: the cases and the stored mail, read only
(what each row holds: views.py)."""

from __future__ import annotations

import argparse

from mailbot.cli import common


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ls = sub.add_parser("list", help="the cases, nearest AP deadline first")
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    show = sub.add_parser("show", help="one case with its messages, attachments and events")
    show.add_argument("kenmerk", metavar="KENMERK", help="e.g. DL-2026-0042")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    msgs = sub.add_parser("messages", help="every stored incoming message and what was done with it")
    msgs.add_argument("--json", action="store_true", help="print a JSON array")
    for parser in (ls, show, msgs):
        parser.set_defaults(main=main)


def main(args: argparse.Namespace) -> int:
    return {"list": list_cases, "show": show, "messages": messages}[args.command](args)


def list_cases(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from mailbot.cli import views
    from mailbot.core.clock import system_clock
    from mailbot.model.services import build

    settings = common.settings(args)
    svc = build(settings)
    with Session(svc.engine) as s:
        rows = views.list_cases(s, settings.timezone, system_clock(), settings.language)
    if args.json:
        common.print_json(rows)
        return 0
    labels = views.LABELS[settings.language]
    if not rows:
        print(labels["no_cases"])
        return 0
    for r in rows:
        left = r["time_left"] or (f"AP: {r['ap_decision']}" if r["ap_decision"] else r["status"])
        print(f"{r['kenmerk']:<14} {r['phase']:<15} {left:<22} {r['reporter']:<30} {r['subject']}")
    print(f"{len(rows)} {labels['cases']}")
    return 0


def show(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from mailbot.cli.views import case_detail, case_text
    from mailbot.model.services import build

    settings = common.settings(args)
    svc = build(settings)
    with Session(svc.engine) as s:
        case = common.case(s, args.kenmerk)
        detail = case_detail(s, case, settings.timezone, svc.store.read)
    if args.json:
        common.print_json(detail)
    else:
        print(case_text(detail, settings.language))
    return 0


def messages(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from mailbot.cli.views import list_messages
    from mailbot.model.services import build

    settings = common.settings(args)
    svc = build(settings)
    with Session(svc.engine) as s:
        rows = list_messages(s, settings.timezone)
    if args.json:
        common.print_json(rows)
        return 0
    for r in rows:
        print(
            f"#{r['id']:<5} {(r['received_at'] or '')[:16]:<16} {r['disposition'] or r['status']:<11} "
            f"{r['kenmerk'] or '':<14} {r['from'] or '?':<30} {r['subject'] or ''}  [{r['reason'] or ''}]"
        )
    print(f"{len(rows)} message(s)")
    return 0
