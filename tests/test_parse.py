"""Parsing real-world layouts from tests/data into text, headers and attachments."""

from __future__ import annotations

import base64
import email
import hashlib
from collections.abc import Callable
from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest

from mailbot.core.parse import (
    THREAD_IDS,
    ParsedMessage,
    ParseError,
    _set_aside_large_parts,
    decode_header_value,
    decode_text,
    html_to_text,
    message_identity,
    parse_message,
    safe_filename,
    split_msgids,
)
from tests.conftest import DATA, eml, parsed
from tests.linear import assert_linear
from tests.test_answers import reply_raw


def test_outlook_html_only_becomes_readable_text() -> None:
    """HTML-only Outlook mail in windows-1252 is converted to text with its characters intact."""
    m = parsed("outlook_html_only.eml")
    assert m.html_only
    assert m.from_name == "Bakker, Petra" and m.from_address == "p.bakker@example.org"
    assert "Beste collega’s" in m.text
    assert "Utrecht – Amersfoort" in m.text
    assert "cliënten van team Wonen" in m.text
    assert "Dell Latitude" in m.text and "7XK9Q2" in m.text
    assert "<p" not in m.text and "MsoNormal" not in m.text
    assert "alert(" not in m.text  # scripts are dropped, never run


def test_gmail_alternative_prefers_plain_text() -> None:
    m = parsed("gmail_report.eml")
    assert not m.html_only
    assert m.text.startswith("Hoi,")
    assert "ongeveer 120 huurders" in m.text
    assert "<div" not in m.text
    assert m.message_id == "<CAHx5Lq9f2kP3m+7Vd0gQ_k1ZbH9yT2sXc4wA8nE@mail.gmail.com>"


def test_apple_mail_nested_alternative_with_pdf() -> None:
    m = parsed("apple_mail_report.eml")
    assert "BSN van een huurder" in m.text
    assert [a.filename for a in m.attachments] == ["scan-brief.pdf"]
    pdf = m.attachments[0]
    assert pdf.content_type == "application/pdf"
    assert pdf.payload.startswith(b"%PDF-1.4")
    assert pdf.sha256 == hashlib.sha256(pdf.payload).hexdigest() and pdf.size == len(pdf.payload)


def test_iphone_inline_image_is_an_attachment() -> None:
    m = parsed("iphone_report.eml")
    assert "cliëntgegevens" in m.text
    assert [(a.filename, a.content_type) for a in m.attachments] == [("IMG_4711.png", "image/png")]
    assert m.attachments[0].payload.startswith(b"\x89PNG")


def test_forwarded_message_kept_apart_and_shown() -> None:
    """A forwarded message/rfc822 is kept as an .eml attachment and its text is shown under a marker."""
    m = parsed("forwarded_rfc822.eml")
    own, _, forwarded = m.text.partition("Doorgestuurd bericht")
    assert "namens een medewerker" in own and "USB-stick" not in own
    assert "USB-stick met presentielijsten" in forwarded
    assert "Onderwerp/Subject: USB-stick kwijt" in forwarded
    (att,) = m.attachments
    assert att.filename == "melding.eml" and att.content_type == "message/rfc822"
    assert b"Message-ID: <inner-usb@example.org>" in att.payload


def test_mislabelled_latin1_is_read_as_windows_1252() -> None:
    m = parsed("windows1252_mislabelled.eml")
    assert (
        m.text == "De factuur van € 250 met “vertrouwelijk” erop is – per ongeluk – naar de verkeerde cliënt gestuurd."
    )


def test_rfc2047_and_rfc2231_names_decoded_and_paths_stripped() -> None:
    m = parsed("rfc2047_2231_names.eml")
    assert m.from_name == "José Müller"
    assert m.subject == "Beveiligingsincident: cliëntlijst gedeeld"
    assert [a.filename for a in m.attachments] == ["cliëntenlijst €.xlsx", "overzicht régio.pdf", "passwd"]


def test_broken_boundary_keeps_text_readable_and_flags_it() -> None:
    m = parsed("broken_mime.eml")
    assert "stapel loonstroken" in m.text
    assert any("boundary" in d for d in m.defects)


def test_missing_from_and_message_id() -> None:
    raw = eml("missing_from_msgid.eml")
    m = parse_message(raw)
    assert m.from_address == "" and m.message_id == ""
    assert "prikbord" in m.text
    mid, identity = message_identity(raw)
    assert mid is None and identity == "sha256:" + hashlib.sha256(raw).hexdigest()


def test_doubled_headers_use_the_first_and_say_so() -> None:
    m = parsed("doubled_headers.eml")
    assert m.subject == "beveiligingsincident eerste"
    assert m.from_address == "een@example.org"
    assert any("Subject" in d for d in m.defects) and any("From" in d for d in m.defects)


def test_folded_encoded_subject_and_from_among_delivery_fields() -> None:
    """mail-parser is handed the From and Subject fields alone: folded continuations stay with
    their field, and the Received fields a delivery adds (folded too) are left out."""
    raw = (
        b"Return-Path: <j.de.vries@example.org>\r\n"
        b"Received: from mail.example.org (mail.example.org [127.0.0.1])\r\n"
        b"\tby mx.example.org (Postfix) with ESMTPS id 4F2A1\r\n"
        b"\tfor <meldpunt@example.org>; Sun, 22 Nov 2026 10:00:00 +0100 (CET)\r\n"
        b"From: =?utf-8?q?Jo=C3=ABl_de_Vries?=\r\n <j.de.vries@example.org>\r\n"
        b"Received: from [10.0.0.5] by mail.example.org; Sun, 22 Nov 2026 09:59:58 +0100\r\n"
        b"Subject: =?utf-8?q?beveiligingsincident=3A_USB-stick_met_cli=C3=ABntgegevens?=\r\n"
        b" =?utf-8?q?_kwijt?=\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nIn de trein verloren.\r\n"
    )
    m = parse_message(raw)
    assert m.subject == "beveiligingsincident: USB-stick met cliëntgegevens kwijt"
    assert (m.from_name, m.from_address) == ("Joël de Vries", "j.de.vries@example.org")
    assert len(m.headers["received"]) == 2 and m.text == "In de trein verloren."
    assert m.defects == ()


def test_empty_message_cannot_be_parsed() -> None:
    with pytest.raises(ParseError):
        parse_message(b"\r\n\r\n")


def test_thread_ids_from_folded_references() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: Re: x\r\nMessage-ID: <r@x>\r\nIn-Reply-To: <b@x>\r\n"
        b"References: <a@x>\r\n\t<b@x>\r\n\r\nhi\r\n"
    )
    m = parse_message(raw)
    assert m.in_reply_to == ("<b@x>",) and m.references == ("<a@x>", "<b@x>")
    assert m.thread_ids == ("<b@x>", "<a@x>")
    assert split_msgids("<a@x>\r\n <b@y> junk") == ("<a@x>", "<b@y>")


def test_thread_ids_are_bounded_and_keep_the_nearest() -> None:
    refs = " ".join(f"<r{i}@x>" for i in range(70_000))
    replied = " ".join(f"<p{i}@x>" for i in range(50))
    raw = f"From: a@example.org\r\nIn-Reply-To: {replied}\r\nReferences: {refs}\r\n\r\nhi\r\n"
    ids = parse_message(raw.encode()).thread_ids
    assert len(ids) <= THREAD_IDS
    assert ids[:3] == ("<p0@x>", "<p1@x>", "<p2@x>") and "<r69999@x>" in ids and "<r0@x>" in ids


def test_large_attachment(tmp_path: object) -> None:
    """A 20 MB attachment is parsed whole, with the right size and hash."""
    payload = bytes(range(256)) * (20 * 1024 * 1024 // 256)
    msg = EmailMessage()
    msg["From"] = "a@example.org"
    msg["Subject"] = "datalek met grote bijlage"
    msg.set_content("zie bijlage")
    msg.add_attachment(payload, maintype="application", subtype="octet-stream", filename="dump.bin")
    m = parse_message(msg.as_bytes())
    (att,) = m.attachments
    assert att.size == len(payload) == 20 * 1024 * 1024
    assert att.sha256 == hashlib.sha256(payload).hexdigest()


@pytest.mark.parametrize(
    ("payload", "charset", "expected"),
    [
        (b"caf\xc3\xa9", "utf-8", "café"),
        (b"caf\xe9 \x80", "iso-8859-1", "café €"),
        (b"caf\xc3\xa9", "x-unknown-charset", "café"),
        (b"caf\xe9", "x-unknown-charset", "café"),
        (b"\x81\x8d", "iso-8859-1", "\x81\x8d"),  # undefined in cp1252: kept, not dropped
        (b"plain", None, "plain"),
    ],
)
def test_decode_text_never_loses_characters(payload: bytes, charset: str | None, expected: str) -> None:
    assert decode_text(payload, charset) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\rapport.docx", "rapport.docx"),
        (".hidden", "hidden"),
        ("a\x00b\x1fc.pdf", "abc.pdf"),
        ("", "fallback"),
        ("factuur\u202efdp.exe", "factuurfdp.exe"),  # shown as factuurexe.pdf with the override
        ("a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069i\u200ej\u200fk\u061cl.pdf", "abcdefghijkl.pdf"),
        ("scan\x85\x9b\u200b\ufeff\u2028.pdf", "scan.pdf"),  # C1 controls, zero-width, BOM, separator
        ("\u202e.bashrc", "bashrc"),
        ("Overzicht cliënten – Één café.xlsx", "Overzicht cliënten – Één café.xlsx"),
        ("cafe\u0301.pdf", "café.pdf"),  # decomposed as macOS sends it: one form
        ("=?utf-8?q?factuur=E2=80=AEfdp.exe?=", "factuurfdp.exe"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name, "fallback") == expected


def test_attachment_name_with_a_bidi_override_is_shown_as_it_is() -> None:
    """An RFC 2231 file name hiding .exe behind a right-to-left override reaches the case as
    what it really is."""
    msg = EmailMessage()
    msg["From"] = "a@example.org"
    msg["Subject"] = "datalek"
    msg.set_content("zie bijlage")
    msg.add_attachment(b"MZ", maintype="application", subtype="octet-stream", filename="factuur\u202efdp.exe")
    (attachment,) = parse_message(msg.as_bytes()).attachments
    assert attachment.filename == "factuurfdp.exe"


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.eml")))
def test_large_parts_set_aside_give_the_same_result(name: str) -> None:
    """Parsing with large base64 bodies decoded straight from the raw bytes (forced here with a
    16-byte threshold) reads every message exactly as the plain path does."""
    raw = eml(name)
    if name.startswith("reply_"):
        raw = reply_raw(name)
    plain, slim = parse_message(raw), parse_message(raw, large_part=16)
    assert slim.text == plain.text
    assert slim.subject == plain.subject and slim.from_address == plain.from_address
    assert [(a.filename, a.content_type, a.size, a.sha256) for a in slim.attachments] == [
        (a.filename, a.content_type, a.size, a.sha256) for a in plain.attachments
    ]


def test_large_attachment_is_set_aside_and_whole() -> None:
    payload = bytes(range(256)) * (3 * 1024 * 1024 // 256)
    msg = EmailMessage()
    msg["From"] = "a@example.org"
    msg["Subject"] = "datalek"
    msg.set_content("zie bijlage")
    msg.add_attachment(payload, maintype="application", subtype="zip", filename="export.zip")
    raw = msg.as_bytes()
    m = parse_message(raw)
    (att,) = m.attachments
    assert (att.filename, att.size, att.sha256) == ("export.zip", len(payload), hashlib.sha256(payload).hexdigest())
    assert m.text == "zie bijlage"


def _with_attachments(*payloads: bytes) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "a@example.org"
    msg["Subject"] = "datalek"
    msg.set_content("zie bijlagen")
    for i, payload in enumerate(payloads):
        msg.add_attachment(payload, maintype="application", subtype="pdf", filename=f"scan{i}.pdf")
    return msg


def _read(m: ParsedMessage) -> list[tuple[str, int, str]]:
    return [(a.filename, a.size, a.sha256) for a in m.attachments]


def test_set_aside_reads_crlf_mail_and_any_case_as_the_tree_does() -> None:
    """Line ends as they come from IMAP (CRLF), the field's name and value in capitals, one part
    above the threshold and one below: set aside or not, the same attachments come out."""
    big, small = bytes(range(256)) * 200, b"%PDF-1.4 klein"
    raw = _with_attachments(big, small).as_bytes().replace(b"\n", b"\r\n")
    raw = raw.replace(b"Content-Transfer-Encoding: base64", b"CONTENT-TRANSFER-ENCODING: BASE64")
    by_tree, set_aside = parse_message(raw, large_part=len(raw)), parse_message(raw)
    expected = [
        ("scan0.pdf", len(big), hashlib.sha256(big).hexdigest()),
        ("scan1.pdf", len(small), hashlib.sha256(small).hexdigest()),
    ]
    assert _read(set_aside) == expected
    assert _read(by_tree) == expected
    assert set_aside.text == by_tree.text == "zie bijlagen"


def test_a_message_that_begins_with_the_encoding_field_is_read_whole() -> None:
    payload = bytes(range(256)) * 200
    body = EmailMessage()
    body.set_content(payload, maintype="application", subtype="octet-stream", filename="export.bin")
    del body["MIME-Version"]
    raw = b"Content-Transfer-Encoding: base64\n" + b"".join(
        line for line in body.as_bytes().splitlines(keepends=True) if not line.startswith(b"Content-Transfer")
    )
    raw = raw.replace(b"\n\n", b"\nFrom: a@example.org\nSubject: datalek\nMIME-Version: 1.0\n\n", 1)
    m = parse_message(raw, large_part=16)
    assert (m.from_address, m.subject) == ("a@example.org", "datalek")
    assert _read(m) == [("export.bin", len(payload), hashlib.sha256(payload).hexdigest())]


def test_header_values_without_encoded_words_read_as_the_standard_library_reads_them() -> None:
    """decode_header_value skips the decoder when there is no "=?": on every header of the
    test messages, and on folded, padded and undecodable values, the result is the same."""
    values = [" leading", "trailing ", "a\r\n b", "a\n\tb", "tab\there", "x  y", "naïve", "caf\udcc3\udca9"]
    for path in sorted(DATA.glob("*.eml")):
        for part in email.message_from_bytes(path.read_bytes()).walk():
            values += [str(v) for v in part.values()]
    for value in values:
        try:
            expected = str(make_header(decode_header(value)))
        except Exception:
            expected = value
        assert decode_header_value(value) == expected, value


def test_long_header_values_decode_as_the_standard_library_decodes_them() -> None:
    """Decoded in pieces, a long value reads the same as decoded whole: encoded words with and
    without white space between them, plain words between them, several charsets."""
    words = ["=?utf-8?q?Gem=C3=A9ente?=", "=?iso-8859-1?q?caf=E9?=", "plain", "=?utf-8?b?w6lsbGU=?=", "x"]
    for sep in (" ", "  ", "\r\n ", "\n\t", ""):
        value = sep.join(words[i % len(words)] for i in range(3000))
        assert decode_header_value(value) == str(make_header(decode_header(value))), repr(sep)


def test_a_long_value_cut_inside_its_white_space_decodes_as_the_standard_library_does() -> None:
    """A piece ends where a run of white space starts, also when the run begins before the
    piece's two thousandth character. Cut inside a fold, two encoded words read "café Gemeente"
    where the standard library reads "caféGemeente", and a plain word before a folded encoded
    word kept the fold's tab."""
    words = ["=?utf-8?q?Gem=C3=A9ente?=", "=?iso-8859-1?q?caf=E9?=", "plain", "=?utf-8?b?w6lsbGU=?="]
    for sep in ("  ", "\r\n ", "\n\t", "\r\n\t"):
        for shift in range(30):  # the cut lands on each character of a run somewhere
            value = "p" * shift + " " + sep.join(words[i % len(words)] for i in range(800))
            assert decode_header_value(value) == str(make_header(decode_header(value))), (repr(sep), shift)


def test_a_piece_of_plain_words_in_a_long_encoded_value_reads_its_folds_as_spaces() -> None:
    """A piece with no encoded word of its own, in a value that has them, reads a fold as one
    space, as the standard library reads the whole (it was kept with its line break)."""
    value = "=?utf-8?q?caf=C3=A9?= " + "\r\n ".join(["Re: [DL-2026-0001] datalek"] * 300) + " =?utf-8?q?caf=C3=A9?="
    decoded = decode_header_value(value)
    assert "\n" not in decoded and decoded == str(make_header(decode_header(value)))


_WORDS = b"=?utf-8?q?Gem=C3=A9ente?= "


@pytest.mark.parametrize(
    "shape",
    [
        lambda n: b"From: " + _WORDS * (n // 26) + b"<a@example.org>\r\nSubject: x\r\n\r\nbody\r\n",
        lambda n: b"From: a@example.org\r\nSubject: " + _WORDS * (n // 26) + b"\r\n\r\nbody\r\n",
        lambda n: b"From: a@example.org\r\nX-Label: " + _WORDS * (n // 26) + b"\r\n\r\nbody\r\n",
        lambda n: b"From: a@example.org\r\nSubject: " + _WORDS.strip() * (n // 25) + b"\r\n\r\nbody\r\n",
        # Encoded words never closed and no white space: each one read to the end of the value.
        lambda n: b"From: a@example.org\r\nX-Label: " + b"=?x?q?a" * (n // 7) + b"\r\n\r\nbody\r\n",
        # The boundary of a multipart and a part's charset are parameters: read while parsing.
        lambda n: (
            b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b"
            + b"; a=b" * (n // 5)
            + b"\r\n\r\n--b\r\nContent-Type: text/plain"
            + b'; x="y"' * (n // 7)
            + b"; charset=utf-8\r\n\r\ntekst\r\n--b--\r\n"
        ),
    ],
    ids=[
        "from-encoded-words",
        "subject-encoded-words",
        "other-header",
        "adjacent-words",
        "unclosed-words",
        "parameters",
    ],
)
def test_huge_headers_are_read_in_linear_time(shape: Callable[[int], bytes]) -> None:
    """A header of hundreds of kilobytes of encoded words or parameters is read in time linear
    in its size (the standard library's decoder and parameter splitter are quadratic: a 480 KB
    Subject took 12 s)."""
    assert_linear(shape, parse_message, small=20_000, large=640_000)


def test_a_huge_header_is_read_shortened_and_said_so() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: datalek " + b"x" * 20_000 + b"\r\n"
        b"Content-Type: multipart/mixed; boundary=b" + b"; a=b" * 5_000 + b"\r\n\r\n"
        b"--b\r\nContent-Type: text/plain; charset=utf-8" + b"; a=b" * 5_000 + b"\r\n\r\ntekst\r\n--b--\r\n"
    )
    m = parse_message(raw)
    assert m.from_address == "a@example.org" and m.text == "tekst"
    assert m.subject.startswith("datalek xxx") and len(m.subject) < 17_000
    assert "the subject header is longer than 16 KB; the rest is not read" in m.defects
    assert "ParamsTooLong" in m.defects
    assert any(d.startswith("a text/plain part has a header over 16 KB") for d in m.defects)


@pytest.mark.parametrize(
    "shape",
    [
        # Encoding lines and no blank line after them: each line's search read to the end.
        lambda n: b"Subject: x\r\n\r\n--b\r\n" + b"Content-Transfer-Encoding: base64\r\n" * (n // 35),
        # Parts with tiny bodies and no boundary line after them: each looked for one to the end.
        lambda n: b"Subject: x\r\n\r\n" + b"\nContent-Transfer-Encoding: base64\n\nAAAA\n" * (n // 40),
        # Bodies that run into the next part's headers: each checked up to a megabyte.
        lambda n: b"Subject: x\r\n\r\n" + (b"\nContent-Transfer-Encoding: base64\n\n" + b"A" * 40) * (n // 76),
    ],
    ids=["encoding-lines", "small-bodies", "overlapping-bodies"],
)
def test_setting_aside_base64_parts_takes_time_linear_in_the_message(shape: Callable[[int], bytes]) -> None:
    """However many ``Content-Transfer-Encoding: base64`` lines a message has, its bytes are read
    a bounded number of times (a 3.7 MB mail of 20,000 such lines took 74 s)."""
    assert_linear(shape, lambda raw: _set_aside_large_parts(raw, 16))


def test_html_without_closing_brackets_is_read_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the HTML reader fails, tags are cut out by a pattern; a text of many ``<`` and no
    ``>`` is still read once."""
    import inscriptis

    def refuse(html: str) -> str:
        raise ValueError("unreadable")

    monkeypatch.setattr(inscriptis, "get_text", refuse)
    assert html_to_text("<p>a</p> b <i") == "a  b <i"
    assert_linear(lambda n: "<" * n, html_to_text)


def test_large_base64_parts_are_still_set_aside_when_the_scan_resumes() -> None:
    """The remembered scan gives the same answer as reading each body on its own: a large part
    after a part whose body is not base64 is still decoded apart, the other is not."""
    payload = b"x" * 30_000
    body = base64.encodebytes(payload)
    raw = (
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + b"not base64: " * 3000
        + b"\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + body
        + b"\r\n--b--\r\n"
    )
    _, large = _set_aside_large_parts(raw, 16 * 1024)
    assert large == [payload]
