"""The protocol's phases, and the words people use for them.

Ontdekken → Inventariseren → Kwalificeren → Herstellen → Melden → Archiveren. A case's
``status`` is stored in Dutch; officers may name a phase in Dutch or English (``Status:``), and
the register's export filters by the same words. Pure.
"""

from __future__ import annotations

# value -> (status, phase). The phases of the protocol: Ontdekken → Inventariseren →
# Kwalificeren → Herstellen → Melden → Archiveren.
STATES: dict[str, tuple[str, str]] = {
    "ontdekken": ("ontvangen", "ontdekken"), "ontvangen": ("ontvangen", "ontdekken"),
    "discover": ("ontvangen", "ontdekken"), "received": ("ontvangen", "ontdekken"),
    "inventariseren": ("inventariseren", "inventariseren"), "inventory": ("inventariseren", "inventariseren"),
    "investigate": ("inventariseren", "inventariseren"), "investigating": ("inventariseren", "inventariseren"),
    "kwalificeren": ("kwalificeren", "kwalificeren"), "qualify": ("kwalificeren", "kwalificeren"),
    "assess": ("kwalificeren", "kwalificeren"), "assessment": ("kwalificeren", "kwalificeren"),
    "herstellen": ("herstellen", "herstellen"), "remediate": ("herstellen", "herstellen"),
    "recover": ("herstellen", "herstellen"), "remediation": ("herstellen", "herstellen"),
    "melden": ("melden", "melden"), "notify": ("melden", "melden"), "notification": ("melden", "melden"),
    "gearchiveerd": ("gearchiveerd", "archiveren"), "archiveren": ("gearchiveerd", "archiveren"),
    "archived": ("gearchiveerd", "archiveren"), "archive": ("gearchiveerd", "archiveren"),
    "afgesloten": ("gearchiveerd", "archiveren"), "closed": ("gearchiveerd", "archiveren"),
    "geen datalek": ("geen datalek", "archiveren"), "no breach": ("geen datalek", "archiveren"),
    "not a breach": ("geen datalek", "archiveren"), "no data breach": ("geen datalek", "archiveren"),
}  # fmt: skip
CLOSED = ("gearchiveerd", "geen datalek")
