"""The public pages: open without sign-in, print the policy, never show a small count.

Figures come from the demo store (20,000 incidents for a year), where many boroughs have
small counts for the rarer indicators (serious sexual offences above all): the tests check
that the exact figures do hold such counts, and that the rendered HTML never shows one
below force level.
"""

from __future__ import annotations

import pytest
from django.test import Client

from dsvb.indicators.definitions import INDICATORS
from dsvb.indicators.engine import IndicatorQuery
from dsvb.indicators.results import FORCE_CODE
from dsvb.reports.disclosure import Policy
from dsvb.reports.publication import PUBLIC_FAMILIES, headline
from dsvb.web.accounts.roles import Role
from dsvb.web.performance import data
from tests.web.public.scan import below_force_cells, counts_in, table_rows

LAMBETH, KINGSTON = "E09000022", "E09000021"
V1 = "dsvb disclosure control v2"  # the version the migrations put in force


def exact_small_counts(threshold: int = 9) -> dict[str, int]:
    """How many exact headline counts below force level are 1..threshold, per family."""
    choice = data.choose_period("12m-2010-11")
    rows = data.results(IndicatorQuery(PUBLIC_FAMILIES, choice.period.start, choice.period.end))
    small: dict[str, int] = {}
    for r in rows:
        if r.area_code == FORCE_CODE or r.indicator not in headline(r.family):
            continue
        parts = [r.numerator] + ([r.denominator] if INDICATORS[r.indicator].is_rate else [])
        small[r.family] = small.get(r.family, 0) + sum(1 <= p <= threshold for p in parts)
    return small


def test_the_public_home_lists_what_is_published_without_sign_in(store, db) -> None:
    response = Client().get("/published/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "12 months to November 2010" in page
    for family in ("families/dv/", "families/serious_sexual/", "families/sexual/"):
        assert f'href="/published/{family}"' in page
    assert f'href="/published/areas/{LAMBETH}/"' in page
    assert 'href="/published/download.csv"' in page and 'href="/published/download.xlsx"' in page
    assert V1 in page and "policy dsvb-sdc, version 2" in page
    assert "Change the disclosure-control settings" not in page


@pytest.mark.parametrize("family", PUBLIC_FAMILIES)
def test_a_family_page_shows_every_borough_after_disclosure_control(store, db, family) -> None:
    response = Client().get(f"/published/families/{family}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert V1 in page and Policy().rules in page
    rows = [r for r in table_rows(page) if r["attrs"].get("data-area")]
    assert len(rows) == 33  # 32 boroughs and the force
    assert rows[-1]["attrs"]["data-area"] == FORCE_CODE
    headers = [c["text"] for c in table_rows(page)[0]["cells"]]
    assert headers == ["Borough"] + [INDICATORS[i].label for i in headline(family)]
    # no small count below force level, anywhere in the table
    for text in below_force_cells(page):
        assert not [n for n in counts_in(text) if 1 <= n <= 9], text


def test_the_demo_store_does_hold_small_counts_and_the_pages_withhold_them(store, db) -> None:
    small = exact_small_counts()
    assert small["serious_sexual"] > 50 and small["sexual"] > 10
    for family in ("serious_sexual", "sexual"):
        cells = below_force_cells(Client().get(f"/published/families/{family}/").content)
        withheld = [t for t in cells if t.startswith("[c]") or "[c]" in t]
        assert len(withheld) >= small[family] // 2, family


def test_every_borough_page_is_public_and_never_shows_a_small_count(store, db) -> None:
    client = Client()
    home = client.get("/published/").content.decode()
    codes = sorted({part.split("/")[0] for part in home.split('href="/published/areas/')[1:]})
    assert len(codes) == 32
    for code in codes:
        response = client.get(f"/published/areas/{code}/")
        assert response.status_code == 200, code
        page = response.content.decode()
        assert V1 in page
        cells = below_force_cells(page)
        assert len(cells) == sum(len(headline(f)) for f in PUBLIC_FAMILIES)
        for text in cells:
            assert not [n for n in counts_in(text) if 1 <= n <= 9], (code, text)


def test_a_borough_page_agrees_with_the_family_tables(store, db) -> None:
    client = Client()
    borough = below_force_cells(client.get(f"/published/areas/{KINGSTON}/").content)
    family_rows = {
        r["attrs"]["data-area"]: [c["text"] for c in r["cells"] if c["tag"] == "td"]
        for r in table_rows(client.get("/published/families/dv/").content)
        if r["attrs"].get("data-area")
    }
    assert borough[: len(headline("dv"))] == family_rows[KINGSTON]


def test_rates_carry_their_numerator_and_denominator(store, db) -> None:
    page = Client().get("/published/families/dv/").content.decode()
    force = next(r for r in table_rows(page) if r["attrs"].get("data-area") == FORCE_CODE)
    sd_rate = force["cells"][1 + headline("dv").index("sd_rate")]["text"]
    numerator, denominator = counts_in(sd_rate)
    assert sd_rate.startswith(f"{100 * numerator / denominator:.1f}%")
    assert f"{numerator:,} of {denominator:,}" in sd_rate


@pytest.mark.parametrize("role", list(Role))
def test_signed_in_people_see_the_public_pages_too(store, client_for, role) -> None:
    client = client_for(role)
    for url in ("/published/", "/published/families/dv/", f"/published/areas/{LAMBETH}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert V1 in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/published/families/other_sexual/",
        "/published/families/nonsense/",
        "/published/areas/E09999999/",
        "/published/areas/ALL/",
        "/published/download.pdf",
        "/published/families/dv/download.json",
    ],
)
def test_what_is_not_published_is_not_found(store, db, url) -> None:
    assert Client().get(url).status_code == 404


def test_with_no_data_the_pages_say_nothing_is_published(settings, db, tmp_path) -> None:
    from django.core.cache import cache

    settings.DSVB_STORE = tmp_path / "missing.duckdb"
    cache.clear()
    response = Client().get("/published/")
    assert response.status_code == 200
    assert "No figures have been published yet" in response.content.decode()
    assert Client().get("/published/families/dv/").status_code == 404
    assert Client().get("/published/download.csv").status_code == 404
    cache.clear()


def test_the_policy_page_is_public_and_lists_the_versions(store, db) -> None:
    response = Client().get("/published/disclosure-control/")
    assert response.status_code == 200
    page = response.content.decode()
    assert V1 in page and "from 1 to 9" in page and "narrower than 3" in page
    versions = [r for r in table_rows(page) if r["cells"] and r["cells"][0]["tag"] == "th"][1:]
    assert [r["cells"][0]["text"] for r in versions] == ["2 In force", "1"]
