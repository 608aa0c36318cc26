"""Fixtures for the public pages: the session's demo store, its first release published."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(scope="package")
def _public_cache():
    """Releases are cached by number; clear the cache once (another folder may have used a
    release with the same number)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def store(published_store, _public_cache):
    """The demo store behind the pages, with its first release published."""
    return published_store
