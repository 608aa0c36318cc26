"""Borough reports, checked: real documents (the Kingston seed, Word, Markdown and pasted
text written here), a real store (demo records, the published Kingston return)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
import ibis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsvb import store
from dsvb.indicators import assessment
from dsvb.indicators.model import Period
from dsvb.indicators.periods import ReportingPeriod
from dsvb.ingest.returns import import_return, list_returns, load_return
from dsvb.oversight.reading import Line, read_document
from dsvb.oversight.report_check import (
    COLUMNS,
    VERDICTS,
    ComparisonData,
    ReportCheck,
    check_report,
    from_assessment,
    from_returns,
)

# the seeds and published tables as the repository keeps them (copies of ../shared's)
ROOT = Path(__file__).parents[2]
SEEDS = ROOT / "tests" / "data" / "seeds"
SEED = SEEDS / "002_kingston_report_2007-11-06.txt"
KINGSTON_RETURN = ROOT / "src" / "dsvb" / "reference" / "published" / "kingston_return_2006-07.csv"
KINGSTON = "E09000021"


def rows(result: ReportCheck, figure: str, line: int | None = None) -> list:
    found = [f for f in result.figures if f.figure == figure and (line is None or f.line == line)]
    assert found, f"{figure} not found in {[f.figure for f in result.figures]}"
    return found


def check_text(tmp_path: Path, name: str, text: str, data: ComparisonData | None = None):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return check_report(read_document(path), data=data)


# --- the Kingston seed ------------------------------------------------------------------------


def test_the_seed_figures_are_found_and_agree() -> None:
    result = check_report(read_document(SEED))
    by_figure = {(f.line, f.figure): f for f in result.figures}
    for figure in ("1474", "791", "54%"):
        assert by_figure[(26, figure)].verdict == "consistent"
    assert by_figure[(26, "54%")].recomputed == "791 / 1,474 = 53.66%"
    assert by_figure[(26, "54%")].indicator == "crime_conversion"
    for figure in ("2671", "749", "28%"):
        assert by_figure[(28, figure)].verdict == "consistent"
    assert by_figure[(28, "28%")].recomputed == "749 / 2,671 = 28.04%"
    assert by_figure[(28, "28%")].indicator == "repeat_victim_rate"
    assert by_figure[(63, "53")].verdict == "consistent"  # 53 out of 356
    assert not [f for f in result.figures if f.verdict == "inconsistent"]
    # without data nothing can match or differ
    assert {f.verdict for f in result.figures} <= {"consistent", "inconsistent", "unchecked"}


def test_the_seed_is_not_read_for_dates_phones_paragraph_or_form_numbers() -> None:
    result = check_report(read_document(SEED))
    figures = {f.figure for f in result.figures}
    lines = {f.line for f in result.figures}
    assert not figures & {"2007", "2006", "6", "124", "29", "0208", "5582", "13"}
    assert 264 not in lines  # "Tel: 0208 721 5582"
    assert 7 not in lines  # "6 November 2007"
    assert 40 not in lines  # "1. Kingston BOCU has made …": a paragraph number only
    # a comparator is never judged
    for f in rows(result, "59.7%") + rows(result, "60%", 31):
        assert f.verdict == "unchecked" and "force average or target" in f.explanation


def test_a_changed_figure_in_a_copy_is_inconsistent_on_its_line(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8").replace("of which 791 were", "of which 891 were")
    result = check_text(tmp_path, "kingston.txt", text)
    flagged = [f for f in result.figures if f.verdict == "inconsistent"]
    assert {f.line for f in flagged} == {26}
    assert {f.figure for f in flagged} == {"1474", "891", "54%"}
    pct = rows(result, "54%", 26)[0]
    assert pct.recomputed == "891 / 1,474 = 60.45%"
    assert "is not 891 / 1,474" in pct.explanation
    # a part larger than its whole
    text = SEED.read_text(encoding="utf-8").replace("749 of those", "2749 of those")
    result = check_text(tmp_path, "kingston2.txt", text)
    part = rows(result, "2749", 28)[0]
    assert part.verdict == "inconsistent"
    assert "2,749 > 2,671" in part.recomputed


def test_the_seed_against_the_published_kingston_return(tmp_path: Path) -> None:
    con = store.connect(tmp_path / "store.duckdb")
    try:
        import_return(con, KINGSTON_RETURN)
        returns = [load_return(con, s.return_id) for s in list_returns(con)]
    finally:
        con.close()
    start, end = dt.date(2006, 4, 1), dt.date(2007, 4, 1)
    figures = from_returns(returns, KINGSTON, "dv", start, end)
    data = ComparisonData(KINGSTON, "Kingston upon Thames", "dv", start, end, tuple(figures))
    result = check_report(read_document(SEED), data=data)
    by = {(f.line, f.figure): f for f in result.figures}
    assert by[(26, "1474")].verdict == "matches_data"
    assert by[(26, "54%")].verdict == "matches_data"
    assert by[(27, "48.2%")].verdict == "matches_data"  # printed without counts: printed vs printed
    assert by[(28, "2671")].verdict == "matches_data"  # the return's "last 3 years"
    assert by[(53, "77%")].verdict == "matches_data"  # April to July 2007, as the return has it
    # the arrest rate of offences since April 2007 is not the period's: not compared
    assert by[(31, "70.7%")].verdict == "unchecked"
    # a changed figure differs from the published one, and the arithmetic still says so
    text = SEED.read_text(encoding="utf-8").replace("rate of 48.2%", "rate of 44.2%")
    text = text.replace("of which 791 were", "of which 891 were")
    changed = check_text(tmp_path, "k.txt", text, data)
    by = {(f.line, f.figure): f for f in changed.figures}
    assert by[(27, "44.2%")].verdict == "differs_from_data"
    assert by[(27, "44.2%")].difference == "-4.0 points"
    assert by[(26, "891")].verdict == "inconsistent"  # not hidden behind anything
    assert "published return" in by[(26, "891")].explanation
    assert by[(26, "891")].difference == "+100"


# --- three ways of writing figures, against the demo store -----------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[ComparisonData, assessment.Assessment]:
    from dsvb.demo.generator import generate_extract
    from dsvb.ingest.extract import import_extract

    folder = tmp_path_factory.mktemp("report_check")
    generate_extract(folder / "extract", incidents=2500, seed=5, start=dt.date(2009, 12, 1))
    con = store.connect(folder / "store.duckdb")
    try:
        import_extract(con, folder / "extract")
        period = ReportingPeriod.of(Period(dt.date(2009, 12, 1), dt.date(2010, 12, 1)))
        judged = assessment.assess_store(
            ibis.duckdb.from_connection(con), "dv", period, dt.date(2009, 12, 1)
        )
    finally:
        con.close()
    code = max(
        judged.indicator("offences").areas, key=lambda f: f.numerator
    ).area_code  # the busiest borough
    data = ComparisonData(
        code,
        judged.area_name(code),
        "dv",
        period.period.start,
        period.period.end,
        tuple(from_assessment(judged, code)),
    )
    return data, judged


def _figures(judged: assessment.Assessment, code: str) -> dict[str, float]:
    sd = judged.indicator("sd_rate").area(code)
    conversion = judged.indicator("crime_conversion").area(code)
    return {
        "incidents": conversion.denominator,
        "offences": conversion.numerator,
        "sds": sd.numerator,
        "sd_rate": round(100 * sd.numerator / sd.denominator, 1),
        "conversion": round(100 * conversion.numerator / conversion.denominator),
    }


def test_label_value_lines_pasted_from_a_spreadsheet(tmp_path: Path, demo) -> None:
    data, judged = demo
    n = _figures(judged, data.area_code)
    text = (
        "Borough data, 12 months to November 2010\n\n"
        f"Incidents\t{n['incidents']:.0f}\n"
        f"Offences: {n['offences']:.0f}\n"
        f"Sanction detections: {n['sds']:.0f}\n"
        f"Sanction detection rate\t{n['sd_rate']}%\n"
        f"Crime conversion: {n['conversion']}%\n"
        "Wards: 21\n"
        "Year: 2010\n"
    )
    result = check_text(tmp_path, "pasted.txt", text, data)
    by = {f.counts: f for f in result.figures}
    assert by["Incidents"].verdict == "matches_data"
    assert by["Offences"].verdict == "matches_data"
    assert by["Sanction detection rate"].verdict == "matches_data"
    assert "sanction_detections" in by["Sanction detection rate"].explanation or by[
        "Sanction detection rate"
    ].recomputed.startswith(f"{n['sds']:,.0f} / ")
    assert by["Crime conversion"].verdict == "matches_data"
    assert by["Wards"].verdict == "unchecked"
    assert "Year" not in by  # a year is not a figure
    # 9 points off its own counts: the percentage and both counts are inconsistent, though
    # each count is dsvb's own figure
    wrong = text.replace(
        f"Crime conversion: {n['conversion']}%", f"Crime conversion: {n['conversion'] + 9}%"
    )
    result = check_text(tmp_path, "wrong.txt", wrong, data)
    by = {f.counts: f for f in result.figures}
    for label in ("Incidents", "Offences", "Crime conversion"):
        assert by[label].verdict == "inconsistent", label
    assert "stands for" in by["Crime conversion"].explanation
    assert "dsvb's figure is" in by["Incidents"].explanation


def test_a_markdown_table_with_a_total_row(tmp_path: Path, demo) -> None:
    data, judged = demo
    n = _figures(judged, data.area_code)
    a = int(n["offences"]) // 3
    b = int(n["offences"]) - a
    text = (
        "# Offences by type\n\n"
        "| Type | Offences | % of offences |\n"
        "|---|---:|---:|\n"
        f"| Violence | {a} | {round(100 * a / n['offences'])}% |\n"
        f"| Other | {b} | {round(100 * b / n['offences'])}% |\n"
        f"| Total | {int(n['offences'])} | 100% |\n\n"
        "| Measure | Borough |\n|---|---|\n"
        f"| Incidents | {int(n['incidents'])} |\n"
        f"| Offences | {int(n['offences']) + 5} |\n"
    )
    result = check_text(tmp_path, "report.md", text, data)
    total = next(f for f in result.figures if f.counts.startswith("Total — Offences"))
    assert total.verdict == "matches_data"  # its rows add up and it is dsvb's figure
    assert "add up" in total.explanation
    off = next(f for f in result.figures if f.counts == "Offences — Borough")
    assert off.verdict == "differs_from_data" and off.difference == "+5"
    # a total that is not the sum of its rows
    broken = text.replace(f"| Violence | {a} |", f"| Violence | {a + 10} |")
    result = check_text(tmp_path, "broken.md", broken, data)
    total = next(f for f in result.figures if f.counts.startswith("Total — Offences"))
    assert total.verdict == "inconsistent"


def test_a_word_report_with_sentences_and_a_table(tmp_path: Path, demo) -> None:
    data, judged = demo
    n = _figures(judged, data.area_code)
    document = docx.Document()
    document.add_heading("Borough response to domestic violence", level=1)
    document.add_paragraph(
        f"3.2 There were {n['incidents']:.0f} domestic violence incidents of which "
        f"{n['offences']:.0f} were offences. {n['conversion']}% of incidents were offences."
    )
    document.add_paragraph("Contact: DI Smith, Tel: 020 8721 5582, page 4 of 12.")
    table = document.add_table(rows=3, cols=2)
    for r, (label, value) in enumerate(
        (("Measure", "2009/10"), ("Sanction detections", f"{n['sds']:.0f}"),
         ("Sanction detection rate", f"{n['sd_rate'] + 3}%"))
    ):  # fmt: skip
        table.cell(r, 0).text, table.cell(r, 1).text = label, value
    path = tmp_path / "report.docx"
    document.save(path)
    result = check_report(read_document(path), data=data)
    by = {f.figure: f for f in result.figures}
    assert by[f"{n['incidents']:.0f}"].verdict == "matches_data"
    assert by[f"{n['conversion']}%"].verdict == "matches_data"
    rate = by[f"{n['sd_rate'] + 3}%"]
    assert rate.verdict == "differs_from_data" and rate.difference.startswith("+3.0")
    assert not {"3.2", "020", "8721", "5582", "4", "12"} & set(by)


# --- attacks: what is not a figure is never judged inconsistent ------------------------------


ATTACKS = """\
Report to the board, 6 November 2007

3.2 The borough has 21 wards and 2 police stations.
Page 3 of 12
14
- 15 -
See paragraph 4.1 and section 12; questions 3 and 19 were answered in 2007.
Call the CSU on 0208 721 5582 or 020 7230 1212 between 9:30 and 17:00.
The period runs from 1 April 2006 to 31 March 2007 (2006/07), reported on 01/04/2007.
A 33 week programme and a 3 level course, 24 hours a day, cost £52,225.64.
The 124Ds and class 29 calls; ranked 13th; aged 18-35; version 1.4.
In 2009 domestic violence incidents rose; since 2008 the borough has improved.
Between 2005 and 2008 domestic violence offences fell.
"""


def test_years_dates_phones_and_numbers_of_things_are_never_inconsistent(
    tmp_path: Path, demo
) -> None:
    data, _ = demo
    result = check_text(tmp_path, "attack.txt", ATTACKS, data)
    figures = {f.figure for f in result.figures}
    for not_a_figure in (
        "2007", "2006", "6", "3.2", "3", "12", "4.1", "19", "0208", "5582", "9", "30",
        "17", "1", "31", "01", "33", "24", "52,225.64", "124", "29", "13", "18", "1.4",
        "14", "15", "2009", "2008", "2005",
    ):  # fmt: skip
        assert not_a_figure not in figures, not_a_figure
    assert all(f.verdict == "unchecked" for f in result.figures)  # wards and stations


@pytest.mark.parametrize(
    "text",
    [
        "There were 2473 incidents of which 1986 were substantive criminal offences (80%).",
        "There were 3000 incidents, of which 2011 were offences (67%).",
        "A total of 2011 victims reported 2499 incidents; of those 1999 were repeat victims.",
    ],
)
def test_a_count_that_looks_like_a_year_is_still_a_count(tmp_path: Path, text: str) -> None:
    """Boroughs' counts run into the thousands: "of which 1986 were offences" is a count."""
    result = check_text(tmp_path, "report.txt", text + "\n")
    stated = [f.figure for f in result.figures]
    counts = [n for n in ("1986", "2011", "1999") if n in text]
    assert all(n in stated for n in counts), stated
    assert not any(f.verdict == "inconsistent" for f in result.figures)


@pytest.mark.parametrize("separator", [": ", "\t"])
def test_a_breakdown_written_as_label_value_lines_is_checked_against_its_total(
    tmp_path: Path, separator: str
) -> None:
    """Pasted from a spreadsheet with no header row: the Total line totals the lines above."""
    lines = [("Charges", "400"), ("Cautions", "300"), ("Other", "80")]
    body = "".join(f"{label}{separator}{value}\n" for label, value in lines)
    right = check_text(tmp_path, "right.txt", body + f"Total{separator}780\n")
    wrong = check_text(tmp_path, "wrong.txt", body + f"Total{separator}791\n")
    (total,) = [f for f in right.figures if f.figure == "780"]
    assert total.verdict == "consistent"
    (total,) = [f for f in wrong.figures if f.figure == "791"]
    assert total.verdict == "inconsistent" and "780" in total.explanation


def test_the_export_columns_and_json(tmp_path: Path) -> None:
    result = check_report(read_document(SEED))
    header = result.to_csv().splitlines()[0].split(",")
    assert header == list(COLUMNS)
    assert header[:4] == ["line", "page", "text", "figure"]
    document = json.loads(result.to_json())
    assert document["columns"] == list(COLUMNS)
    assert set(document["verdicts"]) == set(VERDICTS)
    assert document["verdicts"]["consistent"] == result.count("consistent") > 0
    assert document["compared_with"] is None


def test_the_annual_report_seed_has_no_false_contradictions() -> None:
    """The 2010 annual report (seed 001) states hundreds of figures in prose and tables:
    changes ("a 32% increase", "759 more offences"), several boroughs in one sentence,
    tables broken by footnotes, "119, 878" split by PDF extraction. None of it is judged a
    contradiction; its SCD2 table's rates are worked out from its counts, column by column."""
    annual = SEEDS / "001_annual_report_2010.txt"
    result = check_report(read_document(annual))
    assert result.count("inconsistent") == 0
    scd2 = {f.figure: f for f in result.figures if f.line in (487, 490)}
    assert scd2["80.6%"].recomputed == "3,662 / 4,541 = 80.643%"
    assert scd2["88.3%"].recomputed == "1,332 / 1,509 = 88.270%"  # its own column's counts
    assert scd2["9.9%"].verdict == "consistent"
    changes = [f for f in result.figures if f.line == 120 and f.figure in ("32%", "759")]
    assert changes and all("change" in f.explanation for f in changes)


def test_how_the_words_tie_figures_together(tmp_path: Path) -> None:
    text = (
        "There were 800 offences, of which 400 were assaults, 300 harassment and 150 damage.\n"
        "Harrow had 99 incidents of which 90 were offences and a 25% SD rate, and Brent had "
        "102 incidents of which 85 were offences.\n"
        "The borough recorded 119, 878 incidents.\n\n"
        "| Type | Offences |\n|---|---|\n| Rape | 40 |\n| Other | 60 |\n"
        "| Total | 100 |\n\n"
        "| Type | Offences |\n|---|---|\n| Rape | 40 |\n| Other | 60 |\n"
        "| Total sexual offences | 100 |\n| Domestic | 50 |\n| Total | 150 |\n"
    )
    result = check_text(tmp_path, "words.md", text)
    listed = rows(result, "800", 1)[0]
    assert listed.verdict == "inconsistent"  # 400 + 300 + 150 > 800
    assert listed.recomputed == "400 + 300 + 150 > 800"
    # a named SD rate is not worked out from incidents and offences; two boroughs' parts
    # are two relations, not one list
    harrow = {f.figure: f for f in result.figures if f.line == 2}
    assert harrow["25%"].verdict == "unchecked"
    assert harrow["99"].recomputed == "90 ≤ 99" and harrow["102"].recomputed == "85 ≤ 102"
    assert not [f for f in result.figures if f.line == 3]  # "119, 878": ambiguous, unread
    totals = [(f.line, f.counts, f.verdict) for f in result.figures if f.counts.startswith("Total")]
    assert totals == [
        (9, "Total — Offences", "consistent"),  # 40 + 60 = 100
        # with a subtotal in it, a table's Total is not checked (which rows does it add?)
        (15, "Total sexual offences — Offences", "unchecked"),
        (17, "Total — Offences", "unchecked"),
    ]


# --- any text at all -----------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "1474", "791", "54%", "48.2%", "2,671", "of which", "of those", "out of a total of",
        "incidents", "offences", "victims", "repeat victims", "sanction detection rate",
        "This represents", "increase", "Total", "|", "\t", ":", ".", ",", " ", "\n", "2007",
        "6 November", "Tel: 0208 721 5582", "3.2", "Sept 2007", "September 2007 to June 2008",
        "last twelve months", "Nine %", "seven", "(3)", "£5", "119, 878", "-", "Page 2",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=60))
def test_any_text_is_read_without_error(pieces: list[str]) -> None:
    """Whatever a report holds, the check finishes, each verdict one of the five, each row
    on a line of the document."""
    text = " ".join(pieces)
    lines = [Line(n, t, tuple(c.strip() for c in t.split("\t")) if "\t" in t else ())
             for n, t in enumerate(text.split("\n"), start=1)]  # fmt: skip
    result = check_report(lines)
    assert all(f.verdict in VERDICTS for f in result.figures)
    assert all(1 <= f.line <= len(lines) for f in result.figures)
    json.loads(result.to_json())


def test_a_pdf_whose_sentences_wrap_over_lines(tmp_path: Path) -> None:
    """A PDF's text comes as wrapped lines: a sentence over two lines is one sentence, and
    each figure keeps the line (and page) it is on."""
    weasyprint = pytest.importorskip("weasyprint")
    path = tmp_path / "report.pdf"
    weasyprint.HTML(
        string="<p style='width: 9cm'>There have been 1474 domestic violence incidents of "
        "which 891 were substantive criminal offences. 54% of domestic violence incidents "
        "were criminal offences.</p>"
    ).write_pdf(path)
    lines = read_document(path)
    assert len([line for line in lines if line.text.strip()]) >= 3  # wrapped
    result = check_report(lines)
    by = {f.figure: f for f in result.figures}
    assert {by[x].verdict for x in ("1474", "891", "54%")} == {"inconsistent"}
    assert by["54%"].recomputed == "891 / 1,474 = 60.45%"
    assert by["54%"].page == 1
    assert by["54%"].line == next(line.number for line in lines if "54%" in line.text)
