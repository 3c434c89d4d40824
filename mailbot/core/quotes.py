"""Separate what someone wrote in a reply from what they quoted.

Pure text in, text out. Mail programs mark the start of the quoted original differently:
Gmail ("Op … schreef …:", "On … wrote:"), Apple Mail ("Op … heeft … het volgende
geschreven:"), Outlook (a "Van:/Verzonden:/Aan:/Onderwerp:" or "From:/Sent:" block, often
after a line of underscores), "-----Oorspronkelijk bericht-----", or plain ``>`` lines.
Mobile signatures ("Verstuurd vanaf mijn iPhone") end what was written. No library handles
the Dutch layouts (measured: the best got 6 of 10), so the rules live here, one per layout.
The full body is always kept elsewhere; this only decides what drives fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATTRIBUTION = [
    re.compile(r"^\s*Op\s.{4,200}?\bschreef\b.{0,200}:\s*$", re.IGNORECASE),  # Gmail NL
    re.compile(r"^\s*Op\s.{4,200}?\bheeft\b.{0,200}\bhet volgende geschreven\s*:\s*$", re.IGNORECASE),  # Apple NL
    re.compile(r"^\s*On\s.{4,200}?\bwrote\s*:\s*$", re.IGNORECASE),  # Gmail / Apple EN
    re.compile(r"^\s*Le\s.{4,200}?\ba écrit\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Am\s.{4,200}?\bschrieb\b.{0,200}:\s*$", re.IGNORECASE),
]
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(Oorspronkelijk bericht|Original Message|Doorgestuurd bericht|Forwarded message)\s*-{2,}"
    r"|Begin doorgestuurd bericht:|Begin forwarded message:|_{10,})\s*$",
    re.IGNORECASE,
)
_HEADER_BLOCK_START = re.compile(r"^\s*\*?(Van|From)\s*:\*?\s+\S", re.IGNORECASE)
_HEADER_BLOCK_NEXT = re.compile(r"^\s*\*?(Verzonden|Sent|Datum|Date|Aan|To|Onderwerp|Subject|CC)\s*:\*?", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"^\s*(-- ?|Verstuurd vanaf mijn \w+.*|Verzonden vanaf mijn \w+.*|Verzonden met .*|Sent from my \w+.*"
    r"|Verzonden vanuit Outlook.*|Get Outlook for \w+.*|Outlook voor (iOS|Android) downloaden.*)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reply:
    written: str
    quoted: str

    @property
    def has_quote(self) -> bool:
        return bool(self.quoted.strip())


def is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def unquote(line: str) -> str:
    return re.sub(r"^\s*(>\s?)+", "", line)


def _attribution_at(lines: list[str], i: int) -> bool:
    """An attribution line, also when the mail program wrapped it over two or three lines."""
    for span in (1, 2, 3):
        joined = " ".join(part.strip() for part in lines[i : i + span])
        if any(p.match(joined) for p in _ATTRIBUTION):
            return True
    return False


def _header_block_at(lines: list[str], i: int) -> bool:
    if not _HEADER_BLOCK_START.match(lines[i]):
        return False
    following = [line for line in lines[i + 1 : i + 5] if line.strip()]
    return sum(1 for line in following if _HEADER_BLOCK_NEXT.match(line)) >= 2


def quote_start(lines: list[str]) -> int:
    """Index of the first line of the quoted original (len(lines) when there is none)."""
    for i, line in enumerate(lines):
        if is_quoted(line) or _SEPARATOR.match(line) or _attribution_at(lines, i) or _header_block_at(lines, i):
            return i
    return len(lines)


def first_quote(lines: list[str], start: int) -> list[str]:
    """The quoted original that starts at ``start``, up to an older one quoted inside it (an
    Outlook reply quoting a reply): what was typed inside the older one is not this reply's."""
    j = start
    while j < len(lines) and (
        not lines[j].strip() or _SEPARATOR.match(lines[j]) or _HEADER_BLOCK_START.match(lines[j])
        or _HEADER_BLOCK_NEXT.match(lines[j]) or is_quoted(lines[j]) or _attribution_at(lines, j)
    ):  # fmt: skip
        j += 1
    if any(is_quoted(line) for line in lines[j:]):
        return lines[start:]
    return lines[start : j + quote_start(lines[j:])]


def signature_at(lines: list[str]) -> int | None:
    """Index of a mobile signature or ``-- `` line, which ends what was written."""
    return next((i for i, line in enumerate(lines) if _SIGNATURE.match(line)), None)


def split_reply(text: str) -> Reply:
    lines = text.replace("\r\n", "\n").split("\n")
    start = quote_start(lines)
    written = lines[:start]
    if (end := signature_at(written)) is not None:
        written = written[:end]
    return Reply("\n".join(written).strip(), "\n".join(lines[start:]).strip())
