"""Repeat victimisation by recorded id and by linked person, side by side (decision 0047).

The board's repeat-victim figure is only as good as the identity of a person: a woman
recorded under three ids is three first-time victims. Linkage (``dsvb link``) gives the
records of one person one key; the same definitions counted by that key
(``IndicatorQuery(people="linked")``) show how much repeat victimisation the records hid.
"Hidden" is linked − recorded: repeat victims the recorded ids did not show.

An internal figure, for the board and the force's analysts, never published: it is made
from identifiers (through the keys), the linked counts of a small area can be small, and
it is not put through disclosure control (``dsvb publish`` does not offer it). Were it
ever published it would need the same small-number suppression as every count of people.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dsvb.indicators.engine import IndicatorQuery, check_links, compute
from dsvb.indicators.model import LINKED, RECORDED
from dsvb.indicators.results import FORCE_CODE, IndicatorResult

__all__ = ["COLUMNS", "INDICATORS", "RepeatFigures", "SideBySide", "rows", "side_by_side"]

#: the indicators compared (their counts: victims, repeat victims, offences against them)
INDICATORS = ("repeat_victim_rate", "offences_per_repeat_victim")


@dataclass(frozen=True)
class RepeatFigures:
    """Repeat victimisation counted one way (recorded ids, or linked people)."""

    victims: int
    repeat_victims: int
    offences_against_repeat_victims: int  # in the look-back window to the period's end

    @property
    def repeat_victim_rate(self) -> float | None:
        """Repeat victims as a share of victims (0 to 1); None with no victims."""
        return self.repeat_victims / self.victims if self.victims else None

    @property
    def offences_per_repeat_victim(self) -> float | None:
        return (
            self.offences_against_repeat_victims / self.repeat_victims
            if self.repeat_victims
            else None
        )


@dataclass(frozen=True)
class SideBySide:
    """One area's (or the force's: ``area_code == FORCE_CODE``) repeat victimisation in one
    family, by recorded id and by linked person."""

    area_code: str
    area_name: str
    family: str
    recorded: RepeatFigures
    linked: RepeatFigures
    cuts: tuple[tuple[str, str], ...] = ()

    @property
    def is_force(self) -> bool:
        return self.area_code == FORCE_CODE

    @property
    def hidden_repeat_victims(self) -> int:
        """Repeat victims the recorded ids hid: linked − recorded (negative when the
        recorded ids counted two people as one repeat victim, which linkage cannot do, or a
        person's victims spread across areas)."""
        return self.linked.repeat_victims - self.recorded.repeat_victims

    @property
    def hidden_rate_points(self) -> float | None:
        """The repeat-victim rate's rise in percentage points, linked − recorded."""
        a, b = self.linked.repeat_victim_rate, self.recorded.repeat_victim_rate
        return None if a is None or b is None else round(100 * (a - b), 1)

    @property
    def duplicate_victims(self) -> int:
        """Victims counted more than once by recorded id: recorded − linked victims."""
        return self.recorded.victims - self.linked.victims


def side_by_side(con: Any, query: IndicatorQuery | None = None) -> list[SideBySide]:
    """Repeat victimisation by recorded id and by linked person for each area (or the
    query's cuts), family and the force row, over the query's period and look-back window
    (``query.indicators`` and ``query.people`` are set here). ``con``: a DuckDB connection
    or Ibis backend, as :func:`dsvb.indicators.engine.compute`. Raises
    :class:`~dsvb.indicators.engine.NoLinks` (naming ``dsvb link``) for a store whose
    people were never linked: the linked figures would only repeat the recorded ones."""
    query = query or IndicatorQuery()
    check_links(con)
    asked = dataclasses.replace(query, indicators=INDICATORS, people=RECORDED)
    recorded = _figures(compute(con, asked))
    linked = _figures(compute(con, dataclasses.replace(asked, people=LINKED)))
    out = []
    for key in sorted(recorded.keys() | linked.keys(), key=_order):
        area_code, family, cuts = key
        name, rec = recorded.get(key, (None, RepeatFigures(0, 0, 0)))
        lname, lin = linked.get(key, (None, RepeatFigures(0, 0, 0)))
        out.append(
            SideBySide(
                area_code=area_code,
                area_name=name or lname or area_code,
                family=family,
                recorded=rec,
                linked=lin,
                cuts=cuts,
            )
        )
    return out


def _order(key: tuple[str, str, tuple]) -> tuple:
    area, family, cuts = key
    return (area == FORCE_CODE, area, family, cuts)


def _figures(
    results: Sequence[IndicatorResult],
) -> dict[tuple[str, str, tuple], tuple[str, RepeatFigures]]:
    by: dict[tuple[str, str, tuple], dict[str, IndicatorResult]] = {}
    names: dict[tuple[str, str, tuple], str] = {}
    for r in results:
        key = (r.area_code, r.family, r.cuts)
        by.setdefault(key, {})[r.indicator] = r
        names[key] = r.area_name
    out = {}
    for key, found in by.items():
        rate, per = found.get("repeat_victim_rate"), found.get("offences_per_repeat_victim")
        if rate is None or per is None:
            continue
        out[key] = (
            names[key],
            RepeatFigures(
                victims=int(rate.denominator or 0),
                repeat_victims=int(rate.numerator or 0),
                offences_against_repeat_victims=int(per.numerator or 0),
            ),
        )
    return out


#: the columns of :func:`rows` (CSV and JSON of ``dsvb repeat-victims``)
COLUMNS = (
    "area_code",
    "area_name",
    "family",
    "victims_recorded",
    "victims_linked",
    "repeat_victims_recorded",
    "repeat_victims_linked",
    "hidden_repeat_victims",
    "repeat_victim_rate_recorded",
    "repeat_victim_rate_linked",
    "hidden_rate_points",
    "offences_per_repeat_victim_recorded",
    "offences_per_repeat_victim_linked",
)


def rows(figures: Sequence[SideBySide]) -> list[dict[str, object]]:
    """One flat row per area and family (rates in percent, one decimal; per-victim ratios
    to two decimals; None where there is nothing to divide by)."""

    def pct(value: float | None) -> float | None:
        return None if value is None else round(100 * value, 1)

    def ratio(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    out = []
    for f in figures:
        row: dict[str, object] = {
            "area_code": f.area_code,
            "area_name": f.area_name,
            "family": f.family,
            "victims_recorded": f.recorded.victims,
            "victims_linked": f.linked.victims,
            "repeat_victims_recorded": f.recorded.repeat_victims,
            "repeat_victims_linked": f.linked.repeat_victims,
            "hidden_repeat_victims": f.hidden_repeat_victims,
            "repeat_victim_rate_recorded": pct(f.recorded.repeat_victim_rate),
            "repeat_victim_rate_linked": pct(f.linked.repeat_victim_rate),
            "hidden_rate_points": f.hidden_rate_points,
            "offences_per_repeat_victim_recorded": ratio(f.recorded.offences_per_repeat_victim),
            "offences_per_repeat_victim_linked": ratio(f.linked.offences_per_repeat_victim),
        }
        for cut, value in f.cuts:
            row[cut] = value
        out.append(row)
    return out
