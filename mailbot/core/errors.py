"""Every error mailbot raises on purpose is a :class:`MailbotError`, so the command line and
the worker can tell a failure they can word from one they cannot (then the traceback counts).

Two kinds matter to whoever retries: a :class:`TransientError` is likely to pass by trying
again later; a :class:`PermanentError` will not, so it is recorded and a person is told.
The others are defined where they are raised:

- ``ConfigError`` (core/config.py): a setting is missing or wrong; the message names it.
- ``ParseError`` (core/parse.py), a PermanentError: a message cannot be read at all.
- ``AuditError`` (model/audit.py): the audit trail's chain does not hold.
- ``ExportError`` (register/export.py): the register cannot be exported as asked.
- ``LeaseHeldError``, ``LeaseLostError`` (runtime/lease.py) and ``WorkerLockedError``
  (runtime/worker.py): another worker has the database or the data dir.

None of them is a ValueError: code that catches ValueError around a conversion does not
swallow them by accident.
"""


class MailbotError(Exception):
    pass


class TransientError(MailbotError):
    """Likely to pass (server down, timeout, 4xx): retry with back-off."""


class PermanentError(MailbotError):
    """Will not pass by retrying (5xx, unreadable message): record it and tell a person."""
