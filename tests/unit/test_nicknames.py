"""The nickname list (dsvb.reference.nicknames): the shipped file reads, names compare as
the demo and linkage need, and a mistake in the file is named by file, line and column."""

from __future__ import annotations

import pytest

from dsvb.reference.nicknames import NicknameError, load_nicknames, name_key, nicknames


def test_the_shipped_list_has_the_common_pairs() -> None:
    n = nicknames()
    assert {"liz", "beth"} <= set(n.of("Elizabeth"))
    assert "kate" in n.of("Katherine") and "maggie" in n.of("Margaret")
    assert "bill" in n.of("William") and "bob" in n.of("ROBERT")
    assert set(n.formal("sam")) == {"samantha", "samuel"}
    assert n.of("Zoe") == ()
    assert len(n.pairs) > 100


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("Elizabeth", "Liz", True),
        ("liz", "BETH", True),  # both short for Elizabeth
        ("William", "Bill", True),
        ("Robert", "Bob", True),
        ("Bill", "Bob", False),
        ("Kate", "Katie", True),
        ("Sam", "Samuel", True),
        ("Samantha", "Samuel", False),
        ("  Emma ", "emma", True),
        ("Emma", "Amy", False),
    ],
)
def test_names_are_alike_when_one_may_be_written_for_the_other(a: str, b: str, alike: bool) -> None:
    assert nicknames().alike(a, b) is alike


def test_name_key_ignores_case_and_spacing() -> None:
    assert name_key("  Mary  Ann ") == "mary ann"


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("", 1, None, "empty"),
        ("name,short\nA,B\n", 1, None, "header must be name,nickname"),
        ("name,nickname\nElizabeth,Liz\n\nWilliam,B1ll\n", 4, "nickname", "not a name"),
        ("name,nickname\n,Liz\n", 2, "name", "not a name"),
        ("name,nickname\nTom,tom\n", 2, "nickname", "its own nickname"),
        ("name,nickname\nTom,Tommy\nTOM,tommy\n", 3, None, "already in the file"),
        ("name,nickname\nTom,Tommy,x\n", 2, None, "3 values"),
    ],
)
def test_a_mistake_names_the_file_line_and_column(
    text: str, line: int, column: str | None, words: str
) -> None:
    with pytest.raises(NicknameError) as caught:
        load_nicknames(text, "my_nicknames.csv")
    err = caught.value
    assert (err.file, err.line, err.column) == ("my_nicknames.csv", line, column)
    assert words in str(err) and str(err).startswith(f"my_nicknames.csv, line {line}")
