"""Settings: read once at start-up from a ``.env`` file and the environment, checked, typed.

Nothing else in the package reads the environment. A missing or wrong setting raises
:class:`ConfigError` with one line that names the key and says what is wrong; secrets never
appear in that line or in ``repr``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from mailbot.core.errors import MailbotError

SECURITY_CHOICES = ("ssl", "starttls", "none")
LANGUAGES = ("nl", "en")
DEFAULT_PORTS = {
    "imap": {"ssl": 993, "starttls": 143, "none": 143},
    "smtp": {"ssl": 465, "starttls": 587, "none": 25},
}
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


class ConfigError(MailbotError):
    """A setting is missing or wrong; the message names the key."""


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    security: str
    user: str
    password: str = field(repr=False)
    keys: str  # the prefix of this server's keys, for messages: MAILBOT_IMAP_, MAILBOT_MAILBOX_PO_SMTP_
    auth: str = "password"  # or oauth2: SASL XOAUTH2 with a token from the mailbox's OAuth2 provider

    def key(self, name: str) -> str:
        return self.keys + name

    def login_refused(self, where: str, grant: str) -> str:
        """The server refused our login: what to check. ``grant`` is what an OAuth2 app must be
        allowed for this mailbox ("use IMAP for a@b", "send as a@b")."""
        if self.auth == "oauth2":
            return (
                f"{where}: XOAUTH2 login refused for {self.key('USER')}={self.user!r}; the server did not take "
                f"the provider's token: check that the app may {grant} (README: Microsoft 365 / Google)"
            )
        return (
            f"{where}: login refused for {self.key('USER')}={self.user!r}; "
            f"check {self.key('USER')} and {self.key('PASSWORD')}"
        )


OAUTH2_PROVIDERS = ("microsoft", "google")
DEFAULT_SCOPES = {"microsoft": "https://outlook.office365.com/.default", "google": "https://mail.google.com/"}


@dataclass(frozen=True)
class OAuth2Settings:
    """Where a mailbox gets its OAuth2 access tokens (oauth2.py).

    Microsoft 365: the client-credentials flow of an app registration (tenant, client id, and a
    client secret or a certificate). Google: a refresh token (with client id and secret), or a
    service account with domain-wide delegation acting as the mailbox."""

    provider: str
    keys: str  # the prefix of the keys it was read from: MAILBOT_OAUTH2_, MAILBOT_MAILBOX_PO_OAUTH2_
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    tenant: str = ""
    authority: str = ""
    certificate: Path | None = None
    certificate_thumbprint: str = ""
    refresh_token: str = field(default="", repr=False)
    service_account_file: Path | None = None
    token_url: str = ""
    scope: str = ""

    def key(self, name: str) -> str:
        return self.keys + name


@dataclass(frozen=True)
class MailboxSettings:
    """One shared mailbox the bot reads, and the address it answers from."""

    name: str
    imap: ServerSettings
    folder: str
    processed_folder: str
    address: str
    officers: tuple[str, ...]
    keywords: tuple[str, ...]
    smtp: ServerSettings
    oauth2: OAuth2Settings | None = None
    # Its own name on the bot's mail and the signature under a reporter's mail ("" = the
    # organisation's MAILBOT_SENDER_NAME): P&O signs as P&O.
    sender_name: str = ""
    signature: str = ""


@dataclass(frozen=True)
class Organisation:
    """The controller's details the AP's notification form asks for (section 3)."""

    name: str = ""
    address: str = ""
    kvk: str = ""
    sector: str = ""
    fg_registration: str = ""
    contact_name: str = ""
    contact_title: str = ""
    contact_email: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class Settings:
    mailboxes: tuple[MailboxSettings, ...]
    ca_file: Path | None
    database_url: str = field(repr=False)  # may hold the database password: shown as database_shown
    data_dir: Path
    kenmerk_prefix: str
    language: str
    timezone: ZoneInfo
    sender_name: str
    poll_seconds: int
    use_idle: bool
    max_attachment_bytes: int
    max_replies_per_hour: int
    template_dir: Path | None
    log_level: str
    # The organisation's own Word document for the letter to the people affected (letter.py).
    letter_template: Path | None = None
    reminder_after_hours: int = 24
    max_reminders: int = 2
    required_answers: tuple[str, ...] = ()
    trusted_authserv_id: str = ""
    warn_hours: tuple[int, ...] = (48, 24, 6, 0)
    loop_limit: int = 20
    # Domains whose senders get an acknowledgement straight away (reporters: the organisation's
    # own; processors: known processors'); anyone else's waits (outside.py).
    reporter_domains: tuple[str, ...] = ()
    processor_domains: tuple[str, ...] = ()
    # The people who decide (the director, the board): they get the decision request when the
    # FG's advice is recorded, and may answer it with the decision, nothing else.
    board: tuple[str, ...] = ()
    # Named processors (verwerkers) and the domains or addresses they report from.
    processors: tuple[tuple[str, str], ...] = ()
    outside_replies_per_hour: int = 20
    log_format: str = "text"
    supplement_after_days: int = 7
    digest_time: str = "08:00"
    # The overview with charts to the officers on the first working day of each month or
    # quarter ("monthly", "quarterly"), or never ("off").
    overview: str = "monthly"
    organisation: Organisation = field(default_factory=Organisation)
    retention_years: int = 5
    purge_after_days: int = 365
    max_cpu_seconds: float = 60
    source: str = ""

    def processor_of(self, address: str) -> str:
        """The processor an address belongs to (by the address itself or its domain); "" when none."""
        address = address.lower()
        domain = address.rpartition("@")[2]
        return next((name for name, where in self.processors if where in (address, domain)), "")

    @property
    def database_shown(self) -> str:
        """MAILBOT_DATABASE_URL fit for output and logs: its password masked."""
        return shown_url(self.database_url)

    def mailbox_named(self, name: str) -> MailboxSettings:
        """The settings of the mailbox a message, case or queued mail came through.

        A name stored in the database may have left MAILBOT_MAILBOXES since (a mailbox taken out
        of use): then the first mailbox stands in for it, on purpose. Its cases stay open with
        their 72-hour deadlines running, and someone must still be warned, take their replies'
        notices and send what was queued for them; the first mailbox is the organisation's main
        one, and the officers' notices name the case. Failing here instead would stop every
        stage that touches such a case, for all cases."""
        return next((mb for mb in self.mailboxes if mb.name == name), self.mailboxes[0])

    def sender_name_of(self, mb: MailboxSettings) -> str:
        """The display name on mail from ``mb``: its own, else the organisation's."""
        return mb.sender_name or self.sender_name

    def signature_of(self, mb: MailboxSettings) -> str:
        """What a mail to a reporter from ``mb`` is signed with: its signature, else its name."""
        return mb.signature or self.sender_name_of(mb)


def shown_url(url: str) -> str:
    """A database URL with its password masked, in the user part or as a ``password=`` parameter."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
        netloc = parts.netloc
        if "@" in netloc:
            user, host = netloc.rsplit("@", 1)
            if ":" in user:
                netloc = f"{user.split(':', 1)[0]}:***@{host}"
        query = "&".join(
            f"{key}=***" if key.lower() == "password" else (f"{key}={value}" if value or "=" in raw else key)
            for raw in parts.query.split("&")
            if raw
            for key, _, value in [raw.partition("=")]
        )
        if netloc == parts.netloc and query == parts.query:
            return url  # nothing to mask; urlunsplit would turn sqlite:////path into sqlite://path
        return urlunsplit(parts._replace(netloc=netloc, query=query))
    except ValueError:
        return url.split("://", 1)[0] + "://***"


def config_path(cli_path: str | None, environ: Mapping[str, str]) -> tuple[Path, bool]:
    """The .env file to read, and whether the user named it (then it must exist)."""
    if cli_path:
        return Path(cli_path), True
    if environ.get("MAILBOT_CONFIG"):
        return Path(environ["MAILBOT_CONFIG"]), True
    return Path(".env"), False


def load_settings(cli_path: str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    path, explicit = config_path(cli_path, env)
    values: dict[str, str] = {}
    if path.exists():
        values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    elif explicit:
        raise ConfigError(f"configuration file {path} does not exist (from --config or MAILBOT_CONFIG)")
    elif not any(k.startswith("MAILBOT_") for k in env):
        # Not "MAILBOT_ADDRESS is not set": the setting is most likely in a .env elsewhere.
        raise ConfigError(
            f"there is no {path} in {Path.cwd()} and no MAILBOT_ variable is set: "
            "give --config PATH (or MAILBOT_CONFIG=PATH), or run mailbot in the folder of its .env "
            "(mailbot init --example > .env makes one)"
        )
    values.update({k: v for k, v in env.items() if k.startswith("MAILBOT_")})
    return parse_settings(values, source=str(path) if path.exists() else "environment")


class _Reader:
    """Reads settings by their global key (``MAILBOT_IMAP_HOST``). Scoped to one of several
    mailboxes, a key is first looked for as ``MAILBOT_MAILBOX_<NAME>_IMAP_HOST`` and then, for
    what mailboxes may share, as the global key; messages name the key that was read."""

    def __init__(self, values: Mapping[str, str], scope: str = "") -> None:
        self.values = values
        self.scope = scope

    def scoped(self, name: str) -> _Reader:
        return _Reader(self.values, scope=name.upper())

    def own_key(self, key: str) -> str:
        return key.replace("MAILBOT_", f"MAILBOT_MAILBOX_{self.scope}_", 1) if self.scope else key

    def source(self, key: str, shared: bool = True) -> str:
        """The key a value is read from: the mailbox's own, else (when shared) the global one."""
        own = self.own_key(key)
        if own == key or own in self.values or not shared or key not in self.values:
            return own
        return key

    def get(self, key: str, default: str = "", shared: bool = True) -> str:
        return self.values.get(self.source(key, shared), default).strip()

    def required(self, key: str, what: str, shared: bool = True) -> str:
        value = self.get(key, shared=shared)
        if not value:
            also = f" (or {key} for all mailboxes)" if shared and self.scope else ""
            raise ConfigError(f"{self.own_key(key)} is not set{also}: give {what} (see config.example.env)")
        return value

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.get(key, default).lower() or default
        if value not in choices:
            raise ConfigError(f"{self.source(key)}={value!r} is not valid: use one of {', '.join(choices)}")
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        raw = self.get(key)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{self.source(key)}={raw!r} is not a whole number") from None
        if not low <= value <= high:
            raise ConfigError(f"{self.source(key)}={value} is out of range: use {low}–{high}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        raw = self.get(key).lower()
        if not raw:
            return default
        if raw in ("1", "yes", "true", "on", "ja"):
            return True
        if raw in ("0", "no", "false", "off", "nee"):
            return False
        raise ConfigError(f"{self.source(key)}={raw!r} is not valid: use yes or no")

    def address(self, key: str, value: str) -> str:
        if not _ADDRESS.match(value):
            raise ConfigError(f"{self.source(key)}: {value!r} is not an e-mail address")
        return value.lower()

    def server(self, kind: str, default_security: str, need_user: bool) -> ServerSettings:
        prefix = f"MAILBOT_{kind.upper()}_"
        host = self.required(prefix + "HOST", f"the {kind.upper()} server's host name")
        security = self.choice(prefix + "SECURITY", default_security, SECURITY_CHOICES)
        port = self.integer(prefix + "PORT", DEFAULT_PORTS[kind][security], 1, 65535)
        auth = self.choice(prefix + "AUTH", "password", ("password", "oauth2"))
        need_user = need_user or auth == "oauth2"
        # A mailbox reads its folder as itself: its IMAP login is never borrowed from the global
        # keys. An SMTP login may be shared (one account allowed to send as every address).
        own_login = not self.scope or kind == "imap"
        what = f"the {kind.upper()} login name" + (" (the mailbox's address, for OAuth2)" if auth == "oauth2" else "")
        if need_user:
            user = self.required(prefix + "USER", what, shared=not own_login)
        else:
            user = self.get(prefix + "USER", shared=not own_login)
        password = self.get(prefix + "PASSWORD", shared=not own_login) if auth == "password" else ""
        user_key = self.source(prefix + "USER", not own_login)
        password_key = self.source(prefix + "PASSWORD", not own_login)
        if auth == "password" and need_user and not password:
            raise ConfigError(f"{password_key} is not set: give the password for {user_key}")
        if auth == "password" and user and not password:
            raise ConfigError(f"{password_key} is not set but {user_key} is: give both or neither")
        return ServerSettings(
            host=host, port=port, security=security, user=user, password=password, keys=self.own_key(prefix),
            auth=auth,
        )  # fmt: skip

    def oauth2(self) -> OAuth2Settings:
        """The OAuth2 provider of a mailbox that logs in with it; every mistake names its key."""
        k = "MAILBOT_OAUTH2_"
        provider = self.get(k + "PROVIDER").lower()
        if provider not in OAUTH2_PROVIDERS:
            raise ConfigError(
                f"{self.own_key(k + 'PROVIDER')} is {repr(provider) if provider else 'not set'}: "
                "an OAuth2 login needs microsoft (Microsoft 365) or google"
            )

        def path(key: str) -> Path | None:
            raw = self.get(k + key)
            if raw and not Path(raw).expanduser().is_file():
                raise ConfigError(f"{self.source(k + key)}={raw!r}: no such file")
            return Path(raw).expanduser() if raw else None

        o = OAuth2Settings(
            provider=provider,
            keys=self.own_key(k),
            client_id=self.get(k + "CLIENT_ID"),
            client_secret=self.get(k + "CLIENT_SECRET"),
            tenant=self.get(k + "TENANT"),
            authority=self.get(k + "AUTHORITY"),
            certificate=path("CERTIFICATE"),
            certificate_thumbprint=self.get(k + "CERTIFICATE_THUMBPRINT"),
            refresh_token=self.get(k + "REFRESH_TOKEN"),
            service_account_file=path("SERVICE_ACCOUNT_FILE"),
            token_url=self.get(k + "TOKEN_URL"),
            scope=self.get(k + "SCOPE") or DEFAULT_SCOPES[provider],
        )
        for key, url in (("TOKEN_URL", o.token_url), ("AUTHORITY", o.authority)):
            if url and not url.startswith("https://"):
                raise ConfigError(f"{self.source(k + key)}={url!r}: give an https:// URL")
        if provider == "microsoft":
            if not o.authority:
                self.required(
                    k + "TENANT", "your Microsoft 365 tenant (its ID, or a domain like example.onmicrosoft.com)"
                )
            self.required(k + "CLIENT_ID", "the app registration's application (client) ID")
            if not o.client_secret and not o.certificate:
                raise ConfigError(
                    f"{self.own_key(k + 'CLIENT_SECRET')} is not set: give the app registration's client secret, "
                    f"or a certificate ({self.own_key(k + 'CERTIFICATE')} and _CERTIFICATE_THUMBPRINT)"
                )
            if o.certificate and not o.certificate_thumbprint:
                self.required(k + "CERTIFICATE_THUMBPRINT", "the certificate's thumbprint as shown in Entra ID")
        elif not o.service_account_file:
            self.required(
                k + "REFRESH_TOKEN", f"a refresh token, or a key file in {self.own_key(k)}SERVICE_ACCOUNT_FILE"
            )
            self.required(k + "CLIENT_ID", "the OAuth client ID the refresh token was issued to")
            self.required(k + "CLIENT_SECRET", "the OAuth client's secret")
        return o


DEFAULT_REQUIRED = "description,data_types,affected_count,affected_group,cause,occurred_at"


def _required_answers(r: _Reader) -> tuple[str, ...]:
    from mailbot.core.questionnaire import QUESTIONS

    known = [q.field for q in QUESTIONS]
    names = tuple(n.strip() for n in r.get("MAILBOT_REQUIRED_ANSWERS", DEFAULT_REQUIRED).split(",") if n.strip())
    wrong = [n for n in names if n not in known]
    if wrong:
        raise ConfigError(f"MAILBOT_REQUIRED_ANSWERS: unknown answer {wrong[0]!r}; use some of {', '.join(known)}")
    return names


def _warn_hours(r: _Reader) -> tuple[int, ...]:
    raw = r.get("MAILBOT_WARN_HOURS", "48,24,6,0") or "48,24,6,0"
    try:
        hours = tuple(sorted({int(h) for h in raw.split(",") if h.strip()}, reverse=True))
    except ValueError:
        raise ConfigError(f"MAILBOT_WARN_HOURS={raw!r}: give whole hours before the deadline, e.g. 48,24,6,0") from None
    if not hours or any(not 0 <= h <= 72 for h in hours):
        raise ConfigError(f"MAILBOT_WARN_HOURS={raw!r}: hours must be between 0 (at the deadline) and 72")
    return hours


def _digest_time(r: _Reader) -> str:
    raw = r.get("MAILBOT_DIGEST_TIME", "08:00")
    if raw.lower() in ("", "off", "uit", "no", "nee"):
        return ""
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw)
    if not m:
        raise ConfigError(f"MAILBOT_DIGEST_TIME={raw!r}: give a time like 08:00, or off")
    return f"{int(m[1]):02d}:{m[2]}"


_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _processors(r: _Reader) -> tuple[tuple[str, str], ...]:
    """``Aareon=aareon.nl,Accensys=security@accensys.nl``: (name, domain or address) pairs."""
    found = []
    for entry in (e.strip() for e in r.get("MAILBOT_PROCESSORS").split(",") if e.strip()):
        name, _, where = (x.strip() for x in entry.partition("="))
        where = where.lower().lstrip("@")
        if not name or not (_DOMAIN.match(where) or ("@" in where and _ADDRESS.match(where))):
            raise ConfigError(
                f"MAILBOT_PROCESSORS: {entry!r} is not name=domain or name=address, e.g. Aareon=aareon.nl"
            )
        found.append((name, where))
    return tuple(found)


def _domains(r: _Reader, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = r.get(key)
    if not raw:
        return default
    domains = tuple(dict.fromkeys(d.strip().lower().lstrip("@") for d in raw.split(",") if d.strip()))
    for d in domains:
        if not _DOMAIN.match(d):
            raise ConfigError(f"{key}: {d!r} is not a domain name; give domains like example.org, comma-separated")
    return domains


def _mailbox(r: _Reader, name: str) -> MailboxSettings:
    """One mailbox: from the global keys (a single mailbox, named "default"), or scoped."""
    own = bool(r.scope)
    what = "the shared address " + ("this mailbox receives and sends from" if own else "the bot sends from")
    address = r.address("MAILBOT_ADDRESS", r.required("MAILBOT_ADDRESS", what, shared=not own))
    officers_raw = r.required("MAILBOT_OFFICERS", "the privacy officer's address(es), comma-separated")
    officers = tuple(r.address("MAILBOT_OFFICERS", o.strip()) for o in officers_raw.split(",") if o.strip())
    keywords = tuple(
        k.strip().lower()
        for k in r.get("MAILBOT_SUBJECT_KEYWORDS", "beveiligingsincident,datalek").split(",")
        if k.strip()
    )
    if not keywords:
        raise ConfigError(f"{r.source('MAILBOT_SUBJECT_KEYWORDS')} is empty: give at least one subject keyword")
    imap = r.server("imap", "ssl", need_user=True)
    smtp = r.server("smtp", "starttls", need_user=False)
    return MailboxSettings(
        name=name,
        imap=imap,
        folder=r.get("MAILBOT_IMAP_FOLDER", "INBOX") or "INBOX",
        processed_folder=r.get("MAILBOT_PROCESSED_FOLDER"),
        address=address,
        officers=officers,
        keywords=keywords,
        smtp=smtp,
        oauth2=r.oauth2() if "oauth2" in (imap.auth, smtp.auth) else None,
        sender_name=r.get("MAILBOT_SENDER_NAME") if own else "",
        signature=_signature(r),
    )


def _signature(r: _Reader) -> str:
    """MAILBOT_SIGNATURE: lines separated by ``\\n`` (an env file holds one line per key)."""
    lines = [line.strip() for line in r.get("MAILBOT_SIGNATURE").replace("\\n", "\n").split("\n")]
    if any(len(line) > 200 for line in lines) or len(lines) > 10:
        raise ConfigError(f"{r.source('MAILBOT_SIGNATURE')} is too long: at most 10 lines of 200 characters")
    return "\n".join(lines).strip()


def _mailboxes(r: _Reader) -> tuple[MailboxSettings, ...]:
    """MAILBOT_MAILBOXES=name1,name2 with per-mailbox keys; without it one mailbox, "default"."""
    raw = r.get("MAILBOT_MAILBOXES")
    if not raw:
        return (_mailbox(r, "default"),)
    names = [n.strip().lower() for n in raw.split(",") if n.strip()]
    for n in names:
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,29}", n):
            raise ConfigError(
                f"MAILBOT_MAILBOXES: {n!r} is not a usable name: letters, digits and _ (it becomes part of "
                "keys like MAILBOT_MAILBOX_<NAME>_IMAP_HOST), e.g. MAILBOT_MAILBOXES=meldpunt,po"
            )
    if len(set(names)) != len(names):
        raise ConfigError(f"MAILBOT_MAILBOXES={raw!r} names a mailbox twice")
    boxes = tuple(_mailbox(r.scoped(n), n) for n in names)
    seen: dict[str, str] = {}
    for mb in boxes:
        if mb.address in seen:
            raise ConfigError(
                f"MAILBOT_MAILBOX_{mb.name.upper()}_ADDRESS: {mb.address} is also the address of mailbox "
                f"{seen[mb.address]!r}; each mailbox needs its own address"
            )
        seen[mb.address] = mb.name
    return boxes


def parse_settings(values: Mapping[str, str], source: str = "") -> Settings:
    r = _Reader(values)
    mailboxes = _mailboxes(r)

    ca_raw = r.get("MAILBOT_CA_FILE")
    ca_file = Path(ca_raw).expanduser() if ca_raw else None
    if ca_file is not None and not ca_file.is_file():
        raise ConfigError(f"MAILBOT_CA_FILE={ca_raw!r}: no such file")

    data_dir = Path(r.get("MAILBOT_DATA_DIR", "data") or "data").expanduser().resolve()
    database_url = r.get("MAILBOT_DATABASE_URL") or f"sqlite:///{data_dir / 'mailbot.sqlite3'}"
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
        raise ConfigError("MAILBOT_DATABASE_URL must start with sqlite:/// or postgresql+psycopg://")

    prefix = r.get("MAILBOT_KENMERK_PREFIX", "DL") or "DL"
    if not re.fullmatch(r"[A-Za-z]{1,10}", prefix):
        raise ConfigError(f"MAILBOT_KENMERK_PREFIX={prefix!r} is not valid: use 1–10 letters, e.g. DL")

    language = r.choice("MAILBOT_LANGUAGE", "nl", LANGUAGES)
    tz_name = r.get("MAILBOT_TIMEZONE", "Europe/Amsterdam") or "Europe/Amsterdam"
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"MAILBOT_TIMEZONE={tz_name!r} is not a known time zone, e.g. Europe/Amsterdam") from None

    template_raw = r.get("MAILBOT_TEMPLATE_DIR")
    template_dir = Path(template_raw).expanduser() if template_raw else None
    if template_dir is not None and not template_dir.is_dir():
        raise ConfigError(f"MAILBOT_TEMPLATE_DIR={template_raw!r}: no such folder")

    letter_raw = r.get("MAILBOT_LETTER_TEMPLATE")
    letter_template = Path(letter_raw).expanduser() if letter_raw else None
    if letter_template is not None and not letter_template.is_file():
        raise ConfigError(f"MAILBOT_LETTER_TEMPLATE={letter_raw!r}: no such file (a Word document, .docx)")
    if letter_template is not None and letter_template.suffix.lower() != ".docx":
        raise ConfigError(f"MAILBOT_LETTER_TEMPLATE={letter_raw!r}: give a Word document (.docx)")

    default_name = "Meldpunt datalekken" if language == "nl" else "Data breach desk"
    processors = _processors(r)
    return Settings(
        mailboxes=mailboxes,
        ca_file=ca_file,
        database_url=database_url,
        data_dir=data_dir,
        kenmerk_prefix=prefix.upper(),
        language=language,
        timezone=timezone,
        sender_name=r.get("MAILBOT_SENDER_NAME", default_name) or default_name,
        poll_seconds=r.integer("MAILBOT_POLL_SECONDS", 30, 1, 3600),
        use_idle=r.boolean("MAILBOT_IDLE", True),
        max_attachment_bytes=r.integer("MAILBOT_MAX_ATTACHMENT_MB", 25, 0, 1024) * 1024 * 1024,
        max_replies_per_hour=r.integer("MAILBOT_MAX_REPLIES_PER_HOUR", 10, 0, 10000),
        loop_limit=r.integer("MAILBOT_LOOP_LIMIT", 20, 3, 10000),
        reporter_domains=_domains(
            r, "MAILBOT_REPORTER_DOMAINS", tuple(dict.fromkeys(mb.address.rsplit("@", 1)[1] for mb in mailboxes))
        ),
        processor_domains=_domains(r, "MAILBOT_PROCESSOR_DOMAINS", ())
        + tuple(where for _, where in processors if "@" not in where),
        processors=processors,
        board=tuple(
            dict.fromkeys(r.address("MAILBOT_BOARD", b.strip()) for b in r.get("MAILBOT_BOARD").split(",") if b.strip())
        ),
        outside_replies_per_hour=r.integer("MAILBOT_OUTSIDE_REPLIES_PER_HOUR", 20, 0, 10000),
        max_cpu_seconds=r.integer("MAILBOT_MAX_CPU_SECONDS", 60, 1, 3600),
        template_dir=template_dir,
        letter_template=letter_template,
        log_level=r.choice("MAILBOT_LOG_LEVEL", "info", ("debug", "info", "warning", "error")),
        log_format=r.choice("MAILBOT_LOG_FORMAT", "text", ("text", "json")),
        reminder_after_hours=r.integer("MAILBOT_REMINDER_AFTER_HOURS", 24, 1, 24 * 30),
        max_reminders=r.integer("MAILBOT_MAX_REMINDERS", 2, 0, 10),
        required_answers=_required_answers(r),
        trusted_authserv_id=r.get("MAILBOT_TRUSTED_AUTHSERV_ID"),
        warn_hours=_warn_hours(r),
        supplement_after_days=r.integer("MAILBOT_SUPPLEMENT_AFTER_DAYS", 7, 1, 90),
        digest_time=_digest_time(r),
        overview=r.choice("MAILBOT_OVERVIEW", "monthly", ("monthly", "quarterly", "off")),
        organisation=Organisation(
            name=r.get("MAILBOT_ORG_NAME"),
            address=r.get("MAILBOT_ORG_ADDRESS"),
            kvk=r.get("MAILBOT_ORG_KVK"),
            sector=r.get("MAILBOT_ORG_SECTOR"),
            fg_registration=r.get("MAILBOT_FG_REGISTRATION"),
            contact_name=r.get("MAILBOT_AP_CONTACT_NAME"),
            contact_title=r.get("MAILBOT_AP_CONTACT_TITLE"),
            contact_email=r.get("MAILBOT_AP_CONTACT_EMAIL"),
            contact_phone=r.get("MAILBOT_AP_CONTACT_PHONE"),
        ),
        # Art. 33(5) register entries: at least five years (the protocol's minimum).
        retention_years=r.integer("MAILBOT_RETENTION_YEARS", 5, 5, 100),
        purge_after_days=r.integer("MAILBOT_PURGE_AFTER_DAYS", 365, 30, 36500),
        source=source,
    )
