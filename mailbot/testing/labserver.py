"""A throwaway mail server on loopback: Dovecot for IMAP and LMTP, Postfix for SMTP.

The demo, the end-to-end tests and the benchmark all need a real mail server that nobody
outside this machine can reach. This module writes private configurations into a fresh
temporary directory, starts Dovecot and Postfix on free high ports of 127.0.0.1, and removes
everything again on stop. Postfix delivers every ``example.org`` address to Dovecot over LMTP
and refuses to relay anywhere else, so no mail can leave the machine.

Postfix must start as root (it drops to its own user); Dovecot then runs as the ``dovecot``
system user. Both come from Debian's packages (``dovecot-imapd``, ``dovecot-lmtpd``,
``postfix``); ``./dev`` installs them.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from imapclient import IMAPClient

DOMAIN = "example.org"
REFUSING = f"weigert@{DOMAIN}"  # Postfix answers 554 at RCPT for this address: a permanent failure on demand
# A message with this header line is refused after its content was sent (header_checks): the
# recipient was taken, the message itself is not.
REFUSED_HEADER = "X-Lab-Refuse: this message"


class LabServerError(RuntimeError):
    """The lab mail server could not be started or driven."""


@dataclass(frozen=True)
class Ports:
    imap: int
    imaps: int
    lmtp: int
    auth: int
    smtp: int


def free_ports(n: int) -> list[int]:
    """n distinct free ports on 127.0.0.1 (all held open while choosing, so none repeats)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def _wait_port(port: int, timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.02)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise LabServerError(f"port {port} did not open within {timeout:.0f}s\n{tail}")


def _wait_port_closed(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                pass
        except OSError:
            return
        time.sleep(0.05)


def _run(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise LabServerError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    return proc.stdout


def _start_daemon(cmd: list[str], log: Path) -> None:
    """Run a command that forks a daemon; its output goes to a file, not a pipe the daemon keeps open."""
    with log.open("ab") as out:
        rc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, check=False).returncode
    if rc != 0:
        raise LabServerError(f"{' '.join(cmd)} failed ({rc}): {log.read_text(errors='replace')[-2000:]}")


def make_ca(cert: Path, key: Path, name: str, days: int = 2) -> None:
    """A throwaway self-signed certificate authority."""
    _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", str(days), "-subj", f"/CN={name}",
          "-keyout", str(key), "-out", str(cert)])  # fmt: skip


@dataclass
class LabMailServer:
    """Dovecot + Postfix on 127.0.0.1 with the given virtual users (address -> password)."""

    users: dict[str, str]
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="mlab-", dir="/tmp")))
    ports: Ports = field(default_factory=lambda: Ports(*free_ports(5)))
    running_dovecot: bool = False
    running_postfix: bool = False
    # When set, Dovecot (and Postfix, whose SMTP AUTH is Dovecot's) also takes SASL XOAUTH2 and
    # OAUTHBEARER, asking this token introspection endpoint (RFC 7662) whether a token is good.
    oauth2_introspection_url: str = ""

    # -- paths -----------------------------------------------------------------------------
    @property
    def ca_file(self) -> Path:
        return self.root / "tls" / "ca.pem"

    @property
    def dovecot_conf(self) -> Path:
        return self.root / "dovecot" / "dovecot.conf"

    @property
    def postfix_dir(self) -> Path:
        return self.root / "postfix"

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> LabMailServer:
        if os.geteuid() != 0:
            raise LabServerError("the lab mail server needs root (Postfix starts as root); run it with sudo")
        for tool in ("dovecot", "doveadm", "postfix", "openssl", "pkill", "runuser"):
            if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
                raise LabServerError(
                    f"{tool} is not installed: apt install dovecot-imapd dovecot-lmtpd postfix openssl procps "
                    "util-linux (in a clone, ./dev setup does it)"
                )
        # The servers run as other users and must read what is made here, whatever the caller's umask.
        previous = os.umask(0o022)
        try:
            self.root.chmod(0o755)
            self._make_certificates()
            self.start_dovecot()
            self.start_postfix()
        finally:
            os.umask(previous)
        return self

    def stop(self) -> None:
        with contextlib.suppress(LabServerError):
            self.stop_postfix()
        with contextlib.suppress(LabServerError):
            self.stop_dovecot()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> LabMailServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- TLS -------------------------------------------------------------------------------
    def _make_certificates(self) -> None:
        tls = self.root / "tls"
        tls.mkdir(exist_ok=True)
        (tls / "san.cnf").write_text(
            "[ext]\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\n"
        )
        make_ca(tls / "ca.pem", tls / "ca.key", "mailbot lab CA")
        _run(
            [
                "openssl",
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-keyout",
                str(tls / "server.key"),
                "-out",
                str(tls / "server.csr"),
            ]
        )
        _run(
            [
                "openssl",
                "x509",
                "-req",
                "-in",
                str(tls / "server.csr"),
                "-CA",
                str(tls / "ca.pem"),
                "-CAkey",
                str(tls / "ca.key"),
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                str(tls / "san.cnf"),
                "-extensions",
                "ext",
                "-out",
                str(tls / "server.pem"),
            ]
        )
        for name in ("ca.pem", "server.pem"):
            os.chmod(tls / name, 0o644)
        for name in ("server.key", "ca.key"):
            os.chmod(tls / name, 0o640)
        os.chown(tls / "server.key", 0, pwd.getpwnam("dovecot").pw_gid)

    # -- Dovecot ---------------------------------------------------------------------------
    def _write_dovecot(self) -> None:
        d = self.root / "dovecot"
        (d / "run").mkdir(parents=True, exist_ok=True)
        (d / "state").mkdir(exist_ok=True)
        (self.root / "home").mkdir(exist_ok=True)
        self.write_users()
        tls = self.root / "tls"
        p = self.ports
        self.dovecot_conf.write_text(f"""\
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <{tls}/server.pem
ssl_key = <{tls}/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login{" xoauth2 oauthbearer" if self.oauth2_introspection_url else ""}
auth_failure_delay = 0
auth_verbose = yes
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovecot
first_valid_uid = 1
mail_location = sdbox:~/mail
mail_fsync = never
postmaster_address = postmaster@{DOMAIN}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
  mechanisms = plain login
}}
{self._oauth2_passdb(d)}userdb {{
  driver = passwd-file
  args = username_format=%u {d}/users
  default_fields = uid=dovecot gid=dovecot home={self.root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {p.imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {p.imaps}
    ssl = yes
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {p.lmtp}
  }}
}}
service auth {{
  inet_listener auth-client {{
    address = 127.0.0.1
    port = {p.auth}
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
        _run(["chown", "-R", "dovecot:dovecot", str(d), str(self.root / "home")])

    def _oauth2_passdb(self, d: Path) -> str:
        if not self.oauth2_introspection_url:
            return ""
        (d / "oauth2.conf").write_text(
            f"introspection_mode = post\nintrospection_url = {self.oauth2_introspection_url}\n"
            "username_attribute = email\nactive_attribute = active\nactive_value = true\n"
        )
        return f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {d}/oauth2.conf\n}}\n"

    def write_users(self) -> None:
        """(Re)write the passwd-file; Dovecot re-reads it when it changes."""
        path = self.root / "dovecot" / "users"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{u}:{{PLAIN}}{pw}::::::\n" for u, pw in self.users.items()))
        os.chmod(path, 0o640)
        os.chown(path, 0, pwd.getpwnam("dovecot").pw_gid)

    def start_dovecot(self) -> None:
        self._write_dovecot()
        _start_daemon(
            ["runuser", "-u", "dovecot", "--", "dovecot", "-c", str(self.dovecot_conf)], self.root / "start.log"
        )
        _wait_port(self.ports.imaps, 10, self.root / "dovecot" / "dovecot.log")
        _wait_port(self.ports.lmtp, 10, self.root / "dovecot" / "dovecot.log")
        self.running_dovecot = True

    def stop_dovecot(self) -> None:
        if not self.running_dovecot:
            return
        pidfile = self.root / "dovecot" / "run" / "master.pid"
        pid = int(pidfile.read_text().strip()) if pidfile.exists() else None
        session = None
        with contextlib.suppress(OSError):
            session = os.getsid(pid) if pid else None
        with contextlib.suppress(LabServerError):
            _run(["doveadm", "-c", str(self.dovecot_conf), "stop"])
        if pid is not None:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if session is not None:
            # Client processes (imap, lmtp) can outlive the master; a real restart drops their
            # connections, so end every process of this instance's session.
            subprocess.run(["pkill", "-KILL", "-s", str(session)], check=False)
        for port in (self.ports.imap, self.ports.imaps, self.ports.lmtp):
            _wait_port_closed(port, 5)
        self.running_dovecot = False

    def restart_dovecot(self) -> None:
        self.stop_dovecot()
        self.start_dovecot()

    def crash_dovecot(self) -> None:
        """Every Dovecot process of this instance killed at once (a crash, a machine gone), then
        started again: open connections break mid-command instead of being closed politely."""
        pidfile = self.root / "dovecot" / "run" / "master.pid"
        pid = int(pidfile.read_text().strip())
        subprocess.run(["pkill", "-KILL", "-s", str(os.getsid(pid))], check=False)
        deadline = time.monotonic() + 10
        with contextlib.suppress(ProcessLookupError):
            while time.monotonic() < deadline:
                os.kill(pid, 0)
                time.sleep(0.02)
        pidfile.unlink(missing_ok=True)
        for port in (self.ports.imap, self.ports.imaps, self.ports.lmtp):
            _wait_port_closed(port, 5)
        self.running_dovecot = False
        self.start_dovecot()

    def doveadm(self, *args: str) -> str:
        return _run(["runuser", "-u", "dovecot", "--", "doveadm", "-c", str(self.dovecot_conf), *args])

    def set_uidvalidity(self, user: str, value: int, folder: str = "INBOX") -> None:
        self.doveadm("mailbox", "update", "-u", user, "--uid-validity", str(value), folder)

    # -- Postfix ---------------------------------------------------------------------------
    def _write_postfix(self) -> None:
        d = self.postfix_dir
        (d / "spool").mkdir(parents=True, exist_ok=True)
        (d / "data").mkdir(exist_ok=True)
        shutil.chown(d / "data", "postfix", "postfix")
        tls = self.root / "tls"
        p = self.ports
        (d / "header_checks").write_text(f"/^{REFUSED_HEADER}$/ REJECT the lab refuses this message\n")
        (d / "main.cf").write_text(f"""\
compatibility_level = 3.6
queue_directory = {d}/spool
data_directory = {d}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = {d}/postfix.log
maillog_file_prefixes = /tmp
myhostname = mail.{DOMAIN}
mydomain = {DOMAIN}
myorigin = {DOMAIN}
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = {DOMAIN}
virtual_transport = lmtp:inet:127.0.0.1:{p.lmtp}
default_transport = error:the lab mail server delivers to {DOMAIN} only
relay_transport = error:the lab mail server delivers to {DOMAIN} only
local_transport = error:the lab mail server delivers to {DOMAIN} only
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
smtputf8_enable = no
in_flow_delay = 0
message_size_limit = 104857600
virtual_mailbox_limit = 0
mailbox_size_limit = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 4s
lmtp_destination_concurrency_limit = 4
smtpd_tls_cert_file = {tls}/server.pem
smtpd_tls_key_file = {tls}/server.key
smtpd_tls_security_level = may
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:{p.auth}
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access inline:{{ {REFUSING}=REJECT }}
header_checks = regexp:{d}/header_checks
# Refusals answered at once, not after Postfix's tarpit delay: tests provoke many of them.
smtpd_error_sleep_time = 0
""")
        (d / "master.cf").write_text(f"""\
127.0.0.1:{p.smtp} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
""")

    def start_postfix(self) -> None:
        if self.running_postfix:
            return
        self._write_postfix()
        _start_daemon(["postfix", "-c", str(self.postfix_dir), "start"], self.root / "start.log")
        _wait_port(self.ports.smtp, 20, self.postfix_dir / "postfix.log")
        self.running_postfix = True

    def stop_postfix(self) -> None:
        if not self.running_postfix:
            return
        _start_daemon(["postfix", "-c", str(self.postfix_dir), "stop"], self.root / "start.log")
        _wait_port_closed(self.ports.smtp, 10)
        self.running_postfix = False

    def queue_empty(self) -> bool:
        spool = self.postfix_dir / "spool"
        return not any(
            f for sub in ("incoming", "active", "deferred", "maildrop") for f in (spool / sub).rglob("*") if f.is_file()
        )

    def wait_queue_empty(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not self.queue_empty():
            if time.monotonic() > deadline:
                raise LabServerError("Postfix queue did not drain")
            time.sleep(0.05)

    # -- clients ---------------------------------------------------------------------------
    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        """Submit one message over SMTP as a mail client would (plain, from loopback)."""
        with smtplib.SMTP("127.0.0.1", self.ports.smtp, timeout=30) as smtp:
            smtp.sendmail(sender, recipients, raw)

    @contextlib.contextmanager
    def imap(self, user: str, folder: str = "INBOX") -> Iterator[IMAPClient]:
        client = IMAPClient("127.0.0.1", self.ports.imaps, ssl=True, ssl_context=self.ssl_context(), timeout=30)
        try:
            client.login(user, self.users[user])
            client.select_folder(folder)
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    def messages(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """Every message in a user's folder, raw, oldest first (read-only: flags untouched)."""
        with self.imap(user, folder) as c:
            uids = c.search("ALL")
            if not uids:
                return []
            data = c.fetch(uids, ["BODY.PEEK[]"])
            return [data[u][b"BODY[]"] for u in sorted(data)]

    def wait_for(
        self, user: str, count: int = 1, timeout: float = 20, match: Callable[[bytes], bool] | None = None
    ) -> list[bytes]:
        """Poll a mailbox until at least ``count`` (matching) messages are there."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.messages(user) if match is None or match(m)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def clear(self) -> None:
        """Empty every user's INBOX (between tests)."""
        self.doveadm("expunge", "-A", "mailbox", "*", "all")

    def wipe(self) -> None:
        """Remove every user's mail store, Dovecot's indexes with it, so that a measurement
        finds the server as the first one did. Expunging (:meth:`clear`) leaves Dovecot's
        transaction logs growing and every delivery reads them: over six runs of 1,000
        messages the raw SMTP rate fell by a third. Only while no client is connected; the
        stores are made again on the next delivery or login."""
        self.wait_queue_empty()
        for store in (self.root / "home").glob("*/mail"):
            shutil.rmtree(store)
