"""Re-sending any extract makes its records current again, in every order of imports.

Import A, then B (replacing all of A's records), then A again: A's records are stored
again (before, the import said "already in the store; nothing changed" and none of A's
records remained). A re-send whose records are all still current stays a no-op.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsvb import store
from dsvb.ingest.extract import import_extract
from tests.support.builder import ExtractBuilder

# Three extracts over the same two crimes: A and B state both (other outcomes, other
# victims), C re-sends one crime only.
EXTRACTS = {
    "A": {"CRM1": ("charge", "P1"), "CRM2": ("charge", "P2")},
    "B": {"CRM1": ("caution", "P2"), "CRM2": ("caution", "P1")},
    "C": {"CRM2": ("no_further_action", "P3")},
}


def write(name: str, folder: Path) -> Path:
    b = ExtractBuilder()
    for person in ("P1", "P2", "P3"):
        b.person(person)
    for crime_id, (outcome, victim) in EXTRACTS[name].items():
        b.crime(crime_id, victims=[victim], outcome=outcome)
        b.contact(crime_id, "update", f"2010-03-0{int(crime_id[-1]) + 1}T12:00:00")
    return b.write(folder / name)


def stored(con) -> dict[str, tuple[str, str]]:
    crimes = dict(con.execute("SELECT crime_id, outcome FROM crimes").fetchall())
    victims = dict(
        con.execute("SELECT crime_id, person_id FROM crime_people WHERE role = 'victim'").fetchall()
    )
    assert set(victims) == set(crimes), "every crime keeps exactly its own links"
    return {c: (crimes[c], victims[c]) for c in crimes}


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    return {name: write(name, tmp_path) for name in EXTRACTS}


def test_a_then_b_then_a_makes_a_current_again(tmp_path: Path, folders) -> None:
    con = store.connect(tmp_path / "s.duckdb")
    import_extract(con, folders["A"])
    import_extract(con, folders["B"])
    assert stored(con) == EXTRACTS["B"]
    again = import_extract(con, folders["A"])
    assert again.status == "imported"
    assert stored(con) == EXTRACTS["A"]
    assert again.replaced["crimes"] == 2
    con.close()


def test_a_re_send_whose_records_are_all_current_is_a_no_op(tmp_path: Path, folders) -> None:
    con = store.connect(tmp_path / "s.duckdb")
    first = import_extract(con, folders["A"])
    import_extract(con, folders["C"])  # replaces one of A's crimes
    import_extract(con, folders["A"])  # A current again, under a new import
    repeat = import_extract(con, folders["A"])
    assert repeat.status == "already_imported"
    assert repeat.import_id != first.import_id
    assert "nothing changed" in repeat.summary()
    con.close()


def _model(sequence: list[str]) -> dict[str, tuple[str, str]]:
    state: dict[str, tuple[str, str]] = {}
    for name in sequence:
        state.update(EXTRACTS[name])
    return state


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(st.sampled_from(sorted(EXTRACTS)), min_size=2, max_size=5))
def test_after_any_order_of_imports_each_record_is_the_last_sent(
    tmp_path_factory, folders, sequence: list[str]
) -> None:
    con = store.connect(tmp_path_factory.mktemp("order") / "s.duckdb")
    try:
        for i, name in enumerate(sequence):
            report = import_extract(con, folders[name])
            expected = _model(sequence[: i + 1])
            assert stored(con) == expected, sequence[: i + 1]
            if report.status == "already_imported":  # a no-op only when nothing would change
                assert _model(sequence[:i]) == expected
    finally:
        con.close()
