"""What an incoming message is: one ordered table of named rules, the first match decides.

Pure: the worker looks up in the database what the rules need to know (which case a thread
or kenmerk points to, whether the message was seen before) and passes it in a
:class:`Context`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from mailbot.parse import ParsedMessage


class Disposition(StrEnum):
    CASE = "case"
    REPLY = "reply"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class Context:
    bot_addresses: frozenset[str]
    keywords: tuple[str, ...]
    thread_case: str | None = None
    kenmerk_case: str | None = None
    duplicate_of: int | None = None
    flooding: bool = False  # the sender looks like a mail loop (loops.py decides)


@dataclass(frozen=True)
class Classification:
    disposition: Disposition
    rule: str
    kenmerk: str | None = None


Rule = Callable[[ParsedMessage, Context], bool]

# One \s* on each side of the optional "[2]": two next to each other split a run of spaces
# every possible way before failing.
_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|fw|antw|aw|doorst|wg|tr|sv|vs)\s*(?:\[\d+\]\s*)?:\s*)+", re.IGNORECASE)
_BOUNCE_SENDER = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)


def strip_subject_prefixes(subject: str) -> str:
    """``Re: Fwd: Antw: x`` → ``x``."""
    return _PREFIX.sub("", subject).strip()


def is_duplicate(m: ParsedMessage, c: Context) -> bool:
    return c.duplicate_of is not None


def is_from_self(m: ParsedMessage, c: Context) -> bool:
    return m.from_address in c.bot_addresses


def is_auto_submitted(m: ParsedMessage, c: Context) -> bool:
    value = m.header("auto-submitted").strip().lower()
    return bool(value) and not value.startswith("no")


def is_bulk(m: ParsedMessage, c: Context) -> bool:
    return m.header("precedence").strip().lower() in ("bulk", "junk", "list")


def is_list_mail(m: ParsedMessage, c: Context) -> bool:
    return bool(m.header_values("list-id"))


def is_autoreply_header(m: ParsedMessage, c: Context) -> bool:
    return bool(
        m.header_values("x-autoreply")
        or m.header_values("x-autorespond")
        or m.header_values("x-auto-response-suppress")
    )


def has_empty_return_path(m: ParsedMessage, c: Context) -> bool:
    values = m.header_values("return-path")
    return bool(values) and values[0].strip() in ("<>", "")


def is_bounce_sender(m: ParsedMessage, c: Context) -> bool:
    return bool(_BOUNCE_SENDER.match(m.from_address))


def is_delivery_report(m: ParsedMessage, c: Context) -> bool:
    return m.content_type == "multipart/report" or any(
        a.content_type in ("message/delivery-status", "message/disposition-notification") for a in m.attachments
    )


def is_mail_loop(m: ParsedMessage, c: Context) -> bool:
    return c.flooding


def answers_case_thread(m: ParsedMessage, c: Context) -> bool:
    return c.thread_case is not None


def names_known_kenmerk(m: ParsedMessage, c: Context) -> bool:
    return c.kenmerk_case is not None


def has_report_keyword(m: ParsedMessage, c: Context) -> bool:
    subject = strip_subject_prefixes(m.subject).lower()
    return any(k in subject for k in c.keywords)


def anything(m: ParsedMessage, c: Context) -> bool:
    return True


RULES: tuple[tuple[str, Rule, Disposition], ...] = (
    ("duplicate", is_duplicate, Disposition.IGNORED),
    ("from-self", is_from_self, Disposition.IGNORED),
    ("auto-submitted", is_auto_submitted, Disposition.IGNORED),
    ("precedence-bulk", is_bulk, Disposition.IGNORED),
    ("list-mail", is_list_mail, Disposition.IGNORED),
    ("autoreply-header", is_autoreply_header, Disposition.IGNORED),
    ("empty-return-path", has_empty_return_path, Disposition.IGNORED),
    ("bounce-sender", is_bounce_sender, Disposition.IGNORED),
    ("delivery-report", is_delivery_report, Disposition.IGNORED),
    ("mail-loop", is_mail_loop, Disposition.IGNORED),
    ("thread-reply", answers_case_thread, Disposition.REPLY),
    ("kenmerk-in-subject", names_known_kenmerk, Disposition.REPLY),
    ("report-keyword", has_report_keyword, Disposition.CASE),
    ("not-a-report", anything, Disposition.IGNORED),
)


def classify(message: ParsedMessage, context: Context) -> Classification:
    for name, rule, disposition in RULES:
        if rule(message, context):
            kenmerk = None
            if disposition is Disposition.REPLY:
                kenmerk = context.thread_case or context.kenmerk_case
            return Classification(disposition, name, kenmerk)
    raise AssertionError("the last rule matches everything")
