"""The one small-number rule: which figures are marked as resting on few records."""

from __future__ import annotations

import pytest

from dsvb.indicators import small_numbers
from dsvb.indicators.small_numbers import SMALL_COUNT, is_small


@pytest.mark.parametrize(
    ("numerator", "denominator", "kind", "small"),
    [
        (SMALL_COUNT - 1, None, "count", True),
        (SMALL_COUNT, None, "count", False),
        (0, None, "count", True),
        (3, 400, "proportion", True),  # few events, however many records
        (SMALL_COUNT, 400, "proportion", False),
        (5, 8, "proportion", True),
        (25, 8, "ratio", True),  # a small denominator makes a ratio unreliable too
        (25, SMALL_COUNT, "ratio", False),
        (0, 0, "proportion", False),  # no figure at all: nothing to mark
        (None, None, "count", False),
    ],
)
def test_a_figure_on_fewer_than_the_threshold_is_small(numerator, denominator, kind, small):
    assert is_small(numerator, denominator, kind) is small


def test_the_note_names_the_marker_and_the_threshold():
    assert small_numbers.SMALL_NUMBER_NOTE.startswith(small_numbers.SMALL_NUMBER_SHORTHAND)
    assert f"fewer than {SMALL_COUNT} records" in small_numbers.SMALL_NUMBER_NOTE


def test_the_rule_loads_without_django():
    import subprocess
    import sys

    code = (
        "import sys, dsvb.indicators.small_numbers; "
        "sys.exit(1 if any(m.startswith('django') for m in sys.modules) else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
