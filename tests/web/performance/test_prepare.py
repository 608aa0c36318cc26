"""Pages prepared when the data change: after :func:`prepare` (what the import job,
``dsvb demo`` and ``dsvb serve`` run), the main pages' first views do no work — they
neither query the store nor compute an assessment — and ask for nothing but the cache."""

from __future__ import annotations

from click.testing import CliRunner
from django.core.cache import cache

from dsvb.indicators.definitions import FAMILIES
from dsvb.web.performance import data, figures
from dsvb.web.performance.prepare import latest_periods
from tests.web.performance.conftest import LAMBETH


def test_dsvb_prepare_leaves_the_main_pages_no_work_for_their_first_view(
    store, db, client_for, monkeypatch
) -> None:
    from dsvb import cli

    monkeypatch.setattr(cli, "_django", lambda: None)  # pytest-django has set Django up
    cache.clear()
    figures._recent.clear()
    result = CliRunner().invoke(cli.main, ["prepare"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Prepared the domestic violence pages" in result.output
    periods = latest_periods(data.state())
    assert [p.key[:3] for p in periods] == ["12m", "3m-"]
    pages = len(FAMILIES) * len(periods) * (1 + len(figures.borough_names()))
    assert result.output.strip().endswith(f"Prepared {pages} pages.")

    def no_work(*args, **kwargs):
        raise AssertionError("a prepared page computed something on its first view")

    figures._recent.clear()  # a new worker: nothing in memory, only the shared cache
    monkeypatch.setattr(data, "results", no_work)
    monkeypatch.setattr(figures, "build", no_work)
    board = client_for("board_member")
    borough = client_for("borough_user")
    for family in FAMILIES:
        for period in periods:
            params = {"family": family, "period": period.key}
            assert board.get("/performance/", params).status_code == 200
            assert board.get(f"/performance/scorecard/{LAMBETH}/", params).status_code == 200
            assert borough.get(f"/performance/scorecard/{LAMBETH}/", params).status_code == 200


def test_an_unprepared_choice_is_computed_on_its_view(store, db, client_for, monkeypatch) -> None:
    """The check above can fail: a page nothing prepared calls for work on its first view."""
    calls = []
    original = figures.build

    def counted(sel):
        calls.append(sel.key)
        return original(sel)

    monkeypatch.setattr(figures, "build", counted)
    cache.clear()
    figures._recent.clear()
    board = client_for("board_member")
    assert board.get("/performance/", {"family": "dv", "indicator": "offences"}).status_code == 200
    assert calls
