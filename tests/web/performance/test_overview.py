"""The pan-force overview: figures, ranks, sorting, funnel plot, tile map, trend, switching."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest

from dsvb import reference
from dsvb.indicators import statistics
from dsvb.indicators.comparison import Flag
from dsvb.indicators.engine import IndicatorQuery
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.performance import data, figures, formatting, tiles
from tests.support.exact import hypergeometric_upper, unflagged_counts
from tests.web.performance.html import body_rows, read_csv, table, text_of

BOROUGHS = {a.code: a.name for a in reference.areas() if a.kind == "borough"}


def results_for(family: str, period, indicator: str) -> dict[str, object]:
    """The indicator by area, straight from the data service (a query of its own)."""
    rows = data.results(
        IndicatorQuery((family,), period.start, period.end, indicators=(indicator,))
    )
    return {r.area_code: r for r in rows}


def overview(client, **params):
    response = client.get("/performance/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_force_sd_rate_is_numerator_over_denominator(analyst, latest):
    page = overview(analyst, family="dv", period=latest.key, indicator="sd_rate")
    force = results_for("dv", latest.period, "sd_rate")["ALL"]
    assert force.denominator > 0
    written = formatting.percent(force.numerator / force.denominator)
    assert text_of(page, "force-value") == (
        f"{written} ({force.numerator:,} of {force.denominator:,})"
    )
    summary = {r["data"]["indicator"]: r for r in body_rows(page, "summary-table")}
    row = summary["sd_rate"]
    assert row["cells"][1].startswith(written)
    assert row["cells"][2:4] == [f"{force.numerator:,}", f"{force.denominator:,}"]
    assert float(row["data"]["value"]) == force.numerator / force.denominator
    # the MPS DV sanction-detection target (46%) is shown and judged
    assert row["cells"][4].startswith("46.0%")


def test_every_indicator_of_the_family_is_summarised(analyst, latest):
    page = overview(analyst, family="dv", period=latest.key)
    from dsvb.indicators.definitions import INDICATORS

    expected = [i.id for i in INDICATORS.values() if i.applies_to("dv")]
    assert [r["data"]["indicator"] for r in body_rows(page, "summary-table")] == expected
    sexual = overview(analyst, family="serious_sexual", period=latest.key)
    ids = [r["data"]["indicator"] for r in body_rows(sexual, "summary-table")]
    assert "havens_referral_rate" in ids and "risk_form_completion" not in ids


def area_rows(page: str) -> list[dict]:
    return body_rows(page, "areas-table")


@pytest.mark.parametrize(
    ("indicator", "higher_is_better"), [("sd_rate", True), ("caution_share", False)]
)
def test_areas_are_ranked_in_the_right_direction(analyst, latest, indicator, higher_is_better):
    page = overview(analyst, family="dv", period=latest.key, indicator=indicator)
    rows = area_rows(page)
    assert len(rows) == 32
    by_area = results_for("dv", latest.period, indicator)
    ranks = [int(r["data"]["rank"]) for r in rows]
    values = [float(r["data"]["value"]) for r in rows]
    assert ranks == sorted(ranks)  # the default order is by rank
    assert values == sorted(values, reverse=higher_is_better)
    assert ranks[0] == 1
    for row in rows:
        result = by_area[row["data"]["area"]]
        assert float(row["data"]["value"]) == result.numerator / result.denominator
        # a rank is one more than the number of areas strictly better
        value = float(row["data"]["value"])
        better = sum((v > value) if higher_is_better else (v < value) for v in values)
        assert int(row["data"]["rank"]) == 1 + better
        assert row["cells"][3:5] == [f"{result.numerator:,}", f"{result.denominator:,}"]
    # the total row is the force
    force = next(r for r in table(page, "areas-table") if r["section"] == "tfoot")
    assert force["cells"][1] == "All areas"
    assert force["cells"][2].startswith(formatting.percent(by_area["ALL"].value))


def test_sorting_by_each_column_is_server_side_with_aria_sort(analyst, latest):
    params = {"family": "dv", "period": latest.key, "indicator": "sd_rate"}
    by_name = overview(analyst, **params, sort="name", dir="asc")
    names = [r["cells"][1] for r in area_rows(by_name)]
    assert names == sorted(BOROUGHS.values())
    assert re.search(r'aria-sort="ascending"><a [^>]*data-sort="name"', by_name)
    assert by_name.count('aria-sort="ascending"') + by_name.count('aria-sort="descending"') == 1

    by_name_desc = overview(analyst, **params, sort="name", dir="desc")
    assert [r["cells"][1] for r in area_rows(by_name_desc)] == names[::-1]

    by_den = overview(analyst, **params, sort="denominator", dir="desc")
    dens = [int(r["cells"][4].replace(",", "")) for r in area_rows(by_den)]
    assert dens == sorted(dens, reverse=True)
    assert re.search(r'aria-sort="descending"><a [^>]*data-sort="denominator"', by_den)

    by_value = overview(analyst, **params, sort="value", dir="asc")
    values = [float(r["data"]["value"]) for r in area_rows(by_value)]
    assert values == sorted(values)
    # the header link offers the other direction; the link keeps the other choices
    link = re.search(r'<a class="[^"]*" href="([^"]*)" data-sort="value"', by_value).group(1)
    assert "dir=desc" in link and "indicator=sd_rate" in link and f"period={latest.key}" in link


def test_no_change_column_without_a_previous_period_and_the_page_says_why(analyst, latest):
    page = overview(analyst, family="dv", period=latest.key, indicator="sd_rate")
    # never a column of "no data": the column is left out and the reason given once
    assert "Change on previous period" not in page
    assert ">no data<" not in page
    assert "the store holds no data for the 12 months to November 2009" in page
    # a link asking to sort by the change it does not show sorts by rank, and says so
    by_change = overview(analyst, family="dv", period=latest.key, sort="change", dir="desc")
    assert "Sorted by rank, ascending." in by_change


def test_quarters_compare_with_the_previous_quarter(analyst, store, db):
    choice = data.choose_period("3m-2010-11")
    assert choice.key == "3m-2010-11"
    page = overview(analyst, family="dv", period=choice.key, indicator="sd_rate")
    now = results_for("dv", choice.period, "sd_rate")
    before = results_for("dv", choice.previous, "sd_rate")
    row = next(r for r in area_rows(page) if r["data"]["area"] == "E09000022")
    change = now["E09000022"].value - before["E09000022"].value
    assert row["cells"][5].startswith(formatting.change(change, "proportion"))
    assert f"from {formatting.percent(before['E09000022'].value)}" in row["cells"][5]
    # better or worse only beyond chance: Fisher's exact test, each direction at 2.5%,
    # written out here in exact rationals
    for r in area_rows(page):
        a, b = now[r["data"]["area"]], before[r["data"]["area"]]
        if not (a.denominator and b.denominator) or a.value == b.value:
            continue
        rise = hypergeometric_upper(a.numerator, a.denominator, b.numerator, b.denominator)
        fall = 1 - hypergeometric_upper(
            a.numerator + 1, a.denominator, b.numerator - 1, b.denominator
        )
        expected = (
            "better" if rise <= Fraction(1, 40)
            else "worse" if fall <= Fraction(1, 40)
            else "no significant change"
        )  # fmt: skip
        assert f"({expected})" in r["cells"][5], (r["cells"][5], a, b)


def test_switching_family_and_period_changes_the_figures(analyst, latest):
    dv = text_of(
        overview(analyst, family="dv", period=latest.key, indicator="sd_rate"), "force-value"
    )
    sexual = text_of(
        overview(analyst, family="sexual", period=latest.key, indicator="sd_rate"), "force-value"
    )
    quarter = text_of(
        overview(analyst, family="dv", period="3m-2010-11", indicator="sd_rate"), "force-value"
    )
    assert len({dv, sexual, quarter}) == 3
    expected = results_for("sexual", latest.period, "sd_rate")["ALL"]
    assert sexual.startswith(formatting.percent(expected.value))
    # the form shows what was chosen, and unknown values fall back to the defaults
    page = overview(analyst, family="sexual", period="3m-2010-11", indicator="sd_rate")
    assert '<option value="sexual" selected>' in page
    assert '<option value="3m-2010-11" selected>' in page
    fallback = overview(analyst, family="nonsense", period="never", indicator="nothing")
    assert '<option value="dv" selected>' in fallback
    assert f'<option value="{latest.key}" selected>' in fallback
    assert '<option value="sd_rate" selected>' in fallback


Z998 = 3.090232306167813


def limits_by_hand(target: float, n: int, tau2: float | None) -> tuple[float, ...]:
    """(lower_95, upper_95, lower_998, upper_998) at n: the boundaries of the exact tests
    (a binomial written out without scipy), widened when ``tau2`` is given to the outer of
    those and θ ± z √(θ(1 − θ)/n + τ²)."""
    out = []
    for tail, z in ((0.025, 1.959963984540054), (0.001, Z998)):
        low, high = unflagged_counts(n, target, tail)
        lower, upper = low / n, high / n
        if tau2 is not None:
            half = z * math.sqrt(target * (1 - target) / n + tau2)
            lower, upper = min(lower, max(0.0, target - half)), max(upper, min(1.0, target + half))
        out += [lower, upper]
    return tuple(out)


def judged_by_hand(value: float, limits: tuple[float, ...]) -> str:
    lo95, hi95, lo998, hi998 = limits
    if value > hi998:
        return "Above the 99.8% limit"
    if value < lo998:
        return "Below the 99.8% limit"
    if value > hi95:
        return "Above the 95% limit"
    if value < lo95:
        return "Below the 95% limit"
    return "Within the 95% limits"


def test_the_funnel_plot_names_the_areas_outside_the_998_limits(analyst, latest):
    page = overview(analyst, family="dv", period=latest.key, indicator="caution_share")
    by_area = results_for("dv", latest.period, "caution_share")
    target = by_area["ALL"].value
    outside, inside = [], []
    for code, name in BOROUGHS.items():
        r = by_area[code]
        _, _, lo998, hi998 = limits_by_hand(target, r.denominator, None)
        (outside if not lo998 <= r.value <= hi998 else inside).append(name)
    assert outside, "the demo data should have areas outside the 99.8% limits"
    codes = [c for c in BOROUGHS if by_area[c].denominator]
    spread = statistics.overdispersion(
        [by_area[c].numerator for c in codes], [by_area[c].denominator for c in codes], target
    )
    # over-dispersed, the areas outside the exact limits (chance alone) are listed apart (the
    # main list is judged by the widened limits, tested below)
    named = text_of(page, "outside-998-plain" if spread.present else "outside-998")
    for name in outside:
        assert name in named
    for name in inside:
        assert name not in named
    # the chart is inline SVG with a title, a description naming the areas it marks, and a table
    svg = re.search(r'<svg[^>]*aria-labelledby="funnel-plot-title funnel-plot-desc"', page)
    assert svg is not None
    description = text_of(page, "funnel-plot-desc")
    marked = text_of(page, "outside-998")
    assert all(name in description for name in BOROUGHS.values() if name in marked)
    assert text_of(page, "funnel-plot-title").startswith("Funnel plot")
    rows = body_rows(page, "funnel-table")
    assert len(rows) == 32
    newham = next(r for r in rows if r["cells"][0] == BOROUGHS["E09000025"])
    tau2 = spread.tau2 if spread.present else None
    _, _, low, high = limits_by_hand(target, by_area["E09000025"].denominator, tau2)
    assert newham["cells"][3] == f"{formatting.percent(low)} to {formatting.percent(high)}"


def test_the_funnel_plot_says_whether_areas_are_overdispersed(analyst, latest):
    """The page tests the areas' spread against chance and, when they vary more, judges the
    areas by limits widened by the estimated between-area variance — the limits it draws,
    tabulates and exports — and names those outside the exact limits apart."""
    page = overview(analyst, family="dv", period=latest.key, indicator="caution_share")
    by_area = results_for("dv", latest.period, "caution_share")
    target = by_area["ALL"].value
    codes = [c for c in BOROUGHS if by_area[c].denominator]
    test = statistics.overdispersion(
        [by_area[c].numerator for c in codes], [by_area[c].denominator for c in codes], target
    )
    assert test is not None
    sentence = text_of(page, "dispersion")
    assert f"{len(codes)} areas" in sentence
    if not test.present:
        assert "no more than chance" in sentence and 'id="outside-998-plain"' not in page
        return
    assert "more than chance alone" in sentence
    judged, expected, binomial = {}, [], []
    for code in codes:
        r = by_area[code]
        judged[code] = limits_by_hand(target, r.denominator, test.tau2)
        if not judged[code][2] <= r.value <= judged[code][3]:
            expected.append(BOROUGHS[code])
        _, _, lo, hi = limits_by_hand(target, r.denominator, None)
        if not lo <= r.value <= hi:
            binomial.append(code)
    # over-dispersed: areas are judged by the widened limits, in the list, the table and the
    # summary; those outside only the exact limits (chance alone) are named apart
    named = text_of(page, "outside-998")
    for code in codes:
        assert (BOROUGHS[code] in named) == (BOROUGHS[code] in expected)
    plain = text_of(page, "outside-998-plain")
    for code in codes:
        assert (BOROUGHS[code] in plain) == (code in binomial)
    assert len(expected) <= len(binomial)  # fewer, once real differences are allowed for
    outside = [r["cells"][-1] for r in area_rows(page)]
    assert sum(c.startswith(("Above", "Below")) and "99.8" in c for c in outside) == len(expected)
    # the table shows the limits each area was judged by and its flag by them; the export
    # carries the same limits and words, and says which limits they are
    rows = {r["cells"][0]: r for r in body_rows(page, "funnel-table")}
    exported = read_csv(
        analyst.get(
            "/performance/export/funnel.csv",
            {"family": "dv", "period": latest.key, "indicator": "caution_share"},
        )
    )
    assert len(exported) == 32
    for row in exported:
        code = row["area_code"]
        cells = rows[row["area_name"]]["cells"]
        lo95, hi95, lo998, hi998 = (float(row[k]) for k in statistics_fields)
        assert (lo95, hi95, lo998, hi998) == pytest.approx(judged[code], abs=1e-12)
        assert cells[3] == f"{formatting.percent(lo998)} to {formatting.percent(hi998)}"
        assert cells[4] == f"{formatting.percent(lo95)} to {formatting.percent(hi95)}"
        value = by_area[code].value
        assert cells[5] == row["flag_label"] == judged_by_hand(value, judged[code])
        assert row["limits"] == "widened"
        assert cells[6] == (
            f"{formatting.percent(float(row['exact_lower_998']))} to "
            f"{formatting.percent(float(row['exact_upper_998']))}"
        )
        assert cells[7] == row["exact_flag_label"]


statistics_fields = ("lower_95", "upper_95", "lower_998", "upper_998")


def test_the_flag_each_area_shows_is_the_limit_drawn_at_its_denominator(analyst, latest):
    """The chart's lines pass through each area's own denominator at the limits its flag was
    judged by, so a marker beyond a line is exactly a flagged area (and a small quarter's
    limits are drawn as steps)."""
    for period in (latest.key, "3m-2010-11"):
        choice = data.choose_period(period)
        sel = figures.select("dv", choice.key)
        for indicator in ("caution_share", "sd_rate", "risk_form_completion"):
            detail = figures.assessment(sel).indicator(indicator)
            curve = {point.n: point for point in detail.funnel.curve}
            for a in detail.areas:
                if not a.denominator:
                    assert a.flag == "too_few"
                    continue
                drawn = curve[a.denominator]
                limits = tuple(getattr(drawn, k) for k in statistics_fields)
                assert limits == tuple(getattr(a, k) for k in statistics_fields)
                if a.flag != "too_few":
                    assert Flag(a.flag).label == judged_by_hand(a.value, limits)
            if period != latest.key:
                assert detail.funnel.steps is True


def test_counts_have_no_funnel_plot(analyst, latest):
    page = overview(analyst, family="dv", period=latest.key, indicator="incidents")
    assert 'id="funnel-plot-title"' not in page
    assert 'id="tile-map-title"' in page and 'id="trend-chart-title"' in page
    response = analyst.get(
        "/performance/export/funnel.csv",
        {"family": "dv", "period": latest.key, "indicator": "incidents"},
    )
    assert response.status_code == 404


def test_the_tile_map_has_a_tile_per_borough_with_its_value(analyst, latest):
    page = overview(analyst, family="dv", period=latest.key, indicator="sd_rate")
    assert re.search(r'data-tiles="32"', page)
    svg = page[
        page.index('id="tile-map-title"') - 400 : page.index(
            "</svg>", page.index('id="tile-map-title"')
        )
    ]
    by_area = results_for("dv", latest.period, "sd_rate")
    grid = tiles.grid()
    assert len(grid) == 32 and {t.area_code for t in grid} == set(BOROUGHS)
    assert len({(t.row, t.col) for t in grid}) == 32
    for tile in grid:
        assert f">{tile.abbreviation}</text>" in svg
        assert f">{formatting.percent(by_area[tile.area_code].value)}</text>" in svg
    assert svg.count("</text>") >= 64
    # a legend, in the chart and as text beside it
    assert "dsvb-swatch--" in page
    assert 'role="img"' in svg


def test_the_trend_is_the_force_by_month_with_a_table(analyst, latest):
    page = overview(analyst, family="dv", period=latest.key, indicator="sd_rate")
    rows = body_rows(page, "trend-table")
    assert len(rows) == 12
    assert rows[0]["cells"][0] == "Dec 2009" and rows[-1]["cells"][0] == "Nov 2010"
    monthly = data.results(
        IndicatorQuery(
            ("dv",), latest.period.start, latest.period.end, by=("month",), indicators=("sd_rate",)
        )
    )
    by_month = {
        r.cut("month"): r for r in monthly if r.area_code == "ALL" and r.cut("month") != "ALL"
    }
    assert len(by_month) == 12
    total_numerator = 0
    for row, month in zip(rows, sorted(by_month), strict=True):
        r = by_month[month]
        assert row["cells"][1:3] == [f"{r.numerator:,}", f"{r.denominator:,}"]
        assert row["cells"][3].startswith(formatting.percent(r.value))
        total_numerator += r.numerator
    assert total_numerator == results_for("dv", latest.period, "sd_rate")["ALL"].numerator
    assert text_of(page, "trend-chart-desc").startswith(
        "Sanction detection rate for the whole force"
    )


def test_only_all_areas_roles_see_the_overview(client_for, store, db):
    for role in ("secretariat", "board_member", "force_analyst"):
        assert client_for(role).get("/performance/").status_code == 200
    for role in ("borough_user", "partner_agency", "auditor"):
        before = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count()
        assert client_for(role).get("/performance/").status_code == 403
        assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() == before + 1
    response = client_for(None).get("/performance/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


def test_the_page_meets_the_content_security_policy(analyst, latest):
    page = overview(analyst, family="dv", period=latest.key, indicator="sd_rate")
    assert " style=" not in page and "<script>" not in page and " onclick" not in page
    assert page.count("<h1") == 1
    # every table has a caption and every wide one a focusable region
    assert page.count("<table") == page.count("<caption")
    assert 'class="dsvb-table-wrapper" tabindex="0" role="region"' in page


def test_an_empty_store_says_there_is_no_data(client_for, settings, tmp_path, db):
    settings.DSVB_STORE = tmp_path / "missing.duckdb"
    data.forget_state()
    try:
        analyst = client_for("force_analyst")
        response = analyst.get("/performance/")
        assert response.status_code == 200
        assert b"There are no figures yet" in response.content
        assert b"There are no figures yet" in analyst.get("/performance/scorecard/").content
    finally:
        data.forget_state()


def test_no_funnel_plot_when_numerators_exceed_denominators(client_for, settings, tmp_path):
    """Crimes recorded without an incident make 'crime conversion' exceed 100%: the page says
    why there is no funnel plot instead of failing (it used to raise a 500)."""
    from django.core.cache import cache

    from dsvb import store
    from dsvb.ingest.extract import import_extract
    from tests.support.builder import ExtractBuilder

    b = ExtractBuilder()
    for _ in range(3):
        b.crime(recorded_at="2010-03-01T10:00:00")  # offences with no incident
    b.crime(recorded_at="2010-03-01T10:00:00", with_incident=True)
    path = tmp_path / "store.duckdb"
    con = store.connect(path)
    import_extract(con, b.write(tmp_path / "extract"))
    con.close()
    settings.DSVB_STORE = path
    cache.clear()
    client = client_for("board_member")
    response = client.get("/performance/", {"family": "dv", "indicator": "crime_conversion"})
    assert response.status_code == 200
    assert b"No funnel plot for this indicator and period" in response.content
    scorecard = client.get("/performance/scorecard/E09000022/", {"family": "dv"})
    assert scorecard.status_code == 200
    cache.clear()


def test_a_store_rebuilt_to_the_same_import_number_is_not_served_from_the_old_pages(
    client_for, settings, tmp_path
):
    """Cache keys carry the latest import's content hash as well as its number: a store
    deleted and rebuilt (import 1 again, other records) shows its own figures at once."""
    from django.core.cache import cache

    from dsvb import store
    from dsvb.ingest.extract import import_extract
    from tests.support.builder import ExtractBuilder

    def build(crimes: int, name: str) -> None:
        b = ExtractBuilder()
        for _ in range(crimes):
            b.crime(recorded_at="2010-03-01T10:00:00", with_incident=True)
        path = tmp_path / "store.duckdb"
        path.unlink(missing_ok=True)
        con = store.connect(path)
        report = import_extract(con, b.write(tmp_path / name))
        con.close()
        assert report.import_id == 1
        data.forget_state()

    settings.DSVB_STORE = tmp_path / "store.duckdb"
    cache.clear()
    client = client_for("board_member")
    try:
        build(3, "first")
        first = client.get("/performance/", {"family": "dv", "indicator": "offences"})
        assert text_of(first.content.decode(), "force-value").startswith("3")
        build(5, "second")
        second = client.get("/performance/", {"family": "dv", "indicator": "offences"})
        assert text_of(second.content.decode(), "force-value").startswith("5")
    finally:
        data.forget_state()
        cache.clear()


@pytest.mark.parametrize("indicator", ["crime_conversion", "no_crime_rate", "cri_rate"])
def test_rates_of_other_records_get_no_interval_or_funnel(analyst, latest, indicator):
    """Offences, no-crimes and CRIs are crime records; their denominator is incidents: the
    rate is not a proportion of its denominator, so no binomial interval or limits."""
    page = overview(analyst, family="dv", period=latest.key, indicator=indicator)
    assert 'id="funnel-plot-title"' not in page
    assert "is counted from other records than the denominator (incidents)" in page
    assert "95% interval" not in page
    sd = overview(analyst, family="dv", period=latest.key, indicator="sd_rate")
    assert 'id="funnel-plot-title"' in sd and "95% interval" in sd
