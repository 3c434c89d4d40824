"""How well the questionnaire's answers are read from replies as people write them.

Reads every ``tests/data/replies/*.eml`` with the product's own parser and extractor (the
mail's Date as the reference, Europe/Amsterdam) and sets what it read against the fields the
sidecar ``.json`` says the reply carries. Per field: how many replies carry a value, how many
were read right, how many were filled with a **wrong** value (also a field filled that the
reply does not carry), and how many were not placed (left for the officer). Text answers
count as right when they match apart from spacing, case and closing punctuation.

Run: ``.venv/bin/python -m bench.replies`` (``--show`` lists every miss).
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mailbot.core.answers import FIELDS, extract_answers
from mailbot.core.parse import parse_message

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "replies"
TZ = ZoneInfo("Europe/Amsterdam")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".").casefold()


def same_answer(expected: Any, got: Any) -> bool:
    """Text answers match apart from spacing, case and a closing full stop; others exactly."""
    if isinstance(expected, str) and isinstance(got, str):
        return _norm(expected) == _norm(got)
    return bool(expected == got)


@dataclass
class Score:
    carried: int = 0
    right: int = 0
    wrong: int = 0
    misses: list[str] = field(default_factory=list)


def score(corpus: Path = CORPUS) -> dict[str, Score]:
    scores = {name: Score() for name in FIELDS}
    for eml in sorted(corpus.glob("*.eml")):
        parsed = parse_message(eml.read_bytes())
        expected: dict[str, Any] = json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))
        got = extract_answers(parsed.text, parsed.date or datetime.now(UTC), TZ).answers
        for name in FIELDS:
            s = scores[name]
            if name in expected:
                s.carried += 1
            if name in got and not same_answer(expected.get(name), got[name]):
                s.wrong += 1
                s.misses.append(f"WRONG {eml.stem}: {name} = {got[name]!r}, expected {expected.get(name)!r}")
            elif name in expected and name in got:
                s.right += 1
            elif name in expected:
                s.misses.append(f"not placed {eml.stem}: {name}, expected {expected[name]!r}")
    return scores


def table(scores: dict[str, Score]) -> str:
    rows = ["| field | replies with a value | read right | wrong value | not placed |", "|---|---:|---:|---:|---:|"]
    for name, s in scores.items():
        rows.append(
            f"| {name} | {s.carried} | {s.right} | {s.wrong} | {s.carried - s.right - min(s.wrong, s.carried)} |"
        )
    carried = sum(s.carried for s in scores.values())
    right = sum(s.right for s in scores.values())
    wrong = sum(s.wrong for s in scores.values())
    rows.append(f"| **all** | {carried} | {right} ({100 * right / max(carried, 1):.1f}%) | {wrong} | "
                f"{carried - right - min(wrong, carried)} |")  # fmt: skip
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show", action="store_true", help="list every field not read right")
    args = ap.parse_args()
    scores = score()
    print(f"{len(list(CORPUS.glob('*.eml')))} replies in {CORPUS}")
    print(table(scores))
    if args.show:
        for s in scores.values():
            for miss in s.misses:
                print(miss)


if __name__ == "__main__":
    main()
