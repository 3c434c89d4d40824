"""A private PostgreSQL server for the tests: Debian's binaries, a throwaway cluster in a temp
dir, listening on 127.0.0.1 at a free port, trust authentication, stopped at the end.
Each test that wants one gets a fresh database (``database()``)."""

from __future__ import annotations

import glob
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from mailbot.testing.labserver import free_ports


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


# What a server installed in the Netherlands says unless told otherwise: the bot must not depend
# on the server's time zone (it stores UTC).
SERVER_TIMEZONE = "Europe/Amsterdam"


class PostgresServer:
    def __init__(self) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (Debian package postgresql); run ./dev test")
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="mpg-", dir="/tmp"))
        (self.port,) = free_ports(1)
        self.data = self.root / "data"

    def _as_postgres(self, *cmd: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True, timeout=120)

    def start(self) -> PostgresServer:
        shutil.chown(self.root, "postgres")
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c timezone={SERVER_TIMEZONE}",
            "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
             "stop"], capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)

    def database(self) -> str:
        """A new, empty database; its SQLAlchemy URL."""
        name = "mailbot_" + secrets.token_hex(4)
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")  # the name is ours: hex
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"
