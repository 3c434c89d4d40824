"""``mailbot init``, ``check`` and ``db upgrade``: setting up, and checking what is set up."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from mailbot.cli import common

if TYPE_CHECKING:
    from mailbot.core.config import Settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init_p = sub.add_parser(
        "init",
        help="create the database and data folder, check the configuration",
        description="Creates the data folder and the database and checks the configuration. With --example it "
        "prints an example configuration instead (every setting, with its default and what it does): "
        "mailbot init --example > .env",
    )
    init_p.add_argument(
        "--example", action="store_true", help="print an example configuration file (every setting) and stop"
    )
    init_p.set_defaults(main=main)
    sub.add_parser(
        "check",
        help="log in to IMAP and SMTP and report clearly what works and what does not",
        description="Reads the configuration, opens the database, logs in to each mailbox's IMAP server "
        "(the folder, how many messages wait, whether IDLE works) and SMTP server, and prints one line "
        "per part: ok, or FAIL with the reason. WARN lines name a configuration file others can read "
        "and a password sent unencrypted. Sends and changes no mail. Exits 0 when everything works, "
        "1 when a part fails, 2 on a configuration error.",
    ).set_defaults(main=main)
    dbp = sub.add_parser(
        "db",
        help="the database schema: bring it to the newest version (init and run do this too)",
        description="'mailbot db upgrade' applies the schema migrations this version brings (Alembic, for "
        "SQLite and PostgreSQL alike) and prints from which revision to which. Every command that writes "
        "does it on start; run it by hand to upgrade at a moment of your choosing, after a backup.",
    )
    dbp.set_defaults(main=main)
    db_sub = dbp.add_subparsers(dest="action", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="apply the migrations up to the newest revision")


def main(args: argparse.Namespace) -> int:
    return {"init": init, "check": check, "db": db_upgrade}[args.command](args)


def init(args: argparse.Namespace) -> int:
    if args.example:
        from importlib.resources import files

        sys.stdout.write(files("mailbot").joinpath("config.example.env").read_text(encoding="utf-8"))
        return 0
    settings = common.settings(args)
    from mailbot.model import schema
    from mailbot.model.services import build

    svc = build(settings)
    print(f"configuration read from {settings.source}: OK")
    print(f"data folder: {settings.data_dir}")
    print(f"database:    {settings.database_shown} (schema at revision {schema.current(svc.engine)})")
    print("next: mailbot check, then mailbot run")
    return 0


def check(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from mailbot.core.clock import system_clock
    from mailbot.core.errors import MailbotError
    from mailbot.mail.mailbox import ImapMailbox
    from mailbot.mail.oauth2 import tokens_for
    from mailbot.mail.smtp import SmtpTransport
    from mailbot.model.services import build
    from mailbot.model.store import Blobs, BlobStore

    settings = common.settings(args)
    ok = True
    print(f"configuration read from {settings.source}: OK")
    readable = common.readable_by_others(settings)
    if readable:
        print(f"WARN  {readable}")
    for warning in cleartext(settings):
        print(f"WARN  {warning}")
    store: Blobs
    try:
        store = build(settings).store  # a rotated OAuth2 refresh token is kept there
        print(f"DB    ok    {settings.database_shown}")
    except (SQLAlchemyError, OSError) as exc:
        ok = False
        print(f"DB    FAIL  {settings.database_shown}: {exc}; check MAILBOT_DATABASE_URL")
        store = BlobStore(settings.data_dir)
    several = len(settings.mailboxes) > 1
    for mb in settings.mailboxes:
        label = f" [{mb.name}]" if several else ""
        tokens = tokens_for(mb, store, settings.ca_file, system_clock)
        imap = ImapMailbox(mb, settings.ca_file, timeout=20, tokens=tokens)
        try:
            imap.connect()
            status = imap.select()
            backlog = len(imap.uids_after(0))
            idle = "IDLE supported" if imap.supports_idle() else "no IDLE: polling every MAILBOT_POLL_SECONDS"
            how = f", {tokens.label}" if tokens and mb.imap.auth == "oauth2" else ""
            print(
                f"IMAP  ok    {mb.imap.user}@{mb.imap.host}:{mb.imap.port} ({mb.imap.security}{how}), folder "
                f"{mb.folder}: {backlog} message(s), UIDVALIDITY {status.uidvalidity}, {idle}{label}"
            )
        except MailbotError as exc:
            ok = False
            print(f"IMAP  FAIL  {exc}{label}")
        finally:
            imap.close()
        smtp = SmtpTransport(mb.smtp, settings.ca_file, timeout=20, tokens=tokens)
        try:
            smtp.connect()
            who = f"as {mb.smtp.user}" if mb.smtp.user else "without login"
            if tokens and mb.smtp.auth == "oauth2":
                who += f" with {tokens.label}"
            print(f"SMTP  ok    {mb.smtp.host}:{mb.smtp.port} ({mb.smtp.security}), {who}{label}")
        except MailbotError as exc:
            ok = False
            print(f"SMTP  FAIL  {exc}{label}")
        finally:
            smtp.close()
    return 0 if ok else 1


def cleartext(settings: Settings) -> list[str]:
    """Servers reached without TLS over the network: the password and the mail travel readable."""
    servers = [(kind, server) for mb in settings.mailboxes for kind, server in (("IMAP", mb.imap), ("SMTP", mb.smtp))]
    warnings = [
        f"MAILBOT_{kind}_SECURITY=none for {server.host}: the password and the mail cross the network "
        "unencrypted; use ssl or starttls unless the server is on this machine"
        for kind, server in servers
        if server.security == "none" and server.host not in ("127.0.0.1", "::1", "localhost")
    ]
    return list(dict.fromkeys(warnings))


def db_upgrade(args: argparse.Namespace) -> int:
    from mailbot.model import schema
    from mailbot.model.services import build

    settings = common.settings(args)
    svc = build(settings, create=False)
    before, after = schema.upgrade(svc.engine)
    where = settings.database_shown
    if before == after:
        print(f"database {where}: at revision {after}, the newest; nothing to do")
    else:
        print(f"database {where}: upgraded from revision {before or '(none: new database)'} to {after}")
    return 0
