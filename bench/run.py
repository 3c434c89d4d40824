"""mailbot's benchmark: the bot measured against the mail server it runs on.

Starts the lab mail server the tests use (Dovecot + Postfix on 127.0.0.1), then measures:

1. the raw limit: SMTP submission of N messages over one connection until all are visible
   in IMAP, and an IMAP fetch of N messages, without the bot;
2. acknowledgement latency: one report at a time, from the SMTP server accepting it to the
   acknowledgement being readable in the reporter's mailbox, with ``mailbot run`` (IDLE);
3. backlog throughput: N reports already waiting (mostly short plain text, some HTML-only,
   some with a 200 KB attachment) until every acknowledgement and officer notice is delivered;
4. memory: the worker's peak RSS for one message with a 25 MB attachment, and for backlogs of
   100 and 1,000 reports;
5. start-up: ``mailbot --help`` and ``mailbot list``;
6. CPU: the worker's per report and the mail server's per message, both from /proc (the
   figure that holds on any machine, where wall time depends on the cores at hand);
7. ten years of cases: registers of 10,000 and 100,000 cases built through the product's own
   case operations (bench/register.py): ``list``, ``show`` and ``status``, the export as csv
   and xlsx (time per 10,000 cases and peak memory), and the worker's periodic work.

Every measured run starts from a fresh mail store (LabMailServer.wipe): Dovecot's logs grow
with every delivery and slow the next ones. Each run of the 1,000-report backlog is set
against the mean of two raw runs of as many messages as the bot sends (2,000), made just
before and just after it, and the target is judged on the median of those ratios: the
machine's speed drifts within minutes.

Prints one table (median and spread over the runs) and the machine; ``--write FILE`` also
writes it as Markdown. Run it with ``./dev bench`` (as root: Postfix needs it).
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import logging
import os
import platform
import shutil
import smtplib
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from imapclient import IMAPClient

import mailbot
from mailbot.cli.demo import BOT, LAB_USERS, OFFICER, lab_config
from mailbot.testing.labserver import LabMailServer

REPORTERS = [f"melder{i:03d}@example.org" for i in range(50)]
RAW_USER = "raw@example.org"
USERS = {**LAB_USERS, RAW_USER: "raw", **{r: "r" for r in REPORTERS}}


@dataclass
class Row:
    name: str
    unit: str
    values: list[float] = field(default_factory=list)
    target: str = ""
    good: Callable[[float], bool] | None = None
    note: str = ""

    def cells(self) -> list[str]:
        if not self.values:
            return [self.name, "0", "-", "-", self.target, "not measured"]
        med = statistics.median(self.values)
        spread = f"{min(self.values):.3g}–{max(self.values):.3g}" if len(self.values) > 1 else "-"
        verdict = "" if self.good is None else ("met" if self.good(med) else "MISSED")
        return [
            self.name,
            str(len(self.values)),
            f"{med:.3g} {self.unit}",
            spread,
            self.target,
            " ".join(x for x in (verdict, self.note) if x),
        ]


# -- helpers -------------------------------------------------------------------------------------
def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def report(sender: str, i: int, kind: str = "plain") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = BOT
    msg["Subject"] = f"beveiligingsincident {i}"
    msg["Message-ID"] = make_msgid(domain="example.org")
    text = f"Melding {i}: een lijst met namen en adressen van huurders is naar de verkeerde ontvanger gemaild."
    if kind == "html":
        msg.set_content(
            f"<html><body><p>{text}</p><table><tr><td>Aantal</td><td>25</td></tr></table></body></html>", subtype="html"
        )
    else:
        msg.set_content(text)
    if kind == "attachment":
        msg.add_attachment(os.urandom(200 * 1024), maintype="application", subtype="pdf", filename="scan.pdf")
    return msg.as_bytes()


def mix(i: int) -> str:
    return "attachment" if i % 20 == 0 else "html" if i % 10 == 5 else "plain"


class Inboxes:
    """Counts the messages in some users' INBOXes over connections logged in once, before the
    clock starts: a count is then one STATUS per user (about 15 ms for 51 users). Logging in
    for every count took 0.7 s for the 51 mailboxes of a backlog, and the last count was
    charged to the bot while the raw run's one mailbox cost 15 ms."""

    def __init__(self, lab: LabMailServer, users: list[str]) -> None:
        self.lab, self.users = lab, users
        self.clients: list[IMAPClient] = []

    def __enter__(self) -> Inboxes:
        for user in self.users:
            client = IMAPClient("127.0.0.1", self.lab.ports.imaps, ssl=True, ssl_context=self.lab.ssl_context())
            client.login(user, USERS[user])
            self.clients.append(client)
        return self

    def __exit__(self, *exc: object) -> None:
        for client in self.clients:
            with contextlib.suppress(OSError, IMAPClient.Error):  # the server may be gone already
                client.logout()

    def count(self) -> int:
        # STATUS with nothing selected: on a selected folder it can be stale.
        return sum(int(c.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"]) for c in self.clients)

    def wait(self, expected: int, timeout: float) -> float:
        """The moment at least ``expected`` messages are there (polled every 50 ms)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.count() >= expected:
                return time.monotonic()
            time.sleep(0.05)
        raise RuntimeError(f"only {self.count()} of {expected} messages arrived within {timeout:.0f}s")


def wait_count(lab: LabMailServer, users: list[str], expected: int, timeout: float) -> float:
    with Inboxes(lab, users) as inboxes:
        return inboxes.wait(expected, timeout)


def bot_env(lab: LabMailServer, data: Path, log_level: str = "warning") -> tuple[list[str], dict[str, str]]:
    config = lab_config(
        lab,
        data / "data",
        MAILBOT_OFFICERS=OFFICER,
        MAILBOT_MAX_REPLIES_PER_HOUR="10000",
        # 1,000 reports from 50 senders are 20 each: past the default loop guard (20 an hour).
        MAILBOT_LOOP_LIMIT="10000",
        MAILBOT_DIGEST_TIME="off",
        MAILBOT_LOG_LEVEL=log_level,
    )
    env_file = data / "bench.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in config.items()))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
    return [sys.executable, "-m", "mailbot", "--config", str(env_file)], env


def run_once_rss(cmd: list[str], env: dict[str, str], codes: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Run a command; return (seconds, peak RSS in MB) of that process alone."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) not in codes:
        raise RuntimeError(f"{' '.join(cmd[-2:])} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def cpu_seconds(sessions: set[int]) -> float:
    """CPU (user + system) of every process in these sessions, and of the children they have
    reaped, from /proc: what a mail server's short-lived processes (smtpd, cleanup, lmtp) used
    is counted in their master's cutime once they end."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked: its parent's cutime has it now
        if int(fields[3]) in sessions:
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def own_children_cpu() -> float:
    """CPU of this process's reaped children (cutime + cstime in /proc/self/stat)."""
    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def lab_sessions(lab: LabMailServer) -> set[int]:
    """The sessions of the lab's Dovecot and Postfix masters."""
    pidfiles = [lab.root / "dovecot" / "run" / "master.pid", lab.postfix_dir / "spool" / "pid" / "master.pid"]
    return {os.getsid(int(f.read_text().split()[0])) for f in pidfiles}


def fill(lab: LabMailServer, n: int, make: Callable[[int], bytes]) -> None:
    with smtplib.SMTP("127.0.0.1", lab.ports.smtp) as smtp:
        for i in range(n):
            smtp.sendmail(REPORTERS[i % len(REPORTERS)], [BOT], make(i))


# -- measurements --------------------------------------------------------------------------------
RAW_CPU = Row("mail server CPU per message, raw runs (Dovecot + Postfix, /proc)", "ms")


def raw_send(lab: LabMailServer, n: int) -> float:
    """One raw run from a fresh mail store: messages a second, SMTP until all are in IMAP. The
    mail server's CPU per message goes into RAW_CPU."""
    lab.wipe()
    payload = report(REPORTERS[0], 0)
    sessions = lab_sessions(lab)
    with Inboxes(lab, [RAW_USER]) as inboxes:
        cpu = cpu_seconds(sessions)
        start = time.monotonic()
        with smtplib.SMTP("127.0.0.1", lab.ports.smtp) as smtp:
            for _ in range(n):
                smtp.sendmail(REPORTERS[0], [RAW_USER], payload)
        done = inboxes.wait(n, 120)
        RAW_CPU.values.append(1000 * (cpu_seconds(sessions) - cpu) / n)
    return n / (done - start)


def raw_limit(lab: LabMailServer, n: int, runs: int) -> tuple[Row, Row]:
    send = Row(f"raw: SMTP {n} messages, one connection, until all in IMAP (all raw runs)", "msg/s")
    fetch = Row(f"raw: IMAP FETCH BODY.PEEK[] of {n} messages", "s")
    for run in range(runs):
        say(f"raw limit, run {run + 1}/{runs}")
        send.values.append(raw_send(lab, n))
        with lab.imap(RAW_USER) as c:
            start = time.monotonic()
            uids = c.search("ALL")
            for i in range(0, len(uids), 500):
                c.fetch(uids[i : i + 500], ["BODY.PEEK[]"])
            fetch.values.append(time.monotonic() - start)
    return send, fetch


def latency(lab: LabMailServer, samples: int) -> tuple[Row, Row, Row]:
    p50 = Row(f"acknowledgement latency p50 ({samples} reports, IDLE)", "s", target="≤ 1 s", good=lambda v: v <= 1)
    p95 = Row("acknowledgement latency p95", "s", target="≤ 2 s", good=lambda v: v <= 2)
    worst = Row("acknowledgement latency max", "s")
    lab.wipe()
    data = Path(tempfile.mkdtemp(prefix="mbench-"))
    # The default log level, as deployed; should an acknowledgement not come, its log says how
    # far the report got.
    cmd, env = bot_env(lab, data, log_level="info")
    log = (data / "worker.log").open("wb")
    worker = subprocess.Popen([*cmd, "run"], env=env, stdout=log, stderr=log)
    try:
        time.sleep(2)
        results = []
        for i in range(samples):
            reporter = REPORTERS[i % len(REPORTERS)]
            # STATUS on a connection with nothing selected: on the selected folder it can be stale.
            with IMAPClient("127.0.0.1", lab.ports.imaps, ssl=True, ssl_context=lab.ssl_context()) as c:
                c.login(reporter, USERS[reporter])
                before = int(c.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"])
                with smtplib.SMTP("127.0.0.1", lab.ports.smtp) as smtp:
                    smtp.sendmail(reporter, [BOT], report(reporter, i))
                accepted = time.monotonic()
                while int(c.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"]) <= before:
                    if time.monotonic() - accepted > 30:
                        raise RuntimeError(
                            f"sample {i}: no acknowledgement within 30 s (Postfix queue "
                            f"{'empty' if lab.queue_empty() else 'not empty'}); the worker's log:\n"
                            + (data / "worker.log").read_text()[-5000:]
                        )
                    time.sleep(0.01)
                results.append(time.monotonic() - accepted)
        results.sort()
        p50.values.append(statistics.median(results))
        p95.values.append(results[int(0.95 * (len(results) - 1))])
        worst.values.append(results[-1])
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)
    return p50, p95, worst


def backlog(lab: LabMailServer, n: int, runs: int, raw: Row | None = None) -> tuple[Row, Row, Row, Row]:
    """With ``raw``, every run is bracketed by raw runs of as many messages as the bot sends,
    one just before and one just after it (each raw run serves the backlogs on both its sides),
    and set against their mean: this machine's speed drifts by ±15% within minutes, and one raw
    run alone varies as much. The ratio of each run is kept in the rate row's note."""
    rate = Row(f"backlog: {n} reports waiting → all {2 * n} answers delivered", "mail/s")
    memory = Row(f"worker peak RSS, backlog of {n}", "MB")
    worker_cpu = Row(f"worker CPU per report, backlog of {n} (/proc)", "ms")
    server_cpu = Row(f"mail server CPU per report, backlog of {n} (its 2 answers, the fetch; /proc)", "ms")
    around: list[float] = []  # the raw runs between the backlogs, first before the first
    for run in range(runs):
        if raw is not None and run == 0:
            say(f"raw limit before backlog {n}, run 1/{runs}")
            around.append(raw_send(lab, 2 * n))
        say(f"backlog {n}, run {run + 1}/{runs}")
        lab.wipe()
        fill(lab, n, lambda i: report(REPORTERS[i % len(REPORTERS)], i, mix(i)))
        wait_count(lab, [BOT], n, 300)
        data = Path(tempfile.mkdtemp(prefix="mbench-"))
        try:
            cmd, env = bot_env(lab, data)
            subprocess.run([*cmd, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
            sessions = lab_sessions(lab)
            with Inboxes(lab, [OFFICER, *REPORTERS]) as inboxes:
                own, server = own_children_cpu(), cpu_seconds(sessions)
                start = time.monotonic()
                _, rss = run_once_rss([*cmd, "run", "--once"], env)
                done = inboxes.wait(2 * n, 600)
                worker_cpu.values.append(1000 * (own_children_cpu() - own) / n)
                server_cpu.values.append(1000 * (cpu_seconds(sessions) - server) / n)
            rate.values.append(2 * n / (done - start))
            memory.values.append(rss)
        finally:
            shutil.rmtree(data, ignore_errors=True)
        if raw is not None:
            say(f"raw limit after backlog {n}, run {run + 1}/{runs}")
            around.append(raw_send(lab, 2 * n))
    if raw is not None:
        raw.values += around
        ratios = [bot / statistics.mean(around[i : i + 2]) for i, bot in enumerate(rate.values)]
        half = statistics.median(ratios) >= 0.5
        rate.target = "≥ 50% of the raw rate"
        rate.good = lambda _: half
        rate.note = (
            f"{statistics.median(ratios):.0%} of raw (each run against the raw runs either side of it: "
            + ", ".join(f"{r:.0%}" for r in ratios)
            + ")"
        )
    return rate, memory, worker_cpu, server_cpu


_APPEND_BIG = """
import os, ssl, sys
from email.message import EmailMessage
from imapclient import IMAPClient
msg = EmailMessage()
msg["From"], msg["To"], msg["Subject"] = sys.argv[1], sys.argv[2], "beveiligingsincident met grote bijlage"
msg.set_content("Zie de bijlage.")
msg.add_attachment(os.urandom(25 * 1024 * 1024), maintype="application", subtype="zip", filename="export.zip")
with IMAPClient("127.0.0.1", int(sys.argv[4]), ssl_context=ssl.create_default_context(cafile=sys.argv[5])) as c:
    c.login(sys.argv[2], sys.argv[3])
    c.append("INBOX", msg.as_bytes())
"""


def big_attachment(lab: LabMailServer, runs: int) -> Row:
    """The message is made in a process of its own: on Linux a child's peak RSS starts from its
    parent's at fork, so building 25 MB here would be counted as the worker's."""
    row = Row("worker peak RSS, one report with a 25 MB attachment", "MB", target="≤ 250 MB", good=lambda v: v <= 250)
    for run in range(runs):
        say(f"25 MB attachment, run {run + 1}/{runs}")
        lab.wipe()
        subprocess.run([sys.executable, "-c", _APPEND_BIG, REPORTERS[0], BOT, USERS[BOT], str(lab.ports.imaps),
                        str(lab.ca_file)], check=True)  # fmt: skip
        data = Path(tempfile.mkdtemp(prefix="mbench-"))
        try:
            cmd, env = bot_env(lab, data)
            subprocess.run([*cmd, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
            _, rss = run_once_rss([*cmd, "run", "--once"], env)
            row.values.append(rss)
        finally:
            shutil.rmtree(data, ignore_errors=True)
    return row


def startup(lab: LabMailServer, runs: int) -> tuple[Row, Row]:
    helps = Row("start-up: mailbot --help", "s", target="≤ 0.3 s", good=lambda v: v <= 0.3)
    lists = Row("start-up: mailbot list (empty register)", "s")
    data = Path(tempfile.mkdtemp(prefix="mbench-"))
    try:
        cmd, env = bot_env(lab, data)
        subprocess.run([*cmd, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        for _ in range(runs):
            helps.values.append(run_once_rss([sys.executable, "-m", "mailbot", "--help"], env)[0])
            lists.values.append(run_once_rss([*cmd, "list"], env)[0])
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return helps, lists


def register_rows(n: int, runs: int) -> list[Row]:
    """A register of ``n`` cases over ten years (bench/register.py), on SQLite: what people
    type, the export, and the worker's periodic work (in this process, on the same database)."""
    from mailbot.core.clock import system_clock
    from mailbot.core.config import load_settings
    from mailbot.model.services import build
    from mailbot.runtime.worker import Worker

    data = Path(tempfile.mkdtemp(prefix="mbench-register-"))
    try:
        env_file = data / "register.env"
        env_file.write_text(
            "MAILBOT_ADDRESS=meldpunt@example.org\nMAILBOT_IMAP_HOST=127.0.0.1\nMAILBOT_IMAP_USER=meldpunt@example.org\n"
            "MAILBOT_IMAP_PASSWORD=x\nMAILBOT_SMTP_HOST=127.0.0.1\nMAILBOT_OFFICERS=fg@example.org\n"
            "MAILBOT_DIGEST_TIME=00:00\nMAILBOT_OVERVIEW=off\nMAILBOT_LOG_LEVEL=warning\n"
            f"MAILBOT_DATA_DIR={data / 'data'}\n"
        )
        env_file.chmod(0o600)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
        cmd = [sys.executable, "-m", "mailbot", "--config", str(env_file)]
        subprocess.run([*cmd, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        say(f"register of {n} cases: building it through the case operations …")
        started = time.monotonic()
        build_cmd = [sys.executable, str(Path(__file__).parent / "register.py"), "--config", str(env_file)]
        subprocess.run([*build_cmd, "--cases", str(n)], env=env, check=True, stderr=subprocess.DEVNULL)
        say(f"register of {n} cases: built in {time.monotonic() - started:.0f} s; measuring …")
        database = data / "data" / "mailbot.sqlite3"
        with contextlib.closing(sqlite3.connect(database)) as conn:
            (kenmerk,) = conn.execute('SELECT kenmerk FROM "case" ORDER BY id DESC LIMIT 1').fetchone()
        limit = 0.3 if n <= 10_000 else 0.6
        rows = []
        for args in (["list"], ["show", kenmerk], ["status"]):
            row = Row(f"register of {n}: mailbot {args[0]}", "s", target=f"≤ {limit} s", good=lambda v: v <= limit)
            # status exits 1 here: no worker runs on this register, which it rightly reports
            row.values += [run_once_rss([*cmd, *args], env, codes=(0, 1))[0] for _ in range(runs)]
            rows.append(row)
        for fmt in ("csv", "xlsx"):
            per = Row(f"register of {n}: export --format {fmt}, per 10,000 cases", "s", target="linear in cases")
            rss = Row(f"register of {n}: export --format {fmt}, peak RSS", "MB", target="flat in cases")
            for _ in range(max(1, runs // 2)):
                seconds, peak = run_once_rss([*cmd, "export", "--format", fmt, "-o", str(data / f"r.{fmt}")], env)
                per.values.append(seconds / (n / 10_000))
                rss.values.append(peak)
            rows += [per, rss]
        logging.getLogger("mailbot").setLevel(logging.ERROR)  # the warnings it queues are not news here
        svc = build(load_settings(str(env_file)))
        worker = Worker(svc, system_clock)
        worker.check_clock()  # the first queues the open cases' warnings and the digest; then a minute's check
        clock = Row(f"register of {n}: the worker's periodic work, one check", "ms", target="flat in closed cases")
        for _ in range(runs * 4):
            start = time.perf_counter()
            worker.check_clock()
            clock.values.append(1000 * (time.perf_counter() - start))
        worker.close()
        svc.engine.dispose()
        return [*rows, clock]
    finally:
        shutil.rmtree(data, ignore_errors=True)


# -- report --------------------------------------------------------------------------------------
def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    versions = []
    for cmd in (["dovecot", "--version"], ["postconf", "-d", "-h", "mail_version"]):
        out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        versions.append(out.split()[0] if out else "?")
    return [
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GB",
        f"Python {platform.python_version()}, Dovecot {versions[0]}, Postfix {versions[1]}",
    ]


def table(rows: list[Row]) -> str:
    head = ["measurement", "runs", "median", "spread (min–max)", "target", "result"]
    cells = [head, *[r.cells() for r in rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = ["| " + " | ".join(c[i].ljust(widths[i]) for i in range(len(head))) + " |" for c in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs and smaller backlogs (about a minute)")
    parser.add_argument("--write", metavar="FILE", help="also write the results as Markdown to FILE")
    args = parser.parse_args()
    runs, samples, big = (1, 20, 200) if args.quick else (3, 50, 1000)
    registers = (2_000, 10_000) if args.quick else (10_000, 100_000)
    # The backlog's verdict is the median of its runs' ratios, and single ones range from 36%
    # to 61% on this machine: five runs steady it, for 40 s more.
    backlogs = runs if args.quick else 5
    started = time.monotonic()
    # mailbot's own modules compiled, as an installation has them (pip compiles on install):
    # an editable checkout under PYTHONDONTWRITEBYTECODE compiled them again at every start of
    # the bot, 0.1 s of each run's time.
    compileall.compile_dir(Path(mailbot.__file__).parent, quiet=1)
    say("starting the lab mail server …")
    with LabMailServer(users=dict(USERS)) as lab:
        raw, raw_fetch = raw_limit(lab, 2 * big, runs)
        rows: list[Row] = [raw, raw_fetch]
        rows += latency(lab, samples)
        small_rate, small_rss, _, _ = backlog(lab, 100, runs)
        big_rate, big_rss, worker_cpu, server_cpu = backlog(lab, big, backlogs, raw=raw)
        big_rss.target = "flat (≈ the 100 backlog)"
        ratio = statistics.median(big_rss.values) / statistics.median(small_rss.values)
        big_rss.good = lambda v: ratio <= 1.25
        big_rss.note = f"{ratio:.2f}× the 100 backlog"
        rows += [small_rate, big_rate, small_rss, big_rss, big_attachment(lab, runs)]
        per_message = statistics.median(worker_cpu.values) / statistics.median(RAW_CPU.values)
        worker_cpu.note = f"{per_message:.1f}× the mail server's per message"
        rows += [RAW_CPU, worker_cpu, server_cpu]
        rows += startup(lab, 5 if args.quick else 10)
    for n in registers:
        rows += register_rows(n, 3 if args.quick else 5)
    command = "./dev bench" + (" --quick" if args.quick else "")
    out = "\n".join([
        f"mailbot benchmark ({command}), {time.strftime('%Y-%m-%d')}, {time.monotonic() - started:.0f} s",
        *machine(), "", table(rows),
    ])  # fmt: skip
    print(out)
    if args.write:
        path = Path(args.write)
        path.parent.mkdir(parents=True, exist_ok=True)
        notes = path.read_text().partition("\n## Notes")[2] if path.exists() else ""
        path.write_text(
            f"# Benchmarks\n\nProduced by `{command}`:\n\n```\n{out}\n```\n" + (f"\n## Notes{notes}" if notes else "")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
