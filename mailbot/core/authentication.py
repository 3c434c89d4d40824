"""Did the receiving mail server vouch for the sender (Authentication-Results, RFC 8601)?

Only a header written by the trusted server counts: any hop before it can add a header that
claims anything, even with the trusted server's name. The trusted server adds its header on
top, so the topmost header with its authserv-id is its verdict and the only one read.

Only a result about the domain in From counts: a DMARC pass whose header.from is that domain,
or a DKIM pass whose signing domain (header.d, or else the domain of header.i) has the same
organisational domain (DMARC's relaxed alignment, by the Public Suffix List). A DKIM pass for
another domain only says that someone signed the mail; SPF vouches for the envelope sender,
not for From. Comments, reasons and smtp.mailfrom are text the sender chose, so the header is
tokenized (comments nested, quoted strings, each result with its own properties) and never
searched for words. It is read as the server wrote it, not RFC 2047 decoded: an encoded word
in an envelope address would otherwise decode into a result of its own. A header the reader
cannot follow vouches for nothing. Pure; linear in the header's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import idna
from publicsuffixlist import PublicSuffixList

from mailbot.core.parse import ParsedMessage


@dataclass(frozen=True)
class Result:
    """One resinfo: ``method=result`` and its properties (``header.d``, ``reason``, ...)."""

    method: str  # lower case, without a method version
    result: str  # lower case
    properties: tuple[tuple[str, str], ...]  # (name in lower case, value as written)

    def values(self, name: str) -> tuple[str, ...]:
        return tuple(value for key, value in self.properties if key == name)


@dataclass(frozen=True)
class AuthResults:
    authserv_id: str  # lower case
    results: tuple[Result, ...]


class _SyntaxError(ValueError):
    pass


_SPACE = re.compile(r"[ \t\r\n]*")
_COMMENT_MARK = re.compile(r"[()\\]")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*+)"', re.DOTALL)
_QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)
_WORD = re.compile(r'[^ \t\r\n;=()"/]+')  # authserv-id, method, result, property name
_VALUE = re.compile(r'[^ \t\r\n;()"]+')  # unquoted value: domains, addresses, base64 (header.b)
_DIGITS = re.compile(r"[0-9]+")


class _Reader:
    """A cursor over one header value; every step moves forward, so reading is linear."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def at(self, char: str) -> bool:
        return self.text.startswith(char, self.pos)

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip_cfws(self) -> None:
        """White space and comments, comments nested and with quoted pairs."""
        while True:
            space = _SPACE.match(self.text, self.pos)
            self.pos = space.end() if space else self.pos
            if not self.at("("):
                return
            depth, pos = 0, self.pos
            while True:
                mark = _COMMENT_MARK.search(self.text, pos)
                if mark is None:
                    raise _SyntaxError("comment not closed")
                pos = mark.end() + (mark.group() == "\\")
                depth += {"(": 1, ")": -1}.get(mark.group(), 0)
                if depth == 0:
                    break
            self.pos = pos

    def expect(self, char: str) -> None:
        if not self.at(char):
            raise _SyntaxError(f"{char!r} expected at {self.pos}")
        self.pos += 1

    def take(self, pattern: re.Pattern[str]) -> str:
        found = pattern.match(self.text, self.pos)
        if found is None:
            raise _SyntaxError(f"unexpected text at {self.pos}")
        self.pos = found.end()
        return found.group()

    def value(self) -> str:
        """A token or quoted string, or pieces of both without space between (``"a b"@example.org``)."""
        pieces: list[str] = []
        while True:
            if self.at('"'):
                quoted = _QUOTED.match(self.text, self.pos)
                if quoted is None:
                    raise _SyntaxError("quoted string not closed")
                pieces.append(_QUOTED_PAIR.sub(r"\1", quoted.group(1)))
                self.pos = quoted.end()
            elif plain := _VALUE.match(self.text, self.pos):
                pieces.append(plain.group())
                self.pos = plain.end()
            else:
                return "".join(pieces)


def _authserv_id(reader: _Reader) -> str:
    reader.skip_cfws()
    return (reader.value() if reader.at('"') else reader.take(_WORD)).lower()


def _resinfo(reader: _Reader) -> Result | None:
    """One ``method[/version]=result`` with its properties; None for ``none``."""
    method = reader.take(_WORD).lower()
    reader.skip_cfws()
    if method == "none" and (reader.at_end() or reader.at(";")):
        return None
    if reader.at("/"):
        reader.pos += 1
        reader.skip_cfws()
        reader.take(_DIGITS)
        reader.skip_cfws()
    reader.expect("=")
    reader.skip_cfws()
    result = reader.take(_WORD).lower()
    properties: list[tuple[str, str]] = []
    while True:
        reader.skip_cfws()
        if reader.at_end() or reader.at(";"):
            return Result(method, result, tuple(properties))
        name = reader.take(_WORD).lower()
        reader.skip_cfws()
        reader.expect("=")
        reader.skip_cfws()
        properties.append((name, reader.value()))


def parse_results(value: str) -> AuthResults | None:
    """One Authentication-Results value, or None when it does not follow RFC 8601."""
    reader = _Reader(value)
    try:
        authserv_id = _authserv_id(reader)
        reader.skip_cfws()
        if _DIGITS.match(reader.text, reader.pos):  # authres-version
            reader.take(_DIGITS)
        results: list[Result] = []
        while True:
            reader.skip_cfws()
            if reader.at_end():
                return AuthResults(authserv_id, tuple(results))
            reader.expect(";")
            reader.skip_cfws()
            if reader.at_end():  # a trailing ";"
                return AuthResults(authserv_id, tuple(results))
            if (result := _resinfo(reader)) is not None:
                results.append(result)
    except _SyntaxError:
        return None


def trusted_verdict(values: tuple[str, ...], trusted_authserv_id: str) -> AuthResults | None:
    """The topmost header from ``trusted_authserv_id``, or None when there is none or it cannot be read."""
    trusted = trusted_authserv_id.strip().lower()
    for value in values:
        try:
            authserv_id = _authserv_id(_Reader(value))
        except _SyntaxError:
            continue
        if authserv_id == trusted:
            return parse_results(value)
    return None


def domain_key(domain: str) -> str | None:
    """A domain in the form to compare: ASCII (IDNA 2008 with UTS 46 mapping), lower case, no
    trailing dot; None when it is no domain name."""
    domain = domain.strip().removesuffix(".")
    try:
        return idna.encode(domain, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):
        return None


@cache
def _public_suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list the package ships, ICANN and private parts; no network


def aligned(signer: str, from_domain: str) -> bool:
    """Relaxed alignment: the same domain, or the same organisational domain (the domain just
    below its public suffix), so mail.example.nl is aligned with example.nl but
    example.co.uk is not with other.co.uk. Both domains as :func:`domain_key` gives them."""
    if signer == from_domain:
        return True
    organisation = _public_suffixes().privatesuffix(signer)
    return organisation is not None and organisation == _public_suffixes().privatesuffix(from_domain)


def _vouches_for(result: Result, from_domain: str) -> bool:
    if result.result != "pass":
        return False
    if result.method == "dmarc":
        return [domain_key(v) for v in result.values("header.from")] == [from_domain]
    if result.method == "dkim":
        signers = result.values("header.d") or tuple(v.rpartition("@")[2] for v in result.values("header.i"))
        signer = domain_key(signers[0]) if len(signers) == 1 else None
        return signer is not None and aligned(signer, from_domain)
    return False


def sender_authenticated(parsed: ParsedMessage, trusted_authserv_id: str) -> bool:
    """Whether the trusted server vouched for the very address in From: one From address, and
    a passing DMARC result for its domain or a passing DKIM signature aligned with it. False
    when no server is trusted."""
    if not trusted_authserv_id or len(parsed.from_addresses) != 1:
        return False
    from_domain = domain_key(parsed.from_addresses[0].rpartition("@")[2])
    verdict = trusted_verdict(parsed.authentication_results, trusted_authserv_id)
    if from_domain is None or verdict is None:
        return False
    return any(_vouches_for(result, from_domain) for result in verdict.results)
