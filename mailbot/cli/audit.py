"""``mailbot audit verify``: walk the hash chain of the audit trail."""

from __future__ import annotations

import argparse
import sys

from mailbot.cli import common


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser(
        "audit",
        help="check that the audit trail of every case is complete and unaltered",
        description="Every event (who did what, when, on which message) is an entry in a hash chain. "
        "'mailbot audit verify' walks the whole chain; it exits 0 and prints the number of entries "
        "and the newest hash when it holds, and exits 1 naming the first entry that was altered "
        "or removed when it does not. Keep the printed hash: it is also in the officers' daily "
        "digest, so a rewritten database can be told from the original.",
    )
    audit.set_defaults(main=main)
    audit_sub = audit.add_subparsers(dest="action", metavar="ACTION", required=True)
    audit_sub.add_parser("verify", help="walk the chain; exit 1 at the first altered or missing entry")


def main(args: argparse.Namespace) -> int:
    from mailbot.model import audit
    from mailbot.model.services import build

    settings = common.settings(args)
    verdict = audit.verify(build(settings).engine)
    if verdict.ok:
        print(f"audit trail intact: {verdict.entries} entries, newest hash {verdict.head_hash}")
        return 0
    print(f"audit trail BROKEN: {verdict.problem}", file=sys.stderr)
    print(
        f"the {verdict.entries} entries before it hold; the last of them has hash {verdict.head_hash}", file=sys.stderr
    )
    return 1
