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
risk (notify the AP and the people affected). It is a suggestion with its reasons; the
officer decides. Special-category or criminal data is never suggested as "no risk".
"""

from __future__ import annotations

import re
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
             "identiteitsbewijs")  # fmt: skip
BEHAVIOURAL = ("gedrag", "locatie", "surfgedrag", "voorkeuren", "gewoonten", "behaviour", "behavior", "location",
               "preferences", "habits")  # fmt: skip
EI_VALUES = {"verwaarloosbaar": 0.25, "negligible": 0.25, "beperkt": 0.5, "limited": 0.5,
             "aanzienlijk": 0.75, "significant": 0.75, "maximaal": 1.0, "maximum": 1.0, "volledig": 1.0}  # fmt: skip
BANDS = ((2.0, "laag"), (3.0, "gemiddeld"), (4.0, "hoog"))
TIERS = {"none": "geen risico: alleen registreren", "risk": "risico: melden bij de AP",
         "high": "hoog risico: melden bij de AP en de betrokkenen informeren"}  # fmt: skip


def words_in(text: str, words: tuple[str, ...]) -> list[str]:
    """The words found at the start of a word: Dutch inflects (strafrechtelijk-e, medisch-e) and
    compounds (bankrekening, loonstrook). Stems of three letters or fewer must match whole."""
    low = text.lower()
    return [w for w, pattern in _patterns(words) if pattern.search(low)]


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "band": self.band,
            "tier": self.tier,
            "tier_text": TIERS[self.tier],
            "reasons": list(self.reasons),
            "dpc": self.dpc,
            "ei": self.ei,
            "cb": self.cb,
        }


def band_of(score: float) -> str:
    for limit, name in BANDS:
        if score < limit:
            return name
    return "zeer hoog"


def _yes(value: Any) -> bool:
    return str(value or "").strip().lower() in ("ja", "yes", "j", "y", "true", "1")


def assess(assessment: dict[str, Any], answers: dict[str, Any]) -> Severity:
    """The score, its band and a suggested tier, with one line of reason each."""
    reasons: list[str] = []
    categories = " ".join(str(x) for x in (assessment.get("categories"), answers.get("data_types")) if x)
    sensitive = words_in(categories, SENSITIVE)
    criminal = words_in(categories, CRIMINAL)
    financial = words_in(categories, FINANCIAL)
    behavioural = words_in(categories, BEHAVIOURAL)
    if sensitive:
        dpc, why = 4.0, f"bijzondere of strafrechtelijke gegevens ({', '.join(sensitive)}): DPC 4"
    elif financial:
        dpc, why = 3.0, f"financiële of identificerende gegevens ({', '.join(financial)}): DPC 3"
    elif behavioural:
        dpc, why = 2.0, f"gedragsgegevens ({', '.join(behavioural)}): DPC 2"
    elif categories.strip():
        dpc, why = 1.0, "eenvoudige gegevens: DPC 1"
    else:
        dpc, why = 0.0, ""
    if assessment.get("dpc") not in (None, ""):
        dpc, why = float(assessment["dpc"]), f"DPC door de beoordelaar gesteld op {assessment['dpc']}"
    if why:
        reasons.append(why)

    ei = EI_VALUES.get(str(assessment.get("identifiability", "")).strip().lower())
    if ei is not None:
        reasons.append(f"identificeerbaarheid {assessment['identifiability']}: EI {ei}")

    cb = 0.0
    for key, table in (("confidentiality", {"bekend": 0.25, "known": 0.25, "onbekend": 0.5, "unknown": 0.5}),
                       ("integrity", {"herstelbaar": 0.25, "recoverable": 0.25, "niet herstelbaar": 0.5,
                                      "not recoverable": 0.5}),
                       ("availability", {"tijdelijk": 0.25, "temporary": 0.25, "permanent": 0.5,
                                         "blijvend": 0.5})):  # fmt: skip
        value = str(assessment.get(key, "")).strip().lower()
        for word in sorted(table, key=len, reverse=True):
            if word in value:
                cb += table[word]
                reasons.append(f"verlies van {_NATURE[key]} ({value}): +{table[word]}")
                break
    if _yes(assessment.get("malicious")):
        cb += 0.5
        reasons.append("kwade opzet: +0.5")

    score = round(dpc * ei + cb, 2) if dpc and ei is not None else None
    band = band_of(score) if score is not None else None
    if score is not None:
        reasons.append(f"SE = {dpc:g} × {ei:g} + {cb:g} = {score:g} ({band})")

    count = answers.get("affected_count")
    many = (count if isinstance(count, int) else (count or {}).get("max") or (count or {}).get("min") or 0) \
        if isinstance(count, int | dict) else 0  # fmt: skip
    if isinstance(many, int) and many > 100:
        reasons.append(f"meer dan 100 betrokkenen ({many})")
    encrypted = _yes(assessment.get("encrypted"))
    if encrypted:
        reasons.append("gegevens onbegrijpelijk gemaakt (versleuteld)")
    if _yes(assessment.get("other_eu")):
        reasons.append("betrokkenen in andere EU-landen: mogelijk ook andere toezichthouders")

    if band in ("hoog", "zeer hoog"):
        tier = "high"
    elif band == "gemiddeld":
        tier = "risk"
    elif band == "laag":
        tier = "none"
    else:
        tier = "risk"
        reasons.append("nog onvoldoende beoordeeld: voorlopig als risico behandelen")
    if encrypted and tier != "none" and not (sensitive or criminal) and "availability" not in assessment:
        tier = "none"
        reasons.append("versleuteld: de betrokkenen lopen naar verwachting geen risico")
    if tier == "none" and (sensitive or criminal):
        tier = "risk"
        reasons.append("bijzondere of strafrechtelijke gegevens worden nooit als 'geen risico' voorgesteld")
    return Severity(score, band, tier, tuple(reasons), dpc or None, ei, cb)


_NATURE = {"confidentiality": "vertrouwelijkheid", "integrity": "integriteit", "availability": "beschikbaarheid"}
