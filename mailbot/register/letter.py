"""The letter to the people affected (art. 34 GDPR, procedure R), from the case's facts.

Art. 34(2) asks for, in clear and plain language: the nature of the breach, the name and
contact details of the FG or another contact point, the likely consequences, and the measures
taken or proposed. The letter adds advice that fits the kinds of data involved (watch for
phishing, block a bank card, report identity fraud). It is written at B1 level (short
sentences, everyday words); what the case does not say yet is left as ``[…]`` for the
organisation to fill in, and listed, so a letter is never sent with a gap unnoticed.

The same facts make a public statement (``public=True``) for when the people cannot be
reached one by one (art. 34(3)(c)). Output as PDF (fpdf2) and DOCX (python-docx), which the
organisation edits and prints on its letterhead.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime

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

    def text(self) -> str:
        lines = [self.title, "", self.date, ""]
        for heading, body in self.blocks:
            lines += ([heading] if heading else []) + [body, ""]
        return "\n".join(lines)


def build(case: Case, settings: Settings, now: datetime, language: str, public: bool = False) -> Letter:
    nl = language == "nl"
    answers = json.loads(case.answers or "{}")
    assessment = json.loads(case.assessment or "{}")
    missing: list[str] = []

    def fact(value: object, what_nl: str, what_en: str) -> str:
        text = str(value or "").strip()
        if not text:
            missing.append(what_nl if nl else what_en)
            return f"[{what_nl if nl else what_en}]"
        return text

    org = settings.organisation
    name = org.name or ("onze organisatie" if nl else "our organisation")
    what = fact(assessment.get("summary"), "wat er is gebeurd, in gewone woorden", "what happened, in plain words")
    categories = str(assessment.get("categories") or answers.get("data_types") or "")
    kinds = fact(categories, "welke gegevens het zijn", "which data it is")
    consequences = fact(assessment.get("consequences"), "wat de gevolgen voor u kunnen zijn",
                        "what the consequences for you may be")  # fmt: skip
    measures = fact(assessment.get("measures"), "wat wij hebben gedaan", "what we have done")
    contact_name = fact(org.contact_name, "naam van de functionaris gegevensbescherming (FG)", "name of the DPO")
    contact = ", ".join(x for x in (org.contact_email, org.contact_phone) if x) or fact(
        "", "e-mailadres en telefoonnummer van de FG", "e-mail and phone of the DPO"
    )
    advice = [a[1] if nl else a[2] for a in ADVICE if words_in(categories.lower(), a[0])]
    advice.append(PHISHING[0] if nl else PHISHING[1])
    blocks = (
        ("", ("Beste lezer," if public else "Geachte heer, mevrouw,") if nl else
         ("Dear reader," if public else "Dear Sir or Madam,")),
        ("", (f"Bij {name} is iets misgegaan met persoonsgegevens. "
              + ("Het gaat om gegevens van een aantal mensen. " if public else "Het gaat ook om uw gegevens. ")
              + "Dat vinden wij heel vervelend. Hieronder leest u wat er is gebeurd, wat dat voor u kan "
              "betekenen en wat u zelf kunt doen.") if nl else
         (f"Something went wrong with personal data at {name}. "
          + ("Data of a number of people is involved. " if public else "Your data is involved. ")
          + "We are very sorry. Below you can read what happened, what it may mean for you and what you "
          "can do.")),
        ("Wat is er gebeurd?" if nl else "What happened?", what),
        ("Om welke gegevens gaat het?" if nl else "Which data is involved?", kinds),
        ("Wat kan dit voor u betekenen?" if nl else "What may this mean for you?", consequences),
        ("Wat hebben wij gedaan?" if nl else "What have we done?", measures),
        ("Wat kunt u zelf doen?" if nl else "What can you do?", "\n\n".join(advice)),
        ("Vragen?" if nl else "Questions?",
         (f"Neem dan contact op met {contact_name}, functionaris gegevensbescherming (FG) van {name}: "
          f"{contact}. Noem ons kenmerk {case.kenmerk}. U kunt ook een klacht indienen bij de "
          "Autoriteit Persoonsgegevens (www.autoriteitpersoonsgegevens.nl).") if nl else
         (f"Please contact {contact_name}, data protection officer (DPO) of {name}: {contact}. Mention our "
          f"reference {case.kenmerk}. You may also complain to the Dutch Data Protection Authority "
          "(www.autoriteitpersoonsgegevens.nl).")),
        ("", ("Met vriendelijke groet,\n\n" if nl else "Kind regards,\n\n") + name),
    )  # fmt: skip
    if public:
        title = f"Mededeling over een datalek bij {name}" if nl else f"Statement about a data breach at {name}"
    else:
        title = f"Uw gegevens: er is iets misgegaan (kenmerk {case.kenmerk})" if nl else (
            f"Your personal data: something went wrong (reference {case.kenmerk})")  # fmt: skip
    date = wording.when(now, settings.timezone, language, time=False)
    return Letter(case.kenmerk, title, date, blocks, tuple(missing))


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
