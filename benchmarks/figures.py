"""What the benchmark computes, stated once for all three implementations.

The benchmark query is *all indicators by area* for the 12 months 2009-12-01 to
2010-12-01 (Europe/London dates), every crime family, a 12-month repeat-victim look-back.

The baselines do not reuse the engine's definitions: each computes named *counts* with its
own code, and :data:`INDICATORS` below — written out again from the board's indicator
table (``DOMAIN.md``) — turns counts into numerator / denominator pairs. So the three-way
comparison checks the engine's wiring of indicators to counts as well as the counts.

Figures are keyed ``(area_code, family, indicator)`` with ``(numerator, denominator)``
values (``None`` denominator for a bare count); ``area_code`` ``"ALL"`` is the force row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dsvb import reference
from dsvb.indicators.results import IndicatorResult
from dsvb.ingest.extract_format import CONTACT_REASONS

FORCE_ROW = "ALL"
PERIOD_START = dt.date(2009, 12, 1)
PERIOD_END = dt.date(2010, 12, 1)
WINDOW_MONTHS = 12
FAMILIES = ("dv", "serious_sexual", "sexual", "other_sexual")

Key = tuple[str, str, str]  # (area_code, family, indicator)
Value = tuple[int, int | None]  # (numerator, denominator)
Figures = dict[Key, Value]
# Counts as the baselines produce them: (area_code, family, count) -> value
Counts = dict[tuple[str, str, str], int]


def _utc(day: dt.date) -> dt.datetime:
    local = dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Europe/London"))
    return local.astimezone(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Params:
    """The instants and rule lists the baselines need (UTC timestamps without zone)."""

    start: dt.datetime
    end: dt.datetime
    since: dt.datetime  # start of the repeat-victim look-back
    sanction_outcomes: tuple[str, ...]
    sexual_groups: tuple[str, ...]
    window_months: int = WINDOW_MONTHS


def params() -> Params:
    since = dt.date(PERIOD_START.year - WINDOW_MONTHS // 12, PERIOD_START.month, 1)
    assert WINDOW_MONTHS % 12 == 0 and PERIOD_START.day == 1
    return Params(
        start=_utc(PERIOD_START),
        end=_utc(PERIOD_END),
        since=_utc(since),
        sanction_outcomes=reference.sanction_detection_outcomes(PERIOD_START, PERIOD_END),
        sexual_groups=reference.sexual_offence_groups(),
    )


# --- the indicators, from the board's table ------------------------------------------------

DV_ONLY = ("dv",)
SERIOUS_SEXUAL_ONLY = ("serious_sexual",)


@dataclass(frozen=True)
class Ind:
    id: str
    numerator: str
    denominator: str | None = None
    families: tuple[str, ...] = FAMILIES


INDICATORS: tuple[Ind, ...] = (
    Ind("incidents", "incidents"),
    Ind("offences", "offences"),
    Ind("victims", "victims"),
    Ind("suspects", "suspects"),
    Ind("crime_conversion", "offences", "incidents"),
    Ind("sanction_detections", "sanction_detections"),
    Ind("sd_rate", "sanction_detections", "offences"),
    Ind("charge_rate", "charges", "offences"),
    Ind("caution_share", "cautions", "sanction_detections"),
    Ind("caution_rate", "cautions", "offences"),
    Ind("other_sd", "other_sds"),
    Ind("arrest_rate_offences", "offences_with_arrest", "offences"),
    Ind("arrest_rate_incidents", "incidents_with_arrest", "incidents", DV_ONLY),
    Ind("arrest_rate_suspect_present", "arrests_suspect_present", "incidents_suspect_present"),
    Ind("repeat_victim_rate", "repeat_victims", "victims"),
    Ind("offences_per_repeat_victim", "offences_against_repeat_victims", "repeat_victims"),
    Ind("repeat_victim_offences", "repeat_offences"),
    Ind("repeat_caution_offenders", "repeat_caution_offenders"),
    Ind("risk_form_completion", "risk_forms_completed", "offences", DV_ONLY),
    Ind("risk_form_supervision", "risk_forms_supervised", "risk_forms", DV_ONLY),
    Ind("cad_to_cris", "incidents_compliant", "incidents", DV_ONLY),
    Ind("no_crime_rate", "no_crimes", "incidents"),
    Ind("cri_rate", "cris", "incidents"),
    Ind("havens_referral_rate", "havens_referrals", "incidents", SERIOUS_SEXUAL_ONLY),
    Ind("vcop_compliance", "contacts_on_time", "contacts_due"),
    *(
        Ind(f"vcop_compliance_{r}", f"contacts_on_time_{r}", f"contacts_due_{r}")
        for r in CONTACT_REASONS
    ),
    Ind("unsupported_prosecutions", "unsupported_prosecutions"),
    Ind("attrition_rate", "withdrawn_after_charge", "charges"),
    Ind("hbv_fm_crimes", "hbv_fm_crimes"),
    Ind("fgm_crimes", "fgm_crimes"),
    Ind("lgbt_flagged", "lgbt_flagged"),
    Ind("dv_and_serious_sexual", "dv_and_serious_sexual"),
    Ind("homicides", "homicides"),
    Ind("front_counter_share", "front_counter_incidents", "incidents"),
)


def assemble(counts: Counts, force_counts: Counts | None = None) -> Figures:
    """Indicator figures for every area of the forces seen, and the force row.

    ``counts`` are per area; every area of a force present in the data is shown (with
    zeros where it has no records). The force row is ``force_counts`` when given (an
    independent total), else the sum over areas.
    """
    seen = {area for area, _, _ in counts}
    registry = list(reference.areas())
    forces = {a.force_code for a in registry if a.code in seen}
    areas = sorted(seen | {a.code for a in registry if a.force_code in forces})
    if force_counts is None:
        force_counts = {}
        for (_, family, count), value in counts.items():
            key = (FORCE_ROW, family, count)
            force_counts[key] = force_counts.get(key, 0) + value
    merged = {**counts, **force_counts}
    figures: Figures = {}
    for area in (*areas, FORCE_ROW):
        for family in FAMILIES:
            for ind in INDICATORS:
                if family not in ind.families:
                    continue
                num = int(merged.get((area, family, ind.numerator), 0))
                den = (
                    None
                    if ind.denominator is None
                    else int(merged.get((area, family, ind.denominator), 0))
                )
                figures[(area, family, ind.id)] = (num, den)
    return figures


def from_results(results: Iterable[IndicatorResult]) -> Figures:
    """Figures from the engine's results (by area only: no other cuts)."""
    figures: Figures = {}
    for r in results:
        key = (r.area_code, r.family, r.indicator)
        if r.cuts or key in figures:
            raise AssertionError(f"the engine returned {key} {r.cuts} more than once")
        figures[key] = (r.numerator, r.denominator)  # type: ignore[assignment]
    return figures


@dataclass(frozen=True)
class Difference:
    key: Key
    values: dict[str, Value | None]

    def __str__(self) -> str:
        area, family, indicator = self.key
        shown = ", ".join(f"{name} {value}" for name, value in self.values.items())
        return f"{area} {family} {indicator}: {shown}"


def differences(figures: Mapping[str, Figures]) -> list[Difference]:
    """Every key where the implementations disagree (or one lacks the key)."""
    keys = sorted(set().union(*(f.keys() for f in figures.values())))
    out = []
    for key in keys:
        values = {name: f.get(key) for name, f in figures.items()}
        if len({repr(v) for v in values.values()}) > 1:
            out.append(Difference(key, values))
    return out


class Disagreement(AssertionError):
    """The implementations do not produce the same figures."""

    def __init__(self, diffs: list[Difference], total: int, limit: int = 40) -> None:
        self.diffs = diffs
        shown = "\n".join(f"  - {d}" for d in diffs[:limit])
        more = f"\n  ... and {len(diffs) - limit} more" if len(diffs) > limit else ""
        super().__init__(
            f"the implementations disagree on {len(diffs)} of {total} figures "
            f"(area family indicator: implementation (numerator, denominator)):\n{shown}{more}"
        )


def assert_agree(figures: Mapping[str, Figures]) -> int:
    """Raise :class:`Disagreement` unless every implementation has the same figures;
    return the number of figures compared."""
    total = len(set().union(*(f.keys() for f in figures.values())))
    diffs = differences(figures)
    if diffs:
        raise Disagreement(diffs, total)
    return total
