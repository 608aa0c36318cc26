"""Fixtures for the public pages: the session's demo store, the cache cleared once."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(scope="package")
def _public_cache():
    """The publication is cached under the store's version and the policy's settings; clear
    the cache once (another folder may have used a store with the same version number)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def store(demo_store_file, settings, _public_cache):
    """The demo store behind the pages (``demo_store`` without clearing the cache each test)."""
    settings.DSVB_STORE = demo_store_file
    return demo_store_file
