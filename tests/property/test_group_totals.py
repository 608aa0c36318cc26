"""The engine counts in two steps (rows to groups in the backend, groups to totals in
Arrow); the totals must equal counting the rows directly, once per count."""

from __future__ import annotations

import duckdb
import ibis
from hypothesis import given, settings
from hypothesis import strategies as st

from dsvb.indicators.engine import _groups, _totals
from dsvb.indicators.model import Count

FAMILIES = ("dv", "sexual")
COUNTS = (
    Count("all_rows", "test", "every row of the family"),
    Count("flagged", "test", "rows where w1 holds", where=lambda t, ctx: t.w1),
    Count("summed", "test", "the sum of s2 where w2 holds", where=lambda t, ctx: t.w2,
          sum_of=lambda t, ctx: t.s2),
    Count("summed_all", "test", "the sum of s3", sum_of=lambda t, ctx: t.s3),
)  # fmt: skip

row = st.fixed_dictionaries(
    {
        "cut0": st.sampled_from(["E09000001", "E09000002", None]),
        "cut1": st.sampled_from(["2010-01", "2010-02"]),
        "f0": st.booleans(),
        "f1": st.booleans(),
        "w1": st.booleans(),
        "w2": st.booleans(),
        "s2": st.one_of(st.none(), st.integers(0, 5)),
        "s3": st.integers(0, 3),
    }
)


COLUMNS = {
    "cut0": "VARCHAR", "cut1": "VARCHAR", "f0": "BOOLEAN", "f1": "BOOLEAN",
    "w1": "BOOLEAN", "w2": "BOOLEAN", "s2": "INTEGER", "s3": "INTEGER",
}  # fmt: skip


def backend(rows: list[dict]) -> ibis.BaseBackend:
    """The rows in a real DuckDB table, behind Ibis."""
    raw = duckdb.connect()
    raw.execute(f"CREATE TABLE rows ({', '.join(f'{c} {t}' for c, t in COLUMNS.items())})")
    if rows:
        marks = ", ".join("?" for _ in COLUMNS)
        raw.executemany(
            f"INSERT INTO rows VALUES ({marks})", [[r[c] for c in COLUMNS] for r in rows]
        )
    return ibis.duckdb.from_connection(raw)


def direct(rows: list[dict], cuts: tuple[str, ...]) -> dict[tuple, int]:
    """Each count filtered and summed over the rows themselves."""
    out: dict[tuple, int] = {}
    for r in rows:
        key = tuple(r[c] for c in cuts)
        for i, family in enumerate(FAMILIES):
            if not r[f"f{i}"]:
                continue
            for count, holds, value in (
                ("all_rows", True, 1),
                ("flagged", r["w1"], 1),
                ("summed", r["w2"], r["s2"] or 0),
                ("summed_all", True, r["s3"]),
            ):
                k = (*key, family, count)
                out[k] = out.get(k, 0) + (value if holds else 0)
    return out


def two_step(rows: list[dict], cuts: tuple[str, ...]) -> dict[tuple, int]:
    con = backend(rows)
    table = con.table("rows")
    table = table.select(
        *(table[c].name(f"cut{k}") for k, c in enumerate(cuts)),
        "f0", "f1", "w1", "w2", "s2", "s3",
    )  # fmt: skip
    groups = con.to_pyarrow(_groups(table, cuts))
    out: dict[tuple, int] = {}
    for result in _totals(groups, COUNTS, FAMILIES, cuts).to_pylist():
        key = tuple(result.pop(f"cut{k}") for k in range(len(cuts)))
        for name, value in result.items():
            family, count = name.split("\x1f")
            out[(*key, family, count)] = value
    return out


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(row, max_size=60), by=st.sampled_from([(), ("cut0",), ("cut0", "cut1")]))
def test_totals_from_groups_equal_direct_counts(rows: list[dict], by: tuple[str, ...]) -> None:
    expected = direct(rows, by)
    got = two_step(rows, by)
    # the two-step answer also lists zero counts; every non-zero one must match
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}
    assert set(expected) <= set(got)


def test_groups_are_fewer_than_rows() -> None:
    rows = [
        {"cut0": "E09000001", "cut1": "2010-01", "f0": True, "f1": False,
         "w1": i % 2 == 0, "w2": False, "s2": None, "s3": 1}
        for i in range(1000)
    ]  # fmt: skip
    con = backend(rows)
    table = con.table("rows")
    table = table.select(table.cut0.name("cut0"), "f0", "f1", "w1", "w2", "s2", "s3")
    groups = con.to_pyarrow(_groups(table, ("area",)))
    assert groups.num_rows == 2  # w1 true or false; everything else alike
    totals = _totals(groups, COUNTS, FAMILIES, ("area",)).to_pylist()
    assert totals == [
        {"cut0": "E09000001", "dv\x1fall_rows": 1000, "dv\x1fflagged": 500, "dv\x1fsummed": 0,
         "dv\x1fsummed_all": 1000, "sexual\x1fall_rows": 0, "sexual\x1fflagged": 0,
         "sexual\x1fsummed": 0, "sexual\x1fsummed_all": 0}
    ]  # fmt: skip
