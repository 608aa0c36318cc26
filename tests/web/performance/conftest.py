"""Fixtures for the performance pages: the session's demo store, signed-in clients.

The demo store is built once per session (``demo_store_file``). The figures, pages and
charts the performance pages derive from it are cached under the store's version; the cache
is cleared once at the start of this folder's tests (another folder may have used a store
with the same version number) and then kept, so each page is derived once, not per test.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from dsvb.indicators.periods import ReportingPeriod
from dsvb.web.performance import data

LAMBETH, SOUTHWARK, NEWHAM, KINGSTON = "E09000022", "E09000028", "E09000025", "E09000021"


@pytest.fixture(scope="package")
def _performance_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def store(demo_store_file, settings, _performance_cache):
    """The demo store behind the pages (the ``demo_store`` fixture without per-test clearing)."""
    settings.DSVB_STORE = demo_store_file
    return demo_store_file


@pytest.fixture
def latest(store, db) -> ReportingPeriod:
    return data.choose_period(None)


@pytest.fixture
def analyst(client_for):
    return client_for("force_analyst")


@pytest.fixture
def lambeth_user(client_for):
    return client_for("borough_user", area_code=LAMBETH)
