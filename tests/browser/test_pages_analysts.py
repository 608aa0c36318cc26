"""The performance pages as analysts expect them (issue 14, item 4; Fingertips and the
GOV.UK Design System as references): the spine chart on a borough scorecard, the map shaded
by significance against London, the funnel plot's named points and whole legend, small-number
markers, no column of "no data", and layouts that keep key columns in view at 1280 px and
reflow at 320 px. Each page is checked with axe and kept as a screenshot.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from tests.browser.conftest import LAMBETH

QUARTER = "3m-2010-11"  # has a previous quarter in the demo store
SCORECARD = f"/performance/scorecard/{LAMBETH}/"
JUDGEMENTS = {
    "Significantly better than London",
    "Similar to London",
    "Significantly worse than London",
    "Significantly higher than London",
    "Significantly lower than London",
    "Not compared with London",
}


def _shot(screenshot, element, step: str) -> None:
    """The whole page, and the element alone beside it (``…--<step>-element.png``)."""
    whole = screenshot(step)
    element.screenshot(path=whole.with_name(f"{whole.stem}-element.png"))


def test_the_scorecard_has_a_spine_chart_that_says_what_the_table_says(
    page: Page, sign_in, demo_store, assert_accessible, screenshot
) -> None:
    sign_in(Role.BOARD_MEMBER)
    page.goto(f"{SCORECARD}?period={QUARTER}")
    expect(page.get_by_role("heading", level=2, name="Compared with London")).to_be_visible()
    chart = page.locator("#spine-chart")
    rows = chart.locator("li.dsvb-spine__row")
    table_rows = page.locator("#scorecard-table tbody tr")
    expect(rows).to_have_count(table_rows.count())
    header = page.locator("#scorecard-table thead th").all_inner_texts()
    column = header.index("Compared with London") - 1  # the indicator is a th
    for row in rows.all():
        indicator = row.get_attribute("data-indicator")
        svg = row.locator("svg.dsvb-spine__svg")
        name = svg.locator("title").text_content()
        words = name.rsplit(": ", 1)[1]
        assert words in JUDGEMENTS, name
        # the words beside the chart, and in the table, are the chart's
        expect(row.locator(".dsvb-spine__words")).to_contain_text(words)
        cell = page.locator(f"#scorecard-table tbody tr[data-indicator='{indicator}'] td")
        expect(cell.nth(column)).to_have_text(words)
        # the marker's shape carries the comparison, not colour alone
        shape = svg.get_attribute("data-shape")
        significance = svg.get_attribute("data-significance")
        assert (
            shape
            == {
                "higher": "triangle-up",
                "lower": "triangle-down",
                "similar": "circle",
                "not compared": "diamond",
            }[significance]
        )
    # a proportion judged against London; counts are never compared
    sd = chart.locator("li[data-indicator='sd_rate']")
    expect(sd).not_to_have_attribute("data-judgement", "not compared")
    incidents = chart.locator("li[data-indicator='incidents']")
    expect(incidents).to_have_attribute("data-judgement", "not compared")
    expect(page.locator("#spine-note")).to_contain_text("95% funnel-plot limits")
    assert_accessible()
    _shot(screenshot, chart, "spine-chart")


def test_the_map_can_be_shaded_by_significance_against_london(
    page: Page, sign_in, demo_store, assert_accessible, screenshot
) -> None:
    sign_in(Role.FORCE_ANALYST)
    modes = page.get_by_role("navigation", name="Shade the map")
    expect(modes.get_by_text("by value")).to_have_attribute("aria-current", "true")
    modes.get_by_role("link", name="compared with London").click()
    expect(page).to_have_url(re.compile(r"map=significance"))
    figure = page.locator("figure.dsvb-chart--map svg")
    expect(figure.locator("title")).to_have_text(re.compile("compared with London"))
    expect(figure.locator("desc")).to_contain_text("compares with London")
    # the whole legend, each with its symbol as well as its colour
    legend = page.locator("#map-legend li")
    expect(legend).to_have_count(4)
    texts = legend.all_inner_texts()
    for symbol, words in (("▲", "Significantly"), ("●", "Similar"), ("◇", "Not compared")):
        assert any(t.startswith(symbol) and words in t for t in texts), texts
    tallied = sum(int(re.search(r"\((\d+)\)$", t).group(1)) for t in texts)
    assert tallied == int(page.locator("figure.dsvb-chart--map").get_attribute("data-tiles"))
    assert_accessible()
    _shot(screenshot, page.locator("#map + nav + .govuk-grid-row"), "map-significance")
    # and back to the value shading, without JavaScript's help: a plain link
    page.get_by_role("navigation", name="Shade the map").get_by_role(
        "link", name="by value"
    ).click()
    expect(page.locator("figure.dsvb-chart--map svg title")).not_to_have_text(
        re.compile("compared with London")
    )


def test_funnel_points_name_themselves_on_hover_and_focus(
    page: Page, sign_in, demo_store, assert_accessible, screenshot
) -> None:
    sign_in(Role.BOARD_MEMBER)
    funnel = page.locator("figure.dsvb-chart--funnel svg")
    expect(funnel).to_be_visible()
    points = funnel.locator("path.dsvb-point")
    expect(points).to_have_count(32)
    names = [p.get_attribute("aria-label") for p in points.all()]
    # each point's <title> (shown on hover) is its name: area, value, counts and flag
    for point, name in zip(points.all(), names, strict=True):
        expect(point.locator("title")).to_have_text(name)
        assert re.match(r"^[A-Z][A-Za-z ,&'-]+: \d+\.\d% \([\d,]+ of [\d,]+\), ", name), name
    # the table beside it names every area too
    page.get_by_text("Funnel plot figures as a table").click()
    table_names = set(page.locator("#funnel-table tbody th").all_inner_texts())
    assert {n.split(":")[0] for n in names} == table_names
    # keyboard: a point takes focus and its name is written beside the chart
    points.first.focus()
    expect(points.first).to_be_focused()
    expect(page.locator("#funnel-point")).to_have_text(names[0])
    page.keyboard.press("Tab")
    expect(points.nth(1)).to_be_focused()
    expect(page.locator("#funnel-point")).to_have_text(names[1])
    # pointer
    points.nth(5).hover()
    expect(page.locator("#funnel-point")).to_have_text(names[5])
    # the legend names every mark: both limits, London's value, each flag
    legend = funnel.locator("text").all_text_contents()
    assert any(t.startswith("London value") for t in legend), legend
    for entry in ("95% limits", "99.8% limits", "Too few to judge", "Above the 99.8% limit"):
        assert any(entry in t for t in legend), (entry, legend)
    assert_accessible()
    _shot(screenshot, page.locator("#funnel + .govuk-grid-row"), "funnel-pointed-at")


def test_no_column_of_no_data_and_small_numbers_are_marked(
    page: Page, sign_in, demo_store, assert_accessible
) -> None:
    sign_in(Role.FORCE_ANALYST)
    # the latest 12 months: the store holds no previous 12 months
    main = page.get_by_role("main")
    expect(main.locator("#no-change")).to_contain_text("the store holds no data for the")
    expect(main.get_by_role("columnheader", name=re.compile("^Change"))).to_have_count(0)
    expect(main.get_by_text("no data", exact=True)).to_have_count(0)
    # a small family in a quarter: figures on few records carry the marker and its note
    page.goto(f"/performance/?family=other_sexual&period={QUARTER}&indicator=sd_rate")
    expect(main.get_by_role("columnheader", name=re.compile("^Change"))).not_to_have_count(0)
    marked = page.locator("#areas-table .dsvb-small-number")
    assert marked.count() > 0
    expect(marked.first).to_contain_text("[u]")
    expect(marked.first.locator(".govuk-visually-hidden")).to_have_text(
        re.compile("low reliability")
    )
    expect(page.locator("#small-numbers")).to_contain_text("fewer than 10 records")
    assert_accessible()


def _page_overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _right_edge(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["x"] + box["width"]


@pytest.mark.parametrize(
    "path",
    ["/performance/?indicator=sd_rate", f"{SCORECARD}?period={QUARTER}"],
    ids=["overview", "scorecard"],
)
def test_key_columns_in_view_at_1280_and_reflow_at_320(
    page: Page, sign_in, demo_store, assert_accessible, screenshot, path
) -> None:
    sign_in(Role.FORCE_ANALYST)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path)
    assert _page_overflow(page) <= 0
    width = 1280
    if "scorecard" in path:
        key = ["Indicator", "Value", "London", "Compared with London"]
        table = "#scorecard-table"
    else:
        key = ["Area", "Value", "Against the force rate"]
        table = "#areas-table"
    headers = page.locator(f"{table} thead th")
    texts = [" ".join(t.split()) for t in headers.all_inner_texts()]
    for name in key:
        index = next(i for i, t in enumerate(texts) if t.startswith(name))
        cell = headers.nth(index)
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (
            name,
            box,
        )
    screenshot("1280")

    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(path)
    assert _page_overflow(page) <= 0, "the page scrolls sideways at 320 px"
    # wide tables scroll inside their own focusable region, their row names kept in view
    wrapper = page.locator(f"{table}").locator("xpath=..")
    expect(wrapper).to_have_attribute("tabindex", "0")
    assert _right_edge(page, "main") <= 320
    assert_accessible()
    screenshot("320")
