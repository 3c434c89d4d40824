"""Shared fixtures. End-to-end fixtures (the lab mail server) live in tests/mailserver.py."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from mailbot.parse import ParsedMessage, parse_message

DATA = Path(__file__).parent / "data"

pytest_plugins = ["tests.mailserver"]

logging.getLogger("mailparser").setLevel(logging.ERROR)


def eml(name: str) -> bytes:
    return (DATA / name).read_bytes()


def parsed(name: str) -> ParsedMessage:
    return parse_message(eml(name))


@pytest.fixture
def data_dir() -> Path:
    return DATA
