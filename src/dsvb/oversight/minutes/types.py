"""The types :func:`~dsvb.oversight.minutes.parse_minutes` returns, an action's forms, its error.

The web app's import and action register are built on these frozen types: their fields are
part of the contract (add fields at the end, with defaults). They are kept apart from the
reading so a caller can see the whole contract in one short file, and so the reading modules
can change without touching it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dsvb.oversight.reading import DocumentError

#: the ways an action is written (see the module's table), in the order the docs list them
FORMS = (
    "action_to",
    "action_owner",
    "numbered",
    "action_list",
    "trailing",
    "inline",
    "borough_after_points",
    "action_table",
)


class MinutesError(DocumentError):
    """Minutes that cannot be read as minutes at all, naming the file (and line, if any)."""

    def __init__(self, name: str, message: str, line: int | None = None) -> None:
        where = f"line {line}: " if line is not None else ""
        super().__init__(name, f"{where}{message}")
        self.line = line


@dataclass(frozen=True)
class MinutesParagraph:
    """One numbered paragraph: its number (as written, or assigned when the minutes have
    none), its text (lines joined, bullet points kept as "- " lines, action lines
    included), the document lines it spans, and the agenda heading it sits under ("" when
    none)."""

    number: str
    text: str
    lines: tuple[int, ...]
    heading: str


@dataclass(frozen=True)
class Action:
    """One action the minutes record.

    ``owners`` as normalised (whitespace collapsed, one spelling per person across the
    minutes, a borough as its reference name); ``owner_area_codes`` runs beside ``owners``:
    the borough's ONS code, or "" for an owner who is not a borough. ``owners`` is ``()``
    when the minutes name nobody (there is then a warning). ``task`` is what is to be done;
    ``text`` the action line as written; ``line`` its line number in the document;
    ``due`` the date stated ("by 31 March 2008"), ``due_text`` the phrase as written (also
    when it is no date: "by the next meeting"); ``form`` one of :data:`FORMS`.
    """

    paragraph: str
    owners: tuple[str, ...]
    task: str
    text: str
    line: int
    due: dt.date | None
    form: str
    owner_area_codes: tuple[str, ...] = ()
    due_text: str = ""


@dataclass(frozen=True)
class AttendanceGroup:
    """A block of the attendance list: its label as written ("Board Members", "MPS") and the
    names under it (the name only: the organisation after the comma is dropped)."""

    label: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class MinutesWarning:
    """Something a person should check, with the line it is about (None: the whole file)."""

    name: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f", line {self.line}" if self.line is not None else ""
        return f"{self.name}{where}: {self.message}"


@dataclass(frozen=True)
class ParsedMinutes:
    """What importing the minutes would find (nothing is stored by parsing).

    ``numbering`` is "document" when the paragraph numbers are the minutes' own and
    "assigned" when the minutes had none and dsvb numbered them 1, 2, 3 in order.
    """

    name: str
    title: str
    meeting_date: dt.date | None
    paragraphs: tuple[MinutesParagraph, ...]
    actions: tuple[Action, ...]
    warnings: tuple[MinutesWarning, ...]
    attendance: tuple[AttendanceGroup, ...] = ()
    apologies: tuple[str, ...] = ()
    numbering: str = "document"

    def paragraph(self, number: str) -> MinutesParagraph:
        """The (first) paragraph with this number."""
        for p in self.paragraphs:
            if p.number == number:
                return p
        raise KeyError(number)
