"""Reading the officer's command block: known words, continuations, unknown words, signatures."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mailbot.pipeline.commands import find, is_command, read_block
from mailbot.pipeline.commands.handler import ADDRESS
from mailbot.pipeline.commands.status import _read
from tests.linear import assert_linear


def test_block_with_continuation_and_signature() -> None:
    block = read_block(
        "Status: kwalificeren\nVraag aan melder: Was het bestand versleuteld?\nEn met welk wachtwoord?\n"
        "Aantal betrokkenen: 120\n\nMet vriendelijke groet,\nPiet\nTel: 010-1234567"
    )
    assert block.commands == [
        ("Status", "kwalificeren"),
        ("Vraag aan melder", "Was het bestand versleuteld?\nEn met welk wachtwoord?"),
        ("Aantal betrokkenen", "120"),
    ]
    assert block.unknown == []


def test_unknown_words_in_the_first_paragraph_are_reported() -> None:
    block = read_block("Stauts: herstellen\n\nGroet")
    assert (block.commands, block.unknown) == ([], ["Stauts"])


def test_greeting_before_commands_in_the_same_paragraph() -> None:
    block = read_block("Hoi,\nStatus: herstellen\nNotitie: laptop gewist op afstand")
    assert block.commands == [("Status", "herstellen"), ("Notitie", "laptop gewist op afstand")]


def test_commands_after_a_greeting_paragraph() -> None:
    assert read_block("Hoi allemaal,\n\nStatus: melden").commands == [("Status", "melden")]


def test_plain_comment_has_no_commands() -> None:
    block = read_block("Dank, ik pak dit morgen op en bel de melder.\n\nPiet\nTel: 010-1234567")
    assert (block.commands, block.unknown) == ([], [])


def test_help_line() -> None:
    assert read_block("Help").commands == [("help", "")]


def test_commands_without_a_value_need_no_colon() -> None:
    assert read_block("Bevestig melder").commands == [("Bevestig melder", "")]
    assert read_block("Hoi,\n\nOvernemen.\n\nPiet").commands == [("Overnemen", "")]


@pytest.mark.parametrize(
    ("word", "module"),
    [
        ("Status", "status"),
        ("FASE", "status"),
        ("Phase", "status"),
        ("Vraag aan melder", "question"),
        ("Question to reporter", "question"),
        ("Bericht aan melder", "tell"),
        ("Ontdekt op", "aware"),
        ("Discovered at", "aware"),
        ("Notitie", "note"),
        ("Melder", "handler"),
        ("Technicus", "handler"),
        ("Aantal betrokkenen", "fields"),
        ("Number of people", "fields"),
        ("Reden", "reason"),
        ("Bevestig melder", "confirm"),
        ("Confirm reporter", "confirm"),
        ("Overnemen", "accept"),
        ("Accept", "accept"),
    ],
)
def test_words_dutch_and_english(word: str, module: str) -> None:
    found = find(word)
    assert found is not None and found.name.split(".")[0] == module


def test_answer_fields_are_not_officer_only() -> None:
    assert is_command("Status") and is_command("Ontdekt op")
    assert not is_command("Aantal betrokkenen") and not is_command("Help") and not is_command("Tel")


@pytest.mark.parametrize(
    ("value", "state", "reason"),
    [
        ("kwalificeren", ("kwalificeren", "kwalificeren"), ""),
        ("Gearchiveerd", ("gearchiveerd", "archiveren"), ""),
        ("geen datalek, brief kwam retour ongeopend", ("geen datalek", "archiveren"), "brief kwam retour ongeopend"),
        ("not a breach - encrypted", ("geen datalek", "archiveren"), "encrypted"),
        ("klaar", None, ""),
        ("meldenx", None, ""),
    ],
)
def test_status_values(value: str, state: tuple[str, str] | None, reason: str) -> None:
    assert _read(value) == (state, reason)


@pytest.mark.parametrize(
    "shape", [lambda n: "x" * n, lambda n: "a@" + "b" * n, lambda n: "a@b" * (n // 3)], ids=["word", "domain", "ats"]
)
def test_an_address_is_looked_for_in_linear_time(shape: Callable[[int], str]) -> None:
    """A long word without an address is read once, not once per character."""
    assert_linear(shape, ADDRESS.search)
    found = ADDRESS.search("Melder: Piet <piet@example.org>, dank")
    assert found is not None and found[0] == "piet@example.org"


def test_every_command_module_is_registered_with_typed_commands() -> None:
    """A command module forgotten in the registry, or without its Command records, would
    answer no one: every module of the package is listed, each with at least one Command."""
    import importlib
    import pkgutil

    from mailbot.pipeline import commands

    registered = commands._registry()
    for info in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        records = module.COMMANDS
        assert records and all(isinstance(c, commands.Command) for c in records), info.name
        assert all(c in registered for c in records), f"{info.name} is not in the registry"
