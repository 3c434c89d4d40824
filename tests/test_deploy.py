"""deploy/mailbot.service: a unit systemd accepts, and as hardened as it says."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).parent.parent / "deploy" / "mailbot.service"


def test_unit_is_hardened() -> None:
    text = UNIT.read_text()
    for line in (
        "User=mailbot",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/mailbot",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=",
        "UMask=0077",
        "ExecStart=/opt/mailbot/bin/mailbot run",
    ):
        assert re.search(rf"^{re.escape(line)}$", text, re.MULTILINE), line


def test_unit_runs_the_mailbot_the_readme_installs() -> None:
    """The service starts the executable of the package the README installs (a virtualenv of
    its own, not a clone's development .venv)."""
    found = re.search(r"^ExecStart=(\S+)/bin/mailbot run$", UNIT.read_text(), re.MULTILINE)
    assert found is not None
    venv = found.group(1)
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme[readme.index("### Running as a service") :]
    assert f"python3 -m venv {venv} && {venv}/bin/pip install /path/to/clone" in section
    assert ".venv" not in venv


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit_and_rates_it_safe(tmp_path: Path) -> None:
    mailbot = Path(sys.executable).parent / "mailbot"
    unit = tmp_path / "mailbot.service"
    unit.write_text(UNIT.read_text().replace("/opt/mailbot/bin/mailbot", str(mailbot)))
    verify = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False)
    assert verify.returncode == 0, verify.stderr
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(unit)], capture_output=True, text=True, check=False
    )
    found = re.search(r"Overall exposure level for mailbot.service: ([\d.]+)", security.stdout)
    assert found is not None, security.stdout[-500:]
    assert float(found.group(1)) <= 2.0
