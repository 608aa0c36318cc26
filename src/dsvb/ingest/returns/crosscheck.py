"""Checks across the tables of one report: a figure printed in two tables must agree.

Tables belong to a report (``model.report_of``: the report the file name names, else the
publisher and period). When a table is stored, its figures are compared with those of the
tables of the same report already in the store. A figure is the same quantity in two tables
when it has the same area (unit, total), family, period and measure, as the figure groups
(``figures.figure_groups``) identify it: a force-wide total row of a table cut by unit is the
force's figure, like a table's force-wide row with no units.

- A count printed in both must be the same number.
- A rate printed in both must be printable from one true value: the intervals each printed
  figure can stand for (``precision``: whole percentages rounded or truncated, one-decimal
  figures rounded) must meet.
- A rate printed in one table whose numerator (and so denominator) is printed in another must
  stand for numerator / denominator. A table that prints a rate with both its counts was
  checked on its own; its counts are compared as counts.
- A rate printed in one table without its numerator anywhere, whose denominator another
  table prints, must be printable from some whole number over that denominator.

Families are compared by id only, so a family a table prints under a misleading name
(``sexual_not_rape``, see ``reference/data/published_families.csv``) is never compared with
the dsvb family of that name. Each difference is a note naming both tables, their rows and
their columns; no figure is changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from dsvb.ingest.returns.figures import FigureGroup, Published, figure_groups
from dsvb.ingest.returns.model import (
    COUNT,
    FORCE,
    FORCE_AREA,
    OK,
    RATES,
    RECONCILIATION,
    SCOPE_UNIT,
    UNSPECIFIED_FAMILY,
    Cell,
    Note,
    PublishedReturn,
    _fmt,
    _readings,
)
from dsvb.ingest.returns.precision import TRUNCATED, PrintedFigure, printed_figure

__all__ = ["Comparison", "StoredReturn", "comparable_figures", "compare", "cross_table_notes"]


@dataclass(frozen=True)
class StoredReturn:
    """A table already in the store, with the id it is stored under."""

    return_id: int
    ret: PublishedReturn


#: (area code, unit or None for the force, family, period label)
Key = tuple[str, str | None, str, str | None]


def comparable_figures(ret: PublishedReturn) -> dict[Key, FigureGroup]:
    """A table's figure groups by what they are figures of, comparable across tables.

    Figures of an unspecified family are left out: nothing says two are of one family.
    """
    out: dict[Key, FigureGroup] = {}
    for g in figure_groups(ret):
        if g.family == UNSPECIFIED_FAMILY:
            continue
        unit = dict(g.cuts).get("unit")
        if g.area_code == FORCE_AREA and unit == SCOPE_UNIT[FORCE]:
            unit = None  # the force-wide total of a table cut by unit is the force's figure
        out.setdefault((g.area_code, unit, g.family, g.period_label), g)
    return out


@dataclass(frozen=True)
class Comparison:
    """What was checked against one stored table: how many figures, and the differences."""

    other: StoredReturn
    compared: int
    notes: tuple[Note, ...]


def compare(ret: PublishedReturn, others: Sequence[StoredReturn]) -> list[Comparison]:
    """``ret``'s figures checked against each of ``others``, in their order.

    The notes are ``ret``'s (their row and column are ``ret``'s); each message names the
    other table, its return id, row and column.
    """
    mine = comparable_figures(ret)
    out = []
    for other in others:
        theirs = comparable_figures(other.ret)
        tally = _Tally()
        for key, g in mine.items():
            h = theirs.get(key)
            if h is not None:
                this, that = _Side(ret, None, g), _Side(other.ret, other.return_id, h)
                _counts(this, that, tally)
                _rates(this, that, tally)
        out.append(Comparison(other, tally.compared, tuple(tally.notes)))
    return out


def cross_table_notes(ret: PublishedReturn, others: Sequence[StoredReturn]) -> list[Note]:
    """Every figure ``ret`` prints that disagrees with the same figure in ``others``."""
    return [n for c in compare(ret, others) for n in c.notes]


# --- one figure group on each side ------------------------------------------------------------


@dataclass(frozen=True)
class _Side:
    ret: PublishedReturn
    return_id: int | None  # None: the table being stored
    group: FigureGroup

    def table(self) -> str:
        if self.return_id is None:
            return self.ret.source_name
        return f"{self.ret.source_name} (return {self.return_id})"

    def cell_where(self, cell: Cell) -> str:
        label = cell.row_label.strip()
        return f"{self.table()} row {cell.row_number} {label!r}, {cell.column_name}"

    def rate_where(self, p: Published) -> str:
        label = next(
            c.row_label.strip()
            for c in self.ret.cells
            if c.row_number == p.row_number and c.column_number == 0
        )
        place = p.column_name if p.source == "cell" else f"{p.column_name} (in its text)"
        return f"{self.table()} row {p.row_number} {label!r}, {place}"


@dataclass
class _Tally:
    compared: int = 0
    notes: list[Note] = field(default_factory=list)

    def add(self, note: Note | None) -> None:
        """One figure compared, and the note when it differs."""
        self.compared += 1
        if note is not None:
            self.notes.append(note)


def _ok_counts(g: FigureGroup) -> dict[str, Cell]:
    return {m: c for m, c in g.counts.items() if c.ok and c.value_kind == COUNT}


def _ok_rates(g: FigureGroup) -> dict[str, Published]:
    return {r: p for r, p in g.published.items() if p.status == OK}


def _what(g: FigureGroup, measure: str) -> str:
    unit = dict(g.cuts).get("unit")
    where = [g.area_name] + ([f"unit {unit}"] if unit and unit != "BOROUGH" else [])
    if g.period_label:
        where.append(g.period_label)
    return f"{g.family} {measure} ({', '.join(where)})"


def _counts(this: _Side, that: _Side, tally: _Tally) -> None:
    theirs = _ok_counts(that.group)
    for measure, cell in _ok_counts(this.group).items():
        other = theirs.get(measure)
        if other is None:
            continue
        if other.value == cell.value:
            tally.add(None)
            continue
        diff = cell.value - other.value  # type: ignore[operator]
        tally.add(
            Note(
                RECONCILIATION,
                cell.row_number,
                cell.column_name,
                f"across tables, {_what(this.group, measure)}: {this.cell_where(cell)} prints "
                f"{_fmt(cell.number)} but {that.cell_where(other)} prints {_fmt(other.number)} "
                f"({_fmt(abs(diff))} {'more' if diff > 0 else 'fewer'} here)",
                expected=other.value,
                found=cell.value,
            )
        )


def _rates(this: _Side, that: _Side, tally: _Tally) -> None:
    mine, theirs = _ok_rates(this.group), _ok_rates(that.group)
    for rate in RATES:
        p, q = mine.get(rate), theirs.get(rate)
        if p is not None and q is not None:
            _rate_against_rate(this, p, that, q, rate, tally)
        if p is not None:
            _rate_against_counts(this, p, that, rate, tally, printed_here=True)
        if q is not None:
            _rate_against_counts(that, q, this, rate, tally, printed_here=False)


def _rate_against_rate(
    this: _Side, p: Published, that: _Side, q: Published, rate: str, tally: _Tally
) -> None:
    a, b = printed_figure(p.text), printed_figure(q.text)
    if a is None or b is None:
        return
    if a.meets(b):
        tally.add(None)
        return
    tally.add(
        Note(
            RECONCILIATION,
            p.row_number,
            p.column_name,
            f"across tables, {_what(this.group, rate)}: {this.rate_where(p)} prints {p.text} "
            f"({a.how()}: {a.describe()}) but {that.rate_where(q)} prints {q.text} "
            f"({b.how()}: {b.describe()}); no value prints as both",
            expected=q.value,
            found=p.value,
        )
    )


def _rate_against_counts(
    printer: _Side, p: Published, counter: _Side, rate: str, tally: _Tally, *, printed_here: bool
) -> None:
    """``printer``'s printed rate against the counts printed in ``counter`` (each count from
    ``counter`` where it prints it, else from ``printer``; at least one from ``counter``)."""
    num_measure, den_measure = RATES[rate]
    own, counts = _ok_counts(printer.group), _ok_counts(counter.group)
    if num_measure in own and den_measure in own:
        return  # checked within its own table; the counts are compared as counts
    num_side, num = (counter, counts[num_measure]) if num_measure in counts else (printer, None)
    den_side, den = (counter, counts[den_measure]) if den_measure in counts else (printer, None)
    num = num or own.get(num_measure)
    den = den or own.get(den_measure)
    figure = printed_figure(p.text)
    if figure is None or den is None or not den.value:
        return
    if num is None:
        if den_side is counter and den.number == int(den.number):  # type: ignore[arg-type]
            _possible_over(printer, p, figure, counter, den, rate, tally, printed_here)
        return
    value = Fraction(num.number) / Fraction(den.number)  # type: ignore[arg-type]
    if figure.admits(value):
        tally.add(None)
        return
    if num_side is den_side and num.row_number == den.row_number:
        counts_text = (
            f"{num_side.table()} row {num.row_number} {num.row_label.strip()!r} prints "
            f"{num.column_name} {_fmt(num.number)} and {den.column_name} {_fmt(den.number)}"
        )
    else:
        counts_text = (
            f"{num_side.cell_where(num)} prints {_fmt(num.number)} and "
            f"{den_side.cell_where(den)} prints {_fmt(den.number)}"
        )
    message = (
        f"across tables, {_what(printer.group, rate)}: {printer.rate_where(p)} prints {p.text} "
        f"({figure.how()}: {figure.describe()}) but {counts_text}: "
        f"{_fmt(num.number)} / {_fmt(den.number)} = "
        f"{_readings(num.number, den.number, p.text)}"  # type: ignore[arg-type]
    )
    if TRUNCATED not in figure.readings and figure.admits(value, (TRUNCATED,)):
        message += (
            f"; {p.text} fits only if truncated, and figures printed with {figure.decimals} "
            f"decimal{'s' if figure.decimals > 1 else ''} are rounded"
        )
    if printed_here:
        row, column = p.row_number, p.column_name
    else:
        mine = num if num_side is counter else den
        row, column = mine.row_number, mine.column_name
    tally.add(Note(RECONCILIATION, row, column, message, expected=float(value), found=p.value))


def _possible_over(
    printer: _Side,
    p: Published,
    figure: PrintedFigure,
    counter: _Side,
    den: Cell,
    rate: str,
    tally: _Tally,
    printed_here: bool,
) -> None:
    """A rate printed without its counts against the denominator another table prints: some
    whole number over it must print as the rate (``precision``)."""
    n = int(den.number)  # type: ignore[arg-type]
    if figure.numerators(n):
        tally.add(None)
        return
    below, above = figure.nearest(n)
    message = (
        f"across tables, {_what(printer.group, rate)}: {printer.rate_where(p)} prints {p.text} "
        f"({figure.how()}: {figure.describe()}) but {counter.cell_where(den)} prints "
        f"{_fmt(n)}, and no whole number out of {_fmt(n)} gives {p.text}: the nearest are "
        f"{_fmt(below)} / {_fmt(n)} = {figure.show(Fraction(below, n))} and {_fmt(above)} / "
        f"{_fmt(n)} = {figure.show(Fraction(above, n))}"
    )
    row, column = (
        (p.row_number, p.column_name) if printed_here else (den.row_number, den.column_name)
    )
    tally.add(Note(RECONCILIATION, row, column, message, found=p.value))
