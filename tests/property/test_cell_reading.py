"""The import reads cells with shortcuts (no trim for a cell that needs none; one
comparison for a canonical boolean or category). Each shortcut must answer exactly as the
plain reading does, for any text: DuckDB's ``trim`` (which strips every Unicode space
separator, but not tabs), then a case-insensitive match."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsvb.ingest import extract_format as fmt
from dsvb.ingest.extract import _clean, _typed

# spaces DuckDB trims (ASCII, no-break, em, ideographic) and ones it keeps (tab, newline)
ALPHABET = [*"aTrUeFlsNoYy01 -_", "\u00a0", "\u2003", "\u3000", "\t", "\n", "é"]
cells = st.one_of(
    st.none(),
    st.text(alphabet=ALPHABET, max_size=8),
    st.sampled_from(["true", "false", " true", "TRUE ", "\u00a0yes", "emergency_call"]),
    st.builds(lambda pad, word, end: pad + word + end,
              st.sampled_from(["", " ", "\u00a0", "\t"]),
              st.sampled_from(fmt.TRUE_WORDS + fmt.FALSE_WORDS + fmt.CHANNELS),
              st.sampled_from(["", " ", "\u2003", "\n"])),
)  # fmt: skip

PLAIN_CLEAN = "NULLIF(trim(x), '')"
TRUES = ", ".join(f"'{w}'" for w in fmt.TRUE_WORDS)
FALSES = ", ".join(f"'{w}'" for w in fmt.FALSE_WORDS)
PLAIN_BOOL = (
    f"CASE WHEN lower({PLAIN_CLEAN}) IN ({TRUES}) THEN TRUE "
    f"WHEN lower({PLAIN_CLEAN}) IN ({FALSES}) THEN FALSE END"
)
CHANNEL = fmt.INCIDENTS.column("channel")
PLAIN_ENUM = (
    f"CASE lower({PLAIN_CLEAN}) "
    + " ".join(f"WHEN '{v.lower()}' THEN '{v}'" for v in CHANNEL.values)
    + " END"
)
BOOL = fmt.Column("x", fmt.BOOL)
ENUM = fmt.Column("x", fmt.ENUM, values=CHANNEL.values)


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _both(con, fast: str, plain: str, values: list[str | None]) -> list[tuple]:
    con.execute("CREATE OR REPLACE TEMP TABLE cells (i INTEGER, x VARCHAR)")
    con.executemany("INSERT INTO cells VALUES (?, ?)", list(enumerate(values)))
    return con.execute(f"SELECT i, x, {fast}, {plain} FROM cells ORDER BY i").fetchall()


@settings(max_examples=300, deadline=None)
@given(values=st.lists(cells, min_size=1, max_size=40))
def test_cleaning_a_cell_equals_trimming_it(con, values) -> None:
    for _, x, fast, plain in _both(con, _clean("x"), PLAIN_CLEAN, values):
        assert fast == plain, repr(x)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(cells, min_size=1, max_size=40))
def test_booleans_and_categories_read_as_the_case_insensitive_rule(con, values) -> None:
    for _, x, fast, plain in _both(con, _typed(BOOL), PLAIN_BOOL, values):
        assert fast is plain, repr(x)
    for _, x, fast, plain in _both(con, _typed(ENUM), PLAIN_ENUM, values):
        assert fast == plain, repr(x)


def test_the_shortcut_is_exercised_on_both_sides(con) -> None:
    """Guard for the properties above: the alphabet reaches cells DuckDB trims and cells
    it keeps, so a shortcut that skipped ``trim`` wrongly would be seen."""
    rows = _both(con, _clean("x"), PLAIN_CLEAN, ["\u00a0a", "a\u3000", "\ta", " a ", "a", ""])
    assert [plain for *_, plain in rows] == ["a", "a", "\ta", "a", "a", None]
