"""The shared mailbox over IMAP: select, find new UIDs, fetch raw bytes, wait with IDLE.

Only this module talks IMAP. Messages are fetched by UID with ``BODY.PEEK[]`` so their
flags stay as they were; nothing is ever deleted.
"""

from __future__ import annotations

import contextlib
import functools
import imaplib
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from mailbot.core.config import MailboxSettings
from mailbot.core.errors import PermanentError, TransientError
from mailbot.mail.oauth2 import Tokens
from mailbot.mail.tls import client_context

log = logging.getLogger(__name__)

NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    socket.timeout,
    ssl.SSLError,
    imaplib.IMAP4.abort,
    imaplib.IMAP4.error,
    IMAPClientError,
)
IDLE_RENEW_SECONDS = 300
LARGE_MESSAGE = 4 * 1024 * 1024  # larger messages are fetched in chunks straight to disk
FETCH_CHUNK = 4 * 1024 * 1024  # well inside the 29 minutes RFC 2177 allows; servers drop idle clients


@dataclass(frozen=True)
class FolderStatus:
    uidvalidity: int
    uidnext: int | None


@dataclass(frozen=True)
class Fetched:
    """One message: its bytes, or for a large one a way to read it in chunks (never whole)."""

    uid: int
    raw: bytes | None
    arrived_at: datetime | None
    size: int
    chunks: Callable[[], Iterator[bytes]] | None = None


def _fetch_one(c: IMAPClient, uid: int, spec: str) -> Any:
    return c.fetch([uid], [spec])


def _announces_mail(responses: list[Any]) -> bool:
    return any(isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses or [])


class ImapMailbox:
    def __init__(
        self, settings: MailboxSettings, ca_file: Path | None, timeout: float = 60, tokens: Tokens | None = None
    ) -> None:
        self.settings = settings
        self.ca_file = ca_file
        self.timeout = timeout
        self.tokens = tokens  # for MAILBOT_IMAP_AUTH=oauth2
        self.client: IMAPClient | None = None
        self.writable = bool(settings.processed_folder)
        self.large_message = LARGE_MESSAGE
        self.chunk = FETCH_CHUNK

    # -- connection ----------------------------------------------------------------------------
    def connect(self) -> None:
        s = self.settings.imap
        where = f"IMAP {s.host}:{s.port} ({s.security})"
        try:
            ctx = client_context(self.ca_file)
            client = IMAPClient(s.host, s.port, ssl=s.security == "ssl", ssl_context=ctx, timeout=self.timeout)
            if s.security == "starttls":
                client.starttls(ctx)
        except ssl.SSLCertVerificationError as exc:
            raise PermanentError(
                f"{where}: certificate not trusted ({exc.verify_message}); check {s.key('HOST')} and MAILBOT_CA_FILE"
            ) from exc
        except NETWORK_ERRORS as exc:
            raise TransientError(f"{where}: cannot connect: {exc}") from exc
        try:
            self._login(client)
        except LoginError as exc:
            with contextlib.suppress(*NETWORK_ERRORS):
                client.shutdown()
            raise PermanentError(s.login_refused(where, f"use IMAP for {s.user}")) from exc
        except NETWORK_ERRORS as exc:
            raise TransientError(f"{where}: login failed: {exc}") from exc
        except (PermanentError, TransientError):
            with contextlib.suppress(*NETWORK_ERRORS):
                client.shutdown()
            raise
        self.client = client

    def _login(self, client: IMAPClient) -> None:
        s = self.settings.imap
        if s.auth != "oauth2":
            client.login(s.user, s.password)
            return
        assert self.tokens is not None, "an OAuth2 mailbox needs its Tokens"
        self.tokens.login(lambda token: client.oauth2_login(s.user, token), LoginError)

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except Exception:  # closing a connection that is already gone
                log.debug("IMAP logout failed", exc_info=True)
            self.client = None

    def _c(self) -> IMAPClient:
        if self.client is None:
            self.connect()
        assert self.client is not None
        return self.client

    def _call(self, what: str, fn: Callable[[IMAPClient], Any]) -> Any:
        try:
            return fn(self._c())
        except NETWORK_ERRORS as exc:
            self.close()
            raise TransientError(f"IMAP {what} failed: {exc}") from exc

    # -- reading -------------------------------------------------------------------------------
    def select(self) -> FolderStatus:
        folder = self.settings.folder
        info = self._call(f"select {folder}", lambda c: c.select_folder(folder, readonly=not self.writable))
        uidvalidity = info.get(b"UIDVALIDITY")
        if uidvalidity is None:
            raise PermanentError(f"IMAP folder {folder} has no UIDVALIDITY; check {self.settings.imap.key('FOLDER')}")
        return FolderStatus(int(uidvalidity), int(info[b"UIDNEXT"]) if b"UIDNEXT" in info else None)

    def uids_after(self, last_uid: int) -> list[int]:
        # "n:*" always matches the highest UID, even when it is below n: filter it out.
        uids = self._call("search", lambda c: c.search(["UID", f"{last_uid + 1}:*"]))
        return sorted(int(u) for u in uids if int(u) > last_uid)

    def fetch(self, uids: Iterable[int]) -> list[Fetched]:
        """Sizes first; small messages whole in one FETCH, large ones as chunk readers."""
        wanted = list(uids)
        meta = self._call("fetch", lambda c: c.fetch(wanted, ["RFC822.SIZE", "INTERNALDATE"]))
        small = [u for u in wanted if u in meta and int(meta[u].get(b"RFC822.SIZE", 0)) <= self.large_message]
        bodies = self._call("fetch", lambda c: c.fetch(small, ["BODY.PEEK[]"])) if small else {}
        out = []
        for uid in wanted:
            if uid not in meta:
                continue  # expunged meanwhile by someone else; nothing of ours to lose
            arrived = meta[uid].get(b"INTERNALDATE")
            if isinstance(arrived, datetime):
                arrived = arrived.astimezone(UTC) if arrived.tzinfo else arrived.astimezone().astimezone(UTC)
            size = int(meta[uid].get(b"RFC822.SIZE", 0))
            if uid in small:
                raw = (bodies.get(uid) or {}).get(b"BODY[]")
                if raw is None:
                    continue
                out.append(Fetched(uid, bytes(raw), arrived, len(raw)))
            else:
                out.append(Fetched(uid, None, arrived, size, chunks=functools.partial(self._chunks, uid)))
        return out

    def _chunks(self, uid: int) -> Iterator[bytes]:
        """A large message in ``BODY.PEEK[]<offset.length>`` pieces, so it is never held whole."""
        offset = 0
        while True:
            spec = f"BODY.PEEK[]<{offset}.{self.chunk}>"
            data = self._call("fetch", functools.partial(_fetch_one, uid=uid, spec=spec))
            piece = (data.get(uid) or {}).get(f"BODY[]<{offset}>".encode())
            if piece is None:
                raise TransientError(f"IMAP UID {uid}: partial fetch at {offset} returned nothing")
            if piece:
                yield bytes(piece)
            offset += len(piece)
            if len(piece) < self.chunk:
                return

    def move(self, uids: list[int], folder: str) -> None:
        def _move(c: IMAPClient) -> None:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            if c.has_capability("MOVE"):
                c.move(uids, folder)
            else:  # copy is enough: the original stays, so nothing can be lost
                c.copy(uids, folder)

        self._call(f"move to {folder}", _move)

    def noop(self) -> None:
        self._call("noop", lambda c: c.noop())

    # -- waiting -------------------------------------------------------------------------------
    def supports_idle(self) -> bool:
        return bool(self._call("capability", lambda c: c.has_capability("IDLE")))

    def wait(self, timeout: float, should_stop: Callable[[], bool]) -> bool:
        """IDLE until the server announces mail, ``timeout`` passes or we are asked to stop.

        Returns True when the server said something changed. The connection is checked with
        NOOP afterwards: a dropped connection only shows on the next command.
        """
        c = self._c()
        deadline = time.monotonic() + min(timeout, IDLE_RENEW_SECONDS)
        changed = False
        try:
            c.idle()
            quick_empty = 0
            while not should_stop() and time.monotonic() < deadline:
                wait = min(1.0, max(0.05, deadline - time.monotonic()))
                began = time.monotonic()
                responses = c.idle_check(timeout=wait)
                if _announces_mail(responses):
                    changed = True
                    break
                # On a dropped connection idle_check returns [] at once, forever: leave and let
                # the NOOP below find out, instead of spinning.
                quick_empty = quick_empty + 1 if not responses and time.monotonic() - began < wait / 2 else 0
                if quick_empty >= 3:
                    break
            # Mail that arrived just before DONE is reported in the responses to DONE or NOOP,
            # not in IDLE: dropping those would leave it waiting for the next poll.
            _, done_responses = c.idle_done()
            _, noop_responses = c.noop()
            changed = changed or _announces_mail(done_responses) or _announces_mail(noop_responses)
        except NETWORK_ERRORS as exc:
            self.close()
            raise TransientError(f"IMAP connection lost while waiting: {exc}") from exc
        return changed
