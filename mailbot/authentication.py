"""Did the receiving mail server vouch for the sender (Authentication-Results, RFC 8601)?

Only a header written by the trusted server counts: any hop before it can add a header that
claims anything, even with the trusted server's name. The trusted server adds its header on
top, so the topmost header with its authserv-id is its verdict and the only one read. Pure.
"""

from __future__ import annotations

import re

from mailbot.parse import ParsedMessage


def authentication_passes(values: tuple[str, ...], trusted_authserv_id: str) -> bool:
    """True when the topmost header from ``trusted_authserv_id`` says dkim=pass or dmarc=pass."""
    trusted = trusted_authserv_id.strip().lower()
    for value in values:
        authserv = value.split(";", 1)[0].strip().split()[0].lower() if value.strip() else ""
        if authserv != trusted:
            continue
        results = value.split(";", 1)[1] if ";" in value else ""
        return bool(re.search(r"\b(dkim|dmarc)\s*=\s*pass\b", results, re.IGNORECASE))
    return False


def sender_authenticated(parsed: ParsedMessage, trusted_authserv_id: str) -> bool:
    """Whether the trusted server vouched for the very address in From: one From address,
    and a passing DKIM or DMARC result for it. False when no server is trusted."""
    if not trusted_authserv_id or len(parsed.from_addresses) != 1:
        return False
    return authentication_passes(parsed.header_values("authentication-results"), trusted_authserv_id)
