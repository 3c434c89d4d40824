"""``Register`` (``Register: 2026``, ``Register: open``, ``Register: 2026-01-01 tot 2026-06-30``,
``Register: csv``): the breach register as ``mailbot export`` writes it, attached to one reply
to the officer who asked, and to no one else.

It is about no one case: it answers an officer's reply to any mail the bot sent that officer (a
notice, a command result, the digest), checked as every officer command is (fresh, and with
``MAILBOT_TRUSTED_AUTHSERV_ID`` DKIM/DMARC passed), or an officer's new mail asking for it
("Register", "Datalekregister 2026 opvragen") where the trusted server vouches for the sender.
Otherwise the register holds too much personal data to send on a From line alone: the answer
says to reply to a mail from the bot instead. Who got which register is recorded.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from mailbot.core.authentication import sender_authenticated
from mailbot.core.compose import Attachment
from mailbot.core.parse import ParsedMessage
from mailbot.core.quotes import split_reply
from mailbot.core.wording import when
from mailbot.model import cases
from mailbot.model.models import InboundMessage, Outbox
from mailbot.model.services import Services
from mailbot.pipeline import outbox
from mailbot.pipeline.commands import Command, Context, Outcome, normalise_word, read_block
from mailbot.register.export import Selection, export
from mailbot.register.export import cases as cases_in
from mailbot.register.overview import charts, figures, text

REGISTER = ("register", "datalekregister", "breach register")
OVERVIEW = ("overzicht", "overview")
WORDS = REGISTER + OVERVIEW
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
OPEN = ("open", "lopend", "lopende")
_UTC = ZoneInfo("UTC")

_BARE = re.compile(
    r"^\s*\**(register|datalekregister|breach register|overzicht|overview)\**\s*[.!]?\s*$", re.IGNORECASE
)
_SUBJECT = re.compile(
    r"^\s*((?:datalek|breach )?register|datalekregister|overzicht|overview)(?:\s+(\d{4}))?"
    r"(?:\s+(?:opvragen|graag|please))?\s*[.!?]?\s*$",
    re.IGNORECASE,
)
_DAY = r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{4})"
_PERIOD = re.compile(rf"^{_DAY}\s*(?:tot en met|tot|t/m|to|until|through|-|–)\s*{_DAY}$", re.IGNORECASE)


def run(ctx: Context, word: str, value: str) -> Outcome:
    """Among a case's commands: the register is answered in a mail of its own."""
    return Outcome(
        word,
        False,
        ctx.say(
            "het register komt in een eigen e-mail: stuur 'Register' als enige regel in een antwoord",
            "the register comes in a mail of its own: send 'Register' as the only line of a reply",
        ),
    )


def asked(written: str) -> tuple[str, str] | None:
    """What a mail whose only command is ``Register`` or ``Overzicht`` asks for: ("register" or
    "overview", its options); None when it asks for neither."""
    first = next((p.strip() for p in re.split(r"\n\s*\n", written.strip()) if p.strip()), "")
    if (bare := _BARE.match(first)) is not None:
        return _kind(bare[1]), ""
    block = read_block(written)
    if block.unknown or len(block.commands) != 1:
        return None
    word, value = block.commands[0]
    return (_kind(word), value.strip()) if normalise_word(word) in WORDS else None


def asked_in_subject(subject: str) -> tuple[str, str] | None:
    """``Datalekregister 2026 opvragen`` → ("register", "2026"); None when the subject asks for
    no register or overview."""
    m = _SUBJECT.match(subject)
    return None if m is None else (_kind(m[1]), m[2] or "")


def _kind(word: str) -> str:
    return "overview" if normalise_word(word) in OVERVIEW else "register"


@dataclass(frozen=True)
class Request:
    selection: Selection
    fmt: str


def _day(text: str) -> date:
    parts = [int(p) for p in text.split("-")]
    return date(*parts) if parts[0] > 31 else date(parts[2], parts[1], parts[0])


def read_options(value: str) -> Request | str:
    """``2026, open, csv`` → the request; or the option not understood."""
    since = until = None
    status = None
    fmt = "xlsx"
    options = [o.strip() for o in re.split(r"[,;]", value.strip(" .")) if o.strip()]
    options = [p for o in options for p in ([o] if _PERIOD.match(o) else o.split())]
    for option in options:
        word = option.lower()
        try:
            if word in FORMATS:
                fmt = word
            elif word in OPEN:
                status = "open"
            elif re.fullmatch(r"\d{4}", word):
                since, until = date(int(word), 1, 1), date(int(word), 12, 31)
            elif m := _PERIOD.match(word):
                since, until = _day(m[1]), _day(m[2])
                if until < since:
                    return option
            else:
                return option
        except ValueError:
            return option
    return Request(Selection(since=since, until=until, status=status), fmt)


def describe(request: Request, language: str) -> str:
    """Which cases, in words: "ontvangen van 1 januari 2026 tot en met 30 juni 2026, nog open"."""
    sel = request.selection
    nl = language == "nl"
    if sel.since and sel.until and (sel.since.month, sel.since.day, sel.until.month, sel.until.day) == (1, 1, 12, 31):
        period = (f"ontvangen in {sel.since.year}" if nl else f"received in {sel.since.year}") if (
            sel.since.year == sel.until.year) else ""  # fmt: skip
    else:
        period = ""
    if not period and sel.since and sel.until:
        a, b = (
            when(datetime.combine(d, datetime.min.time()), _UTC, language, time=False) for d in (sel.since, sel.until)
        )
        period = f"ontvangen van {a} tot en met {b}" if nl else f"received from {a} to {b} inclusive"
    if not period:
        period = "alle meldingen" if nl else "all cases"
    if sel.status:
        period += ", nog open" if nl else ", still open"
    return period


def _date(day: date, language: str) -> str:
    return when(datetime.combine(day, datetime.min.time()), _UTC, language, time=False)


def _filename(request: Request, language: str) -> str:
    sel = request.selection
    name = "datalekregister" if language == "nl" else "breach-register"
    if sel.since and sel.until:
        whole_year = (sel.since.month, sel.since.day, sel.until.month, sel.until.day) == (1, 1, 12, 31)
        name += f"-{sel.since.year}" if whole_year and sel.since.year == sel.until.year else f"-{sel.since}-{sel.until}"
    if sel.status:
        name += "-open"
    return f"{name}.{request.fmt}"


def answers_officer_mail(s: Session, parsed: ParsedMessage) -> bool:
    """Does the mail answer a mail the bot sent to this very officer (about any case, or none)?"""
    ids = list(parsed.thread_ids)
    if not ids:
        return False
    return s.exec(select(Outbox.id).where(
        col(Outbox.message_id).in_(ids), Outbox.recipient == parsed.from_address,
        col(Outbox.kind).startswith("officer_"))).first() is not None  # fmt: skip


def answer(
    svc: Services, s: Session, m: InboundMessage, parsed: ParsedMessage, request: tuple[str, str], now: datetime
) -> None:
    """Send the officer the register or the overview asked for, or say why not and what to do
    instead."""
    from mailbot.pipeline.conversation import _answer as reply
    from mailbot.pipeline.conversation import bare_subject, stale_command

    settings = svc.settings
    lang = settings.language
    kind, options = request
    overview = kind == "overview"
    trusted = settings.trusted_authserv_id
    authenticated = bool(trusted) and sender_authenticated(parsed, trusted)
    m.sender_role = "officer"
    wanted = read_options(options)
    why_not = ""
    if not (answers_officer_mail(s, parsed) or authenticated):
        why_not = "reply"
    elif stale := stale_command(parsed, m.arrived_at):
        why_not = stale[0] if lang == "nl" else stale[1]
    elif trusted and not authenticated:
        why_not = svc.renderer.say(
            lang, f"DKIM/DMARC niet geslaagd volgens {trusted}", f"DKIM/DMARC did not pass according to {trusted}"
        )
    context: dict[str, object] = {
        "original_subject": bare_subject(parsed.subject, settings.kenmerk_prefix), "overview": overview,
        "why_not": why_not, "unknown": "", "count": 0, "period": "", "fmt": "", "lines": [],
    }  # fmt: skip
    attachments: tuple[Attachment, ...] = ()
    if why_not:
        if outbox.auto_replies_last_hour(s, parsed.from_address, now) >= settings.max_replies_per_hour:
            m.reason = f"{kind} asked for, refused ({why_not}); no answer: reply cap reached"
            return
        m.reason = f"{kind} asked for, refused: {why_not}"
    elif isinstance(wanted, str) or (overview and wanted.fmt != "xlsx"):
        context["unknown"] = wanted if isinstance(wanted, str) else wanted.fmt
        m.reason = f"{kind} asked for with an option not understood: {context['unknown']}"
    else:
        # Each mailbox's officers see its cases only: P&O's officer gets P&O's register.
        own = tuple(mb.name for mb in settings.mailboxes if parsed.from_address in mb.officers)
        wanted = Request(replace(wanted.selection, mailboxes=own), wanted.fmt)
        if overview:
            wanted = Request(_last_year(wanted.selection, now, settings.timezone), wanted.fmt)
            count, attachments, lines = make_overview(svc, wanted.selection, now, lang)
            context["lines"] = lines
        else:
            count, attachments = _register(svc, wanted, now, lang)
        context |= {"count": count, "period": describe(wanted, lang), "fmt": wanted.fmt}
        cases.add_event(
            s, now, f"{kind}_sent", None, actor=parsed.from_address, message_id=m.id,
            cases=count, period=describe(wanted, "en"), format=wanted.fmt,
        )  # fmt: skip
        m.reason = f"{kind} sent to {parsed.from_address}: {count} case(s)"
    r = svc.renderer.render(lang, "officer_register", **context)
    mb = settings.mailbox_named(m.mailbox)
    reply(svc, s, m, parsed, mb, f"officer_{kind}", r, None, now, auto_reply=bool(why_not), attachments=attachments)


def _register(svc: Services, wanted: Request, now: datetime, lang: str) -> tuple[int, tuple[Attachment, ...]]:
    out = io.BytesIO()
    count = export(
        svc.engine, wanted.fmt, out, selection=wanted.selection, tz=svc.settings.timezone, now=now,
        language=lang, renderer=svc.renderer, title="",
    )  # fmt: skip
    return count, (Attachment(_filename(wanted, lang), FORMATS[wanted.fmt], out.getvalue()),)


def _last_year(selection: Selection, now: datetime, tz: ZoneInfo) -> Selection:
    """The overview's period: the one asked for, else the last twelve months up to today."""
    if selection.since and selection.until:
        return selection
    today = now.astimezone(tz).date()
    year, month = (today.year, today.month - 11) if today.month == 12 else (today.year - 1, today.month + 1)
    return replace(selection, since=date(year, month, 1), until=today)


def make_overview(
    svc: Services, selection: Selection, now: datetime, lang: str
) -> tuple[int, tuple[Attachment, ...], list[str]]:
    """The overview of the selected cases (and of the cases of its mailboxes open now): how many,
    the charts as inline PNG attachments, and the figures in lines of text."""
    tz = svc.settings.timezone
    assert selection.since and selection.until
    open_now = cases_in(svc.engine, Selection(status="open", mailboxes=selection.mailboxes), tz)
    fig = figures(cases_in(svc.engine, selection, tz), selection.since, selection.until, now, tz, open_now)
    images = tuple(Attachment(name, "image/png", png, inline=True) for name, png in charts(fig, lang))
    return fig.total, images, text(fig, lang)


def written_part(parsed: ParsedMessage) -> str:
    return split_reply(parsed.text).written


# Read-only: fine whatever the state of the case the officer replied about.
COMMANDS = (Command("register", WORDS, run, on_closed=True),)
