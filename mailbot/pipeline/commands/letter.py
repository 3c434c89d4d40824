"""``Brief betrokkenen`` / ``Letter to data subjects``: the letter to the people affected
(art. 34 GDPR), as PDF and DOCX attached to the reply; ``Publieke mededeling`` / ``Public
statement``: the same facts as a statement for the website or the press, for when the people
cannot be written to one by one. The letter as made is archived with the case (procedure R):
its Word and PDF files are stored as the case's attachments, its text in the audit trail, and
the case records when it was made, which the register shows. The English words give the
English letter."""

from __future__ import annotations

import hashlib

from mailbot.core.compose import Attachment
from mailbot.model.models import StoredAttachment
from mailbot.pipeline.commands import Command, Context, Outcome, normalise_word
from mailbot.register import letter

LETTER_NL = ("brief betrokkenen", "brief aan betrokkenen")
LETTER_EN = ("letter to data subjects", "letter to subjects")
PUBLIC_NL = ("publieke mededeling", "openbare mededeling")
PUBLIC_EN = ("public statement",)
WORDS = LETTER_NL + LETTER_EN + PUBLIC_NL + PUBLIC_EN
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def run(ctx: Context, word: str, value: str) -> Outcome:
    w = normalise_word(word)
    public = w in PUBLIC_NL + PUBLIC_EN
    language = "en" if w in LETTER_EN + PUBLIC_EN else "nl"
    made = letter.build(ctx.case, ctx.svc.settings, ctx.now, language, public=public)
    stem = (
        ("mededeling" if language == "nl" else "statement") if public else ("brief" if language == "nl" else "letter")
    )
    name = f"{stem}-{ctx.case.kenmerk}"
    document, template_problem = letter.word(made, ctx.svc.settings.letter_template)
    files = [
        Attachment(f"{name}.docx", DOCX, document),
        Attachment(f"{name}.pdf", "application/pdf", letter.pdf(made)),
    ]
    ctx.files += files
    archived = [_archive(ctx, f, public) for f in files]
    ctx.case.subjects_letter_at = ctx.now
    text = made.text()
    ctx.record(
        "subjects_letter_made", public=public, language=language, text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(), missing=list(made.missing),
        files={a.filename: a.sha256 for a in archived},
    )  # fmt: skip
    said = ctx.say(
        f"{'de mededeling' if public else 'de brief'} staat in de bijlagen (Word en PDF)",
        f"the {'statement' if public else 'letter'} is attached (Word and PDF)",
    )
    if template_problem:
        said += ctx.say(
            f"; uw eigen sjabloon (MAILBOT_LETTER_TEMPLATE) kon niet worden gebruikt, dus de Word-versie "
            f"heeft de standaardopmaak: {template_problem.said('nl')}",
            f"; your own template (MAILBOT_LETTER_TEMPLATE) could not be used, so the Word file has the "
            f"built-in layout: {template_problem.said('en')}",
        )
    if made.missing:
        said += ctx.say(f"; vul nog in: {', '.join(made.missing)}", f"; still to fill in: {', '.join(made.missing)}")
    if ctx.case.subjects_informed_at is None:
        said += ctx.say(
            "; leg na verzending vast: 'Betrokkenen geïnformeerd op: …' en 'Kanaal: brief'",
            "; once sent, record: 'Betrokkenen geïnformeerd op: …' and 'Kanaal: brief'",
        )
    return Outcome(word, True, said)


def _archive(ctx: Context, file: Attachment, public: bool) -> StoredAttachment:
    """Keep a made file with the case, beside the attachments of its mail (procedure R)."""
    digest = hashlib.sha256(file.payload).hexdigest()
    what = ctx.say("publieke mededeling" if public else "brief aan de betrokkenen",
                   "public statement" if public else "letter to the people affected")  # fmt: skip
    row = StoredAttachment(
        case_id=ctx.case.id,
        inbound_message_id=ctx.message.id or 0,
        filename=file.filename,
        content_type=file.content_type,
        size=len(file.payload),
        sha256=digest,
        stored_path=ctx.svc.store.put("attachments", file.payload, digest=digest),
        note=ctx.say(f"{what}, gemaakt op verzoek van {ctx.officer}", f"{what}, made at the request of {ctx.officer}"),
    )
    ctx.s.add(row)
    return row


# A letter made again from the file changes nothing: fine on a closed case.
COMMANDS = (Command("letter", WORDS, run, on_closed=True),)
