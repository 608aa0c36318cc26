"""Charts drawn for real (Vega-Lite through vl-convert), read back as SVG text."""

from __future__ import annotations

import re

import pytest

from dsvb.indicators.assessment import MonthFigure
from dsvb.web.performance import charts


def _y_labels(svg: str) -> list[str]:
    return re.findall(r">(\d+(?:\.\d+)?%)</text>", svg)


@pytest.mark.parametrize(
    "values",
    [
        [0.462, 0.466, 0.471, 0.468, 0.474, 0.479, 0.481],  # a two-point range
        [0.10, 0.35, 0.62, 0.41, 0.88],
    ],
)
def test_trend_axis_labels_never_repeat(db, values) -> None:
    series = [
        MonthFigure(f"2010-{m:02d}", f"2010-{m:02d}", 0, None, v) for m, v in enumerate(values, 1)
    ]
    svg = str(
        charts.trend_svg(
            chart_id="t",
            title="Trend",
            description="A trend",
            indicator_label="Sanction detection rate",
            kind="proportion",
            series=series,
            target=None,
        )
    )
    labels = _y_labels(svg)
    assert len(labels) >= 2
    assert len(labels) == len(set(labels)), labels
