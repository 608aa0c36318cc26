"""Nicknames: the short forms a given name is recorded under (Elizabeth as Liz or Beth,
William as Bill, Robert as Bob).

One list serves both ends: the demo's identities (:mod:`dsvb.demo.identities`) record a
person under a nickname from it, and linkage compares given names with it, so the errors the
demo makes are exactly the ones linkage is told about, and a force that adds a pair (a
local short form) adds it for both. The list is data (``reference/data/nicknames.csv``,
one ``name,nickname`` pair a row) checked as it is read: a mistake fails with the file, line
and column named.

Names are compared without regard to case or surrounding spaces; :func:`name_key` is the one
way to get the form compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType

from dsvb.reference.file_errors import ReferenceFileError, checked_rows

__all__ = ["NicknameError", "Nicknames", "load_nicknames", "name_key", "nicknames"]

FILE_NAME = "nicknames.csv"
COLUMNS = ("name", "nickname")
_NAME = re.compile(r"^[A-Za-z][A-Za-z' -]*$")


class NicknameError(ReferenceFileError):
    """A nickname file that cannot be used, with the file, line and column named."""


def name_key(name: str) -> str:
    """The form names are compared in: lower case, inner runs of spaces as one, trimmed."""
    return " ".join(name.split()).lower()


@dataclass(frozen=True)
class Nicknames:
    """Pairs of (name, nickname), both as :func:`name_key` gives them, in file order."""

    pairs: tuple[tuple[str, str], ...]
    _of: MappingProxyType[str, tuple[str, ...]] = field(repr=False, compare=False)
    _formal: MappingProxyType[str, tuple[str, ...]] = field(repr=False, compare=False)

    @classmethod
    def of_pairs(cls, pairs: tuple[tuple[str, str], ...]) -> Nicknames:
        of: dict[str, list[str]] = {}
        formal: dict[str, list[str]] = {}
        for name, nick in pairs:
            of.setdefault(name, []).append(nick)
            formal.setdefault(nick, []).append(name)
        return cls(
            pairs,
            MappingProxyType({k: tuple(v) for k, v in of.items()}),
            MappingProxyType({k: tuple(v) for k, v in formal.items()}),
        )

    def of(self, name: str) -> tuple[str, ...]:
        """The nicknames of a name (lower case), empty when it has none."""
        return self._of.get(name_key(name), ())

    def formal(self, nickname: str) -> tuple[str, ...]:
        """The names a nickname is short for (``sam``: samantha, samuel)."""
        return self._formal.get(name_key(nickname), ())

    def alike(self, a: str, b: str) -> bool:
        """Whether two given names may be the same person's: the same name, one a nickname
        of the other, or two nicknames of one name (Liz and Beth, both Elizabeth)."""
        ka, kb = name_key(a), name_key(b)
        if ka == kb:
            return True
        names_a = {ka, *self._formal.get(ka, ())}
        names_b = {kb, *self._formal.get(kb, ())}
        return bool(names_a & names_b)


def load_nicknames(text: str, file: str = FILE_NAME) -> Nicknames:
    """Read and check a nickname file's text: both names present and name-shaped, no pair
    twice, no name its own nickname."""
    seen: set[tuple[str, str]] = set()
    pairs: list[tuple[str, str]] = []
    for line, row in checked_rows(text, file, COLUMNS, NicknameError):
        for column in COLUMNS:
            if not _NAME.match(row[column]):
                raise NicknameError(
                    file, line, column, f"{row[column]!r} is not a name (letters, spaces, ' or -)"
                )
        pair = (name_key(row["name"]), name_key(row["nickname"]))
        if pair[0] == pair[1]:
            raise NicknameError(file, line, "nickname", "a name is not its own nickname")
        if pair in seen:
            raise NicknameError(file, line, None, f"the pair {row['name']},{row['nickname']} "
                                "is already in the file")  # fmt: skip
        seen.add(pair)
        pairs.append(pair)
    return Nicknames.of_pairs(tuple(pairs))


@cache
def nicknames() -> Nicknames:
    """The shipped nickname list (read once)."""
    text = resources.files("dsvb.reference").joinpath("data", FILE_NAME).read_text("utf-8")
    return load_nicknames(text)
