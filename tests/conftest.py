"""Shared fixtures. End-to-end fixtures (the lab mail server) live in tests/mailserver.py."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from hypothesis import settings

from mailbot.core.parse import ParsedMessage, parse_message

DATA = Path(__file__).parent / "data"

pytest_plugins = ["tests.mailserver"]

logging.getLogger("mailparser").setLevel(logging.ERROR)

# On CI the property tests replay the same examples each run (a red run is then reproducible);
# on a developer's machine they explore new ones each time.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def eml(name: str) -> bytes:
    return (DATA / name).read_bytes()


def parsed(name: str) -> ParsedMessage:
    return parse_message(eml(name))


@pytest.fixture
def data_dir() -> Path:
    return DATA
