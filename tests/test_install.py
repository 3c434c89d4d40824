"""mailbot installed as administrators install it: a wheel built from this tree, in a fresh
virtualenv outside the checkout, run through its own ``mailbot`` executable from a folder that
is not the checkout. It must answer a report (its templates travel in the wheel), keep
honouring MAILBOT_TEMPLATE_DIR, export the register, draw the AP draft as PDF and run the demo.

The wheel is built without network (setuptools from the test extras) and installed without
its dependencies; the fresh virtualenv borrows those from the checkout's virtualenv through a
path file, so nothing of mailbot itself can come from the checkout (asserted), and ``pip
check`` proves the wheel's declared requirements are what is importable.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mailbot.cli.demo import EMPLOYEE, OFFICER, lab_config
from mailbot.testing.labserver import LabMailServer
from tests.mailserver import report, submit, until

ROOT = Path(__file__).resolve().parent.parent
# What the build reads: the package, the templates it carries, and the project's metadata.
BUILD_INPUTS = ("pyproject.toml", "README.md", "mailbot", "templates")


@dataclass(frozen=True)
class Installed:
    venv: Path
    exe: Path  # the venv's own `mailbot` console script
    wheel: Path


def _run(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout, check=False
    )


def _env() -> dict[str, str]:
    """The caller's environment without mailbot's settings or a path that could reach the checkout."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_") and k != "PYTHONPATH"}


@pytest.fixture(scope="module")
def installed() -> Iterator[Installed]:
    tmp = Path(tempfile.mkdtemp(prefix="mailbot-install-"))
    try:
        src = tmp / "src"
        for name in BUILD_INPUTS:
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                src.mkdir(exist_ok=True)
                shutil.copy2(ROOT / name, src / name)
        pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input")
        built = _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", tmp / "dist", src)
        assert built.returncode == 0, built.stdout + built.stderr
        (wheel,) = (tmp / "dist").glob("mailbot-*.whl")

        venv = tmp / "venv"
        made = _run(sys.executable, "-m", "venv", "--without-pip", venv)
        assert made.returncode == 0, made.stderr
        python = venv / "bin" / "python"
        put = _run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel)
        assert put.returncode == 0, put.stdout + put.stderr
        purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
        # The dependencies, from the checkout's virtualenv: a plain path, so none of that
        # folder's own path files (the editable mailbot) take effect.
        (Path(purelib) / "checkout-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        yield Installed(venv, venv / "bin" / "mailbot", wheel)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_every_package_is_listed_for_the_wheel() -> None:
    """pyproject.toml lists mailbot's packages by hand (templates/ is mapped in as one): a new
    sub-package left off the list would be missing from every installed copy."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "mailbot").rglob("__init__.py")}
    assert listed == on_disk | {"mailbot.templates"}


def test_the_wheel_carries_the_templates_and_the_migrations(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for path in (ROOT / "templates").rglob("*"):
        if path.is_file():
            assert f"mailbot/templates/{path.relative_to(ROOT / 'templates')}" in names
    assert "mailbot/model/migrations/script.py.mako" in names
    assert {
        f"mailbot/model/migrations/versions/{p.name}"
        for p in (ROOT / "mailbot/model/migrations/versions").glob("0*.py")
    } <= names


def test_installed_package_is_outside_the_checkout(installed: Installed) -> None:
    out = _run(installed.venv / "bin" / "python", "-c", "import mailbot; print(mailbot.__file__)", cwd=installed.venv)
    assert out.returncode == 0, out.stderr
    where = Path(out.stdout.strip()).resolve()
    assert where.is_relative_to(installed.venv.resolve()) and not where.is_relative_to(ROOT)
    # The fresh venv has no pip of its own; the checkout's checks it.
    check = _run(sys.executable, "-m", "pip", "--python", installed.venv / "bin" / "python", "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_installed_mailbot_answers_a_report_exports_and_drafts(installed: Installed, clean_lab: LabMailServer) -> None:
    home = Path(tempfile.mkdtemp(prefix="mailbot-home-"))  # the administrator's folder, not the checkout
    try:
        # The organisation's own wording for the officers' notice; the reporter's acknowledgement
        # stays the one the package carries.
        own = home / "eigen-teksten"
        (own / "nl").mkdir(parents=True)
        (own / "nl" / "officer_new_case.txt").write_text(
            "{% block subject %}[{{ case.kenmerk }}] Eigen tekst: nieuwe melding{% endblock %}\n"
            "{% block body %}Eigen tekst van de organisatie.{% endblock %}\n"
        )
        config = lab_config(
            clean_lab, home / "data", MAILBOT_DIGEST_TIME="off", MAILBOT_TEMPLATE_DIR=str(own)
        )  # fmt: skip
        (home / ".env").write_text("".join(f"{k}={v}\n" for k, v in config.items()))
        (home / ".env").chmod(0o600)

        init = _run(installed.exe, "init", cwd=home)
        assert init.returncode == 0, init.stdout + init.stderr

        log = home / "worker.log"
        with log.open("wb") as out:
            worker = subprocess.Popen([installed.exe, "run"], cwd=home, env=_env(), stdout=out, stderr=out)
        try:
            until(lambda: worker.poll() is not None or "worker: running on" in log.read_text(), 60, "the worker")
            assert worker.poll() is None, log.read_text()[-3000:]
            submit(clean_lab, report(subject="beveiligingsincident", body="Een laptop met dossiers is gestolen."))
            acks = clean_lab.wait_for(EMPLOYEE, 1, timeout=30)
            notices = clean_lab.wait_for(OFFICER, 1, timeout=30)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        assert acks and notices, log.read_text()[-3000:]
        ack = email.message_from_bytes(acks[0], policy=email.policy.default)
        kenmerk = str(ack["X-Mailbot-Kenmerk"])
        assert re.fullmatch(r"DL-\d{4}-\d{4}", kenmerk), ack
        assert str(ack["Subject"]).startswith(f"[{kenmerk}] Ontvangstbevestiging")
        body = ack.get_body(preferencelist=("plain",))
        assert body is not None and "5. Wat is de oorzaak?" in body.get_content()
        notice = email.message_from_bytes(notices[0], policy=email.policy.default)
        assert str(notice["Subject"]) == f"[{kenmerk}] Eigen tekst: nieuwe melding"
        assert "quarantine" not in log.read_text().lower(), log.read_text()[-3000:]

        xlsx = home / "register.xlsx"
        exported = _run(installed.exe, "export", "--format", "xlsx", "-o", xlsx, cwd=home)
        assert exported.returncode == 0, exported.stderr
        sheet = load_workbook(xlsx).active
        assert sheet is not None
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
        assert len(rows) == 1 and rows[0][0] == kenmerk and "ontvangen" in rows[0]
        page = _run(installed.exe, "export", "--format", "html", cwd=home)
        assert page.returncode == 0 and kenmerk in page.stdout, page.stderr

        pdf = home / "ap-draft.pdf"
        drafted = _run(installed.exe, "ap-draft", kenmerk, "--format", "pdf", "-o", pdf, cwd=home)
        assert drafted.returncode == 0, drafted.stderr
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 1
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.usefixtures("lab")  # needs the same Debian packages and root as the lab server
def test_installed_demo(installed: Installed) -> None:
    home = Path(tempfile.mkdtemp(prefix="mailbot-home-"))
    try:
        out = _run(installed.exe, "demo", cwd=home, timeout=120)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "] Ontvangstbevestiging: Beveiligingsincident" in out.stdout
    assert "5. Wat is de oorzaak?" in out.stdout
    assert "the privacy officer fg@example.org received: [DL-" in out.stdout
