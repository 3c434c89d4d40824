"""Settings: defaults, overrides, and one clear line naming the key for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.core.config import ConfigError, load_settings, parse_settings

BASE = {
    "MAILBOT_IMAP_HOST": "imap.example.org",
    "MAILBOT_IMAP_USER": "meldpunt@example.org",
    "MAILBOT_IMAP_PASSWORD": "s3cret-imap",
    "MAILBOT_SMTP_HOST": "smtp.example.org",
    "MAILBOT_ADDRESS": "Meldpunt@Example.org",
    "MAILBOT_OFFICERS": "fg@example.org, privacy@example.org",
}


def test_defaults() -> None:
    s = parse_settings(BASE)
    (mb,) = s.mailboxes
    assert mb.imap.port == 993 and mb.imap.security == "ssl"
    assert mb.smtp.port == 587 and mb.smtp.security == "starttls" and mb.smtp.user == ""
    assert mb.folder == "INBOX" and mb.processed_folder == ""
    assert mb.address == "meldpunt@example.org"
    assert mb.officers == ("fg@example.org", "privacy@example.org")
    assert mb.keywords == ("beveiligingsincident", "datalek")
    assert s.kenmerk_prefix == "DL" and s.language == "nl" and str(s.timezone) == "Europe/Amsterdam"
    assert s.poll_seconds == 30 and s.use_idle and s.max_replies_per_hour == 10
    assert s.database_url == f"sqlite:///{Path('data').resolve() / 'mailbot.sqlite3'}"


def test_ports_follow_security() -> None:
    s = parse_settings({**BASE, "MAILBOT_IMAP_SECURITY": "starttls", "MAILBOT_SMTP_SECURITY": "ssl"})
    assert (s.mailboxes[0].imap.port, s.mailboxes[0].smtp.port) == (143, 465)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"MAILBOT_IMAP_HOST": ""}, "MAILBOT_IMAP_HOST"),
        ({"MAILBOT_IMAP_PASSWORD": ""}, "MAILBOT_IMAP_PASSWORD"),
        ({"MAILBOT_IMAP_PORT": "imap"}, "MAILBOT_IMAP_PORT"),
        ({"MAILBOT_IMAP_PORT": "70000"}, "MAILBOT_IMAP_PORT"),
        ({"MAILBOT_IMAP_SECURITY": "tls"}, "MAILBOT_IMAP_SECURITY"),
        ({"MAILBOT_SMTP_USER": "x"}, "MAILBOT_SMTP_PASSWORD"),
        ({"MAILBOT_ADDRESS": "meldpunt"}, "MAILBOT_ADDRESS"),
        ({"MAILBOT_OFFICERS": ""}, "MAILBOT_OFFICERS"),
        ({"MAILBOT_OFFICERS": "fg@example.org, nobody"}, "MAILBOT_OFFICERS"),
        ({"MAILBOT_LANGUAGE": "de"}, "MAILBOT_LANGUAGE"),
        ({"MAILBOT_TIMEZONE": "Europe/Amsterdamm"}, "MAILBOT_TIMEZONE"),
        ({"MAILBOT_KENMERK_PREFIX": "D-L"}, "MAILBOT_KENMERK_PREFIX"),
        ({"MAILBOT_CA_FILE": "/nonexistent/ca.pem"}, "MAILBOT_CA_FILE"),
        ({"MAILBOT_DATABASE_URL": "mysql://x"}, "MAILBOT_DATABASE_URL"),
        ({"MAILBOT_POLL_SECONDS": "0"}, "MAILBOT_POLL_SECONDS"),
        ({"MAILBOT_IDLE": "maybe"}, "MAILBOT_IDLE"),
        ({"MAILBOT_SUBJECT_KEYWORDS": " , "}, "MAILBOT_SUBJECT_KEYWORDS"),
    ],
)
def test_errors_name_the_key_and_never_the_password(change: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_settings({**BASE, **change})
    message = str(err.value)
    assert message.startswith(key) or key in message.split(":")[0]
    assert "\n" not in message
    assert "s3cret" not in message


def test_passwords_not_in_repr() -> None:
    assert "s3cret-imap" not in repr(parse_settings(BASE))


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://mailbot:s3cret-db@db.example.org/mailbot", "postgresql+psycopg://mailbot:***@db.example.org/mailbot"),
        ("postgresql+psycopg://mailbot@db.example.org/mailbot?password=s3cret-db&sslmode=require",
         "postgresql+psycopg://mailbot@db.example.org/mailbot?password=***&sslmode=require"),
        ("postgresql+psycopg://mailbot:s3cret-db@db.example.org:port/mailbot", "postgresql+psycopg://***"),
        # Nothing to mask: shown as written, so the path can be copied (urlunsplit drops two of the slashes).
        ("sqlite:////var/lib/mailbot/mailbot.sqlite3", "sqlite:////var/lib/mailbot/mailbot.sqlite3"),
    ],
)  # fmt: skip
def test_database_password_never_shown(url: str, shown: str) -> None:
    """Every secret setting is out of repr and str: the passwords, the OAuth2 client secret and
    refresh token, and the password in MAILBOT_DATABASE_URL, which is shown masked."""
    s = parse_settings(
        {**BASE, "MAILBOT_DATABASE_URL": url, "MAILBOT_SMTP_USER": "bot", "MAILBOT_SMTP_PASSWORD": "s3cret-smtp",
         "MAILBOT_IMAP_AUTH": "oauth2", "MAILBOT_OAUTH2_PROVIDER": "google", "MAILBOT_OAUTH2_CLIENT_ID": "id",
         "MAILBOT_OAUTH2_CLIENT_SECRET": "s3cret-client", "MAILBOT_OAUTH2_REFRESH_TOKEN": "s3cret-refresh"}
    )  # fmt: skip
    assert s.database_url == url and s.mailboxes[0].oauth2 is not None
    assert "s3cret" not in repr(s) and "s3cret" not in str(s)
    assert s.database_shown == shown


def test_env_overrides_file(tmp_path: Path) -> None:
    env_file = tmp_path / "bot.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in BASE.items()) + "MAILBOT_POLL_SECONDS=45\n")
    s = load_settings(str(env_file), {"MAILBOT_POLL_SECONDS": "5", "OTHER": "x"})
    assert s.poll_seconds == 5 and s.source == str(env_file)
    s = load_settings(None, {"MAILBOT_CONFIG": str(env_file)})
    assert s.poll_seconds == 45


def test_named_config_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(str(tmp_path / "missing.env"), {})


def test_no_configuration_at_all_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in a folder without .env and with no MAILBOT_ variable, the error says that no
    configuration was found and how to name one, not that one setting is missing."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as raised:
        load_settings(None, {"HOME": "/root"})
    assert str(raised.value).startswith(f"there is no .env in {tmp_path} and no MAILBOT_ variable is set")
    assert "--config PATH" in str(raised.value) and "MAILBOT_ADDRESS" not in str(raised.value)


def test_example_config_documents_every_key() -> None:
    """config.example.env names every MAILBOT_ key the code reads."""
    import re

    code = "".join(p.read_text() for p in Path("mailbot").glob("*.py"))
    keys = set(re.findall(r'"(MAILBOT_[A-Z_]+)"', code)) | {
        f"MAILBOT_{k}_{f}" for k in ("IMAP", "SMTP") for f in ("HOST", "PORT", "USER", "PASSWORD", "SECURITY")
    }
    keys -= {"MAILBOT_CONFIG"}
    documented = Path("config.example.env").read_text()
    assert sorted(k for k in keys if k not in documented) == []


TWO = {
    **BASE,
    "MAILBOT_MAILBOXES": "meldpunt, PO",
    "MAILBOT_MAILBOX_MELDPUNT_ADDRESS": "informatiebeveiliging@example.org",
    "MAILBOT_MAILBOX_MELDPUNT_IMAP_USER": "informatiebeveiliging@example.org",
    "MAILBOT_MAILBOX_MELDPUNT_IMAP_PASSWORD": "pw-1",
    "MAILBOT_MAILBOX_PO_ADDRESS": "po@example.org",
    "MAILBOT_MAILBOX_PO_IMAP_USER": "po@example.org",
    "MAILBOT_MAILBOX_PO_IMAP_PASSWORD": "pw-2",
    "MAILBOT_MAILBOX_PO_IMAP_HOST": "imap.po.example.org",
    "MAILBOT_MAILBOX_PO_OFFICERS": "hr-privacy@example.org",
    "MAILBOT_MAILBOX_PO_SUBJECT_KEYWORDS": "datalek",
    "MAILBOT_MAILBOX_PO_SMTP_USER": "po@example.org",
    "MAILBOT_MAILBOX_PO_SMTP_PASSWORD": "pw-3",
}


def test_several_mailboxes_with_their_own_keys_and_shared_ones() -> None:
    s = parse_settings(TWO)
    meldpunt, po = s.mailboxes
    assert (meldpunt.name, po.name) == ("meldpunt", "po")
    assert (meldpunt.address, po.address) == ("informatiebeveiliging@example.org", "po@example.org")
    assert (meldpunt.imap.user, meldpunt.imap.password, po.imap.user) == (
        "informatiebeveiliging@example.org",
        "pw-1",
        "po@example.org",
    )
    # Not given for the mailbox: the global key.
    assert meldpunt.imap.host == "imap.example.org" and po.imap.host == "imap.po.example.org"
    assert meldpunt.officers == ("fg@example.org", "privacy@example.org")
    assert po.officers == ("hr-privacy@example.org",)
    assert meldpunt.keywords == ("beveiligingsincident", "datalek") and po.keywords == ("datalek",)
    assert meldpunt.smtp.host == po.smtp.host == "smtp.example.org"
    assert (meldpunt.smtp.user, po.smtp.user, po.smtp.password) == ("", "po@example.org", "pw-3")
    assert s.mailbox_named("po") is po and s.mailbox_named("meldpunt") is meldpunt


def test_each_mailbox_its_own_sender_name_and_signature() -> None:
    """P&O signs as P&O; a mailbox that gives neither uses the organisation's name."""
    s = parse_settings(
        {
            **TWO,
            "MAILBOT_SENDER_NAME": "Privacyteam",
            "MAILBOT_MAILBOX_PO_SENDER_NAME": "P&O",
            "MAILBOT_MAILBOX_PO_SIGNATURE": r"P&O, Woonstichting Voorbeeld\nT 030 123 45 67",
        }
    )
    meldpunt, po = s.mailboxes
    assert (s.sender_name_of(po), s.signature_of(po)) == ("P&O", "P&O, Woonstichting Voorbeeld\nT 030 123 45 67")
    assert (s.sender_name_of(meldpunt), s.signature_of(meldpunt)) == ("Privacyteam", "Privacyteam")
    with pytest.raises(ConfigError, match="MAILBOT_MAILBOX_PO_SIGNATURE is too long"):
        parse_settings({**TWO, "MAILBOT_MAILBOX_PO_SIGNATURE": r"\n".join(["regel"] * 11)})


def test_a_mailbox_taken_out_of_use_is_stood_in_for_by_the_first() -> None:
    """Cases and queued mail keep the name of a mailbox that has left MAILBOT_MAILBOXES since:
    their deadlines still run, so the first mailbox's officers are told rather than nobody."""
    s = parse_settings(TWO)
    assert s.mailbox_named("hr") is s.mailboxes[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"MAILBOT_MAILBOX_PO_ADDRESS": ""},
            "MAILBOT_MAILBOX_PO_ADDRESS is not set: give the shared address this mailbox receives and sends from",
        ),
        # The global MAILBOT_IMAP_USER belongs to no mailbox: never borrowed.
        ({"MAILBOT_MAILBOX_PO_IMAP_USER": ""}, "MAILBOT_MAILBOX_PO_IMAP_USER is not set: give the IMAP login name"),
        (
            {"MAILBOT_MAILBOX_PO_IMAP_PASSWORD": ""},
            "MAILBOT_MAILBOX_PO_IMAP_PASSWORD is not set: give the password for MAILBOT_MAILBOX_PO_IMAP_USER",
        ),
        ({"MAILBOT_MAILBOX_PO_IMAP_PORT": "99999"}, "MAILBOT_MAILBOX_PO_IMAP_PORT=99999 is out of range"),
        ({"MAILBOT_IMAP_PORT": "x"}, "MAILBOT_IMAP_PORT='x' is not a whole number"),
        ({"MAILBOT_MAILBOX_PO_ADDRESS": "informatiebeveiliging@example.org"}, "each mailbox needs its own address"),
        ({"MAILBOT_MAILBOXES": "meldpunt,p&o"}, "MAILBOT_MAILBOXES: 'p&o' is not a usable name"),
        ({"MAILBOT_MAILBOXES": "po,PO"}, "names a mailbox twice"),
        (
            {"MAILBOT_MAILBOX_PO_IMAP_HOST": "", "MAILBOT_IMAP_HOST": ""},
            "MAILBOT_MAILBOX_MELDPUNT_IMAP_HOST is not set (or MAILBOT_IMAP_HOST for all mailboxes)",
        ),
    ],
)
def test_mailbox_errors_name_the_key_that_was_read(change: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_settings({**TWO, **change})
    assert message in str(err.value)
    assert "pw-" not in str(err.value)


def test_one_mailbox_without_mailbot_mailboxes_is_named_default() -> None:
    (mb,) = parse_settings(BASE).mailboxes
    assert mb.name == "default" and mb.address == "meldpunt@example.org"


def test_reporter_and_processor_domains() -> None:
    """Default: the shared addresses' domains are the reporters'; no processors; 20 outside mails an hour."""
    s = parse_settings(TWO)
    assert s.reporter_domains == ("example.org",) and s.processor_domains == ()
    assert s.outside_replies_per_hour == 20
    s = parse_settings(
        {**BASE, "MAILBOT_REPORTER_DOMAINS": "Example.org, @dochter.example.nl", "MAILBOT_PROCESSOR_DOMAINS": "it.nl"}
    )
    assert s.reporter_domains == ("example.org", "dochter.example.nl") and s.processor_domains == ("it.nl",)
    with pytest.raises(ConfigError, match="MAILBOT_PROCESSOR_DOMAINS: 'it bedrijf' is not a domain name"):
        parse_settings({**BASE, "MAILBOT_PROCESSOR_DOMAINS": "it bedrijf"})


def test_the_processor_time_budget_is_a_whole_number_of_seconds_in_range() -> None:
    assert parse_settings(BASE).max_cpu_seconds == 60
    assert parse_settings({**BASE, "MAILBOT_MAX_CPU_SECONDS": "5"}).max_cpu_seconds == 5
    with pytest.raises(ConfigError, match="MAILBOT_MAX_CPU_SECONDS=0 is out of range"):
        parse_settings({**BASE, "MAILBOT_MAX_CPU_SECONDS": "0"})
