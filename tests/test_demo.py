"""The README's first command: the demo shows a report going in and the acknowledgement coming out."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.usefixtures("lab")  # needs the same Debian packages and root as the lab server
def test_demo_prints_the_acknowledgement_and_the_case() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mailbot", "demo"], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Subject: [DL-" in out.stdout and "] Ontvangstbevestiging: Beveiligingsincident" in out.stdout
    # The demo's report tells how many, which data and when: those are shown, not asked.
    assert "Wij hebben uit uw melding begrepen:" in out.stdout and "- Aantal personen: 38" in out.stdout
    assert "5. Wat is de oorzaak?" in out.stdout and "1. Wat is er precies gebeurd?" not in out.stdout
    assert "Kenmerk:      DL-" in out.stdout and "38 huurders" in out.stdout
    assert "the privacy officer fg@example.org received: [DL-" in out.stdout
    assert "everything it made has been removed" in out.stdout
