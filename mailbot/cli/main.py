"""The ``mailbot`` command. Heavy modules are imported inside each command, so ``--help`` is quick."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mailbot.core.config import Settings

DESCRIPTION = """\
mailbot takes in reports of personal-data breaches (datalekken) sent to a shared mailbox,
answers each with a kenmerk and a questionnaire, tells the privacy officers, and keeps the
breach register.

Configuration comes from a .env file (--config, or MAILBOT_CONFIG, default ./.env) and the
environment; see config.example.env for every setting.
"""

EPILOG = """\
first steps:
  mailbot init        create the database and check the configuration
  mailbot check       log in to the IMAP and SMTP servers and say what works
  mailbot run         handle mail until stopped (Ctrl-C or SIGTERM)
  mailbot demo        see it work on a throwaway local mail server (needs root, Dovecot, Postfix)
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mailbot", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--config", metavar="PATH", help="the .env file to read (default: $MAILBOT_CONFIG or ./.env)")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub.add_parser("init", help="create the database and data folder, check the configuration")
    sub.add_parser("check", help="log in to IMAP and SMTP and report clearly what works and what does not")
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
    dbp = sub.add_parser(
        "db",
        help="the database schema: bring it to the newest version (init and run do this too)",
        description="'mailbot db upgrade' applies the schema migrations this version brings (Alembic, for "
        "SQLite and PostgreSQL alike) and prints from which revision to which. Every command does it "
        "on start; run it by hand to upgrade at a moment of your choosing, after a backup.",
    )
    db_sub = dbp.add_subparsers(dest="action", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="apply the migrations up to the newest revision")
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
    ls = sub.add_parser("list", help="the cases, nearest AP deadline first")
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    show = sub.add_parser("show", help="one case with its messages, attachments and events")
    show.add_argument("kenmerk", metavar="KENMERK", help="e.g. DL-2026-0042")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    msgs = sub.add_parser("messages", help="every stored incoming message and what was done with it")
    msgs.add_argument("--json", action="store_true", help="print a JSON array")
    export = sub.add_parser(
        "export",
        help="write the breach register (csv, xlsx or html) for an auditor",
        description="One row per case with the register's columns (art. 33(5) GDPR): dates, phase, "
        "summary, nature, data, people, cause, consequences, measures, severity, the AP and "
        "data-subject decisions with their reasons, the FG's advice and the board's decision. "
        "Headers in Dutch, or English with MAILBOT_LANGUAGE=en. The html page is self-contained "
        "and printable, with counts per phase and risk and the AP notifications on time or late.",
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
        "ask for it by e-mail: the command 'Brief betrokkenen'.",
    )
    letter.add_argument("kenmerk", metavar="KENMERK", help="e.g. DL-2026-0042")
    letter.add_argument("--format", choices=("docx", "pdf", "text"), default="docx", help="default docx")
    letter.add_argument("--language", choices=("nl", "en"), help="default MAILBOT_LANGUAGE")
    letter.add_argument("--public", action="store_true", help="a public statement (website, press) instead")
    letter.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
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
    audit = sub.add_parser(
        "audit",
        help="check that the audit trail of every case is complete and unaltered",
        description="Every event (who did what, when, on which message) is an entry in a hash chain. "
        "'mailbot audit verify' walks the whole chain; it exits 0 and prints the number of entries "
        "and the newest hash when it holds, and exits 1 naming the first entry that was altered "
        "or removed when it does not. Keep the printed hash: it is also in the officers' daily "
        "digest, so a rewritten database can be told from the original.",
    )
    audit_sub = audit.add_subparsers(dest="action", metavar="ACTION", required=True)
    audit_sub.add_parser("verify", help="walk the chain; exit 1 at the first altered or missing entry")
    sub.add_parser(
        "demo",
        help="start a local mail server, send a report, show the acknowledgement and the case",
        description="Starts Dovecot and Postfix on 127.0.0.1 in a temporary folder, runs the bot "
        "against them, sends an example report and prints what the reporter receives "
        "and the case as stored. Needs root and Debian's dovecot-imapd, "
        "dovecot-lmtpd and postfix (./dev demo installs them).",
    )
    return p


def _settings(args: argparse.Namespace) -> Settings:
    from mailbot.core.config import load_settings

    settings = load_settings(args.config)
    if not args.verbose:
        logging.getLogger().setLevel(settings.log_level.upper())
    if settings.log_format != "text":
        from mailbot.runtime.logs import use_format

        use_format(settings.log_format)
    return settings


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_init(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from mailbot.model import schema
    from mailbot.model.services import build

    svc = build(settings)
    print(f"configuration read from {settings.source}: OK")
    print(f"data folder: {settings.data_dir}")
    print(f"database:    {settings.database_shown} (schema at revision {schema.current(svc.engine)})")
    print("next: mailbot check, then mailbot run")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from mailbot.core.clock import system_clock
    from mailbot.core.errors import MailbotError
    from mailbot.mail.mailbox import ImapMailbox
    from mailbot.mail.oauth2 import tokens_for
    from mailbot.mail.smtp import SmtpTransport
    from mailbot.model.services import build
    from mailbot.model.store import Blobs, BlobStore

    settings = _settings(args)
    ok = True
    print(f"configuration read from {settings.source}: OK")
    readable = _readable_by_others(settings)
    if readable:
        print(f"WARN  {readable}")
    for warning in _cleartext(settings):
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


def _cleartext(settings: Settings) -> list[str]:
    """Servers reached without TLS over the network: the password and the mail travel readable."""
    servers = [(kind, server) for mb in settings.mailboxes for kind, server in (("IMAP", mb.imap), ("SMTP", mb.smtp))]
    warnings = [
        f"MAILBOT_{kind}_SECURITY=none for {server.host}: the password and the mail cross the network "
        "unencrypted; use ssl or starttls unless the server is on this machine"
        for kind, server in servers
        if server.security == "none" and server.host not in ("127.0.0.1", "::1", "localhost")
    ]
    return list(dict.fromkeys(warnings))


def _readable_by_others(settings: Settings) -> str | None:
    source = Path(settings.source)
    return config_exposure(source, os.geteuid(), os.getegid()) if source.is_file() else None


def config_exposure(path: Path, uid: int, gid: int) -> str | None:
    """Who besides the service (user ``uid``, group ``gid``) can read or change the configuration
    file, as a warning with the fix; None when nobody can. Readable by the service's own group
    while root or the service owns it is fine: the README installs it 0640 root:mailbot."""
    st = path.stat()
    ours = st.st_uid in (0, uid) and st.st_gid == gid
    fix = "chmod 640" if ours and st.st_uid != uid else "chmod 600"
    if st.st_mode & 0o007:
        return f"{path} can be read by other users and holds passwords: {fix} {path}"
    if st.st_mode & 0o020:
        return f"{path} can be changed by group {_group_name(st.st_gid)}: {fix} {path}"
    if st.st_mode & 0o070 and not ours:
        return f"{path} can be read by other users (group {_group_name(st.st_gid)}) and holds passwords: {fix} {path}"
    return None


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def cmd_run(args: argparse.Namespace) -> int:
    from mailbot.core.clock import system_clock
    from mailbot.model.services import build
    from mailbot.runtime import lease
    from mailbot.runtime.worker import Worker, WorkerLock

    settings = _settings(args)
    readable = _readable_by_others(settings)
    if readable:
        logging.getLogger("mailbot").warning("%s", readable)
    svc = build(settings)
    lock = WorkerLock(settings.data_dir)
    lock.acquire()
    worker = Worker(svc, system_clock)
    keeper = lease.Keeper(svc.engine, lease.Holder.here(settings.data_dir), system_clock, worker.lose_lease)
    worker.fence = keeper.held
    try:
        if args.once or not lease.across_machines(svc.engine):
            keeper.start()  # another worker at work: refused, with its name
        else:
            worker.stop_on_signals()
            if not keeper.wait_for_turn(lambda: worker.stopping):
                return 0  # stopped while standing by
        if args.once:
            result = worker.run_pass()
            print(f"pass complete: {result.summary()}")
            for kenmerk in result.kenmerken:
                print(f"  new case {kenmerk}")
            for error in result.errors:
                print(f"  error: {error}", file=sys.stderr)
            return 1 if result.errors else 0
        worker.run_forever()
        return 1 if worker.lease_lost else 0
    finally:
        worker.close()
        keeper.stop()
        lock.release()


def cmd_db(args: argparse.Namespace) -> int:
    from mailbot.model import schema
    from mailbot.model.services import build

    settings = _settings(args)
    svc = build(settings, create=False)
    before, after = schema.upgrade(svc.engine)
    where = settings.database_shown
    if before == after:
        print(f"database {where}: at revision {after}, the newest; nothing to do")
    else:
        print(f"database {where}: upgraded from revision {before or '(none: new database)'} to {after}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from mailbot.cli.status import as_dict, gather, text
    from mailbot.core.clock import system_clock
    from mailbot.model import db
    from mailbot.model.services import build

    settings = _settings(args)
    svc = build(settings)
    with db.session(svc.engine) as s:
        st = gather(s, settings, system_clock())
    if args.json:
        _print_json(as_dict(st))
    else:
        print(text(st, settings))
    return 1 if st.attention else 0


def cmd_list(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from mailbot.cli.views import LABELS, list_cases
    from mailbot.core.clock import system_clock
    from mailbot.model.services import build

    settings = _settings(args)
    svc = build(settings)
    with Session(svc.engine) as s:
        rows = list_cases(s, settings.timezone, system_clock(), settings.language)
    if args.json:
        _print_json(rows)
        return 0
    labels = LABELS[settings.language]
    if not rows:
        print(labels["no_cases"])
        return 0
    for r in rows:
        left = r["time_left"] or (f"AP: {r['ap_decision']}" if r["ap_decision"] else r["status"])
        print(f"{r['kenmerk']:<14} {r['phase']:<15} {left:<22} {r['reporter']:<30} {r['subject']}")
    print(f"{len(rows)} {labels['cases']}")
    return 0


def _case(s: Any, kenmerk: str) -> Any:
    """The case with this kenmerk; a clear error (exit 1) when there is none."""
    from mailbot.core.errors import MailbotError
    from mailbot.model.cases import case_by_kenmerk

    case = case_by_kenmerk(s, kenmerk)
    if case is None:
        raise MailbotError(f"no case with kenmerk {kenmerk}; see mailbot list")
    return case


def _binary_to_terminal(args: argparse.Namespace, binary_format: str) -> bool:
    """A binary format without -o on a terminal: refused with a hint rather than printed."""
    if args.format == binary_format and args.output is None and sys.stdout.isatty():
        print(f"mailbot: {binary_format} output is not for the terminal: give -o FILE", file=sys.stderr)
        return True
    return False


def cmd_show(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from mailbot.cli.views import case_detail, case_text
    from mailbot.model.services import build

    settings = _settings(args)
    svc = build(settings)
    with Session(svc.engine) as s:
        case = _case(s, args.kenmerk)
        detail = case_detail(s, case, settings.timezone, svc.store.read)
    if args.json:
        _print_json(detail)
    else:
        print(case_text(detail, settings.language))
    return 0


def cmd_messages(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from mailbot.cli.views import list_messages
    from mailbot.model.services import build

    settings = _settings(args)
    svc = build(settings)
    with Session(svc.engine) as s:
        rows = list_messages(s, settings.timezone)
    if args.json:
        _print_json(rows)
        return 0
    for r in rows:
        print(
            f"#{r['id']:<5} {(r['received_at'] or '')[:16]:<16} {r['disposition'] or r['status']:<11} "
            f"{r['kenmerk'] or '':<14} {r['from'] or '?':<30} {r['subject'] or ''}  [{r['reason'] or ''}]"
        )
    print(f"{len(rows)} message(s)")
    return 0


def _date(value: str | None, option: str) -> Any:
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"mailbot: {option} {value!r} is not a date; write it as YYYY-MM-DD") from None


def cmd_export(args: argparse.Namespace) -> int:
    from mailbot.core.clock import system_clock
    from mailbot.model.services import build
    from mailbot.register.export import Selection, export

    settings = _settings(args)
    svc = build(settings)
    selection = Selection(_date(args.since, "--from"), _date(args.until, "--to"), args.status)
    if _binary_to_terminal(args, "xlsx"):
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


def cmd_ap_draft(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from mailbot.core.clock import system_clock
    from mailbot.model.services import build
    from mailbot.register import apdraft

    settings = _settings(args)
    svc = build(settings)
    if _binary_to_terminal(args, "pdf"):
        return 2
    with Session(svc.engine) as s:
        case = _case(s, args.kenmerk)
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
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    missing = len(draft.missing)
    print(f"mailbot: AP draft of {case.kenmerk}: {missing} field(s) still to fill in", file=sys.stderr)
    return 0


def cmd_letter(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from mailbot.core.clock import system_clock
    from mailbot.model.services import build
    from mailbot.register import letter

    settings = _settings(args)
    svc = build(settings)
    if _binary_to_terminal(args, "docx") or _binary_to_terminal(args, "pdf"):
        return 2
    with Session(svc.engine) as s:
        case = _case(s, args.kenmerk)
    made = letter.build(case, settings, system_clock(), args.language or settings.language, public=args.public)
    if args.format == "text":
        data = made.text().encode()
    else:
        data = letter.docx(made) if args.format == "docx" else letter.pdf(made)
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    gaps = f"still to fill in: {', '.join(made.missing)}" if made.missing else "nothing left to fill in"
    print(f"mailbot: letter of {case.kenmerk}: {gaps}", file=sys.stderr)
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from mailbot.core.clock import system_clock
    from mailbot.model.services import build
    from mailbot.register.purge import purge

    settings = _settings(args)
    result = purge(build(settings), system_clock(), dry_run=args.dry_run)
    for line in result.lines:
        print(("would remove " if args.dry_run else "removed ") + line)
    print(result.summary(args.dry_run))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from mailbot.model import audit
    from mailbot.model.services import build

    settings = _settings(args)
    verdict = audit.verify(build(settings).engine)
    if verdict.ok:
        print(f"audit trail intact: {verdict.entries} entries, newest hash {verdict.head_hash}")
        return 0
    print(f"audit trail BROKEN: {verdict.problem}", file=sys.stderr)
    print(
        f"the {verdict.entries} entries before it hold; the last of them has hash {verdict.head_hash}", file=sys.stderr
    )
    return 1


def cmd_demo(args: argparse.Namespace) -> int:
    from mailbot.cli.demo import run_demo

    return run_demo()


COMMANDS = {
    "init": cmd_init,
    "check": cmd_check,
    "run": cmd_run,
    "status": cmd_status,
    "db": cmd_db,
    "list": cmd_list,
    "show": cmd_show,
    "messages": cmd_messages,
    "export": cmd_export,
    "ap-draft": cmd_ap_draft,
    "letter": cmd_letter,
    "purge": cmd_purge,
    "audit": cmd_audit,
    "demo": cmd_demo,
}


def main(argv: list[str] | None = None) -> int:
    from mailbot.runtime.logs import TEXT_FORMAT

    args = _parser().parse_args(argv)
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
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"mailbot: configuration error: {exc}", file=sys.stderr)
        return 2
    except MailbotError as exc:
        print(f"mailbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
