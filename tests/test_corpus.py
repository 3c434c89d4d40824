"""The corpus of malformed and unusual mail (tests/data/corpus, described in its README):
each message is read without an error escaping, and in the lab each one is stored
byte-identical and ends as a case, reply, ignored or quarantined message, with the worker
moving on to the next."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from sqlmodel import select

from mailbot.cli.demo import BOT, EMPLOYEE
from mailbot.core.classify import Context, classify
from mailbot.core.parse import ParseError, message_identity, parse_message
from mailbot.model import db
from mailbot.model.models import InboundMessage, Outbox
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import Bot, close_bot, make_bot, parse, report

CORPUS = Path(__file__).parent / "data" / "corpus"
FILES = sorted(p for p in CORPUS.iterdir() if p.name.endswith((".eml", ".eml.gz")))
CTX = Context(bot_addresses=frozenset({BOT}), keywords=("beveiligingsincident", "datalek"))
DISPOSITIONS = {"case", "reply", "ignored", "quarantined"}


def raw_of(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def test_the_corpus_is_the_promised_size() -> None:
    sizes = {p.name: len(raw_of(p)) for p in FILES}
    assert len(FILES) >= 50
    assert sizes["zero_byte.eml"] == 0
    assert sizes["huge_50mb.eml.gz"] >= 50 * 1024 * 1024
    assert sizes["subject_1mb.eml.gz"] >= 1024 * 1024
    assert raw_of(CORPUS / "recipients_10000.eml.gz").count(b"@example.org") > 10000
    documented = (CORPUS / "README.md").read_text()
    assert [p.name for p in FILES if p.name not in documented] == []


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_parse_and_classify_never_raise(path: Path) -> None:
    """Reading fails only with ParseError (the worker quarantines those); anything read is
    classified, under the Message-ID intake stored it by."""
    raw = raw_of(path)
    try:
        message = parse_message(raw)
    except ParseError:
        return
    assert message.message_id == (message_identity(raw)[0] or "")
    assert classify(message, CTX).disposition.value in DISPOSITIONS
    for a in message.attachments:
        assert a.filename and "/" not in a.filename and "\\" not in a.filename and a.filename not in (".", "..")
        assert not any(ord(ch) < 32 for ch in a.filename)


def test_html_is_read_as_text_never_run() -> None:
    """HTML-only mail becomes plain text: scripts, handlers, styles, forms and remote images are
    dropped, not kept as markup that something might later display."""
    message = parse_message(raw_of(CORPUS / "html_script_and_handlers.eml"))
    assert "datalek" in message.text and message.html_only
    for trace in ("<", "document.cookie", "alert(", "onerror", "javascript:"):
        assert trace not in message.text, trace
    tracking = parse_message(raw_of(CORPUS / "html_remote_images_and_form.eml")).text
    assert "tracker.example" not in tracking and "<form" not in tracking and "background:url" not in tracking


def test_every_message_is_stored_and_handled_and_the_worker_moves_on(clean_lab: LabMailServer) -> None:
    """Appended as they are, except the zero-byte message, which Dovecot refuses to store: it is
    sent over SMTP, where it arrives as Postfix's trace headers and nothing else. (Most come from
    one sender: the loop guard and reply cap are raised so that each message is really handled.)"""
    bot = make_bot(clean_lab, MAILBOT_LOOP_LIMIT="10000", MAILBOT_MAX_REPLIES_PER_HOUR="10000")
    try:
        _handle_corpus(bot)
    finally:
        close_bot(bot)


def _handle_corpus(bot: Bot) -> None:
    with bot.lab.imap(BOT) as c:
        for path in FILES:
            if path.stat().st_size:
                c.append("INBOX", raw_of(path))
    bot.lab.send(b"", EMPLOYEE, [BOT])
    on_server = bot.lab.wait_for(BOT, len(FILES))
    result = bot.run_pass()
    assert result.errors == []
    assert result.stored == len(on_server)
    with db.session(bot.svc.engine) as s:
        stored = list(s.exec(select(InboundMessage).order_by(InboundMessage.id)))  # type: ignore[arg-type]
    assert len(stored) == len(on_server)
    for raw, m in zip(on_server, stored, strict=True):
        assert bot.svc.store.read(m.raw_path) == raw, f"message #{m.id} not stored byte-identical"
        assert m.status in ("processed", "quarantined") and m.disposition in DISPOSITIONS, (m.id, m.reason)
    counts = {d: sum(m.disposition == d for m in stored) for d in DISPOSITIONS}
    assert counts["case"] >= 60 and counts["quarantined"] <= 2, counts
    rules = {m.rule for m in stored}
    assert "mail-loop" not in rules and "duplicate" not in rules, rules

    # A subject that tries to add a header (an encoded CR LF) stays one line in the reply.
    (injected,) = [m for m in stored if m.message_id == "<rfc2047_header_injection@corpus.example.org>"]
    with db.session(bot.svc.engine) as s:
        (ack,) = s.exec(
            select(Outbox).where(Outbox.caused_by_message_id == injected.id, Outbox.kind == "reporter_acknowledgement")
        )
    head = ack.raw.split(b"\r\n\r\n", 1)[0]
    assert not any(line.lower().startswith(b"bcc:") for line in head.split(b"\r\n"))

    bot.lab.send(report(subject="beveiligingsincident na de rommel"), EMPLOYEE, [BOT])
    bot.lab.wait_for(BOT, len(on_server) + 1)
    assert len(bot.run_pass().kenmerken) == 1
    assert any("na de rommel" in str(parse(m)["Subject"]) for m in bot.lab.wait_for(EMPLOYEE, 1))
