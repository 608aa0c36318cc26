"""The commissioning brief on a real demo store: section A's dates, B1's figures read back out
of the PDF equal to the assessment's, the published brief under disclosure control, B2–B5 and
the equality section from the year's template (the 2010 brief, transcribed)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import ibis
import pytest

from dsvb import store
from dsvb.equality import analysis as an
from dsvb.indicators import assessment as am
from dsvb.indicators.model import Period
from dsvb.indicators.periods import ReportingPeriod
from dsvb.oversight import render
from dsvb.oversight.brief import (
    INTERNAL_MARKING,
    BriefInputs,
    build_brief,
)
from dsvb.oversight.brief_template import (
    REQUIRED_SECTIONS,
    BriefTemplate,
    TemplateError,
    load_template,
    template_years,
)
from dsvb.oversight.deadlines import brief_dates
from dsvb.oversight.document import Document, Table
from dsvb.reports import disclosure
from tests.reports.documents import (
    docx_styles,
    docx_text,
    missing_words,
    pdf_text,
    save_first_page,
)

YEAR = Period(dt.date(2009, 12, 1), dt.date(2010, 12, 1))
MEETING = dt.date(2010, 12, 14)  # a day of two digits: the page footer names it
FAMILIES = ("dv", "serious_sexual")
# controlling a strand's table takes seconds: the published brief's tests take two strands
PUBLISHED_STRANDS = ("victim_sex", "victim_disability")
SECTIONS = ("A", "B1", "B2", "B3", "B4", "B5", "EQUALITY")
RATIO = "Ratio (95% interval)"  # the last column of a table by strand (a figures table: the force)


@pytest.fixture(scope="module")
def figures(demo_store_file) -> tuple[tuple[am.Assessment, ...], an.EqualityAnalysis]:
    con = store.connect(demo_store_file, read_only=True)
    try:
        backend = ibis.duckdb.from_connection(con)
        period = ReportingPeriod.of(YEAR)
        judged = tuple(am.assess_store(backend, f, period, YEAR.start) for f in FAMILIES)
        equality = an.analyse_store(con, "dv", YEAR)
    finally:
        con.close()
    return judged, equality


@pytest.fixture(scope="module")
def area(figures) -> tuple[str, str]:
    """The borough with the most domestic-violence offences (every table has rows)."""
    dv = figures[0][0].indicator("offences")
    best = max(dv.areas, key=lambda f: f.numerator)
    return best.area_code, best.area_name


def inputs(figures, area, **changes) -> BriefInputs:
    judged, equality = figures
    base = BriefInputs(
        area_code=area[0],
        area_name=area[1],
        meeting=MEETING,
        assessments=judged,
        equality=(equality,),
        contacts=(("Board officer", "A. Officer, 020 7000 0000"),),
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="module")
def internal(figures, area) -> tuple[Document, bytes, bytes]:
    doc = build_brief(inputs(figures, area))
    return doc, render.to_pdf(doc), render.to_docx(doc)


@pytest.fixture(scope="module")
def published(figures, area) -> tuple[Document, bytes, bytes]:
    doc = build_brief(inputs(figures, area, published=True, strands=PUBLISHED_STRANDS))
    return doc, render.to_pdf(doc), render.to_docx(doc)


def flat(text: str) -> str:
    return " ".join(text.split())


# --- B1's figures, read back from the PDF ---------------------------------------------------------

VALUE = r"(?:[\d,]+(?:\.\d+)?%?|–)"
ROW = re.compile(
    rf"^(?P<label>.+?) (?P<value>{VALUE}) (?P<num>[\d,.]+|–) (?P<den>[\d,.]+|–) "
    rf"(?P<force>{VALUE}) (?P<rank>\d+(?:st|nd|rd|th) of \d+|–)$"
)


def number(text: str, kind: str) -> float | None:
    if text == "–":
        return None
    if text.endswith("%"):
        return float(text[:-1].replace(",", "")) / 100
    return float(text.replace(",", ""))


def test_b1_figures_in_the_pdf_are_the_assessments(figures, area, internal) -> None:
    judged, _ = figures
    _doc, pdf, _data = internal
    text = pdf_text(pdf)
    for assessment in judged:
        caption = f"{assessment.family_label}, 12 months to November 2010: {area[1]}"
        start = flat(text).index(caption)
        # the rows of this family's table, in order, after its caption
        lines = [m for line in text.splitlines() if (m := ROW.match(line.strip()))]
        scorecard = assessment.scorecard(area[0])
        after = flat(text)[start:]
        rows = [m for m in lines if flat(m.group(0)) in after]
        first = next(
            k for k, m in enumerate(rows) if scorecard[0].info.label.startswith(m["label"])
        )
        rows = rows[first : first + len(scorecard)]
        assert len(rows) == len(scorecard), assessment.family
        for row, parsed in zip(scorecard, rows, strict=True):
            # a long label wraps: its first line starts the row
            assert row.info.label.startswith(parsed["label"]), (row.info.label, parsed["label"])
            figure, kind = row.figure, row.info.kind
            tolerance = 0.0005 if kind == "proportion" else 0.005 if kind == "ratio" else 0
            value = number(parsed["value"], kind)
            if figure.value is None:
                assert value is None
            else:
                assert value == pytest.approx(figure.value, abs=tolerance), row.info.id
            force = number(parsed["force"], kind)
            if row.force_value is None:
                assert force is None
            else:
                assert force == pytest.approx(row.force_value, abs=tolerance), row.info.id
            if kind != "count":
                assert number(parsed["num"], "count") == figure.numerator, row.info.id
                assert number(parsed["den"], "count") == figure.denominator, row.info.id
            if figure.rank is not None:
                assert parsed["rank"].startswith(f"{figure.rank}"), row.info.id
                assert parsed["rank"].endswith(f"of {figure.ranked}")


def test_b1_by_strand_shows_the_analysis_rows(figures, area, internal) -> None:
    _, equality = figures
    doc, pdf, _data = internal
    section = doc.section("B1.equality.dv")
    tables = [b for b in section.blocks if isinstance(b, Table)]
    assert len(tables) == 5  # sex, age band, ethnic group, disability, LGBT flag
    sd = {
        (r.strand, r.group): r
        for r in equality.for_area(area[0])
        if r.measure == "sd_rate" and r.strand == "victim_sex"
    }
    female = sd[("victim_sex", "female")]
    row = next(r for r in tables[0].rows if r[0] == "Female")
    assert f"{female.numerator:,} of {int(female.denominator):,}" in row
    assert f"{female.ratio:.2f} (" in row[-1]
    assert f"{female.numerator:,} of {int(female.denominator):,}" in pdf_text(pdf)


# --- the whole brief, in both formats -------------------------------------------------------------


@pytest.mark.parametrize("which", ["internal", "published"])
def test_every_word_and_section_is_in_the_pdf_and_docx(which, request) -> None:
    doc, pdf, data = request.getfixturevalue(which)
    assert not missing_words(doc, pdf_text(pdf))
    assert not missing_words(doc, docx_text(data))
    headings = {text for style, text in docx_styles(data) if style == "Heading 2"}
    template = load_template(MEETING.year)
    for key in SECTIONS:
        title = doc.section(key).title
        assert title == template.section(key).title
        assert title in headings, key
        assert flat(title) in flat(pdf_text(pdf)), key
    save_first_page(pdf, f"brief-{which}")


def test_the_internal_brief_is_marked_internal_and_exact(internal) -> None:
    doc, pdf, _data = internal
    assert doc.marking == INTERNAL_MARKING
    assert INTERNAL_MARKING.upper() in pdf_text(pdf)
    assert any("not for publication" in line for line in doc.footer)
    assert "[c]" not in doc.text()


def _bare_counts(text: str) -> list[int]:
    """Whole numbers written alone (no decimal point, no percent sign, not a rank)."""
    return [
        int(m.group(1).replace(",", ""))
        for m in re.finditer(r"(?<![\w.,])(\d{1,3}(?:,\d{3})*)(?![\w.,%])", text)
    ]


def test_the_published_brief_shows_no_count_of_one_to_nine_below_force_level(
    published, internal
) -> None:
    doc, pdf, _data = published
    threshold = disclosure.Policy().threshold
    tables = [
        b
        for s in doc.section("B1").subsections
        for b in (*s.blocks, *(x for sub in s.subsections for x in sub.blocks))
        if isinstance(b, Table)
    ]
    assert tables
    for table in tables:
        # the figures tables end with the force's column, which is never below force level
        last = len(table.columns) - 1 if table.columns[-1] != RATIO else None
        for row in table.rows:
            for k, cell in enumerate(row[1:], start=1):
                if k == last:
                    continue
                small = [n for n in _bare_counts(cell) if 1 <= n <= threshold]
                assert not small, (table.caption, row)
    assert "[c]" in doc.text(), "something small was there to withhold"
    # the same in the PDF's text of B1
    forces = {
        n for t in tables if t.columns[-1] != RATIO for r in t.rows for n in _bare_counts(r[-1])
    }
    shown = _small_counts_in_b1(doc, pdf, threshold)
    assert shown <= forces, shown
    # and the internal brief, checked the same way, shows small counts (so the check can fail)
    assert _small_counts_in_b1(internal[0], internal[1], threshold) - forces


def _small_counts_in_b1(doc: Document, pdf: bytes, threshold: int) -> set[int]:
    """The whole numbers 1..threshold in the PDF's text of B1, without the page furniture and
    the words around the tables (the notes say "a count of 1 to 9"): the tables' cells."""
    furniture = re.compile(r"^.*Page \d+ of \d+$|^OFFICIAL.*$", re.M)
    b1 = flat(furniture.sub(" ", pdf_text(pdf)))
    b1 = b1[b1.index(doc.section("B1").title) : b1.index("B2: ")]
    for section in doc.section("B1").subsections:
        for block in section.blocks:
            for words in (*getattr(block, "notes", ()), getattr(block, "text", "")):
                b1 = b1.replace(flat(words), " ") if words else b1
    return {n for n in _bare_counts(b1) if 1 <= n <= threshold}


def test_the_published_brief_names_its_policy_and_version(published) -> None:
    doc, pdf, data = published
    policy = disclosure.Policy()
    assert doc.marking == "OFFICIAL"
    assert any(policy.describe() in line for line in doc.footer)
    assert f"Disclosure-control policy version {policy.version}." in doc.footer
    assert f"Disclosure-control policy version {policy.version}." in pdf_text(pdf)
    assert policy.name in docx_text(data)
    # no rank (it places a withheld rate between shown ones), headline indicators only
    figures = doc.section("B1.dv").blocks[0]
    assert isinstance(figures, Table) and "Rank" not in figures.columns
    assert "Victims' Code compliance" not in {r[0] for r in figures.rows}


def test_published_equality_made_under_another_policy_is_refused(figures, area) -> None:
    from dsvb.equality.publication import PublishedEquality

    _, equality = figures
    other = disclosure.Policy(version=3, threshold=5)
    made = PublishedEquality(equality, (), other)
    with pytest.raises(ValueError, match="made under dsvb disclosure control v3"):
        build_brief(inputs(figures, area, published=True, published_equality=(made,)))


def test_a_releases_table_is_shown_as_it_is(figures, area) -> None:
    from dsvb.oversight.brief import _results

    judged, _ = figures
    dv = judged[0]
    table = disclosure.apply(_results(dv))
    doc = build_brief(
        inputs(
            figures, area, assessments=(dv,), equality=(), published=True, published_figures=table
        )
    )
    shown = {r[0]: r for r in doc.section("B1.dv").blocks[0].rows}  # type: ignore[union-attr]
    cell = table.get("dv", "sd_rate", area[0])
    assert cell is not None
    assert shown["Sanction detection rate"][2:4] == (f"{cell.numerator:,}", f"{cell.denominator:,}")
    other = disclosure.apply(_results(dv), disclosure.Policy(version=3))
    with pytest.raises(ValueError, match="published figures were made under"):
        build_brief(
            inputs(
                figures,
                area,
                assessments=(dv,),
                equality=(),
                published=True,
                published_figures=other,
            )
        )


# --- section A ------------------------------------------------------------------------------------


def fields(doc: Document) -> dict[str, str]:
    return dict(doc.section("A").blocks[0].items)  # type: ignore[union-attr]


def test_section_a_dates_come_from_the_meeting_and_can_be_adjusted(figures, area) -> None:
    defaults = brief_dates(MEETING)
    doc = build_brief(inputs(figures, area, assessments=(), equality=()))
    a = fields(doc)
    assert a["Draft report due"] == "30 November 2010" == f"{defaults.draft_due:%-d %B %Y}"
    assert a["Final report due"] == "7 December 2010" == f"{defaults.final_due:%-d %B %Y}"
    assert a["Brief sent"] == f"{defaults.sent:%-d %B %Y}"
    assert a["Maximum report length"] == "15 pages (excluding appendices)"
    assert a["Board officer"] == "A. Officer, 020 7000 0000"
    adjusted = build_brief(
        inputs(figures, area, draft_due=dt.date(2010, 11, 26), length_limit="10 pages")
    )
    a = fields(adjusted)
    assert a["Draft report due"] == "26 November 2010"
    assert a["Final report due"] == "7 December 2010"
    assert a["Maximum report length"] == "10 pages"
    assert a["Period of the figures in B1"] == "12 months to November 2010"


def test_a_borough_the_assessment_does_not_hold_is_refused(figures, area) -> None:
    with pytest.raises(ValueError, match="E99999999 \\(Nowhere\\) is not one of the boroughs"):
        inputs(figures, ("E99999999", "Nowhere"))


def test_dates_out_of_order_are_refused(figures, area) -> None:
    with pytest.raises(ValueError, match="out of order"):
        build_brief(inputs(figures, area, final_due=dt.date(2010, 11, 20)))


# --- the template ---------------------------------------------------------------------------------

# from the brief printed in the appendix of the 2010 annual report (seed 001), word for word
PRINTED = {
    "B2": "How does SCD2/ the (B)OCU respond to cases of sexual and/ or domestic violence in "
    "which there are police officers or staff involved, or counter-allegations, multiple "
    "victims or multiple perpetrators? How many of these are there?",
    "B3": "What is the proportion of funding dedicated to tackling domestic and sexual violence "
    "from within the overall CDRP budget?",
    "B4": "How does the (B)OCU and SCD2 build trust and confidence with hard-to-reach "
    "communities, particularly around sensitive cultural issues such as forced marriage and "
    "'honour'-based violence?",
    "B5": "What single improvement do the BOCU think the Metropolitan Police Service could make "
    "which would greatly improve the response to a) domestic and b) sexual violence locally?",
}


def test_the_2010_template_is_the_printed_brief() -> None:
    template = load_template(2010)
    assert template.keys == REQUIRED_SECTIONS
    counts = {"B2": 3, "B3": 4, "B4": 3, "B5": 6}
    for key, question in PRINTED.items():
        items = template.section(key).blocks[0].items  # type: ignore[union-attr]
        assert question in items, key
        assert len(items) == counts[key], key
    assert template.section("B2").title == "B2: Policy compliance and quality assurance"
    assert template.section("EQUALITY").title == "Equality and diversity"


def test_a_year_without_a_template_takes_the_latest_before_it() -> None:
    assert 2010 in template_years()
    assert load_template(2013).year == 2010
    assert load_template(2009).year == 2010  # before every template: the earliest


def test_an_edited_template_is_what_the_brief_asks(figures, area) -> None:
    text = _template_text().replace(
        "What have been the successes and areas for improvement of Public Protection Desks?",
        "How has the borough used Clare's Law disclosures?",
    )
    doc = build_brief(inputs(figures, area, assessments=(), equality=(), template_text=text))
    b5 = doc.section("B5").blocks[0].items  # type: ignore[union-attr]
    assert "How has the borough used Clare's Law disclosures?" in b5
    assert not any("Public Protection Desks" in q for q in b5)


def _template_text() -> str:
    from importlib import resources

    return (
        resources.files("dsvb.oversight")
        .joinpath("brief_templates", "2010.md")
        .read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("# T\n\n## Policy compliance\n", 3, 'starts with its key and a colon, e.g. "## B2'),
        ("# T\n## A: a\n\n## A: again\n", 4, "section A again (first on line 2)"),
        ("### Sub\n", 1, "subsection (### …) before any section"),
        ("# T\n<!-- never closed\n## A: a\n", 2, "never closed"),
        ("# T\n## A: a\n#### deep\n", 3, "only #, ## and ### headings"),
        ("## A: a\n# Late title\n", 2, "only one title"),
    ],
)
def test_template_mistakes_name_the_line(text, line, message) -> None:
    with pytest.raises(TemplateError) as error:
        BriefTemplate.parse(text, name="brief template for 2011")
    assert error.value.line == line
    assert message in str(error.value)
    assert str(error.value).startswith(f"brief template for 2011, line {line}: ")


def test_a_template_lacking_sections_names_them() -> None:
    text = "# T\n## A: a\n## B1: data\n## B2: x\n## B3: x\n## B4: x\n"
    with pytest.raises(TemplateError, match="lacks section\\(s\\) B5, EQUALITY"):
        BriefTemplate.parse(text)


def test_template_blocks_are_read_as_written() -> None:
    template = BriefTemplate.parse(
        "<!-- a comment -->\n# Brief\nOpening\nwords.\n\n"
        "## A: Admin\n> A note\n> on two lines.\n\n1. first\n2. second\n  continued\n"
        "## B1: Data\n### Sub\n- one\n- two\n"
        "## B2: x\n## B3: x\n## B4: x\n## B5: x\n## EQUALITY: Equality and diversity\nText.\n"
    )
    assert template.title == "Brief"
    assert template.preamble[0].text == "Opening words."  # type: ignore[union-attr]
    a = template.section("A")
    assert a.blocks[0].text == "A note on two lines." and a.blocks[0].emphasis  # type: ignore[union-attr]
    assert a.blocks[1].items == ("first", "second continued")  # type: ignore[union-attr]
    assert a.blocks[1].numbered  # type: ignore[union-attr]
    assert template.section("B1").subsections[0].blocks[0].items == ("one", "two")  # type: ignore[union-attr]
    assert template.section("EQUALITY").title == "Equality and diversity"
    assert template.section("B2").title == "B2: x"


def test_the_equality_section_says_what_the_figures_show(figures, area, internal) -> None:
    from dsvb.equality import sentences

    _, equality = figures
    doc, _pdf, _data = internal
    said = [b.text for b in doc.section("EQUALITY").blocks]  # type: ignore[union-attr]
    assert "Reports must include a section on equality and diversity." in said
    for sentence in sentences.summary(equality, area[0]):
        assert sentence in said
