"""The equality page (issue 15): London and a borough, the sentences, the tables and dot
plots, recording quality, who may see which area, and the exports.

The figures are checked against the analysis itself (:mod:`dsvb.equality.analysis`, tested on
its own in tests/unit): the page must show what the analysis says, row by row. The analysis
is run once per test process on the session's demo store (it is kept per store version).
"""

from __future__ import annotations

import html
import io
import re

import openpyxl
import pytest
from django.core.cache import cache

from dsvb.equality import analysis as eq
from dsvb.equality import sentences
from dsvb.equality.recording import RECORDING_COLUMNS
from dsvb.equality.strands import MEASURES
from dsvb.indicators.formatting import count, percent, ratio
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.performance import equality as cached
from dsvb.web.performance import exports, figures
from tests.web.conftest import LAMBETH, SOUTHWARK
from tests.web.performance.html import body_rows, read_csv, table, text_of


@pytest.fixture
def analyst(client_for, demo_store):
    return client_for(Role.FORCE_ANALYST)


@pytest.fixture
def lambeth_user(client_for, demo_store):
    return client_for(Role.BOROUGH_USER, area_code=LAMBETH)


@pytest.fixture
def analysis(demo_store, db) -> eq.EqualityAnalysis:
    return cached.analysis(figures.select(None, None))


def _text(page: bytes) -> str:
    return html.unescape(page.decode())


def _row(analysis: eq.EqualityAnalysis, area: str, measure: str, strand: str, group: str):
    return next(
        r
        for r in analysis.for_area(area)
        if (r.measure, r.strand, r.group) == (measure, strand, group)
    )


def _cells(page: bytes, table_id: str) -> dict[str, list[str]]:
    return {r["data"]["group"]: r["cells"] for r in body_rows(page, table_id)}


def test_the_london_page_says_what_the_analysis_found(analyst, analysis) -> None:
    response = analyst.get("/performance/equality/")
    assert response.status_code == 200
    page = response.content
    sel = figures.select(None, None)
    assert (
        f"Equality and disproportionality: London, {sel.family_label}, {sel.choice.label}"
        in _text(page)
    )
    # the sentences, in order, as the sentences module writes them
    summary = text_of(page, "summary")
    for sentence in sentences.summary(analysis, "ALL"):
        assert " ".join(sentence.split()) in summary
    # the notes: recorded, not victimisation; the population's source; the correction, once
    notes = text_of(page, "notes")
    assert analysis.correction.describe() in notes
    assert analysis.correction.describe() not in summary
    assert eq.RECORDED_NOTE in notes
    for note in analysis.notes:
        assert " ".join(note.split()) in notes
    # one section per measure, each strand a table; a dot plot where there are ratios
    for measure in MEASURES.values():
        assert f'id="{measure.id}"' in page.decode()
        for _role, _strand, cut in measure.cuts():
            if eq.rows_of(analysis.for_area("ALL"), measure=measure.id, strand=cut):
                assert table(page, f"table-{measure.id}-{cut}"), (measure.id, cut)
    svg = re.search(rb'<svg class="dsvb-dotplot"[^>]*>', page)
    assert svg is not None and b'role="img"' in svg.group(0)
    assert b'<title id="dotplot-sd_rate-title">' in page
    # London's page has no London column, and a choice of every borough
    assert "London ratio" not in page.decode()
    assert f'<option value="{LAMBETH}">' in page.decode()


def test_a_table_row_is_the_analysis_row(analyst, analysis) -> None:
    page = analyst.get("/performance/equality/").content
    cells = _cells(page, "table-sd_rate-victim_ethnicity")
    for group, row_cells in cells.items():
        row = _row(analysis, "ALL", "sd_rate", "victim_ethnicity", group)
        assert row_cells[1] == count(row.numerator)
        assert row_cells[2] == count(row.denominator)
        assert row_cells[3].startswith(percent(row.rate))
        if row.is_reference:
            assert "(reference)" in row_cells[4] and row_cells[-1] == "Reference"
        elif row.ratio is not None:
            assert row_cells[4].startswith(ratio(row.ratio))
            assert row_cells[5].startswith(ratio(row.adjusted_lower))
            assert ("Disproportionate" in row_cells[-1]) == bool(row.disproportionate)
        else:
            assert "no ratio" in row_cells[4]
    # population rates: no estimates loaded (a rate of –, and why), or the rate per 1,000
    pop = _cells(page, "table-victims_per_1000-victim_sex")
    female = _row(analysis, "ALL", "victims_per_1000", "victim_sex", "female")
    if female.rate is None:
        assert pop["female"][3].startswith("–") and female.note in pop["female"][3]
    else:
        assert pop["female"][3].startswith(ratio(female.rate))


def test_a_borough_page_has_london_beside_it(lambeth_user, analysis) -> None:
    response = lambeth_user.get(f"/performance/equality/{LAMBETH}/")
    assert response.status_code == 200
    page = response.content
    assert "Equality and disproportionality: Lambeth, " in _text(page)
    summary = text_of(page, "summary")
    for sentence in sentences.summary(analysis, LAMBETH):
        assert " ".join(sentence.split()) in summary
    cells = _cells(page, "table-sd_rate-victim_sex")
    london = _row(analysis, "ALL", "sd_rate", "victim_sex", "female")
    assert cells["female"][6].startswith(ratio(london.ratio))
    # recording quality: Lambeth against London, with the funnel's words
    recording = {r["data"]["strand"]: r for r in body_rows(page, "recording-table")}
    period_rows = [r for r in analysis.recording_for(LAMBETH) if r.month is None]
    assert set(recording) == {r.strand for r in period_rows}
    for r in period_rows:
        cells = recording[r.strand]["cells"]
        assert cells[1].startswith(f"{count(r.not_recorded)} of {count(r.total)}")
        assert cells[2].startswith(percent(r.share))
        assert cells[4] == (r.flag_label or "not compared")
    months = body_rows(page, "recording-months-table")
    assert len(months) == 12
    # a borough user has no area menu and no link to the overview
    assert 'name="area"' not in page.decode() and "Pan-force overview" not in page.decode()


def test_a_borough_user_is_sent_to_their_own_borough(lambeth_user, analyst) -> None:
    response = lambeth_user.get("/performance/equality/", {"family": "sexual"})
    assert response.status_code == 302
    assert response["Location"] == f"/performance/equality/{LAMBETH}/?family=sexual"
    chosen = analyst.get("/performance/equality/", {"area": SOUTHWARK, "period": "3m-2010-11"})
    assert chosen["Location"] == f"/performance/equality/{SOUTHWARK}/?period=3m-2010-11"
    assert analyst.get("/performance/equality/ALL/")["Location"] == "/performance/equality/"
    assert analyst.get("/performance/equality/E09000001/").status_code == 404


def test_another_borough_is_refused_and_audited(lambeth_user) -> None:
    refusals = AuditEvent.objects.filter(action=Action.ACCESS_DENIED)
    before = refusals.count()
    for path in (
        f"/performance/equality/{SOUTHWARK}/",
        f"/performance/equality/{SOUTHWARK}/export/ratios.csv",
        f"/performance/equality/{SOUTHWARK}/export/recording.xlsx",
        "/performance/equality/ALL/export/ratios.csv",
        "/performance/equality/ALL/",
    ):
        assert lambeth_user.get(path).status_code == 403, path
    assert refusals.count() == before + 5
    latest = refusals.order_by("-id").first()
    assert latest.actor_username == lambeth_user.user.username
    assert not AuditEvent.objects.filter(
        action=Action.PAGE_VIEWED, object_id__contains=SOUTHWARK
    ).exists()


def test_a_view_is_audited_with_what_it_showed(lambeth_user) -> None:
    lambeth_user.get(f"/performance/equality/{LAMBETH}/", {"family": "sexual"})
    entry = AuditEvent.objects.filter(action=Action.PAGE_VIEWED).latest("id")
    assert entry.details["area"] == LAMBETH and entry.details["family"] == "sexual"
    assert entry.details["period"] == figures.select("sexual", None).choice.key
    assert "equality" in entry.summary


def test_the_exports_hold_the_analysis_rows(lambeth_user, analysis) -> None:
    response = lambeth_user.get(f"/performance/equality/{LAMBETH}/export/ratios.csv")
    assert response.status_code == 200
    rows = read_csv(response)
    assert list(rows[0]) == list(eq.COLUMNS)
    expected = [*analysis.for_area(LAMBETH), *analysis.for_area("ALL")]
    assert len(rows) == len(expected)
    assert {r["area_code"] for r in rows} == {LAMBETH, "ALL"}
    first = expected[0]
    assert rows[0]["group"] == first.group and int(rows[0]["numerator"]) == first.numerator
    called = [r for r in rows if r["disproportionate"] == "true"]
    assert len(called) == sum(bool(r.disproportionate) for r in expected)
    export = AuditEvent.objects.filter(action=Action.EXPORTED).latest("id")
    assert export.details["table"] == "equality-ratios" and export.details["area"] == LAMBETH

    recording = read_csv(lambeth_user.get(f"/performance/equality/{LAMBETH}/export/recording.csv"))
    assert list(recording[0]) == list(RECORDING_COLUMNS)
    assert len(recording) == len(analysis.recording_for(LAMBETH)) + len(
        analysis.recording_for("ALL")
    )

    book = openpyxl.load_workbook(
        io.BytesIO(lambeth_user.get(f"/performance/equality/{LAMBETH}/export/ratios.xlsx").content)
    )
    assert book.sheetnames == ["Data", "About"]
    assert book["Data"].max_row == len(expected) + 1
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about["Disclosure"] == exports.INTERNAL
    assert about["Comparisons"] == analysis.correction.describe()


def test_rates_per_1000_residents_when_population_estimates_are_held(
    analyst, demo_store, monkeypatch
) -> None:
    """With population estimates (here a small synthetic one), the population rows have rates
    with intervals, ratios, a dot plot and the synthetic warning."""

    class Population:
        year, source, synthetic = 2010, "a test population", True

        def count(self, area_code: str, strand: str, group: str) -> int:
            return {"female": 150_000, "male": 140_000, "white": 200_000}.get(group, 40_000)

    def build(sel):
        with cached.data.read_only() as con:
            return eq.analyse(con, sel.family, sel.period, Population())

    cache.clear()
    cached._recent.clear()
    monkeypatch.setattr(cached, "build", build)
    try:
        page = analyst.get("/performance/equality/").content
        judged = cached.analysis(figures.select(None, None))
    finally:
        cache.clear()
        cached._recent.clear()
    cells = _cells(page, "table-victims_per_1000-victim_sex")
    female = _row(judged, "ALL", "victims_per_1000", "victim_sex", "female")
    assert female.rate is not None
    assert cells["female"][2] == count(150_000)
    assert cells["female"][3].startswith(ratio(female.rate))
    assert cells["female"][3].endswith(f"{ratio(female.rate_lower)} to {ratio(female.rate_upper)}")
    assert cells["female"][4].startswith(ratio(female.ratio))
    assert b'<title id="dotplot-victims_per_1000-title">' in page
    assert "The population estimates are synthetic" in _text(page)


def test_a_busy_store_is_said_so(analyst, monkeypatch) -> None:
    """While an import holds the store the page answers 503 "busy", like every other page
    (and nothing is cached)."""
    from dsvb.web.performance import data

    def busy(sel):
        raise data.StoreBusy("locked by an import")

    cache.clear()
    cached._recent.clear()
    monkeypatch.setattr(cached, "build", busy)
    response = analyst.get(f"/performance/equality/{SOUTHWARK}/", {"family": "sexual"})
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert not cached._recent


def test_the_dot_plot_draws_ratios_on_a_log_scale_with_words_for_the_rest() -> None:
    from dsvb.web.performance import dotplot

    dots = [
        dotplot.Dot("Victim's sex, against male", None, None, None, False, heading=True),
        dotplot.Dot("Female", 2.0, 1.5, 2.7, True),
        dotplot.Dot("Other", 0.5, 0.01, None, False),  # off the scale below, no upper limit
        dotplot.Dot("Not flagged", 0.0, 0.0, 3.0, False),
        dotplot.Dot("Mixed", None, None, None, False),
    ]
    assert dotplot.scale(dots) == (1 / 32, 4)  # 0.01 is beyond 1/32: the scale stops there
    svg = str(dotplot.dot_plot_svg(dots, chart_id="c", title="T <1>", description="D & E"))
    assert svg.startswith('<svg class="dsvb-dotplot"') and 'role="img"' in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">T &lt;1&gt;</title><desc id="c-desc">D &amp; E</desc>' in svg
    assert svg.count("<path d=") == 1 + 2  # one diamond (called), two arrows (Other's ends)
    assert svg.count("<circle") == 1  # Other, not called
    assert "0: none recorded in this group" in svg and ">no ratio<" in svg
    # a ratio of 2 and of 1/2 lie the same distance either side of the line at 1
    xs = [float(v) for v in re.findall(r'<circle cx="([\d.]+)"', svg)]
    diamond = float(re.search(r'<path d="M([\d.]+) ', svg).group(1))
    one = float(re.search(r'<line x1="([\d.]+)"[^>]*stroke-dasharray', svg).group(1))
    assert abs((diamond - one) - (one - xs[0])) < 0.2
