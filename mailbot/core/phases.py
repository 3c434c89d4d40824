"""The protocol's phases, and the words people use for them.

Ontdekken → Inventariseren → Kwalificeren → Herstellen → Melden → Archiveren. A case's
``status`` is stored in Dutch; officers may name a phase in Dutch or English (``Status:``), and
the register's export filters by the same words. Pure.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    """A case's status as stored (the values are kept as they are in the database)."""

    ONTVANGEN = "ontvangen"
    INVENTARISEREN = "inventariseren"
    KWALIFICEREN = "kwalificeren"
    HERSTELLEN = "herstellen"
    MELDEN = "melden"
    GEARCHIVEERD = "gearchiveerd"
    GEEN_DATALEK = "geen datalek"


class Phase(StrEnum):
    """The protocol's phases, as stored with a case."""

    ONTDEKKEN = "ontdekken"
    INVENTARISEREN = "inventariseren"
    KWALIFICEREN = "kwalificeren"
    HERSTELLEN = "herstellen"
    MELDEN = "melden"
    ARCHIVEREN = "archiveren"


# (status, phase) -> the words, Dutch and English, that name it.
_WORDS: dict[tuple[CaseStatus, Phase], tuple[str, ...]] = {
    (CaseStatus.ONTVANGEN, Phase.ONTDEKKEN): ("ontdekken", "ontvangen", "discover", "received"),
    (CaseStatus.INVENTARISEREN, Phase.INVENTARISEREN): ("inventariseren", "inventory", "investigate", "investigating"),
    (CaseStatus.KWALIFICEREN, Phase.KWALIFICEREN): ("kwalificeren", "qualify", "assess", "assessment"),
    (CaseStatus.HERSTELLEN, Phase.HERSTELLEN): ("herstellen", "remediate", "recover", "remediation"),
    (CaseStatus.MELDEN, Phase.MELDEN): ("melden", "notify", "notification"),
    (CaseStatus.GEARCHIVEERD, Phase.ARCHIVEREN): (
        "gearchiveerd", "archiveren", "archived", "archive", "afgesloten", "closed",
    ),
    (CaseStatus.GEEN_DATALEK, Phase.ARCHIVEREN): ("geen datalek", "no breach", "not a breach", "no data breach"),
}  # fmt: skip

# word -> (status, phase)
STATES: dict[str, tuple[CaseStatus, Phase]] = {word: state for state, words in _WORDS.items() for word in words}
CLOSED = (CaseStatus.GEARCHIVEERD, CaseStatus.GEEN_DATALEK)

# A case's state as an officer reads it in a notice: the status, and the phase only where it
# says something the status does not (a received case is in the phase of discovering it).
_SHOWN: dict[str, tuple[str, str]] = {
    CaseStatus.ONTVANGEN: ("ontvangen, fase ontdekken", "received, discovery phase"),
    CaseStatus.INVENTARISEREN: ("fase inventariseren", "investigation phase"),
    CaseStatus.KWALIFICEREN: ("fase kwalificeren", "assessment phase"),
    CaseStatus.HERSTELLEN: ("fase herstellen", "remediation phase"),
    CaseStatus.MELDEN: ("fase melden", "notification phase"),
    CaseStatus.GEARCHIVEERD: ("gearchiveerd", "archived"),
    CaseStatus.GEEN_DATALEK: ("afgesloten, geen datalek", "closed, not a data breach"),
}


def state_text(status: str, language: str = "nl") -> str:
    """``kwalificeren`` → "fase kwalificeren" (English "assessment phase"): one phrase, never
    the same word twice and never a Dutch stored value in an English mail."""
    nl, en = _SHOWN.get(status, (status, status))
    return nl if language == "nl" else en
