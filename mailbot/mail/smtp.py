"""Outgoing mail over SMTP: one connection for a batch, failures sorted into transient and permanent.

Where the server offers PIPELINING (RFC 2920; Postfix does), MAIL, RCPT and DATA go out in one
write and the message in a second: two round trips per mail instead of smtplib's four. On a
backlog the sender shares the interpreter with dispatch (worker.SendAlongside), and every
reply it waits for is a hand-over it must win back, so this halves what a mail costs it.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from pathlib import Path
from types import TracebackType

from mailbot.core.compose import address_fault, mail_address, shown_address
from mailbot.core.config import ServerSettings
from mailbot.core.errors import MailbotError, PermanentError, TransientError
from mailbot.mail.oauth2 import Tokens, xoauth2
from mailbot.mail.tls import client_context


def _by_code(code: int, text: str) -> Exception:
    return PermanentError(text) if 500 <= code < 600 else TransientError(text)


class SmtpTransport:
    def __init__(
        self, settings: ServerSettings, ca_file: Path | None, timeout: float = 60, tokens: Tokens | None = None
    ) -> None:
        self.settings = settings
        self.ca_file = ca_file
        self.timeout = timeout
        self.tokens = tokens  # for MAILBOT_SMTP_AUTH=oauth2
        self.conn: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        self.connect()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def connect(self) -> None:
        s = self.settings
        where = f"SMTP {s.host}:{s.port} ({s.security})"
        ctx = client_context(self.ca_file)
        conn: smtplib.SMTP | None = None
        try:
            if s.security == "ssl":
                conn = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=ctx)
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
                if s.security == "starttls":
                    conn.starttls(context=ctx)
            if s.auth == "oauth2":
                self._oauth2_login(conn)
            elif s.user:
                conn.login(s.user, s.password)
        except ssl.SSLCertVerificationError as exc:
            raise PermanentError(
                f"{where}: certificate not trusted ({exc.verify_message}); check {s.key('HOST')} and MAILBOT_CA_FILE"
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentError(s.login_refused(where, f"send as {s.user}")) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentError(f"{where}: {exc}; check {s.key('SECURITY')}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"{where}: cannot connect: {exc}") from exc
        except MailbotError:  # no token from the provider: do not leave the connection open
            if conn is not None:
                conn.close()
            raise
        self.conn = conn

    def _oauth2_login(self, conn: smtplib.SMTP) -> None:
        assert self.tokens is not None, "an OAuth2 mailbox needs its Tokens"
        user = self.settings.user
        conn.ehlo_or_helo_if_needed()

        def attempt(token: str) -> object:
            # XOAUTH2's answer to an error challenge is an empty line; the server then says no.
            return conn.auth("XOAUTH2", lambda challenge=None: xoauth2(user, token) if challenge is None else "")

        self.tokens.login(attempt, smtplib.SMTPAuthenticationError)

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                self.conn.close()
            self.conn = None

    def send(self, sender: str, recipient: str, raw: bytes) -> None:
        fault = address_fault(recipient)
        if fault:  # refused before any SMTP: a CR or LF would be a command of its own in RCPT TO
            raise PermanentError(f"{shown_address(recipient)} not sent: the address {fault}")
        if self.conn is None:
            self.connect()
        assert self.conn is not None
        recipient = mail_address(recipient)
        options = [] if recipient.isascii() else ["SMTPUTF8"]
        try:
            self.conn.ehlo_or_helo_if_needed()
            if self.conn.has_extn("pipelining"):
                self._send_pipelined(self.conn, sender, recipient, raw, options)
                return
            refused = self.conn.sendmail(sender, [recipient], raw, mail_options=options)
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentError(
                f"{recipient} refused: the SMTP server does not take non-ASCII addresses (SMTPUTF8): {exc}"
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _by_code(code, f"{recipient} refused: {code} {text.decode(errors='replace')}") from exc
        except smtplib.SMTPResponseException as exc:
            msg = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
            raise _by_code(exc.smtp_code, f"SMTP {exc.smtp_code} {msg}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self.conn = None
            raise TransientError(f"SMTP connection lost: {exc}") from exc
        finally:
            if self.conn is not None and self.conn.sock is None:
                self.conn = None  # closed on a 421 or a lost connection: the next mail reconnects
        if refused:
            code, text = refused[recipient]
            raise _by_code(code, f"{recipient} refused: {code} {text.decode(errors='replace')}")

    def _send_pipelined(self, conn: smtplib.SMTP, sender: str, recipient: str, raw: bytes, options: list[str]) -> None:
        """One mail as RFC 2920 has it: MAIL, RCPT and DATA in one write, their three replies,
        then the message and its reply. Errors are raised as smtplib's own, so ``send`` words
        them the same with or without pipelining."""
        if options and not conn.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError("SMTPUTF8 not supported by server")
        if conn.has_extn("size"):
            options = [*options, f"size={len(raw)}"]
        mail = f"MAIL FROM:{smtplib.quoteaddr(sender)}{''.join(' ' + o for o in options)}\r\n"
        rcpt = f"RCPT TO:{smtplib.quoteaddr(recipient)}\r\n"
        conn.send(f"{mail}{rcpt}DATA\r\n".encode())
        mail_reply, rcpt_reply, data_reply = conn.getreply(), conn.getreply(), conn.getreply()
        refused = mail_reply[0] != 250 or rcpt_reply[0] not in (250, 251)
        if refused and data_reply[0] == 354:
            # A server that takes DATA with nothing to deliver to gets an empty message ended
            # at once (RFC 2920, 3.1); what it answers to that is of no use.
            conn.send(b".\r\n")
            conn.getreply()
        if 421 in (mail_reply[0], rcpt_reply[0], data_reply[0]):
            conn.close()  # the server is closing the connection: no RSET
        elif refused or data_reply[0] != 354:
            _rset(conn)
        if mail_reply[0] != 250:
            raise smtplib.SMTPSenderRefused(*mail_reply, sender)
        if rcpt_reply[0] not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: rcpt_reply})
        if data_reply[0] != 354:
            raise smtplib.SMTPDataError(*data_reply)
        conn.send(_dot_stuffed(raw))
        code, text = conn.getreply()
        if code == 421:
            conn.close()
        if code != 250:  # the end of the data ends the transaction either way: no RSET
            raise smtplib.SMTPDataError(code, text)


def _rset(conn: smtplib.SMTP) -> None:
    """Clear the refused mail's state for the next one. A server that hangs up instead (421,
    as Postfix does after 20 errors in a session) is let go, so the next mail reconnects; the
    refusal is what the caller hears of."""
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        if conn.rset()[0] == 421:
            conn.close()


_LINE_STARTING_WITH_A_DOT = re.compile(rb"(?m)^\.")


def _dot_stuffed(raw: bytes) -> bytes:
    """The message as DATA carries it (RFC 5321, 4.5.2): a dot doubled at the start of a line,
    ended by a line holding only a dot. Line ends are left as composed, as smtplib does."""
    body = _LINE_STARTING_WITH_A_DOT.sub(b"..", raw)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"
