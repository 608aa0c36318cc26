"""Real publications to attack: demo stores, what the public downloads from them, and the
true values behind every published cell (the indicator engine on the same store).

This is the test side of the attack: it may use dsvb (the generator, the importer, the web
application, the engine), while :mod:`tests.attack.attacker` uses none of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsvb import store
from dsvb.demo.generator import generate_extract
from dsvb.indicators.definitions import ALL_FAMILIES, INDICATORS
from dsvb.indicators.engine import IndicatorQuery, compute_from_store
from dsvb.indicators.results import FORCE_CODE
from dsvb.ingest.extract import import_extract
from tests.attack.attacker import FORCE, REMAINDER, Key, Period, read_published

DEMO_START = dt.date(2009, 12, 1)
DSVB = str(Path(sys.executable).with_name("dsvb"))


# --- what the public can download ----------------------------------------------------------


def published_csvs(stores: Sequence[Path], folder: Path) -> list[Path]:
    """Every CSV file the public can download once each store in turn has been published.

    One installation (its own data folder and application database, so one register of
    releases) runs ``dsvb publish --store PATH --out DIR`` for each store in order, as a
    secretariat would as the data grows; the files are every release in the register, the
    same files the public pages offer. (The pages' family and area downloads are parts of
    these files.)
    """
    env = {
        **os.environ,
        "DSVB_DATA_DIR": str(folder / "var"),
        "DATABASE_URL": f"sqlite:///{folder / 'app.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "dsvb.web.settings",
    }
    out = folder / "portal"
    for path in stores:
        result = subprocess.run(
            [DSVB, "publish", "--store", str(path), "--out", str(out)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr
    return sorted(out.glob("*.csv"))


# --- demo stores -----------------------------------------------------------------------------


def build_store(folder: Path, incidents: int, seed: int, months: int = 12) -> Path:
    """A store with ``months`` of demo records from December 2009."""
    extract = folder / "extract"
    generate_extract(extract, incidents=incidents, seed=seed, start=DEMO_START, months=months)
    return import_into(folder / "store.duckdb", extract)


def import_into(path: Path, extract: Path) -> Path:
    con = store.connect(path)
    try:
        import_extract(con, extract)
    finally:
        con.close()
    return path


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or ()), list(reader)


def _write(path: Path, columns: list[str], rows: Iterable[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)


def snapshot_extracts(full: Path, cutoff: dt.date, before: Path, after: Path) -> None:
    """Two extracts of one force's records: ``before`` as it stood on ``cutoff`` (records
    from before it), ``after`` everything. No record is revised in between, as an outsider
    comparing the two publications assumes: the few crimes recorded after the cutoff for an
    incident reported before it (which would change the incident's family) are left out of
    both, and their incidents lose the link.
    """
    stamp = cutoff.isoformat()
    inc_cols, incidents = _rows(full / "incidents.csv")
    early = {i["incident_id"] for i in incidents if i["reported_at"] < stamp}
    crime_cols, crimes = _rows(full / "crimes.csv")
    dropped = {
        c["crime_id"] for c in crimes if c["recorded_at"] >= stamp and c["incident_id"] in early
    }
    crimes = [c for c in crimes if c["crime_id"] not in dropped]
    for i in incidents:
        if i["crime_id"] in dropped:
            i["crime_id"] = ""
    cp_cols, links = _rows(full / "crime_people.csv")
    links = [r for r in links if r["crime_id"] not in dropped]
    vc_cols, contacts = _rows(full / "victim_contacts.csv")
    contacts = [r for r in contacts if r["crime_id"] not in dropped]
    kept = {c["crime_id"] for c in crimes if c["recorded_at"] < stamp}
    for folder, keep in ((after, lambda _r: True), (before, None)):
        early_only = keep is None
        _write(
            folder / "incidents.csv",
            inc_cols,
            [i for i in incidents if not early_only or i["incident_id"] in early],
        )
        _write(
            folder / "crimes.csv",
            crime_cols,
            [c for c in crimes if not early_only or c["crime_id"] in kept],
        )
        _write(
            folder / "crime_people.csv",
            cp_cols,
            [r for r in links if not early_only or r["crime_id"] in kept],
        )
        _write(
            folder / "victim_contacts.csv",
            vc_cols,
            [
                r
                for r in contacts
                if not early_only or (r["crime_id"] in kept and r["due_at"] < stamp)
            ],
        )
        shutil.copy(full / "people.csv", folder / "people.csv")


# --- the truth ---------------------------------------------------------------------------------


@dataclass
class Truth:
    """True counts from the engine, by period: ``stores`` are tried in order, the first
    whose months cover the period answers (an earlier snapshot for an earlier publication)."""

    stores: list[tuple[Path, dt.date]]  # (store, first day after its last month)

    def __post_init__(self) -> None:
        self._counts: dict[Period, dict[tuple[str, str, str], int]] = {}

    def _period(self, period: Period) -> dict[tuple[str, str, str], int]:
        if period not in self._counts:
            path = next(p for p, end in self.stores if period[1] < end)
            query = IndicatorQuery(
                ALL_FAMILIES, period[0], period[1] + dt.timedelta(days=1), by=("area",)
            )
            counts: dict[tuple[str, str, str], int] = {}
            for r in compute_from_store(path, query):
                indicator = INDICATORS[r.indicator]
                area = FORCE if r.area_code == FORCE_CODE else r.area_code
                counts[(r.family, area, indicator.numerator)] = int(r.numerator)
                if indicator.denominator is not None:
                    counts[(r.family, area, indicator.denominator)] = int(r.denominator)
            self._counts[period] = counts
        return self._counts[period]

    def __call__(self, key: Key) -> int | None:
        period, family, area, count = key
        counts = self._period(period)
        if area == REMAINDER:
            return None
        return counts.get((family, area, count))

    def remainders(self, files: Iterable[Path]) -> Callable[[Period, str, str], int | None]:
        """The stronger outsider's side knowledge: for each published total, the records and
        people no published area row counts."""
        areas = set(read_published(files).areas)

        def remainder(period: Period, family: str, count: str) -> int | None:
            counts = self._period(period)
            force = counts.get((family, FORCE, count))
            if force is None:
                return None
            return force - sum(
                v for (f, a, c), v in counts.items() if f == family and c == count and a in areas
            )

        return remainder


# --- the annual report -----------------------------------------------------------------------


def annual_report_inputs(
    path: Path, period: Period, *, controlled: bool = True, boroughs: tuple = ()
) -> Any:
    """The annual report's inputs for ``period`` from the store at ``path`` (``boroughs``: the
    borough outcomes it prints), under the policy (``controlled``) or not."""
    import ibis

    from dsvb.indicators.assessment import assess_store
    from dsvb.indicators.model import Period as Months
    from dsvb.indicators.periods import ReportingPeriod
    from dsvb.oversight import annual_report as ar
    from dsvb.reports.disclosure import Policy

    months = ReportingPeriod.of(Months(period[0], period[1] + dt.timedelta(days=1)))
    con = store.connect(path, read_only=True)
    try:
        backend = ibis.duckdb.from_connection(con)
        judged = [
            assess_store(backend, family, months, months.period.start)
            for family in ("dv", "serious_sexual", "sexual")
        ]
    finally:
        con.close()
    return ar.AnnualReportInputs(
        period[1].year,
        ar.figures_from_assessments(judged),
        policy=Policy() if controlled else None,
        boroughs=boroughs,
    )


def annual_report_csv(path: Path, period: Period, out: Path, *, controlled: bool = True) -> Path:
    """The figures the annual report of ``period`` prints (its tables, charts and sentences),
    from the store at ``path``, as the public download format: what an outsider reads from
    the report. ``controlled=False`` writes the internal draft's exact figures (disclosure
    control off: the check that the attack can find something)."""
    from dsvb.oversight import annual_report as ar

    inputs = annual_report_inputs(path, period, controlled=controlled)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(ar.tables_csv(inputs), encoding="utf-8", newline="")
    return out
