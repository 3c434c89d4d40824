"""``mailbot run``: the worker, until stopped or for one pass (mailbot.runtime.service)."""

from __future__ import annotations

import argparse
import logging
import sys

from mailbot.cli import common


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser(
        "run",
        help="fetch, handle and answer mail until stopped",
        description="Fetch new mail, open cases, send acknowledgements and notices. "
        "Uses IMAP IDLE where the server offers it, else polls every "
        "MAILBOT_POLL_SECONDS. SIGTERM or Ctrl-C finish the current step and exit 0. One worker works "
        "on a database at a time: on SQLite a second is refused; on PostgreSQL a second (on another "
        "machine, or with its own MAILBOT_DATA_DIR) waits as standby and takes over when the first stops, "
        "within a minute when it dies. A worker that lost its turn to another exits 1.",
    )
    run.add_argument(
        "--once",
        action="store_true",
        help="one full pass (fetch, handle, send what is due), then exit; exit 1 when a mailbox could not be read",
    )
    run.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="with --once, for cron: print nothing unless something went wrong (warnings, errors; exit 1)",
    )
    run.set_defaults(main=main)


def main(args: argparse.Namespace) -> int:
    from mailbot.core.clock import system_clock
    from mailbot.model.services import build
    from mailbot.runtime import service

    settings = common.settings(args)
    if args.quiet:
        logging.getLogger().setLevel(logging.WARNING)
    readable = common.readable_by_others(settings)
    if readable:
        logging.getLogger("mailbot").warning("%s", readable)
    svc = build(settings)
    if not args.once:
        return 1 if service.run_until_stopped(svc, system_clock) else 0
    result = service.run_once(svc, system_clock)
    if not args.quiet:
        print(f"pass complete: {result.summary()}")
        for kenmerk in result.kenmerken:
            print(f"  new case {kenmerk}")
    for error in result.errors:
        print(f"  error: {error}", file=sys.stderr)
    return 1 if result.errors else 0
