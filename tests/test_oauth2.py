"""OAuth2 mailboxes end to end: real XOAUTH2 logins to the lab's Dovecot (IMAP) and Postfix
(SMTP AUTH through Dovecot), which ask the tests' provider (tests/oauthserver.py) about each
token; tokens from msal (Microsoft's client-credentials flow) and from Google's grants."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mailbot.cli.demo import BOT, EMPLOYEE, OFFICER
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import PO, PO_OFFICER, body_text, close_bot, make_bot, parse, report, submit, two_mailboxes
from tests.oauthserver import Client, OAuthServer

APP = "6f1c0e2a-app-meldpunt"


def microsoft(oauth: OAuthServer, prefix: str = "MAILBOT_", secret: str = "geheim-app") -> dict[str, str]:  # noqa: S107
    """A mailbox logging in to IMAP and SMTP with tokens for an app registration (msal)."""
    return {
        f"{prefix}IMAP_AUTH": "oauth2",
        f"{prefix}SMTP_AUTH": "oauth2",
        f"{prefix}OAUTH2_PROVIDER": "microsoft",
        f"{prefix}OAUTH2_AUTHORITY": f"{oauth.base}/tenant-1",
        f"{prefix}OAUTH2_CLIENT_ID": APP,
        f"{prefix}OAUTH2_CLIENT_SECRET": secret,
        f"{prefix}IMAP_PASSWORD": "",
        f"{prefix}SMTP_PASSWORD": "",
    }


@pytest.fixture
def provider(oauth: OAuthServer) -> Iterator[OAuthServer]:
    p = oauth.provider
    with p.lock:
        p.clients = {APP: Client("geheim-app", BOT)}
        p.refresh_tokens.clear()
        p.tokens.clear()
        p.requests.clear()
        p.lifetime = 3600
    yield oauth


def test_microsoft_app_reads_and_answers_with_xoauth2(clean_lab: LabMailServer, provider: OAuthServer) -> None:
    bot = make_bot(clean_lab, **microsoft(provider))
    try:
        assert bot.settings.mailboxes[0].imap.auth == bot.settings.mailboxes[0].smtp.auth == "oauth2"
        submit(clean_lab, report())
        result = bot.run_pass()
        assert result.errors == [] and result.dispositions == {"case": 1}
        (ack,) = clean_lab.wait_for(EMPLOYEE, 1)
        assert BOT in str(parse(ack)["From"])
        # One token served IMAP and SMTP alike, and the next pass too.
        bot.run_pass()
        assert provider.provider.granted("client_credentials") == 1
        out = bot.cli("check")
        assert out.returncode == 0, out.stdout + out.stderr
        assert "OAuth2 (microsoft)" in out.stdout
    finally:
        close_bot(bot)


def test_token_is_renewed_before_it_expires(clean_lab: LabMailServer, provider: OAuthServer) -> None:
    provider.provider.lifetime = 900  # 15 minutes
    bot = make_bot(clean_lab, **microsoft(provider))
    try:
        bot.run_pass()
        assert provider.provider.granted("client_credentials") == 1
        bot.clock.advance(minutes=9)
        bot.worker.close()  # a new connection logs in again: same token, still 6 minutes left
        bot.run_pass()
        assert provider.provider.granted("client_credentials") == 1
        bot.clock.advance(minutes=1, seconds=1)  # less than 5 minutes left: a fresh one first
        bot.worker.close()
        assert bot.run_pass().errors == []
        assert provider.provider.granted("client_credentials") == 2
    finally:
        close_bot(bot)


def test_a_token_the_server_no_longer_takes_is_replaced_once(clean_lab: LabMailServer, provider: OAuthServer) -> None:
    bot = make_bot(clean_lab, **microsoft(provider))
    try:
        bot.run_pass()
        provider.provider.revoke_all()  # as when an administrator revokes the app's sessions
        bot.worker.close()
        submit(clean_lab, report())
        result = bot.run_pass()
        assert result.errors == [] and result.dispositions == {"case": 1}
        assert provider.provider.granted("client_credentials") == 2
        assert len(clean_lab.wait_for(EMPLOYEE, 1)) == 1
    finally:
        close_bot(bot)


def test_expired_client_secret_is_told_once_through_the_other_mailbox(
    clean_lab: LabMailServer, provider: OAuthServer
) -> None:
    """po@ logs in with an app whose secret has expired; meldpunt@ (a password) tells po's
    officers, once, what to renew; meldpunt@ itself goes on."""
    provider.provider.clients[APP] = Client("geheim-app", PO)
    config = {**two_mailboxes(clean_lab), **microsoft(provider, "MAILBOT_MAILBOX_PO_", secret="verlopen-geheim")}
    bot = make_bot(clean_lab, **config)
    try:
        submit(clean_lab, report())
        for _ in range(4):
            result = bot.run_pass()
            assert [e.split(":")[0] for e in result.errors] == ["po"]
        assert len(clean_lab.wait_for(EMPLOYEE, 1)) == 1
        (notice,) = clean_lab.wait_for(PO_OFFICER, 1)
        msg = parse(notice)
        assert msg["Subject"] == "Storing: IMAP van po@example.org" and BOT in str(msg["From"])
        body = body_text(msg)
        assert "AADSTS7000222" in body and "MAILBOT_MAILBOX_PO_OAUTH2_CLIENT_SECRET" in body
        assert "clientgeheim" in body  # the Dutch advice for a refused login
        assert "verlopen-geheim" not in body
        assert len(clean_lab.messages(PO_OFFICER)) == 1
        out = bot.cli("status")
        assert out.returncode == 1 and "po: IMAP failing" in out.stdout and "AADSTS7000222" in out.stdout
    finally:
        close_bot(bot)


def google(oauth: OAuthServer, refresh_token: str) -> dict[str, str]:
    return {
        "MAILBOT_IMAP_AUTH": "oauth2",
        "MAILBOT_SMTP_AUTH": "oauth2",
        "MAILBOT_OAUTH2_PROVIDER": "google",
        "MAILBOT_OAUTH2_TOKEN_URL": f"{oauth.base}/google/token",
        "MAILBOT_OAUTH2_CLIENT_ID": "google-client",
        "MAILBOT_OAUTH2_CLIENT_SECRET": "google-geheim",
        "MAILBOT_OAUTH2_REFRESH_TOKEN": refresh_token,
        "MAILBOT_IMAP_PASSWORD": "",
        "MAILBOT_SMTP_PASSWORD": "",
    }


def test_rotated_google_refresh_token_is_saved_and_used_after_a_restart(
    clean_lab: LabMailServer, provider: OAuthServer
) -> None:
    """The provider replaces the refresh token on every use and the old one dies at once: the
    bot must save each new one before using it, and use the saved one after a restart."""
    p = provider.provider
    p.clients["google-client"] = Client("google-geheim", BOT)
    p.refresh_tokens["rt-first"] = ("google-client", BOT)
    p.lifetime = 600
    bot = make_bot(clean_lab, **google(provider, "rt-first"))
    try:
        submit(clean_lab, report())
        assert bot.run_pass().errors == []
        (saved,) = (bot.settings.data_dir / "oauth2").glob("refresh-*.json")
        assert saved.stat().st_mode & 0o777 == 0o600
        first_rotation = json.loads(saved.read_text())["refresh_token"]
        assert first_rotation != "rt-first" and "rt-first" not in p.refresh_tokens

        # A restart with the configuration unchanged (still rt-first, now dead): `mailbot run
        # --once` in a new process uses the saved token, and saves the next rotation.
        submit(clean_lab, report(sender=EMPLOYEE, subject="beveiligingsincident twee"))
        out = bot.cli("run", "--once")
        assert out.returncode == 0, out.stderr[-2000:]
        assert json.loads(saved.read_text())["refresh_token"] not in ("rt-first", first_rotation)
        assert len(clean_lab.wait_for(EMPLOYEE, 2)) == 2
        assert p.granted("refresh_token") == 2
        assert [outcome for _, outcome in p.requests] == ["ok", "ok"]
        assert "rt-" not in out.stderr.replace("refresh-", "")  # no token in the log
    finally:
        close_bot(bot)


def test_revoked_google_refresh_token_names_the_key_to_renew(clean_lab: LabMailServer, provider: OAuthServer) -> None:
    provider.provider.clients["google-client"] = Client("google-geheim", BOT)
    bot = make_bot(clean_lab, **google(provider, "rt-revoked"))
    try:
        result = bot.run_pass()
        (error,) = result.errors
        assert "login refused by the provider (invalid_grant: Token has been expired or revoked.)" in error
        assert "MAILBOT_OAUTH2_REFRESH_TOKEN" in error and "rt-revoked" not in error
    finally:
        close_bot(bot)


def test_google_service_account_acts_as_the_mailbox(
    clean_lab: LabMailServer, provider: OAuthServer, tmp_path: Path
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    account = "mailbot@project.iam.gserviceaccount.com"
    provider.provider.service_accounts[account] = public
    key_file = tmp_path / "service-account.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "client_email": account,
                "private_key": pem,
                "token_uri": f"{provider.base}/google/token",
            }
        )
    )
    bot = make_bot(
        clean_lab,
        MAILBOT_IMAP_AUTH="oauth2",
        MAILBOT_SMTP_AUTH="oauth2",
        MAILBOT_OAUTH2_PROVIDER="google",
        MAILBOT_OAUTH2_SERVICE_ACCOUNT_FILE=str(key_file),
        MAILBOT_IMAP_PASSWORD="",
        MAILBOT_SMTP_PASSWORD="",
    )
    try:
        submit(clean_lab, report())
        assert bot.run_pass().errors == []
        assert len(clean_lab.wait_for(EMPLOYEE, 1)) == 1
        assert provider.provider.granted("urn:ietf:params:oauth:grant-type:jwt-bearer") == 1
    finally:
        close_bot(bot)


def test_dovecot_refuses_a_token_for_another_mailbox(clean_lab: LabMailServer, provider: OAuthServer) -> None:
    """The app's token acts for meldpunt@: logging in as fg@ with it is refused by the server,
    for the right reason (the introspected user differs), and said so."""
    bot = make_bot(clean_lab, **microsoft(provider), MAILBOT_IMAP_USER=OFFICER)
    try:
        (error,) = bot.run_pass().errors
        assert "XOAUTH2 login refused for MAILBOT_IMAP_USER='fg@example.org'" in error
        assert provider.provider.granted("client_credentials") == 2  # the retry with a fresh token
        log = (clean_lab.root / "dovecot" / "dovecot.log").read_text(errors="replace")
        refusals = [line for line in log.splitlines() if "oauth2(fg@example.org" in line]
        assert len(refusals) == 2, log[-2000:]  # the first token and the fresh one
        assert all("Username 'fg@example.org' did not match 'meldpunt@example.org'" in r for r in refusals)
    finally:
        close_bot(bot)


def test_oauth2_settings_are_checked_at_start() -> None:
    from mailbot.core.config import ConfigError, parse_settings

    base = {
        "MAILBOT_IMAP_HOST": "outlook.office365.com",
        "MAILBOT_IMAP_USER": "meldpunt@example.org",
        "MAILBOT_IMAP_AUTH": "oauth2",
        "MAILBOT_SMTP_HOST": "smtp.office365.com",
        "MAILBOT_ADDRESS": "meldpunt@example.org",
        "MAILBOT_OFFICERS": "fg@example.org",
    }
    cases = [
        ({}, "MAILBOT_OAUTH2_PROVIDER is not set: an OAuth2 login needs microsoft (Microsoft 365) or google"),
        ({"MAILBOT_OAUTH2_PROVIDER": "microsoft"}, "MAILBOT_OAUTH2_TENANT is not set"),
        (
            {"MAILBOT_OAUTH2_PROVIDER": "microsoft", "MAILBOT_OAUTH2_TENANT": "t", "MAILBOT_OAUTH2_CLIENT_ID": "c"},
            "MAILBOT_OAUTH2_CLIENT_SECRET is not set: give the app registration's client secret",
        ),
        ({"MAILBOT_OAUTH2_PROVIDER": "google"}, "MAILBOT_OAUTH2_REFRESH_TOKEN is not set"),
        (
            {"MAILBOT_OAUTH2_PROVIDER": "google", "MAILBOT_OAUTH2_TOKEN_URL": "http://x/token"},
            "MAILBOT_OAUTH2_TOKEN_URL='http://x/token': give an https:// URL",
        ),
    ]
    for change, message in cases:
        with pytest.raises(ConfigError) as err:
            parse_settings({**base, **change})
        assert message in str(err.value)
    ok = parse_settings(
        {
            **base,
            "MAILBOT_OAUTH2_PROVIDER": "microsoft",
            "MAILBOT_OAUTH2_TENANT": "example.onmicrosoft.com",
            "MAILBOT_OAUTH2_CLIENT_ID": "c",
            "MAILBOT_OAUTH2_CLIENT_SECRET": "s",
        }
    )
    o = ok.mailboxes[0].oauth2
    assert o is not None and o.scope == "https://outlook.office365.com/.default"
    assert ok.mailboxes[0].imap.password == "" and ok.mailboxes[0].smtp.auth == "password"
    assert "client_secret" not in repr(o) and "refresh_token" not in repr(o)


def test_a_day_of_tokens() -> None:
    """Tokens live an hour: a worker running a day fetches about 24, not one per login."""
    from datetime import UTC, datetime

    from mailbot.core.config import OAuth2Settings
    from mailbot.mail.oauth2 import Tokens
    from mailbot.model.store import BlobStore

    now = [datetime(2026, 11, 22, tzinfo=UTC)]
    tokens = Tokens(
        OAuth2Settings("google", "MAILBOT_OAUTH2_"),
        "a@example.org",
        BlobStore(Path("/nonexistent")),
        None,
        lambda: now[0],
    )
    calls = []

    def fetch() -> tuple[str, int]:
        calls.append(now[0])
        return f"t{len(calls)}", 3600

    tokens._fetch = fetch  # type: ignore[method-assign]
    for _ in range(24 * 60):
        tokens.get()
        now[0] += timedelta(minutes=1)
    assert len(calls) == 27  # every 55 minutes: at 0, 55, ..., 1430


def test_smtp_refusing_the_token_says_what_the_app_needs(clean_lab: LabMailServer, provider: OAuthServer) -> None:
    """IMAP logs in, SMTP (as another user the token is not for) is refused: the error names the
    SMTP login and the grant, not a password."""
    from mailbot.model import db
    from mailbot.model.models import ConnectionHealth

    bot = make_bot(clean_lab, **microsoft(provider), MAILBOT_SMTP_USER=OFFICER)
    try:
        submit(clean_lab, report())
        assert bot.run_pass().send_problems == 3
        with db.session(bot.svc.engine) as s:
            row = s.get(ConnectionHealth, ("default", "smtp"))
        assert row is not None and row.last_error is not None
        assert "XOAUTH2 login refused for MAILBOT_SMTP_USER='fg@example.org'" in row.last_error
        assert "may send as fg@example.org" in row.last_error and "PASSWORD" not in row.last_error
    finally:
        close_bot(bot)
