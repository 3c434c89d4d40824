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
    # What the answer is, in a few words, for showing what was understood ("Aantal personen: 40").
    short_nl: str = ""
    short_en: str = ""

    def text(self, language: str) -> str:
        return self.nl if language == "nl" else self.en

    def label(self, language: str) -> str:
        return self.short_nl if language == "nl" else self.short_en


QUESTIONS: tuple[Question, ...] = (
    Question(
        "description",
        "Wat is er precies gebeurd?",
        "What exactly happened?",
        "Wat er gebeurde",
        "What happened",
    ),
    Question(
        "data_types",
        "Om welke (soorten) persoonsgegevens gaat het?",
        "Which (kinds of) personal data are involved?",
        "Persoonsgegevens",
        "Personal data",
    ),
    Question(
        "affected_count",
        "Over hoeveel personen gaat het (ongeveer)?",
        "About how many people are involved?",
        "Aantal personen",
        "Number of people",
    ),
    Question(
        "affected_group",
        "Welke groep betreft het (bijvoorbeeld huurders, cliënten, medewerkers)?",
        "Which group are they (for example tenants, clients, employees)?",
        "Groep",
        "Group",
    ),
    Question(
        "cause",
        "Wat is de oorzaak?",
        "What caused it?",
        "Oorzaak",
        "Cause",
    ),
    Question(
        "occurred_at",
        "Wanneer is het gebeurd (datum en tijd)?",
        "When did it happen (date and time)?",
        "Wanneer",
        "When",
    ),
    Question(
        "affected_contacts",
        "Contactgegevens van de betrokkenen, voor zover bekend",
        "Contact details of the people affected, where known",
        "Contactgegevens betrokkenen",
        "Contact details of the people affected",
    ),
    Question(
        "reporter_contact",
        "Uw eigen contactgegevens (telefoonnummer)",
        "Your own contact details (phone number)",
        "Contactgegevens melder",
        "Reporter's contact details",
    ),
)


# A processor (art. 33(2)) is asked what a processor can answer, numbered on from the eight above:
# its contact for follow-up in place of the reporter's own phone number, then its own incident
# number, the systems and clients affected, its measures, and when it became aware.
PROCESSOR_CONTACT = Question(
    "reporter_contact",
    "Contactpersoon voor vervolgvragen (naam, e-mailadres, telefoonnummer)",
    "Contact for follow-up questions (name, e-mail address, phone number)",
    "Contactpersoon",
    "Contact",
)
PROCESSOR_QUESTIONS: tuple[Question, ...] = (
    Question(
        "processor_reference",
        "Wat is uw eigen incidentnummer?",
        "What is your own incident number?",
        "Incidentnummer verwerker",
        "Processor's incident number",
    ),
    Question(
        "processor_scope",
        "Welke systemen zijn getroffen, en welke klanten (opdrachtgevers) naast ons?",
        "Which systems are affected, and which clients besides us?",
        "Systemen en klanten",
        "Systems and clients",
    ),
    Question(
        "processor_measures",
        "Welke maatregelen heeft u genomen of gaat u nemen?",
        "What measures have you taken or will you take?",
        "Maatregelen verwerker",
        "Processor's measures",
    ),
    Question(
        "processor_aware_at",
        "Sinds wanneer weet u zelf van het incident (datum en tijd)?",
        "Since when have you yourself known of the incident (date and time)?",
        "Verwerker op de hoogte sinds",
        "Processor aware since",
    ),
)
# The numbered list a processor gets; numbers 1-8 mean what they mean for every reporter.
PROCESSOR_ASKS: tuple[Question, ...] = (*QUESTIONS[:-1], PROCESSOR_CONTACT, *PROCESSOR_QUESTIONS)


def asked(processor: bool) -> tuple[Question, ...]:
    """The questions a reporter is asked, in their numbering: a processor's list, or the usual."""
    return PROCESSOR_ASKS if processor else QUESTIONS


def question_label(field: str, language: str) -> str:
    """The few words for a field ("Aantal personen"); the field's own name only if it asks nothing."""
    return next((q.label(language) for q in (*QUESTIONS, *PROCESSOR_QUESTIONS) if q.field == field), field)
