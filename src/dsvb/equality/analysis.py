"""Equality and disproportionality: who is victimised, who is prosecuted, who is served
less well — by strand, per borough and for London, with intervals.

One call, :func:`analyse` (or :func:`analyse_store`), gives a frozen
:class:`EqualityAnalysis` for a family and period:

* **rows** (:class:`EqualityRow`), one per area × measure × strand × group: the count, its
  denominator (residents, or crimes), the rate with its 95% interval (exact Poisson for
  rates per 1,000 residents, Wilson for proportions), and the ratio to the strand's
  reference group with its 95% interval and p-value (:mod:`dsvb.indicators.ratios`);
* the **correction** for the many comparisons made at once (every area, London, measure,
  strand and group in the analysis): Benjamini–Hochberg at a false discovery rate of 5%.
  A difference is called *disproportionate* only when its false-coverage-adjusted interval
  excludes 1, which is the same as being selected by the correction. The family of
  comparisons is the whole analysis, so asking for one area changes no call;
* **recording quality** (:mod:`.recording`): the share not recorded per strand, area and
  month, areas compared with London by the indicators' funnel method.

Counts come from the indicator engine (the same definitions as every other page), cut by
the strand of the crime's principal victim or suspect; people (victims, suspects) are
counted once each, in the area of their latest offence. These are rates of people *recorded
by the police*: a difference can come from who reports, what is recorded or who offends,
and the analysis says so rather than guessing which.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from dsvb import reference
from dsvb.equality import recording as rec
from dsvb.equality.strands import (
    MEASURES,
    PER,
    STRANDS,
    UNDESCRIBED,
    Measure,
    Strand,
    group_label,
)
from dsvb.indicators import definitions as defs
from dsvb.indicators import ratios
from dsvb.indicators.engine import IndicatorQuery, compute
from dsvb.indicators.model import Period
from dsvb.indicators.periods import months_label, months_of
from dsvb.indicators.results import FORCE_CODE, IndicatorResult
from dsvb.indicators.statistics import wilson_interval

__all__ = [
    "COLUMNS",
    "EqualityAnalysis",
    "EqualityRow",
    "PopulationView",
    "analyse",
    "analyse_store",
    "to_csv",
    "to_json",
]

LONDON_NAME = "London"
RECORDED_NOTE = (
    "These are people and crimes recorded by the police, not all victimisation or "
    "offending: a difference between groups can come from who reports, what is recorded "
    "or who offends, and the figures alone cannot say which."
)


class PopulationView(Protocol):
    """What the analysis needs of population estimates (:mod:`.population`)."""

    year: int
    source: str
    synthetic: bool

    def count(self, area_code: str, strand: str, group: str) -> int: ...


@dataclass(frozen=True)
class EqualityRow:
    """One group of one strand for one measure in one area (or London, ``ALL``)."""

    area_code: str
    area_name: str
    family: str
    measure: str
    strand: str  # the engine's cut: victim_ethnicity, suspect_sex, …
    group: str
    numerator: int
    denominator: float | None  # residents (population rates) or crimes (proportions)
    rate: float | None  # per 1,000 residents a year, or a proportion
    rate_lower: float | None
    rate_upper: float | None
    reference_group: str
    ratio: float | None = None
    ratio_lower_95: float | None = None
    ratio_upper_95: float | None = None
    p_value: float | None = None
    q_value: float | None = None
    adjusted_lower: float | None = None
    adjusted_upper: float | None = None
    disproportionate: bool | None = None
    method: str = ""
    note: str = ""

    @property
    def is_reference(self) -> bool:
        return self.group == self.reference_group

    @property
    def measure_def(self) -> Measure:
        return MEASURES[self.measure]

    @property
    def role(self) -> str:
        return self.strand.partition("_")[0]

    @property
    def strand_def(self) -> Strand:
        return STRANDS[self.strand.partition("_")[2]]

    @property
    def group_label(self) -> str:
        return group_label(self.group)

    @property
    def direction(self) -> str | None:
        """``higher`` or ``lower`` than the reference group, when called disproportionate."""
        if not self.disproportionate or self.ratio is None:
            return None
        return "higher" if self.ratio > 1 else "lower"

    @property
    def served_less_well(self) -> bool | None:
        """For an outcome with a better direction, whether the group fares worse."""
        better = self.measure_def.higher_is_better
        if self.direction is None or better is None:
            return None
        return (self.direction == "lower") == better

    def record(self) -> dict[str, Any]:
        out = {c: getattr(self, c) for c in COLUMNS if hasattr(self, c)}
        out["rate_unit"] = _unit(self.measure_def)
        out["direction"] = self.direction
        return out


COLUMNS = (
    "area_code",
    "area_name",
    "family",
    "measure",
    "strand",
    "group",
    "numerator",
    "denominator",
    "rate",
    "rate_unit",
    "rate_lower",
    "rate_upper",
    "reference_group",
    "ratio",
    "ratio_lower_95",
    "ratio_upper_95",
    "p_value",
    "q_value",
    "adjusted_lower",
    "adjusted_upper",
    "disproportionate",
    "direction",
    "method",
    "note",
)


def _unit(measure: Measure) -> str:
    return f"per {PER:,} residents a year" if measure.kind == "population_rate" else "proportion"


@dataclass(frozen=True)
class CorrectionSummary:
    """How the many comparisons were corrected for, in words and numbers."""

    method: str
    rate: float
    tested: int
    selected: int
    adjusted_confidence: float

    @property
    def confidence_text(self) -> str:
        """The corrected intervals' confidence with as many decimals as it needs to differ
        from 100% (99.4%, 99.998%)."""
        return confidence_text(self.adjusted_confidence)

    def describe(self) -> str:
        made = (
            f"{self.tested:,} comparisons were made at once (areas × measures × strands × "
            f"groups); a difference is called disproportionate only when it survives the "
            f"{self.method} correction at a false discovery rate of {self.rate:.0%}"
        )
        if not self.selected:
            return (
                f"{made}. None did. Corrected intervals are at {self.confidence_text} "
                "confidence (what one comparison would need to be called)."
            )
        return (
            f"{made} ({self.selected:,} did). Their intervals are widened to "
            f"{self.confidence_text} confidence so that an interval excluding 1 and a call "
            "of disproportionality always agree."
        )


def confidence_text(confidence: float) -> str:
    """A confidence level as a percentage with the decimals it needs: 0.9936 -> 99.4%."""
    tail = 1 - confidence
    if tail <= 0:
        return "100%"
    decimals = max(0, math.ceil(-math.log10(tail)) - 2)
    return f"{confidence * 100:.{decimals}f}%"


@dataclass(frozen=True)
class EqualityAnalysis:
    family: str
    period: Period
    rows: tuple[EqualityRow, ...]
    recording: tuple[rec.RecordingRow, ...]
    correction: CorrectionSummary
    population_year: int | None
    population_source: str | None
    population_synthetic: bool
    notes: tuple[str, ...] = ()
    areas: tuple[tuple[str, str], ...] = field(default=())  # (code, name), London last

    @property
    def family_label(self) -> str:
        return defs.FAMILIES[self.family].label

    @property
    def period_label(self) -> str:
        return months_label(self.period)

    def area_name(self, code: str) -> str:
        return dict(self.areas).get(code, code)

    def for_area(self, code: str) -> tuple[EqualityRow, ...]:
        return tuple(r for r in self.rows if r.area_code == code)

    def recording_for(self, code: str) -> tuple[rec.RecordingRow, ...]:
        return tuple(r for r in self.recording if r.area_code == code)

    def strands(self, cuts: Iterable[str] | None) -> EqualityAnalysis:
        """The same analysis (same correction) for some strands only (``victim_ethnicity``
        …); recording quality keeps the series of those strands."""
        if cuts is None:
            return self
        wanted = set(cuts)
        return replace(
            self,
            rows=tuple(r for r in self.rows if r.strand in wanted),
            recording=tuple(r for r in self.recording if r.strand in wanted),
        )

    def only(self, area_code: str | None) -> EqualityAnalysis:
        """The same analysis (same correction) for one area only."""
        if area_code is None:
            return self
        return replace(
            self,
            rows=self.for_area(area_code),
            recording=self.recording_for(area_code),
            areas=tuple(a for a in self.areas if a[0] == area_code),
        )


# --- counting ---------------------------------------------------------------------------------


def _indicators_for(role: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.indicator for m in MEASURES.values() if role in m.roles).keys())


Key = tuple[str, str, str, str]  # (area, cut, group, indicator)


def _counts(
    con: Any, family: str, period: Period
) -> tuple[dict[Key, IndicatorResult], list[IndicatorResult]]:
    """Every measure's counts by (area, strand cut, group), London by summing the areas;
    and the people counts by (area, month, strand) for recording quality.

    One query per strand and role, by area and month: every count is additive over months
    (a person falls in the month of their latest offence), so the period's figures are the
    months' sums, and the months are there for recording quality at no further cost."""
    sums: dict[Key, list[float]] = defaultdict(lambda: [0, 0])
    template: dict[Key, IndicatorResult] = {}
    monthly: list[IndicatorResult] = []
    for role in ("victim", "suspect"):
        people = "victims" if role == "victim" else "suspects"
        for strand in STRANDS.values():
            cut = strand.cut(role)
            query = IndicatorQuery(
                families=(family,),
                start=period.start,
                end=period.end,
                by=("area", "month", cut),
                indicators=_indicators_for(role),
                force_row=False,
            )
            for r in compute(con, query):
                key = (r.area_code, cut, r.cut(cut) or "", r.indicator)
                cell = sums[key]
                cell[0] += r.numerator or 0
                cell[1] += r.denominator or 0
                template.setdefault(key, r)
                if r.indicator == people:
                    monthly.append(r)
    monthly.extend(
        compute(
            con,
            IndicatorQuery(
                families=(family,),
                start=period.start,
                end=period.end,
                by=("area", "month", rec.CRIME_FLAG),
                indicators=("offences",),
                force_row=False,
            ),
        )
    )
    by_cut = {
        key: replace(
            template[key],
            cuts=((key[1], key[2]),),
            numerator=int(num),
            denominator=int(den) if template[key].denominator is not None else None,
        )
        for key, (num, den) in sums.items()
    }
    return _with_london(by_cut), monthly


def _with_london(by_cut: dict[Key, IndicatorResult]) -> dict[Key, IndicatorResult]:
    """London's row per strand and group: the sum over every area (including records with
    no area, which London counts and no borough does)."""
    sums: dict[Key, list[float]] = defaultdict(lambda: [0, 0])
    template: dict[Key, IndicatorResult] = {}
    for (_area, cut, group, indicator), r in by_cut.items():
        key = (FORCE_CODE, cut, group, indicator)
        sums[key][0] += r.numerator or 0
        sums[key][1] += r.denominator or 0
        template[key] = r
    out = dict(by_cut)
    for key, (num, den) in sums.items():
        r = template[key]
        out[key] = replace(
            r,
            area_code=FORCE_CODE,
            area_name=LONDON_NAME,
            numerator=int(num),
            denominator=int(den) if r.denominator is not None else None,
        )
    return out


# --- rows -------------------------------------------------------------------------------------


def _years(period: Period) -> float:
    return len(months_of(period)) / 12


def _residents(population: PopulationView | None, code: str, strand: Strand, group: str) -> int:
    """The group's residents in the area; 0 when the estimates do not give them (a group
    estimates do not count, such as sex "other", or an area they do not hold)."""
    if population is None or group in UNDESCRIBED:
        return 0
    try:
        return population.count(code, strand.id, group)
    except (KeyError, ValueError):
        return 0


def _rate_row(
    measure: Measure,
    family: str,
    area: tuple[str, str],
    cut: str,
    strand: Strand,
    group: str,
    counts: Mapping[Key, IndicatorResult],
    population: PopulationView | None,
    years: float,
) -> tuple[EqualityRow, tuple[float, float] | None]:
    """A group's row, and what its ratio is computed from: (count, exposure) for
    population rates, (numerator, denominator) for proportions."""
    code, name = area
    found = counts.get((code, cut, group, measure.indicator))
    numerator = int(found.numerator or 0) if found else 0
    base: dict[str, Any] = {
        "area_code": code,
        "area_name": name,
        "family": family,
        "measure": measure.id,
        "strand": cut,
        "group": group,
        "numerator": numerator,
        "reference_group": strand.reference,
    }
    if measure.kind == "population_rate":
        residents = _residents(population, code, strand, group)
        if not residents:
            note = (
                "no population estimates loaded"
                if population is None
                else "no residents in the population estimates for this group"
                if group not in UNDESCRIBED
                else "not a group of residents"
            )
            return EqualityRow(**base, denominator=None, rate=None, rate_lower=None,
                               rate_upper=None, note=note), None  # fmt: skip
        exposure = residents * years
        low, high = ratios.rate_interval(numerator, exposure, per=PER)
        row = EqualityRow(
            **base,
            denominator=residents,
            rate=numerator / exposure * PER,
            rate_lower=low,
            rate_upper=high,
        )
        return row, (numerator, exposure)
    denominator = int(found.denominator or 0) if found else 0
    interval = wilson_interval(numerator, denominator) if numerator <= denominator else None
    row = EqualityRow(
        **base,
        denominator=denominator,
        rate=numerator / denominator if denominator else None,
        rate_lower=interval[0] if interval else None,
        rate_upper=interval[1] if interval else None,
    )
    return row, (numerator, denominator) if denominator else None


def _ratio(
    measure: Measure, group: tuple[float, float], ref: tuple[float, float], confidence: float
) -> ratios.Ratio:
    if measure.kind == "population_rate":
        return ratios.rate_ratio(int(group[0]), group[1], int(ref[0]), ref[1], confidence)
    return ratios.proportion_ratio(
        int(group[0]), int(group[1]), int(ref[0]), int(ref[1]), confidence
    )


def _groups_seen(counts: Mapping[Key, IndicatorResult]) -> dict[tuple[str, str], set[str]]:
    """(cut, indicator) -> the groups the engine saw."""
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _, cut, group, indicator in counts:
        seen[(cut, indicator)].add(group)
    return seen


def analyse(
    con: Any,
    family: str,
    period: Period,
    population: PopulationView | None = None,
    *,
    population_note: str | None = None,
) -> EqualityAnalysis:
    """The equality analysis of one family and period from a store (a DuckDB connection or
    an Ibis backend): every borough with records, and London."""
    if family not in defs.FAMILIES:
        raise ValueError(f"unknown family {family}; choose from {', '.join(defs.FAMILIES)}")
    counts, monthly = _counts(con, family, period)
    names = {a.code: a.name for a in reference.areas()}
    codes = sorted({k[0] for k in counts if k[0] in names})
    areas = [(c, names[c]) for c in codes] + [(FORCE_CODE, LONDON_NAME)]
    years = _years(period)
    seen_groups = _groups_seen(counts)

    rows: list[EqualityRow] = []
    compare_with: list[tuple[int, Measure, tuple[float, float], tuple[float, float]]] = []
    for area in areas:
        for measure in MEASURES.values():
            for _role, strand, cut in measure.cuts():
                seen = seen_groups[(cut, measure.indicator)]
                groups = [*strand.groups, *(g for g in UNDESCRIBED if g in seen)]
                built = {
                    g: _rate_row(measure, family, area, cut, strand, g, counts, population, years)
                    for g in groups
                }
                _, ref_basis = built[strand.reference]
                for g in groups:
                    row, basis = built[g]
                    if g == strand.reference:
                        row = replace(row, ratio=1.0 if ref_basis else None)
                    elif g in UNDESCRIBED or basis is None or ref_basis is None:
                        pass
                    else:
                        result = _ratio(measure, basis, ref_basis, ratios.CONFIDENCE)
                        row = replace(
                            row,
                            ratio=_finite(result.ratio),
                            ratio_lower_95=result.lower,
                            ratio_upper_95=_finite(result.upper),
                            p_value=result.p_value if result.ratio is not None else None,
                            method=result.method,
                        )
                        if row.p_value is not None:
                            compare_with.append((len(rows), measure, basis, ref_basis))
                    rows.append(row)

    correction = ratios.benjamini_hochberg([rows[i].p_value for i, *_ in compare_with])
    adjusted = correction.adjusted_confidence
    for (i, measure, basis, ref_basis), q, selected in zip(
        compare_with, correction.q_values, correction.significant, strict=True
    ):
        wide = _ratio(measure, basis, ref_basis, adjusted)
        rows[i] = replace(
            rows[i],
            q_value=q,
            adjusted_lower=wide.lower,
            adjusted_upper=_finite(wide.upper),
            disproportionate=bool(selected),
        )
    summary = CorrectionSummary(
        correction.method, correction.rate, correction.tested, correction.selected, adjusted
    )
    notes = [RECORDED_NOTE]
    if population is None:
        notes.append(
            "No population estimates are loaded (dsvb import-population FILE): rates per "
            "1,000 residents cannot be given."
        )
    else:
        if population.synthetic:
            notes.append(
                f"The population is synthetic ({population.source}): rates per 1,000 "
                "residents illustrate the method and describe no real place."
            )
        if population_note:
            notes.append(population_note)
    recording = rec.recording_quality(family, period, monthly, dict(areas))
    return EqualityAnalysis(
        family=family,
        period=period,
        rows=tuple(rows),
        recording=recording,
        correction=summary,
        population_year=population.year if population else None,
        population_source=population.source if population else None,
        population_synthetic=bool(population and population.synthetic),
        notes=tuple(notes),
        areas=tuple(areas),
    )


def _finite(value: float | None) -> float | None:
    """Infinity (a ratio over a zero reference) is reported as unknown: JSON and CSV have
    no infinity, and "no upper limit" is what it means."""
    if value is None or math.isinf(value) or math.isnan(value):
        return None
    return value


def analyse_store(con: Any, family: str, period: Period) -> EqualityAnalysis:
    """:func:`analyse` with the population estimates held in the store for the period."""
    from dsvb.equality import population as pop

    held = pop.years_held(con)
    estimates, note = None, None
    if held:
        year, note = pop.year_for(held, period.start, period.end)
        estimates = pop.population(con, year)
    return analyse(con, family, period, estimates, population_note=note)


# --- output -----------------------------------------------------------------------------------


def records(analysis: EqualityAnalysis) -> list[dict[str, Any]]:
    return [r.record() for r in analysis.rows]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(round(value, 10))
    return str(value)


def to_csv(analysis: EqualityAnalysis) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records(analysis):
        writer.writerow([_cell(record.get(c)) for c in COLUMNS])
    return out.getvalue()


def to_json(analysis: EqualityAnalysis) -> str:
    document = {
        "family": analysis.family,
        "period": {
            "start": analysis.period.start.isoformat(),
            "end": analysis.period.end.isoformat(),
        },
        "population": {
            "year": analysis.population_year,
            "source": analysis.population_source,
            "synthetic": analysis.population_synthetic,
        },
        "correction": asdict(analysis.correction),
        "notes": list(analysis.notes),
        "rows": records(analysis),
        "recording": [r.record() for r in analysis.recording],
    }
    return json.dumps(document, indent=2, default=str) + "\n"


def rows_of(rows: Iterable[EqualityRow], *, measure: str, strand: str) -> list[EqualityRow]:
    return [r for r in rows if r.measure == measure and r.strand == strand]


def strands_in(rows: Sequence[EqualityRow], measure: str) -> list[str]:
    return list(dict.fromkeys(r.strand for r in rows if r.measure == measure))
