"""The reporter's answers to the questionnaire, read from a reply (or from the report itself).

Pure. People answer in every way a mail program allows, all understood:

- numbered like the questions, in any style (``1.``, ``2)``, ``Ad 3.``, ``Vraag 4:``, ``5-``,
  ``(6)``, and ``7 `` without a dot as the iPhone leaves it);
- labelled (``Aantal betrokkenen: 25``, ``Tel.: …``, ``Soort persoonsgegevens - …``), labels
  matched with a little tolerance for how people spell them (rapidfuzz);
- typed under the questions inside the quote: Gmail and Apple Mail (``>`` lines, Gmail's empty
  ``>`` after each question), Outlook (no ``>``: the quote starts at its ``Van:/Verzonden:``
  block, and HTML-only replies arrive here as text);
- in prose on top: "Het ging om ongeveer 40 huurders, namen en adressen, gisteren rond drie uur".

Counts become a number or a min–max range (number words read by text2num); moments are read in
the organisation's time zone against the mail's date; "weet ik niet", "onbekend", "n.v.t." are
the answer :data:`UNKNOWN`. A later "45, niet 40" corrects. An answer that cannot be read with
certainty is never put in a field: it goes to :attr:`Extraction.unsure` (shown to the officer
as not placed), and what fits no question is returned as free text, never dropped.

Every scan here is linear in the length of the mail: one pass over the lines, regular
expressions without nested repetition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from mailbot.core.dates import MONTHS, WEEKDAYS, number_words, parse_when
from mailbot.core.questionnaire import PROCESSOR_ASKS, PROCESSOR_CONTACT, PROCESSOR_QUESTIONS, QUESTIONS, Question
from mailbot.core.quotes import first_quote, is_quoted, quote_start, signature_at, unquote
from mailbot.core.wording import day, number

FIELDS = tuple(q.field for q in PROCESSOR_ASKS)
SINGLE_LINE = ("affected_count", "occurred_at", "processor_aware_at")
MOMENTS = ("occurred_at", "processor_aware_at")
# Asked of a processor only: from anyone else such an answer goes to the officer as not placed.
PROCESSOR_ONLY = frozenset(q.field for q in PROCESSOR_QUESTIONS)
# Every question a reporter or a processor is asked, each wording once.
_ALL_QUESTIONS = (*QUESTIONS, PROCESSOR_CONTACT, *PROCESSOR_QUESTIONS)
UNKNOWN = "onbekend"

# Labels people use, Dutch and English, lower case; the question texts count as labels too.
LABELS: dict[str, tuple[str, ...]] = {
    "description": ("wat is er gebeurd", "wat is er precies gebeurd", "wat er gebeurd is", "omschrijving",
                    "beschrijving", "wat", "wat gebeurde er", "toelichting", "what happened", "description"),
    "data_types": ("persoonsgegevens", "soort gegevens", "soorten gegevens", "gegevens", "welke gegevens",
                   "soort persoonsgegevens", "soorten persoonsgegevens", "welke persoonsgegevens", "type gegevens",
                   "data", "personal data", "data types", "kind of data", "which data"),
    "affected_count": ("aantal betrokkenen", "aantal personen", "aantal mensen", "hoeveel personen",
                       "hoeveel mensen", "hoeveel betrokkenen", "hoeveel", "aantal", "betrokkenen aantal",
                       "number of people", "how many", "affected count", "count", "number"),
    "affected_group": ("groep", "doelgroep", "welke groep", "groep betrokkenen", "betrokken groep", "betrokkenen",
                       "wie", "om wie gaat het", "group", "affected group", "who"),
    "cause": ("oorzaak", "hoe kwam het", "cause", "reason"),
    "occurred_at": ("wanneer", "wanneer gebeurd", "wanneer is het gebeurd", "datum", "tijdstip", "tijd",
                    "datum en tijd", "datum/tijd", "datum en tijdstip", "moment", "when", "date", "date and time",
                    "time"),
    "affected_contacts": ("contactgegevens betrokkenen", "contactgegevens van de betrokkenen",
                          "contact details of the people affected", "affected contacts"),
    "reporter_contact": ("mijn contactgegevens", "uw contactgegevens", "uw eigen contactgegevens",
                         "contactgegevens melder", "telefoon", "telefoonnummer", "mijn telefoonnummer", "tel",
                         "tel nr", "telnr", "mobiel", "mobiel nummer", "bereikbaar op", "my contact details", "phone",
                         "phone number", "reporter contact", "contactpersoon", "contactpersoon voor vervolgvragen",
                         "contact person"),
    "processor_reference": ("incidentnummer", "uw incidentnummer", "ons incidentnummer", "eigen incidentnummer",
                            "ticketnummer", "incident number", "incident reference", "ticket number"),
    "processor_scope": ("systemen", "getroffen systemen", "systemen en klanten", "getroffen klanten",
                        "andere klanten", "andere opdrachtgevers", "systems", "affected systems",
                        "systems and clients", "other clients"),
    "processor_measures": ("maatregelen verwerker", "onze maatregelen", "genomen maatregelen",
                           "processor's measures", "our measures", "measures taken"),
    # Not "Ontdekt op:" or "Bekend sinds:": those are the officers' word for the organisation's moment.
    "processor_aware_at": ("verwerker op de hoogte sinds", "op de hoogte sinds", "zelf op de hoogte sinds",
                           "weet u sinds", "bekend bij de verwerker sinds", "aware since", "processor aware since"),
}  # fmt: skip

# ``1.`` ``2)`` ``(3)`` ``4:`` ``5-`` ``Ad 6.`` ``Vraag 7:``; a bare ``8 `` (iPhone) is _WEAK.
_NUMBERED = re.compile(
    r"^\s*(?:(?:ad|vraag|question|q)\s*)?\(?([1-9]\d?)\s*(?:[.):\]]|-(?=\s|$))\s*(.*)$"
    r"|^\s*(?:ad|vraag|question)\s+([1-9]\d?)\s+(.*)$",
    re.IGNORECASE,
)
_WEAK = re.compile(r"^\s*([1-9])\s+(\S.*)$")
_LABELLED = re.compile(r"^\s*(?:\*+\s*)?([^\W\d_][\w ()/'’.+]{0,60}?)\s*(?:\*+\s*)?(?::|=|\s[-–]\s)\s*(?:\*+\s*)?(.*)$")
# A number starts where a run of digits starts: "4,800" and "1.200" are thousands.
_NUMBER = re.compile(r"(?<!\d)(?:\d{1,3}(?:[.,]\d{3})+(?![.,]?\d)|\d+)")
_RANGE_WORD = re.compile(r"\s*(?:-|–|—|tot|à|a|en|and|to|of)\s*", re.IGNORECASE)
_AT_LEAST = re.compile(
    r"\b(?:meer dan|ruim|minstens|minimaal|tenminste|ten minste|at least|more than|over)\s*$", re.IGNORECASE
)
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# "45, niet 40", "niet 14:20 maar 15:20", "27 in plaats van 72": the value after the word is the
# one being corrected.
_CORRECTED = re.compile(
    rf"\b(?:niet|in plaats van|ipv|i\.p\.v\.|not|instead of)\s+(?:om\s+|op\s+)?"
    rf"\d[\d:./-]*(?:\s*(?:uur|u\b|{_MONTH}\b))?",
    re.IGNORECASE,
)
_APPROXIMATE = {"tientallen": (20, 99), "honderden": (200, 999), "duizenden": (2000, 9999), "dozens": (24, 99),
                "hundreds": (200, 999), "thousands": (2000, 9999)}  # fmt: skip
_SMALL = re.compile(r"\b(?:(één|eén|éen|een)(?=\s+(?:persoon|cliënt|client|huurder|medewerker|bewoner|leerling|"
                    r"kind|klant|collega|gezin|betrokkene)\b)|(één|eén|éen)\b|(twee)\b)", re.IGNORECASE)  # fmt: skip
_PEOPLE = (
    "personen|persoon|mensen|betrokkenen|betrokkene|huurders|huurder|cliënten|clienten|cliënt|client|klanten|klant|"
    "medewerkers|medewerker|collega's|collega|bewoners|bewoner|leerlingen|leerling|ouders|kinderen|kind|patiënten|"
    "deelnemers|sollicitanten|leden|gezinnen|gezin|huishoudens|families|people|persons|tenants|clients|employees|"
    "residents|households"
)
_HOUSEHOLDS = {"gezinnen", "gezin", "huishoudens", "families", "households"}
_NOT_A_GROUP = {"personen", "persoon", "mensen", "betrokkenen", "betrokkene", "people", "persons"}
_COUNTED = re.compile(rf"({_NUMBER.pattern})\s+(?:\w+\s+)?({_PEOPLE})\b", re.IGNORECASE)
_THERE_WERE = re.compile(
    r"\b(?:het\s+(?:zijn|waren|gaat|ging|betreft|betrof)\s+(?:er\s+|om\s+)?|there\s+(?:are|were)\s+)"
    r"((?:\w+\s+){0,2}?)(\d[\d.,]*)",
    re.IGNORECASE,
)
_DATA_TERMS = (
    "medische gegevens|gezondheidsgegevens|salarisgegevens|inkomensgegevens|financiële gegevens|"
    "e-mailadressen|e-mailadres|telefoonnummers|telefoonnummer|geboortedata|geboortedatums|geboortedatum|"
    "burgerservicenummers|burgerservicenummer|bsn|iban|bankrekeningnummers|bankrekeningnummer|rekeningnummers|"
    "rekeningnummer|huurachterstanden|"
    "huurachterstand|diagnoses|zorgplannen|kopie id|kopieën van id-bewijzen|paspoorten|foto's|namen|naam|"
    "adressen|adres"
)
_DATA = re.compile(rf"(?<![\w-])({_DATA_TERMS})(?![\w-])", re.IGNORECASE)
_ABOUT_DATA = re.compile(r"\b(?:ging om|gaat om|betreft|betrof|gegevens|bestand|lijst|bevatte|stonden|stond)\b", re.I)
# A moment in prose about something else: "ik ben vanaf maandag weer bereikbaar", "de brief is
# vanmiddag teruggebracht" (getting the data back comes after the breach).
_NOT_THE_INCIDENT = re.compile(
    r"\b(?:bereikbaar|aanwezig|afwezig|vakantie|vanaf|terug(?:gebracht|gegeven|gestuurd|gevonden|gekregen)?|"
    r"weer op|bel|spreken|werkdagen)\b",
    re.I,
)
# Moments too vague to put in the field; they go to the officer as not placed.
_VAGUE_MOMENT = re.compile(
    r"\b(?:ontdekt|gemerkt|discovered|noticed|week van|nacht van|weekend|ergens in|begin|eind|halverwege|of)\b",
    re.IGNORECASE,
)
_AWARE_WORDS = re.compile(r"^\s*(?:ontdekt|gemerkt|bekend|discovered|noticed)\b(?:\s+(?:op|sinds|on|since))?\s*", re.I)
# "Verwerker: Aareon" on top of a report an employee forwards: the processor it came from.
_NAMED_PROCESSOR = re.compile(r"^\s*(?:\*+\s*)?(?:verwerker|processor)\s*(?:\*+\s*)?:\s*(\S[^\n]{0,79})", re.I)
_UNKNOWN_FILLER = re.compile(r"\b(?:nog|helaas|precies|meer|ook|echt|dat|sorry|ik|nu|op dit moment)\b", re.I)
_UNKNOWN_WORDS = {"weet niet", "weet het niet", "weet ik niet", "weet ik het niet", "onbekend", "niet bekend",
                  "geen idee", "nvt", "n v t", "niet van toepassing", "unknown", "n a", "not known",
                  "don't know", "do not know"}  # fmt: skip
_A_VALUE = re.compile(
    rf"\d|\b(?:week|maand|dag|jaar|gisteren|vandaag|eergisteren|{_MONTH}|{'|'.join(WEEKDAYS)})", re.IGNORECASE
)
# "Zie 1", "zie hierboven", "see below": an answer elsewhere, not a value.
_REFERENCE = re.compile(r"^\s*(?:zie|see)\b", re.IGNORECASE)
_CLOSING = re.compile(
    r"^\s*(?:stuur geen wachtwoorden|please do not send|met vriendelijke groet|kind regards|vriendelijke groet)",
    re.IGNORECASE,
)


def _norm(text: str) -> str:
    return re.sub(r"[\s?:.*_]+", " ", text.lower()).strip()


_LABEL_INDEX: dict[str, str] = {}
for _field, _labels in LABELS.items():
    for _label in _labels:
        _LABEL_INDEX[_norm(_label)] = _field
for _q in _ALL_QUESTIONS:
    _LABEL_INDEX[_norm(_q.nl)] = _q.field
    _LABEL_INDEX[_norm(_q.en)] = _q.field
_MULTI_WORD = [k for k in _LABEL_INDEX if " " in k]
_OWNER = re.compile(r"^(?:mijn|uw|jouw|my|your)\s+")
_QUESTION_TEXTS = {_norm(text): q.field for q in _ALL_QUESTIONS for text in (q.nl, q.en)}


def field_for_label(label: str) -> str | None:
    """The field a label names: exactly (also after "mijn"/"uw": "Mijn telnr."), else a close
    spelling ("Telefoonummer", from six letters on), else a longer label holding all the words
    of one field's label ("Om welke gegevens gaat het")."""
    key = _norm(label)
    bare = _OWNER.sub("", key)
    for candidate in (key, bare):
        if candidate in _LABEL_INDEX:
            return _LABEL_INDEX[candidate]
    if len(key) < 6:
        return None
    if best := process.extractOne(key, _LABEL_INDEX.keys(), scorer=fuzz.ratio, score_cutoff=88):
        return _LABEL_INDEX[best[0]]
    words = set(key.split())  # every word of a field's label, not the other way round ("Reporter")
    found = {_LABEL_INDEX[k] for k in _MULTI_WORD if set(k.split()) <= words}
    return found.pop() if len(found) == 1 else None


def _question_in(line: str) -> tuple[str, str] | None:
    """The field whose question a line repeats (``> 3. Over hoeveel personen gaat het?``) and what
    was typed after it on the same line."""
    text = re.sub(r"^\s*\d{1,2}\s*[.)]\s*", "", unquote(line)).strip()
    key = _norm(text)
    if not key:
        return None
    if key in _QUESTION_TEXTS:
        return _QUESTION_TEXTS[key], ""
    for q in _ALL_QUESTIONS:
        for question in (q.nl, q.en):
            if text.lower().startswith(question.lower()):
                return q.field, text[len(question) :].strip(" :-")
    best = process.extractOne(key, _QUESTION_TEXTS.keys(), scorer=fuzz.ratio, score_cutoff=92)
    return (_QUESTION_TEXTS[best[0]], "") if best else None


def _strip_label(field_name: str, text: str) -> str:
    """``Wat is er precies gebeurd? Laptop kwijt`` or ``Aantal: 40`` after a number → the answer."""
    if (q := _question_in(text)) and q[0] == field_name:
        return q[1]
    labelled = _LABELLED.match(text)
    if labelled and field_for_label(labelled[1]) == field_name:
        return labelled[2]
    return text


def is_unknown(text: str) -> bool:
    """``weet ik niet``, ``(nog) onbekend``, ``n.v.t.``, ``geen idee``: an answer, "unknown"."""
    return _unknown_words(text) in _UNKNOWN_WORDS


def _unknown_words(text: str) -> str:
    words = re.sub(r"[^\w' ]+", " ", text.lower())
    return re.sub(r"\s+", " ", _UNKNOWN_FILLER.sub(" ", words)).strip()


def _unknown_so_far(text: str) -> bool:
    """``Nog niet bekend, we zoeken het uit``: unknown, and nothing after it that is a value."""
    head, _, tail = text.partition(",")
    return is_unknown(head) and not _A_VALUE.search(tail)


MAX_DIGITS = 20  # digits with their thousands separators


def _to_int(raw: str) -> int:
    return int(re.sub(r"[.,\s]", "", raw))


def _numbers_as_digits(text: str, article: bool = True) -> str:
    """Number words as digits: ``een stuk of twintig`` → ``een stuk of 20``, ``Eén cliënt`` → ``1 cliënt``
    (``een cliënt`` too in an answer to "how many", not in prose: there ``een`` is an article)."""
    text = _SMALL.sub(lambda m: "2" if m[3] else "1" if article or (m[1] or m[2]).lower() != "een" else m[0], text)
    return number_words(number_words(text, "nl"), "en")


def parse_count(text: str) -> int | dict[str, int | None] | None:
    """``25`` → 25; ``tussen 100 en 200`` / ``100-200`` → {min, max}; ``meer dan 50`` → {min: 50,
    max: None}; ``tientallen`` → {min: 20, max: 99}; ``6 gezinnen, ongeveer 15 personen`` → 15.
    None when there is no count, or more than one and no telling which is meant."""
    text = _numbers_as_digits(_CORRECTED.sub(" ", text))
    found = list(_NUMBER.finditer(text))
    if any(len(m[0]) > MAX_DIGITS for m in found):
        return None  # no count has this many digits (and int() of thousands of them is slow)
    if not found:
        lowered = text.lower()
        for word, (low, high) in _APPROXIMATE.items():
            if re.search(rf"\b{word}\b", lowered):
                return {"min": low, "max": high}
        return None
    if len(found) == 2 and _RANGE_WORD.fullmatch(text[found[0].end() : found[1].start()]):
        low, high = _to_int(found[0][0]), _to_int(found[1][0])
        return {"min": low, "max": high} if low < high else None
    if len(found) > 1:
        people = [m for m in _COUNTED.finditer(text) if m[2].lower() not in _HOUSEHOLDS]
        if len({_to_int(m[1]) for m in people}) != 1:
            return None
        return _count_at(text, people[0].start(1), _to_int(people[0][1]))
    counted = _COUNTED.search(text)
    if counted and counted[2].lower() in _HOUSEHOLDS:
        return None  # households, not people
    return _count_at(text, found[0].start(), _to_int(found[0][0]))


def _count_at(text: str, start: int, value: int) -> int | dict[str, int | None]:
    return {"min": value, "max": None} if _AT_LEAST.search(text[max(0, start - 20) : start]) else value


@dataclass
class Extraction:
    answers: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    unplaced: list[str] = field(default_factory=list)
    # Answers under a question that could not be read with certainty (field → what was written).
    unsure: dict[str, str] = field(default_factory=dict)

    def unsure_lines(self, language: str) -> list[str]:
        """Each unsure answer after its question, for the officer to place."""
        asked = (*QUESTIONS, *PROCESSOR_QUESTIONS)
        return [f"{q.text(language)} {self.unsure[q.field]}" for q in asked if q.field in self.unsure]

    def not_placed(self, language: str) -> list[str]:
        """Everything for the officer to place: the free text, and each unsure answer."""
        return [*self.unplaced, *self.unsure_lines(language)]


def normalise(field_name: str, text: str, reference: datetime, tz: ZoneInfo) -> Any:
    """The stored value of an answer: a number or range, an ISO moment or date, :data:`UNKNOWN`,
    else the text. None when a count or a moment cannot be read with certainty."""
    text = text.strip()
    if is_unknown(text):
        return UNKNOWN
    if _REFERENCE.match(text):
        # "Zie mijn eerdere mail: de stick was niet versleuteld": what follows the colon answers.
        _, colon, rest = text.partition(":")
        if not colon or not rest.strip():
            return None
        return normalise(field_name, rest, reference, tz)
    if field_name == "affected_count":
        count = parse_count(text)
        return count if count is not None else UNKNOWN if _unknown_so_far(text) else None
    if field_name in MOMENTS:
        if field_name == "processor_aware_at":
            text = _AWARE_WORDS.sub("", text)  # "ontdekt op 30 november, 22:00" says when, not vaguely
        if _VAGUE_MOMENT.search(text):
            return None
        when = parse_when(_CORRECTED.sub(" ", text), reference, tz)
        return when.isoformat() if when else UNKNOWN if _unknown_so_far(text) else None
    return UNKNOWN if _unknown_so_far(text) else text


def _numbering(lines: list[str]) -> list[tuple[int, str] | None]:
    """Per line, the question number it starts with and the rest. A bare ``3 `` counts only when
    at least three lines are numbered that way, in order (an iPhone reply), not "6 gezinnen"."""
    strong = []
    for line in lines:
        m = _NUMBERED.match(line)
        strong.append((int(m[1] or m[3]), m[2] if m[1] else m[4]) if m else None)
    weak = [(i, int(m[1]), m[2]) for i, line in enumerate(lines) if strong[i] is None and (m := _WEAK.match(line))]
    numbers = [n for _, n, _ in weak]
    if len(weak) >= 3 and numbers == sorted(set(numbers)):
        for i, n, rest in weak:
            strong[i] = (n, rest)
    return strong


def _collect(lines: list[str], numbering: tuple[Question, ...]) -> tuple[dict[str, list[str]], list[str]]:
    """Numbered (as in ``numbering``) and labelled answers in the text written on top; the rest is free text."""
    found: dict[str, list[str]] = {}
    free: list[str] = []
    current: str | None = None
    for line, numbered in zip(lines, _numbering(lines), strict=True):
        if numbered and 1 <= numbered[0] <= len(numbering):
            current = numbering[numbered[0] - 1].field
            found[current] = [_strip_label(current, numbered[1])]
            continue
        asked = _question_in(line)
        labelled = _LABELLED.match(line)
        name = asked[0] if asked else field_for_label(labelled[1]) if labelled else None
        if name:
            current = name
            found[current] = [asked[1] if asked else labelled[2] if labelled else ""]
            continue
        if not line.strip():
            # An answer ends with its paragraph: a closing ("Groet, Jan") after a blank line is
            # free text, not part of the last answer.
            if current is not None and any(found[current]):
                current = None
            continue
        if current is not None:
            found[current].append(line.strip())
        else:
            free.append(line.strip())
    return found, free


def _inline(lines: list[str]) -> dict[str, list[str]]:
    """Answers typed under the questions in the quoted original: after ``>`` questions (the empty
    ``>`` line Gmail leaves after each does not end the answer), or inside an Outlook quote that
    has no ``>`` at all, where everything between two questions was typed by the reporter."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    marked = any(is_quoted(line) for line in lines)
    asked = [(i, q) for i, line in enumerate(lines) if (not marked or is_quoted(line)) and (q := _question_in(line))]
    last = asked[-1][0] if asked else -1
    for i, line in enumerate(lines):
        if (not marked or is_quoted(line)) and (q := _question_in(line)):
            current = q[0]
            found[current] = [q[1]] if q[1] else []
            continue
        if marked and is_quoted(line):
            if unquote(line).strip():
                current = None  # the quoted original goes on: the answer has ended
            continue
        if current is None:
            continue
        if not line.strip():
            if i > last and found[current]:
                current = None  # after the last question, only its own paragraph is an answer
            continue
        if i > last and _CLOSING.match(line):
            current = None
            continue
        found[current].append(line.strip())
    return {name: lines for name, lines in found.items() if lines}


def _from_prose(free: list[str], missing: set[str]) -> dict[str, str]:
    """Counts, groups, data and moments in sentences ("het ging om ongeveer 40 huurders, namen en
    adressen, gisteren rond drie uur"): each only when one reading is found."""
    out: dict[str, str] = {}
    text = " ".join(free)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    digits = _numbers_as_digits(_CORRECTED.sub(" ", text), article=False)
    every = list(_COUNTED.finditer(digits))
    counted = [m for m in every if m[2].lower() not in _HOUSEHOLDS]
    there = [m for m in _THERE_WERE.finditer(digits) if m.start(2) not in {c.start(1) for c in every}]
    if "affected_count" in missing:
        values = {_to_int(m[1]) for m in counted} | {_to_int(m[2]) for m in there}
        if len(values) == 1:
            m0 = counted[0] if counted else there[0]
            out["affected_count"] = digits[max(0, m0.start() - 20) : m0.end()]
    if "affected_group" in missing:
        groups = {m[2].lower() for m in counted} - _NOT_A_GROUP
        if len(groups) == 1:
            out["affected_group"] = groups.pop()
    if "data_types" in missing:
        terms: list[str] = []
        for sentence in sentences:
            if _ABOUT_DATA.search(sentence) or _COUNTED.search(_numbers_as_digits(sentence, article=False)):
                terms += [m[1] for m in _DATA.finditer(sentence) if m[1].lower() not in (t.lower() for t in terms)]
        if terms:
            out["data_types"] = ", ".join(terms)
    if "occurred_at" in missing:
        moments = [s for s in sentences if not _NOT_THE_INCIDENT.search(s)]
        out.update({"occurred_at": " ".join(moments)} if moments else {})
    return out


def spoken_moment(moment: datetime, language: str, time: bool = True) -> str:
    """``1 december 2026, 17:30`` (``1 December 2026, 17:30``), as a date is written in a letter."""
    written = day(moment, language)
    return f"{written}, {moment:%H:%M}" if time else written


def answer_text(field_name: str, value: Any, language: str, limit: int = 200) -> str:
    """An answer as a person writes it: ``40``, ``100 tot 150``, ``minstens 50``, ``1 december 2026,
    17:30``, ``onbekend``; never a Python value or a field name."""
    nl = language == "nl"
    if value == UNKNOWN:
        return "onbekend" if nl else "unknown"
    if field_name == "affected_count" and isinstance(value, dict):
        low, high = value.get("min"), value.get("max")
        low_text = number(low, language) if isinstance(low, int) else None
        high_text = number(high, language) if isinstance(high, int) else None
        if low_text is not None and high_text is not None:
            return f"{low_text} – {high_text}"
        return (f"minstens {low_text}" if nl else f"at least {low_text}") if low_text is not None else f"≤ {high_text}"
    if field_name == "affected_count" and isinstance(value, int) and not isinstance(value, bool):
        return number(value, language)
    if field_name in MOMENTS and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return spoken_moment(moment, language) if "T" in value else spoken_moment(moment, language, time=False)
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def named_processor(body: str) -> str:
    """The processor a report names on a ``Verwerker:`` line in what its sender wrote (not in a
    quoted or forwarded part); "" when none."""
    lines = body.replace("\r\n", "\n").split("\n")
    for line in lines[: quote_start(lines)]:
        if found := _NAMED_PROCESSOR.match(line):
            return " ".join(found[1].split()).strip(" .;,*")
    return ""


def _first_moment(text: str, reference: datetime, tz: ZoneInfo) -> str:
    """The first sentence of prose that names a moment on its own. Read together, "Gisteren is
    de brief verstuurd. Vanochtend om half tien belde de buurvrouw." made yesterday at half
    past nine: a day from one event and a time from another. People tell what happened first."""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if normalise("occurred_at", sentence, reference, tz) not in (None, UNKNOWN):
            return sentence
    return text


def extract_answers(body: str, reference: datetime, tz: ZoneInfo, processor: bool = False) -> Extraction:
    """The answers in a report or reply; numbers as in the list a processor gets when ``processor``."""
    lines = body.replace("\r\n", "\n").split("\n")
    start = quote_start(lines)
    written = lines[:start]
    if (end := signature_at(written)) is not None:
        written = written[:end]
    found, free = _collect(written, PROCESSOR_ASKS if processor else QUESTIONS)
    if start < len(lines):
        for name, answer in _inline(first_quote(lines, start)).items():
            found.setdefault(name, answer)
    result = Extraction()
    prose = _from_prose(free, set(FIELDS) - set(found))
    if "occurred_at" in prose:
        prose["occurred_at"] = _first_moment(prose["occurred_at"], reference, tz)
    for name in FIELDS:
        if name in prose:
            value = normalise(name, prose[name], reference, tz)
            if value is not None and value != UNKNOWN:
                result.raw[name] = prose[name]
                result.answers[name] = value
            continue
        if name not in found:
            continue
        answer = [line for line in found[name] if line.strip()]
        if name in SINGLE_LINE and len(answer) > 1:
            # A count or a moment is one line; what follows it is kept as free text, not lost
            # in the normalised value.
            free.extend(answer[1:])
            answer = answer[:1]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(answer)).strip()
        if not text or text in ("-", "?"):
            continue
        value = None if name in PROCESSOR_ONLY and not processor else normalise(name, text, reference, tz)
        result.raw[name] = text
        if value is None:
            result.unsure[name] = text
        else:
            result.answers[name] = value
    result.unplaced = [line for line in free if line]
    return result
