"""Synthetic demo extract, calibrated to the published London figures (12 months to
November 2010).

``generate_extract`` writes a folder in the dsvb extract format (``incidents.csv``,
``crimes.csv``, ``people.csv``, ``crime_people.csv``, ``victim_contacts.csv`` and a
``manifest.json``). Everything is drawn, fully vectorised, from one
``numpy.random.Generator(PCG64(seed))`` in a fixed order, and the CSV files are written
by DuckDB from Arrow tables in a fixed row order, so the same seed and parameters give
byte-identical files.

Scale: ``scale = incidents / (122,049 DV + 13,263 sexual-offence incidents)``. Incidents
are allotted to families and boroughs in proportion to the published volumes (largest
remainder, so ``incidents.csv`` has exactly the requested number of rows); every other
rate is drawn record by record with the probability of the record's family and borough
(see :mod:`dsvb.demo.calibration`), so the published rates hold in expectation.

Date-times are local (Europe/London) without an offset. None is generated inside the hour
that does not exist when the clocks go forward. A Victims' Code deadline (``due_at``) is the
end (23:59:59) of the working day it falls on, counting working days (England and Wales
bank holidays excluded) from the working day of the event, with the limits of the edition of
the Code in force (``dsvb.reference.victims_code``; every demo victim gets the enhanced
service).

Ids are opaque: ``INC``/``CRM`` numbered in time order, ``P`` numbered at random. About 1%
of incident and crime rows give the area as a name or a known variant instead of the ONS
code, to exercise the importer's normalisation.

People's identifiers (format 2; ``identifiers=False`` writes a format 1 extract without
them) are drawn after everything else, from their own generator seeded by ``seed``, so the
other columns are the same with or without them. Each person id is one record of a true
person (:mod:`dsvb.demo.identities`), recorded with that module's errors; about
``SAME_PERSON_SHARE`` of the ids of DV victims and suspects are a second id of a person
already in the extract (of the same sex and birth year, in whatever borough their crime
was: the repeat victimisation the recorded ids hide), and a few pairs of different people
are twins (same surname, date of birth and postcode) or namesakes (same names and date of
birth). ``truth`` writes which true person each person id is and their planted hard case
(``record_id,true_person,hard_case``), for measuring linkage; it is not part of the extract.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import duckdb
import numpy as np
import pyarrow as pa

from dsvb import reference
from dsvb.demo import calibration as cal_mod
from dsvb.demo import identities as ids_mod
from dsvb.demo.calibration import (
    DV,
    F_CONFIRMED,
    F_CRI,
    F_HOMICIDE,
    F_NO_CRIME,
    F_REASON,
    HOMICIDE,
    OUTCOME_INDEX,
    SCD2,
    Calibration,
)
from dsvb.ingest import extract_format as fmt
from dsvb.linkage.records import EXTRACT
from dsvb.reference import victims_code

__all__ = ["GENERATOR_VERSION", "GenerationSummary", "generate_extract"]

# Bump when the output for a given seed changes (new calibration, new columns, new draws).
GENERATOR_VERSION = "3"  # 2: people's identifiers (format 2) and the truth; 3: real twin and
# namesake rates, the truth's hard_case

DAY = 86_400
HOUR = 3_600
_EPOCH = dt.date(1970, 1, 1)

ID_PREFIX = {"incident_id": "INC", "crime_id": "CRM", "person_id": "P"}
ID_DIGITS = 9

# Share of incident and crime rows that give the area as a name or a variant rather than
# the ONS code, so that the importer's normalisation is exercised.
AREA_NAME_SHARE = 0.01

# Of the ids of DV victims and suspects (with a sex and birth year), the share that are
# another id of a person already in the extract; and of the other pairs of people of the
# same sex and birth year, the share made twins and namesakes (linkage's hard cases).
# Twins and namesakes are kept near real rates (decision 0045's addendum): about 3% of
# people are a twin (some 15 multiple births per 1,000 maternities in England and Wales),
# two thirds of twin pairs are of one sex, and a co-twin is in the same DV extract for at
# most about one in ten of them: some 0.2% of people. Two different people with the same
# given name, surname and full date of birth are rarer still (the same day of the year is
# 1 in 365, the same full name among real names well under 1 in 10,000): essentially none
# among 100,000 people; the invented names, far fewer than real ones, already make some by
# chance, and 0.05% more are planted so that every demo has the hard case. At 1% each (as
# before) they outnumbered the same-person pairs whose pattern they share (same name and
# date of birth, another borough) one to six, and linkage's precision measured them.
SAME_PERSON_SHARE = 0.08
TWIN_SHARE = 0.002
MARRIED_SHARE = 0.25  # of women under two ids: a surname changed by marriage
NAMESAKE_SHARE = 0.0005

# When reports arrive: weekday factors (Monday first), hour-of-day weights, seasonality.
DV_WEEKDAY = (1.05, 0.95, 0.93, 0.93, 1.00, 1.12, 1.15)
SEXUAL_WEEKDAY = (0.95, 0.90, 0.90, 0.92, 1.00, 1.20, 1.20)
DV_HOURS = (5.5, 4.5, 3.5, 2.5, 1.8, 1.3, 1.2, 1.5, 2.2, 2.8, 3.2, 3.5,
            3.8, 3.9, 4.0, 4.3, 4.7, 5.2, 5.8, 6.3, 6.8, 7.0, 7.0, 6.5)  # fmt: skip
SEXUAL_HOURS = (6.0, 6.0, 5.5, 4.5, 3.5, 2.5, 1.8, 1.8, 2.2, 2.8, 3.2, 3.4,
                3.6, 3.7, 3.8, 4.0, 4.2, 4.4, 4.6, 4.9, 5.2, 5.5, 5.8, 6.0)  # fmt: skip
SEASON_AMPLITUDE = {"dv": 0.06, "sexual": 0.04}  # peak in mid July
SPECIAL_DAYS = {(12, 25): 1.3, (12, 26): 1.15, (1, 1): 1.6}
# England's matches in the 2010 World Cup (DV calls rose on match days).
WORLD_CUP_2010 = ("2010-06-12", "2010-06-18", "2010-06-23", "2010-06-27")
WORLD_CUP_FACTOR = 1.25

# Delays, as (median in hours, sigma of the log).
RECORDING_DELAY = {"dv": (3.0, 1.3), "sexual": (12.0, 1.6)}
ARREST_DELAY = (2.0, 1.5)
OUTCOME_DELAY = {
    "charge": 20.0,
    "caution": 12.0,
    "tic": 48.0,
    "penalty_notice": 24.0,
    "cannabis_warning": 24.0,
    "community_resolution": 120.0,
    "no_further_action": 240.0,
    "victim_declined": 168.0,
    "evidential_difficulties": 720.0,
    "suspect_not_identified": 1080.0,
}
OUTCOME_SIGMA = 1.0
SEXUAL_OUTCOME_FACTOR = 4.0
OUTCOME_HORIZON_MONTHS = 6  # outcomes are known up to 6 months after the period
RELEASE_DELAY_HOURS = (4.0, 20.0)
LATE_CONTACT_MEAN_DAYS = 2.0
UPDATE_INTERVAL_DAYS = 30

NON_COURT_DISPOSALS = (
    "caution",
    "tic",
    "penalty_notice",
    "cannabis_warning",
    "community_resolution",
)

ProgressFn = Callable[[str], None]


@dataclass(frozen=True)
class GenerationSummary:
    """What was generated: the parameters and the number of rows of each file."""

    out_dir: Path
    incidents: int
    seed: int
    start: dt.date
    months: int
    end: dt.date
    scale: float
    row_counts: Mapping[str, int] = field(default_factory=dict)  # by file name, no .csv

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(f"{name}.csv" for name in self.row_counts)


# --- small helpers -------------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (nxt - dt.timedelta(days=1)).day))


def _secs(day: dt.date) -> int:
    return (day - _EPOCH).days * DAY


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` in proportion to ``weights`` (largest remainder, deterministic)."""
    flat = weights.ravel().astype(np.float64)
    exact = flat / flat.sum() * total
    base = np.floor(exact).astype(np.int64)
    short = int(total - base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:short]] += 1
    return base.reshape(weights.shape)


def _order(*keys: np.ndarray, unique: bool = False) -> np.ndarray:
    """Row order by ``keys`` (most significant first), ties by position.

    The keys are combined into one unique integer so that the order does not depend on
    the sort algorithm (numpy picks one by CPU): the files stay byte-identical anywhere.
    """
    n = len(keys[0])
    parts = [np.asarray(k, dtype=np.int64) for k in keys]
    if not unique:
        parts.append(np.arange(n, dtype=np.int64))
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    combined = np.zeros(n, dtype=np.int64)
    total = 1
    for part in parts:
        lo = int(part.min())
        span = int(part.max()) - lo + 1
        total *= span
        if total >= 2**62:
            return np.lexsort(tuple(reversed(parts)))
        combined = combined * span + (part - lo)
    return np.argsort(combined)


def _lookup(table: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``table[index]`` where ``index >= 0``, else -1."""
    out = np.full(len(index), -1, dtype=np.int64)
    ok = index >= 0
    out[ok] = table[index[ok]]
    return out


def _draw(rng: np.random.Generator, table: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """One categorical draw per row from the probability row ``table[cell]``."""
    cum = np.cumsum(table, axis=1)
    total = cum[:, -1:]
    cum = np.divide(cum, total, out=np.ones_like(cum), where=total > 0)
    u = rng.random(len(cell))
    out = np.zeros(len(cell), dtype=np.int8)
    for k in range(table.shape[1] - 1):
        out += u >= cum[cell, k]
    return out


def _lognormal_secs(
    rng: np.random.Generator, n: int, median_hours: float | np.ndarray, sigma: float
) -> np.ndarray:
    hours = np.asarray(median_hours) * np.exp(sigma * rng.standard_normal(n))
    return np.rint(hours * HOUR).astype(np.int64)


def _spring_forward_days(first_year: int, last_year: int) -> np.ndarray:
    """Days (since the epoch) when the clocks go forward: last Sunday of March."""
    days = []
    for year in range(first_year, last_year + 1):
        last = dt.date(year, 3, 31)
        sunday = last - dt.timedelta(days=(last.weekday() + 1) % 7)
        days.append((sunday - _EPOCH).days)
    return np.array(days, dtype=np.int64)


def _fix_dst(secs: np.ndarray, gap_days: np.ndarray) -> np.ndarray:
    """Move local times in the missing hour (01:00-02:00 on spring-forward day) on by an
    hour, as a clock would."""
    mask = ((secs % DAY) // HOUR == 1) & np.isin(secs // DAY, gap_days)
    if mask.any():
        secs = secs.copy()
        secs[mask] += HOUR
    return secs


def _day_weights(start: dt.date, n_days: int, kind: str) -> np.ndarray:
    days = np.arange(n_days)
    dates = np.datetime64(start.isoformat(), "D") + days
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    w = np.array(DV_WEEKDAY if kind == "dv" else SEXUAL_WEEKDAY)[weekday]
    doy = (dates - dates.astype("datetime64[Y]")).astype(np.int64)
    w = w * (1 + SEASON_AMPLITUDE[kind] * np.cos(2 * np.pi * (doy - 196) / 365.25))
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    for (m, d), factor in SPECIAL_DAYS.items():
        w = np.where((month == m) & (dom == d), w * factor, w)
    if kind == "dv":
        w = np.where(
            np.isin(dates, np.array(WORLD_CUP_2010, "datetime64[D]")), w * WORLD_CUP_FACTOR, w
        )
    return w / w.sum()


def _times(rng: np.random.Generator, n: int, start: dt.date, n_days: int, kind: str) -> np.ndarray:
    """Report times over the period with a weekly, daily and seasonal pattern."""
    day = np.searchsorted(np.cumsum(_day_weights(start, n_days, kind)), rng.random(n))
    day = np.minimum(day, n_days - 1)
    hours = np.array(DV_HOURS if kind == "dv" else SEXUAL_HOURS)
    hour = np.searchsorted(np.cumsum(hours / hours.sum()), rng.random(n))
    hour = np.minimum(hour, 23)
    return _secs(start) + day * DAY + hour * HOUR + rng.integers(0, HOUR, n)


def _within(rng: np.random.Generator, base: np.ndarray, later: np.ndarray, end: int) -> np.ndarray:
    """``later``, or a time between ``base`` and ``end`` where ``later`` would pass ``end``."""
    over = later >= end
    if over.any():
        later = later.copy()
        span = end - base[over]
        later[over] = base[over] + np.floor(rng.random(int(over.sum())) * span).astype(np.int64)
    return later


def _area_dictionary() -> tuple[list[str], list[np.ndarray]]:
    """Area strings: the ONS codes first, then names and variants of each borough.

    Returns the dictionary and, per borough, the indices of its names and variants.
    """
    registry = reference.areas()
    calibration = cal_mod.calibration()
    codes = list(calibration.area_codes)
    extra: dict[str, list[str]] = {c: [] for c in codes}
    variants = resources.files("dsvb.reference").joinpath("data", "area_variants.csv")
    for row in csv.DictReader(variants.read_text(encoding="utf-8").splitlines()):
        if row["area_code"] in extra:
            extra[row["area_code"]].append(row["variant"])
    strings = list(codes)
    per_area: list[np.ndarray] = []
    for code in codes:
        name = registry.by_code(code).name
        candidates = [
            name,
            name.lower(),
            name.upper(),
            name.replace(" and ", " & "),
            name.replace(" upon ", " Upon "),
            *extra[code],
        ]
        mine = []
        for value in dict.fromkeys(candidates):
            match = registry.match(value)
            if match.area is None or match.area.code != code or match.how == "similar":
                raise ValueError(f"area variant {value!r} does not read as {code}")
            if value not in strings:
                strings.append(value)
            mine.append(strings.index(value))
        per_area.append(np.array(mine, dtype=np.int16))
    return strings, per_area


def _area_column(
    rng: np.random.Generator, borough: np.ndarray, per_area: list[np.ndarray]
) -> np.ndarray:
    idx = borough.astype(np.int16)
    named = rng.random(len(borough)) < AREA_NAME_SHARE
    pick = rng.random(int(named.sum()))
    if named.any():
        nb = borough[named]
        sizes = np.array([len(a) for a in per_area])
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        flat = np.concatenate(per_area)
        choice = offsets[nb] + np.minimum((pick * sizes[nb]).astype(np.int64), sizes[nb] - 1)
        idx[named] = flat[choice]
    return idx


# --- the generator -------------------------------------------------------------------------


def generate_extract(
    out_dir: Path,
    *,
    incidents: int,
    seed: int,
    start: dt.date = dt.date(2009, 12, 1),
    months: int = 12,
    progress: ProgressFn | None = None,
    identifiers: bool = True,
    truth: Path | None = None,
) -> GenerationSummary:
    """Write a synthetic extract of ``incidents`` incidents to ``out_dir``, with people's
    identifiers unless ``identifiers`` is false; ``truth``: also write there each person
    id's true person (a CSV file, not part of the extract; needs ``identifiers``).

    The same ``seed`` and parameters always give byte-identical files.
    """
    if truth is not None and not identifiers:
        raise ValueError("the truth is of the identifiers: it needs identifiers=True")
    if incidents < 1:
        raise ValueError("incidents must be at least 1")
    if months < 1:
        raise ValueError("months must be at least 1")
    if seed < 0:
        raise ValueError("seed must not be negative")
    first_code = min(r.valid_from for r in victims_code.deadline_rules())
    if start < first_code:
        raise ValueError(
            f"the period must start on or after {first_code.isoformat()}, when the first "
            "Victims' Code came into force: the demo's contact deadlines come from it"
        )
    say: ProgressFn = progress or (lambda _message: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    end = _add_months(start, months)

    calibration = cal_mod.calibration()
    rng = np.random.Generator(np.random.PCG64(seed))
    scale = incidents / calibration.real_incidents
    gen = _Generation(rng, calibration, start, end, scale)

    say(f"drawing {incidents:,} incidents")
    gen.incidents(incidents)
    say(f"drawing {gen.n_crimes:,} crimes")
    gen.crimes()
    gen.incident_arrests()
    say("drawing people")
    gen.people()
    say("drawing Victims' Code contacts")
    gen.contacts()
    if identifiers:
        say("drawing people's names, dates of birth and postcodes")
        gen.identifiers(seed)

    rows = gen.write(out_dir, say)
    summary = GenerationSummary(
        out_dir=out_dir,
        incidents=incidents,
        seed=seed,
        start=start,
        months=months,
        end=end,
        scale=scale,
        row_counts=MappingProxyType(rows),
    )
    _write_manifest(out_dir, summary, identifiers)
    if truth is not None:
        say(f"writing the truth to {truth}")
        gen.write_truth(Path(truth))
    say("done")
    return summary


def _write_manifest(out_dir: Path, summary: GenerationSummary, identifiers: bool) -> None:
    manifest = {
        "format_version": fmt.FORMAT_VERSION if identifiers else 1,
        "generator": "dsvb.demo.generator",
        "generator_version": GENERATOR_VERSION,
        "synthetic": True,
        "seed": summary.seed,
        "parameters": {
            "incidents": summary.incidents,
            "start": summary.start.isoformat(),
            "months": summary.months,
        },
        "period": {"start": summary.start.isoformat(), "end": summary.end.isoformat()},
        "timezone": "Europe/London",
        "scale": round(summary.scale, 9),
        "calibration": {
            "published": [
                "dv_by_borough_12m_to_2010-11.csv",
                "sexual_offences_by_unit_12m_to_2010-11.csv",
                "scd2_sexual_offences_2009-10_vs_2008-09.csv",
                "kingston_return_2006-07.csv",
                "vaw_headline_12m_to_2010-11.csv",
            ],
            "real_incidents": cal_mod.calibration().real_incidents,
            "profile_seed": cal_mod.PROFILE_SEED,
        },
        "files": {f"{name}.csv": {"rows": n} for name, n in summary.row_counts.items()},
    }
    if identifiers:
        manifest["identifiers"] = {
            "same_person_share": SAME_PERSON_SHARE,
            "twin_share": TWIN_SHARE,
            "namesake_share": NAMESAKE_SHARE,
            "error_rates": dataclasses.asdict(ids_mod.DEFAULT_RATES),
        }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (out_dir / "manifest.json").write_text(text, encoding="utf-8")


class _Generation:
    """The arrays of one extract, built stage by stage."""

    def __init__(
        self,
        rng: np.random.Generator,
        calibration: Calibration,
        start: dt.date,
        end: dt.date,
        scale: float,
    ) -> None:
        self.rng = rng
        self.cal = calibration
        self.start = start
        self.end = end
        self.scale = scale
        self.t0 = _secs(start)
        self.t1 = _secs(end)
        self.horizon = _secs(_add_months(end, OUTCOME_HORIZON_MONTHS))
        self.n_days = (end - start).days
        self.n_areas = calibration.n_areas
        self.gap_days = _spring_forward_days(start.year - 1, end.year + 2)
        self.area_strings, self.area_variants = _area_dictionary()
        years = range(start.year - 1, end.year + 3)
        self.busdays = victims_code.working_day_calendar(years)
        self.reasons = list(cal_mod.DV_NO_CRIME_REASONS + cal_mod.SEXUAL_NO_CRIME_REASONS)

    # --- incidents -------------------------------------------------------------------------

    def incidents(self, n: int) -> None:
        rng, cal, na = self.rng, self.cal, self.n_areas
        counts = _allocate(n, cal.incident_weight)
        cell = np.repeat(np.arange(counts.size), counts.ravel()).astype(np.int32)
        family = (cell // na).astype(np.int8)
        borough = (cell % na).astype(np.int16)
        is_dv = family == DV
        reported = np.empty(n, dtype=np.int64)
        reported[is_dv] = _times(rng, int(is_dv.sum()), self.start, self.n_days, "dv")
        reported[~is_dv] = _times(rng, int((~is_dv).sum()), self.start, self.n_days, "sexual")
        reported = _fix_dst(reported, self.gap_days)
        fate = _draw(rng, cal.fate_p.reshape(-1, cal.fate_p.shape[2]), cell)
        channel = _draw(rng, cal.channel_p.reshape(-1, cal.channel_p.shape[2]), cell)
        # reasons for incidents that needed no crime report
        has_reason = fate == F_REASON
        n_dv_reasons = len(cal_mod.DV_NO_CRIME_REASONS)
        n_sx_reasons = len(cal_mod.SEXUAL_NO_CRIME_REASONS)
        pick = rng.random(n)
        reason = np.where(
            is_dv,
            (pick * n_dv_reasons).astype(np.int16),
            n_dv_reasons + (pick * n_sx_reasons).astype(np.int16),
        ).astype(np.int16)
        self.inc = {
            "family": family,
            "borough": borough,
            "reported": reported,
            "fate": fate,
            "channel": channel,
            "reason": np.where(has_reason, reason, -1).astype(np.int16),
        }
        linked = np.flatnonzero(np.isin(fate, (F_CONFIRMED, F_NO_CRIME, F_CRI, F_HOMICIDE)))
        unlinked_counts = rng.poisson(cal.unlinked_crimes * self.scale)
        self.linked = linked
        self.unlinked_counts = unlinked_counts
        self.n_crimes = len(linked) + int(unlinked_counts.sum())

    # --- crimes ----------------------------------------------------------------------------

    def crimes(self) -> None:
        rng, cal, na, inc = self.rng, self.cal, self.n_areas, self.inc
        linked = self.linked
        ucell = np.repeat(np.arange(self.unlinked_counts.size), self.unlinked_counts.ravel())
        n_linked, n_unlinked = len(linked), len(ucell)
        c = n_linked + n_unlinked

        fate = inc["fate"][linked]
        family = np.concatenate([inc["family"][linked], (ucell // na).astype(np.int8)])
        family[:n_linked][fate == F_HOMICIDE] = HOMICIDE
        borough = np.concatenate([inc["borough"][linked], (ucell % na).astype(np.int16)])
        status = np.zeros(c, dtype=np.int8)  # index into fmt.STATUSES
        status[:n_linked][fate == F_NO_CRIME] = fmt.STATUSES.index("no_crime")
        status[:n_linked][fate == F_CRI] = fmt.STATUSES.index("cri")
        incident = np.concatenate([linked, np.full(n_unlinked, -1)]).astype(np.int64)
        confirmed = status == 0
        is_dv_family = np.isin(family, (DV, HOMICIDE))
        cell = family.astype(np.int32) * na + borough

        # recorded: hours to days after the report, never after the period
        base = np.concatenate(
            [
                inc["reported"][linked],
                _times(rng, n_unlinked, self.start, self.n_days, "sexual"),
            ]
        )
        dv_median, dv_sigma = RECORDING_DELAY["dv"]
        sx_median, sx_sigma = RECORDING_DELAY["sexual"]
        delay = np.where(
            is_dv_family,
            _lognormal_secs(rng, c, dv_median, dv_sigma),
            _lognormal_secs(rng, c, sx_median, sx_sigma),
        )
        delay[n_linked:] = 0
        recorded = _fix_dst(_within(rng, base, base + delay, self.t1), self.gap_days)

        group = _draw(rng, cal.offence_group_p, family)
        fgm = (family == DV) & (rng.random(c) < cal_mod.FGM_PER_DV_OFFENCE)
        group[fgm] = cal_mod.GROUP_INDEX["fgm"]
        serious = cal.serious_sexual[family, group]
        dv = rng.random(c) < cal.dv_flag_p[family]
        hbv = (family == DV) & (rng.random(c) < cal_mod.HBV)
        forced_marriage = (family == DV) & (rng.random(c) < cal_mod.FORCED_MARRIAGE)
        lgbt = (
            _draw(
                rng,
                np.array([[1 - sum(cal_mod.CRIME_LGBT), *cal_mod.CRIME_LGBT[::-1]]]),
                np.zeros(c, dtype=np.int8),
            ).astype(np.int8)
            - 1
        )
        # lgbt: -1 not recorded, 0 false, 1 true

        # risk forms on every DV crime record
        risk_form = np.where(dv, _draw(rng, cal.risk_form_p, borough), -1).astype(np.int8)
        has_form = (risk_form == 0) | (risk_form == 1)
        supervised = np.where(has_form, rng.random(c) < cal.risk_supervised_p[borough], False)
        risk_level = np.where(
            has_form, _draw(rng, cal.risk_level_p[None, :], np.zeros(c, dtype=np.int8)), -1
        ).astype(np.int8)

        # outcomes and arrests (confirmed crimes only)
        n_out = cal.outcome_p.shape[2]
        outcome = _draw(rng, cal.outcome_p.reshape(-1, n_out), cell)
        outcome = np.where(confirmed, outcome, -1).astype(np.int8)
        arrest_p = cal.arrest_p.reshape(-1, n_out)[cell, np.maximum(outcome, 0)]
        arrested = confirmed & (rng.random(c) < arrest_p)
        a_median, a_sigma = ARREST_DELAY
        arrested_at = recorded + _lognormal_secs(rng, c, a_median, a_sigma)
        arrested_at = _fix_dst(arrested_at, self.gap_days)

        pending = OUTCOME_INDEX["pending"]
        decided = confirmed & (outcome != pending)
        medians = np.zeros(n_out)
        for name, hours in OUTCOME_DELAY.items():
            medians[OUTCOME_INDEX[name]] = hours
        factor = np.where(is_dv_family, 1.0, SEXUAL_OUTCOME_FACTOR)
        start_from = np.where(arrested, np.maximum(arrested_at, recorded), recorded)
        outcome_at = start_from + _lognormal_secs(
            rng, c, medians[np.maximum(outcome, 0)] * factor, OUTCOME_SIGMA
        )
        outcome_at = _fix_dst(_within(rng, start_from, outcome_at, self.horizon), self.gap_days)

        charged = confirmed & (outcome == OUTCOME_INDEX["charge"])
        u = rng.random(c)
        unsupported_p = np.where(
            family == DV,
            cal_mod.UNSUPPORTED_PROSECUTION["dv"],
            cal_mod.UNSUPPORTED_PROSECUTION["other"],
        )
        unsupported = np.where(charged, (u < unsupported_p).astype(np.int8), -1).astype(np.int8)
        withdrawn_p = np.where(
            family == DV,
            cal_mod.WITHDRAWN_AFTER_CHARGE["dv"],
            np.where(
                group == cal_mod.GROUP_INDEX["rape"],
                cal_mod.WITHDRAWN_AFTER_CHARGE["rape"],
                cal_mod.WITHDRAWN_AFTER_CHARGE["other"],
            ),
        )
        withdrawn = np.where(charged, (rng.random(c) < withdrawn_p).astype(np.int8), -1)
        # Havens: SCD2 reports from incidents; others in the sexual families not referred
        havens = np.where(is_dv_family, -1, 0).astype(np.int8)
        scd2_linked = (family == SCD2) & (incident >= 0)
        havens[scd2_linked] = rng.random(int(scd2_linked.sum())) < cal.havens_p

        self.crm = {
            "family": family,
            "borough": borough,
            "status": status,
            "incident": incident,
            "recorded": recorded,
            "unit": np.array(
                [cal_mod.UNITS.index(cal_mod.FAMILY_UNIT[f]) for f in range(len(cal_mod.FAMILIES))],
                np.int8,
            )[family],
            "group": group,
            "dv": dv,
            "serious": serious,
            "hbv": hbv,
            "forced_marriage": forced_marriage,
            "fgm": fgm,
            "lgbt": lgbt,
            "risk_form": risk_form,
            "supervised": np.where(has_form, supervised.astype(np.int8), -1).astype(np.int8),
            "risk_level": risk_level,
            "arrested": arrested,
            "arrested_at": arrested_at,
            "outcome": outcome,
            "outcome_at": outcome_at,
            "decided": decided,
            "unsupported": unsupported,
            "withdrawn": withdrawn.astype(np.int8),
            "havens": havens,
        }
        crime_of_incident = np.full(len(inc["fate"]), -1, dtype=np.int64)
        crime_of_incident[linked] = np.arange(n_linked)
        self.inc["crime"] = crime_of_incident

    def incident_arrests(self) -> None:
        """Suspect present and arrest at DV incidents, consistent with the crime's arrest.

        Incidents whose confirmed crime has an arrest are arrests; those whose confirmed
        crime has none are not; the others are drawn so that, per borough and in
        expectation, ``SUSPECT_PRESENT`` of DV incidents had the suspect present and
        ``ARREST_IF_PRESENT`` / ``ARREST_IF_ABSENT`` of those were arrests.
        """
        rng, cal, inc, crm = self.rng, self.cal, self.inc, self.crm
        n = len(inc["fate"])
        crime = inc["crime"]
        has_crime = crime >= 0
        crime_confirmed = np.zeros(n, dtype=bool)
        crime_arrested = np.zeros(n, dtype=bool)
        crime_confirmed[has_crime] = crm["status"][crime[has_crime]] == 0
        crime_arrested[has_crime] = crm["arrested"][crime[has_crime]]

        p = cal_mod.SUSPECT_PRESENT
        cells = np.array(
            [
                p * cal_mod.ARREST_IF_PRESENT,  # present, arrest
                (1 - p) * cal_mod.ARREST_IF_ABSENT,  # absent, arrest
                p * (1 - cal_mod.ARREST_IF_PRESENT),  # present, no arrest
                (1 - p) * (1 - cal_mod.ARREST_IF_ABSENT),  # absent, no arrest
            ]
        )
        # expected shares of DV incidents with an arrested / unarrested confirmed crime
        fate_p = cal.fate_p[DV]
        csu_arrest = (cal.outcome_p[DV] * cal.arrest_p[DV]).sum(axis=1)
        hom_arrest = (cal.outcome_p[HOMICIDE] * cal.arrest_p[HOMICIDE]).sum(axis=1)
        a = fate_p[:, F_CONFIRMED] * csu_arrest + fate_p[:, F_HOMICIDE] * hom_arrest
        b = fate_p[:, F_CONFIRMED] + fate_p[:, F_HOMICIDE] - a
        arrest_mass = cells[0] + cells[1]
        free = np.stack(
            [
                cells[0] * (1 - a / arrest_mass),
                cells[1] * (1 - a / arrest_mass),
                cells[2] * (1 - b / (1 - arrest_mass)),
                cells[3] * (1 - b / (1 - arrest_mass)),
            ],
            axis=1,
        )
        if (free < 0).any():
            raise ValueError("incident arrest calibration is infeasible")
        borough = inc["borough"]
        draw_free = _draw(rng, free, borough)
        u = rng.random(n)
        present = np.where(
            crime_confirmed,
            np.where(
                crime_arrested,
                u < cells[0] / arrest_mass,
                u < cells[2] / (1 - arrest_mass),
            ),
            (draw_free == 0) | (draw_free == 2),
        )
        arrest = np.where(crime_confirmed, crime_arrested, draw_free <= 1)
        is_dv = inc["family"] == DV
        # Sexual-offence incidents: arrest as for the crime; suspect presence not recorded.
        inc["suspect_present"] = np.where(is_dv, present.astype(np.int8), -1).astype(np.int8)
        inc["arrest_made"] = np.where(
            is_dv, arrest, np.where(has_crime, crime_arrested, -1)
        ).astype(np.int8)

    # --- people ----------------------------------------------------------------------------

    def people(self) -> None:
        rng, crm = self.rng, self.crm
        c = len(crm["family"])
        family = crm["family"]
        confirmed = crm["status"] == 0
        has_suspect = np.where(
            confirmed,
            crm["outcome"] != OUTCOME_INDEX["suspect_not_identified"],
            rng.random(c) < cal_mod.NOT_CONFIRMED_SUSPECT,
        )
        # DV victims (CSU crimes and SCD2 crimes flagged DV) can be repeat victims.
        pool = confirmed & ((family == DV) | ((family == SCD2) & crm["dv"]))
        victim = np.full(c, -1, dtype=np.int64)
        suspect = np.full(c, -1, dtype=np.int64)
        kind: list[np.ndarray] = []
        next_id = 0

        pool_idx = np.flatnonzero(pool)
        pool_idx = pool_idx[np.argsort(crm["borough"][pool_idx], kind="stable")]
        bounds = np.searchsorted(crm["borough"][pool_idx], np.arange(self.n_areas + 1))
        for b in range(self.n_areas):
            crimes_b = pool_idx[bounds[b] : bounds[b + 1]]
            if len(crimes_b) == 0:
                continue
            v_of_crime, n_victims = _repeat_victims(rng, len(crimes_b))
            victim[crimes_b] = next_id + v_of_crime
            next_id += n_victims
            kind.append(np.full(n_victims, cal_mod.P_DV_VICTIM, np.int8))
            # each victim's usual suspect; some offences by someone else
            primary = next_id + v_of_crime
            next_id += n_victims
            kind.append(np.full(n_victims, cal_mod.P_DV_SUSPECT, np.int8))
            other = rng.random(len(crimes_b)) >= cal_mod.SAME_SUSPECT
            fresh = next_id + np.arange(int(other.sum()))
            next_id += int(other.sum())
            kind.append(np.full(int(other.sum()), cal_mod.P_DV_SUSPECT, np.int8))
            chosen = primary.copy()
            chosen[other] = fresh
            suspect[crimes_b] = chosen

        # everyone else: a new victim per crime, and a new suspect
        rest = np.flatnonzero(~pool)
        victim[rest] = next_id + np.arange(len(rest))
        next_id += len(rest)
        kind.append(
            np.array([cal_mod.VICTIM_KIND[f] for f in range(len(cal_mod.FAMILIES))], np.int8)[
                family[rest]
            ]
        )
        suspect[rest] = next_id + np.arange(len(rest))
        next_id += len(rest)
        kind.append(
            np.array([cal_mod.SUSPECT_KIND[f] for f in range(len(cal_mod.FAMILIES))], np.int8)[
                family[rest]
            ]
        )
        person_kind = np.concatenate(kind) if kind else np.zeros(0, np.int8)
        assert len(person_kind) == next_id

        # crime_people rows: victims, identified suspects, counter-allegations
        crimes = np.arange(c)
        with_suspect = np.flatnonzero(has_suspect)
        counter = with_suspect[
            (family[with_suspect] == DV)
            & (rng.random(len(with_suspect)) < cal_mod.COUNTER_ALLEGATION)
        ]
        both = counter[rng.random(len(counter)) < cal_mod.COUNTER_BOTH]
        victim_role, suspect_role = fmt.ROLES.index("victim"), fmt.ROLES.index("suspect")
        cp_crime = np.concatenate([crimes, with_suspect, counter, both])
        cp_person = np.concatenate([victim, suspect[with_suspect], victim[counter], suspect[both]])
        cp_role = np.concatenate(
            [
                np.full(c, victim_role),
                np.full(len(with_suspect), suspect_role),
                np.full(len(counter), suspect_role),
                np.full(len(both), victim_role),
            ]
        ).astype(np.int8)

        # keep the people who appear; their reference year is that of their first crime
        used = np.zeros(next_id, dtype=bool)
        used[cp_person] = True
        first = np.full(next_id, np.iinfo(np.int64).max)
        np.minimum.at(first, cp_person, self.crm["recorded"][cp_crime])
        old_ids = np.flatnonzero(used)
        n_people = len(old_ids)
        # the borough of each person's first crime (for their postcode)
        is_first = self.crm["recorded"][cp_crime] == first[cp_person]
        first_borough = np.zeros(next_id, dtype=np.int64)
        first_borough[cp_person[is_first]] = self.crm["borough"][cp_crime[is_first]]
        # opaque numbering: a random permutation of 1..P
        number = np.zeros(next_id, dtype=np.int64)
        number[old_ids] = rng.permutation(n_people) + 1
        self.cp = {"crime": cp_crime, "person": number[cp_person], "role": cp_role}
        self.ppl = self._demographics(number[old_ids], person_kind[old_ids], first[old_ids])
        self.ppl["kind"] = person_kind[old_ids]
        self.ppl["borough"] = first_borough[old_ids]

    # --- people's identifiers (format 2) ------------------------------------------------------

    def identifiers(self, seed: int) -> None:
        """Names, dates of birth and postcodes, recorded with errors, and the truth: which
        ids are the same person, twins or namesakes (see the module's docstring)."""
        ppl = self.ppl
        n = len(ppl["number"])
        rnd = random.Random(f"dsvb-demo-identifiers:{seed}")
        nrng = np.random.Generator(np.random.PCG64(rnd.getrandbits(64)))
        sex = np.asarray(fmt.SEXES)[ppl["sex"]]
        year = ppl["birth_year"]
        known = (year >= 0) & np.isin(sex, ("female", "male"))
        dv = np.isin(ppl["kind"], (cal_mod.P_DV_VICTIM, cal_mod.P_DV_SUSPECT))
        # pairs of people alike in kind, sex and birth year, in random order
        key = (ppl["kind"].astype(np.int64) * 10 + ppl["sex"]) * 10_000 + year
        cand = np.flatnonzero(known)
        cand = cand[np.lexsort((nrng.random(len(cand)), key[cand]))]
        keys = key[cand]
        a, b = cand[0:-1:2], cand[1::2]
        alike = keys[0:-1:2][: len(b)] == keys[1::2]
        a, b = a[: len(b)][alike], b[alike]
        draw = nrng.random(len(a))
        same = (draw < SAME_PERSON_SHARE) & dv[a] & dv[b]
        twin = ~same & (draw >= SAME_PERSON_SHARE) & (draw < SAME_PERSON_SHARE + TWIN_SHARE)
        namesake = (
            ~same
            & ~twin
            & (draw >= SAME_PERSON_SHARE + TWIN_SHARE)
            & (draw < SAME_PERSON_SHARE + TWIN_SHARE + NAMESAKE_SHARE)
        )
        true = np.arange(n)
        true[b[same]] = a[same]
        codes = self.cal.area_codes
        borough = ppl["borough"]
        people = self._true_people(nrng, sex, year, true)
        for i, j in zip(a[same], b[same], strict=True):
            # the second id: recorded at an earlier home, and for some women under the
            # surname before a marriage
            p = people[i]
            former = None
            if p.sex == "female" and rnd.random() < MARRIED_SHARE:
                former = rnd.choice([s for s in ids_mod.SURNAMES if s != p.family_name])
            people[i] = dataclasses.replace(
                p, previous_area_code=codes[borough[j]],
                previous_postcode=ids_mod.identity(rnd, "", sex=p.sex,
                                                   area_code=codes[borough[j]]).postcode,
                former_family_name=former, hard_case="married" if former else "",
            )  # fmt: skip
        for flag, kind in ((twin, "twin"), (namesake, "namesake")):
            for i, j in zip(a[flag], b[flag], strict=True):
                p, q = people[i], people[j]
                if kind == "twin":
                    given = q.given_name
                    if given == p.given_name:
                        continue
                    people[j] = dataclasses.replace(
                        q, family_name=p.family_name, date_of_birth=p.date_of_birth,
                        postcode=p.postcode, area_code=p.area_code, hard_case="twin")  # fmt: skip
                else:
                    people[j] = dataclasses.replace(
                        q, given_name=p.given_name, family_name=p.family_name,
                        date_of_birth=p.date_of_birth, hard_case="namesake")  # fmt: skip
                people[i] = dataclasses.replace(p, hard_case=kind)
        given: list[str | None] = []
        family: list[str | None] = []
        born: list[dt.date | None] = []
        postcode: list[str | None] = []
        for i in range(n):
            person = people[int(true[i])]
            if true[i] != i and person.previous_postcode:  # recorded at the earlier home
                person = dataclasses.replace(
                    person, postcode=person.previous_postcode,
                    area_code=person.previous_area_code or person.area_code,
                    previous_postcode=None, previous_area_code=None)  # fmt: skip
            record = ids_mod.recorded(person, rnd, source=EXTRACT, record_id="")
            given.append(record.given_name)
            family.append(record.family_name)
            # no birth year recorded: no date of birth either
            born.append(record.date_of_birth if year[i] >= 0 else None)
            postcode.append(record.postcode)
        ppl["given_name"] = np.asarray(given, dtype=object)
        ppl["family_name"] = np.asarray(family, dtype=object)
        ppl["date_of_birth"] = np.asarray(born, dtype=object)
        ppl["postcode"] = np.asarray(postcode, dtype=object)
        ppl["true_person"] = np.asarray([people[int(t)].person_id for t in true], dtype=object)
        ppl["hard_case"] = np.asarray([people[int(t)].hard_case for t in true], dtype=object)

    def _true_people(
        self, nrng: np.random.Generator, sex: np.ndarray, year: np.ndarray, true: np.ndarray
    ) -> dict[int, ids_mod.Identity]:
        """Each true person (index ``i`` with ``true[i] == i``) drawn, vectorised: a name for
        their sex, a date of birth in their birth year (else drawn), a postcode in the
        borough of their first crime."""
        ppl = self.ppl
        n = len(true)
        female = np.where(np.isin(sex, ("female", "male")), sex == "female",
                          nrng.random(n) < 0.7)  # fmt: skip

        def pick(names: tuple[str, ...]) -> np.ndarray:
            w = np.asarray(ids_mod.rank_weights(len(names)))
            return nrng.choice(len(names), size=n, p=w / w.sum())

        women, men, surnames = pick(ids_mod.WOMEN), pick(ids_mod.MEN), pick(ids_mod.SURNAMES)
        age_days = (np.minimum(16 + nrng.gamma(2.2, 8.0, n), 85.0) * 365.25).astype(np.int64)
        day_in_year = nrng.integers(0, 365, n)
        digit = nrng.integers(0, 10, n)
        letters = nrng.integers(0, len(ids_mod.NOT_IN_INWARD), (n, 2))
        district = nrng.random(n)
        codes = self.cal.area_codes
        people: dict[int, ids_mod.Identity] = {}
        for i in np.flatnonzero(true == np.arange(n)).tolist():
            area = codes[ppl["borough"][i]]
            districts = ids_mod.BOROUGH_DISTRICTS[area]
            tail = ids_mod.NOT_IN_INWARD[letters[i, 0]] + ids_mod.NOT_IN_INWARD[letters[i, 1]]
            if year[i] >= 0:
                born = dt.date(int(year[i]), 1, 1) + dt.timedelta(days=int(day_in_year[i]))
            else:
                born = ids_mod.REFERENCE_DAY - dt.timedelta(days=int(age_days[i]))
            people[i] = ids_mod.Identity(
                person_id=f"T{int(ppl['number'][i]):09d}",
                given_name=ids_mod.WOMEN[women[i]] if female[i] else ids_mod.MEN[men[i]],
                family_name=ids_mod.SURNAMES[surnames[i]],
                date_of_birth=born,
                postcode=f"{districts[int(district[i] * len(districts))]} {digit[i]}{tail}",
                sex="female" if female[i] else "male",
                area_code=area,
            )
        return people

    def write_truth(self, path: Path) -> None:
        """``record_id,true_person,hard_case`` for every person id, by record id: the hard
        case (``twin``, ``namesake``, ``married`` or empty) is the true person's, so that a
        measurement can say which kind of pair linkage got wrong."""
        ppl = self.ppl
        if "true_person" not in ppl:
            raise ValueError("no identifiers were drawn: there is no truth to write")
        order = np.argsort(ppl["number"], kind="stable")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(["record_id", "true_person", "hard_case"])
            for i in order:
                out.writerow([f"{ID_PREFIX['person_id']}{int(ppl['number'][i]):0{ID_DIGITS}d}",
                              ppl["true_person"][i], ppl["hard_case"][i]])  # fmt: skip

    def _demographics(
        self, number: np.ndarray, kind: np.ndarray, first_secs: np.ndarray
    ) -> dict[str, np.ndarray]:
        rng = self.rng
        n = len(number)
        profiles = [cal_mod.PROFILES[k] for k in range(len(cal_mod.PERSON_KINDS))]
        sex_t = np.array([[p.sex.get(s, 0.0) for s in fmt.SEXES] for p in profiles])
        eth_t = np.array([[p.ethnicity.get(e, 0.0) for e in fmt.ETHNICITIES] for p in profiles])
        n_bands = max(len(p.age_bands) for p in profiles)
        band_p = np.zeros((len(profiles), n_bands))
        band_lo = np.zeros((len(profiles), n_bands), dtype=np.int64)
        band_hi = np.zeros((len(profiles), n_bands), dtype=np.int64)
        for i, p in enumerate(profiles):
            for j, (lo, hi, prob) in enumerate(p.age_bands):
                band_p[i, j], band_lo[i, j], band_hi[i, j] = prob, lo, hi
        dis_t = np.array([[1 - sum(p.disabled), p.disabled[1], p.disabled[0]] for p in profiles])
        lgbt_t = np.array([[1 - sum(p.lgbt), p.lgbt[1], p.lgbt[0]] for p in profiles])
        missing_t = np.array([p.birth_year_missing for p in profiles])

        sex = _draw(rng, sex_t, kind)
        ethnicity = _draw(rng, eth_t, kind)
        band = _draw(rng, band_p, kind)
        lo, hi = band_lo[kind, band], band_hi[kind, band]
        age = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
        year = first_secs.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
        birth_year = year - age
        birth_missing = rng.random(n) < missing_t[kind]
        disabled = _draw(rng, dis_t, kind).astype(np.int8) - 1
        lgbt = _draw(rng, lgbt_t, kind).astype(np.int8) - 1
        return {
            "number": number,
            "sex": sex,
            "birth_year": np.where(birth_missing, -1, birth_year),
            "ethnicity": ethnicity,
            "disabled": disabled,
            "lgbt": lgbt,
        }

    # --- Victims' Code contacts -----------------------------------------------------------

    def _due(self, event: np.ndarray, reason: str) -> np.ndarray:
        """Victims' Code deadlines (end of the due day) under the rules in force at each
        event; every demo victim is a DV or sexual-offence victim (the enhanced service)."""
        day = (event // DAY).astype("datetime64[D]")
        due = victims_code.due_days(reason, day, self.busdays, victims_code.ENHANCED)
        return due.astype(np.int64) * DAY + (DAY - 1)

    def contacts(self) -> None:
        rng, crm = self.rng, self.crm
        reasons = fmt.CONTACT_REASONS
        owed = np.flatnonzero((crm["status"] == 0) & (crm["family"] != HOMICIDE))
        outcome = crm["outcome"]
        parts: list[
            tuple[np.ndarray, int, np.ndarray, np.ndarray]
        ] = []  # crime, reason, event, due

        def add(crimes: np.ndarray, reason: str, event: np.ndarray) -> None:
            due = self._due(event, reason)
            parts.append((crimes, reasons.index(reason), event, due))

        add(owed, "support_referral", crm["recorded"][owed])
        arrested = owed[crm["arrested"][owed]]
        add(arrested, "arrest", crm["arrested_at"][arrested])
        not_charged = arrested[outcome[arrested] != OUTCOME_INDEX["charge"]]
        released = not_charged[rng.random(len(not_charged)) < cal_mod.SUSPECT_RELEASED]
        lo, hi = RELEASE_DELAY_HOURS
        release_at = crm["arrested_at"][released] + np.rint(
            (lo + (hi - lo) * rng.random(len(released))) * HOUR
        ).astype(np.int64)
        add(released, "suspect_released", _fix_dst(release_at, self.gap_days))
        charged = owed[outcome[owed] == OUTCOME_INDEX["charge"]]
        add(charged, "suspect_charged", crm["outcome_at"][charged])
        disposal = owed[np.isin(outcome[owed], [OUTCOME_INDEX[o] for o in NON_COURT_DISPOSALS])]
        add(disposal, "non_court_disposal", crm["outcome_at"][disposal])
        bail = charged[rng.random(len(charged)) < cal_mod.BAIL_CHANGE]
        bail_at = crm["outcome_at"][bail] + np.rint(rng.random(len(bail)) * 20 * DAY).astype(
            np.int64
        )
        add(bail, "bail_change", _fix_dst(bail_at, self.gap_days))
        # monthly updates while an investigation is open with no arrest
        unarrested = owed[~crm["arrested"][owed]]
        open_until = np.where(
            crm["decided"][unarrested], crm["outcome_at"][unarrested], self.horizon
        )
        interval = UPDATE_INTERVAL_DAYS * DAY
        n_updates = np.minimum(
            (open_until - crm["recorded"][unarrested]) // interval, cal_mod.MAX_UPDATES
        )
        n_updates = np.maximum(n_updates, 0)
        upd_crime = np.repeat(unarrested, n_updates)
        k = np.arange(len(upd_crime)) - np.repeat(np.cumsum(n_updates) - n_updates, n_updates) + 1
        upd_due = (crm["recorded"][upd_crime] // DAY + k * UPDATE_INTERVAL_DAYS) * DAY + (DAY - 1)
        parts.append((upd_crime, reasons.index("update"), upd_due - interval + 1, upd_due))

        crime = np.concatenate([p[0] for p in parts])
        reason = np.concatenate([np.full(len(p[0]), p[1], np.int8) for p in parts])
        event = np.concatenate([p[2] for p in parts])
        due = np.concatenate([p[3] for p in parts])

        # made on time, late or never, by the borough's record
        status = _draw(rng, self.cal.vcop_p, crm["borough"][crime])
        u = rng.random(len(crime))
        on_time = event + np.floor(u * (due - event)).astype(np.int64)
        late = due + 60 + np.rint(rng.exponential(LATE_CONTACT_MEAN_DAYS * DAY, len(crime)))
        made = np.where(status == 0, on_time, late.astype(np.int64))
        made = _fix_dst(made, self.gap_days)
        self.vc = {"crime": crime, "reason": reason, "due": due, "made": made, "never": status == 2}

    # --- writing ---------------------------------------------------------------------------

    def write(self, out_dir: Path, say: ProgressFn) -> dict[str, int]:
        inc, crm = self.inc, self.crm
        rng = self.rng

        # ids in time order
        inc_order = _order(inc["reported"])
        crm_order = _order(crm["recorded"])
        inc_number = np.empty(len(inc_order), np.int64)
        inc_number[inc_order] = np.arange(1, len(inc_order) + 1)
        crm_number = np.empty(len(crm_order), np.int64)
        crm_number[crm_order] = np.arange(1, len(crm_order) + 1)

        area_inc = _area_column(rng, inc["borough"], self.area_variants)
        area_crm = _area_column(rng, crm["borough"], self.area_variants)
        areas = pa.array(self.area_strings)

        def enum(codes: np.ndarray, values: tuple[str, ...] | list[str]) -> pa.Array:
            codes = np.asarray(codes)
            missing = codes < 0
            idx = pa.array(np.where(missing, 0, codes).astype(np.int16), mask=missing)
            return pa.DictionaryArray.from_arrays(idx, pa.array(list(values)))

        def opt_bool(codes: np.ndarray) -> pa.Array:
            codes = np.asarray(codes)
            return pa.array(codes > 0, mask=codes < 0)

        def opt_int(values: np.ndarray) -> pa.Array:
            return pa.array(values, mask=values < 0)

        def ts(secs: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
            return pa.array(secs.astype("datetime64[s]"), mask=missing)

        con = duckdb.connect()
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        rows: dict[str, int] = {}

        o = inc_order
        crime = inc["crime"][o]
        tables = {}
        tables["incidents"] = {
            "incident_id": pa.array(np.arange(1, len(o) + 1, dtype=np.int64)),
            "reported_at": ts(inc["reported"][o]),
            "area": pa.DictionaryArray.from_arrays(pa.array(area_inc[o]), areas),
            "channel": enum(inc["channel"][o], fmt.CHANNELS),
            "dv_flag": pa.array(inc["family"][o] == DV),
            "sexual_offence_flag": pa.array(inc["family"][o] != DV),
            "crime_id": opt_int(_lookup(crm_number, crime)),
            "no_crime_report_reason": enum(inc["reason"][o], self.reasons),
            "suspect_present": opt_bool(inc["suspect_present"][o]),
            "arrest_made": opt_bool(inc["arrest_made"][o]),
        }
        rows["incidents"] = self._copy(con, out_dir, "incidents", tables.pop("incidents"), say)

        o = crm_order
        incident = crm["incident"][o]
        outcome = crm["outcome"][o]
        pending = (outcome < 0) | (outcome == OUTCOME_INDEX["pending"])
        arrested = crm["arrested"][o]
        crimes = {
            "crime_id": pa.array(np.arange(1, len(o) + 1, dtype=np.int64)),
            "incident_id": opt_int(_lookup(inc_number, incident)),
            "recorded_at": ts(crm["recorded"][o]),
            "area": pa.DictionaryArray.from_arrays(pa.array(area_crm[o]), areas),
            "unit": enum(crm["unit"][o], cal_mod.UNITS),
            "offence_group": enum(crm["group"][o], cal_mod.OFFENCE_GROUPS),
            "status": enum(crm["status"][o], fmt.STATUSES),
            "dv": pa.array(crm["dv"][o]),
            "serious_sexual": pa.array(crm["serious"][o]),
            "hbv": pa.array(crm["hbv"][o]),
            "forced_marriage": pa.array(crm["forced_marriage"][o]),
            "fgm": pa.array(crm["fgm"][o]),
            "lgbt": opt_bool(crm["lgbt"][o]),
            "risk_form": enum(crm["risk_form"][o], fmt.RISK_FORMS),
            "risk_form_supervised": opt_bool(crm["supervised"][o]),
            "risk_level": enum(crm["risk_level"][o], fmt.RISK_LEVELS),
            "arrested_at": ts(crm["arrested_at"][o], ~arrested),
            "outcome": enum(np.where(pending, -1, outcome), cal_mod.OUTCOMES),
            "outcome_at": ts(crm["outcome_at"][o], pending),
            "unsupported_prosecution": opt_bool(crm["unsupported"][o]),
            "withdrawn_after_charge": opt_bool(crm["withdrawn"][o]),
            "havens_referral": opt_bool(crm["havens"][o]),
        }
        rows["crimes"] = self._copy(con, out_dir, "crimes", crimes, say)
        del crimes

        ppl = self.ppl
        o = np.empty(len(ppl["number"]), dtype=np.int64)
        o[ppl["number"] - 1] = np.arange(len(o))  # numbers are a permutation of 1..P
        people = {
            "person_id": pa.array(ppl["number"][o]),
            "sex": enum(ppl["sex"][o], fmt.SEXES),
            "birth_year": opt_int(ppl["birth_year"][o]),
            "ethnicity": enum(ppl["ethnicity"][o], fmt.ETHNICITIES),
            "disabled": opt_bool(ppl["disabled"][o]),
            "lgbt": opt_bool(ppl["lgbt"][o]),
        }
        if "given_name" in ppl:
            for column in fmt.IDENTIFIER_COLUMNS:
                kind = pa.date32() if column == "date_of_birth" else pa.string()
                people[column] = pa.array(ppl[column][o].tolist(), type=kind)
        rows["people"] = self._copy(con, out_dir, "people", people, say)
        del people

        cp = self.cp
        cp_crime = crm_number[cp["crime"]]
        o = _order(cp_crime, cp["role"], cp["person"], unique=True)
        crime_people = {
            "crime_id": pa.array(cp_crime[o]),
            "person_id": pa.array(cp["person"][o]),
            "role": enum(cp["role"][o], fmt.ROLES),
        }
        rows["crime_people"] = self._copy(con, out_dir, "crime_people", crime_people, say)
        del crime_people

        vc = self.vc
        vc_crime = crm_number[vc["crime"]]
        o = _order(vc_crime, vc["due"] // DAY, vc["reason"])
        contacts = {
            "crime_id": pa.array(vc_crime[o]),
            "reason": enum(vc["reason"][o], fmt.CONTACT_REASONS),
            "due_at": ts(vc["due"][o]),
            "made_at": ts(vc["made"][o], vc["never"][o]),
        }
        rows["victim_contacts"] = self._copy(con, out_dir, "victim_contacts", contacts, say)
        con.close()
        return rows

    @staticmethod
    def _copy(
        con: duckdb.DuckDBPyConnection,
        out_dir: Path,
        name: str,
        columns: dict[str, pa.Array],
        say: ProgressFn,
    ) -> int:
        spec = fmt.BY_NAME[name]
        # identifier columns (format 2) only when drawn
        declared = [c.name for c in spec.columns if c.name in columns or not c.identifier]
        if sorted(declared) != sorted(columns):
            raise AssertionError(f"{name}: columns differ from the extract format")
        table = pa.table({c: columns[c] for c in declared})
        select = []
        for col in spec.columns:
            if col.name not in columns:
                continue
            quoted = f'"{col.name}"'
            if col.type == fmt.ID:
                prefix = ID_PREFIX[col.name]
                select.append(f"printf('{prefix}%0{ID_DIGITS}d', {quoted}) AS {quoted}")
            elif col.type == fmt.DATETIME:
                select.append(f"CAST({quoted} AS TIMESTAMP) AS {quoted}")
            else:
                select.append(quoted)
        path = out_dir / spec.filename
        say(f"writing {spec.filename} ({table.num_rows:,} rows)")
        con.register("_demo_rows", table)
        target = str(path).replace("'", "''")
        con.execute(
            f"COPY (SELECT {', '.join(select)} FROM _demo_rows) TO '{target}' "
            "(FORMAT csv, HEADER, DELIMITER ',', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S')"
        )
        con.unregister("_demo_rows")
        return table.num_rows


def _repeat_victims(rng: np.random.Generator, n_crimes: int) -> tuple[np.ndarray, int]:
    """Assign ``n_crimes`` offences to victims, ``REPEAT_VICTIM_SHARE`` of whom are repeat
    victims with ``OFFENCES_PER_REPEAT_VICTIM`` offences on average (2 + a geometric
    number). Returns the victim (0..V-1) of each offence, in random order, and V."""
    share = cal_mod.pool_repeat_share()
    extra = cal_mod.OFFENCES_PER_REPEAT_VICTIM - 1  # mean of the geometric part (>= 1)
    per_victim = 1 + share * extra
    m = int(n_crimes / per_victim * 1.1) + 20
    while True:
        repeat = rng.random(m) < share
        count = np.where(repeat, 1 + rng.geometric(1 / extra, m), 1)
        cum = np.cumsum(count)
        if cum[-1] >= n_crimes:
            break
        m *= 2
    n_victims = int(np.searchsorted(cum, n_crimes)) + 1
    count = count[:n_victims]
    count[-1] -= int(cum[n_victims - 1] - n_crimes)
    victim = np.repeat(np.arange(n_victims), count)
    return rng.permutation(victim), n_victims
