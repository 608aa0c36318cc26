"""What the reader reports on the five real published tables.

Total-vs-sum differences are recomputed here from the raw CSV (with the csv module, not the
reader) so that the test checks that *every* difference is reported, not just the ones we
expected to find.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import dsvb.reference
from dsvb.indicators.from_returns import indicators_from_return
from dsvb.ingest.returns import read_return

PUBLISHED = Path(dsvb.reference.__file__).parent / "published"
DV = PUBLISHED / "dv_by_borough_12m_to_2010-11.csv"
SEXUAL = PUBLISHED / "sexual_offences_by_unit_12m_to_2010-11.csv"
SCD2 = PUBLISHED / "scd2_sexual_offences_2009-10_vs_2008-09.csv"
HEADLINE = PUBLISHED / "vaw_headline_12m_to_2010-11.csv"
KINGSTON = PUBLISHED / "kingston_return_2006-07.csv"
TOTALS = {"Borough Total", "Non-Borough Total", "MPS Total"}


def raw_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def number(text: str) -> int | None:
    text = text.replace(",", "")
    return int(text) if text.isdigit() else None


def expected_differences(path: Path) -> set[tuple[int, str, int, int]]:
    """(total row, column, sum of parts, printed total) for every total that does not add up."""
    header, rows = raw_rows(path)
    labels = [r[0] for r in rows]
    row_of = {label: i + 1 for i, label in enumerate(labels)}
    units = [i for i, label in enumerate(labels) if label.startswith("SCD")]
    boroughs = [i for i, label in enumerate(labels) if label not in TOTALS and i not in units]
    relations = []
    if "Borough Total" in row_of:
        relations.append(("Borough Total", [[i] for i in boroughs]))
        relations.append(("Non-Borough Total", [[i] for i in units]))
        relations.append(
            ("MPS Total", [[row_of["Borough Total"] - 1], [row_of["Non-Borough Total"] - 1]])
        )
    else:
        relations.append(("MPS Total", [[i] for i in boroughs + units]))
    out = set()
    for total, parts in relations:
        for j, column in enumerate(header[1:], start=1):
            values = [number(rows[p[0]][j]) for p in parts]
            printed = number(rows[row_of[total] - 1][j])
            if None in values or printed is None:
                continue  # not checkable: a garbled part
            if sum(values) != printed:
                out.add((row_of[total], column, sum(values), printed))
    return out


@pytest.mark.parametrize("path", [DV, SEXUAL], ids=["dv", "sexual"])
def test_every_total_vs_sum_difference_is_reported(path):
    ret = read_return(path)
    reported = {
        (n.row_number, n.column_name, n.expected, n.found)
        for n in ret.notes_of("reconciliation")
        if "sum to" in n.message
    }
    expected = expected_differences(path)
    assert expected  # both tables have totals that are not the sum of their rows
    assert reported == expected


def test_dv_reconciliation_notes():
    ret = read_return(DV)
    notes = ret.notes_of("reconciliation")
    # MPS Total vs the 32 boroughs, every column: records not attributed to a borough
    assert {n.column_name: n.found - n.expected for n in notes} == {
        "dv_incidents": 27,
        "dv_offences": 15,
        "dv_sanction_detections": 9,
        "dv_charges": 8,
        "dv_cautions": 1,
    }
    assert all(n.row_number == 33 and "32 borough rows" in n.message for n in notes)
    assert not ret.notes_of("garbled")


def test_sexual_mps_total_is_borough_plus_non_borough():
    ret = read_return(SEXUAL)
    assert not [n for n in ret.notes if n.row_number == 39]


def test_garbled_scd9_cell_is_reported_with_the_implied_value():
    ret = read_return(SEXUAL)
    (note,) = ret.notes_of("garbled")
    assert (note.row_number, note.column_name) == (37, "sexual_incidents")
    assert SEXUAL.name in note.message
    assert "'SCD9 (including CO14 and SCD6)'" in note.message
    assert "'116 47 1'" in note.message
    assert "the Non-Borough Total implies 164" in note.message
    assert "indicative only" in note.message  # that total is off in the other columns
    assert note.expected == 164 and note.found is None
    cell = ret.cell("SCD9 (including CO14 and SCD6)", "sexual_incidents")
    assert (cell.status, cell.value, cell.raw, cell.unit) == ("garbled", None, "116 47 1", "SCD9")
    # the rest of the row is kept
    assert ret.cell("SCD9 (including CO14 and SCD6)", "sexual_offences").number == 113
    # and no indicator is made from the garbled cell
    scd9 = [r for r in indicators_from_return(ret) if r.cut("unit") == "SCD9"]
    assert {r.indicator for r in scd9} == {
        "offences",
        "sanction_detections",
        "cautions",
        "sd_rate",
        "caution_share",
        "caution_rate",
    }


def test_area_names_are_normalised_and_reported():
    ret = read_return(SEXUAL)
    notes = {n.row_number: n for n in ret.notes_of("normalised")}
    assert (
        notes[1].message == "row 1 'Barking & & Dagenham' read as Barking and Dagenham (E09000002)"
    )
    assert notes[1].column_name == "borough_or_unit"
    assert ret.cell("Barking & & Dagenham", "sexual_offences").area_code == "E09000002"
    assert "Kingston upon Thames (E09000021)" in notes[20].message
    assert "unit SCD9" in notes[37].message
    # exact names (Barnet) and unit codes (SCD2) are not changes and get no note
    assert 2 not in notes and 35 not in notes


def test_totals_keep_their_scope():
    ret = read_return(SEXUAL)
    scopes = {c.row_label: c.scope for c in ret.cells if c.is_total and c.column_number == 0}
    assert scopes == {
        "Borough Total": "boroughs",
        "Non-Borough Total": "specialist_units",
        "MPS Total": "force",
    }
    assert all(c.area_code is None for c in ret.cells if c.is_total)


def test_offences_above_incidents_are_reported():
    sexual = read_return(SEXUAL)
    (note,) = [n for n in sexual.notes_of("reconciliation") if "exceed incidents" in n.message]
    assert (note.row_number, note.expected, note.found) == (34, 14, 15)  # SCD1
    headline = read_return(HEADLINE)
    (note,) = headline.notes_of("reconciliation")
    assert "'Putting a person in Fear of Violence'" in note.message
    assert (note.expected, note.found) == (7766, 9025)


def test_headline_missing_cells_are_missing_not_zero():
    ret = read_return(HEADLINE)
    cell = ret.cell("Trafficking for sexual exploitation", "incidents")
    assert (cell.raw, cell.status, cell.value) == ("-", "missing", None)
    assert ret.cell("Domestic Violence", "incidents").value == 122049
    results = indicators_from_return(ret)
    trafficking = {r.indicator for r in results if r.family == "trafficking_sexual_exploitation"}
    assert trafficking == {"offences", "sd_rate"}


def test_scd2_and_kingston_have_only_interpretation_notes():
    assert {n.kind for n in read_return(SCD2).notes} == {"interpreted"}
    kingston = read_return(KINGSTON)
    assert {n.kind for n in kingston.notes} == {"interpreted"}
    messages = " | ".join(n.message for n in kingston.notes)
    assert "'kingston' in the file name read as Kingston upon Thames" in messages
    assert "the note's 54% read as the published crime_conversion" in messages


def test_kingston_period_and_area():
    ret = read_return(KINGSTON)
    assert ret.period_label == "2006/07"
    assert (ret.period_start.isoformat(), ret.period_end.isoformat()) == (
        "2006-04-01",
        "2007-03-31",
    )
    assert {c.area_code for c in ret.cells} == {"E09000021"}
    assert ret.cell("cdrp_dv_funding_2006-07_gbp", "value").value == 52225.64
    assert ret.cell("cdrp_dv_funding_2006-07_gbp", "value").value_kind == "money"


def test_every_raw_cell_is_kept_exactly():
    for path in (DV, SEXUAL, SCD2, HEADLINE, KINGSTON):
        header, rows = raw_rows(path)
        ret = read_return(path)
        by_position = {(c.row_number, c.column_number): c for c in ret.cells}
        for i, row in enumerate(rows, start=1):
            for j, text in enumerate(row):
                cell = by_position[(i, j)]
                assert cell.raw == text and cell.column_name == header[j], (path.name, i, j)
        assert len(ret.cells) == sum(len(r) for r in rows)


# --- readings the tool adds, each a note ------------------------------------------------------


def test_kingston_124d_completion_is_given_a_period_and_a_denominator_with_a_note():
    # "the BOCU's compliance rate for completion of 124Ds was 90%" (Kingston report, para 9):
    # the report gives no period ("in the last performance figures") and no counts. The tool
    # reads it as 2006/07 over the return's 791 DV offences; each reading is said.
    ret = read_return(KINGSTON)
    (note,) = [n for n in ret.notes if n.row_number == 15]
    assert (note.kind, note.column_name, note.found) == ("interpreted", "value", 0.9)
    assert note.message == (
        "row 15 'form_124d_completion' (90%) is printed without its counts or a period: read "
        "as risk_form_completion (risk_forms_completed / offences) for 2006/07, the return's "
        "period, over the 791 offences of row 4 'dv_offences' as its denominator; the return "
        "states neither"
    )
    (period,) = [n for n in ret.notes if n.message.startswith("rows that state no period")]
    assert "form_124d_completion" in period.message
    assert period.message.endswith("read as 2006/07, the return's period")
    # and the indicator carries exactly those readings
    (r,) = [r for r in indicators_from_return(ret) if r.indicator == "risk_form_completion"]
    assert (r.numerator, r.denominator, r.cut("period")) == (None, 791, "2006/07")


def test_every_denominator_the_tool_gives_a_printed_rate_is_noted():
    # Independent of the reader's notes: a rate with no numerator but a denominator in the
    # indicators is a denominator the tool supplied; each must be in a note (by row, or by
    # column when it is in the rate's own row).
    for path in (KINGSTON, HEADLINE):
        ret = read_return(path)
        supplied = [
            r
            for r in indicators_from_return(ret)
            if r.is_rate and r.numerator is None and r.denominator is not None
        ]
        assert supplied
        said = " | ".join(n.message for n in ret.notes_of("interpreted"))
        for r in supplied:
            extra = dict(r.extra)
            assert r.indicator in said, (path.name, r.indicator)
            assert path == HEADLINE or any(
                r.indicator in n.message and extra["published_text"] in n.message
                for n in ret.notes_of("interpreted")
            ), (path.name, r.indicator)
    headline = read_return(HEADLINE)
    (column,) = [n for n in headline.notes if n.column_name == "sanction_detection_rate"]
    assert column.message == (
        "column 'sanction_detection_rate' (rows 1 to 11) is printed without its counts: each "
        "figure read as sd_rate (sanction_detections / offences) over the 'offences' printed in "
        "its row as its denominator"
    )


def test_the_headline_other_sexual_offences_are_kept_as_sexual_not_rape():
    # 9,230 + 4,033 = 13,263 incidents and 7,073 + 3,208 = 10,281 offences: the headline's
    # "Other Sexual Offences" is Total Sexual Offences minus Rape, not dsvb's other_sexual
    # (sexual minus serious sexual).
    ret = read_return(HEADLINE)
    row = {c.family for c in ret.cells if c.row_label == "Other Sexual Offences"}
    assert row == {"sexual_not_rape"}
    (note,) = [n for n in ret.notes if n.row_number == 3]
    assert note.kind == "interpreted" and note.column_name == "offence"
    assert note.message.startswith(
        "row 3 'Other Sexual Offences' read as family sexual_not_rape (Sexual offences other "
        "than rape): all sexual offences minus rape"
    )
    assert "never compared with or used as dsvb's other_sexual" in note.message
    families = {r.family for r in indicators_from_return(ret)}
    assert "sexual_not_rape" in families and "other_sexual" not in families


@pytest.mark.parametrize(
    ("path", "period"),
    [
        (DV, "12 months to November 2010 (2009-12-01 to 2010-11-30)"),
        (SEXUAL, "12 months to November 2010 (2009-12-01 to 2010-11-30)"),
        (HEADLINE, "12 months to November 2010 (2009-12-01 to 2010-11-30)"),
        (SCD2, "2009/10 vs 2008/09 (2008-04-01 to 2010-03-31)"),
    ],
    ids=["dv", "sexual", "headline", "scd2"],
)
def test_a_period_read_from_the_file_name_is_noted(path, period):
    ret = read_return(path)
    assert (
        f"period {period} read from the file name {path.stem!r}: the table does not state its "
        "period"
    ) in [n.message for n in ret.notes_of("interpreted")]
