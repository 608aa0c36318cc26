"""The borough scorecard: figures, intervals, ranks, trends, notes; who may see which."""

from __future__ import annotations

import re

from dsvb import reference
from dsvb.indicators import assessment, statistics
from dsvb.indicators.engine import IndicatorQuery
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.performance import data, formatting
from tests.web.performance.conftest import KINGSTON, LAMBETH, SOUTHWARK
from tests.web.performance.html import body_rows, text_of

BOROUGHS = {a.code: a.name for a in reference.areas() if a.kind == "borough"}


def by_area(family: str, period, indicator: str) -> dict:
    rows = data.results(
        IndicatorQuery((family,), period.start, period.end, indicators=(indicator,))
    )
    return {r.area_code: r for r in rows}


def scorecard_rows(page: str) -> dict[str, dict]:
    return {r["data"]["indicator"]: r for r in body_rows(page, "scorecard-table")}


def test_a_borough_user_sees_their_own_borough(lambeth_user, latest):
    response = lambeth_user.get(f"/performance/scorecard/{LAMBETH}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Lambeth scorecard</h1>' in page
    rows = scorecard_rows(page)
    sd = by_area("dv", latest.period, "sd_rate")
    lambeth, force = sd[LAMBETH], sd["ALL"]
    cells = rows["sd_rate"]["cells"]
    assert cells[1] == formatting.percent(lambeth.value)
    assert cells[2] == f"{lambeth.numerator:,} of {lambeth.denominator:,}"
    low, high = statistics.wilson_interval(lambeth.numerator, lambeth.denominator)
    assert cells[3] == f"{formatting.percent(low)} to {formatting.percent(high)}"
    assert cells[4] == formatting.percent(force.value)
    assert cells[5] in {
        "Significantly better than London",
        "Similar to London",
        "Significantly worse than London",
    }
    assert cells[6].startswith("46.0%") and ("Met" in cells[6] or "Not met" in cells[6])
    values = [sd[code].value for code in BOROUGHS]
    rank = statistics.rank(values, higher_is_better=True)[list(BOROUGHS).index(LAMBETH)]
    assert cells[7].startswith(f"{formatting.ordinal(rank)} of 32")
    assert "higher is better" in cells[7]
    # borough users have no area chooser and no link to the overview
    assert 'name="area"' not in page and "Pan-force overview" not in page


def test_the_trend_sparkline_has_a_text_alternative(lambeth_user, latest):
    page = lambeth_user.get(f"/performance/scorecard/{LAMBETH}/").content.decode()
    row = scorecard_rows(page)["sd_rate"]
    assert re.search(r"(rising|falling), \d+\.\d% to \d+\.\d%$|level, \d+\.\d%$", row["cells"][8])
    spark = re.search(r'<svg class="dsvb-sparkline"[^>]*aria-label="([^"]+)"', page)
    assert spark is not None
    label = spark.group(1)
    assert label.startswith("Incidents by month: ")
    sd_label = re.findall(r'aria-label="(Sanction detection rate by month: [^"]+)"', page)[0]
    monthly = data.results(
        IndicatorQuery(
            ("dv",),
            latest.period.start,
            latest.period.end,
            by=("area", "month"),
            indicators=("sd_rate",),
        )
    )
    lambeth = sorted((r for r in monthly if r.area_code == LAMBETH), key=lambda r: r.cut("month"))
    first, last = lambeth[0].value, lambeth[-1].value
    word = "rising" if last > first else "falling"
    assert (
        f"{word} from {formatting.percent(first)} in Dec 2009 to "
        f"{formatting.percent(last)} in Nov 2010" in sd_label.replace("&#x27;", "'")
    )
    # and the figures behind it as a table
    months = {r["cells"][0]: r for r in body_rows(page, "monthly-table")}
    sd_row = months["Sanction detection rate"]
    assert len(sd_row["cells"]) == 13
    assert sd_row["cells"][1].startswith(formatting.percent(first))


def test_another_borough_is_refused_and_audited(lambeth_user, latest):
    before = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count()
    response = lambeth_user.get(f"/performance/scorecard/{SOUTHWARK}/")
    assert response.status_code == 403
    events = AuditEvent.objects.filter(action=Action.ACCESS_DENIED)
    assert events.count() == before + 1
    event = events.first()
    assert event.actor_username == lambeth_user.user.username
    assert event.object_id == f"/performance/scorecard/{SOUTHWARK}/"


def test_the_scorecard_without_a_code(lambeth_user, analyst, latest):
    response = lambeth_user.get("/performance/scorecard/", {"family": "sexual"})
    assert response.status_code == 302
    assert response["Location"] == f"/performance/scorecard/{LAMBETH}/?family=sexual"
    chooser = analyst.get("/performance/scorecard/")
    assert chooser.status_code == 200
    page = chooser.content.decode()
    links = re.findall(r'href="/performance/scorecard/(E09\d{6})/\?', page)
    assert sorted(links) == sorted(BOROUGHS)
    chosen = analyst.get("/performance/scorecard/", {"area": SOUTHWARK, "period": "3m-2010-11"})
    assert chosen["Location"] == f"/performance/scorecard/{SOUTHWARK}/?period=3m-2010-11"
    assert analyst.get("/performance/scorecard/E09000001/").status_code == 404
    assert analyst.get("/performance/scorecard/ALL/").status_code == 404


def test_all_areas_users_can_open_any_borough_and_switch(analyst, latest):
    page = analyst.get(f"/performance/scorecard/{SOUTHWARK}/").content.decode()
    assert '<option value="E09000028" selected>' in page
    assert "Pan-force overview" in page
    dv = scorecard_rows(page)["sd_rate"]["cells"][1]
    other = analyst.get(
        f"/performance/scorecard/{SOUTHWARK}/", {"family": "other_sexual", "period": "3m-2010-11"}
    ).content.decode()
    expected = by_area("other_sexual", data.choose_period("3m-2010-11").period, "sd_rate")
    assert scorecard_rows(other)["sd_rate"]["cells"][1].startswith(
        formatting.value(expected[SOUTHWARK].value, "proportion")
    )
    assert dv != scorecard_rows(other)["sd_rate"]["cells"][1] or expected[SOUTHWARK].value is None
    # quarters after the first compare with the quarter before
    assert "no data" not in scorecard_rows(other)["sd_rate"]["cells"][8]


def test_notes_from_the_published_returns(analyst, latest):
    page = analyst.get(f"/performance/scorecard/{KINGSTON}/").content.decode()
    section = page[page.index('id="returns"') :]
    # the borough table's row for Kingston was normalised; the 2006/07 return was interpreted
    assert "'Kingston Upon Thames' read as Kingston upon Thames (E09000021)" in section.replace(
        "&#x27;", "'"
    )
    assert "Kingston upon Thames return, 2006/07" in section
    assert "read as caution_share" in section
    # reconciliation notes about the whole return (totals not equal to the sum of rows)
    assert "printed 49,883 but the 32 borough rows sum to 49,868" in section
    lambeth = analyst.get(f"/performance/scorecard/{LAMBETH}/").content.decode()
    assert "No notes about Lambeth's rows." in lambeth


def test_roles_without_performance_data_are_refused(client_for, store, db):
    for role in ("partner_agency", "auditor"):
        client = client_for(role)
        assert client.get("/performance/scorecard/").status_code == 403
        assert client.get(f"/performance/scorecard/{LAMBETH}/").status_code == 403


def test_the_scorecard_page_is_accessible_markup(lambeth_user, latest):
    page = lambeth_user.get(f"/performance/scorecard/{LAMBETH}/").content.decode()
    assert " style=" not in page and "<script>" not in page
    assert page.count("<table") == page.count("<caption")
    drawn = [i for i in scorecard_rows(page) if not assessment.indicator_info(i).is_person_based]
    assert page.count('<svg class="dsvb-sparkline"') == len(drawn)  # none for person-based ones
    assert text_of(page, "indicators") == "Indicators"
