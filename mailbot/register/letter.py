"""The letter to the people affected (art. 34 GDPR, procedure R), from the case's facts.

Art. 34(2) asks for, in clear and plain language: the nature of the breach, the name and
contact details of the FG or another contact point, the likely consequences, and the measures
taken or proposed. The letter adds advice that fits the kinds of data involved (watch for
phishing, block a bank card, report identity fraud). It is written at B1 level (short
sentences, everyday words); what the case does not say yet is left as ``[…]`` for the
organisation to fill in, and listed, so a letter is never sent with a gap unnoticed.

The same facts make a public statement (``public=True``) for when the people cannot be
reached one by one (art. 34(3)(c)). Output as PDF (fpdf2) and DOCX (python-docx), which the
organisation edits and prints on its letterhead. An organisation may give its own Word document
(``MAILBOT_LETTER_TEMPLATE``, its letterhead and layout) with placeholders for the letter's parts
(:data:`PLACEHOLDERS`), filled by docxtpl; :func:`starter_template` makes one to begin from.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mailbot.core import wording
from mailbot.core.config import Settings
from mailbot.core.severity import words_in
from mailbot.model.models import Case
from mailbot.register.apdraft import new_pdf

# Advice by kind of data: (words that show it in the categories, Dutch advice, English advice).
ADVICE: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        (
            "bsn",
            "burgerservicenummer",
            "paspoort",
            "identiteitsbewijs",
            "id-kaart",
            "rijbewijs",
            "kopie id",
            "passport",
            "identity",
        ),
        "Uw burgerservicenummer of een kopie van uw identiteitsbewijs kan misbruikt worden. Denkt u dat "
        "iemand dat doet, bijvoorbeeld omdat u post krijgt over een lening of abonnement dat u niet "
        "afsloot? Meld het dan bij het Centraal Meldpunt "
        "Identiteitsfraude van de Rijksoverheid en doe aangifte bij de politie.",
        "Your citizen service number (BSN) or a copy of your ID could be misused. If you think someone is "
        "doing so, for instance because you get post about a loan or subscription you never took out, report "
        "it to the government's Centraal Meldpunt Identiteitsfraude and to the police.",
    ),
    (
        (
            "iban",
            "rekeningnummer",
            "bank",
            "creditcard",
            "credit card",
            "betaalpas",
            "financ",
            "salaris",
            "schulden",
            "uitkering",
        ),
        "Het gaat ook om financiële gegevens. Kijk de komende maanden goed naar de afschrijvingen op uw "
        "rekening. Ziet u iets wat u niet kent? Neem dan direct contact op met uw bank. Is uw "
        "pasnummer of creditcardnummer bekend geworden? Laat uw pas dan blokkeren.",
        "Financial data is involved too. Check your bank statements closely in the coming months. If you "
        "see a payment you do not recognise, contact your bank at once. If your card number became "
        "known, have the card blocked.",
    ),
    (
        ("wachtwoord", "inlog", "gebruikersnaam", "password", "login", "account"),
        "Verander uw wachtwoord. Gebruikt u hetzelfde wachtwoord ook ergens anders? Verander het daar ook.",
        "Change your password. If you use the same password anywhere else, change it there too.",
    ),
    (
        ("gezondheid", "medisch", "diagnose", "health", "medical"),
        "Het gaat om gegevens over uw gezondheid. Wilt u hierover praten? Bel of mail ons gerust.",
        "Data about your health is involved. If you would like to talk about this, please call or write to us.",
    ),
)
PHISHING = (
    "Let goed op bij e-mails, sms'jes en telefoontjes die over deze gegevens gaan of die lijken te komen "
    "van ons of van uw bank. Klik niet op links en geef nooit codes of wachtwoorden. Twijfelt u, of "
    "denkt u dat het om fraude gaat? De Fraudehelpdesk helpt u: 088 - 786 73 72, www.fraudehelpdesk.nl.",
    "Be careful with e-mails, text messages and phone calls about this data, or that seem to come from us or "
    "your bank. Do not click on links and never give codes or passwords. In doubt, or a fraud? The "
    "Fraudehelpdesk helps you: 088 - 786 73 72, www.fraudehelpdesk.nl.",
)


@dataclass(frozen=True)
class Letter:
    kenmerk: str
    title: str
    date: str
    blocks: tuple[tuple[str, str], ...]  # (heading, text); heading "" for plain paragraphs
    missing: tuple[str, ...]  # what the case does not say yet (left as […] in the text)
    # The same parts by name, for the organisation's own template (PLACEHOLDERS).
    parts: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)

    def text(self) -> str:
        lines = [self.title, "", self.date, ""]
        for heading, body in self.blocks:
            lines += ([heading] if heading else []) + [body, ""]
        return "\n".join(lines)


def _sentence(text: str, stop: bool = True) -> str:
    """An officer's note as a letter's sentence: "de ontvanger heeft de lijst gewist" →
    "De ontvanger heeft de lijst gewist." (a placeholder stays as it is)."""
    if not text or text.startswith("["):
        return text
    text = text[0].upper() + text[1:]
    return text + "." if stop and text[-1] not in ".!?:;)" else text


# Control characters other than the line break and the tab: Word cannot hold them (python-docx
# refuses the document) and docxtpl reads a BEL or form feed as a new paragraph or page.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def build(case: Case, settings: Settings, now: datetime, language: str, public: bool = False) -> Letter:
    nl = language == "nl"
    answers = json.loads(case.answers or "{}")
    assessment = json.loads(case.assessment or "{}")
    missing: list[str] = []

    def fact(value: object, what_nl: str, what_en: str) -> str:
        text = _CONTROL.sub("", str(value or "")).strip()
        if not text:
            missing.append(what_nl if nl else what_en)
            return f"[{what_nl if nl else what_en}]"
        return text

    org = settings.organisation
    name = org.name or ("onze organisatie" if nl else "our organisation")
    what = _sentence(fact(assessment.get("summary"), "wat er is gebeurd, in gewone woorden",
                          "what happened, in plain words"))  # fmt: skip
    categories = _CONTROL.sub("", str(assessment.get("categories") or answers.get("data_types") or ""))
    kinds = _sentence(fact(categories, "welke gegevens het zijn", "which data it is"), stop=False)
    consequences = _sentence(fact(assessment.get("consequences"), "wat de gevolgen voor u kunnen zijn",
                                  "what the consequences for you may be"))  # fmt: skip
    measures = _sentence(fact(assessment.get("measures"), "wat wij hebben gedaan", "what we have done"))
    contact_name = fact(org.contact_name, "naam van de functionaris gegevensbescherming (FG)", "name of the DPO")
    contact = ", ".join(x for x in (org.contact_email, org.contact_phone) if x) or fact(
        "", "e-mailadres en telefoonnummer van de FG", "e-mail and phone of the DPO"
    )
    advice = [a[1] if nl else a[2] for a in ADVICE if words_in(categories.lower(), a[0])]
    advice.append(PHISHING[0] if nl else PHISHING[1])
    greeting = ("Beste lezer," if public else "Geachte heer, mevrouw,") if nl else (
        "Dear reader," if public else "Dear Sir or Madam,")  # fmt: skip
    opening = (f"Bij {name} is iets misgegaan met persoonsgegevens. "
               + ("Het gaat om gegevens van een aantal mensen. " if public else "Het gaat ook om uw gegevens. ")
               + "Dat vinden wij heel vervelend. Hieronder leest u wat er is gebeurd, wat dat voor u kan "
               "betekenen en wat u zelf kunt doen.") if nl else (
        f"Something went wrong with personal data at {name}. "
        + ("Data of a number of people is involved. " if public else "Your data is involved. ")
        + "We are very sorry. Below you can read what happened, what it may mean for you and what you "
        "can do.")  # fmt: skip
    questions = (f"Neem dan contact op met {contact_name}, functionaris gegevensbescherming (FG) van {name}: "
                 f"{contact}. Noem ons kenmerk {case.kenmerk}. U kunt ook een klacht indienen bij de "
                 "Autoriteit Persoonsgegevens (www.autoriteitpersoonsgegevens.nl).") if nl else (
        f"Please contact {contact_name}, data protection officer (DPO) of {name}: {contact}. Mention our "
        f"reference {case.kenmerk}. You may also complain to the Dutch Data Protection Authority "
        "(www.autoriteitpersoonsgegevens.nl).")  # fmt: skip
    closing = "Met vriendelijke groet," if nl else "Kind regards,"
    # Signed with the organisation's name; without one the letter says what to fill in there,
    # never "onze organisatie" under the greeting.
    signed = org.name or fact("", "naam van de organisatie", "name of the organisation")
    blocks = (
        ("", greeting),
        ("", opening),
        ("Wat is er gebeurd?" if nl else "What happened?", what),
        ("Om welke gegevens gaat het?" if nl else "Which data is involved?", kinds),
        ("Wat kan dit voor u betekenen?" if nl else "What may this mean for you?", consequences),
        ("Wat hebben wij gedaan?" if nl else "What have we done?", measures),
        ("Wat kunt u zelf doen?" if nl else "What can you do?", "\n\n".join(advice)),
        ("Vragen?" if nl else "Questions?", questions),
        ("", f"{closing}\n\n{signed}"),
    )
    if public:
        title = f"Mededeling over een datalek bij {name}" if nl else f"Statement about a data breach at {name}"
    else:
        title = f"Uw gegevens: er is iets misgegaan (kenmerk {case.kenmerk})" if nl else (
            f"Your personal data: something went wrong (reference {case.kenmerk})")  # fmt: skip
    date = wording.when(now, settings.timezone, language, time=False)
    parts: dict[str, str | tuple[str, ...]] = {
        "kenmerk": case.kenmerk, "datum": date, "titel": title, "aanhef": greeting, "inleiding": opening,
        "wat_er_gebeurd_is": what, "gegevens": kinds, "gevolgen": consequences, "maatregelen": measures,
        "advies": tuple(advice), "vragen": questions, "groet": closing, "organisatie": signed,
        "fg_naam": contact_name, "fg_contact": contact,
    }  # fmt: skip
    return Letter(case.kenmerk, title, date, blocks, tuple(missing), parts)


# The placeholders an organisation's own Word template may use, and what each holds.
PLACEHOLDERS: tuple[tuple[str, str], ...] = (
    ("kenmerk", "the case's kenmerk, e.g. DL-2026-0042"),
    ("datum", "the letter's date, e.g. 2 december 2026"),
    ("titel", "the letter's title (the subject line)"),
    ("aanhef", "the salutation"),
    ("inleiding", "the opening paragraph"),
    ("wat_er_gebeurd_is", "what happened"),
    ("gegevens", "which data is involved"),
    ("gevolgen", "the likely consequences"),
    ("maatregelen", "the measures taken"),
    ("advies", "the advice, a list of paragraphs: {%p for alinea in advies %}{{ alinea }}{%p endfor %}"),
    ("vragen", "who to contact with questions (the FG) and the AP"),
    ("groet", "the closing words"),
    ("organisatie", "the organisation's name (MAILBOT_ORG_NAME)"),
    ("fg_naam", "the FG's name"),
    ("fg_contact", "the FG's e-mail address and phone number"),
)


def pdf(letter: Letter) -> bytes:
    """An A4 PDF: title, date, then each block under its heading."""
    doc, family, clean = new_pdf(letter.title)
    width = doc.w - doc.l_margin - doc.r_margin
    doc.set_font(family, "", 11)
    doc.multi_cell(width, 6, clean(letter.date), new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font(family, "B", 13)
    doc.multi_cell(width, 7, clean(letter.title), new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    for heading, body in letter.blocks:
        if heading:
            doc.set_font(family, "B", 11)
            doc.multi_cell(width, 6, clean(heading), new_x="LMARGIN", new_y="NEXT")
        doc.set_font(family, "", 11)
        doc.multi_cell(width, 6, clean(body), align="L", new_x="LMARGIN", new_y="NEXT")
        doc.ln(3)
    return bytes(doc.output())


class TemplateError(Exception):
    """The organisation's Word template could not be filled: a placeholder written wrong (the
    template language's own message in ``detail``), or not a readable Word document."""

    def __init__(self, template: Path, placeholder: bool, detail: str) -> None:
        self.template, self.placeholder, self.detail = template, placeholder, detail
        what = "a placeholder is not written right" if placeholder else "not a readable Word document"
        super().__init__(f"{template}: {what} ({detail})")

    def said(self, language: str) -> str:
        if language == "nl":
            what = "een plaatshouder is niet goed geschreven" if self.placeholder else "geen leesbaar Word-document"
        else:
            what = "a placeholder is not written right" if self.placeholder else "not a readable Word document"
        return f"{self.template.name}: {what} ({self.detail})"


def from_template(letter: Letter, template: Path) -> bytes:
    """The letter in the organisation's own Word document: its placeholders filled, every value
    escaped (a report's ``<`` or ``&`` is text, not Word's XML), a line break in a value kept."""
    from docxtpl import DocxTemplate, Listing
    from jinja2 import TemplateError as JinjaError

    values = {k: (v if isinstance(v, tuple) else Listing(v)) for k, v in letter.parts.items()}
    try:
        doc = DocxTemplate(str(template))
        doc.render(values, autoescape=True)
        out = io.BytesIO()
        doc.save(out)
    except JinjaError as exc:
        raise TemplateError(template, True, str(exc)) from exc
    except Exception as exc:  # not a Word document, unreadable, damaged
        raise TemplateError(template, False, f"{type(exc).__name__}: {exc}") from exc
    return out.getvalue()


def word(letter: Letter, template: Path | None) -> tuple[bytes, TemplateError | None]:
    """The Word document: in the organisation's template where one is set, else in the built-in
    layout; and why the template could not be used (None when it was, or none is set)."""
    if template is not None:
        try:
            return from_template(letter, template), None
        except TemplateError as exc:
            return docx(letter), exc
    return docx(letter), None


def starter_template() -> bytes:
    """A Word document with every placeholder in the built-in letter's order, for an
    organisation to put on its letterhead and reword (MAILBOT_LETTER_TEMPLATE)."""
    from docx import Document

    doc = Document()
    doc.add_paragraph("{{ organisatie }}")
    doc.add_paragraph("{{ datum }}")
    doc.add_heading("{{ titel }}", level=1)
    doc.add_paragraph("{{ aanhef }}")
    doc.add_paragraph("{{ inleiding }}")
    for heading, name in (
        ("Wat is er gebeurd?", "wat_er_gebeurd_is"),
        ("Om welke gegevens gaat het?", "gegevens"),
        ("Wat kan dit voor u betekenen?", "gevolgen"),
        ("Wat hebben wij gedaan?", "maatregelen"),
    ):
        doc.add_heading(heading, level=2)
        doc.add_paragraph("{{ " + name + " }}")
    doc.add_heading("Wat kunt u zelf doen?", level=2)
    for line in ("{%p for alinea in advies %}", "{{ alinea }}", "{%p endfor %}"):
        doc.add_paragraph(line)
    doc.add_heading("Vragen?", level=2)
    doc.add_paragraph("{{ vragen }}")
    doc.add_paragraph("{{ groet }}")
    doc.add_paragraph("{{ organisatie }}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def docx(letter: Letter) -> bytes:
    """A Word document the organisation edits and prints on its letterhead."""
    from docx import Document

    doc = Document()
    doc.core_properties.title = letter.title
    doc.add_paragraph(letter.date)
    doc.add_heading(letter.title, level=1)
    for heading, body in letter.blocks:
        if heading:
            doc.add_heading(heading, level=2)
        for paragraph in body.split("\n\n"):
            doc.add_paragraph(paragraph)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
