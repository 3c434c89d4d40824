"""Officer commands by reply: ``Veld: waarde`` lines at the top of a reply to the bot.

One module per command, each with the words it answers to (Dutch and English) and a ``run``
that changes the case and says what it did. :func:`execute` reads the command block, runs
every command in order, and returns every outcome, for one reply to the officer. Unknown
words and bad values are answered, never silently ignored.

The command block is at the top: the first paragraph of the written part (quote stripped;
after a one-line greeting), and any later paragraph that holds a case command (Status, …).
A line without a command word continues the command above it, up to the next empty line. A
line shaped like a command with a word no command knows (``Intern: …``, a mistyped
``Notitite: …``) is never taken as part of the text above it: it ends that text and is
refused, with the lines under it, so nothing the officer meant for the file reaches a
reporter. A later paragraph with only answer labels or other words (a signature with
``Tel: …``) is not read.

Order does not matter: a command that goes with another (``Reden:``, ``Besluit door:``,
``Kanaal:``) finds it above or below, and a ``Reden:`` belongs to the decision above it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from mailbot.core.compose import Attachment
from mailbot.core.parse import ParsedMessage
from mailbot.core.phases import CLOSED
from mailbot.model import cases
from mailbot.model.models import Case, InboundMessage
from mailbot.model.services import Services

_LINE = re.compile(r"^\s*\**([^\W\d_][\w '’/-]{0,40}?)\**\s*:\s*(.*)$")
_GREETING = re.compile(r"^(hoi|hallo|beste|dag|goedemorgen|goedemiddag|goedenavond|hi|hello|dear)\b", re.IGNORECASE)
_HELP_LINE = re.compile(r"^\s*(help|hulp|\?)\s*[.!]?\s*$", re.IGNORECASE)
_ACTION_LINE = re.compile(
    r"^\s*(ap[- ]concept|concept ap|ap[- ]draft|bevestig melder|confirm reporter|overnemen|accept"
    r"|brief (?:aan )?betrokkenen|letter to (?:data )?subjects|publieke mededeling|openbare mededeling"
    r"|public statement)\s*:?\s*[.!]?\s*$",
    re.IGNORECASE,
)


YES = ("ja", "yes", "j", "y")
NO = ("nee", "no", "n")


@dataclass(frozen=True)
class Outcome:
    command: str
    ok: bool
    text: str
    items: tuple[str, ...] = ()  # what the protocol still needs (keys the templates word)
    quoted: str = ""  # the text exactly as it went to the reporter
    # What the officer who sent the command is asked to do next ("; stuur het besluit opnieuw
    # met 'Reden: …'"): in their receipt after the text, not in the other officers' notice.
    todo: str = ""


@dataclass
class Context:
    svc: Services
    s: Session
    case: Case
    officer: str
    message: InboundMessage
    parsed: ParsedMessage
    now: datetime
    lines: list[tuple[str, str]] = field(default_factory=list)  # every (word, value) in the block
    consumed: dict[int, str] = field(default_factory=dict)  # line index → the command that used it
    reasons: dict[int, str] = field(default_factory=dict)  # decision's line index → its Reden
    index: int = -1  # the line of the command running now
    extra: list[str] = field(default_factory=list)  # longer texts for the reply, below the outcomes
    files: list[Attachment] = field(default_factory=list)  # documents attached to the reply

    @property
    def language(self) -> str:
        return self.svc.settings.language

    def say(self, nl: str, en: str) -> str:
        return nl if self.language == "nl" else en

    def record(self, kind: str, **detail: Any) -> None:
        """Save the case and record the change as an event caused by this officer's mail."""
        self.s.add(self.case)
        cases.add_event(self.s, self.now, kind, self.case.id, actor=self.officer, message_id=self.message.id, **detail)

    def value_of(self, *words: str) -> str:
        """The value of a line that goes with the command running now (``Besluit door:``),
        wherever it stands in the block; the line is then used up."""
        for index, (word, value) in enumerate(self.lines):
            if normalise_word(word) in words and index not in self.consumed:
                self.consumed[index] = self.lines[self.index][0] if self.index >= 0 else ""
                return value.strip()
        return ""

    def reason(self) -> str:
        """The ``Reden:`` that belongs to the decision running now ("" when none does)."""
        return self.reasons.get(self.index, "")


def normalise_word(word: str) -> str:
    """``  Melden   AP`` → ``melden ap``: how a command's word is compared, everywhere."""
    return re.sub(r"\s+", " ", word.strip().strip("*").lower())


Runner = Callable[[Context, str, str], Outcome]
# The order commands run in (their outcomes are listed in the order of the lines): a case is
# reopened before anything else changes it, closed after everything else, and a line that goes
# with another command runs on its own only when that command is absent.
FIRST, NORMAL, LAST, COMPANION = 0, 1, 2, 3


class Who(StrEnum):
    """Who may give a command."""

    OFFICER = "officer"  # an authorised officer of the mailbox (conversation.py decides)
    ANYONE = "anyone"  # an answer to the questionnaire: the reporter gives it too


@dataclass(frozen=True)
class Command:
    """One e-mail command: the words it answers to (Dutch and English), who may give it, and
    ``run``, which changes the case and says what it did. A module may hold several (one per
    word group: ``Melden AP:``, ``AP-meldnummer:``, ...), each with its own ``run``."""

    name: str
    words: tuple[str, ...]
    run: Runner
    who: Who = Who.OFFICER
    takes_reason: bool = False  # a decision: the ``Reden:`` line below it is its reason
    decision: bool = False  # the other officers of the mailbox are told of it
    closes: bool = False  # a decision when it closes the case (``Status: gearchiveerd``)
    on_closed: bool = False  # may run on a closed case (read-only, internal, or reopening)
    order: Callable[[str], int] | int = NORMAL  # when it runs, given its value
    also: Callable[[str], bool] | None = None  # words beyond ``words`` (an answer's label)
    help: bool = False  # asks for the command list; run never called

    def matches(self, word: str) -> bool:
        """``word`` normalised (:func:`normalise_word`)."""
        return word in self.words or (self.also is not None and self.also(word))

    def order_of(self, value: str) -> int:
        return self.order(value) if callable(self.order) else self.order


def _registry() -> list[Command]:
    from mailbot.pipeline.commands import (
        accept,
        ap,
        apconcept,
        assessment,
        aware,
        board,
        colleague,
        confirm,
        fields,
        handler,
        help,
        kind,
        letter,
        note,
        question,
        reason,
        register,
        status,
        subjects,
        tell,
    )

    # Order matters where words overlap: specific commands before the answer fields.
    modules = [
        status, question, tell, aware, note, handler, colleague, ap, apconcept, subjects, board, assessment, reason,
        confirm, accept, register, kind, letter, help, fields,
    ]  # fmt: skip
    return [command for module in modules for command in module.COMMANDS]


def find(word: str) -> Command | None:
    w = normalise_word(word)
    return next((command for command in _registry() if command.matches(w)), None)


@dataclass(frozen=True)
class Block:
    commands: list[tuple[str, str]]
    unknown: list[str]


REASON = ("reden", "reason")
_NOT_A_WORD = re.compile(r"^(https?|mailto|ftp|www)$", re.IGNORECASE)


def _looks_like_command(match: re.Match[str]) -> bool:
    """``Intern: …`` or ``Let op: …`` in the middle of a message reads as a command; a URL or
    ``morgen om 10:30`` does not."""
    word = match[1].strip()
    return (
        len(word.split()) <= 3 and not word[-1].isdigit() and not _NOT_A_WORD.match(word)
        and not match[2].startswith("//")
    )  # fmt: skip


def _is_greeting(lines: list[str]) -> bool:
    """``Hoi Piet,``: one short line that opens like a greeting."""
    if len(lines) != 1 or len(lines[0].split()) > 5 or _LINE.match(lines[0]):
        return False
    line = lines[0].strip()
    return line.endswith(",") or bool(_GREETING.match(line))


def read_block(written: str) -> Block:
    commands: list[tuple[str, str]] = []
    unknown: list[str] = []
    paragraphs = [p.split("\n") for p in re.split(r"\n\s*\n", written.strip()) if p.strip()]
    if paragraphs and _is_greeting(paragraphs[0]):
        paragraphs = paragraphs[1:]
    for index, lines in enumerate(paragraphs):
        shaped = [(_LINE.match(line) or _ACTION_LINE.match(line), _HELP_LINE.match(line)) for line in lines]
        if index == 0:
            # The top paragraph: anything shaped like a command is read, so typos are answered.
            if not any(h or m for m, h in shaped):
                continue
        elif not any(h or (m and is_command(m[1])) for m, h in shaped):
            # Further down only a case command counts: "Tel: …" in a signature is no answer field.
            continue
        current: int | None = None
        for line, (m, h) in zip(lines, shaped, strict=True):
            if h:
                commands.append(("help", ""))
                current = None
            elif m and find(m[1]):
                commands.append((m[1], m[2] if m.re is _LINE else ""))
                current = len(commands) - 1
            elif m and (current is None or (m.re is _LINE and _looks_like_command(m))):
                # Unknown: refused, and the lines under it go with it, not with the command above.
                unknown.append(m[1].strip())
                current = -1
            elif current is not None and current >= 0:
                word, value = commands[current]
                commands[current] = (word, f"{value}\n{line.strip()}".strip())
    return Block(commands, unknown)


def _all_words() -> list[str]:
    return [w for command in _registry() for w in command.words]


def _unknown(ctx: Context, word: str) -> Outcome:
    """An unknown ``Woord:`` line: refused, its text sent nowhere, the likely command named."""
    near = difflib.get_close_matches(normalise_word(word), _all_words(), n=1, cutoff=0.75)
    hint_nl = f"; bedoelde u '{near[0].capitalize()}:'?" if near else ""
    hint_en = f"; did you mean '{near[0].capitalize()}:'?" if near else ""
    return Outcome(
        word,
        False,
        ctx.say(
            f"'{word}:' is geen bekend commando; deze regel (en wat eronder staat) is niet uitgevoerd en naar "
            f"niemand gestuurd{hint_nl}",
            f"'{word}:' is not a known command; this line (and what follows it) was not run and sent to no one"
            f"{hint_en}",
        ),
    )


def _place_reasons(lines: list[tuple[str, str]]) -> tuple[dict[int, int], list[int]]:
    """Which decision each ``Reden:`` belongs to: the nearest one above it that has no reason
    yet, or, with none above, the only decision in the block. Returns reason line → decision
    line, and the reasons that belong nowhere."""
    decisions = [i for i, (word, _) in enumerate(lines) if _takes_reason(word)]
    placed: dict[int, int] = {}
    unplaced: list[int] = []
    for i, (word, _) in enumerate(lines):
        if normalise_word(word) not in REASON:
            continue
        above = [d for d in decisions if d < i]
        owner = above[-1] if above else (decisions[0] if len(decisions) == 1 else None)
        if owner is None or owner in placed.values():
            unplaced.append(i)
        else:
            placed[i] = owner
    return placed, unplaced


def _takes_reason(word: str) -> bool:
    command = find(word)
    return command is not None and command.takes_reason


def execute(ctx: Context, written: str) -> tuple[list[Outcome], bool]:
    """Run every command in the block. Returns the outcomes, one for every line in the order
    of the lines, and whether help was asked for."""
    block = read_block(written)
    ctx.lines = block.commands
    outcomes: list[Outcome] = [_unknown(ctx, word) for word in block.unknown]
    wants_help = bool(block.unknown)
    placed, unplaced = _place_reasons(ctx.lines)
    for reason_line, decision in placed.items():
        ctx.reasons[decision] = ctx.lines[reason_line][1].strip()
        ctx.consumed[reason_line] = ctx.lines[decision][0]
    runs: list[tuple[int, int, Command]] = []
    for index, (word, value) in enumerate(ctx.lines):
        command = find(word)
        if command is None:
            continue
        if command.help:
            wants_help = True
            continue
        runs.append((command.order_of(value), index, command))
    done: dict[int, Outcome] = {}
    for _, index, command in sorted(runs, key=lambda r: (r[0], r[1])):
        word, value = ctx.lines[index]
        if index in ctx.consumed:
            continue
        ctx.index = index
        if index in unplaced:
            done[index] = command.run(ctx, word, value.strip())
        elif ctx.case.status in CLOSED and not command.on_closed:
            done[index] = _closed(ctx, word)
        else:
            done[index] = command.run(ctx, word, value.strip())
    ctx.index = -1
    for index, owner in ctx.consumed.items():
        word = ctx.lines[index][0]
        done[index] = Outcome(word, True, ctx.say(f"hoort bij '{owner}:'", f"goes with '{owner}:'"))
    outcomes += [done[i] for i in sorted(done)]
    return outcomes, wants_help


def _closed(ctx: Context, word: str) -> Outcome:
    return Outcome(
        word,
        False,
        ctx.say(
            f"de melding is gesloten ({ctx.case.status}) en verandert niet meer; heropen haar eerst "
            "met 'Status: herstellen' (of een andere fase)",
            f"the case is closed ({ctx.case.status}) and no longer changes; reopen it first with "
            "'Status: herstellen' (or another phase)",
        ),
    )


def is_decision(word: str, case: Case) -> bool:
    """A decision the other officers of the mailbox hear of: the AP notified or not, the
    people informed, the FG's advice, the board's decision, or the case closed."""
    command = find(word)
    if command is None:
        return False
    return command.decision or (command.closes and case.status in CLOSED)


def is_command_line(line: str) -> bool:
    """``Notitie: …``: a line that starts with a command's word."""
    m = _LINE.match(line) or _ACTION_LINE.match(line)
    return m is not None and find(m[1]) is not None


def is_command(word: str) -> bool:
    """A word of an officer-only command (not an answer field): used to spot attempts by others."""
    command = find(word)
    return command is not None and command.who is Who.OFFICER and not command.help
