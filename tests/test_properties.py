"""Property-based tests (hypothesis): generated messages with random headers, nesting,
charsets, transfer encodings and boundaries, some of them then damaged at the byte level.

Properties: reading a message fails only with ParseError; and every message, once stored,
leaves the pipeline with a disposition (never stuck as received, never raising out of a
stage), stored byte-identical."""

from __future__ import annotations

import base64
import quopri
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from mailbot.core.classify import Context, classify
from mailbot.core.parse import ParseError, parse_message
from mailbot.mail.mailbox import Fetched
from mailbot.model import db
from mailbot.model.models import InboundMessage
from mailbot.model.services import Services
from mailbot.pipeline import dispatch
from mailbot.pipeline.intake import IntakeResult, _store_batch
from tests.offline import offline_services

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "utf-7", "utf-16", "x-unknown", "", "us-ascii", "gb2312"]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "binary", "x-garbage", ""]
HEADER_NAMES = [
    "From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Auto-Submitted",
    "Return-Path", "Precedence", "List-Id", "Content-Language", "Authentication-Results", "X-Anything",
]  # fmt: skip
SUBJECT_WORDS = ["beveiligingsincident", "datalek", "Re:", "Fwd:", "DL-2026-0001", "vraag", "=?utf-8?B?w6k=?="]

text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80)


def _header_value(draw: st.DrawFn, name: str) -> str:
    if name in ("From", "To", "Cc"):
        local = draw(st.sampled_from(["jan", "zoë", "", "a.b+c", '"x y"', "mailer-daemon"]))
        domain = draw(st.sampled_from(["example.org", "bücher.example", "", "[127.0.0.1]"]))
        return draw(st.sampled_from([f"{local}@{domain}", f"Naam <{local}@{domain}>", "", "groep:;", local]))
    if name == "Subject":
        return " ".join(draw(st.lists(st.sampled_from(SUBJECT_WORDS), max_size=4))) + draw(text)
    if name in ("Message-ID", "In-Reply-To", "References"):
        return draw(st.sampled_from(["<a@b>", "<x@example.org> <y@example.org>", "geen", "<é@ü>", ""]))
    return draw(text)


@st.composite
def part(draw: st.DrawFn, depth: int = 0) -> str:
    """One MIME entity: headers and body, as text (encoded to bytes at the end)."""
    if depth < 4 and draw(st.integers(0, 3)) == 0:
        boundary = draw(st.sampled_from(["b", "==b==", "same", "", "a" * 80]))
        subtype = draw(st.sampled_from(["mixed", "alternative", "related", "report", "signed"]))
        children = draw(st.lists(part(depth + 1), max_size=3))
        closing = draw(st.booleans())
        body = "".join(f"--{boundary}\n{c}\n" for c in children) + (f"--{boundary}--\n" if closing else "")
        return f'Content-Type: multipart/{subtype}; boundary="{boundary}"\n\n{body}'
    ctype = draw(st.sampled_from(["text/plain", "text/html", "application/pdf", "message/rfc822", "image/png", "x/y"]))
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from(ENCODINGS))
    content = draw(text)
    if cte == "base64":
        content = base64.b64encode(content.encode("utf-8", "surrogatepass")).decode() + draw(
            st.sampled_from(["", "!!", "="])
        )
    elif cte == "quoted-printable":
        content = quopri.encodestring(content.encode("utf-8", "surrogatepass")).decode() + draw(
            st.sampled_from(["", "=Z", "="])
        )
    name = draw(st.sampled_from(["", '; name="../x.pdf"', "; name*=utf-8''%E2%82", '; name="a\\"b"']))
    disposition = draw(
        st.sampled_from(["", "Content-Disposition: attachment\n", 'Content-Disposition: inline; filename="/etc/x"\n'])
    )
    head = f"Content-Type: {ctype}; charset={charset}{name}\n" + (f"Content-Transfer-Encoding: {cte}\n" if cte else "")
    return head + disposition + "\n" + content + "\n"


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    names = draw(st.lists(st.sampled_from(HEADER_NAMES), max_size=10))
    headers = "".join(f"{n}: {_header_value(draw, n)}\n" for n in names)
    mime = "MIME-Version: 1.0\n" if draw(st.booleans()) else ""
    raw = (headers + mime + draw(part())).encode("utf-8", "surrogatepass")
    newline = draw(st.sampled_from([b"\r\n", b"\n", b"\r"]))
    raw = raw.replace(b"\n", newline) if newline != b"\n" else raw
    damage = draw(st.sampled_from(["none", "truncate", "insert", "latin1"]))
    if damage == "truncate" and raw:
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif damage == "insert":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(max_size=40)) + raw[at:]
    elif damage == "latin1":
        raw = raw.replace(b"e", b"\xe9")
    return raw


@given(messages())
@settings(max_examples=400, deadline=None)
def test_reading_fails_only_with_parse_error(raw: bytes) -> None:
    try:
        message = parse_message(raw)
    except ParseError:
        return
    context = Context(bot_addresses=frozenset({"informatiebeveiliging@example.org"}), keywords=("datalek",))
    classify(message, context)
    for a in message.attachments:
        assert a.filename and "/" not in a.filename and "\\" not in a.filename


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with pytest.MonkeyPatch.context() as mp:
        _, svc = offline_services(tmp_path_factory.mktemp("props"), mp, MAILBOT_LOOP_LIMIT="10000")
        yield svc
        svc.engine.dispose()


_uids = iter(range(1, 10**9))


@given(raw=messages())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_stored_message_ends_with_a_disposition(services: Services, raw: bytes, tmp_path: Path) -> None:
    svc = services
    uid = next(_uids)
    mb = svc.settings.mailboxes[0]
    _store_batch(svc.engine, svc.store, mb, 1, uid, [Fetched(uid, raw, NOW, len(raw))], NOW, IntakeResult())
    dispatch.process_pending(svc, NOW)
    with db.session(svc.engine) as s:
        m = s.exec(select(InboundMessage).where(InboundMessage.uid == uid)).first()
    if m is None:  # a byte-identical copy of an earlier example: recognised, not stored again
        return
    assert m.status in ("processed", "quarantined"), (m.status, m.reason)
    assert m.disposition in ("case", "reply", "ignored", "quarantined")
    assert m.attempts == 1, "a stage raised and the message waits for another try"
    assert svc.store.read(m.raw_path) == raw
