"""Reference data: areas, units, offence groups, outcomes, dated rules and targets.

The lists live as CSV files in ``reference/data`` so that a force can add its own areas
(one row per area with its ONS code) without touching code. Everything here is read once
and cached; the objects are immutable.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process

__all__ = [
    "Area",
    "AreaMatch",
    "AreaRegistry",
    "Outcome",
    "PlausibleValues",
    "PublishedFamily",
    "Target",
    "Unit",
    "areas",
    "normalise_name",
    "offence_groups",
    "outcomes",
    "plausible_values",
    "published_families",
    "sanction_detection_outcomes",
    "targets",
    "units",
]


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# --- areas -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    force_code: str
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class AreaMatch:
    """How a raw area value was matched to the reference list."""

    raw: str
    area: Area | None
    how: str  # code | exact | normalised | variant | similar | unknown
    score: float = 100.0

    @property
    def changed(self) -> bool:
        """True when the raw value is not already the canonical code or name."""
        return self.how not in ("code", "exact")

    def describe(self) -> str:
        if self.area is None:
            return f"{self.raw!r} is not a known area"
        if self.how == "similar":
            return (
                f"{self.raw!r} read as {self.area.name} ({self.area.code}) by similarity "
                f"({self.score:.0f}%); check the source"
            )
        return f"{self.raw!r} read as {self.area.name} ({self.area.code}) [{self.how}]"


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_name(value: str) -> str:
    """Normalise an area or unit label for matching.

    Lower case, ``&`` read as ``and``, punctuation and repeated spaces removed, and
    a doubled connective (``Barking & & Dagenham``) collapsed.
    """
    text = value.lower().replace("&", " and ").replace("+", " and ")
    text = _NON_ALNUM.sub(" ", text).strip()
    words: list[str] = []
    for word in text.split():
        if words and word == "and" and words[-1] == "and":
            continue
        words.append(word)
    return " ".join(words)


class AreaRegistry:
    """The reference list of areas and the rules for reading area names."""

    SIMILARITY_THRESHOLD = 90.0

    def __init__(self, areas: list[Area], variants: dict[str, str]) -> None:
        self._areas = tuple(areas)
        self._by_code = {a.code: a for a in areas}
        self._by_name = {a.name: a for a in areas}
        self._by_key = {normalise_name(a.name): a for a in areas}
        self._variants = {normalise_name(v): self._by_code[c] for v, c in variants.items()}
        self._cache: dict[str, AreaMatch] = {}

    def __iter__(self):
        return iter(self._areas)

    def __len__(self) -> int:
        return len(self._areas)

    def by_code(self, code: str) -> Area:
        return self._by_code[code]

    def for_force(self, force_code: str) -> list[Area]:
        return [a for a in self._areas if a.force_code == force_code]

    def match(self, raw: str) -> AreaMatch:
        """Match one raw value (an ONS code or a name) to an area."""
        if raw in self._cache:
            return self._cache[raw]
        result = self._match(raw)
        self._cache[raw] = result
        return result

    def _match(self, raw: str) -> AreaMatch:
        value = raw.strip()
        if value.upper() in self._by_code:
            how = "code" if value == value.upper() else "normalised"
            return AreaMatch(raw, self._by_code[value.upper()], how)
        if value in self._by_name:
            return AreaMatch(raw, self._by_name[value], "exact")
        key = normalise_name(value)
        if key in self._by_key:
            return AreaMatch(raw, self._by_key[key], "normalised")
        if key in self._variants:
            return AreaMatch(raw, self._variants[key], "variant")
        if key:
            choices = {**self._by_key, **self._variants}
            best = process.extract(key, list(choices), scorer=fuzz.ratio, limit=2)
            if best and best[0][1] >= self.SIMILARITY_THRESHOLD:
                top_area = choices[best[0][0]]
                runner_up = choices[best[1][0]] if len(best) > 1 else None
                ambiguous = (
                    runner_up is not None
                    and runner_up != top_area
                    and best[1][1] >= self.SIMILARITY_THRESHOLD
                )
                if not ambiguous:
                    return AreaMatch(raw, top_area, "similar", best[0][1])
        return AreaMatch(raw, None, "unknown", 0.0)


@cache
def areas() -> AreaRegistry:
    rows = _rows("areas.csv")
    area_list = [Area(r["force_code"], r["area_code"], r["area_name"], r["kind"]) for r in rows]
    variants = {r["variant"]: r["area_code"] for r in _rows("area_variants.csv")}
    return AreaRegistry(area_list, variants)


@cache
def boroughs(force_code: str = "MPS") -> dict[str, str]:
    """The areas a force's figures are compared across (its boroughs): code -> name, in
    order of name. The pages and ``dsvb compare`` show these, one row each, whether or not
    the period has records for them."""
    chosen = [a for a in areas().for_force(force_code) if a.kind == "borough"]
    return {a.code: a.name for a in sorted(chosen, key=lambda a: a.name)}


# --- units, offence groups, outcomes ---------------------------------------------------


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str  # borough | specialist
    description: str


@cache
def units() -> dict[str, Unit]:
    return {
        r["unit"]: Unit(r["unit"], r["name"], r["kind"], r["description"])
        for r in _rows("units.csv")
    }


@cache
def offence_groups() -> dict[str, dict[str, str]]:
    return {r["offence_group"]: r for r in _rows("offence_groups.csv")}


def sexual_offence_groups() -> tuple[str, ...]:
    return tuple(k for k, r in offence_groups().items() if r["sexual"] == "true")


@dataclass(frozen=True)
class PublishedFamily:
    """A family a published table prints under a name that means something other than the
    dsvb family of that name (``unlike``): kept under an id of its own so that it is never
    compared with, or taken for, the dsvb family."""

    family: str
    label: str
    meaning: str
    unlike: str


@cache
def published_families() -> dict[str, PublishedFamily]:
    return {
        r["family"]: PublishedFamily(r["family"], r["label"], r["meaning"], r["unlike"])
        for r in _rows("published_families.csv")
    }


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    sd_category: str  # charge | caution | other_sd | none


@cache
def outcomes() -> dict[str, Outcome]:
    return {
        r["outcome"]: Outcome(r["outcome"], r["label"], r["sd_category"])
        for r in _rows("outcomes.csv")
    }


@dataclass(frozen=True)
class DatedRule:
    outcome: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str

    def applies(self, start: dt.date, end: dt.date) -> bool:
        """True if the rule is in force for any part of ``[start, end)``."""
        return self.valid_from < end and (self.valid_to is None or self.valid_to > start)


@cache
def sanction_detection_rules() -> tuple[DatedRule, ...]:
    return tuple(
        DatedRule(r["outcome"], _date(r["valid_from"]), _date(r["valid_to"]), r["source"])
        for r in _rows("sanction_detection_rules.csv")
        if r["counts_as_sanction_detection"] == "true"
    )


def sanction_detection_outcomes(
    start: dt.date | None = None, end: dt.date | None = None
) -> tuple[str, ...]:
    """Outcomes that count as sanction detections for a period (all dates if none)."""
    start = start or dt.date.min
    end = end or dt.date.max
    return tuple(r.outcome for r in sanction_detection_rules() if r.applies(start, end))


@dataclass(frozen=True)
class Target:
    force_code: str
    family: str
    indicator: str
    value: float
    direction: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str


@cache
def targets() -> tuple[Target, ...]:
    return tuple(
        Target(
            r["force_code"],
            r["family"],
            r["indicator"],
            float(r["target"]),
            r["direction"],
            _date(r["valid_from"]),
            _date(r["valid_to"]),
            r["source"],
        )
        for r in _rows("targets.csv")
    )


def target_for(indicator: str, family: str, on: dt.date, force_code: str = "MPS") -> Target | None:
    """The target in force on a date, if any."""
    for t in targets():
        if (t.force_code, t.family, t.indicator) != (force_code, family, indicator):
            continue
        if t.valid_from <= on and (t.valid_to is None or on < t.valid_to):
            return t
    return None


# --- plausible values in an extract ----------------------------------------------------


@dataclass(frozen=True)
class PlausibleValues:
    """The range a value in a police record can plausibly take (``data/plausible_values.csv``).

    A value outside it is a mistake of the source system (``0001-01-01``, ``9999-12-31``,
    an offset of ``+25:00``), and a stored one would break every calculation on a period:
    imports refuse it, and indicators leave out records already stored outside it."""

    earliest_date: dt.date
    future_tolerance: dt.timedelta
    deadline_tolerance: dt.timedelta
    earliest_birth_year: int
    latest_birth_year_offset: int
    earliest_offset_minutes: int
    latest_offset_minutes: int

    def event_range(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The earliest and latest plausible instant (UTC, naive) of an event, for an
        import or a computation at ``now`` (UTC, naive)."""
        return dt.datetime.combine(self.earliest_date, dt.time()), now + self.future_tolerance

    def deadline_range(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The same for a deadline, which may lie further in the future."""
        return dt.datetime.combine(self.earliest_date, dt.time()), now + self.deadline_tolerance

    def birth_years(self, now: dt.datetime) -> tuple[int, int]:
        return self.earliest_birth_year, now.year + self.latest_birth_year_offset

    def month_range(self, now: dt.datetime) -> tuple[dt.date, dt.date]:
        """The first and last month (first days) a stored record can plausibly fall in."""
        last = (now + self.deadline_tolerance).date().replace(day=1)
        return self.earliest_date.replace(day=1), last


@cache
def plausible_values() -> PlausibleValues:
    values = {row["name"]: row["value"] for row in _rows("plausible_values.csv")}
    return PlausibleValues(
        earliest_date=dt.date.fromisoformat(values["earliest_date"]),
        future_tolerance=dt.timedelta(days=int(values["future_tolerance_days"])),
        deadline_tolerance=dt.timedelta(days=int(values["deadline_tolerance_days"])),
        earliest_birth_year=int(values["earliest_birth_year"]),
        latest_birth_year_offset=int(values["latest_birth_year_offset"]),
        earliest_offset_minutes=int(values["earliest_utc_offset_minutes"]),
        latest_offset_minutes=int(values["latest_utc_offset_minutes"]),
    )
