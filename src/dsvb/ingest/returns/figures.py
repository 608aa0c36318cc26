"""A return's figures grouped by what they are about: area (unit, total), family and period.

The groups are what indicators are made from (``dsvb.indicators.from_returns``) and what the
checks compare, so that a figure is identified the same way everywhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from dsvb.ingest.returns.model import (
    BOROUGHS,
    BY_AREA,
    COUNT,
    COUNT_MEASURES,
    FORCE,
    FORCE_AREA,
    KEY_VALUE,
    MEASURE_BY_PERIOD,
    MONEY,
    OK,
    PROPORTION,
    PROPORTION_MEASURES,
    RATES,
    RATIO,
    SCOPE_UNIT,
    SPECIALIST_UNITS,
    Cell,
    PublishedReturn,
    _force_name,
    _percent,
)
from dsvb.reference import areas, units

_COMPARATOR_OF = re.compile(r"^of\s+(\d[\d,]*)$", re.IGNORECASE)


# --- figure groups: the figures of one area/unit/total, family and period --------------------


@dataclass(frozen=True)
class Published:
    """A rate as printed: in a cell of its own, or in a note's text."""

    indicator: str
    value: float | None  # a fraction for percentages
    text: str  # as printed, e.g. "49%"
    row_number: int
    column_name: str
    status: str  # ok | garbled
    source: str = "cell"  # cell | note
    comparators: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, eq=False)
class FigureGroup:
    """The figures a return gives for one area (unit, total), family and period."""

    area_code: str
    area_name: str
    cuts: tuple[tuple[str, str], ...]
    family: str
    period_label: str | None
    counts: dict[str, Cell]
    published: dict[str, Published]
    notes_text: tuple[str, ...] = ()

    def count(self, measure: str) -> int | float | None:
        c = self.counts.get(measure)
        return c.number if c is not None and c.ok else None

    def where(self) -> str:
        rows = sorted({(c.row_number, c.row_label.strip()) for c in self.counts.values()})
        if len(rows) == 1:
            return f"row {rows[0][0]} {rows[0][1]!r}"
        period = dict(self.cuts).get("period")
        return self.area_name + (f", {period}" if period else "")


def _entity(ret: PublishedReturn, cell: Cell, has_units: bool) -> tuple[str, str, tuple]:
    cuts: list[tuple[str, str]] = []
    if ret.layout == BY_AREA:
        if cell.area_code:
            code, name = cell.area_code, areas().by_code(cell.area_code).name
            unit = "BOROUGH"
        elif cell.unit:
            code, name, unit = FORCE_AREA, cell.row_label.strip(), cell.unit
        else:
            code, name, unit = FORCE_AREA, cell.row_label.strip(), SCOPE_UNIT[cell.scope or FORCE]
        if has_units:
            cuts.append(("unit", unit))
    elif ret.layout == MEASURE_BY_PERIOD:
        code = FORCE_AREA
        if cell.unit:
            name = units()[cell.unit].name
            cuts.append(("unit", cell.unit))
        else:
            name = _force_name()
    elif ret.layout == KEY_VALUE:
        code = cell.area_code or FORCE_AREA
        name = areas().by_code(code).name if cell.area_code else _force_name()
    else:
        code, name = FORCE_AREA, _force_name()
    return code, name, tuple(cuts)


_NOTE_PCT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%")
_NOTE_PER_REPEAT = re.compile(r"average\s+(\d+(?:\.\d+)?)\s+offences\s+per\s+repeat\s+victim", re.I)
_FORCE_AVERAGE = re.compile(r"^(?:mps|force)\s+average\s+(\d+(?:\.\d+)?)\s*%$", re.I)
_TARGET = re.compile(r"^target\s+(\d+(?:\.\d+)?)\s*%$", re.I)
_RANK = re.compile(r"ranked\s+(\d+)(?:st|nd|rd|th)", re.I)


def _comparators(raw: str | None) -> tuple[tuple[tuple[str, Any], ...], str]:
    """Read ``MPS average 59.7%; target 60%``; returns what was read and what was not."""
    out: list[tuple[str, Any]] = []
    rest: list[str] = []
    for part in (raw or "").split(";"):
        text = part.strip()
        if not text:
            continue
        if m := _FORCE_AVERAGE.match(text):
            out.append(("force_average", _percent(m[1])))
        elif m := _TARGET.match(text):
            out.append(("target", _percent(m[1])))
        elif m := _RANK.search(text):
            out.append(("rank", int(m[1])))
        elif _COMPARATOR_OF.match(text):
            continue
        else:
            rest.append(text)
    return tuple(out), "; ".join(rest)


def figure_groups(ret: PublishedReturn) -> list[FigureGroup]:
    """Group a return's cells into figures per area/unit/total, family and period."""
    has_units = any(c.unit or c.scope in (BOROUGHS, SPECIALIST_UNITS) for c in ret.cells)
    periods = {c.period_label for c in ret.cells if c.period_label and c.column_number}
    many_periods = len(periods) > 1
    groups: dict[tuple, dict[str, Any]] = {}
    by_row: dict[int, list[Cell]] = defaultdict(list)
    for c in ret.cells:
        by_row[c.row_number].append(c)
    for c in ret.cells:
        if c.column_number == 0 or not c.family or not c.measure:
            continue
        code, name, cuts = _entity(ret, c, has_units)
        if many_periods and c.period_label:
            cuts = (*cuts, ("period", c.period_label))
        key = (code, cuts, c.family, c.period_label)
        g = groups.setdefault(
            key,
            {"name": name, "counts": {}, "published": {}, "notes": []},
        )
        kind = c.value_kind
        if c.measure in RATES and kind in (PROPORTION, RATIO):
            comparators: tuple[tuple[str, Any], ...] = ()
            for other in by_row[c.row_number]:
                if other.measure == "comparator":
                    comparators += _comparators(other.raw)[0]
                elif other.measure == "note":
                    comparators += (
                        _comparators(other.raw)[0] if _RANK.search(other.raw or "") else ()
                    )
            g["published"][c.measure] = Published(
                c.measure,
                c.value,
                (c.raw or "").strip(),
                c.row_number,
                c.column_name,
                OK if c.ok else c.status,
                "cell",
                comparators,
            )
        elif kind in (COUNT, MONEY) or c.measure in PROPORTION_MEASURES:
            g["counts"][c.measure] = c
        elif c.measure == "note" and c.raw and c.raw.strip():
            g["notes"].append((c, by_row[c.row_number]))
    out = []
    for (code, cuts, family, period), g in groups.items():
        published = dict(g["published"])
        counts = g["counts"]
        for note_cell, row_cells in g["notes"]:
            row_measure = next(
                (
                    x.measure
                    for x in row_cells
                    if x.column_name != note_cell.column_name
                    and x.column_number
                    and x.measure in COUNT_MEASURES
                ),
                None,
            )
            text = note_cell.raw or ""
            if row_measure and (m := _NOTE_PCT.match(text)):
                rates = [
                    r for r, (num, den) in RATES.items() if num == row_measure and den in counts
                ]
                if len(rates) == 1 and rates[0] not in published:
                    published[rates[0]] = Published(
                        rates[0],
                        _percent(m[1]),
                        f"{m[1]}%",
                        note_cell.row_number,
                        note_cell.column_name,
                        OK,
                        "note",
                    )
            m = _NOTE_PER_REPEAT.search(text)
            if m and "offences_per_repeat_victim" not in published:
                published["offences_per_repeat_victim"] = Published(
                    "offences_per_repeat_victim",
                    float(m[1]),
                    m[1],
                    note_cell.row_number,
                    note_cell.column_name,
                    OK,
                    "note",
                )
        out.append(
            FigureGroup(
                code,
                g["name"],
                cuts,
                family,
                period,
                counts,
                published,
                tuple(n.raw or "" for n, _ in g["notes"]),
            )
        )
    return out
