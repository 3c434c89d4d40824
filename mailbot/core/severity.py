"""How serious a breach is: the ENISA methodology (2013) and a suggested tier. Pure.

``SE = DPC × EI + CB``
- DPC, data processing context: 1 simple, 2 behavioural, 3 financial, 4 sensitive (special
  categories of art. 9, criminal data of art. 10), by the most sensitive category present;
  the assessor may set it within 1–4 for context.
- EI, ease of identification: 0.25 negligible, 0.5 limited, 0.75 significant, 1 maximum.
- CB, circumstances, added up: confidentiality +0.25 known / +0.5 unknown recipients;
  integrity +0.25 recoverable / +0.5 not; availability +0.25 temporary / +0.5 permanent;
  malicious intent +0.5.
- Bands: < 2 low, 2–3 medium, 3–4 high, ≥ 4 very high.

The tier (EDPB Guidelines 9/2022): no risk (document only), risk (notify the AP), high
risk (notify the AP and the people affected). It starts from the ENISA band and is then
shaped by the facts the EDPB weighs in its worked cases (Guidelines 01/2021): who may have the
data (nobody, unintelligible to them, a known recipient who confirmed deletion, a known,
an unknown or the public), whether it stays unavailable (backup, restore time), malicious
intent, and the number of people. Each step gives its reason, and what would change the
suggestion is computed by trying the change. It is a suggestion; the officer decides.
Special-category or criminal data is never suggested as "no risk" (EDPB 9/2022: damage
should be considered likely).

Values are read, never guessed: :func:`check` refuses a value it cannot read (the command
answers with the reason), and a stored value that cannot be read counts as the worse case.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

SENSITIVE = (
    "gezondheid", "medisch", "zorggegevens", "zorgdossier", "diagnose", "ras", "etnisch", "etniciteit", "politiek",
    "religie", "religieus", "geloof", "levensovertuiging", "vakbond", "seksueel", "seksuele", "genetisch",
    "biometrisch", "strafrechtelijk", "strafblad", "justitieel", "health", "medical", "racial", "ethnic", "political",
    "religious", "religion", "trade union", "sexual", "genetic", "biometric", "criminal",
)  # fmt: skip
CRIMINAL = ("strafrechtelijk", "strafblad", "justitieel", "criminal")
FINANCIAL = ("financieel", "financiële", "financial", "iban", "bank", "rekeningnummer", "creditcard", "credit card",
             "schuld", "schulden", "huurachterstand", "huurachterstanden", "uitkering", "inkomen", "loon", "salaris",
             "debt", "income", "salary", "bsn", "burgerservicenummer", "id-kopie", "kopie id", "paspoort",
             "identiteitsbewijs", "factuur", "facturen", "invoice", "billing")  # fmt: skip
BEHAVIOURAL = ("gedrag", "locatie", "surfgedrag", "voorkeuren", "gewoonten", "behaviour", "behavior", "location",
               "preferences", "habits", "rijgedrag", "kilometers", "jaarkilometers", "mileage", "driving")  # fmt: skip
EI_VALUES = {"verwaarloosbaar": 0.25, "negligible": 0.25, "beperkt": 0.5, "limited": 0.5,
             "aanzienlijk": 0.75, "significant": 0.75, "maximaal": 1.0, "maximum": 1.0, "volledig": 1.0}  # fmt: skip
BANDS = ((2.0, "laag"), (3.0, "gemiddeld"), (4.0, "hoog"))
TIERS = {"none": "geen risico: alleen registreren", "risk": "risico: melden bij de AP",
         "high": "hoog risico: melden bij de AP en de betrokkenen informeren"}  # fmt: skip
TIERS_EN = {"none": "no risk: register only", "risk": "risk: notify the AP",
            "high": "high risk: notify the AP and inform the people affected"}  # fmt: skip
BANDS_EN = {"laag": "low", "gemiddeld": "medium", "hoog": "high", "zeer hoog": "very high"}
MANY = 100  # ENISA's flag: more than 100 people affected
QUICK_RESTORE_HOURS = 24.0  # restored within a day: the loss of availability has passed


_CLAUSE = re.compile(r"[,;.:()\n]|(?<!\w)(?:en|and|maar|but|wel)(?!\w)")
_NEGATION = re.compile(r"(?<!\w)(?:geen|niet|zonder|no|not|without)(?!\w)")
_DOUBT = re.compile(r"(?<!\w)(?:weet|zeker|mogelijk|misschien|wellicht|onduidelijk|know|sure|possibl\w*|maybe|perhaps)")


def words_in(text: str, words: tuple[str, ...]) -> list[str]:
    """The words found at the start of a word: Dutch inflects (strafrechtelijk-e, medisch-e) and
    compounds (bankrekening, loonstrook). Stems of three letters or fewer must match whole.

    A word denied in its own clause does not count (``geen medische gegevens``, ``zonder BSN``);
    a doubt does (``weet niet of er medische gegevens bij zaten``). The denial ends at a comma,
    ``en`` or ``maar``, so an unclear sentence counts the word: the safer reading."""
    found: list[str] = []
    for clause in _CLAUSE.split(text.lower()):
        for w, pattern in _patterns(words):
            m = pattern.search(clause)
            if m and w not in found and (_DOUBT.search(clause) or not _NEGATION.search(clause[: m.start()])):
                found.append(w)
    return [w for w in words if w in found]


@cache
def _patterns(words: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((w, re.compile(rf"(?<!\w){re.escape(w)}" + (r"(?!\w)" if len(w) <= 3 else ""))) for w in words)


@dataclass(frozen=True)
class Severity:
    score: float | None
    band: str | None
    tier: str
    reasons: tuple[str, ...] = field(default_factory=tuple)
    dpc: float | None = None
    ei: float | None = None
    cb: float | None = None
    reasons_en: tuple[str, ...] = field(default_factory=tuple)
    changes: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (Dutch, English) "if …: tier"

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "band": self.band,
            "tier": self.tier,
            "tier_text": TIERS[self.tier],
            "reasons": list(self.reasons),
            "changes": [nl for nl, _ in self.changes],
            "dpc": self.dpc,
            "ei": self.ei,
            "cb": self.cb,
        }

    def summary(self, language: str = "nl") -> str:
        """The suggestion in one line, for a notice: "hoog risico: … (SE 3,5, hoog)"."""
        nl = language == "nl"
        text = (TIERS if nl else TIERS_EN)[self.tier]
        if self.score is None:
            return text
        band = self.band if nl else BANDS_EN.get(self.band or "", self.band)
        return f"{text} (SE {decimal(self.score, language)}, {band})"

    def reasons_in(self, language: str = "nl") -> tuple[str, ...]:
        return self.reasons if language == "nl" else self.reasons_en


def decimal(value: float, language: str = "nl") -> str:
    """3.5 → "3,5" in Dutch, as the ENISA scores are written in a Dutch mail; "3.5" in English."""
    return f"{value:g}".replace(".", ",") if language == "nl" else f"{value:g}"


def band_of(score: float) -> str:
    for limit, name in BANDS:
        if score < limit:
            return name
    return "zeer hoog"


# Reading the officer's values. Each reader returns what the value means, or None when it
# cannot be read; check() turns None into a refusal that says what to write instead.

_YES = ("ja", "yes", "j", "y", "true", "1")
_NO = ("nee", "no", "n", "false", "0", "geen", "none")


def _first(value: str) -> str:
    m = re.match(r"\s*([^\W_]+)", value.lower())
    return m[1] if m else ""


def _has(value: str, pattern: str) -> bool:
    return re.search(rf"(?<!\w)(?:{pattern})", value.lower()) is not None


def read_yes_no(value: str) -> str | None:
    """``ja``, ``ja, AES-256``, ``nee, wel gevraagd``: the first word decides; "yes" / "no"."""
    word = _first(value)
    return "yes" if word in _YES else "no" if word in _NO else None


def read_confidentiality(value: str) -> str | None:
    """none / known / unknown / public. ``niet bekend`` is unknown: the worse case."""
    if _has(value, r"onbekend|niet bekend|unknown|not known|onduidelijk|unclear"):
        return "unknown"
    if _has(value, r"openbaar|gepubliceerd|public|published"):
        return "public"
    if _first(value) in _NO:
        return "none"
    return "known" if _has(value, r"bekend|known") else None


def read_integrity(value: str) -> str | None:
    """none / recoverable / lost."""
    if _has(value, r"niet herstelbaar|onherstelbaar|not recoverable|unrecoverable|blijvend|permanent"):
        return "lost"
    if _has(value, r"herstelbaar|hersteld|recoverable|restored"):
        return "recoverable"
    return "none" if _first(value) in _NO else None


def read_availability(value: str) -> str | None:
    """none / temporary / permanent."""
    if _has(value, r"niet blijvend|niet permanent|not permanent|tijdelijk|temporar"):
        return "temporary"
    if _has(value, r"permanent|blijvend|definitief"):
        return "permanent"
    return "none" if _first(value) in _NO else None


def read_exfiltration(value: str) -> str | None:
    """ruled_out / possible / yes: was data taken away by whoever got in?"""
    if _has(value, r"niet uitgesloten|not ruled out|mogelijk|possibl|misschien|maybe|onbekend|unknown|niet bekend"):
        return "possible"
    if _has(value, r"uitgesloten|ruled out|excluded") or _first(value) in _NO:
        return "ruled_out"
    return "yes" if _first(value) in _YES else None


_UNITS = {"min": 1 / 60, "minuut": 1 / 60, "minuten": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60,
          "u": 1.0, "uur": 1.0, "uren": 1.0, "h": 1.0, "hour": 1.0, "hours": 1.0,
          "d": 24.0, "dag": 24.0, "dagen": 24.0, "day": 24.0, "days": 24.0,
          "week": 168.0, "weken": 168.0, "weeks": 168.0}  # fmt: skip
_DURATION = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)")


def read_hours(value: str) -> str | None:
    """``4 uur``, ``3 dagen``, ``90 minuten`` → hours, as text (``4``, ``72``, ``1.5``)."""
    m = _DURATION.search(value.lower())
    if not m or m[2] not in _UNITS:
        return None
    return f"{float(m[1].replace(',', '.')) * _UNITS[m[2]]:g}"


Reader = Callable[[str], str | None]
READERS: dict[str, tuple[Reader, str, str]] = {
    "confidentiality": (read_confidentiality,
                        "schrijf geen, bekend (een bekende ontvanger), onbekend of openbaar",
                        "write none, known (a known recipient), unknown or public"),
    "integrity": (read_integrity, "schrijf geen, herstelbaar of niet herstelbaar",
                  "write none, recoverable or not recoverable"),
    "availability": (read_availability, "schrijf geen, tijdelijk of permanent", "write none, temporary or permanent"),
    "encrypted": (read_yes_no, "begin met ja of nee, eventueel met een toelichting: ja, AES-256",
                  "start with yes or no, with an explanation if you like: yes, AES-256"),
    "malicious": (read_yes_no, "schrijf ja of nee", "write yes or no"),
    "other_eu": (read_yes_no, "schrijf ja of nee", "write yes or no"),
    "backup": (read_yes_no, "begin met ja of nee: is er een werkende back-up?",
               "start with yes or no: is there a working backup?"),
    "deletion_confirmed": (read_yes_no, "begin met ja of nee: heeft de ontvanger bevestigd dat hij de gegevens "
                           "heeft verwijderd?", "start with yes or no: did the recipient confirm the deletion?"),
    "exfiltration": (read_exfiltration, "schrijf uitgesloten, niet uitgesloten of ja",
                     "write ruled out, not ruled out or yes"),
    "restore_time": (read_hours, "geef een duur, bijvoorbeeld 4 uur of 3 dagen",
                     "give a duration, for example 4 hours or 3 days"),
}  # fmt: skip
# The worse case for a stored value that cannot be read.
WORSE = {"confidentiality": "unknown", "integrity": "lost", "availability": "permanent", "encrypted": "no",
         "malicious": "yes", "other_eu": "yes", "backup": "no", "deletion_confirmed": "no",
         "exfiltration": "possible", "restore_time": None}  # fmt: skip


def check(key: str, value: str) -> tuple[str, str] | None:
    """Why ``value`` cannot be read for the field ``key`` (Dutch, English), or None if it can."""
    if key not in READERS:
        return None
    reader, nl, en = READERS[key]
    if reader(value) is not None:
        return None
    return f"'{value}' is niet te lezen: {nl}", f"'{value}' cannot be read: {en}"


class _Notes:
    """Reason lines in Dutch and English, side by side."""

    def __init__(self) -> None:
        self.nl: list[str] = []
        self.en: list[str] = []

    def add(self, nl: str, en: str) -> None:
        self.nl.append(nl)
        self.en.append(en)


def _read(assessment: dict[str, Any], key: str, notes: _Notes) -> str | None:
    raw = str(assessment.get(key) or "").strip()
    if not raw:
        return None
    meaning = READERS[key][0](raw)
    if meaning is None:
        meaning = WORSE[key]
        notes.add(f"'{raw}' is niet te lezen; gerekend als het slechtste geval",
                  f"'{raw}' cannot be read; counted as the worse case")  # fmt: skip
    return meaning


def people_count(answers: dict[str, Any]) -> int | None:
    count = answers.get("affected_count")
    if isinstance(count, bool):
        return None
    if isinstance(count, int):
        return count
    if isinstance(count, dict):
        value = count.get("max") or count.get("min")
        return value if isinstance(value, int) else None
    return None


_CB = {"confidentiality": {"known": 0.25, "unknown": 0.5, "public": 0.5},
       "integrity": {"recoverable": 0.25, "lost": 0.5},
       "availability": {"temporary": 0.25, "permanent": 0.5}}  # fmt: skip
_NATURE = {"confidentiality": ("vertrouwelijkheid", "confidentiality"), "integrity": ("integriteit", "integrity"),
           "availability": ("beschikbaarheid", "availability")}  # fmt: skip
_STEP = {"none": "risk", "risk": "high", "high": "high"}


def assess(assessment: dict[str, Any], answers: dict[str, Any], what_if: bool = True) -> Severity:
    """The score, its band and a suggested tier, with one line of reason each, and (what_if)
    the changes of fact that would give another tier."""
    notes = _Notes()
    categories = " ".join(str(x) for x in (assessment.get("categories"), answers.get("data_types")) if x)
    sensitive = words_in(categories, SENSITIVE)
    financial = words_in(categories, FINANCIAL)
    behavioural = words_in(categories, BEHAVIOURAL)
    if sensitive:
        dpc = 4.0
        notes.add(f"bijzondere of strafrechtelijke gegevens ({', '.join(sensitive)}): DPC 4",
                  f"special-category or criminal data ({', '.join(sensitive)}): DPC 4")  # fmt: skip
    elif financial:
        dpc = 3.0
        notes.add(f"financiële of identificerende gegevens ({', '.join(financial)}): DPC 3",
                  f"financial or identifying data ({', '.join(financial)}): DPC 3")  # fmt: skip
    elif behavioural:
        dpc = 2.0
        notes.add(f"gedragsgegevens ({', '.join(behavioural)}): DPC 2",
                  f"behavioural data ({', '.join(behavioural)}): DPC 2")  # fmt: skip
    elif categories.strip():
        dpc = 1.0
        notes.add("eenvoudige gegevens: DPC 1", "simple data: DPC 1")
    else:
        dpc = 0.0
    if assessment.get("dpc") not in (None, ""):
        dpc = float(assessment["dpc"])
        notes.nl[-1:] = [f"DPC door de beoordelaar gesteld op {assessment['dpc']}"]
        notes.en[-1:] = [f"DPC set by the assessor to {assessment['dpc']}"]

    ei = EI_VALUES.get(str(assessment.get("identifiability", "")).strip().lower())
    if ei is not None:
        notes.add(f"identificeerbaarheid {assessment['identifiability']}: EI {decimal(ei)}",
                  f"ease of identification {assessment['identifiability']}: EI {ei:g}")  # fmt: skip

    state = {key: _read(assessment, key, notes) for key in READERS}
    cb = 0.0
    for key, table in _CB.items():
        value = state[key]
        if value in table:
            cb += table[value]
            nl, en = _NATURE[key]
            raw = str(assessment[key]).strip()
            notes.add(f"verlies van {nl} ({raw}): +{decimal(table[value])}",
                      f"loss of {en} ({raw}): +{table[value]:g}")  # fmt: skip
    malicious = state["malicious"] == "yes"
    if malicious:
        cb += 0.5
        notes.add("kwade opzet: +0,5", "malicious intent: +0.5")

    score = round(dpc * ei + cb, 2) if dpc and ei is not None else None
    band = band_of(score) if score is not None else None
    if score is not None and ei is not None:
        notes.add(f"SE = {decimal(dpc)} × {decimal(ei)} + {decimal(cb)} = {decimal(score)} ({band})",
                  f"SE = {dpc:g} × {ei:g} + {cb:g} = {score:g} ({BANDS_EN.get(band or '', band)})")  # fmt: skip

    exposure = _exposure(state, malicious, notes)
    availability = _availability(state, notes)
    many = people_count(answers)
    if many is not None:
        notes.add(f"aantal betrokkenen: {many}" + (f" (meer dan {MANY} betrokkenen)" if many > MANY else ""),
                  f"people affected: {many}" + (f" (more than {MANY})" if many > MANY else ""))  # fmt: skip
    if state["other_eu"] == "yes":
        notes.add("betrokkenen in andere EU-landen: mogelijk ook andere toezichthouders",
                  "people in other EU countries: other supervisory authorities may be concerned")  # fmt: skip

    if band in ("hoog", "zeer hoog"):
        tier = "high"
    elif band == "gemiddeld":
        tier = "risk"
    elif band == "laag":
        tier = "none"
    else:
        tier = "risk"
        missing = [w for w, ok in (("Categorieën", dpc), ("Identificeerbaarheid", ei is not None)) if not ok]
        notes.add(f"nog onvoldoende beoordeeld (nog in te vullen: {', '.join(missing)}): voorlopig als risico",
                  f"not assessed enough yet (still to fill in: {', '.join(missing)}): a risk for now")  # fmt: skip
    nothing_left = exposure in ("none", "unintelligible", "contained") and availability in ("none", "restored")
    if score is not None and nothing_left and state["integrity"] in (None, "none") and tier != "none":
        tier = "none"
        notes.add("niemand kan de gegevens lezen of houdt ze, en ze zijn weer beschikbaar: geen risico",
                  "nobody can read or keeps the data, and it is available again: no risk")  # fmt: skip
    if availability == "lasting" and tier == "none":
        tier = "risk"
        notes.add("de gegevens blijven (langer dan een dag) onbeschikbaar: ten minste risico",
                  "the data stays unavailable (longer than a day): at least a risk")  # fmt: skip
    if malicious and exposure in ("known", "unknown", "public") and tier == "none":
        tier = "risk"
        notes.add("iemand met kwade opzet heeft de gegevens: ten minste risico",
                  "someone with malicious intent has the data: at least a risk")  # fmt: skip
    if many is not None and many > MANY and exposure in ("unknown", "public") and tier != "high":
        tier = _STEP[tier]
        notes.add(f"gegevens van meer dan {MANY} mensen bij onbekenden: een trede hoger",
                  f"data of more than {MANY} people with unknown recipients: one tier higher")  # fmt: skip
    if tier == "none" and sensitive:
        tier = "risk"
        notes.add("bijzondere of strafrechtelijke gegevens worden nooit als 'geen risico' voorgesteld",
                  "special-category or criminal data is never suggested as 'no risk'")  # fmt: skip
    changes = _changes(assessment, answers, tier, state, exposure, availability, many) if what_if else ()
    return Severity(score, band, tier, tuple(notes.nl), dpc or None, ei, cb, tuple(notes.en), changes)


def _exposure(state: dict[str, str | None], malicious: bool, notes: _Notes) -> str:
    """Who may have the data: none / unintelligible / contained / known / unknown / public."""
    seen = state["confidentiality"]
    if state["exfiltration"] == "ruled_out" and seen in (None, "none", "unknown"):
        notes.add("exfiltratie uitgesloten: niemand heeft de gegevens meegenomen",
                  "exfiltration ruled out: nobody took the data")  # fmt: skip
        return "none"
    if seen in (None, "none"):
        if state["exfiltration"] not in ("yes", "possible"):
            return "none"
        seen = "unknown"
    if state["encrypted"] == "yes":
        notes.add("versleuteld: wie de gegevens heeft, kan ze niet lezen",
                  "encrypted: whoever has the data cannot read it")  # fmt: skip
        return "unintelligible"
    if seen == "known" and state["deletion_confirmed"] == "yes" and not malicious:
        notes.add("de bekende ontvanger heeft bevestigd dat de gegevens zijn verwijderd",
                  "the known recipient confirmed the data was deleted")  # fmt: skip
        return "contained"
    return seen


def _availability(state: dict[str, str | None], notes: _Notes) -> str:
    """none / restored (within a day) / lasting (permanent, no backup, or longer) / temporary."""
    lost = state["availability"]
    hours = float(state["restore_time"]) if state["restore_time"] else None
    if lost in (None, "none"):
        return "none"
    if lost == "permanent":
        return "lasting"
    if state["backup"] == "no":
        notes.add("geen werkende back-up", "no working backup")
        return "lasting"
    if hours is not None:
        quick = hours <= QUICK_RESTORE_HOURS
        within = ("binnen een dag", "within a day") if quick else ("langer dan een dag", "longer than a day")
        notes.add(f"hersteld in {decimal(hours)} uur ({within[0]})", f"restored in {hours:g} hours ({within[1]})")
        return "restored" if quick else "lasting"
    return "temporary"


def _changes(
    assessment: dict[str, Any],
    answers: dict[str, Any],
    tier: str,
    state: dict[str, str | None],
    exposure: str,
    availability: str,
    many: int | None,
) -> tuple[tuple[str, str], ...]:
    """The facts that, if they were otherwise, would give another tier: each tried, kept if so."""
    trials: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []
    if exposure in ("known", "unknown", "public"):
        trials.append(("als de gegevens versleuteld waren (met een veilige sleutel)",
                       "if the data had been encrypted (with a safe key)", {"encrypted": "ja"}, {}))  # fmt: skip
    if exposure == "known":
        trials.append(("als de ontvanger bevestigt dat de gegevens zijn verwijderd",
                       "if the recipient confirms the data was deleted", {"deletion_confirmed": "ja"}, {}))  # fmt: skip
    if state["exfiltration"] in ("yes", "possible") and state["confidentiality"] in (None, "none", "unknown"):
        trials.append(("als vaststaat dat er niets is meegenomen", "if it is established that nothing was taken",
                       {"exfiltration": "uitgesloten"}, {}))  # fmt: skip
    if availability in ("lasting", "temporary") and state["availability"] != "permanent":
        trials.append(
            (
                "als een back-up de gegevens binnen een dag terugzet",
                "if a backup restores the data within a day",
                {"backup": "ja", "restore_time": "4 uur"},
                {},
            )
        )
    if many is not None and many > MANY:
        trials.append((f"bij {MANY} of minder betrokkenen", f"with {MANY} people or fewer", {},
                       {"affected_count": MANY}))  # fmt: skip
    elif exposure in ("unknown", "public"):
        trials.append((f"bij meer dan {MANY} betrokkenen", f"with more than {MANY} people", {},
                       {"affected_count": MANY + 1}))  # fmt: skip
    found = []
    for nl, en, facts, people in trials:
        other = assess({**assessment, **facts}, {**answers, **people}, what_if=False).tier
        if other != tier:
            found.append((f"{nl}: {TIERS[other]}", f"{en}: {TIERS_EN[other]}"))
    return tuple(found)


def table(severity: Severity, language: str) -> str:
    """The suggestion as a short table for an officer's mail: tier, score, one line per reason,
    and what would change it."""
    nl = language == "nl"
    band = severity.band if nl else BANDS_EN.get(severity.band or "", severity.band)
    score = (
        f"SE {decimal(severity.score, language)} ({band})"
        if severity.score is not None
        else ("nog niet te berekenen" if nl else "cannot be computed yet")
    )
    rows = [
        ("Voorstel" if nl else "Suggestion", [(TIERS if nl else TIERS_EN)[severity.tier]]),
        ("Score", [score]),
        ("Waarom" if nl else "Why", list(severity.reasons if nl else severity.reasons_en)),
        ("Anders als" if nl else "Other if", [c[0] if nl else c[1] for c in severity.changes]),
    ]
    lines = []
    for n, (label, values) in enumerate(rows):
        for i, value in enumerate(values):
            lines.append(f"{label if i == 0 else '':<12}{'- ' if n >= 2 else ''}{value}")
    lines.append(
        "Dit is een voorstel; u beslist (Melden AP: ja of nee)."
        if nl
        else "This is a suggestion; you decide (Notify AP: yes or no)."
    )
    return "\n".join(lines)
