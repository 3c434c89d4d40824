"""The ``mailbot`` command: the argument parser made from the command modules, logging, and
the exit codes. Each module imports what its commands need inside their ``main``, so that a
command loads only its own share of the product (``--help`` and ``list`` stay quick)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from mailbot.cli import admin, audit, cases, demo, register, status, worker

DESCRIPTION = """\
mailbot takes in reports of personal-data breaches (datalekken) sent to a shared mailbox,
answers each with a kenmerk and a questionnaire, tells the privacy officers, and keeps the
breach register.

Configuration comes from a .env file (--config, or MAILBOT_CONFIG, default ./.env) and the
environment; config.example.env lists every setting (mailbot init --example prints it).
"""

EPILOG = """\
first steps:
  mailbot init --example > .env
                      an example configuration, every setting, to fill in
  mailbot init        create the database and check the configuration
  mailbot check       log in to the IMAP and SMTP servers and say what works
  mailbot run         handle mail until stopped (Ctrl-C or SIGTERM)
  mailbot demo        see it work on a throwaway local mail server (needs root, Dovecot, Postfix)
"""

# In the order --help lists them.
GROUPS = (admin, worker, status, cases, register, audit, demo)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mailbot", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--config", metavar="PATH", help="the .env file to read (default: $MAILBOT_CONFIG or ./.env)")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in GROUPS:
        group.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    from mailbot.runtime.logs import TEXT_FORMAT

    args = parser().parse_args(argv)
    os.umask(0o077)  # whatever mailbot creates (database, stored mail, logs) is for its owner only
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        stream=sys.stderr,
        format=TEXT_FORMAT,
    )
    for noisy in ("imapclient", "sqlalchemy", "schedule", "alembic", "msal", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("mailparser").setLevel(logging.ERROR)  # it warns about every unusual part
    from mailbot.core.config import ConfigError
    from mailbot.core.errors import MailbotError

    try:
        code: int = args.main(args)
    except ConfigError as exc:
        print(f"mailbot: configuration error: {exc}", file=sys.stderr)
        return 2
    except MailbotError as exc:
        print(f"mailbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code
