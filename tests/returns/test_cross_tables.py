"""A figure printed in two tables of one report must agree: checked when a table is stored.

Expected agreements and differences are worked out here from the printed figures with
``decimal`` (rounded half up or truncated at the printed decimals, as DOMAIN.md says the
reports print), not taken from the code's output.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import dsvb.reference
from dsvb import store
from dsvb.cli import main
from dsvb.ingest.returns import PublishedReturn, import_return, load_return, read_return
from dsvb.ingest.returns.crosscheck import StoredReturn, cross_table_notes

PUBLISHED = Path(dsvb.reference.__file__).parent / "published"
REAL = sorted(PUBLISHED.glob("*.csv"))
SEXUAL = PUBLISHED / "sexual_offences_by_unit_12m_to_2010-11.csv"
HEADLINE = PUBLISHED / "vaw_headline_12m_to_2010-11.csv"
KINGSTON = PUBLISHED / "kingston_return_2006-07.csv"
DV = PUBLISHED / "dv_by_borough_12m_to_2010-11.csv"

DV_NAME = "dv_by_borough_12m_to_2010-11.csv"
HEADLINE_NAME = "vaw_headline_12m_to_2010-11.csv"


@pytest.fixture
def con():
    connection = store.connect(":memory:")
    yield connection
    connection.close()


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def dv_table(folder: Path, offences: int = 1000, sds: int = 489, name: str = DV_NAME) -> Path:
    """Two boroughs and the force total; the total is the sum of the rows."""
    return write(
        folder,
        name,
        "borough,dv_incidents,dv_offences,dv_sanction_detections\n"
        f"Barnet,1000,{offences - 400},{sds - 200}\n"
        "Brent,1500,400,200\n"
        f"MPS Total,2500,{offences},{sds}\n",
    )


def headline(folder: Path, rate: str, offences: str = "1,000", name: str = HEADLINE_NAME) -> Path:
    return write(
        folder,
        name,
        "offence,incidents,offences,sanction_detection_rate\n"
        f'Domestic Violence,"2,500","{offences}",{rate}\n',
    )


def across(outcome) -> list:
    return [n for n in outcome.published_return.notes if n.message.startswith("across tables, ")]


def printed(num: int, den: int, places: int) -> set[str]:
    """What a report may print for num / den: rounded, or truncated for whole percentages."""
    exact = Decimal(num) * 100 / Decimal(den)
    q = Decimal(1).scaleb(-places)
    out = {f"{exact.quantize(q, rounding=ROUND_HALF_UP)}%"}
    if places == 0:
        out.add(f"{exact.quantize(q, rounding=ROUND_DOWN)}%")
    return out


# --- made-up tables -----------------------------------------------------------------------------


def test_a_count_that_differs_between_tables_is_noted_naming_both(con, tmp_path):
    first = import_return(con, dv_table(tmp_path / "a"))
    outcome = import_return(con, headline(tmp_path / "b", "49%", offences="1,001"))
    (note,) = across(outcome)
    assert (note.kind, note.row_number, note.column_name) == ("reconciliation", 1, "offences")
    assert (note.expected, note.found) == (1000, 1001)
    assert note.message == (
        "across tables, dv offences (Metropolitan Police Service, 12 months to November 2010): "
        f"{HEADLINE_NAME} row 1 'Domestic Violence', offences prints 1,001 but {DV_NAME} "
        f"(return {first.return_id}) row 3 'MPS Total', dv_offences prints 1,000 (1 more here)"
    )
    # the rate is checked against the other table's counts: 489 / 1,000 = 48.9% is 49%
    assert "49%" in printed(489, 1000, 0)
    # stored with the return, and in the import log
    stored = load_return(con, outcome.return_id)
    assert note in stored.notes
    (warnings,) = con.execute(
        "SELECT warnings FROM import_log WHERE import_id = ?", [outcome.return_id]
    ).fetchone()
    assert f"reconciliation: {note.message}" in json.loads(warnings)


@pytest.mark.parametrize(
    ("rate", "agrees"),
    [
        ("49%", True),  # 48.9% rounded
        ("48%", True),  # 48.9% truncated: whole percentages may be either
        ("48.9%", True),
        ("50%", False),
        ("48.8%", False),  # one decimal: 48.9% rounded is 48.9%
        ("49.0%", False),
    ],
)
def test_a_rate_against_counts_in_another_table_within_print_precision(con, tmp_path, rate, agrees):
    places = len(rate.rstrip("%").partition(".")[2])
    assert (rate in printed(489, 1000, places)) is agrees  # the expectation, worked out apart
    import_return(con, dv_table(tmp_path / "a"))
    outcome = import_return(con, headline(tmp_path / "b", rate))
    notes = across(outcome)
    assert bool(notes) is not agrees
    checked = [n.message for n in outcome.published_return.notes if "one report" in n.message]
    assert len(checked) == 1  # compared, whether or not they agree
    if notes:
        (note,) = notes
        assert (note.row_number, note.column_name) == (1, "sanction_detection_rate")
        assert note.expected == pytest.approx(0.489)
        assert (
            f"{HEADLINE_NAME} row 1 'Domestic Violence', sanction_detection_rate prints {rate}"
        ) in note.message
        assert (
            f"{DV_NAME} (return 1) row 3 'MPS Total' prints dv_sanction_detections 489 and "
            "dv_offences 1,000: 489 / 1,000 = 48.90"
        ) in note.message


def test_one_decimal_truncation_is_a_difference_and_says_so(con, tmp_path):
    # 2,529 / 10,281 = 24.599%: 24.6% rounded; 24.5% only if truncated (one decimal: rounded)
    assert printed(2529, 10281, 1) == {"24.6%"}
    import_return(con, dv_table(tmp_path / "a", offences=10281, sds=2529))
    (note,) = across(import_return(con, headline(tmp_path / "b", "24.5%", "10,281")))
    assert note.message.endswith(
        "2,529 / 10,281 = 24.599%, which is 24.6% rounded or 24.5% truncated; 24.5% fits only "
        "if truncated, and figures printed with 1 decimal are rounded"
    )


def test_the_note_goes_with_whichever_table_is_stored_second(con, tmp_path):
    first = import_return(con, headline(tmp_path / "b", "50%"))
    assert not across(first)
    outcome = import_return(con, dv_table(tmp_path / "a"))
    (note,) = across(outcome)
    # the row and column are this table's (its numerator); the message names the other's
    assert (note.row_number, note.column_name) == (3, "dv_sanction_detections")
    assert (
        f"{HEADLINE_NAME} (return 1) row 1 'Domestic Violence', sanction_detection_rate "
        "prints 50% (rounded or truncated: 49.5% to under 51%)"
    ) in note.message
    assert f"{DV_NAME} row 3 'MPS Total' prints dv_sanction_detections 489" in note.message


@pytest.mark.parametrize(("other", "agrees"), [("48.9%", True), ("48%", True), ("47.5%", False)])
def test_a_rate_printed_in_two_tables(con, tmp_path, other, agrees):
    # A table of DV by borough that prints only the rate, and the headline's 49%: they agree
    # when one true value could be printed as both (49%: 48.5 to under 50; 47.5%: 47.45 to
    # 47.55; 48%: 47.5 to under 49).
    import_return(
        con,
        write(
            tmp_path / "a",
            DV_NAME,
            f"borough,dv_offences,dv_sd_rate\nBarnet,600,48%\nMPS Total,1000,{other}\n",
        ),
    )
    outcome = import_return(con, headline(tmp_path / "b", "49%"))
    notes = across(outcome)
    assert bool(notes) is not agrees
    (checked,) = [n.message for n in outcome.published_return.notes if "one report" in n.message]
    assert checked.endswith(
        "1 difference noted" if notes else "every figure compared agrees at its printed precision"
    )
    if notes:
        (note,) = notes
        assert note.message == (
            "across tables, dv sd_rate (Metropolitan Police Service, 12 months to November "
            f"2010): {HEADLINE_NAME} row 1 'Domestic Violence', sanction_detection_rate prints "
            "49% (rounded or truncated: 48.5% to under 50%) but "
            f"{DV_NAME} (return 1) row 2 'MPS Total', dv_sd_rate prints 47.5% (rounded: "
            "47.45% to 47.55%); no value prints as both"
        )


def test_tables_of_other_reports_are_not_compared(con, tmp_path):
    import_return(con, dv_table(tmp_path / "a"))
    # another period
    other = headline(tmp_path / "b", "60%", name="vaw_headline_12m_to_2009-11.csv")
    assert not [
        n for n in import_return(con, other).published_return.notes if "report" in n.message
    ]
    # another report named in the file names: not compared; the same one: compared
    assert not across(
        import_return(
            con, headline(tmp_path / "c", "61%", name=HEADLINE_NAME.replace(".csv", "__annual.csv"))
        )
    )
    named = dv_table(tmp_path / "d", sds=488, name="dv_12m_to_2010-11__annual.csv")
    outcome = import_return(con, named)
    (note,) = across(outcome)
    assert "vaw_headline_12m_to_2010-11__annual.csv (return 3) row 1 'Domestic" in note.message
    assert outcome.published_return.report == "annual"
    # the report's name is not read as the table's name: the period still comes from it
    assert outcome.published_return.period_label == "12 months to November 2010"


def test_a_version_of_the_same_table_is_not_another_table_of_the_report(con, tmp_path):
    import_return(con, dv_table(tmp_path / "a"))
    outcome = import_return(con, dv_table(tmp_path / "b", offences=1001))
    assert "2 cells differ" in outcome.warnings[0]  # said as a version, not across tables
    assert not across(outcome)
    assert not [n for n in outcome.published_return.notes if "one report" in n.message]


def test_the_tables_compared_are_named_in_a_note(con, tmp_path):
    import_return(con, dv_table(tmp_path / "a"))
    outcome = import_return(con, headline(tmp_path / "b", "49%"))
    (note,) = [n for n in outcome.published_return.notes if "one report" in n.message]
    assert note.kind == "interpreted"
    assert note.message == (
        "read as one report with the tables of report 'Metropolitan Police Service, 12 months "
        f"to November 2010' already in the store, and checked against them: return 1 "
        f"({DV_NAME}, 3 figures compared); every figure compared agrees at its printed precision"
    )


def test_sexual_not_rape_is_never_compared_with_other_sexual():
    headline_ret = read_return(HEADLINE)

    def as_family(family: str, bump: int) -> PublishedReturn:
        """The headline's 'Other Sexual Offences' row as ``family``, its counts changed."""
        cells = tuple(
            replace(c, family=family, value=c.value + bump if c.value and c.measure else c.value)
            if c.family == "sexual_not_rape"
            else c
            for c in headline_ret.cells
        )
        return replace(headline_ret, source_name="other.csv", cells=cells, notes=())

    # a table of dsvb's other_sexual with other figures: not the same quantity, no note
    dsvb_table = as_family("other_sexual", 5)
    assert not cross_table_notes(headline_ret, [StoredReturn(9, dsvb_table)])
    # the control: the same changed figures under sexual_not_rape are compared
    same = as_family("sexual_not_rape", 5)
    notes = cross_table_notes(headline_ret, [StoredReturn(9, same)])
    assert {n.column_name for n in notes} == {"incidents", "offences"}


# --- the real tables ----------------------------------------------------------------------------


def test_the_real_headline_and_unit_tables_disagree_on_the_sexual_sd_rate(con):
    # 2,529 / 10,281 = 24.599% (the unit table's MPS Total) is printed 24.6% rounded; the
    # headline prints 24.5%. Every other figure the tables share agrees: the headline's
    # counts are the tables' totals (13,263 and 10,281 sexual; 122,049 and 49,883 DV) and its
    # DV 49% is 24,406 / 49,883 = 48.93% rounded.
    assert printed(2529, 10281, 1) == {"24.6%"} and "49%" in printed(24406, 49883, 0)
    outcomes = {p.name: import_return(con, p) for p in REAL}
    notes = {name: across(o) for name, o in outcomes.items()}
    assert {name for name, n in notes.items() if n} == {HEADLINE.name}
    (note,) = notes[HEADLINE.name]
    assert (note.row_number, note.column_name) == (4, "sanction_detection_rate")
    assert note.message == (
        "across tables, sexual sd_rate (Metropolitan Police Service, 12 months to November "
        f"2010): {HEADLINE.name} row 4 'Total Sexual Offences', sanction_detection_rate prints "
        "24.5% (rounded: 24.45% to 24.55%) but "
        f"{SEXUAL.name} (return {outcomes[SEXUAL.name].return_id}) row 39 'MPS Total' prints "
        "sexual_offence_sanction_detections 2,529 and sexual_offences 10,281: 2,529 / 10,281 = "
        "24.599%, which is 24.6% rounded or 24.5% truncated; 24.5% fits only if truncated, and "
        "figures printed with 1 decimal are rounded"
    )
    assert note in load_return(con, outcomes[HEADLINE.name].return_id).notes
    # the SCD2 table (another period) and Kingston's return (another report) are compared
    # with nothing
    for name in (
        KINGSTON.name,
        PUBLISHED.joinpath("scd2_sexual_offences_2009-10_vs_2008-09.csv").name,
    ):
        assert not [n for n in outcomes[name].published_return.notes if "one report" in n.message]


def test_the_real_disagreement_is_found_in_either_order(con):
    for path in reversed(REAL):
        outcome = import_return(con, path)
        if path == SEXUAL:
            (note,) = across(outcome)
    # on the unit table this time, at its numerator's row and column, naming the headline's
    assert (note.row_number, note.column_name) == (39, "sexual_offence_sanction_detections")
    assert f"{HEADLINE.name} (return 1) row 4 'Total Sexual Offences'" in note.message
    assert f"{SEXUAL.name} row 39 'MPS Total' prints" in note.message


# --- the command line and older stores ----------------------------------------------------------


def dsvb(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_import_returns_prints_every_note_on_stderr_and_stores_it(tmp_path):
    path = tmp_path / "s.duckdb"
    for p in (SEXUAL, HEADLINE, KINGSTON):
        result = dsvb("import-returns", p, "--store", path)
        assert result.exit_code == 0
        assert result.stdout.startswith(f"Imported {p} as return ")
        assert "[" not in result.stdout  # the notes are not on stdout
        con = store.connect(path, read_only=True)
        try:
            (return_id,) = con.execute("SELECT max(return_id) FROM published_returns").fetchone()
            stored = load_return(con, return_id)
        finally:
            con.close()
        assert result.stderr.splitlines() == [str(n) for n in stored.notes]
        if p == HEADLINE:
            lines = result.stderr.splitlines()
            assert any(
                line.startswith("[reconciliation] across tables, sexual sd_rate") for line in lines
            )
            assert any("read as family sexual_not_rape" in line for line in lines)
        if p == KINGSTON:
            assert any(
                line.startswith("[interpreted] row 15 'form_124d_completion' (90%)")
                for line in result.stderr.splitlines()
            )
    # dsvb imports lists them too
    listed = dsvb("imports", "--store", path).stdout
    assert "warning: reconciliation: across tables, sexual sd_rate" in listed
    assert "read as risk_form_completion (risk_forms_completed / offences) for 2006/07" in listed


def test_indicators_with_returns_prints_the_readings_on_stderr():
    result = dsvb("indicators", "--returns", KINGSTON)
    assert any(
        line.startswith("[interpreted] row 15 'form_124d_completion' (90%) is printed without")
        for line in result.stderr.splitlines()
    )
    headline_rows = dsvb("indicators", "--returns", HEADLINE, "--family", "other_sexual")
    assert headline_rows.stdout.splitlines()[1:] == []  # never given as dsvb's other_sexual


def test_a_store_made_before_reports_were_recorded(tmp_path):
    path = tmp_path / "old.duckdb"
    con = store.connect(path)
    import_return(con, DV)
    con.execute("ALTER TABLE published_returns DROP COLUMN report")
    con.execute("UPDATE store_meta SET value = '2' WHERE key = 'schema_version'")
    con.close()

    old = store.connect(path, read_only=True)
    try:  # read as it is: the report derived from the stored return
        assert load_return(old, 1).report == (
            "Metropolitan Police Service, 12 months to November 2010"
        )
    finally:
        old.close()

    con = store.connect(path)
    try:
        assert "report" in {r[0] for r in con.execute("DESCRIBE published_returns").fetchall()}
        assert con.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone() == (str(store.SCHEMA_VERSION),)
        outcome = import_return(con, HEADLINE)
        (note,) = [n for n in outcome.published_return.notes if "one report" in n.message]
        assert f"return 1 ({DV.name}, 3 figures compared)" in note.message
        assert con.execute(
            "SELECT report FROM published_returns ORDER BY return_id"
        ).fetchall() == [
            (None,),
            ("Metropolitan Police Service, 12 months to November 2010",),
        ]
    finally:
        con.close()


def test_figures_of_an_unspecified_family_are_not_compared(con, tmp_path):
    # neither the header nor the file name says which family: the reader says so, and two
    # such tables are not taken to print the same figures
    for folder, incidents in (("a", 100), ("b", 200)):
        path = write(
            tmp_path / folder, f"measures_{folder}.csv", f"measure,2009/10\nIncidents,{incidents}\n"
        )
        outcome = import_return(con, path)
        assert outcome.published_return.cells[1].family == "unspecified"
    assert outcome.published_return.report == "Metropolitan Police Service, 2009/10"
    assert not across(outcome)


def test_a_rate_no_whole_number_over_the_other_tables_denominator_can_give(con, tmp_path):
    # the headline prints only the rate; the DV table prints the offences (12) but not the
    # SDs: 3% of 12 is impossible (0 / 12 = 0%, 1 / 12 = 8.33%), 8% is 1 / 12 rounded
    table = "borough,dv_offences\nBarnet,5\nBrent,7\nMPS Total,12\n"
    import_return(con, write(tmp_path / "a", DV_NAME, table))
    rows = "offence,sanction_detection_rate\nDomestic Violence,{}\n"
    fine = import_return(con, write(tmp_path / "b", HEADLINE_NAME, rows.format("8%")))
    assert not across(fine)
    assert "1 figure compared" in next(
        n.message for n in fine.published_return.notes if "one report" in n.message
    )
    notes = across(
        import_return(con, write(tmp_path / "c", "vaw_x_12m_to_2010-11.csv", rows.format("3%")))
    )
    # against the DV table's 12, and against the other headline's 8%
    note, against_8 = notes
    assert "prints 3% (rounded or truncated: 2.5% to under 4%)" in against_8.message
    assert (note.row_number, note.column_name) == (1, "sanction_detection_rate")
    assert note.message.endswith(
        f"but {DV_NAME} (return 1) row 3 'MPS Total', dv_offences prints 12, and no whole "
        "number out of 12 gives 3%: the nearest are 0 / 12 = 0.00% and 1 / 12 = 8.33%"
    )
