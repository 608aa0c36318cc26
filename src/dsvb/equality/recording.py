"""Recording quality: how often a strand is "not recorded", per area and month.

The 2010 annual report found LGBT cases "largely unrecorded" and disability recording much
improved, without a figure per borough. Here each is a share with an interval: victims
(or suspects) whose ethnicity, disability, sexual orientation, sex or age is not recorded,
out of all victims (suspects) in the period, counted once each; and crimes whose own LGBT
flag is not recorded, out of all confirmed crimes. Boroughs are compared with London by
the same funnel method as the indicators (:func:`dsvb.indicators.comparison.compare`:
exact binomial limits, widened when boroughs vary more than chance allows), so a borough
"above the 99.8% limit" records that strand worse than London beyond doubt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dsvb.equality.strands import STRANDS
from dsvb.indicators import comparison
from dsvb.indicators.model import Period
from dsvb.indicators.periods import month_label, months_of
from dsvb.indicators.results import FORCE_CODE, IndicatorResult
from dsvb.indicators.sources import NO_ONE, NOT_RECORDED
from dsvb.indicators.statistics import wilson_interval

CRIME_FLAG = "lgbt_flag"  # the crime's own LGBT flag (crimes.lgbt)

# The series measured, in display order: the engine's cut and what is counted.
SERIES: dict[str, str] = {
    **{
        f"{role}_{s}": f"{role}s"
        for role in ("victim", "suspect")
        for s in ("ethnicity", "disability", "lgbt", "sex", "age_band")
    },
    CRIME_FLAG: "offences",
}


def series_label(cut: str) -> str:
    if cut == CRIME_FLAG:
        return "Crime's LGBT flag"
    role, _, strand = cut.partition("_")
    label = STRANDS[strand].label
    return f"{role.capitalize()}'s {label[0].lower()}{label[1:]}"


@dataclass(frozen=True)
class RecordingRow:
    """The share not recorded for one series in one area, for the period (``month`` None)
    or one month of it. ``flag`` is the funnel judgement against London (period rows of
    boroughs only)."""

    area_code: str
    area_name: str
    family: str
    strand: str  # the engine's cut, or lgbt_flag
    month: str | None
    not_recorded: int
    total: int
    share: float | None
    lower: float | None
    upper: float | None
    flag: str | None = None
    limit_lower_998: float | None = None
    limit_upper_998: float | None = None

    @property
    def label(self) -> str:
        return series_label(self.strand)

    @property
    def counted(self) -> str:
        return SERIES[self.strand]

    @property
    def flag_label(self) -> str:
        return comparison.Flag(self.flag).label if self.flag else ""

    def record(self) -> dict[str, Any]:
        return {
            "area_code": self.area_code,
            "area_name": self.area_name,
            "family": self.family,
            "strand": self.strand,
            "counted": self.counted,
            "month": self.month,
            "not_recorded": self.not_recorded,
            "total": self.total,
            "share": self.share,
            "share_lower_95": self.lower,
            "share_upper_95": self.upper,
            "flag": self.flag,
        }


RECORDING_COLUMNS = (
    "area_code",
    "area_name",
    "family",
    "strand",
    "counted",
    "month",
    "not_recorded",
    "total",
    "share",
    "share_lower_95",
    "share_upper_95",
    "flag",
)


def _row(
    area: tuple[str, str], family: str, cut: str, month: str | None, missing: int, total: int
) -> RecordingRow:
    interval = wilson_interval(missing, total) if total else None
    return RecordingRow(
        area[0],
        area[1],
        family,
        cut,
        month,
        missing,
        total,
        missing / total if total else None,
        interval[0] if interval else None,
        interval[1] if interval else None,
    )


def recording_quality(
    family: str,
    period: Period,
    results: Iterable[IndicatorResult],
    areas: Mapping[str, str],
) -> tuple[RecordingRow, ...]:
    """Rows for every series, area (and London, ``ALL``) and month, and the period, from
    people counts cut by (area, month, strand). A record with nobody in the role (a crime
    whose suspect was never identified) is neither recorded nor not recorded: left out."""
    months = months_of(period)
    # (cut, area, month) -> [not recorded, total]
    tally: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        cut = next((c for c, _ in r.cuts if c in SERIES), None)
        if cut is None:
            continue
        group = r.cut(cut)
        if group == NO_ONE:
            continue
        n = int(r.numerator or 0)
        month = r.cut("month") or ""
        for area in (r.area_code, FORCE_CODE):
            cell = tally[(cut, area, month)]
            cell[0] += n if group == NOT_RECORDED else 0
            cell[1] += n
    out: list[RecordingRow] = []
    ordered = [*(c for c in areas if c != FORCE_CODE), FORCE_CODE]
    for cut in SERIES:
        period_rows: dict[str, RecordingRow] = {}
        for code in ordered:
            name = areas.get(code, code)
            missing = sum(tally[(cut, code, m)][0] for m in months)
            total = sum(tally[(cut, code, m)][1] for m in months)
            period_rows[code] = _row((code, name), family, cut, None, missing, total)
        london = period_rows[FORCE_CODE]
        boroughs = [period_rows[c] for c in ordered if c != FORCE_CODE and period_rows[c].total]
        if london.share is not None and boroughs:
            judged = comparison.compare(
                [
                    comparison.AreaCounts(b.area_code, b.area_name, b.not_recorded, b.total)
                    for b in boroughs
                ],
                london.share,
            )
            for b, j in zip(boroughs, judged.areas, strict=True):
                limits = j.limits
                period_rows[b.area_code] = RecordingRow(
                    **{
                        **b.__dict__,
                        "flag": j.flag.value,
                        "limit_lower_998": limits.lower_998 if limits else None,
                        "limit_upper_998": limits.upper_998 if limits else None,
                    }
                )
        for code in ordered:
            out.append(period_rows[code])
            name = areas.get(code, code)
            for m in months:
                missing, total = tally[(cut, code, m)]
                out.append(_row((code, name), family, cut, m, missing, total))
    return tuple(out)


def month_name(month: str) -> str:
    return month_label(month)
