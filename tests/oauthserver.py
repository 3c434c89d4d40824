"""An OAuth2 provider for the tests: token endpoints as Microsoft and Google have them, and the
introspection endpoint (RFC 7662) the lab's Dovecot asks whether a token is good.

- ``/{tenant}/v2.0/.well-known/openid-configuration`` and ``/{tenant}/oauth2/v2.0/token``:
  Microsoft's client-credentials flow, as msal uses it (client secret).
- ``/google/token``: Google's refresh-token grant, *rotating* the refresh token on every use
  (the old one dies at once, as providers that rotate do), and the JWT-bearer grant of a
  service account (the assertion's RS256 signature checked with the account's public key).
- ``/introspect`` (plain HTTP, loopback): ``{"active": true, "email": <mailbox>}`` for a token it
  issued and has not revoked.

Token endpoints are HTTPS with the lab's certificate, as msal insists on https. Everything it
issued, refused and was asked is kept for the tests to look at.
"""

from __future__ import annotations

import json
import secrets
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt


@dataclass
class Client:
    secret: str
    mailbox: str  # whom its tokens act for (an app registration allowed one mailbox, here)


@dataclass
class Provider:
    clients: dict[str, Client] = field(default_factory=dict)
    refresh_tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # token -> (client id, mailbox)
    service_accounts: dict[str, str] = field(default_factory=dict)  # client_email -> public key PEM
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)  # access token -> (mailbox, expiry)
    lifetime: int = 3600
    requests: list[tuple[str, str]] = field(default_factory=list)  # (grant, outcome)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, mailbox: str) -> dict[str, Any]:
        token = "at-" + secrets.token_urlsafe(24)
        self.tokens[token] = (mailbox, time.time() + self.lifetime)
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.lifetime}

    def revoke_all(self) -> None:
        with self.lock:
            self.tokens.clear()

    def granted(self, grant: str) -> int:
        return sum(1 for g, outcome in self.requests if g == grant and outcome == "ok")


def _refusal(error: str, description: str) -> tuple[int, dict[str, Any]]:
    return 400 if error != "invalid_client" else 401, {"error": error, "error_description": description}


class _Handler(BaseHTTPRequestHandler):
    provider: Provider
    base: str

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _reply(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        parts = self.path.strip("/").split("/")
        if len(parts) == 4 and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            tenant = parts[0]
            self._reply(
                200,
                {
                    "token_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/token",
                    "authorization_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/authorize",
                    "issuer": f"{self.base}/{tenant}/v2.0",
                },
            )
            return
        self._reply(404, {"error": "not_found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
        p = self.provider
        with p.lock:
            if self.path == "/introspect":
                mailbox, expiry = p.tokens.get(form.get("token", ""), ("", 0.0))
                active = bool(mailbox) and expiry > time.time()
                self._reply(200, {"active": True, "email": mailbox} if active else {"active": False})
                return
            grant = form.get("grant_type", "")
            code, body = self._token(grant, form)
            p.requests.append((grant, "ok" if code == 200 else str(body.get("error"))))
            self._reply(code, body)

    def _token(self, grant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        p = self.provider
        if grant == "client_credentials" and self.path.endswith("/oauth2/v2.0/token"):
            client = p.clients.get(form.get("client_id", ""))
            if client is None or form.get("client_secret") != client.secret:
                return _refusal(
                    "invalid_client",
                    "AADSTS7000222: The provided client secret keys for app are expired.\r\nTrace ID: 1",
                )
            return 200, p.issue(client.mailbox)
        if grant == "refresh_token" and self.path == "/google/token":
            known = p.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if known is None:
                return _refusal("invalid_grant", "Token has been expired or revoked.")
            client_id, mailbox = known
            client = p.clients.get(client_id)
            if client is None or form.get("client_id") != client_id or form.get("client_secret") != client.secret:
                return _refusal("invalid_client", "The OAuth client was not found.")
            rotated = "rt-" + secrets.token_urlsafe(16)
            p.refresh_tokens[rotated] = known
            return 200, {**p.issue(mailbox), "refresh_token": rotated}
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer" and self.path == "/google/token":
            assertion = form.get("assertion", "")
            issuer = str(jwt.decode(assertion, options={"verify_signature": False}).get("iss", ""))
            key = p.service_accounts.get(issuer)
            if key is None:
                return _refusal("invalid_grant", "Invalid JWT Signature.")
            try:
                claims = jwt.decode(assertion, key, algorithms=["RS256"], audience=f"{self.base}/google/token")
            except jwt.PyJWTError as exc:
                return _refusal("invalid_grant", f"Invalid JWT: {exc}")
            return 200, p.issue(str(claims["sub"]))
        return _refusal("unsupported_grant_type", grant)


class OAuthServer:
    """Both endpoints on 127.0.0.1, each in a thread of its own. The introspection endpoint
    exists from the start (Dovecot's configuration names it); the token endpoints start with
    the certificate the lab server makes."""

    def __init__(self) -> None:
        self.provider = Provider()
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(""))
        self.introspection_url = f"http://127.0.0.1:{self.http.server_address[1]}/introspect"
        self.https: ThreadingHTTPServer | None = None
        self.base = ""
        self.threads: list[threading.Thread] = []

    def _handler(self, base: str) -> type[_Handler]:
        return type("Handler", (_Handler,), {"provider": self.provider, "base": base})

    def start(self, cert: Path, key: Path) -> OAuthServer:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(str(cert), str(key))
        self.https = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(""))
        self.https.socket = tls.wrap_socket(self.https.socket, server_side=True)
        self.base = f"https://127.0.0.1:{self.https.server_address[1]}"
        self.https.RequestHandlerClass = self._handler(self.base)
        self.threads = [threading.Thread(target=srv.serve_forever, daemon=True) for srv in (self.https, self.http)]
        for t in self.threads:
            t.start()
        return self

    def stop(self) -> None:
        for srv in (self.https, self.http):
            if srv is not None:
                srv.shutdown()
                srv.server_close()
