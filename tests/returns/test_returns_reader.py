"""The return reader on crafted flawed files."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dsvb.reference
from dsvb.indicators.from_returns import indicators_from_return
from dsvb.ingest.returns import ReturnError, check_printed, read_return

DV_HEADER = "borough,dv_incidents,dv_offences,dv_sanction_detections,dv_charges,dv_cautions\n"
PUBLISHED = Path(dsvb.reference.__file__).parent / "published"
DV = PUBLISHED / "dv_by_borough_12m_to_2010-11.csv"
KINGSTON = PUBLISHED / "kingston_return_2006-07.csv"


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def error_for(tmp_path, name: str, content: str | bytes) -> str:
    with pytest.raises(ReturnError) as info:
        read_return(write(tmp_path, name, content))
    return str(info.value)


# --- layouts ------------------------------------------------------------------------------------


def test_layouts_are_detected_from_the_header(tmp_path):
    cases = {
        "a.csv": (DV_HEADER + "Barnet,10,5,2,1,1\n", "by_area"),
        "b.csv": ("measure,2009/10\nIncidents,10\n", "measure_by_period"),
        "kingston_c.csv": ("indicator,value,comparator,note\ndv_incidents,10,,\n", "key_value"),
        "d.csv": ("offence,incidents,offences\nRape,10,5\n", "offence_headline"),
    }
    for name, (content, layout) in cases.items():
        assert read_return(write(tmp_path, name, content)).layout == layout


def test_unknown_header_names_the_file_and_the_header(tmp_path):
    message = error_for(tmp_path, "odd.csv", "place,count\nBarnet,3\n")
    assert message.startswith("odd.csv, header row (line 1), column 'place':")
    assert "'place,count'" in message


def test_unknown_measure_column_names_file_row_and_column(tmp_path):
    message = error_for(tmp_path, "odd.csv", "borough,dv_widgets\nBarnet,3\n")
    assert "odd.csv, header row (line 1), column 'dv_widgets'" in message
    assert "not a known measure" in message


def test_printed_headers_are_understood(tmp_path):
    path = write(
        tmp_path,
        "sexual.csv",
        "Borough,Total Sexual Offences,Total Sexual Offence SD's,Sanction detection rate %\n"
        "Barnet,127,38,29.9%\n",
    )
    ret = read_return(path)
    measures = {(c.family, c.measure) for c in ret.cells if c.column_number}
    assert measures == {
        ("sexual", "offences"),
        ("sexual", "sanction_detections"),
        ("sexual", "sd_rate"),
    }


# --- rows ---------------------------------------------------------------------------------------


def test_unknown_row_label_names_file_row_and_column(tmp_path):
    message = error_for(tmp_path, "dv.csv", DV_HEADER + "Barnet,1,1,1,0,0\nAtlantis,1,1,1,0,0\n")
    assert message.startswith("dv.csv, row 2 (line 3), column 'borough':")
    assert "'Atlantis' is not a known area" in message


def test_unknown_measure_row_names_file_row_and_column(tmp_path):
    message = error_for(tmp_path, "m.csv", "measure,2009/10\nIncidents,1\nWidgets,2\n")
    assert message.startswith("m.csv, row 2 (line 3), column 'measure':")


def test_duplicate_area_rows_are_an_error_naming_both_rows(tmp_path):
    # Two rows for one borough cannot both be right; choosing one (or adding them) would be a
    # silent fix, and totals and per-borough indicators would be wrong either way.
    content = (
        DV_HEADER
        + "Barking & Dagenham,1,1,1,0,0\nBarnet,1,1,1,0,0\nBarking and Dagenham,2,2,2,0,0\n"
    )
    message = error_for(tmp_path, "dup.csv", content)
    assert message.startswith("dup.csv, row 3 (line 4), column 'borough':")
    assert "row 1 'Barking & Dagenham'" in message
    assert "E09000002" in message


def test_similar_names_are_read_with_a_note(tmp_path):
    ret = read_return(write(tmp_path, "dv.csv", DV_HEADER + "Hackny,10,5,2,1,1\n"))
    (note,) = ret.notes_of("normalised")
    assert note.row_number == 1 and note.column_name == "borough"
    assert "'Hackny' read as Hackney (E09000012) by similarity" in note.message
    assert "check the source" in note.message


def test_units_and_totals_are_recognised(tmp_path):
    content = (
        "borough_or_unit,sexual_offences\n"
        "Barnet,10\nBorough Total,10\nSCD 2,5\nNon-Borough Total,5\nMPS Total,15\n"
    )
    ret = read_return(write(tmp_path, "s.csv", content))
    labels = {c.row_label: (c.area_code, c.unit, c.is_total, c.scope) for c in ret.cells}
    assert labels["SCD 2"] == (None, "SCD2", False, None)
    assert labels["MPS Total"] == (None, None, True, "force")
    assert labels["Borough Total"][3] == "boroughs"
    assert [n.message for n in ret.notes] == ["row 3 'SCD 2' read as unit SCD2 (SCD2 Sapphire)"]


def test_unknown_unit_is_an_error(tmp_path):
    message = error_for(tmp_path, "s.csv", "borough_or_unit,sexual_offences\nSCD7,3\n")
    assert "s.csv, row 1 (line 2), column 'borough_or_unit'" in message


# --- numbers ------------------------------------------------------------------------------------


def test_numbers_as_printed(tmp_path):
    content = (
        "borough,dv_incidents,dv_offences,dv_sd_rate\n"
        'Barnet,"122,049",-,48.9%\n'
        "Brent,,9025 ¹⁵,49%\n"
    )
    ret = read_return(write(tmp_path, "dv.csv", content))
    assert ret.cell("Barnet", "dv_incidents").value == 122049
    missing = ret.cell("Barnet", "dv_offences")
    assert (missing.status, missing.value, missing.raw) == ("missing", None, "-")
    assert ret.cell("Brent", "dv_incidents").status == "missing"
    assert ret.cell("Barnet", "dv_sd_rate").value == 0.489
    assert ret.cell("Brent", "dv_sd_rate").value == 0.49
    footnoted = ret.cell("Brent", "dv_offences")
    assert (footnoted.value, footnoted.raw) == (9025, "9025 ¹⁵")
    assert any("footnote mark '¹⁵' removed" in n.message for n in ret.notes_of("normalised"))


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("abc", "is not a number"),
        ("116 47 1", "is not a number"),
        ("1,23", "is not a number"),
        ("-5", "is negative"),
        ("12.5", "not a whole number"),
        ("12%", "a percentage where a count is expected"),
    ],
)
def test_unreadable_counts_are_garbled_and_the_row_is_kept(tmp_path, raw, problem):
    content = DV_HEADER + f'Barnet,"{raw}",50,20,10,5\n'
    ret = read_return(write(tmp_path, "dv.csv", content))
    cell = ret.cell("Barnet", "dv_incidents")
    assert (cell.status, cell.value, cell.raw) == ("garbled", None, raw)
    (note,) = ret.notes_of("garbled")
    assert (note.row_number, note.column_name) == (1, "dv_incidents")
    assert note.message.startswith("dv.csv row 1 'Barnet', column dv_incidents:")
    assert problem in note.message
    assert ret.cell("Barnet", "dv_offences").value == 50  # the rest of the row is kept
    indicators = {r.indicator for r in indicators_from_return(ret)}
    assert "incidents" not in indicators and "crime_conversion" not in indicators
    assert "sd_rate" in indicators


def test_a_percentage_without_a_sign_is_garbled(tmp_path):
    ret = read_return(write(tmp_path, "dv.csv", "borough,dv_sd_rate\nBarnet,48.9\n"))
    assert ret.cell("Barnet", "dv_sd_rate").status == "garbled"
    assert "no % sign" in ret.notes_of("garbled")[0].message


def test_a_garbled_part_is_implied_by_its_total_but_not_stored(tmp_path):
    content = DV_HEADER + "Barnet,10,5,2,1,1\nBrent,1 2,6,3,1,1\nMPS Total,22,11,5,2,2\n"
    ret = read_return(write(tmp_path, "dv.csv", content))
    (note,) = ret.notes_of("garbled")
    assert note.expected == 12
    assert "the MPS Total implies 12" in note.message
    assert "the printed pieces 1 + 2 also sum to 12" not in note.message  # 1 + 2 = 3
    assert "equals the sum of its rows in every other column" in note.message
    assert ret.cell("Brent", "dv_incidents").value is None


def test_a_missing_part_is_reported_against_its_total(tmp_path):
    content = DV_HEADER + "Barnet,10,5,2,1,1\nBrent,-,6,3,1,1\nMPS Total,22,11,5,2,2\n"
    ret = read_return(write(tmp_path, "dv.csv", content))
    (note,) = ret.notes_of("reconciliation")
    assert (note.row_number, note.column_name, note.expected) == (2, "dv_incidents", 12)
    assert "is missing" in note.message


# --- reconciliation -----------------------------------------------------------------------------


def test_charges_plus_cautions_above_sds(tmp_path):
    ret = read_return(write(tmp_path, "dv.csv", DV_HEADER + "Barnet,100,50,20,15,10\n"))
    (note,) = ret.notes_of("reconciliation")
    assert (note.row_number, note.column_name, note.expected, note.found) == (
        1,
        "dv_sanction_detections",
        20,
        25,
    )
    assert "charges (15) + cautions (10) = 25 exceed the sanction detections (20)" in note.message
    (other,) = [r for r in indicators_from_return(ret) if r.indicator == "other_sd"]
    assert other.numerator == -5  # reported as computed, flagged, never fixed
    assert dict(other.extra)["check"].startswith("negative")


def test_totals_that_do_not_add_up(tmp_path):
    content = DV_HEADER + "Barnet,10,5,2,1,1\nBrent,20,10,4,2,2\nMPS Total,31,15,6,3,3\n"
    ret = read_return(write(tmp_path, "dv.csv", content))
    found = {(n.column_name, n.expected, n.found) for n in ret.notes_of("reconciliation")}
    assert found == {("dv_incidents", 30, 31)}
    assert ret.cell("MPS Total", "dv_incidents").value == 31  # kept as printed


def test_subtotals(tmp_path):
    content = (
        "borough_or_unit,sexual_offences\n"
        "Barnet,10\nBrent,5\nBorough Total,16\nSCD2,7\nNon-Borough Total,7\nMPS Total,24\n"
    )
    ret = read_return(write(tmp_path, "s.csv", content))
    found = {(n.row_number, n.expected, n.found) for n in ret.notes_of("reconciliation")}
    assert found == {(3, 15, 16), (6, 23, 24)}  # Borough Total; MPS vs Borough + Non-Borough
    messages = [n.message for n in ret.notes_of("reconciliation")]
    assert any("Borough Total + Non-Borough Total sum to 23" in m for m in messages)


@pytest.mark.parametrize(
    ("printed", "kind"),
    [
        ("47.8%", None),
        ("48%", None),
        ("47%", "truncated"),
        ("46%", "differs"),
        ("47.6%", "differs"),
    ],
)
def test_printed_percentages_against_their_counts(tmp_path, printed, kind):
    content = "borough,dv_offences,dv_sanction_detections,dv_sd_rate\n"
    content += f"Newham,2211,1056,{printed}\n"
    ret = read_return(write(tmp_path, "dv.csv", content))
    notes = ret.notes_of("reconciliation")
    (sd_rate,) = [r for r in indicators_from_return(ret) if r.indicator == "sd_rate"]
    extra = dict(sd_rate.extra)
    assert extra["published_text"] == printed
    if kind is None:
        assert not notes and extra["check"] == "ok"
    else:
        (note,) = notes
        assert extra["check"] == kind
        assert (note.row_number, note.column_name) == (1, "dv_sd_rate")
        assert note.expected == pytest.approx(1056 / 2211)
        assert "1,056 / 2,211 = 47.76" in note.message
        if kind == "truncated":
            assert "47.76%, which is 48% rounded or 47% truncated" in note.message
            assert "fits only if truncated" in note.message


def test_headline_total_rate_against_its_parts(tmp_path):
    content = (
        "offence,offences,sanction_detection_rate\n"
        "Rape,100,20%\nOther Sexual Offences,100,30%\nTotal Sexual Offences,200,40%\n"
    )
    ret = read_return(write(tmp_path, "h.csv", content))
    (note,) = ret.notes_of("reconciliation")
    assert note.row_number == 3 and "allow only 24.5% to 26.0%" in note.message
    fine = content.replace("40%", "25%")
    assert not read_return(write(tmp_path, "h2.csv", fine)).notes_of("reconciliation")


def test_headline_counts_against_the_total(tmp_path):
    content = "offence,incidents\nRape,10\nOther Sexual Offences,20\nTotal Sexual Offences,31\n"
    (note,) = read_return(write(tmp_path, "h.csv", content)).notes_of("reconciliation")
    assert (note.row_number, note.expected, note.found) == (3, 30, 31)
    assert "Rape + Other Sexual Offences sum to 30" in note.message


def test_unknown_headline_row(tmp_path):
    message = error_for(tmp_path, "h.csv", "offence,incidents\nRape,10\nBurglary,3\n")
    assert message.startswith("h.csv, row 2 (line 3), column 'offence':")


# --- measure by period and key-value ---------------------------------------------------------


def test_measure_by_period(tmp_path):
    content = (
        "measure,2009/10,2008/09 ²⁰\n"
        "Incidents,100,50\nCrimes,80,40\nCrimes as a % of Incidents,80.0%,81%\n"
    )
    ret = read_return(write(tmp_path, "scd2_x.csv", content))
    assert ret.header == ("measure", "2009/10", "2008/09 ²⁰")
    assert {c.period_label for c in ret.cells if c.column_number} == {"2009/10", "2008/09"}
    (note,) = ret.notes_of("reconciliation")
    assert note.column_name == "2008/09 ²⁰" and "printed 81%" in note.message
    results = indicators_from_return(ret)
    assert {(r.cut("unit"), r.cut("period")) for r in results} == {
        ("SCD2", "2009/10"),
        ("SCD2", "2008/09"),
    }


def test_measure_by_period_bad_period(tmp_path):
    message = error_for(tmp_path, "m.csv", "measure,last year\nIncidents,1\n")
    assert "m.csv, header row (line 1), column 'last year'" in message


def test_key_value_return(tmp_path):
    content = (
        "indicator,value,comparator,note\n"
        "area,Richmond,,\n"
        "dv_incidents,200,,\n"
        'dv_offences,100,,"51% of incidents"\n'
        "dv_sanction_detection_rate,40%,MPS average 45%; target 46%,\n"
        "caution_rate,20%,,\n"
        "form_124d_supervised_last_3_months,10,of 40,\n"
        "refuge_spaces,3,somewhere else,\n"
    )
    ret = read_return(write(tmp_path, "borough_return.csv", content))
    assert {c.area_code for c in ret.cells} == {"E09000027"}
    results = {r.indicator: r for r in indicators_from_return(ret)}
    assert dict(results["crime_conversion"].extra)["check"] == "differs"  # 50% printed 51%
    assert dict(results["sd_rate"].extra)["target"] == 0.46
    assert "caution_rate" in results  # below the SD rate: read as printed
    assert (
        results["risk_form_supervision"].numerator,
        results["risk_form_supervision"].denominator,
    ) == (10, 40)
    (unread,) = ret.notes_of("unread")
    assert "'somewhere else'" in unread.message and unread.row_number == 7


def test_key_value_unknown_indicator(tmp_path):
    content = "indicator,value\narea,Barnet\ndv_widgets,3\n"
    message = error_for(tmp_path, "r.csv", content)
    assert message.startswith("r.csv, row 2 (line 3), column 'indicator':")


def test_key_value_without_an_area(tmp_path):
    message = error_for(tmp_path, "r.csv", "indicator,value\ndv_incidents,3\n")
    assert "cannot tell which area" in message


# --- files --------------------------------------------------------------------------------------


def test_empty_file(tmp_path):
    message = error_for(tmp_path, "empty.csv", "")
    assert message.startswith("empty.csv, header row (line 1), column '#1': the file is empty")
    assert error_for(tmp_path, "blank.csv", "\n\n").startswith("blank.csv, header row")


def test_non_utf8_bytes_name_file_row_and_column(tmp_path):
    content = (DV_HEADER + "Barnet,1,1,1,0,0\n").encode() + "Brent £,1,1,1,0,0\n".encode("cp1252")
    message = error_for(tmp_path, "dv.csv", content)
    assert message.startswith("dv.csv, row 2 (line 3), column 'borough': not UTF-8")
    assert "0xa3" in message


def test_too_many_cells(tmp_path):
    message = error_for(tmp_path, "dv.csv", DV_HEADER + "Barnet,1,1,1,0,0,7\n")
    assert message.startswith("dv.csv, row 1 (line 2), column '#7':")


def test_short_rows_read_as_missing_with_a_note(tmp_path):
    ret = read_return(write(tmp_path, "dv.csv", DV_HEADER + "Barnet,1,1\n"))
    cell = ret.cell("Barnet", "dv_cautions")
    assert (cell.raw, cell.status) == (None, "missing")
    assert len(ret.notes_of("unread")) == 3


def test_a_byte_order_mark_is_not_part_of_the_header(tmp_path):
    ret = read_return(
        write(tmp_path, "dv.csv", ("\ufeff" + DV_HEADER + "Barnet,1,1,1,0,0\n").encode())
    )
    assert ret.layout == "by_area"


def test_missing_file(tmp_path):
    with pytest.raises(ReturnError, match=r"nope\.csv: cannot be read"):
        read_return(tmp_path / "nope.csv")


def test_a_header_only_file_is_refused_in_every_layout(tmp_path):
    # one header from each real table: a header and no rows is not an empty return
    for path in sorted(PUBLISHED.glob("*.csv")):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        message = error_for(tmp_path, path.name, header + "\n\n")
        assert message == (
            f"{path.name}, header row (line 1), column {header.split(',')[0]!r}: no data rows "
            f"after the header {header!r}: "
            "the return has no figures; nothing was stored"
        )


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_file_separated_by_semicolons_or_tabs_is_said_to_be(tmp_path, delimiter, name):
    content = DV.read_text(encoding="utf-8").replace(",", delimiter)
    message = error_for(tmp_path, DV.name, content)
    header = DV_HEADER.strip().replace(",", delimiter)
    assert message == (
        f"{DV.name}, header row (line 1), column {header!r}: the header {header!r} is "
        f"separated by {name} "
        f"({delimiter!r}), not commas: a return must be comma-separated (CSV); save it with ',' "
        "as the delimiter and import it again"
    )


def test_an_unbalanced_quote_is_reported_with_its_line(tmp_path):
    message = error_for(tmp_path, "dv.csv", 'borough,dv_incidents\n"Barnet,100\n')
    assert message == (
        "dv.csv, row 1 (line 2), column 'borough': unbalanced quote: the '\"' that opens this "
        "cell is never closed, so the rest of the file (line 2) was read as one cell, "
        "'Barnet,100'; close the quote or remove it"
    )
    # in the real table, a quote before Barnet swallows the 32 rows after it
    content = DV.read_text(encoding="utf-8").replace("\nBarnet,", '\n"Barnet,')
    message = error_for(tmp_path, DV.name, content)
    assert message.startswith(
        f"{DV.name}, row 2 (line 3), column 'borough': unbalanced quote: the '\"' that opens "
        "this cell is never closed, so the rest of the file (lines 3 to 34) was read as one "
        "cell, 'Barnet,3525,1202,730,455,275 Bexley,2882…'"
    )
    message = error_for(tmp_path, "dv.csv", DV_HEADER + 'Barnet,1,"1,1,0,0\n')
    assert message.startswith("dv.csv, row 1 (line 2), column 'dv_offences': unbalanced quote")


def test_quoted_cells_that_close_are_not_an_unbalanced_quote(tmp_path):
    content = (
        "indicator,value,comparator,note\n"
        'area,Barnet,,"a note\nover two lines"\n'
        'dv_incidents,"1,474",,"the ""incidents"" as printed"\n'
        'dv_offences,791,,5" of rain\n'
    )
    ret = read_return(write(tmp_path, "r.csv", content))
    assert ret.cell("dv_incidents", "value").value == 1474
    assert ret.cell("dv_incidents", "note").raw == 'the "incidents" as printed'
    assert ret.cell("dv_offences", "note").raw == '5" of rain'


def test_a_missing_borough_is_named_in_the_total_note(tmp_path):
    content = DV.read_text(encoding="utf-8").replace("Barnet,3525,1202,730,455,275\n", "")
    ret = read_return(write(tmp_path, DV.name, content))
    notes = [n for n in ret.notes_of("reconciliation") if "sum to" in n.message]
    assert len(notes) == 5
    assert notes[0].message == (
        "row 32 MPS Total, dv_incidents: printed 122,049 but the 31 borough rows "
        "(no row for Barnet) sum to 118,497 (the total is 3,552 more)"
    )
    assert all("(no row for Barnet)" in n.message for n in notes)
    # with a Borough Total, two boroughs missing
    content = (
        "borough_or_unit,sexual_offences\n"
        + "".join(f"{a.name},1\n" for a in dsvb.reference.areas() if a.code != "E09000003")
    ).replace("Brent,1\n", "")
    ret = read_return(write(tmp_path, "s.csv", content + "Borough Total,32\n"))
    (note,) = ret.notes_of("reconciliation")
    assert "the 30 borough rows (no row for Barnet or Brent) sum to 30" in note.message


# --- the period of a key-value return -----------------------------------------------------------


def kingston(tmp_path, start: str | None, end: str | None, name: str = KINGSTON.name) -> Path:
    """The real Kingston return with its period rows changed (None: the row left out)."""
    lines = []
    for line in KINGSTON.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("period_start,"):
            line = f"period_start,{start},,\n" if start else ""
        elif line.startswith("period_end,"):
            line = f"period_end,{end},,\n" if end else ""
        lines.append(line)
    return write(tmp_path, name, "".join(lines))


def test_an_impossible_period_is_refused_naming_file_row_and_field(tmp_path):
    with pytest.raises(ReturnError) as info:
        read_return(kingston(tmp_path, "2007-04-01", "2007-03-31"))
    assert str(info.value) == (
        "kingston_return_2006-07.csv, row 1 (line 2), column 'value': period_start 2007-04-01 "
        "is after period_end 2007-03-31 (row 2): the period is impossible; correct the date"
    )
    # one date stated, the other from the file name (2006-04-01 to 2007-03-31)
    with pytest.raises(ReturnError) as info:
        read_return(kingston(tmp_path, None, "2006-03-31"))
    assert str(info.value) == (
        "kingston_return_2006-07.csv, row 1 (line 2), column 'value': period_end 2006-03-31 "
        "is before period_start 2006-04-01 (from the file name 'kingston_return_2006-07'): "
        "the period is impossible; correct the date"
    )
    # a one-day period is possible
    assert read_return(kingston(tmp_path, "2007-03-31", "2007-03-31")).period_label == (
        "2007-03-31 to 2007-03-31"
    )


def test_a_period_that_disagrees_with_the_file_name_is_noted(tmp_path):
    ret = read_return(kingston(tmp_path, "2007-04-01", "2008-03-31"))
    # the period the return states is used, as before
    assert (ret.period_label, str(ret.period_start), str(ret.period_end)) == (
        "2007/08",
        "2007-04-01",
        "2008-03-31",
    )
    (note,) = ret.notes_of("reconciliation")
    assert (note.row_number, note.column_name) == (1, "value")
    assert note.message == (
        "the return states period_start 2007-04-01 (row 1) and period_end 2008-03-31 (row 2) "
        "but its file name 'kingston_return_2006-07' says 2006/07 (2006-04-01 to 2007-03-31); "
        "read as 2007/08, as the return states"
    )
    # one date differs: the note names it, and the label gives the dates used
    ret = read_return(kingston(tmp_path, "2006-05-01", None))
    (note,) = ret.notes_of("reconciliation")
    assert ret.period_label == "2006-05-01 to 2007-03-31"
    assert note.message.startswith("the return states period_start 2006-05-01 (row 1) but")
    # no note when they agree, or when the name gives no period
    assert not read_return(kingston(tmp_path, "2006-04-01", None)).notes_of("reconciliation")
    ret = read_return(kingston(tmp_path, "2007-04-01", "2008-03-31", "kingston_return.csv"))
    assert not ret.notes_of("reconciliation")


# --- the print-precision check ------------------------------------------------------------------


@given(
    st.integers(min_value=0, max_value=100_000),
    st.integers(min_value=1, max_value=100_000),
    st.integers(min_value=0, max_value=2),
)
def test_a_rounded_print_is_always_ok(num, den, places):
    exact = Decimal(num) * 100 / Decimal(den)
    text = str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)) + "%"
    assert check_printed(num, den, text) == "ok"


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_a_truncated_print_is_ok_or_truncated(num, den):
    whole = int(Fraction(num * 100, den))
    assert check_printed(num, den, f"{whole}%") in ("ok", "truncated")
    assert check_printed(num, den, f"{whole + 2}%") == "differs"


# --- readings the tool adds -----------------------------------------------------------------


def test_a_borough_return_rate_given_another_rows_denominator_is_noted(tmp_path):
    content = (
        "indicator,value,comparator,note\n"
        "period_start,2009-04-01,,\nperiod_end,2010-03-31,,\n"
        "dv_offences,200,,\n"
        "dv_offences_2009-04_to_2009-09,90,,\n"
        "dv_sanction_detection_rate_2009-04_to_2009-09,40%,,\n"
        "form_124d_completion,81%,,\n"
    )
    ret = read_return(write(tmp_path, "barnet_return.csv", content))
    notes = {n.row_number: n.message for n in ret.notes_of("interpreted") if n.row_number}
    # a row with its own period: only the denominator is the tool's reading
    assert notes[5] == (
        "row 5 'dv_sanction_detection_rate_2009-04_to_2009-09' (40%) is printed without its "
        "counts: read as sd_rate (sanction_detections / offences) over the 90 offences of row "
        "4 'dv_offences_2009-04_to_2009-09' as its denominator; the return does not state its "
        "denominator"
    )
    # a row without: the period too, and the denominator of that period
    assert notes[6] == (
        "row 6 'form_124d_completion' (81%) is printed without its counts or a period: read as "
        "risk_form_completion (risk_forms_completed / offences) for 2009/10, the return's "
        "period, over the 200 offences of row 3 'dv_offences' as its denominator; the return "
        "states neither"
    )
    (period,) = [n for n in ret.notes if n.message.startswith("rows that state no period")]
    assert period.message == (
        "rows that state no period of their own (dv_offences, form_124d_completion) read as "
        "2009/10, the return's period"
    )
    # a rate printed with its counts is not a reading: no note
    with_counts = content + "dv_sanction_detections_2009-04_to_2009-09,36,,\n"
    ret = read_return(write(tmp_path, "barnet_return.csv", with_counts))
    assert not [n for n in ret.notes if n.row_number == 5]


def test_a_period_from_the_file_name_is_noted_and_a_stated_one_is_not(tmp_path):
    ret = read_return(write(tmp_path, "dv_12m_to_2010-03.csv", DV_HEADER + "Barnet,10,5,2,1,1\n"))
    (note,) = ret.notes_of("interpreted")
    assert note.message == (
        "period 12 months to March 2010 (2009-04-01 to 2010-03-31) read from the file name "
        "'dv_12m_to_2010-03': the table does not state its period"
    )
    assert not read_return(write(tmp_path, "dv.csv", DV_HEADER + "Barnet,10,5,2,1,1\n")).notes
    # a key-value return that states its dates: no note; one date from the name: noted
    assert not [n for n in read_return(KINGSTON).notes if "read from the file name" in n.message]
    ret = read_return(kingston(tmp_path, "2006-04-01", None))
    (note,) = [n for n in ret.notes if "read from the file name" in n.message]
    assert note.message == (
        "period_end 2007-03-31 read from the file name 'kingston_return_2006-07': the return "
        "does not state it"
    )


def test_financial_year_columns_are_noted(tmp_path):
    ret = read_return(write(tmp_path, "scd2_x.csv", "measure,2009/10,2008/09\nIncidents,1,2\n"))
    messages = [n.message for n in ret.notes_of("interpreted")]
    assert "period columns 2009/10, 2008/09 read as financial years (1 April to 31 March)" in (
        messages
    )


def test_other_sexual_offences_in_a_headline_are_sexual_not_rape(tmp_path):
    content = "offence,incidents\nRape,10\nOther Sexual Offences,20\nTotal Sexual Offences,30\n"
    ret = read_return(write(tmp_path, "h.csv", content))
    assert ret.cell("Other Sexual Offences", "incidents").family == "sexual_not_rape"
    (note,) = ret.notes_of("interpreted")
    assert (note.row_number, note.column_name) == (2, "offence")
    assert "read as family sexual_not_rape" in note.message
    assert not ret.notes_of("reconciliation")  # still Rape + this row = the total
    results = indicators_from_return(ret)
    assert {r.family for r in results} == {"rape", "sexual_not_rape", "sexual"}
