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

from mailbot.core.parse import ParsedMessage


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
    digest_case: str | None = None  # an officer's reply to the daily digest names this case
    duplicate_of: int | None = None
    flooding: bool = False  # the sender looks like a mail loop (loops.py decides)


Predicate = Callable[[ParsedMessage, Context], bool]


@dataclass(frozen=True)
class Rule:
    """One row of the table. ``name`` is stored with the message (keep it as it is);
    ``reason``, for mail that is ignored, is stored as the message's reason (``{dup}``: the
    message it repeats); a ``bounce`` counts towards a storm of bounces (loops.py)."""

    name: str
    matches: Predicate
    disposition: Disposition
    reason: str = ""
    bounce: bool = False


@dataclass(frozen=True)
class Classification:
    matched: Rule
    kenmerk: str | None = None
    reason: str = ""

    @property
    def rule(self) -> str:
        return self.matched.name

    @property
    def disposition(self) -> Disposition:
        return self.matched.disposition


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


def answers_digest(m: ParsedMessage, c: Context) -> bool:
    return c.digest_case is not None


def names_known_kenmerk(m: ParsedMessage, c: Context) -> bool:
    return c.kenmerk_case is not None


def has_report_keyword(m: ParsedMessage, c: Context) -> bool:
    subject = strip_subject_prefixes(m.subject).lower()
    return any(k in subject for k in c.keywords)


def anything(m: ParsedMessage, c: Context) -> bool:
    return True


RULES: tuple[Rule, ...] = (
    Rule("duplicate", is_duplicate, Disposition.IGNORED, "same Message-ID as message #{dup}, already handled"),
    Rule("from-self", is_from_self, Disposition.IGNORED, "sent by the bot's own address"),
    Rule("auto-submitted", is_auto_submitted, Disposition.IGNORED, "automatic message (Auto-Submitted)"),
    Rule("precedence-bulk", is_bulk, Disposition.IGNORED, "bulk or list mail (Precedence)"),
    Rule("list-mail", is_list_mail, Disposition.IGNORED, "mailing-list mail (List-Id)"),
    Rule(
        "autoreply-header",
        is_autoreply_header,
        Disposition.IGNORED,
        "automatic reply (X-Autoreply / X-Auto-Response-Suppress)",
    ),
    Rule("empty-return-path", has_empty_return_path, Disposition.IGNORED, "bounce (empty Return-Path)", bounce=True),
    Rule("bounce-sender", is_bounce_sender, Disposition.IGNORED, "bounce (MAILER-DAEMON / postmaster)", bounce=True),
    Rule("delivery-report", is_delivery_report, Disposition.IGNORED, "delivery or read report", bounce=True),
    Rule("thread-reply", answers_case_thread, Disposition.REPLY),
    Rule("digest-reply", answers_digest, Disposition.REPLY),
    Rule("kenmerk-in-subject", names_known_kenmerk, Disposition.REPLY),
    Rule("report-keyword", has_report_keyword, Disposition.CASE),
    # After the report and the replies: anyone can send mail "from" an address, so a flood in
    # someone's name must not silence that person's own report or command (loops.py). Its
    # reason is the loop guard's, which says how many and from whom.
    Rule("mail-loop", is_mail_loop, Disposition.IGNORED),
    Rule("not-a-report", anything, Disposition.IGNORED, "subject has none of the report keywords and names no case"),
)

# The rules that mark a bounce or delivery report: counted together against a storm of them.
BOUNCE_RULES = frozenset(rule.name for rule in RULES if rule.bounce)


def classify(message: ParsedMessage, context: Context) -> Classification:
    for rule in RULES:
        if rule.matches(message, context):
            kenmerk = None
            if rule.disposition is Disposition.REPLY:
                kenmerk = context.thread_case or context.digest_case or context.kenmerk_case
            return Classification(rule, kenmerk, rule.reason.format(dup=context.duplicate_of))
    raise AssertionError("the last rule matches everything")
