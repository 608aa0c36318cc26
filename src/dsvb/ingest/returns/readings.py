"""Readings the tool adds to a return's figures, each said in a note.

A rate printed without its counts is given a denominator (``dsvb indicators --returns`` puts
it beside the printed figure, and the checks use it): the count of the denominator's measure
that the return prints for the same area, family and period. The table does not say that
count is the rate's denominator, so each such reading is a note, naming the count used and,
for a key-value return's row that states no period, the period it was given. Other readings
(a period from the file name, a family from the file name or from the rows around it, a
label read as a family of its own) are noted where they are made, in ``read``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from dsvb.ingest.returns.figures import figure_groups
from dsvb.ingest.returns.model import INTERPRETED, OK, RATES, Note, PublishedReturn, _fmt

__all__ = ["denominator_readings"]


def denominator_readings(
    ret: PublishedReturn, inherited_period_rows: Collection[int] = ()
) -> list[Note]:
    """A note for each printed rate given a denominator the return does not print with it.

    Figures whose denominator is printed in the same row are said once per column (a
    headline table's rates over each row's offences); a denominator from another row (a
    borough return's 124D completion over its DV offences) is said figure by figure.
    ``inherited_period_rows``: rows that state no period of their own and take the return's.
    """
    notes: list[Note] = []
    same_row: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    labels = {c.row_number: c.row_label.strip() for c in ret.cells if c.column_number == 0}
    for g in figure_groups(ret):
        for rate, p in g.published.items():
            num_measure, den_measure = RATES[rate]
            if p.status != OK or g.count(num_measure) is not None:
                continue
            den = g.counts.get(den_measure)
            if den is None or not den.ok:
                continue
            formula = f"{rate} ({num_measure} / {den_measure})"
            if den.row_number == p.row_number and p.source == "cell":
                same_row[(p.column_name, formula, den.column_name)].append(p.row_number)
                continue
            label = labels[p.row_number]
            printed = p.text if p.source == "cell" else f"the note's {p.text}"
            inherited = p.row_number in inherited_period_rows and g.period_label
            over = (
                f"the {_fmt(den.number)} {den_measure} of this row ({den.column_name})"
                if den.row_number == p.row_number
                else f"the {_fmt(den.number)} {den_measure} of row {den.row_number} "
                f"{den.row_label.strip()!r}"
            )
            if inherited:
                message = (
                    f"row {p.row_number} {label!r} ({printed}) is printed without its counts "
                    f"or a period: read as {formula} for {g.period_label}, the return's "
                    f"period, over {over} as its denominator; the return states neither"
                )
            else:
                message = (
                    f"row {p.row_number} {label!r} ({printed}) is printed without its counts: "
                    f"read as {formula} over {over} as its denominator; the return does not "
                    "state its denominator"
                )
            notes.append(Note(INTERPRETED, p.row_number, p.column_name, message, found=p.value))
    for (column, formula, den_column), rows in same_row.items():
        notes.append(
            Note(
                INTERPRETED,
                None,
                column,
                f"column {column!r} ({_rows(rows)}) is printed without its counts: each figure "
                f"read as {formula} over the {den_column!r} printed in its row as its "
                "denominator",
            )
        )
    return notes


def _rows(numbers: list[int]) -> str:
    """``rows 1 to 11``, ``rows 1, 3 and 4``, ``row 2``."""
    numbers = sorted(numbers)
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"rows {numbers[0]} to {numbers[-1]}"
    return f"rows {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"
