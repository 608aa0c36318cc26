"""The ceiling: the benchmark query in straightforward pandas.

The columns the query reads are loaded from the store into DataFrames first (:func:`load`,
not timed); the computation (:func:`compute`) is what a competent analyst would write
without heroic optimisation: boolean masks per family and count, ``groupby`` sums,
``merge`` for linked crimes, and for repeat victims a sort plus ``groupby().shift()``.
The force row is counted directly over all rows (not summed from the areas), so it also
checks that areas add up.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from benchmarks.figures import FORCE_ROW, Counts, Figures, Params, assemble, params
from dsvb.ingest.extract_format import CONTACT_REASONS

# The columns the query reads, as an analyst would select them before loading.
COLUMNS = {
    "incidents": (
        "reported_at", "area_code", "channel", "dv_flag", "sexual_offence_flag", "crime_id",
        "no_crime_report_reason", "suspect_present", "arrest_made",
    ),
    "crimes": (
        "crime_id", "recorded_at", "area_code", "offence_group", "status", "dv",
        "serious_sexual", "hbv", "forced_marriage", "fgm", "lgbt", "risk_form",
        "risk_form_supervised", "arrested_at", "outcome", "unsupported_prosecution",
        "withdrawn_after_charge", "havens_referral",
    ),
    "crime_people": ("crime_id", "person_id", "role"),
    "victim_contacts": ("crime_id", "reason", "due_at", "made_at"),
}  # fmt: skip
TABLES = tuple(COLUMNS)


@dataclass
class Frames:
    incidents: pd.DataFrame
    crimes: pd.DataFrame
    crime_people: pd.DataFrame
    victim_contacts: pd.DataFrame

    @property
    def nbytes(self) -> int:
        return sum(int(getattr(self, t).memory_usage(index=True, deep=False).sum()) for t in TABLES)


def load(con: duckdb.DuckDBPyConnection) -> Frames:
    """Read the columns the query needs from the store tables into DataFrames."""
    return Frames(
        *(con.sql(f"SELECT {', '.join(cols)} FROM {table}").df() for table, cols in COLUMNS.items())
    )


def _flag(column: pd.Series) -> pd.Series:
    """A nullable boolean column with missing read as false."""
    return column.fillna(False).astype(bool)


def _families(dv: pd.Series, sso: pd.Series, sexual: pd.Series) -> dict[str, pd.Series]:
    return {"dv": dv, "serious_sexual": sso, "sexual": sexual, "other_sexual": sexual & ~sso}


def _count_rows(
    area: pd.Series,
    families: dict[str, pd.Series],
    conditions: dict[str, pd.Series | None],
    counts: Counts,
    totals: Counts,
) -> None:
    """Rows in each family meeting each condition, by area and in all."""
    columns = {}
    for family, in_family in families.items():
        for name, condition in conditions.items():
            mask = in_family if condition is None else in_family & condition
            columns[(family, name)] = mask.to_numpy()
    frame = pd.DataFrame(columns, index=area.to_numpy())
    by_area = frame.groupby(level=0).sum()
    for (family, name), column in by_area.items():
        for area_code, value in column.items():
            counts[(area_code, family, name)] = int(value)
    for (family, name), value in frame.sum().items():
        totals[(FORCE_ROW, family, name)] = int(value)


def _incidents(f: Frames, p: Params, counts: Counts, totals: Counts) -> None:
    inc = f.incidents
    inc = inc[(inc.reported_at >= p.start) & (inc.reported_at < p.end)]
    linked = f.crimes[["crime_id", "serious_sexual", "offence_group", "havens_referral"]]
    inc = inc.merge(linked, on="crime_id", how="left")
    sso = _flag(inc.serious_sexual)
    sexual = inc.sexual_offence_flag | sso | inc.offence_group.isin(p.sexual_groups)
    arrest = _flag(inc.arrest_made)
    present = _flag(inc.suspect_present)
    conditions = {
        "incidents": None,
        "incidents_with_arrest": arrest,
        "incidents_suspect_present": present,
        "arrests_suspect_present": present & arrest,
        "incidents_compliant": inc.crime_id.notna() | inc.no_crime_report_reason.notna(),
        "front_counter_incidents": inc.channel == "front_counter",
        "havens_referrals": _flag(inc.havens_referral),
    }
    families = _families(inc.dv_flag, sso, sexual)
    _count_rows(inc.area_code, families, conditions, counts, totals)


def _crime_families(c: pd.DataFrame, p: Params) -> dict[str, pd.Series]:
    sexual = c.serious_sexual | c.offence_group.isin(p.sexual_groups)
    return _families(c.dv, c.serious_sexual, sexual)


def _crimes(f: Frames, p: Params, counts: Counts, totals: Counts) -> None:
    c = f.crimes
    c = c[(c.recorded_at >= p.start) & (c.recorded_at < p.end)]
    confirmed = c.status == "confirmed"
    sd = confirmed & c.outcome.isin(p.sanction_outcomes)
    charge = sd & (c.outcome == "charge")
    caution = sd & (c.outcome == "caution")
    risk_form = confirmed & c.risk_form.isin(["completed", "partial"])
    conditions = {
        "offences": confirmed,
        "sanction_detections": sd,
        "charges": charge,
        "cautions": caution,
        "other_sds": sd & ~c.outcome.isin(["charge", "caution"]),
        "offences_with_arrest": confirmed & c.arrested_at.notna(),
        "risk_forms_completed": confirmed & (c.risk_form == "completed"),
        "risk_forms": risk_form,
        "risk_forms_supervised": risk_form & _flag(c.risk_form_supervised),
        "no_crimes": c.status == "no_crime",
        "cris": c.status == "cri",
        "unsupported_prosecutions": confirmed & _flag(c.unsupported_prosecution),
        "withdrawn_after_charge": charge & _flag(c.withdrawn_after_charge),
        "hbv_fm_crimes": confirmed & (c.hbv | c.forced_marriage),
        "fgm_crimes": confirmed & c.fgm,
        "lgbt_flagged": confirmed & _flag(c.lgbt),
        "dv_and_serious_sexual": confirmed & c.dv & c.serious_sexual,
        "homicides": confirmed & (c.offence_group == "homicide"),
    }
    _count_rows(c.area_code, _crime_families(c, p), conditions, counts, totals)


def _contacts(f: Frames, p: Params, counts: Counts, totals: Counts) -> None:
    v = f.victim_contacts
    v = v[(v.due_at >= p.start) & (v.due_at < p.end)]
    crimes = f.crimes[["crime_id", "area_code", "dv", "serious_sexual", "offence_group"]]
    v = v.merge(crimes, on="crime_id", how="inner")
    on_time = v.made_at.notna() & (v.made_at <= v.due_at)
    conditions: dict[str, pd.Series | None] = {"contacts_due": None, "contacts_on_time": on_time}
    for reason in CONTACT_REASONS:
        is_reason = v.reason == reason
        conditions[f"contacts_due_{reason}"] = is_reason
        conditions[f"contacts_on_time_{reason}"] = is_reason & on_time
    _count_rows(v.area_code, _crime_families(v, p), conditions, counts, totals)


def _person_rows(f: Frames, p: Params, role: str, crimes: pd.DataFrame) -> pd.DataFrame:
    links = f.crime_people
    links = links.loc[links.role == role, ["crime_id", "person_id"]]
    columns = ["crime_id", "recorded_at", "area_code", "dv", "serious_sexual", "offence_group"]
    return links.merge(crimes[columns], on="crime_id", how="inner")


def _count_people(
    persons: pd.DataFrame, family: str, columns: dict[str, str], counts: Counts, totals: Counts
) -> None:
    """``persons`` has area_code and the 0/1 or integer columns named in ``columns``."""
    by_area = persons.groupby("area_code")[list(columns.values())].sum()
    for area_code, row in by_area.iterrows():
        for name, column in columns.items():
            counts[(area_code, family, name)] = int(row[column])
    for name, column in columns.items():
        totals[(FORCE_ROW, family, name)] = int(persons[column].sum())


def _victims(f: Frames, p: Params, counts: Counts, totals: Counts) -> None:
    c = f.crimes
    c = c[(c.status == "confirmed") & (c.recorded_at >= p.since) & (c.recorded_at < p.end)]
    rows = _person_rows(f, p, "victim", c)
    window = pd.DateOffset(months=p.window_months)
    for family, in_family in _crime_families(rows, p).items():
        r = rows[in_family].sort_values(["person_id", "recorded_at", "crime_id"])
        previous = r.groupby("person_id").recorded_at.shift()
        r = r.assign(
            repeat=previous.notna() & (previous >= r.recorded_at - window),
            in_window=r.groupby("person_id").person_id.transform("size"),
        )
        r = r[r.recorded_at >= p.start]
        persons = r.groupby("person_id").agg(
            is_repeat=("repeat", "any"),
            repeat_offences=("repeat", "sum"),
            in_window=("in_window", "max"),
            area_code=("area_code", "last"),  # rows are in date order: the latest offence
        )
        persons["victims"] = 1
        persons["offences_against"] = persons.in_window * persons.is_repeat
        columns = {
            "victims": "victims",
            "repeat_victims": "is_repeat",
            "repeat_offences": "repeat_offences",
            "offences_against_repeat_victims": "offences_against",
        }
        _count_people(persons, family, columns, counts, totals)


def _cautioned(f: Frames, p: Params, counts: Counts, totals: Counts) -> None:
    c = f.crimes
    c = c[(c.status == "confirmed") & (c.outcome == "caution") & (c.recorded_at < p.end)]
    rows = _person_rows(f, p, "suspect", c)
    for family, in_family in _crime_families(rows, p).items():
        r = rows[in_family].sort_values(["person_id", "recorded_at", "crime_id"])
        r = r.assign(repeat=r.groupby("person_id").cumcount() > 0)  # cautioned before
        r = r[r.recorded_at >= p.start]
        persons = r.groupby("person_id").agg(
            is_repeat=("repeat", "any"), area_code=("area_code", "last")
        )
        persons["cautioned"] = 1
        columns = {"cautioned_offenders": "cautioned", "repeat_caution_offenders": "is_repeat"}
        _count_people(persons, family, columns, counts, totals)


def _suspects(f: Frames, p: Params, counts: Counts, totals: Counts) -> None:
    c = f.crimes
    c = c[(c.status == "confirmed") & (c.recorded_at >= p.start) & (c.recorded_at < p.end)]
    rows = _person_rows(f, p, "suspect", c)
    for family, in_family in _crime_families(rows, p).items():
        r = rows[in_family].sort_values(["person_id", "recorded_at", "crime_id"])
        persons = r.groupby("person_id").agg(area_code=("area_code", "last"))
        persons["suspects"] = 1
        _count_people(persons, family, {"suspects": "suspects"}, counts, totals)


def compute_counts(frames: Frames, p: Params | None = None) -> tuple[Counts, Counts]:
    """Counts by area, and the same counts over all rows (the force row)."""
    p = p or params()
    counts: Counts = {}
    totals: Counts = {}
    for step in (_incidents, _crimes, _contacts, _victims, _cautioned, _suspects):
        step(frames, p, counts, totals)
    return counts, totals


def compute(frames: Frames) -> Figures:
    """All indicators by area, from DataFrames of the store tables."""
    counts, totals = compute_counts(frames)
    return assemble(counts, totals)
