"""One hierarchy: every error mailbot raises on purpose is a MailbotError, and none a ValueError."""

from __future__ import annotations

import pytest

from mailbot.core.config import ConfigError, parse_settings
from mailbot.core.errors import MailbotError, PermanentError, TransientError
from mailbot.core.parse import ParseError, parse_message
from mailbot.model.audit import AuditError
from mailbot.register.export import ExportError
from mailbot.runtime.lease import LeaseHeldError, LeaseLostError
from mailbot.runtime.worker import WorkerLockedError


@pytest.mark.parametrize(
    "error",
    [
        TransientError,
        PermanentError,
        ConfigError,
        ParseError,
        AuditError,
        ExportError,
        LeaseHeldError,
        LeaseLostError,
        WorkerLockedError,
    ],
)
def test_every_error_is_a_mailbot_error_and_not_a_value_error(error: type[Exception]) -> None:
    assert issubclass(error, MailbotError) and not issubclass(error, ValueError)


def test_an_unreadable_message_is_a_permanent_failure() -> None:
    with pytest.raises(PermanentError, match="empty message"):
        parse_message(b"  \r\n")


def test_a_wrong_setting_is_a_mailbot_error_that_names_it() -> None:
    with pytest.raises(MailbotError, match="MAILBOT_ADDRESS is not set"):
        parse_settings({})
