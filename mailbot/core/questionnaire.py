"""The questions the reporter is asked (the discoverer's part of the protocol).

The order here is the numbering in the acknowledgement; answer extraction reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    field: str
    nl: str
    en: str

    def text(self, language: str) -> str:
        return self.nl if language == "nl" else self.en


QUESTIONS: tuple[Question, ...] = (
    Question("description", "Wat is er precies gebeurd?", "What exactly happened?"),
    Question(
        "data_types", "Om welke (soorten) persoonsgegevens gaat het?", "Which (kinds of) personal data are involved?"
    ),
    Question("affected_count", "Over hoeveel personen gaat het (ongeveer)?", "About how many people are involved?"),
    Question(
        "affected_group",
        "Welke groep betreft het (bijvoorbeeld huurders, cliënten, medewerkers)?",
        "Which group are they (for example tenants, clients, employees)?",
    ),
    Question("cause", "Wat is de oorzaak?", "What caused it?"),
    Question("occurred_at", "Wanneer is het gebeurd (datum en tijd)?", "When did it happen (date and time)?"),
    Question(
        "affected_contacts",
        "Contactgegevens van de betrokkenen, voor zover bekend",
        "Contact details of the people affected, where known",
    ),
    Question(
        "reporter_contact",
        "Uw eigen contactgegevens (telefoonnummer)",
        "Your own contact details (phone number)",
    ),
)
