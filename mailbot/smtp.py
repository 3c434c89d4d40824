"""Outgoing mail over SMTP: one connection for a batch, failures sorted into transient and permanent."""

from __future__ import annotations

import smtplib
import ssl
from pathlib import Path
from types import TracebackType

from mailbot.compose import mail_address
from mailbot.config import ServerSettings
from mailbot.errors import MailbotError, PermanentError, TransientError
from mailbot.oauth2 import Tokens, xoauth2
from mailbot.tls import client_context


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
        if self.conn is None:
            self.connect()
        assert self.conn is not None
        recipient = mail_address(recipient)
        options = [] if recipient.isascii() else ["SMTPUTF8"]
        try:
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
        if refused:
            code, text = refused[recipient]
            raise _by_code(code, f"{recipient} refused: {code} {text.decode(errors='replace')}")
