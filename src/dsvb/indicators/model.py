"""The indicator model: counts, indicators, families, cuts and periods.

An *indicator* is a numerator count over a denominator count (or a bare count). A *count*
is an aggregate over one *source* — a table whose rows are the unit being counted:
incidents, crimes, Victims' Code contacts, victims, cautioned offenders. Counts and
indicators are immutable declarations built from Ibis expressions, so one definition runs
on DuckDB today and on Spark (or any Ibis backend) tomorrow. The engine compiles all the
counts over one source into one aggregate query (see ``engine._totals``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # Ibis only when a query is built (see dsvb.indicators.compiled)
    import ibis.expr.types as ir


LONDON = ZoneInfo("Europe/London")

#: who counts as the same person (decision 0047): each recorded person id is a person
#: (``recorded``, as the force's records say), or records given one person key by linkage
#: are one person (``linked``: ``person_links``; a record without a key is its own person)
RECORDED = "recorded"
LINKED = "linked"
PEOPLE = (RECORDED, LINKED)

# (rows of the source, context) -> boolean expression over those rows
Predicate = Callable[["ir.Table", "Context"], "ir.BooleanValue"]
# (rows of the source, context) -> numeric expression to be summed
Summand = Callable[["ir.Table", "Context"], "ir.NumericValue"]


@dataclass(frozen=True)
class Period:
    """A half-open period ``[start, end)`` of Europe/London local dates."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"period end {self.end} must be after its start {self.start}")

    @staticmethod
    def _utc(day: dt.date) -> dt.datetime:
        local = dt.datetime(day.year, day.month, day.day, tzinfo=LONDON)
        return local.astimezone(dt.UTC).replace(tzinfo=None)

    @property
    def start_utc(self) -> dt.datetime:
        """The first instant of the period, as a UTC timestamp without zone."""
        return self._utc(self.start)

    @property
    def end_utc(self) -> dt.datetime:
        return self._utc(self.end)

    def shifted_back(self, months: int) -> Period:
        """The period of the same length ending where this one starts minus ``months``."""
        return Period(add_months(self.start, -months), add_months(self.end, -months))

    def label(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Context:
    """What a definition may depend on besides the rows: the period and the rules in force."""

    period: Period
    window_months: int
    sanction_detection_outcomes: tuple[str, ...]
    sexual_offence_groups: tuple[str, ...]
    people: str = RECORDED  # RECORDED or LINKED: who counts as the same person

    @property
    def start(self) -> dt.datetime:
        return self.period.start_utc

    @property
    def end(self) -> dt.datetime:
        return self.period.end_utc


@dataclass(frozen=True)
class Family:
    """A crime family. ``parts``: the families it is exactly split into — each of its records
    (crimes, incidents, contacts) is in exactly one of them; people may be in several."""

    id: str
    label: str
    description: str
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Count:
    """An aggregate over one source: rows where ``where`` holds, or the sum of ``sum_of``.

    How it relates to other counts is declared here, once, and checked at import
    (:mod:`dsvb.indicators.relations`); disclosure control and the published-returns reader
    derive their relations from it:

    - ``part_of``: counts that count every record this one counts (in the same family, area
      and period), so ``whole − part`` is itself a count of records. Same source only.
    - ``parts``: counts this one is exactly the sum of, each record in exactly one (each
      part is then also a part of this count). Same source only.
    - ``people``: the count of the people (victims, offenders) these records are about, when
      each of them is the subject of at least one of these records: ``records − people`` is
      the number of further records about the same people.
    - ``returns_name``: the name the published-returns reader gives this count, where it is
      not the id (kept because stored notes name it so).
    """

    id: str
    source: str
    description: str
    where: Predicate | None = None
    sum_of: Summand | None = None
    counts_people: bool = True  # subject to small-number suppression when published
    part_of: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    people: str | None = None
    returns_name: str | None = None

    @property
    def measure(self) -> str:
        """The name of this count in the published-returns reader."""
        return self.returns_name or self.id


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    numerator: str  # a Count id
    denominator: str | None = None  # a Count id; None for a bare count
    families: tuple[str, ...] = ()  # empty = every family
    description: str = ""
    higher_is_better: bool | None = None
    kind: str = field(default="")  # count | proportion | ratio (derived when empty)

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", "count" if self.denominator is None else "proportion")

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    def applies_to(self, family: str) -> bool:
        return not self.families or family in self.families
