"""Shared fixtures."""

from __future__ import annotations

import pytest

from tests.support.builder import ExtractBuilder


@pytest.fixture
def builder() -> ExtractBuilder:
    return ExtractBuilder()
