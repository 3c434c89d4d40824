"""Authentication-Results: only the trusted server's own (topmost) verdict counts, and only a
DKIM or DMARC pass for the domain in From."""

from __future__ import annotations

import time

import pytest

from mailbot.core.authentication import aligned, parse_results, sender_authenticated
from mailbot.core.parse import ParsedMessage, parse_message

TRUSTED = "mx.example.org"

# As the lab's and real receiving servers write them (folded as they fold them).
OPENDKIM = (
    "mx.example.org; dkim=pass (2048-bit key; unprotected) header.d=example.org\r\n"
    "\theader.i=@example.org header.a=rsa-sha256 header.s=mail header.b=AbCd+/12"
)
OPENDMARC = "mx.example.org; dmarc=pass (p=reject dis=none) header.from=example.org"
RSPAMD = (
    "mx.example.org;\r\n\tdkim=pass header.d=example.org header.s=dkim header.b=FuBX5vpw;\r\n"
    "\tdmarc=pass (policy=reject) header.from=example.org;\r\n"
    "\tspf=pass (mx.example.org: domain of fg@example.org designates 192.0.2.1 as permitted sender)"
    " smtp.mailfrom=fg@example.org"
)
GMAIL_SHAPE = (
    "mx.example.org;\r\n       dkim=pass header.i=@example.org header.s=s1 header.b=xyz;\r\n"
    "       spf=pass (mx.example.org: domain of fg@example.org designates 192.0.2.1 as permitted sender)"
    " smtp.mailfrom=fg@example.org"
)
DOVECOT_PIGEONHOLE = 'mx.example.org 1; dkim=pass reason="signature ok" header.d=Example.ORG header.s=2026'


def message(*results: str, sender: str = "Functionaris <fg@example.org>") -> ParsedMessage:
    fields = "".join(f"Authentication-Results: {value}\r\n" for value in results)
    raw = f"{fields}From: {sender}\r\nTo: meldpunt@example.org\r\nSubject: status\r\n\r\nStatus: herstellen\r\n"
    return parse_message(raw.encode())


def authenticated(*results: str, sender: str = "Functionaris <fg@example.org>") -> bool:
    return sender_authenticated(message(*results, sender=sender), TRUSTED)


@pytest.mark.parametrize("header", [OPENDKIM, OPENDMARC, RSPAMD, GMAIL_SHAPE, DOVECOT_PIGEONHOLE])
def test_real_world_header_shapes_pass(header: str) -> None:
    assert authenticated(header)


def test_pass_from_trusted_server() -> None:
    assert authenticated("mx.example.org; dkim=pass header.d=example.org; dmarc=pass header.from=example.org")
    assert authenticated("MX.example.org 1; spf=pass; dmarc=pass (p=reject) header.from=example.org")
    assert authenticated('"mx.example.org" (version follows) 1 ; dkim/1 = pass (ok) header.d="example.org"')


def test_fail_or_none() -> None:
    assert not authenticated("mx.example.org; dkim=fail header.d=example.org; dmarc=fail header.from=example.org")
    assert not authenticated("mx.example.org; spf=pass smtp.mailfrom=fg@example.org")
    assert not authenticated("mx.example.org; none")
    assert not authenticated()


def test_no_trusted_server_configured() -> None:
    assert not sender_authenticated(message(OPENDKIM), "")


def test_untrusted_hop_is_ignored() -> None:
    assert not authenticated("evil.example.net; dkim=pass header.d=example.org; dmarc=pass header.from=example.org")


def test_forged_header_below_the_real_one_is_ignored() -> None:
    """The trusted server puts its verdict on top; a forged pass further down does not count."""
    assert not authenticated("mx.example.org; dkim=fail; dmarc=fail", OPENDMARC)


def test_a_later_hop_above_the_trusted_header_is_skipped() -> None:
    assert authenticated("relay.internal.example.org; none", OPENDMARC)


@pytest.mark.parametrize(
    "header",
    [
        "mx.example.org; dkim=pass header.d=attacker.test",
        "mx.example.org; dkim=pass header.i=@attacker.test",
        "mx.example.org; dkim=pass header.d=attacker.test header.i=@example.org",
        "mx.example.org; dmarc=pass header.from=attacker.test",
        "mx.example.org; dmarc=pass header.from=mail.example.org",
        "mx.example.org; dmarc=pass",
        "mx.example.org; dkim=pass",
        "mx.example.org; dkim=pass header.s=mail header.b=AbCd",
        "mx.example.org; spf=pass smtp.mailfrom=dkim=pass@example.org",
        'mx.example.org; spf=pass smtp.mailfrom="dkim=pass header.d=example.org"@attacker.test',
        'mx.example.org; spf=pass smtp.mailfrom="x; dkim=pass header.d=example.org"@attacker.test',
        "mx.example.org; dkim=fail (dkim=pass header.d=example.org) header.d=example.org",
        "mx.example.org; spf=pass (dmarc=pass header.from=example.org) smtp.mailfrom=x@attacker.test",
        "mx.example.org; dkim=pass header.d=attacker.test (header.d=example.org; dkim=pass header.d=example.org)",
        "mx.example.org; spf=pass (a (nested) comment; dkim=pass header.d=example.org) smtp.mailfrom=x@example.org",
        "mx.example.org (dkim=pass header.d=example.org); spf=pass smtp.mailfrom=fg@example.org",
        "mx.example.org; dkim=pass header.d=example.org.attacker.test",
        "mx.example.org; dkim=pass header.d=badexample.org",
        "mx.example.org; dkim=pass header.d=org",
        "mx.example.org; dkim=pass header.d=example.org header.d=attacker.test",
        "mx.example.org; dkim=pass policy.d=example.org",
        "mx.example.org; dkim=pass header.d=example.org (unclosed comment",
        'mx.example.org; dkim=pass reason="unclosed quote header.d=example.org',
        "mx.example.org; dkim=pass header.d=example.org ; dkim",
    ],
)
def test_a_pass_that_does_not_vouch_for_the_from_domain_fails(header: str) -> None:
    assert not authenticated(header)


def test_an_encoded_word_cannot_add_a_result() -> None:
    """The envelope sender is the sender's choice and lands in the header as written; decoded as
    RFC 2047 it would become a result of its own, or close a comment."""
    assert not authenticated(
        "mx.example.org; spf=pass"
        " smtp.mailfrom==?utf-8?q?x=3B_dkim=3Dpass_header.d=3Dexample.org_x-a=3D?=@attacker.test"
    )
    assert not authenticated(
        "mx.example.org; spf=pass (domain of =?utf-8?q?=29=3B_dkim=3Dpass_header.d=3Dexample.org_=28?=@attacker.test)"
        " smtp.mailfrom=x@attacker.test"
    )


def test_aligned_subdomain_passes() -> None:
    assert authenticated("mx.example.org; dkim=pass header.d=mail.example.org")
    assert authenticated("mx.example.org; dkim=pass header.i=fg@mail.example.org")
    assert authenticated(
        "mx.example.org; dkim=pass header.d=example.nl", sender="Piet <piet@privacy.afdeling.example.nl>"
    )
    assert authenticated("mx.example.org; dkim=pass header.d=EXAMPLE.org.", sender="fg@Example.Org")


def test_dmarc_header_from_must_be_the_from_domain() -> None:
    assert authenticated("mx.example.org; dmarc=pass header.from=EXAMPLE.ORG.")
    assert not authenticated("mx.example.org; dmarc=pass header.from=example.org", sender="fg@mail.example.org")


def test_several_from_addresses_never_authenticate() -> None:
    assert not authenticated(OPENDKIM, sender="fg@example.org, someone@example.org")
    assert not authenticated(OPENDKIM, sender="undisclosed-recipients:;")


def test_international_domains_compare_in_ascii_form() -> None:
    assert authenticated("mx.example.org; dkim=pass header.d=xn--bcher-kva.example", sender="info@bücher.example")
    assert authenticated("mx.example.org; dmarc=pass header.from=bücher.example", sender="info@xn--bcher-kva.example")
    assert not authenticated("mx.example.org; dkim=pass header.d=bucher.example", sender="info@bücher.example")


def test_alignment_uses_the_public_suffix_list() -> None:
    assert aligned("mail.example.nl", "example.nl")
    assert aligned("a.b.example.co.uk", "example.co.uk")
    assert not aligned("example.co.uk", "other.co.uk")
    assert not aligned("co.uk", "example.co.uk")
    assert not aligned("attacker.github.io", "victim.github.io")  # the list's private part counts too
    assert aligned("co.uk", "co.uk")


def test_parse_results() -> None:
    parsed = parse_results(RSPAMD)
    assert parsed is not None and parsed.authserv_id == "mx.example.org"
    assert [(r.method, r.result) for r in parsed.results] == [("dkim", "pass"), ("dmarc", "pass"), ("spf", "pass")]
    assert parsed.results[0].values("header.d") == ("example.org",)
    assert parsed.results[2].values("smtp.mailfrom") == ("fg@example.org",)
    assert parse_results('a; dkim=pass reason="a \\"b\\" (c)" header.b=x=y/z') is not None
    assert parse_results("a (b (c) d) 1 ; none") is not None
    assert parse_results("a; dkim=pass header.d=x (") is None
    assert parse_results("") is None


def test_parsing_is_linear() -> None:
    """The header comes with the mail: a huge one must not hold up the worker."""
    start = time.monotonic()
    parse_results("mx.example.org; dkim=pass header.d=example.org (" + "x " * 500_000 + ")")
    parse_results("mx.example.org; " + "(" * 200_000 + ")" * 200_000 + " none")
    parse_results("mx.example.org; " + "; ".join(f"dkim=pass header.d=d{i}.test" for i in range(20_000)))
    parse_results('mx.example.org; dkim=pass reason="' + "\\x" * 500_000)
    assert time.monotonic() - start < 5
