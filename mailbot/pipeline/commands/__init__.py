"""Officer commands by reply: ``Veld: waarde`` lines at the top of a reply to the bot.

One module per command, each with the words it answers to (Dutch and English) and a ``run``
that changes the case and says what it did. :func:`execute` reads the command block, runs
every command in order, and returns every outcome, for one reply to the officer. Unknown
words and bad values are answered, never silently ignored.

The command block is at the top: the first paragraph of the written part (quote stripped;
after a one-line greeting), and any later paragraph that holds a case command (Status, …).
A line without a command word continues the command above it. A later paragraph with only
answer labels or other words (a signature with ``Tel: …``) is not read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any

from sqlmodel import Session

from mailbot.core.parse import ParsedMessage
from mailbot.model import cases
from mailbot.model.models import Case, InboundMessage
from mailbot.model.services import Services

_LINE = re.compile(r"^\s*\**([^\W\d_][\w '’/-]{0,40}?)\**\s*:\s*(.*)$")
_GREETING = re.compile(r"^(hoi|hallo|beste|dag|goedemorgen|goedemiddag|goedenavond|hi|hello|dear)\b", re.IGNORECASE)
_HELP_LINE = re.compile(r"^\s*(help|hulp|\?)\s*[.!]?\s*$", re.IGNORECASE)
_ACTION_LINE = re.compile(
    r"^\s*(ap[- ]concept|concept ap|ap[- ]draft|bevestig melder|confirm reporter|overnemen|accept)\s*:?\s*[.!]?\s*$",
    re.IGNORECASE,
)


YES = ("ja", "yes", "j", "y")
NO = ("nee", "no", "n")


@dataclass(frozen=True)
class Outcome:
    command: str
    ok: bool
    text: str


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
    consumed: set[str] = field(default_factory=set)  # words another command has used (e.g. Reden)
    extra: list[str] = field(default_factory=list)  # longer texts for the reply, below the outcomes

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
        for word, value in self.lines:
            if normalise_word(word) in words:
                self.consumed.add(normalise_word(word))
                return value.strip()
        return ""


def normalise_word(word: str) -> str:
    return re.sub(r"\s+", " ", word.strip().strip("*").lower())


def _registry() -> list[ModuleType]:
    from mailbot.pipeline.commands import (
        accept,
        ap,
        apconcept,
        assessment,
        aware,
        board,
        confirm,
        fields,
        handler,
        help,
        note,
        question,
        reason,
        status,
        subjects,
        tell,
    )

    # Order matters where words overlap: specific commands before the answer fields.
    return [
        status, question, tell, aware, note, handler, ap, apconcept, subjects, board, assessment, reason, confirm,
        accept, help, fields,
    ]  # fmt: skip


def find(word: str) -> ModuleType | None:
    w = normalise_word(word)
    for module in _registry():
        matches: Callable[[str], bool] | None = getattr(module, "matches", None)
        if w in getattr(module, "WORDS", ()) or (matches is not None and matches(w)):
            return module
    return None


@dataclass(frozen=True)
class Block:
    commands: list[tuple[str, str]]
    unknown: list[str]


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
            elif m and current is None:
                unknown.append(m[1].strip())
            elif current is not None:
                word, value = commands[current]
                commands[current] = (word, f"{value}\n{line.strip()}".strip())
    return Block(commands, unknown)


def execute(ctx: Context, written: str) -> tuple[list[Outcome], bool]:
    """Run every command in the block. Returns the outcomes and whether help was asked for."""
    block = read_block(written)
    ctx.lines = block.commands
    outcomes: list[Outcome] = []
    wants_help = False
    for word in block.unknown:
        outcomes.append(Outcome(word, False, ctx.say(f"onbekend commando '{word}'", f"unknown command '{word}'")))
        wants_help = True
    for word, value in block.commands:
        module = find(word)
        if module is None:
            continue
        if module.__name__.endswith(".help"):
            wants_help = True
            continue
        if normalise_word(word) in ctx.consumed:
            continue
        outcome: Outcome = module.run(ctx, word, value.strip())
        outcomes.append(outcome)
    return outcomes, wants_help


def is_command(word: str) -> bool:
    """A word of an officer-only command (not an answer field): used to spot attempts by others."""
    module = find(word)
    return module is not None and not module.__name__.endswith((".fields", ".help"))
