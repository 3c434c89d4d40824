"""What the command modules share: settings and logging, JSON output, a case by kenmerk, and
the warnings about the configuration file.

Imported by every command module on every start, so it imports nothing heavy at the top: each
command imports what it needs inside its ``main``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import date

    from mailbot.core.config import Settings
    from mailbot.model.reading import Reader


def settings(args: argparse.Namespace) -> Settings:
    """The settings from ``--config``, with the log level and format they ask for."""
    from mailbot.core.config import load_settings

    loaded = load_settings(args.config)
    if not args.verbose:
        logging.getLogger().setLevel(loaded.log_level.upper())
    if loaded.log_format != "text":
        from mailbot.runtime.logs import use_format

        use_format(loaded.log_format)
    return loaded


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def case(s: Any, kenmerk: str) -> Any:
    """The case with this kenmerk; a clear error (exit 1) when there is none."""
    from mailbot.core.errors import MailbotError
    from mailbot.model.cases import case_by_kenmerk

    found = case_by_kenmerk(s, kenmerk)
    if found is None:
        raise MailbotError(f"no case with kenmerk {kenmerk}; see mailbot list")
    return found


def binary_to_terminal(args: argparse.Namespace, binary_format: str) -> bool:
    """A binary format without -o on a terminal: refused with a hint rather than printed."""
    if args.format == binary_format and args.output is None and sys.stdout.isatty():
        print(f"mailbot: {binary_format} output is not for the terminal: give -o FILE", file=sys.stderr)
        return True
    return False


def write_output(args: argparse.Namespace, data: bytes) -> None:
    """A document to ``-o FILE``, or to standard output when none is given."""
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def date_option(value: str | None, option: str) -> date | None:
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"mailbot: {option} {value!r} is not a date; write it as YYYY-MM-DD") from None


def readable_by_others(settings: Settings) -> str | None:
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


@contextlib.contextmanager
def reading(settings: Settings) -> Iterator[Reader]:
    """A read-only connection for the commands that only read (model.reading), closed after. A
    database not yet at the newest revision (or not made yet) is first brought there, as
    ``init`` does."""
    from mailbot.model.reading import open_reader

    found = open_reader(settings.database_url)
    if found is None:
        from mailbot.model.services import build

        build(settings).engine.dispose()
        found = open_reader(settings.database_url)
        assert found is not None, "the database is at the newest revision after the upgrade"
    try:
        yield found
    finally:
        found.close()
