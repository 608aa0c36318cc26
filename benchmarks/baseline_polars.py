"""What an analyst would otherwise run: the benchmark query in Polars.

Polars is the other tool a public-health analyst reaches for when pandas is too slow, so
the engine has to beat it as well as pandas (decision 0017). This is written as a competent
analyst would write it, not tuned against the engine: the columns the query reads are taken
from the store's tables through DuckDB into Arrow-backed Polars frames (:func:`load`, timed
apart, as for pandas), and the computation (:func:`compute`) is lazy frames — filters,
joins on the crime id, ``group_by`` sums of boolean columns, and for repeat victims a sort and a
``shift().over(person)`` — collected together with ``collect_all`` so that Polars plans and
parallelises them as one. No row loops: Python only walks the few hundred grouped results.

The definitions follow the board's table as the pandas baseline reads them (missing flags
read as false; a repeat victim has an earlier offence in the family within 12 calendar
months, month ends clipped), and the force row is counted over all rows, so it also checks
that the areas add up.

Polars is optional: :data:`AVAILABLE` says whether it can be imported; the runner leaves
this baseline out (and says so) when it cannot.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb

from benchmarks.baseline_pandas import COLUMNS, TABLES
from benchmarks.figures import FORCE_ROW, Counts, Figures, Params, assemble, params
from dsvb.ingest.extract_format import CONTACT_REASONS

if TYPE_CHECKING:
    import polars as pl

AVAILABLE = importlib.util.find_spec("polars") is not None
MISSING = (
    "polars is not installed in this environment, so the Polars baseline was not run "
    "(it is in the dev extra of pyproject.toml: make install)"
)


def _pl() -> Any:
    if not AVAILABLE:
        raise RuntimeError(MISSING)
    import polars

    return polars


@dataclass
class Frames:
    incidents: pl.DataFrame
    crimes: pl.DataFrame
    crime_people: pl.DataFrame
    victim_contacts: pl.DataFrame

    @property
    def nbytes(self) -> int:
        return sum(int(getattr(self, t).estimated_size()) for t in TABLES)


def load(con: duckdb.DuckDBPyConnection) -> Frames:
    """Read the columns the query needs from the store tables into Polars (via Arrow)."""
    pl = _pl()
    return Frames(
        *(
            pl.from_arrow(con.sql(f"SELECT {', '.join(cols)} FROM {table}").to_arrow_table())
            for table, cols in COLUMNS.items()
        )
    )


# --- building blocks ------------------------------------------------------------------------


def _flag(name: str) -> pl.Expr:
    """A nullable boolean column with missing read as false."""
    return _pl().col(name).fill_null(False)


def _is_in(name: str, values: tuple[str, ...] | list[str]) -> pl.Expr:
    return _pl().col(name).is_in(list(values)).fill_null(False)


def _equals(name: str, value: str) -> pl.Expr:
    return (_pl().col(name) == value).fill_null(False)


def _families(dv: pl.Expr, sso: pl.Expr, sexual: pl.Expr) -> dict[str, pl.Expr]:
    return {"dv": dv, "serious_sexual": sso, "sexual": sexual, "other_sexual": sexual & ~sso}


def _crime_families(p: Params) -> dict[str, pl.Expr]:
    sso = _flag("serious_sexual")
    return _families(_flag("dv"), sso, sso | _is_in("offence_group", p.sexual_groups))


SEP = "\x1f"  # joins family and count in a column name; in neither


def _row_counts(
    frame: pl.LazyFrame, families: dict[str, pl.Expr], conditions: dict[str, pl.Expr | None]
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Rows in each family meeting each condition: a lazy frame by area, one for all rows.
    The masks are boolean columns (a bit a row, not 64: at 10M incidents 0/1 integer
    columns took gigabytes), summed by plain column sums, which Polars aggregates on its
    fast path (a mask expression inside ``agg`` is evaluated group by group)."""
    pl = _pl()
    masks = []
    for family, in_family in families.items():
        for name, condition in conditions.items():
            mask = in_family if condition is None else in_family & condition
            masks.append(mask.alias(f"{family}{SEP}{name}"))
    wide = frame.select(pl.col("area_code"), *masks)
    by_area = wide.group_by("area_code").agg(pl.exclude("area_code").sum())
    total = wide.select(pl.exclude("area_code").sum())
    return by_area, total


# --- the sources ----------------------------------------------------------------------------


def _between(name: str, start: Any, end: Any) -> pl.Expr:
    col = _pl().col(name)
    return (col >= start) & (col < end)


def _incidents(f: Frames, p: Params) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    pl = _pl()
    linked = f.crimes.lazy().select(
        "crime_id", "serious_sexual", "offence_group", "havens_referral"
    )
    inc = (
        f.incidents.lazy()
        .filter(_between("reported_at", p.start, p.end))
        .join(linked, on="crime_id", how="left")
    )
    sso = _flag("serious_sexual")
    sexual = _flag("sexual_offence_flag") | sso | _is_in("offence_group", p.sexual_groups)
    arrest, present = _flag("arrest_made"), _flag("suspect_present")
    conditions: dict[str, pl.Expr | None] = {
        "incidents": None,
        "incidents_with_arrest": arrest,
        "incidents_suspect_present": present,
        "arrests_suspect_present": present & arrest,
        "incidents_compliant": pl.col("crime_id").is_not_null()
        | pl.col("no_crime_report_reason").is_not_null(),
        "front_counter_incidents": _equals("channel", "front_counter"),
        "havens_referrals": _flag("havens_referral"),
    }
    return _row_counts(inc, _families(_flag("dv_flag"), sso, sexual), conditions)


def _crimes(f: Frames, p: Params) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    pl = _pl()
    c = f.crimes.lazy().filter(_between("recorded_at", p.start, p.end))
    confirmed = _equals("status", "confirmed")
    sd = confirmed & _is_in("outcome", p.sanction_outcomes)
    charge = sd & _equals("outcome", "charge")
    caution = sd & _equals("outcome", "caution")
    risk_form = confirmed & _is_in("risk_form", ("completed", "partial"))
    conditions: dict[str, pl.Expr | None] = {
        "offences": confirmed,
        "sanction_detections": sd,
        "charges": charge,
        "cautions": caution,
        "other_sds": sd & ~_is_in("outcome", ("charge", "caution")),
        "offences_with_arrest": confirmed & pl.col("arrested_at").is_not_null(),
        "risk_forms_completed": confirmed & _equals("risk_form", "completed"),
        "risk_forms": risk_form,
        "risk_forms_supervised": risk_form & _flag("risk_form_supervised"),
        "no_crimes": _equals("status", "no_crime"),
        "cris": _equals("status", "cri"),
        "unsupported_prosecutions": confirmed & _flag("unsupported_prosecution"),
        "withdrawn_after_charge": charge & _flag("withdrawn_after_charge"),
        "hbv_fm_crimes": confirmed & (_flag("hbv") | _flag("forced_marriage")),
        "fgm_crimes": confirmed & _flag("fgm"),
        "lgbt_flagged": confirmed & _flag("lgbt"),
        "dv_and_serious_sexual": confirmed & _flag("dv") & _flag("serious_sexual"),
        "homicides": confirmed & _equals("offence_group", "homicide"),
    }
    return _row_counts(c, _crime_families(p), conditions)


def _contacts(f: Frames, p: Params) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    pl = _pl()
    crimes = f.crimes.lazy().select(
        "crime_id", "area_code", "dv", "serious_sexual", "offence_group"
    )
    v = (
        f.victim_contacts.lazy()
        .filter(_between("due_at", p.start, p.end))
        .join(crimes, on="crime_id", how="inner")
    )
    made, due = pl.col("made_at"), pl.col("due_at")
    on_time = (made.is_not_null() & (made <= due)).fill_null(False)
    conditions: dict[str, pl.Expr | None] = {"contacts_due": None, "contacts_on_time": on_time}
    for reason in CONTACT_REASONS:
        is_reason = _equals("reason", reason)
        conditions[f"contacts_due_{reason}"] = is_reason
        conditions[f"contacts_on_time_{reason}"] = is_reason & on_time
    return _row_counts(v, _crime_families(p), conditions)


def _person_rows(f: Frames, role: str, crimes: pl.LazyFrame) -> pl.LazyFrame:
    pl = _pl()
    links = f.crime_people.lazy().filter(pl.col("role") == role).select("crime_id", "person_id")
    columns = ["crime_id", "recorded_at", "area_code", "dv", "serious_sexual", "offence_group"]
    return links.join(crimes.select(columns), on="crime_id", how="inner")


def _person_counts(
    persons: pl.LazyFrame, family: str, columns: dict[str, pl.Expr]
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Counts of ``persons`` (one row each, with ``area_code``) by area and in all."""
    aggs = [expr.alias(f"{family}{SEP}{name}") for name, expr in columns.items()]
    by_area = persons.group_by("area_code").agg(aggs)
    total = persons.select(aggs)
    return by_area, total


LATEST = ("recorded_at", "crime_id")  # the order of a person's offences


def _victims(f: Frames, p: Params) -> list[tuple[pl.LazyFrame, pl.LazyFrame]]:
    pl = _pl()
    crimes = f.crimes.lazy().filter(
        _equals("status", "confirmed") & _between("recorded_at", p.since, p.end)
    )
    rows = _person_rows(f, "victim", crimes)
    out = []
    for family, in_family in _crime_families(p).items():
        previous = pl.col("recorded_at").shift(1).over("person_id")
        window_start = pl.col("recorded_at").dt.offset_by(f"-{p.window_months}mo")
        persons = (
            rows.filter(in_family)
            .sort(["person_id", *LATEST])
            .with_columns(
                repeat=(previous.is_not_null() & (previous >= window_start)).fill_null(False),
                in_window=pl.len().over("person_id"),
            )
            .filter(pl.col("recorded_at") >= p.start)
            .group_by("person_id")
            .agg(
                is_repeat=pl.col("repeat").any(),
                repeat_offences=pl.col("repeat").sum(),
                in_window=pl.col("in_window").max(),
                area_code=pl.col("area_code").last(),  # sorted: the latest offence
            )
        )
        out.append(
            _person_counts(
                persons,
                family,
                {
                    "victims": pl.len(),
                    "repeat_victims": pl.col("is_repeat").sum(),
                    "repeat_offences": pl.col("repeat_offences").sum(),
                    "offences_against_repeat_victims": (
                        pl.col("in_window") * pl.col("is_repeat").cast(pl.Int64)
                    ).sum(),
                },
            )
        )
    return out


def _cautioned(f: Frames, p: Params) -> list[tuple[pl.LazyFrame, pl.LazyFrame]]:
    pl = _pl()
    crimes = f.crimes.lazy().filter(
        _equals("status", "confirmed")
        & _equals("outcome", "caution")
        & (pl.col("recorded_at") < p.end)
    )
    rows = _person_rows(f, "suspect", crimes)
    out = []
    for family, in_family in _crime_families(p).items():
        persons = (
            rows.filter(in_family)
            .sort(["person_id", *LATEST])
            .with_columns(repeat=pl.int_range(pl.len()).over("person_id") > 0)  # cautioned before
            .filter(pl.col("recorded_at") >= p.start)
            .group_by("person_id")
            .agg(
                is_repeat=pl.col("repeat").any(),
                area_code=pl.col("area_code").last(),  # sorted: the latest caution
            )
        )
        out.append(
            _person_counts(
                persons,
                family,
                {
                    "cautioned_offenders": pl.len(),
                    "repeat_caution_offenders": pl.col("is_repeat").sum(),
                },
            )
        )
    return out


def _suspects(f: Frames, p: Params) -> list[tuple[pl.LazyFrame, pl.LazyFrame]]:
    pl = _pl()
    crimes = f.crimes.lazy().filter(
        _equals("status", "confirmed") & _between("recorded_at", p.start, p.end)
    )
    rows = _person_rows(f, "suspect", crimes)
    out = []
    for family, in_family in _crime_families(p).items():
        persons = (
            rows.filter(in_family)
            .sort(["person_id", *LATEST])
            .group_by("person_id")
            .agg(area_code=pl.col("area_code").last())  # sorted: the latest offence
        )
        out.append(_person_counts(persons, family, {"suspects": pl.len()}))
    return out


# --- the whole query ------------------------------------------------------------------------


def compute_counts(frames: Frames, p: Params | None = None) -> tuple[Counts, Counts]:
    """Counts by area, and the same counts over all rows (the force row)."""
    pl = _pl()
    p = p or params()
    pairs = [
        _incidents(frames, p),
        _crimes(frames, p),
        _contacts(frames, p),
        *_victims(frames, p),
        *_cautioned(frames, p),
        *_suspects(frames, p),
    ]
    collected = pl.collect_all([q for pair in pairs for q in pair])
    counts: Counts = {}
    totals: Counts = {}
    for by_area, total in zip(collected[::2], collected[1::2], strict=True):
        for row in by_area.iter_rows(named=True):
            area = row.pop("area_code")
            for column, value in row.items():
                family, name = column.split(SEP)
                counts[(area, family, name)] = int(value or 0)
        for column, value in total.row(0, named=True).items():
            family, name = column.split(SEP)
            totals[(FORCE_ROW, family, name)] = int(value or 0)
    return counts, totals


def compute(frames: Frames) -> Figures:
    """All indicators by area, from Polars frames of the store tables."""
    counts, totals = compute_counts(frames)
    return assemble(counts, totals)
