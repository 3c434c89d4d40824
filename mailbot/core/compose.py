"""Build an outgoing message: headers that stop mail loops, a random Message-ID, UTF-8 text.

Written out directly rather than through ``EmailMessage``: the stdlib re-parses every header
it is given (more than rendering the template costs: docs/benchmarks.md), and its 78-column fold keeps
the space on both sides of a fold before an encoded word, which mail programs show doubled.
Non-ASCII header text becomes RFC 2047 encoded words (``email.header.Header``), folded
between words; the body is UTF-8, quoted-printable.
"""

from __future__ import annotations

import base64
import quopri
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr
from urllib.parse import quote

MAX_SUBJECT = 250


@dataclass(frozen=True)
class Attachment:
    """A file sent with a mail: ``inline`` ones (a chart) are shown in the text by mail
    programs that show images, and can be saved like any other."""

    filename: str
    content_type: str
    payload: bytes
    inline: bool = False


def new_message_id(sender: str) -> str:
    """Random and unguessable: a Message-ID is what a reply proves it answers."""
    domain = sender.rsplit("@", 1)[-1]
    return f"<{secrets.token_urlsafe(24)}@{domain}>"


# One addr-spec (RFC 5321/5322, with RFC 6531's non-ASCII letters): a dot-atom or quoted local
# part, and a domain of labels or an address literal. No display name, comment, list or route.
_ATEXT = r"[\w!#$%&'*+/=?^`{|}~-]"
_LOCAL = rf'(?:{_ATEXT}+(?:\.{_ATEXT}+)*|"(?:[^"\\]|\\.)+")'
_DOMAIN = r"(?:[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*|\[[^\[\]\\]+\])"
_ADDR_SPEC = re.compile(rf"{_LOCAL}@{_DOMAIN}")
# Controls (C0 with CR and LF, DEL, C1), format characters (bidi, zero-width), line separators.
_UNSEEN = frozenset(("Cc", "Cf", "Zl", "Zp"))


def address_fault(address: str) -> str | None:
    """What makes ``address`` unfit to send to, or None. Checked before any SMTP command: a CR
    or LF in ``RCPT TO`` would add commands of its own (another recipient, another mail)."""
    unseen = next((ch for ch in address if unicodedata.category(ch) in _UNSEEN), None)
    if unseen is not None:
        return f"contains an invisible control character ({_code(unseen)})"
    if not _ADDR_SPEC.fullmatch(address):
        return "is not a single e-mail address"
    return None


def _code(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def shown_address(address: str) -> str:
    """An address as a person may be shown it: every control or invisible character written
    as its code, so nothing in it can break a line or hide what it says."""
    return "".join(f"<{_code(ch)}>" if unicodedata.category(ch) in _UNSEEN else ch for ch in address)


def mail_address(address: str) -> str:
    """An address as it goes on the wire: an international domain in its ASCII (IDNA) form.
    A non-ASCII local part stays as it is; only a server offering SMTPUTF8 takes it."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def _ascii_ids(ids: tuple[str, ...]) -> tuple[str, ...]:
    """Message-IDs fit to refer to: an identifier with non-ASCII in it cannot be written in an
    ASCII header, and is left out of the thread rather than breaking the mail."""
    return tuple(i for i in ids if i.isascii())


def _text(value: str, name: str) -> str:
    """A header value: as is when it is ASCII, else encoded words."""
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def compose(
    *,
    sender: str,
    sender_name: str,
    recipient: str,
    subject: str,
    body: str,
    message_id: str,
    date: datetime,
    language: str,
    auto_submitted: str,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    kenmerk: str | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> bytes:
    subject = subject if len(subject) <= MAX_SUBJECT else subject[: MAX_SUBJECT - 1] + "…"
    references = _ascii_ids(references)
    in_reply_to = in_reply_to if in_reply_to and in_reply_to.isascii() else None
    headers = [
        ("From", formataddr((sender_name, sender), charset="utf-8")),
        ("To", mail_address(recipient)),
        ("Subject", _text(subject, "Subject")),
        ("Date", format_datetime(date)),
        ("Message-ID", message_id),
    ]
    if in_reply_to:
        headers.append(("In-Reply-To", in_reply_to))
    if references:
        headers.append(("References", "\r\n ".join(references[-20:])))
    headers += [
        ("Auto-Submitted", auto_submitted),
        ("X-Auto-Response-Suppress", "All"),
        ("Content-Language", language),
    ]
    if kenmerk:
        headers.append(("X-Mailbot-Kenmerk", kenmerk))
    text_headers = [("Content-Type", 'text/plain; charset="utf-8"'), ("Content-Transfer-Encoding", "quoted-printable")]
    text = body.replace("\r\n", "\n").encode("utf-8")
    encoded = quopri.encodestring(text).replace(b"\n", b"\r\n")
    if not attachments:
        headers += [("MIME-Version", "1.0"), *text_headers]
        return _head(headers) + b"\r\n" + encoded
    boundary = f"=_mailbot_{secrets.token_hex(12)}"
    headers += [("MIME-Version", "1.0"), ("Content-Type", f'multipart/mixed; boundary="{boundary}"')]
    parts = [_head(text_headers) + b"\r\n" + encoded]
    parts += [_attachment_part(a) for a in attachments]
    delimiter = f"\r\n--{boundary}\r\n".encode()
    return _head(headers) + b"\r\n" + delimiter[2:] + delimiter.join(parts) + f"\r\n--{boundary}--\r\n".encode()


def _head(headers: list[tuple[str, str]]) -> bytes:
    # ASCII but for a recipient's non-ASCII local part (RFC 6532, sent with SMTPUTF8).
    return "".join(f"{name}: {value}\r\n" for name, value in headers).encode("utf-8")


def _attachment_part(a: Attachment) -> bytes:
    """One file, base64 in lines of 76; its name as an RFC 2231 parameter when not ASCII."""
    name = a.filename if a.filename.isascii() and '"' not in a.filename else None
    param = f'filename="{name}"' if name else "filename*=utf-8''" + quote(a.filename, safe="")
    headers = [
        ("Content-Type", a.content_type),
        ("Content-Transfer-Encoding", "base64"),
        ("Content-Disposition", f"{'inline' if a.inline else 'attachment'}; {param}"),
    ]
    data = base64.b64encode(a.payload)
    lines = b"\r\n".join(data[i : i + 76] for i in range(0, len(data), 76))
    return _head(headers) + b"\r\n" + lines
