"""The equality tables as they may be published: through the one disclosure-control policy.

Small strands are where small numbers hide: three disabled victims of a crime type in a
borough, one London figure for people of another sex. Each strand's table (every area and
London × every group × every measure's counts) goes through
:func:`dsvb.reports.disclosure.apply` as a table by strand, which suppresses the small counts
and enough others that none can be worked out from the tables by strand together with the
published table of areas (decision 0025). Then:

* a rate is shown only when its count and its denominator are (residents are public
  estimates and never suppressed; a count of crimes may be);
* a ratio, its intervals, p- and q-value and call are shown only when the group's figures
  *and the reference group's* are: a ratio with the group's rate gives away the reference
  group's count, and the other way round.

The judgement (``disproportionate``) is kept only beside a ratio that is shown.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from dsvb.equality.analysis import COLUMNS, EqualityAnalysis, EqualityRow
from dsvb.equality.strands import MEASURES
from dsvb.indicators import definitions as defs
from dsvb.indicators.results import IndicatorResult
from dsvb.reports import disclosure

__all__ = ["PublishedEquality", "publish"]

SUPPRESSED = disclosure.SUPPRESSED
WITHHELD_FIELDS = (
    "ratio",
    "ratio_lower_95",
    "ratio_upper_95",
    "p_value",
    "q_value",
    "adjusted_lower",
    "adjusted_upper",
    "disproportionate",
)


@dataclass(frozen=True)
class PublishedRow:
    """A row of the published table: the analysis's row with what may not be shown
    withheld (``suppressed`` names the fields)."""

    row: EqualityRow
    suppressed: frozenset[str]

    def record(self) -> dict[str, object]:
        out = self.row.record()
        for name in self.suppressed:
            out[name] = SUPPRESSED
        if "ratio" in self.suppressed:
            out["direction"] = None
        return out


@dataclass(frozen=True)
class PublishedEquality:
    analysis: EqualityAnalysis
    rows: tuple[PublishedRow, ...]
    policy: disclosure.Policy
    # each strand's counts and the table disclosure control made of them (for the audit)
    tables: tuple[tuple[str, tuple[IndicatorResult, ...], disclosure.PublishedTable], ...] = ()

    def only(self, area_code: str | None) -> PublishedEquality:
        """One area's rows (controlled as part of the whole table)."""
        if area_code is None:
            return self
        rows = tuple(r for r in self.rows if r.row.area_code == area_code)
        return PublishedEquality(self.analysis, rows, self.policy, self.tables)

    @property
    def suppressed_counts(self) -> int:
        return sum("numerator" in r.suppressed for r in self.rows)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*COLUMNS, "disclosure_policy"])
        for published in self.rows:
            record = published.record()
            writer.writerow([*(_cell(record.get(c)) for c in COLUMNS), self.policy.name])
        return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 10))
    return str(value)


def _results(rows: list[EqualityRow]) -> list[IndicatorResult]:
    """The counts behind one strand's rows, as the engine's results by strand."""
    out: dict[tuple[str, str, str], IndicatorResult] = {}
    for row in rows:
        indicator = defs.INDICATORS[MEASURES[row.measure].indicator]
        key = (row.area_code, indicator.id, row.group)
        if key in out:
            continue
        out[key] = IndicatorResult(
            area_code=row.area_code,
            area_name=row.area_name,
            family=row.family,
            indicator=indicator.id,
            numerator=row.numerator,
            denominator=int(row.denominator or 0) if indicator.denominator else None,
            is_rate=indicator.is_rate,
            cuts=((row.strand, row.group),),
        )
    return list(out.values())


def publish(
    analysis: EqualityAnalysis,
    policy: disclosure.Policy | None = None,
    strands: Iterable[str] | None = None,
) -> PublishedEquality:
    """Every row of the analysis (or of the ``strands`` named: ``victim_ethnicity`` …),
    with what disclosure control withholds withheld. Each strand's table is controlled
    whole (every area and London), so one area's published rows are the same whichever
    area is asked for. Controlling a table takes seconds (linear programmes; decision
    0025), so a publication names the strands it needs."""
    policy = policy or disclosure.Policy()
    wanted = set(strands) if strands is not None else None
    by_strand: dict[str, list[EqualityRow]] = defaultdict(list)
    for row in analysis.rows:
        if wanted is None or row.strand in wanted:
            by_strand[row.strand].append(row)
    if wanted is not None and (unknown := wanted - set(by_strand)):
        raise ValueError(f"no such strand in the analysis: {', '.join(sorted(unknown))}")
    tables = []
    # (area, measure, strand, group) -> (count shown, denominator shown)
    shown: dict[tuple[str, str, str, str], tuple[bool, bool]] = {}
    for strand, rows in by_strand.items():
        results = _results(rows)
        table = disclosure.apply(results, policy)
        tables.append((strand, tuple(results), table))
        for row in rows:
            indicator = MEASURES[row.measure].indicator
            cell = table.get(row.family, indicator, row.area_code, ((strand, row.group),))
            if cell is None:
                shown[(row.area_code, row.measure, strand, row.group)] = (False, False)
                continue
            proportion = MEASURES[row.measure].kind == "proportion"
            shown[(row.area_code, row.measure, strand, row.group)] = (
                cell.numerator is not None,
                cell.denominator is not None if proportion else True,
            )
    published = []
    for row in (r for rows in by_strand.values() for r in rows):
        count, denominator = shown[(row.area_code, row.measure, row.strand, row.group)]
        hidden: set[str] = set()
        if not count:
            hidden.add("numerator")
        if not denominator:
            hidden.add("denominator")
        if hidden:
            hidden |= {"rate", "rate_lower", "rate_upper"}
        reference = shown.get(
            (row.area_code, row.measure, row.strand, row.reference_group), (False, False)
        )
        if (hidden or not all(reference)) and not row.is_reference:
            hidden |= {f for f in WITHHELD_FIELDS if getattr(row, f) is not None}
        published.append(PublishedRow(row, frozenset(hidden)))
    return PublishedEquality(analysis, tuple(published), policy, tuple(tables))
