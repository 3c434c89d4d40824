"""OAuth2 access tokens for mailboxes that no longer take passwords (Microsoft 365, Google).

One :class:`Tokens` per mailbox, shared by its IMAP and SMTP connections (and threads). A
token is kept until five minutes before it expires and then fetched anew, before a login can
fail on it; a token the server refuses all the same is dropped and fetched once more.

- Microsoft 365: the client-credentials flow of an app registration through ``msal`` (client
  secret or certificate), scope ``https://outlook.office365.com/.default``; the app needs
  ``IMAP.AccessAsApp`` / ``SMTP.SendAsApp`` and access to the mailbox (README).
- Google: a refresh token, or a service account with domain-wide delegation acting as the
  mailbox (a JWT signed with its key). A refresh token the provider replaces (rotation) is
  saved at once where the raw mail is kept (store.py: owner-only under the data dir, or in the
  PostgreSQL database, so a standby worker on another machine has it too) and used from then
  on, also after a restart: a product that keeps using the first one finds it dead months later.

Failures are sorted as everywhere else: the provider refusing the client or the grant is a
:class:`PermanentError` naming the setting to renew; a provider that cannot be reached, a
:class:`TransientError`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailbot.core.config import MailboxSettings, OAuth2Settings
from mailbot.core.errors import PermanentError, TransientError
from mailbot.mail.tls import client_context

if TYPE_CHECKING:
    from mailbot.model.store import Blobs

log = logging.getLogger(__name__)

GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 (a URL, not a secret)
REFRESH_BEFORE = timedelta(minutes=5)
TIMEOUT_SECONDS = 30
# What a provider answers when the client, its secret or the grant is no good: retrying will
# not help, a person must renew something.
REFUSALS = ("invalid_client", "invalid_grant", "unauthorized_client", "invalid_request", "access_denied")


def xoauth2(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def tokens_for(mb: MailboxSettings, state: Blobs, ca_file: Path | None, clock: Callable[[], datetime]) -> Tokens | None:
    """The token source of a mailbox that logs in with OAuth2 (IMAP or SMTP), else None."""
    if mb.oauth2 is None:
        return None
    return Tokens(mb.oauth2, mb.imap.user, state, ca_file, clock)


class Tokens:
    """Access tokens for one mailbox: cached, refreshed ahead of expiry, thread-safe."""

    def __init__(
        self,
        settings: OAuth2Settings,
        user: str,
        state: Blobs,
        ca_file: Path | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.user = user
        self.state = state
        self.ca_file = ca_file
        self.clock = clock
        self.lock = threading.Lock()
        self.token: str | None = None
        self.expires_at: datetime | None = None
        self._msal_app: Any = None

    @property
    def label(self) -> str:
        return f"OAuth2 ({self.settings.provider})"

    def get(self) -> str:
        with self.lock:
            now = self.clock()
            if self.token is None or self.expires_at is None or now >= self.expires_at - REFRESH_BEFORE:
                token, lifetime = self._fetch()
                self.token, self.expires_at = token, now + timedelta(seconds=lifetime)
                log.info(
                    "oauth2: %s: new access token from %s, valid %d min",
                    self.user,
                    self.settings.provider,
                    lifetime // 60,
                )
            return self.token

    def drop(self) -> None:
        """The server refused the token: forget it, the next :meth:`get` fetches another."""
        with self.lock:
            self.token = self.expires_at = None

    def login(self, attempt: Callable[[str], object], refused: type[Exception]) -> None:
        """Log in with the current token. One the server refuses (revoked, or cut short on the
        provider's side) is dropped and a fresh one tried once; then the refusal stands."""
        try:
            attempt(self.get())
        except refused:
            log.info("oauth2: %s: the server refused the token; fetching a new one", self.user)
            self.drop()
            attempt(self.get())

    # -- providers -----------------------------------------------------------------------------
    def _fetch(self) -> tuple[str, int]:
        s = self.settings
        if s.provider == "microsoft":
            return self._microsoft()
        if s.service_account_file is not None:
            return self._google_service_account()
        return self._google_refresh_token()

    def _microsoft(self) -> tuple[str, int]:
        import msal  # loaded only where OAuth2 is used: it pulls in requests and cryptography

        s = self.settings
        if self._msal_app is None:
            credential: Any = s.client_secret
            if s.certificate is not None:
                credential = {"private_key": s.certificate.read_text(), "thumbprint": s.certificate_thumbprint}
            authority = s.authority or f"https://login.microsoftonline.com/{s.tenant}"
            custom = bool(s.authority)
            try:
                self._msal_app = msal.ConfidentialClientApplication(
                    s.client_id,
                    client_credential=credential,
                    authority=authority,
                    validate_authority=not custom,
                    instance_discovery=not custom,
                    http_client=self._http_session(),
                )
            except ValueError as exc:
                raise PermanentError(
                    f"{self.label}: the authority {authority} is not usable: {exc}; check {s.key('TENANT')}"
                ) from exc
            except Exception as exc:  # requests' connection errors, without importing requests here
                raise TransientError(f"{self.label}: cannot reach {authority}: {exc}") from exc
        # Tokens decides when a token is due (ahead of expiry, or refused by the server): msal's
        # own cache would hand back the token just refused, so each fetch starts it empty.
        self._msal_app.token_cache = msal.TokenCache()
        try:
            result = self._msal_app.acquire_token_for_client(scopes=[s.scope])
        except Exception as exc:
            raise TransientError(f"{self.label}: cannot reach the token endpoint: {exc}") from exc
        if "access_token" in result:
            return str(result["access_token"]), int(result.get("expires_in", 3600))
        raise self._refused(str(result.get("error", "")), str(result.get("error_description", "")))

    def _http_session(self) -> Any:
        """The HTTP client msal uses. MAILBOT_CA_FILE is given with every request: requests lets
        REQUESTS_CA_BUNDLE in the environment override a session's own CA bundle, which would
        make a token endpoint with an internal CA fail on one machine and not on another."""
        import functools

        import requests

        session = requests.Session()
        session.mount("https://", requests.adapters.HTTPAdapter(max_retries=1))
        options: dict[str, Any] = {"timeout": TIMEOUT_SECONDS}
        if self.ca_file is not None:
            options["verify"] = str(self.ca_file)
        session.request = functools.partial(session.request, **options)  # type: ignore[method-assign]
        return session

    def _google_refresh_token(self) -> tuple[str, int]:
        s = self.settings
        refresh = self._saved_refresh_token() or s.refresh_token
        answer = self._post(
            s.token_url or GOOGLE_TOKEN_URL,
            {
                "grant_type": "refresh_token",
                "client_id": s.client_id,
                "client_secret": s.client_secret,
                "refresh_token": refresh,
            },
        )
        rotated = answer.get("refresh_token")
        if rotated and rotated != refresh:
            self._save_refresh_token(str(rotated))
        return str(answer["access_token"]), int(answer.get("expires_in", 3600))

    def _google_service_account(self) -> tuple[str, int]:
        import jwt  # PyJWT, with cryptography for RS256; loaded only here

        s = self.settings
        assert s.service_account_file is not None
        try:
            key = json.loads(s.service_account_file.read_text())
            email, private_key = key["client_email"], key["private_key"]
        except (OSError, ValueError, KeyError) as exc:
            raise PermanentError(
                f"{self.label}: {s.key('SERVICE_ACCOUNT_FILE')} is not a service account key file "
                f"(JSON with client_email and private_key): {exc}"
            ) from exc
        token_url = s.token_url or str(key.get("token_uri") or GOOGLE_TOKEN_URL)
        now = int(time.time())
        claims = {"iss": email, "sub": self.user, "scope": s.scope, "aud": token_url, "iat": now, "exp": now + 3600}
        assertion = jwt.encode(claims, private_key, algorithm="RS256")
        answer = self._post(
            token_url, {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
        )
        return str(answer["access_token"]), int(answer.get("expires_in", 3600))

    def _post(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 (https only: config.py checks the URL)
            url,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 (https only: config.py checks the URL)
                request, timeout=TIMEOUT_SECONDS, context=client_context(self.ca_file)
            ) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                body = json.loads(exc.read())
            except ValueError:
                body = {}
            if 400 <= exc.code < 500:
                raise self._refused(str(body.get("error", exc.code)), str(body.get("error_description", ""))) from exc
            raise TransientError(f"{self.label}: the token endpoint {url} answered {exc.code}") from exc
        except (OSError, ValueError) as exc:
            raise TransientError(f"{self.label}: cannot reach the token endpoint {url}: {exc}") from exc
        if not isinstance(answer, dict) or "access_token" not in answer:
            raise TransientError(f"{self.label}: the token endpoint {url} gave no access token")
        return answer

    def _refused(self, error: str, description: str) -> Exception:
        s = self.settings
        first_line = description.strip().splitlines()[0] if description.strip() else ""
        what = f"{error}: {first_line}" if first_line else error
        if error in REFUSALS or error.isdigit():
            renew = {
                "microsoft": f"check {s.key('CLIENT_ID')}, {s.key('TENANT')} and whether the client secret "
                f"({s.key('CLIENT_SECRET')}) or certificate has expired or the admin consent was revoked",
                "google": f"the refresh token may be revoked or expired: make a new one and put it in "
                f"{s.key('REFRESH_TOKEN')} (README, Google)"
                if not s.service_account_file
                else f"check the service account's domain-wide delegation for {s.scope}",
            }[s.provider]
            return PermanentError(f"{self.label}: login refused by the provider ({what}); {renew}")
        return TransientError(f"{self.label}: no token ({what})")

    # -- a rotated refresh token, kept --------------------------------------------------------------
    def _state_name(self) -> str:
        name = hashlib.sha256(f"{self.settings.client_id}\0{self.user}".encode()).hexdigest()[:16]
        return f"oauth2/refresh-{name}.json"

    def _saved_refresh_token(self) -> str | None:
        """The latest refresh token the provider gave, unless the configured one was changed
        since (then a person put in a new one, and that one counts)."""
        try:
            saved = json.loads(self.state.load(self._state_name()) or b"{}")
        except (OSError, ValueError):
            return None
        if saved.get("configured") != _fingerprint(self.settings.refresh_token):
            return None
        token = saved.get("refresh_token")
        return str(token) if token else None

    def _save_refresh_token(self, token: str) -> None:
        """Saved before the new token is used (all or nothing, on disk or committed): once the
        provider has rotated it, the old one is dead and this is the only copy."""
        data = {
            "refresh_token": token,
            "configured": _fingerprint(self.settings.refresh_token),
            "user": self.user,
            "saved_at": self.clock().isoformat(),
        }
        self.state.replace(self._state_name(), json.dumps(data).encode())
        log.info("oauth2: %s: the provider rotated the refresh token; the new one is saved", self.user)


def _fingerprint(secret: str) -> str:
    return base64.b64encode(hashlib.sha256(secret.encode()).digest()).decode()[:22]
