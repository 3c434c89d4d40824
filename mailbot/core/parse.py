"""Raw message bytes to a :class:`ParsedMessage`: headers decoded, readable text, attachments.

Pure: bytes in, values out. mail-parser decodes the headers (RFC 2047, raw UTF-8, address
lists); the body is read by walking the MIME tree ourselves, because mail-parser merges the
text of forwarded ``message/rfc822`` parts into the body and mis-decodes windows-1252 text
labelled ISO-8859-1. The raw bytes are always kept elsewhere; what this module cannot read
it reports in ``defects`` rather than dropping silently.
"""

from __future__ import annotations

import binascii
import codecs
import email
import email.errors
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from mailbot.core.errors import PermanentError

MAX_DEPTH = 30
THREAD_IDS = 200
# Control (C0, DEL, C1), format (bidi controls, zero-width characters, U+061C, the BOM) and
# line or paragraph separators: nothing a file name shows on purpose.
_INVISIBLE = frozenset(("Cc", "Cf", "Zl", "Zp"))
_MSGID = re.compile(r"<[^<>\s]+>")
_TAG = re.compile(r"<[^>]+>")


class ParseError(PermanentError):
    """The message cannot be read at all (it is kept raw and quarantined)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    sha256: str
    payload: bytes = field(repr=False)


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str
    from_name: str
    from_address: str
    from_addresses: tuple[str, ...]  # every address in From (RFC 5322 allows several)
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    date: datetime | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    headers: dict[str, tuple[str, ...]]
    text: str
    html_only: bool
    attachments: tuple[Attachment, ...]
    defects: tuple[str, ...]
    content_type: str
    # Authentication-Results as written, not RFC 2047 decoded: decoding could turn an encoded
    # word in an address the sender chose into results of its own (authentication.py).
    authentication_results: tuple[str, ...] = ()

    def header(self, name: str) -> str:
        """The first value of a header (decoded), or ''."""
        values = self.headers.get(name.lower(), ())
        return values[0] if values else ""

    def header_values(self, name: str) -> tuple[str, ...]:
        return self.headers.get(name.lower(), ())

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this message answers, most direct first, without repeats: at most
        THREAD_IDS of them (the first In-Reply-To ids, the latest References and the thread's
        first), so a crafted header of a hundred thousand ids cannot make a database query of
        as many parameters (PostgreSQL takes 65,535, SQLite 32,766)."""
        refs = self.references
        if len(refs) > THREAD_IDS - 20:
            refs = (*refs[:10], *refs[-(THREAD_IDS - 30) :])
        seen: dict[str, None] = {}
        for mid in (*self.in_reply_to[:10], *reversed(refs)):
            seen.setdefault(mid, None)
        return tuple(seen)


# -- identity (cheap, used before full parsing) -----------------------------------------------
def message_identity(raw: bytes, digest: str | None = None) -> tuple[str | None, str]:
    """(Message-ID or None, identity): the Message-ID identifies a message, else a hash of its bytes.
    ``raw`` may be just the start of the message when its full ``digest`` is given."""
    digest = digest or hashlib.sha256(raw).hexdigest()
    try:
        # The header block alone: given the body too, the parser would read every line of it.
        head = BytesHeaderParser().parsebytes(_header_block(raw[: 256 * 1024]))
        value = head.get("Message-ID")
    except Exception:  # a header block that cannot even be split still gets an identity
        value = None
    mid = _first_msgid(str(value)) if value else None
    return mid, (mid if mid else f"sha256:{digest}")


def _first_msgid(value: str) -> str | None:
    found = _MSGID.findall(value)
    if found:
        return str(found[0]).strip()
    value = value.strip()
    return f"<{value}>" if value and " " not in value else None


def split_msgids(value: str) -> tuple[str, ...]:
    """The Message-IDs in an In-Reply-To/References value (which may be folded)."""
    return tuple(_MSGID.findall(value or ""))


# -- charsets -----------------------------------------------------------------------------------
def _latin1_fallback(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("mailbot-latin1", _latin1_fallback)

_CP1252_ALIASES = {
    "iso-8859-1",
    "iso8859-1",
    "latin-1",
    "latin1",
    "l1",
    "iso_8859-1",
    "us-ascii",
    "ascii",
    "windows-1252",
    "cp1252",
}


def decode_text(payload: bytes, charset: str | None) -> str:
    """Decode a text part without losing characters.

    ISO-8859-1 (and ASCII) labels are read as windows-1252, which is what such mail really
    contains (euro sign, curly quotes, dashes). Unknown labels fall back to UTF-8, then
    windows-1252; bytes undefined there map to the Latin-1 character of the same value.
    """
    cs = (charset or "").strip().strip('"').lower()
    if cs in _CP1252_ALIASES:
        try:
            return (
                payload.decode("utf-8") if cs in ("us-ascii", "ascii") else payload.decode("cp1252", "mailbot-latin1")
            )
        except UnicodeDecodeError:
            return payload.decode("cp1252", "mailbot-latin1")
    if cs:
        try:
            return payload.decode(cs)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", "mailbot-latin1")


def decode_header_value(value: str) -> str:
    """A header value with its encoded words (RFC 2047) decoded, in time linear in its length.

    The standard library's decode_header takes time quadratic in the number of encoded words in
    one call (a 480 KB Subject of them took 12 s), so a long value is decoded in pieces of about
    two thousand characters, cut where a piece of white space or two adjacent encoded words
    meet. White space between two encoded words is dropped, as RFC 2047 (6.2) says; other white
    space where a piece ends is kept, and a fold reads as one space, as the decoder reads them."""
    if "=?" not in value:  # no encoded word (RFC 2047): the standard library returns it as it is
        return value
    decoded: list[str] = []
    for piece, gap, next_start in _header_pieces(value):
        if "=?" not in piece:
            # decode_header returns a value without encoded words as it is; within one that has
            # them it reads each line without its leading white space, joined by one space.
            decoded.append(" ".join(line for line in (raw.lstrip() for raw in piece.splitlines()) if line))
        else:
            try:
                decoded.append(str(make_header(decode_header(piece))))
            except Exception:
                decoded.append(piece)
        if gap and not (piece.endswith("?=") and value.startswith("=?", next_start)):
            decoded.append(" " if "\n" in gap or "\r" in gap else gap)  # a fold reads as one space
    return "".join(decoded)


_DECODE_PIECE = 2048
_PIECE_BREAK = re.compile(r"[ \t\r\n]+|(?<=\?=)(?==\?)")
_WORD_START = re.compile(r"(?==\?)")


def _header_pieces(value: str) -> Iterator[tuple[str, str, int]]:
    """(piece, the white space after it, where the next piece starts), pieces of at least
    _DECODE_PIECE characters except the last. Each search starts where the last one ended."""
    start = 0
    while len(value) - start > _DECODE_PIECE:
        # A run of white space is cut whole: the search starts where the run starts, not inside
        # it (a piece ending in half a fold reads differently). The step back stays within the
        # piece, so each character is looked at a bounded number of times.
        at = start + _DECODE_PIECE
        while at > start + 1 and value[at - 1] in " \t\r\n":
            at -= 1
        # Within the next piece's length: a value with no white space for a long stretch
        # ("=?x?q?a" over and over, no word ever closed) is cut before an encoded word's "=?"
        # instead; the decoder reads each unclosed word to the end of its piece, so a piece
        # without a cut would take time in the square of its length.
        cut = _PIECE_BREAK.search(value, at, at + _DECODE_PIECE) or _WORD_START.search(
            value, at + 1, at + _DECODE_PIECE
        )
        if cut is not None:
            yield value[start : cut.start()], cut.group(), cut.end()
            start = cut.end()
        elif len(value) - at <= _DECODE_PIECE:
            break
        else:  # 2 KB in one word (none is that long): cut there
            yield value[start : at + _DECODE_PIECE], "", at + _DECODE_PIECE
            start = at + _DECODE_PIECE
    yield value[start:], "", len(value)


def html_to_text(html: str) -> str:
    """Readable text from HTML; nothing is rendered or fetched."""
    from inscriptis import get_text  # imported lazily: it pulls in lxml

    try:
        text = get_text(html)
    except Exception:
        # Nothing after the last ">" can close a tag: stopping there keeps this linear where a
        # text of many "<" and no ">" would have every "<" read to the end.
        last = html.rfind(">") + 1
        text = _TAG.sub(" ", html[:last]) + html[last:]
    return tidy_text(text)


def tidy_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def safe_filename(name: str, fallback: str) -> str:
    """A file name fit for display and storage: no path, no control characters, and no
    invisible format characters (bidi overrides and isolates, zero-width marks), which could
    make ``factuur\u202efdp.exe`` show as ``factuurexe.pdf``. Accented letters stay."""
    name = decode_header_value(name) if "=?" in name else name
    name = name.replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _INVISIBLE).strip().lstrip(".")
    return name[:200] or fallback


# -- the message -------------------------------------------------------------------------------
_PARAMS_LIMIT = 16 * 1024


class ParamsTooLong(email.errors.HeaderDefect):
    """A Content-Type or Content-Disposition longer than 16 KB: its parameters were read from
    the first 16 KB only."""


class _Part(Message):
    """A message part whose parameters (charset, boundary, file name) are read from at most the
    first 16 KB of their header. The standard library splits parameters in time quadratic in
    their number, and it does so while parsing (each multipart's boundary): a Content-Type of a
    million parameters would hold the worker for minutes. No mail program writes one that long."""

    def get_params(self, failobj: Any = None, header: str = "content-type", unquote: bool = True) -> Any:
        self._shorten(header)
        return super().get_params(failobj, header, unquote)

    def get_param(self, param: str, failobj: Any = None, header: str = "content-type", unquote: bool = True) -> Any:
        self._shorten(header)
        return super().get_param(param, failobj, header, unquote)

    def _shorten(self, header: str) -> None:
        value = self.get(header)
        if value is not None and len(str(value)) > _PARAMS_LIMIT:
            head = str(value)[:_PARAMS_LIMIT]
            self.replace_header(header, head.rpartition(";")[0] or head)
            self.defects.append(ParamsTooLong())


@dataclass
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    forwarded: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    large: list[bytes] = field(default_factory=list)  # payloads set aside before parsing


def _attachment(part: Message, payload: bytes, index: int) -> Attachment:
    ctype = part.get_content_type()
    raw_name = part.get_filename() or part.get_param("name") or ""
    if isinstance(raw_name, tuple):  # an undecodable RFC 2231 value
        raw_name = str(raw_name[2])
    ext = {"message/rfc822": ".eml", "text/html": ".html", "text/plain": ".txt"}.get(ctype, ".bin")
    name = safe_filename(str(raw_name), f"bijlage-{index}{ext}")
    return Attachment(name, ctype, len(payload), hashlib.sha256(payload).hexdigest(), payload)


def _payload(part: Message, body: _Body) -> bytes:
    marker = part.get(_MARKER)
    if marker is not None and str(marker).strip().isdigit() and int(str(marker)) < len(body.large):
        return body.large[int(str(marker))]
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        body.defects.append(f"undecodable part {part.get_content_type()}: {exc}")
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _walk(part: Message, body: _Body, depth: int) -> None:
    if depth and any(isinstance(d, ParamsTooLong) for d in part.defects):
        body.defects.append(
            f"a {part.get_content_type()} part's header is longer than 16 KB; its first 16 KB were read"
        )
    if depth > MAX_DEPTH:
        body.defects.append(f"MIME nesting deeper than {MAX_DEPTH} levels; the rest is kept in the raw message only")
        return
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        inner = part.get_payload()
        inner_msg = inner[0] if isinstance(inner, list) and inner else None
        if isinstance(inner_msg, Message):
            try:
                data = inner_msg.as_bytes()
            except Exception:
                data = str(inner_msg).encode("utf-8", "replace")
            body.attachments.append(_attachment(part, data, len(body.attachments) + 1))
            sub = _Body(large=body.large)
            _walk(inner_msg, sub, depth + 1)
            subject = decode_header_value(str(inner_msg.get("Subject", "")))
            sender = decode_header_value(str(inner_msg.get("From", "")))
            text = "\n\n".join(sub.plain) or "\n\n".join(html_to_text(h) for h in sub.html)
            body.forwarded.append(f"Van/From: {sender}\nOnderwerp/Subject: {subject}\n\n{text}".strip())
            body.defects.extend(sub.defects)
            return
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list):
            return
        if ctype == "multipart/alternative":
            plain = [c for c in children if isinstance(c, Message) and c.get_content_type() == "text/plain"]
            chosen = plain[:1] or [c for c in children if isinstance(c, Message)][-1:]
            others = [
                c
                for c in children
                if isinstance(c, Message)
                and c not in chosen
                and c.get_content_type() not in ("text/plain", "text/html")
            ]
            for part_ in (*chosen, *others):
                _walk(part_, body, depth + 1)
            return
        for child in children:
            if isinstance(child, Message):
                _walk(child, body, depth + 1)
        return
    if ctype.startswith("multipart/"):
        # The declared boundary is not in the body (StartBoundaryNotFound): the parts cannot be
        # separated, so the whole body is shown as text and the raw message keeps the rest.
        body.defects.append(
            "MIME boundary not found: the body is shown as raw text; attachments are in the raw message"
        )
        body.plain.append(decode_text(_payload(part, body), part.get_content_charset()))
        return
    disposition = (part.get_content_disposition() or "").lower()
    is_named = bool(part.get_filename())
    payload = _payload(part, body)
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not is_named:
        text = decode_text(payload, part.get_content_charset())
        (body.plain if ctype == "text/plain" else body.html).append(text)
        return
    if ctype.startswith("text/") and not is_named and disposition != "attachment":
        body.plain.append(decode_text(payload, part.get_content_charset()))
        return
    body.attachments.append(_attachment(part, payload, len(body.attachments) + 1))


def _addresses(values: list[str]) -> tuple[str, ...]:
    return tuple(addr.lower() for _, addr in getaddresses(values) if "@" in addr)


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


# Above this a base64 body is decoded straight from the raw bytes rather than by the standard
# library's tree: that is cheaper from a few KB on and keeps one large part from costing
# several copies of itself in memory (figures: docs/benchmarks.md, *Figures behind the code*).
LARGE_PART = 16 * 1024
# The line break comes first so the search runs as a fast scan for line ends; a pattern that
# starts case-insensitively is tried at every byte (docs/benchmarks.md).
# A message whose very first line is the field is read by the standard library instead.
_B64_HEADER = re.compile(rb"(?m)\n(?i:content-transfer-encoding):[ \t]*(?i:base64)[ \t]*\r?$")
_BLANK_LINE = re.compile(rb"\n\r?\n")
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r\n\x0b\x0c"
_CHUNK = 1024 * 1024
_MARKER = "X-Mailbot-Large-Part"


_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/= \t\r\n\x0b\x0c]")


def _base64_to(raw: bytes, start: int, end: int) -> int:
    """Where the run of base64 and white space from ``start`` ends, looking no further than
    ``end``. Read in chunks growing from 256 bytes to a megabyte (``translate`` is six times as
    fast as a regular expression, and a chunk is a small copy), so finding a stray byte early
    costs little more than the bytes before it."""
    pos, size = start, 256
    while pos < end:
        stop = min(end, pos + size)
        if raw[pos:stop].translate(None, _B64_ALPHABET):
            found = _NOT_BASE64.search(raw, pos, stop)
            assert found is not None
            return found.start()
        pos, size = stop, min(size * 2, _CHUNK)
    return end


def _set_aside_large_parts(raw: bytes, threshold: int) -> tuple[bytes, list[bytes]]:
    """Decode large base64 bodies straight from the raw bytes and cut them out of it.

    The standard library's MIME tree costs about four times a message's size; with the large
    bodies set aside it parses a small message. Each cut part keeps its headers plus a marker
    header naming its decoded payload in the returned list. A body counts only when it is
    base64 from the blank line after its headers to the next boundary line.

    Linear in the message's size, however many encoding lines it has: every search here starts
    at or after where the one before it started, so each answer is kept and used again while
    it still lies ahead (a mail of 20,000 encoding lines and no blank line after them was
    otherwise read to its end 20,000 times).
    """
    payloads: list[bytes] = []
    pieces: list[bytes] = []
    done = 0
    view = memoryview(raw)
    blank: re.Match[bytes] | None = None
    boundary = -2  # where the next boundary line starts (-1: none left; -2: not looked for yet)
    clean_from = clean_to = 0  # raw[clean_from:clean_to] is all base64; raw[clean_to] may not be
    for header in _B64_HEADER.finditer(raw):
        if header.start() < done:
            continue
        if blank is None or blank.start() < header.end():
            blank = _BLANK_LINE.search(raw, header.end())
            if blank is None:
                break
        # The part's last header line ends where the blank line's line break begins.
        head_end = blank.start() - (1 if raw[blank.start() - 1 : blank.start()] == b"\r" else 0)
        body_start = blank.end()
        if boundary == -2 or 0 <= boundary < body_start:
            boundary = raw.find(b"\n--", body_start)
        body_end = len(raw) if boundary < 0 else boundary + 1
        if body_end - body_start < threshold:
            continue
        if not clean_from <= body_start <= clean_to:
            clean_from = clean_to = body_start
        if clean_to < body_end and not _NOT_BASE64.match(raw, clean_to):
            clean_to = _base64_to(raw, clean_to, body_end)
        if clean_to < body_end:
            continue
        payloads.append(binascii.a2b_base64(view[body_start:body_end]))
        pieces += [raw[done:head_end], f"\r\n{_MARKER}: {len(payloads) - 1}".encode(), raw[head_end:body_start]]
        done = body_end
    if not payloads:
        return raw, []
    pieces.append(raw[done:])
    return b"".join(pieces), payloads


def _header_block(raw: bytes) -> bytes:
    """Everything before the first empty line (all of it when there is none)."""
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return raw[: min(ends)] if ends else raw


_FOR_MAIL_PARSER = frozenset({b"from", b"subject"})
# mail-parser decodes a field in time that grows faster than its length: it is given the first
# two occurrences of each (two are enough to see there is more than one), of at most 16 KB each.
# No sender's From or Subject comes near that; a longer one is read shortened and said so.
_FIELD_LIMIT = 16 * 1024
_FIELD_OCCURRENCES = 2


def _fields(block: bytes, names: frozenset[bytes]) -> tuple[bytes, list[str]]:
    """The header fields of ``block`` with these (lower-case) names, each with its folded
    continuation lines, within the limits above; and the defects saying what was left out."""
    kept: list[bytes] = []
    seen: dict[bytes, int] = {}
    defects: list[str] = []
    keep, size, name = False, 0, b""
    for line in block.splitlines(keepends=True):
        if line[:1] not in (b" ", b"\t"):
            name = line.partition(b":")[0].strip().lower()
            seen[name] = seen.get(name, 0) + 1
            keep, size = name in names and seen[name] <= _FIELD_OCCURRENCES, 0
        if not keep:
            continue
        if size + len(line) > _FIELD_LIMIT:
            defects.append(f"the {name.decode('ascii', 'replace')} header is longer than 16 KB; the rest is not read")
            keep = False
            kept.append(line[: _FIELD_LIMIT - size].rstrip(b"\r\n") + b"\r\n")
            continue
        size += len(line)
        kept.append(line)
    return b"".join(kept), defects


def parse_message(raw: bytes, large_part: int = LARGE_PART) -> ParsedMessage:
    """Read a raw RFC 5322 message. Raises :class:`ParseError` only when nothing can be read."""
    import mailparser  # imported here: it is only needed once a message is processed

    if not raw.strip():
        raise ParseError("empty message (nothing but white space)" if raw else "empty message (zero bytes)")
    # mail-parser reads the From and Subject fields only: decoding those is what it does best. On
    # the whole message it would also decode every attachment, and on the whole header block it
    # parses every Received field too (half its time on a delivered message). The standard
    # library's tree costs about four times a message's size, so large base64 bodies are decoded
    # straight from the raw bytes first and the tree is built from what remains (the worker's peak
    # for a 25 MB attachment: docs/benchmarks.md). A forwarded message's .eml attachment is then
    # rebuilt without its large parts; those are attachments of their own and the raw is kept.
    try:
        fields, defects = _fields(_header_block(raw), _FOR_MAIL_PARSER)
        mail = mailparser.parse_from_bytes(fields + b"\r\n")
        slim, large = _set_aside_large_parts(raw, large_part) if len(raw) > large_part else (raw, [])
        msg: Message = email.message_from_bytes(slim, _class=_Part)
        del slim
    except Exception as exc:
        raise ParseError(f"the message cannot be read: {exc}") from exc
    defects.extend(type(d).__name__ for d in (msg.defects or []))

    headers: dict[str, list[str]] = {}
    for name, value in msg.items():
        headers.setdefault(name.lower(), []).append(decode_header_value(str(value)))

    subject = mail.subject
    if isinstance(subject, list):
        defects.append("more than one Subject header; the first is used")
        subject = subject[0] if subject else ""
    subject = re.sub(r"\s+", " ", str(subject or "")).strip()

    from_pairs = mail.from_ if isinstance(mail.from_, list) else []
    from_name, from_address = ("", "")
    from_addresses = tuple(str(addr).strip().lower() for _, addr in from_pairs if "@" in str(addr))
    for name, addr in from_pairs:
        if "@" in str(addr):
            from_name, from_address = str(name or "").strip(), str(addr).strip().lower()
            break
    if len(headers.get("from", [])) > 1:
        defects.append("more than one From header; the first address is used")

    body = _Body(large=large)
    try:
        _walk(msg, body, 0)
    except Exception as exc:  # a body we cannot walk still leaves the headers usable
        body.defects.append(f"body could not be read: {exc}")
    body.defects.extend(
        f"a {part.get_content_type()} part has a header over 16 KB; its first 16 KB were read"
        for part in msg.walk()
        if part is not msg and any(isinstance(d, ParamsTooLong) for d in part.defects)
    )
    defects.extend(body.defects)
    html_only = not body.plain and bool(body.html)
    parts = body.plain if body.plain else [html_to_text(h) for h in body.html]
    text = tidy_text("\n\n".join(parts))
    if body.forwarded:
        fwd = "\n\n".join(
            f"---------- Doorgestuurd bericht / Forwarded message ----------\n{f}" for f in body.forwarded
        )
        text = f"{text}\n\n{fwd}".strip()

    # As message_identity reads it (the first Message-ID header), from the tree already built.
    first_id = msg.get("Message-ID")
    return ParsedMessage(
        message_id=(_first_msgid(str(first_id)) if first_id else None) or "",
        from_name=from_name,
        from_address=from_address,
        from_addresses=from_addresses,
        to=_addresses(headers.get("to", [])),
        cc=_addresses(headers.get("cc", [])),
        subject=subject,
        date=_date(headers.get("date", [""])[0]),
        in_reply_to=split_msgids(" ".join(headers.get("in-reply-to", []))),
        references=split_msgids(" ".join(headers.get("references", []))),
        headers={k: tuple(v) for k, v in headers.items()},
        text=text,
        html_only=html_only,
        attachments=tuple(body.attachments),
        defects=tuple(defects),
        content_type=msg.get_content_type(),
        authentication_results=tuple(
            str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            for name, value in msg.raw_items()
            if name.lower() == "authentication-results"
        ),
    )
