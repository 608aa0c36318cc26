"""Named things that later packages add to without a database migration: the actions one may
be allowed (here) and the actions the audit log records (the web's audit app)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

NAME = re.compile(r"^[a-z][a-z0-9_.]*$")


class UnknownName(LookupError):
    """A name nobody registered: a programming error, never a refusal to explain."""


class Registry(Generic[T]):
    """Names, each with one entry (a description, an action's rule). Registering a name again
    with the same entry is harmless (a module imported twice); with another entry, an error,
    so two packages cannot give one name two meanings."""

    def __init__(self, what: str, *, max_length: int = 40) -> None:
        self.what = what
        self.max_length = max_length
        self._entries: dict[str, T] = {}

    def add(self, name: str, entry: T) -> T:
        if not NAME.match(name) or len(name) > self.max_length:
            raise ValueError(
                f"{self.what} name {name!r}: lower-case letters, digits, '_' and '.', "
                f"starting with a letter, at most {self.max_length} characters"
            )
        known = self._entries.get(name)
        if known is not None and known != entry:
            raise ValueError(f"{self.what} {name!r} is already registered, differently")
        self._entries[name] = entry
        return entry

    def remove(self, name: str) -> None:
        """Forget a name (tests that register one for a while)."""
        self._entries.pop(name, None)

    def get(self, name: str) -> T:
        try:
            return self._entries[str(name)]
        except KeyError:
            raise UnknownName(f"no {self.what} is named {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return str(name) in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def items(self) -> list[tuple[str, T]]:
        return list(self._entries.items())
