"""``mailbot status``: the worker, the mailboxes and the outbox as the database shows them
(what is gathered and how it is shown: status_view.py)."""

from __future__ import annotations

import argparse

from mailbot.cli import common


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    status = sub.add_parser(
        "status",
        help="is the worker running, are the mailboxes read, is mail going out; exit 1 when something needs a person",
        description="Per mailbox: the last successful IMAP check and SMTP connection and whether either is "
        "failing (with the error and whether the officers were told), messages waiting to be handled, "
        "the outbox queue, mails refused for good in the last 24 hours; then the next AP deadline. Read "
        "from the database only: it works while the worker is down and touches no mail server. Exits 0 "
        "when all is well, 1 when something needs a person (listed under ATTENTION), 2 on a configuration "
        "error: made to be called by a monitoring system.",
    )
    status.add_argument("--json", action="store_true", help='print a JSON object (with "ok": true or false)')
    status.set_defaults(main=main)


def main(args: argparse.Namespace) -> int:
    from mailbot.cli.status_view import as_dict, gather, text
    from mailbot.core.clock import system_clock

    settings = common.settings(args)
    with common.reading(settings) as r:
        st = gather(r, settings, system_clock())
    if args.json:
        common.print_json(as_dict(st))
    else:
        print(text(st, settings))
    return 1 if st.attention else 0
