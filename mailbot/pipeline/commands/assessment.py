"""The decision model's assessment fields (the protocol's *Kwalificeren*), from which the
ENISA severity and a suggested tier are computed (severity.py). A value severity.py cannot
read is refused with what to write instead; the reply ends with the suggestion as a table."""

from __future__ import annotations

import json

from mailbot.core.answers import parse_count
from mailbot.core.severity import EI_VALUES, assess, check, table
from mailbot.model import cases
from mailbot.pipeline.commands import Command, Context, Outcome, normalise_word
from mailbot.register.entry import count_text

FIELDS = {
    "categorieën": "categories", "categorieen": "categories", "categories": "categories",
    "soort persoonsgegevens": "categories", "data categories": "categories",
    "dpc": "dpc",
    "identificeerbaarheid": "identifiability", "identifiability": "identifiability",
    "ease of identification": "identifiability",
    "vertrouwelijkheid": "confidentiality", "confidentiality": "confidentiality",
    "integriteit": "integrity", "integrity": "integrity",
    "beschikbaarheid": "availability", "availability": "availability",
    "versleuteld": "encrypted", "encrypted": "encrypted", "onbegrijpelijk": "encrypted",
    "kwade opzet": "malicious", "malicious intent": "malicious", "malicious": "malicious",
    "andere eu-landen": "other_eu", "andere eu landen": "other_eu", "other eu countries": "other_eu",
    "gevolgen": "consequences", "consequences": "consequences",
    "maatregelen": "measures", "measures": "measures",
    "aard": "nature", "soort datalek": "nature", "nature": "nature",
    "verwerker": "processor", "processor": "processor",
    "samenvatting": "summary", "summary": "summary",
    "aantal records": "records", "records": "records", "number of records": "records",
    "andere toezichthouder": "other_regulator", "other regulator": "other_regulator",
    "nog gaande": "ongoing", "duurt nog voort": "ongoing", "ongoing": "ongoing", "still ongoing": "ongoing",
    "back-up": "backup", "backup": "backup",
    "hersteltijd": "restore_time", "hersteld binnen": "restore_time", "restore time": "restore_time",
    "restored within": "restore_time",
    "exfiltratie": "exfiltration", "exfiltration": "exfiltration",
    "verwijdering bevestigd": "deletion_confirmed", "deletion confirmed": "deletion_confirmed",
}  # fmt: skip
# The suggestion's table opens with this; one table per reply, after the last assessment command.
TABLE_START = ("Voorstel", "Suggestion")
WORDS = tuple(FIELDS)


def run(ctx: Context, word: str, value: str) -> Outcome:
    key = FIELDS[normalise_word(word)]
    if not value:
        return Outcome(word, False, ctx.say(f"geen waarde voor {word}", f"no value for {word}"))
    if key == "dpc":
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = 0.0
        if not 1 <= number <= 4:
            return Outcome(word, False, ctx.say("DPC is een getal van 1 tot 4", "DPC is a number from 1 to 4"))
        value = f"{number:g}"
    if key == "records":
        count = parse_count(value)
        if count is None:
            return Outcome(word, False, ctx.say("geef een aantal, bijvoorbeeld 250 of 200-300",
                                                "give a number, for example 250 or 200-300"))  # fmt: skip
        value = count_text(count)
    if key == "identifiability" and value.strip().lower() not in EI_VALUES:
        return Outcome(
            word,
            False,
            ctx.say(
                "kies verwaarloosbaar, beperkt, aanzienlijk of maximaal",
                "choose negligible, limited, significant or maximum",
            ),
        )
    problem = check(key, value)
    if problem is not None:
        return Outcome(word, False, ctx.say(*problem))
    current = cases.answers_of_assessment(ctx.case)
    old = current.get(key)
    current[key] = value
    ctx.case.assessment = json.dumps(current, ensure_ascii=False, sort_keys=True)
    ctx.record(
        "assessment_changed",
        field=key,
        old=old,
        new=value,
    )
    severity = assess(current, cases.answers_of(ctx.case))
    ctx.extra[:] = [e for e in ctx.extra if not e.startswith(TABLE_START)]
    ctx.extra.append(table(severity, ctx.language))
    return Outcome(word, True, value)


COMMANDS = (Command("assessment", WORDS, run),)
