"""The performance pages' results cache holds figures by recorded person only: its
version token follows imports, not link runs or splits, so a figure by linked person kept
there would go stale unseen after ``dsvb link`` or a split (review A 6)."""

from __future__ import annotations

import dataclasses

import pytest

from dsvb.indicators.engine import IndicatorQuery
from dsvb.web.performance import data


def test_figures_by_linked_person_are_refused_by_the_cache(demo_store, db) -> None:
    query = IndicatorQuery(families=("dv",), indicators=("repeat_victim_rate",))
    assert data.results(query)  # by recorded person: computed and kept
    with pytest.raises(ValueError, match="recorded person only"):
        data.results(dataclasses.replace(query, people="linked"))


def test_the_cache_key_tells_recorded_from_linked(settings, tmp_path) -> None:
    settings.DSVB_STORE = tmp_path / "store.duckdb"
    query = IndicatorQuery()
    assert data._key(query, "v1") != data._key(dataclasses.replace(query, people="linked"), "v1")
