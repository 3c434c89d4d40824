"""Authentication-Results: only the trusted server's own (topmost) verdict counts."""

from __future__ import annotations

from mailbot.authentication import authentication_passes

TRUSTED = "mx.example.org"


def test_pass_from_trusted_server() -> None:
    assert authentication_passes(("mx.example.org; dkim=pass header.d=example.org; dmarc=pass",), TRUSTED)
    assert authentication_passes(("MX.example.org 1; spf=pass; dmarc=pass (p=reject)",), TRUSTED)


def test_fail_or_none() -> None:
    assert not authentication_passes(("mx.example.org; dkim=fail; dmarc=fail",), TRUSTED)
    assert not authentication_passes(("mx.example.org; spf=pass",), TRUSTED)
    assert not authentication_passes((), TRUSTED)


def test_untrusted_hop_is_ignored() -> None:
    assert not authentication_passes(("evil.example.net; dkim=pass; dmarc=pass",), TRUSTED)


def test_forged_header_below_the_real_one_is_ignored() -> None:
    """The trusted server puts its verdict on top; a forged pass further down does not count."""
    headers = ("mx.example.org; dkim=fail; dmarc=fail", "mx.example.org; dkim=pass; dmarc=pass")
    assert not authentication_passes(headers, TRUSTED)
