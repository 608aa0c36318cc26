"""The annual report: its data commentary written from the figures, under the publication
policy, on a demo store and on the published 2010 tables read with the returns import."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import ibis
import pytest

from dsvb import store
from dsvb.demo.generator import generate_extract
from dsvb.indicators.assessment import assess_store
from dsvb.indicators.definitions import INDICATORS
from dsvb.indicators.model import Period
from dsvb.indicators.periods import ReportingPeriod
from dsvb.indicators.results import FORCE_CODE
from dsvb.ingest.extract import import_extract
from dsvb.ingest.returns import read_return
from dsvb.oversight import annual_report as ar
from dsvb.oversight.document import Chart, Table
from dsvb.oversight.recommendations import Recommendation, Status, Update
from dsvb.reports import publication
from dsvb.reports.disclosure import Policy

YEAR = Period(dt.date(2009, 12, 1), dt.date(2010, 12, 1))
PUBLISHED = Path(__file__).resolve().parents[3] / "shared" / "data" / "published"
DV_2010 = "dv_by_borough_12m_to_2010-11.csv"
SEXUAL_2010 = "sexual_offences_by_unit_12m_to_2010-11.csv"
FAMILIES = ("dv", "serious_sexual", "sexual")


def published_file(name: str) -> Path:
    path = PUBLISHED / name
    if not path.exists():  # the copy kept with the reference data
        path = Path(__file__).resolve().parents[2] / "src/dsvb/reference/published" / name
    return path


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("annual-report")
    generate_extract(folder / "extract", incidents=3_000, seed=1, start=YEAR.start, months=12)
    path = folder / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, folder / "extract")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def figures(store_path) -> ar.Figures:
    con = store.connect(store_path, read_only=True)
    try:
        backend = ibis.duckdb.from_connection(con)
        period = ReportingPeriod.of(YEAR)
        return ar.figures_from_assessments(
            [assess_store(backend, f, period, YEAR.start) for f in FAMILIES]
        )
    finally:
        con.close()


def recommendations() -> list[Recommendation]:
    last_year = Recommendation(
        2009, 1, "Review the volume of rapes recorded as no-crime.", "SCD2"
    ).with_update(Update(dt.date(2010, 12, 1), "Decisions are now made centrally.", "ongoing"))
    done = (
        Recommendation(2009, 2, "Develop joint targets with CPS.", "TP Violent Crime Directorate")
        .with_update(Update(dt.date(2010, 6, 1), "Working group set up.", Status.ONGOING))
        .with_update(Update(dt.date(2010, 11, 1), "Service level agreement signed.", "complete"))
    )
    return [
        done,
        last_year,
        Recommendation(
            2010,
            2,
            "MPS to provide clarity on the volume of recorded LGBT domestic violence.",
            "MPS Performance Information Bureau",
            theme="data",
        ),
        Recommendation(
            2010,
            1,
            "MPS to review borough practice of the use of cautions.",
            "MPS Violent Crime Directorate",
            theme="policy_qa",
        ),
    ]


def inputs(figures: ar.Figures, **kw) -> ar.AnnualReportInputs:
    return ar.AnnualReportInputs(
        2010,
        figures,
        findings=kw.pop(
            "findings",
            {
                "data": ["Recording of LGBT domestic violence has proved difficult to quantify."],
                "policy_qa": ["The thorny issue of cautioning was raised at almost every session."],
                "thematic": ["The thematic session looked at first response."],
            },
        ),
        recommendations=kw.pop("recommendations", recommendations()),
        boroughs=kw.pop("boroughs", None)
        or (
            ar.BoroughOutcome(
                "Haringey",
                ("The creation of a safeguarding adults coordinator in the CSU.",),
                ("Explore options for LGBT reporting.", "Provide the unsupported prosecutions."),
            ),
            ar.BoroughOutcome("Lewisham", ("The excellent partnership work.",), ()),
        ),
        success_factors=(
            ar.SuccessFactor(
                "Lambeth: partnership working",
                "Empowered and effective leadership.",
                ("Strong chairing of meetings.",),
            ),
        ),
        synthetic=True,
        **kw,
    )


@pytest.fixture(scope="module")
def made(figures) -> tuple:
    return ar.build_with_download(inputs(figures))


@pytest.fixture(scope="module")
def report(made):
    return made[0]


def tables(document) -> dict[str, Table]:
    out = {}
    stack = list(document.sections)
    while stack:
        s = stack.pop(0)
        out.update({b.caption: b for b in s.blocks if isinstance(b, Table)})
        stack.extend(s.subsections)
    return out


def table_starting(document, words: str) -> Table:
    (found,) = [t for caption, t in tables(document).items() if caption.startswith(words)]
    return found


def number(text: str) -> int:
    return int(text.replace(",", ""))


# --- sentences written from the figures -----------------------------------------------------


def test_the_dv_sentence_of_the_2010_tables_is_the_reports_own() -> None:
    figures = ar.figures_from_returns([read_return(published_file(DV_2010))])
    document = ar.build_annual_report(ar.AnnualReportInputs(2010, figures))
    sentence = (
        "The MPS recorded 49,883 domestic violence offences in the 12 months to November "
        "2010, of which 48.9% (24,406) were sanction detected; 45.6% of those were cautions."
    )
    assert sentence in document.section("summary").blocks[0].text
    assert sentence in document.text()


def test_changing_the_data_changes_the_sentence(tmp_path) -> None:
    """The same published table with the force's offences and cautions changed in the file:
    the sentence follows the file, so no number in it was typed."""
    text = published_file(DV_2010).read_text(encoding="utf-8")
    changed = text.replace(
        "MPS Total,122049,49883,24406,13178,11135", "MPS Total,122049,50000,24406,13178,12000"
    )
    assert changed != text
    path = tmp_path / DV_2010
    path.write_text(changed, encoding="utf-8")
    figures = ar.figures_from_returns([read_return(path)])
    view = ar.printed(figures, Policy())
    assert ar.dv_sentence(view) == (
        "The MPS recorded 50,000 domestic violence offences in the 12 months to November "
        "2010, of which 48.8% (24,406) were sanction detected; 49.2% of those were cautions."
    )


def test_the_sentences_of_a_demo_store_are_its_figures(figures, report) -> None:
    force = {(r.family, r.indicator): r for r in figures.results if r.area_code == FORCE_CODE}
    offences = force[("dv", "offences")].numerator
    sd = force[("dv", "sd_rate")]
    share = force[("dv", "caution_share")]
    expected = (
        f"The MPS recorded {offences:,} domestic violence offences in the 12 months to "
        f"November 2010, of which {100 * sd.value:.1f}% ({sd.numerator:,}) were sanction "
        f"detected; {100 * share.value:.1f}% of those were cautions."
    )
    assert expected in report.text()
    # and with the force's offences changed (wherever the count appears), it changes
    # (exact figures, policy None: force figures are printed as they are either way)
    other = ar.build_annual_report(inputs(more_offences(figures, 100), policy=None))
    assert f"recorded {offences + 100:,} domestic violence offences" in other.text()
    assert expected not in other.text()


def more_offences(figures: ar.Figures, extra: int) -> ar.Figures:
    def bumped(r):
        if (r.area_code, r.family) != (FORCE_CODE, "dv"):
            return r
        indicator = INDICATORS[r.indicator]
        if indicator.numerator == "offences":
            r = dataclasses.replace(r, numerator=r.numerator + extra)
        if indicator.denominator == "offences":
            r = dataclasses.replace(r, denominator=r.denominator + extra)
        return r

    return dataclasses.replace(figures, results=tuple(bumped(r) for r in figures.results))


def test_the_caution_sentences_name_the_boroughs_the_2010_report_named() -> None:
    figures = ar.figures_from_returns([read_return(published_file(DV_2010))])
    view = ar.printed(figures, Policy())
    high, low = ar.caution_sentences(view)
    assert high.startswith(
        "Of the boroughs, cautions made up the largest share of domestic violence sanction "
        "detections in Newham: Newham's sanction detection rate (47.8%) was made up of 60.4% "
        "cautions, and Hounslow's (43.4%) of 58.2%."
    )
    assert "Greenwich" in low and "Sutton" in low and "34.3%" in low


# --- the 2010 tables as the report prints them ------------------------------------------------


def test_the_2010_tables_print_as_published_with_small_counts_withheld() -> None:
    figures = ar.figures_from_returns(
        [read_return(published_file(DV_2010)), read_return(published_file(SEXUAL_2010))]
    )
    assert figures.units == ("SCD1", "SCD2", "SCD5", "SCD9")
    document = ar.build_annual_report(ar.AnnualReportInputs(2010, figures))
    dv = table_starting(document, "Domestic violence by borough")
    with published_file(DV_2010).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(dv.rows) == len(rows)  # 32 boroughs and the total
    for printed, row in zip(dv.rows, rows, strict=True):
        assert [number(c) for c in printed[1:5]] == [
            int(row[k])
            for k in ("dv_incidents", "dv_offences", "dv_sanction_detections", "dv_cautions")
        ]
    newham = next(r for r in dv.rows if r[0] == "Newham")
    assert newham[5:] == ("47.8%", "60.4%")
    sexual = table_starting(document, "Sexual offences by borough and investigating unit")
    by_name = {r[0]: r for r in sexual.rows}
    assert by_name["Barnet"][1:4] == ("154", "127", "38")
    assert by_name["Barnet"][4] == "[c]"  # 7 cautions: withheld
    assert by_name["SCD2"][1:5] == ("4,541", "3,662", "606", "18")
    assert by_name["SCD9 (including CO14 and SCD6)"][1] == "–"  # garbled in the return: not held
    assert by_name["MPS total"][1:5] == ("13,263", "10,281", "2,529", "242")
    assert "Disclosure control: dsvb disclosure control v2" in document.text()


# --- under the publication policy ------------------------------------------------------------


def test_the_report_prints_the_cells_a_release_of_the_same_figures_prints(
    store_path, figures
) -> None:
    """The report reads the table a release makes: cell for cell the same, so the two
    together give nothing away that the release alone does not."""
    source = publication.store_source(store_path)
    release = publication.make_release(source.results(YEAR), YEAR, Policy(), number=1)
    table = ar.controlled_table(figures, Policy())
    assert table.suppressed_cells > 0
    for cell in table.cells:
        theirs = release.table.get(cell.family, cell.indicator, cell.area_code)
        assert theirs is not None
        assert (cell.numerator, cell.denominator, cell.suppressed) == (
            theirs.numerator,
            theirs.denominator,
            theirs.suppressed,
        ), cell


def test_no_count_from_one_to_nine_is_printed_below_force_level(figures, report) -> None:
    small_in_data = [
        r
        for r in figures.results
        if r.area_code != FORCE_CODE and r.numerator is not None and 1 <= r.numerator <= 9
    ]
    assert small_in_data  # there were small counts to protect (so this test can fail)
    for caption, table in tables(report).items():
        for row in table.rows:
            if row[0].startswith("MPS"):
                continue
            for cell in row[1:]:
                if re.fullmatch(r"[\d,]+", cell):
                    assert not 1 <= number(cell) <= 9, (caption, row)
    exact = ar.build_annual_report(inputs(figures, policy=None))
    printed_small = [
        cell
        for t in tables(exact).values()
        for row in t.rows
        if not row[0].startswith("MPS")
        for cell in row[1:]
        if re.fullmatch(r"\d", cell) and cell != "0"
    ]
    assert printed_small  # the draft without disclosure control does print them
    assert exact.marking == ar.NOT_FOR_PUBLICATION
    assert "Disclosure control: none" in exact.footer[0]


def test_the_footer_names_the_policy_and_its_version(figures, report) -> None:
    policy = Policy()
    assert report.footer[0].startswith(f"Disclosure control: {policy.describe()}")
    assert f"Policy version {policy.version}" in report.footer[0]
    assert report.marking == ""
    assert any("Synthetic data" in line for line in report.footer)
    returns = ar.figures_from_returns([read_return(published_file(DV_2010))])
    other = ar.build_annual_report(ar.AnnualReportInputs(2010, returns, Policy(version=3)))
    assert "Policy version 3" in other.footer[0]
    assert not any("Synthetic" in line for line in other.footer)
    assert "Source: published returns." in other.footer


def test_every_figure_the_report_prints_is_in_its_download(made) -> None:
    report, download = made
    rows = list(csv.DictReader(io.StringIO(download)))
    assert rows and set(rows[0]) == set(publication.COLUMNS)
    numbers = {
        (r["family"], r["area_name"], r["indicator"]): (r["numerator"], r["denominator"])
        for r in rows
    }
    dv = table_starting(report, "Domestic violence by borough")
    for row in dv.rows:
        name = publication.FORCE_LABEL if row[0] == "MPS total" else row[0]
        incidents = numbers[("dv", name, "incidents")][0]
        sds, offences = numbers[("dv", name, "sd_rate")]
        assert [incidents, offences, sds] == [c.replace(",", "") for c in row[1:4]]
    assert {r["disclosure_policy_version"] for r in rows} == {str(Policy().version)}


# --- the rest of the report -------------------------------------------------------------------


def test_findings_recommendations_progress_and_boroughs(report) -> None:
    findings = report.section("findings")
    assert [s.key for s in findings.subsections] == [
        "theme-data",
        "theme-policy_qa",
        "theme-thematic",
    ]
    policy_text = "\n".join(
        b.text if hasattr(b, "text") else "\n".join(b.items)
        for b in report.section("theme-policy_qa").blocks
    )
    assert "1. MPS to review borough practice of the use of cautions." in policy_text
    recs = report.section("recommendations").blocks[0]
    assert recs.items == (
        "1. MPS to review borough practice of the use of cautions. (Owner: MPS Violent Crime "
        "Directorate.)",
        "2. MPS to provide clarity on the volume of recorded LGBT domestic violence. (Owner: "
        "MPS Performance Information Bureau.)",
    )
    progress = report.section("progress")
    assert progress.title == "Update on recommendations from 2009"
    assert [s.title for s in progress.subsections] == [
        "1. Review the volume of rapes recorded as no-crime.",
        "2. Develop joint targets with CPS.",
    ]
    first, second = progress.subsections
    assert first.blocks[0].text == "Owner: SCD2. Status: Ongoing."
    assert second.blocks[0].text.endswith("Status: Complete.")
    assert second.blocks[-1].text == "1 November 2010: Service level agreement signed."
    text = report.text()
    assert "Haringey were commended for:" in text
    assert "Haringey were asked to follow up on:\nExplore options for LGBT reporting." in text
    assert "Lewisham were asked to follow up on" not in text  # nothing asked
    assert "Lambeth: partnership working\nEmpowered and effective leadership." in text


COUNTED = ar.Outcome(
    "60.4% of offences were detected (638 of 1,056); 7 repeat caution offenders.",
    ar.theme_wording("policy_qa"),
)


def test_a_published_report_prints_no_number_from_a_finding(figures) -> None:
    borough = ar.BoroughOutcome("Haringey", (), (COUNTED,))
    published = ar.build_annual_report(inputs(figures, boroughs=(borough,))).text()
    assert "Haringey were asked to follow up on:\nPolicy compliance and quality assurance" in (
        published
    )
    for number in ("60.4", "638", "1,056", "7 repeat"):
        assert number not in published
    # the internal draft (exact figures, no policy) prints the letter's words
    internal = ar.build_annual_report(inputs(figures, boroughs=(borough,), policy=None)).text()
    assert COUNTED.text in internal


def test_a_figure_in_a_findings_words_is_refused_in_a_published_report(figures) -> None:
    borough = ar.BoroughOutcome("Haringey", ("Only 3 cautions were given.",))
    with pytest.raises(ValueError, match=r"Haringey .* carries a figure"):
        ar.build_annual_report(inputs(figures, boroughs=(borough,)))
    assert (
        "Only 3 cautions"
        in ar.build_annual_report(inputs(figures, boroughs=(borough,), policy=None)).text()
    )


def test_unknown_themes_are_refused(figures) -> None:
    with pytest.raises(ValueError, match="unknown finding theme"):
        inputs(figures, findings={"money": ["x"]})


def charts(document) -> list[Chart]:
    return [
        b for s in document.section("data").subsections for b in s.blocks if isinstance(b, Chart)
    ]


def test_charts_are_svg_and_png_with_words_in_place(report) -> None:
    (dv,) = charts(report)  # every borough's sexual offences are withheld in this small store
    figures = ar.figures_from_returns(
        [read_return(published_file(DV_2010)), read_return(published_file(SEXUAL_2010))]
    )
    both = charts(ar.build_annual_report(ar.AnnualReportInputs(2010, figures)))
    assert len(both) == 2
    for chart in [dv, *both]:
        assert chart.svg.lstrip().startswith("<svg")
        assert chart.png.startswith(b"\x89PNG")
        assert "the figures are in the table above" in chart.alt
    assert "Not shown (figures withheld)" in dv.alt  # boroughs with [c] are named
    assert "Not shown" not in both[0].alt
    assert "The most were in SCD2 (3,662)." in both[1].alt


def test_figures_of_different_periods_are_refused(tmp_path) -> None:
    text = published_file(SEXUAL_2010).read_text(encoding="utf-8")
    other = tmp_path / "sexual_offences_by_unit_12m_to_2010-10.csv"
    other.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="of one period"):
        ar.figures_from_returns([read_return(published_file(DV_2010)), read_return(other)])


def test_a_figure_two_returns_print_differently_is_refused_not_picked(tmp_path) -> None:
    headline = published_file("vaw_headline_12m_to_2010-11.csv").read_text(encoding="utf-8")
    agreeing = ar.figures_from_returns(
        [
            read_return(published_file(DV_2010)),
            read_return(published_file("vaw_headline_12m_to_2010-11.csv")),
        ]
    )
    assert ar.printed(agreeing, None).count("dv", "offences") == 49_883
    path = tmp_path / "vaw_headline_12m_to_2010-11.csv"
    path.write_text(headline.replace('"49,883"', '"49,884"'), encoding="utf-8")
    with pytest.raises(ValueError, match=r"offences \(dv\) for .* is 49883/None in .* but 49884"):
        ar.figures_from_returns([read_return(published_file(DV_2010)), read_return(path)])
