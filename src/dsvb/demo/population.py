"""A synthetic population for the demo, labelled as such, calibrated to London's Census 2011.

The demo's rates per 1,000 people need a population per borough, sex, age band and ethnic
group. dsvb ships no published estimates (their licence and size are the force's
business), so the demo makes one up, in the layout the published estimates come in
(``docs/population-format.md``: single years of age 0 ... 89 and 90+, sex, the five broad
ethnic groups), and imports it through :func:`dsvb.equality.population.import_population`,
as a user's file would be, labelled synthetic.

Calibration (``reference/data/census_2011_*.csv``): each borough's total is exactly its
Census 2011 usual-resident population, every mid-year alike; London's ethnic group shares
are the Census's (White 59.8%, Asian 18.5% with the Chinese, Black 13.3%, Mixed 5.0%,
Other 3.4%), each borough departing from them at random (seeded) as boroughs do; the age
and sex structure is a plausible London one (many young adults, fewer old people, more
women at older ages), younger for the groups that are younger in London and varied by
borough. The same seed always gives the same file.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb
import numpy as np

from dsvb import reference
from dsvb.demo.generator import _allocate
from dsvb.equality import population as pop
from dsvb.equality.population_format import ETHNIC_GROUPS, SEXES

SOURCE = "Synthetic population (dsvb demo), calibrated to Census 2011 borough totals"
SEED = 2011
FILE_NAME = "demo-population.csv"

#: single years of age 0 ... 89, then 90 and over, as ONS publishes them
AGES = (*(str(a) for a in range(90)), "90+")
#: how each broad group is written in the file (as the Census's broad groups are)
GROUP_LABELS = {"white": "White", "black": "Black", "asian": "Asian", "mixed": "Mixed",
                "other": "Other"}  # fmt: skip
HEADER = ("area_code", "area_name", "mid_year", "sex", "age", "ethnic_group", "population")


def _reference_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("dsvb.reference").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def census_2011_borough_totals() -> dict[str, int]:
    """Usual residents of each London borough (and the City), Census 2011, by ONS code."""
    return {r["area_code"]: int(r["population"]) for r in
            _reference_rows("census_2011_borough_totals.csv")}  # fmt: skip


@cache
def census_2011_london_ethnic_groups() -> dict[str, int]:
    """Usual residents of London by broad ethnic group, Census 2011."""
    return {r["broad_group"]: int(r["population"]) for r in
            _reference_rows("census_2011_london_ethnic_groups.csv")}  # fmt: skip


def mid_years(start: dt.date, months: int) -> tuple[int, ...]:
    """The mid-years of every calendar year the demo's months touch."""
    last = start.year + (start.month - 1 + months - 1) // 12
    return tuple(range(start.year, last + 1))


def _interpolate(knots: dict[int, float]) -> np.ndarray:
    ages = np.arange(len(AGES) - 1)
    return np.interp(ages, list(knots), list(knots.values()))


#: people per single year of age in London, relative (0 ... 89), and the 90+ band
_AGE_WEIGHTS = np.append(
    _interpolate({0: 1.6, 4: 1.5, 10: 1.3, 17: 1.15, 20: 1.35, 25: 1.85, 30: 1.95, 35: 1.75,
                  45: 1.45, 55: 1.1, 65: 0.85, 75: 0.6, 85: 0.3, 89: 0.15}),
    0.55,
)  # fmt: skip
#: the share of each age that is male (boys are born more often, women live longer)
_MALE_SHARE = np.append(
    _interpolate({0: 0.512, 17: 0.51, 25: 0.49, 45: 0.495, 65: 0.47, 80: 0.42, 89: 0.36}),
    0.3,
)  # fmt: skip
#: how much younger (below 0) or older each group is than London as a whole
_AGE_TILT = {"white": 0.3, "black": -0.15, "asian": -0.15, "mixed": -0.9, "other": -0.2}


def _borough_groups(rng: np.random.Generator, totals: np.ndarray) -> np.ndarray:
    """People of each borough (rows) in each broad group (columns): every borough's total
    exactly, London's groups as the Census's (to within rounding)."""
    census = census_2011_london_ethnic_groups()
    shares = np.array([census[g] for g in ETHNIC_GROUPS], dtype=np.float64)
    shares /= shares.sum()
    table = shares * rng.lognormal(0.0, 0.5, size=(len(totals), len(ETHNIC_GROUPS)))
    table *= (totals / table.sum(axis=1))[:, None]
    wanted = shares * totals.sum()
    for _ in range(50):  # fitted to both margins in turn
        table *= wanted / table.sum(axis=0)
        table *= (totals / table.sum(axis=1))[:, None]
    return np.stack([_allocate(int(t), row) for t, row in zip(totals, table, strict=True)])


def _structure(rng: np.random.Generator, boroughs: int) -> np.ndarray:
    """Relative people by borough, group, sex and age: shape (boroughs, groups, 2, ages)."""
    ages = np.arange(len(AGES), dtype=np.float64)
    young = np.exp(-(((ages - 30.0) / 8.0) ** 2))  # the young adults of inner London
    old = 1.0 / (1.0 + np.exp(-(ages - 60.0) / 8.0))  # the older suburbs
    tilt = np.array([_AGE_TILT[g] for g in ETHNIC_GROUPS])[:, None] * (ages - 35.0) / 35.0
    by_group = _AGE_WEIGHTS * np.exp(tilt)  # (groups, ages)
    lean = rng.uniform(-0.3, 0.45, size=boroughs)[:, None] * young
    age = rng.uniform(-0.35, 0.3, size=boroughs)[:, None] * old
    by_borough = np.clip(1.0 + lean + age, 0.2, None)  # (boroughs, ages)
    weights = by_borough[:, None, :] * by_group[None, :, :]
    sexes = np.stack([1.0 - _MALE_SHARE, _MALE_SHARE])  # female, male
    assert SEXES == ("female", "male")
    return weights[:, :, None, :] * sexes[None, None, :, :]


def write_population(
    path: Path, years: tuple[int, ...], *, seed: int = SEED, force_code: str = "MPS"
) -> int:
    """Write the synthetic population of the force's boroughs for ``years`` to ``path``
    (a CSV in the published layout); returns its data rows. Same seed, same file."""
    boroughs = reference.boroughs(force_code)
    census = census_2011_borough_totals()
    codes = list(boroughs)
    missing = [c for c in codes if c not in census]
    if missing:
        raise ValueError(f"no Census 2011 total for {', '.join(missing)}")
    totals = np.array([census[c] for c in codes], dtype=np.int64)
    rng = np.random.Generator(np.random.PCG64(seed))
    groups = _borough_groups(rng, totals)
    structure = _structure(rng, len(codes))
    people = np.zeros_like(structure, dtype=np.int64)
    for b in range(len(codes)):
        for g in range(len(ETHNIC_GROUPS)):
            people[b, g] = _allocate(int(groups[b, g]), structure[b, g])
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(HEADER)
        for year in years:
            for b, code in enumerate(codes):
                name = boroughs[code]
                for g, group in enumerate(ETHNIC_GROUPS):
                    label = GROUP_LABELS[group]
                    for s, sex in enumerate(SEXES):
                        counts = people[b, g, s]
                        out.writerows(
                            (code, name, year, sex, age, label, int(n))
                            for age, n in zip(AGES, counts, strict=True)
                        )
                        rows += len(AGES)
    partial.replace(path)
    return rows


def load(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    *,
    start: dt.date,
    months: int,
    say: Callable[[str], None] = lambda _m: None,
) -> int | None:
    """Write the demo's synthetic population into ``folder`` and import it into the store
    (as ``dsvb import-population --synthetic`` would), unless the store holds a population
    already. Returns the import's id, for the caller to record, or None."""
    if pop.years_held(con):
        return None
    years = mid_years(start, months)
    path = Path(folder) / FILE_NAME
    say(f"Writing a synthetic population ({', '.join(f'mid-{y}' for y in years)})...")
    write_population(path, years)
    report = pop.import_population(con, path, source=SOURCE, synthetic=True)
    say(
        f"Imported the synthetic population: {report.rows_stored:,} rows, "
        f"{len(report.areas)} boroughs, {report.total:,} people in all."
    )
    return report.import_id if report.status == "imported" else None
