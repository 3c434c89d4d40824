"""Two kinds of failure: try again later, or stop trying and tell a person."""


class MailbotError(Exception):
    pass


class TransientError(MailbotError):
    """Likely to pass (server down, timeout, 4xx): retry with back-off."""


class PermanentError(MailbotError):
    """Will not pass by retrying (5xx, unreadable message): record it and tell a person."""
