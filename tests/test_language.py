"""The reporter's language, from the Content-Language header or the words of the mail."""

from __future__ import annotations

from mailbot.core.language import guess_language


def test_declared_language_wins() -> None:
    assert guess_language("Dit is Nederlands en het is een melding", "en-GB", "nl") == "en"


def test_words_decide() -> None:
    assert guess_language("I sent the list of tenants to the wrong address and it was not encrypted", "", "nl") == "en"
    assert guess_language("Ik heb de lijst met huurders naar het verkeerde adres gestuurd", "", "en") == "nl"


def test_unclear_keeps_default() -> None:
    assert guess_language("OK", "", "nl") == "nl"
