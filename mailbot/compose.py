"""Build an outgoing message: headers that stop mail loops, a random Message-ID, UTF-8 text."""

from __future__ import annotations

import secrets
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

# The stdlib folds at 78 characters and, before an encoded word, keeps the space on both sides
# of the fold, so mail programs show a doubled space. Headers fold only past RFC 5322's 998.
POLICY = SMTP.clone(max_line_length=998)
MAX_SUBJECT = 250


def new_message_id(sender: str) -> str:
    """Random and unguessable: a Message-ID is what a reply proves it answers."""
    domain = sender.rsplit("@", 1)[-1]
    return f"<{secrets.token_urlsafe(24)}@{domain}>"


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
) -> bytes:
    msg = EmailMessage(policy=POLICY)
    msg["From"] = formataddr((sender_name, sender))
    msg["To"] = recipient
    msg["Subject"] = subject if len(subject) <= MAX_SUBJECT else subject[: MAX_SUBJECT - 1] + "…"
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = " ".join(references[-20:])
    msg["Auto-Submitted"] = auto_submitted
    msg["X-Auto-Response-Suppress"] = "All"
    msg["Content-Language"] = language
    if kenmerk:
        msg["X-Mailbot-Kenmerk"] = kenmerk
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return msg.as_bytes()
