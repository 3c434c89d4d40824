"""Which language to answer a reporter in: Dutch or English, from their own mail."""

from __future__ import annotations

import re

_DUTCH = {"de", "het", "een", "en", "van", "is", "ik", "niet", "dat", "met", "op", "naar", "zijn", "heb", "er",
          "voor", "bij", "wij", "we", "mijn", "ook", "maar", "om", "aan", "gegevens", "melding"}  # fmt: skip
_ENGLISH = {"the", "a", "an", "and", "of", "is", "i", "not", "that", "with", "on", "to", "are", "have", "was",
            "for", "at", "we", "my", "also", "but", "it", "data", "report", "this", "sent"}  # fmt: skip


def guess_language(text: str, content_language: str, default: str) -> str:
    """``en`` when the mail says so or is clearly English, ``nl`` when clearly Dutch, else the default."""
    declared = content_language.strip().lower()[:2]
    if declared in ("nl", "en"):
        return declared
    words = re.findall(r"[a-zà-ÿ]+", text.lower()[:4000])
    nl = sum(w in _DUTCH for w in words)
    en = sum(w in _ENGLISH for w in words)
    if en >= 3 and en > 2 * nl:
        return "en"
    if nl >= 3 and nl > 2 * en:
        return "nl"
    return default
