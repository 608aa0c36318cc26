"""The floor: the benchmark query as a skilled analyst would write it in DuckDB SQL.

One pass per source: its rows are first counted by area and by every attribute the counts
test (a few thousand groups), then each family's count is ``sum(n) FILTER (WHERE …)`` over
those groups — the same answer as ``count(*) FILTER`` over the rows, but each row is
looked at once instead of once per count, about ten times faster. A join only where a
source needs the linked crime, and for repeat victims one ``lag`` window per family and
person. Repeat cautions need no window at all: an offender cautioned in the
period is a repeat if they have two or more cautions in the family up to the period end
(their latest caution is in the period, so it has an earlier one).

The SQL is written by hand from the board's definitions (``DOMAIN.md`` and the worked
examples in ``tests/integration/test_indicators.py``), not generated from the engine's
definitions; only the repetitive ``FILTER`` lists are spelled out by a loop.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from benchmarks.figures import FAMILIES, Counts, Figures, Params, assemble, params
from dsvb.ingest.extract_format import CONTACT_REASONS

SEP = "__"


def _ts(value: dt.datetime) -> str:
    return f"TIMESTAMP '{value.isoformat(sep=' ')}'"


def _list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


# Which rows of a source belong to each family, given columns dv, sso (serious sexual
# offence) and sexual (serious or in a sexual offence group).
FAMILY_SQL = {
    "dv": "dv",
    "serious_sexual": "sso",
    "sexual": "sexual",
    "other_sexual": "(sexual AND NOT sso)",
}


def _filtered_counts(counts: dict[str, str]) -> str:
    def where(family: str, cond: str) -> str:
        return FAMILY_SQL[family] if cond == "TRUE" else f"{FAMILY_SQL[family]} AND {cond}"

    return ",\n  ".join(
        f'coalesce(sum(n) FILTER (WHERE {where(f, cond)}), 0) AS "{f}{SEP}{name}"'
        for f in FAMILIES
        for name, cond in counts.items()
    )


def _grouped(rows: str) -> str:
    """The rows counted by every column they have (area and the attributes tested)."""
    return f"(SELECT *, count(*) AS n FROM ({rows}) GROUP BY ALL)"


def incidents_sql(p: Params) -> str:
    counts = {
        "incidents": "TRUE",
        "incidents_with_arrest": "arrest",
        "incidents_suspect_present": "present",
        "arrests_suspect_present": "present AND arrest",
        "incidents_compliant": "compliant",
        "front_counter_incidents": "front_counter",
        "havens_referrals": "havens",
    }
    return f"""
SELECT area_code,
  {_filtered_counts(counts)}
FROM {
        _grouped(f'''
  SELECT i.area_code,
         i.dv_flag AS dv,
         coalesce(c.serious_sexual, FALSE) AS sso,
         i.sexual_offence_flag
           OR coalesce(c.serious_sexual OR c.offence_group IN {_list(p.sexual_groups)}, FALSE)
           AS sexual,
         coalesce(i.arrest_made, FALSE) AS arrest,
         coalesce(i.suspect_present, FALSE) AS present,
         i.crime_id IS NOT NULL OR i.no_crime_report_reason IS NOT NULL AS compliant,
         i.channel = 'front_counter' AS front_counter,
         coalesce(c.havens_referral, FALSE) AS havens
  FROM incidents i LEFT JOIN crimes c ON c.crime_id = i.crime_id
  WHERE i.reported_at >= {_ts(p.start)} AND i.reported_at < {_ts(p.end)}
''')
    }
GROUP BY area_code
"""


def crimes_sql(p: Params) -> str:
    sd = p.sanction_outcomes
    charge = "confirmed AND outcome = 'charge'" if "charge" in sd else "FALSE"
    caution = "confirmed AND outcome = 'caution'" if "caution" in sd else "FALSE"
    counts = {
        "offences": "confirmed",
        "sanction_detections": "sd",
        "charges": charge,
        "cautions": caution,
        "other_sds": "sd AND outcome NOT IN ('charge', 'caution')",
        "offences_with_arrest": "confirmed AND arrested",
        "risk_forms_completed": "confirmed AND risk_form = 'completed'",
        "risk_forms": "confirmed AND risk_form IN ('completed', 'partial')",
        "risk_forms_supervised": (
            "confirmed AND risk_form IN ('completed', 'partial') AND risk_form_supervised"
        ),
        "no_crimes": "status = 'no_crime'",
        "cris": "status = 'cri'",
        "unsupported_prosecutions": "confirmed AND coalesce(unsupported_prosecution, FALSE)",
        "withdrawn_after_charge": f"{charge} AND coalesce(withdrawn_after_charge, FALSE)",
        "hbv_fm_crimes": "confirmed AND (hbv OR forced_marriage)",
        "fgm_crimes": "confirmed AND fgm",
        "lgbt_flagged": "confirmed AND coalesce(lgbt, FALSE)",
        "dv_and_serious_sexual": "confirmed AND dv AND sso",
        "homicides": "confirmed AND offence_group = 'homicide'",
    }
    return f"""
SELECT area_code,
  {_filtered_counts(counts)}
FROM {
        _grouped(f'''
  SELECT area_code, dv, status, outcome, offence_group, risk_form, risk_form_supervised,
         unsupported_prosecution, withdrawn_after_charge,
         hbv, forced_marriage, fgm, lgbt,
         arrested_at IS NOT NULL AS arrested,
         serious_sexual AS sso,
         serious_sexual OR offence_group IN {_list(p.sexual_groups)} AS sexual,
         status = 'confirmed' AS confirmed,
         status = 'confirmed' AND outcome IN {_list(sd)} AS sd
  FROM crimes
  WHERE recorded_at >= {_ts(p.start)} AND recorded_at < {_ts(p.end)}
''')
    }
GROUP BY area_code
"""


def contacts_sql(p: Params) -> str:
    on_time = "on_time"
    counts = {"contacts_due": "TRUE", "contacts_on_time": on_time}
    for r in CONTACT_REASONS:
        counts[f"contacts_due_{r}"] = f"reason = '{r}'"
        counts[f"contacts_on_time_{r}"] = f"reason = '{r}' AND {on_time}"
    return f"""
SELECT area_code,
  {_filtered_counts(counts)}
FROM {
        _grouped(f'''
  SELECT c.area_code, v.reason,
         v.made_at IS NOT NULL AND v.made_at <= v.due_at AS on_time,
         c.dv,
         c.serious_sexual AS sso,
         c.serious_sexual OR c.offence_group IN {_list(p.sexual_groups)} AS sexual
  FROM victim_contacts v JOIN crimes c ON c.crime_id = v.crime_id
  WHERE v.due_at >= {_ts(p.start)} AND v.due_at < {_ts(p.end)}
''')
    }
GROUP BY area_code
"""


def _person_offences(p: Params, role: str, where: str) -> str:
    """Person-offence rows in a role, one copy per family the offence is in."""
    parts = " UNION ALL ".join(
        f"SELECT '{f}' AS family, person_id, crime_id, recorded_at, area_code "
        f"FROM rows WHERE {FAMILY_SQL[f]}"
        for f in FAMILIES
    )
    return f"""
rows AS (
  SELECT cp.person_id, c.crime_id, c.recorded_at, c.area_code, c.dv,
         c.serious_sexual AS sso,
         c.serious_sexual OR c.offence_group IN {_list(p.sexual_groups)} AS sexual
  FROM crime_people cp JOIN crimes c ON c.crime_id = cp.crime_id
  WHERE cp.role = '{role}' AND {where}
),
family_rows AS ({parts})"""


def victims_sql(p: Params) -> str:
    rows = _person_offences(
        p,
        "victim",
        f"c.status = 'confirmed' AND c.recorded_at >= {_ts(p.since)} "
        f"AND c.recorded_at < {_ts(p.end)}",
    )
    return f"""
WITH {rows},
flagged AS (
  SELECT family, person_id, crime_id, recorded_at, area_code,
         lag(recorded_at) OVER (PARTITION BY family, person_id ORDER BY recorded_at, crime_id)
           >= recorded_at - INTERVAL {p.window_months} MONTH AS repeat,
         count(*) OVER (PARTITION BY family, person_id) AS in_window
  FROM family_rows
),
victims AS (
  SELECT family, person_id,
         coalesce(bool_or(repeat), FALSE) AS is_repeat,
         count(*) FILTER (WHERE repeat) AS repeat_offences,
         max(in_window) AS in_window,
         arg_max(area_code, (recorded_at, crime_id)) AS area_code
  FROM flagged
  WHERE recorded_at >= {_ts(p.start)}
  GROUP BY family, person_id
)
SELECT area_code, family,
       count(*) AS victims,
       count(*) FILTER (WHERE is_repeat) AS repeat_victims,
       coalesce(sum(repeat_offences), 0) AS repeat_offences,
       coalesce(sum(in_window) FILTER (WHERE is_repeat), 0) AS offences_against_repeat_victims
FROM victims
GROUP BY area_code, family
"""


def cautioned_sql(p: Params) -> str:
    rows = _person_offences(
        p,
        "suspect",
        f"c.status = 'confirmed' AND c.outcome = 'caution' AND c.recorded_at < {_ts(p.end)}",
    )
    return f"""
WITH {rows},
offenders AS (
  SELECT family, person_id,
         count(*) >= 2 AS is_repeat,
         arg_max(area_code, (recorded_at, crime_id)) AS area_code
  FROM family_rows
  GROUP BY family, person_id
  HAVING max(recorded_at) >= {_ts(p.start)}
)
SELECT area_code, family,
       count(*) AS cautioned_offenders,
       count(*) FILTER (WHERE is_repeat) AS repeat_caution_offenders
FROM offenders
GROUP BY area_code, family
"""


def suspects_sql(p: Params) -> str:
    """People named as suspects in confirmed offences of the period, each once per family, in
    the area of their latest such offence."""
    rows = _person_offences(
        p,
        "suspect",
        f"c.status = 'confirmed' AND c.recorded_at >= {_ts(p.start)} "
        f"AND c.recorded_at < {_ts(p.end)}",
    )
    return f"""
WITH {rows},
suspects AS (
  SELECT family, person_id, arg_max(area_code, (recorded_at, crime_id)) AS area_code
  FROM family_rows
  GROUP BY family, person_id
)
SELECT area_code, family, count(*) AS suspects
FROM suspects
GROUP BY area_code, family
"""


def _wide(con: duckdb.DuckDBPyConnection, sql: str, into: Counts) -> None:
    """Rows of (area_code, "family__count" columns...)."""
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    for area, *values in cursor.fetchall():
        for name, value in zip(names[1:], values, strict=True):
            family, count = name.split(SEP, 1)
            into[(area, family, count)] = value


def _long(con: duckdb.DuckDBPyConnection, sql: str, into: Counts) -> None:
    """Rows of (area_code, family, count columns...)."""
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    for area, family, *values in cursor.fetchall():
        for name, value in zip(names[2:], values, strict=True):
            into[(area, family, name)] = value


def compute_counts(con: duckdb.DuckDBPyConnection, p: Params | None = None) -> Counts:
    p = p or params()
    counts: Counts = {}
    _wide(con, incidents_sql(p), counts)
    _wide(con, crimes_sql(p), counts)
    _wide(con, contacts_sql(p), counts)
    _long(con, victims_sql(p), counts)
    _long(con, cautioned_sql(p), counts)
    _long(con, suspects_sql(p), counts)
    return counts


def compute(con: duckdb.DuckDBPyConnection) -> Figures:
    """All indicators by area, from the store tables behind ``con``."""
    return assemble(compute_counts(con))
