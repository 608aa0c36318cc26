"""Charts drawn for real (Vega-Lite through vl-convert), read back as SVG text."""

from __future__ import annotations

import re

import pytest

from dsvb.indicators.assessment import MonthFigure
from dsvb.indicators.comparison import Flag
from dsvb.web.performance import charts, spine


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


# --- the spine chart, the map by significance and the funnel's named points ---------------


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        (Flag.ABOVE_998.value, "higher"),
        (Flag.ABOVE_95.value, "higher"),
        (Flag.WITHIN.value, "similar"),
        (Flag.BELOW_95.value, "lower"),
        (Flag.BELOW_998.value, "lower"),
        (Flag.TOO_FEW.value, "not compared"),
        (None, "not compared"),
    ],
)
def test_significance_is_the_funnel_flag_at_95_percent(flag, expected) -> None:
    assert spine.significance_of_flag(flag) == expected


@pytest.mark.parametrize(
    ("significance", "higher_is_better", "words", "shape"),
    [
        ("higher", True, "Significantly better than London", "triangle-up"),
        ("higher", False, "Significantly worse than London", "triangle-up"),
        ("lower", False, "Significantly better than London", "triangle-down"),
        ("lower", True, "Significantly worse than London", "triangle-down"),
        ("higher", None, "Significantly higher than London", "triangle-up"),
        ("similar", False, "Similar to London", "circle"),
        ("not compared", True, "Not compared with London", "diamond"),
    ],
)
def test_the_judgement_has_words_and_a_shape_not_only_a_colour(
    significance, higher_is_better, words, shape
) -> None:
    judged = spine.judgement(significance, higher_is_better)
    assert (judged.words, judged.shape) == (words, shape)


def test_an_unknown_significance_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="Sanction detection rate: unknown significance 'big'"):
        _row(significance="big")


def test_quartiles_interpolate_like_numpy_and_skip_missing_values() -> None:
    import numpy as np

    values = [0.12, None, 0.5, 0.31, 0.44, 0.27, 0.9, 0.05]
    known = [v for v in values if v is not None]
    expected = (min(known), *np.percentile(known, [25, 75]), max(known))
    assert spine.quartiles(values) == pytest.approx(expected)
    assert spine.quartiles([None, None]) is None


def _row(**fields) -> spine.SpineRow:
    base = {
        "label": "Sanction detection rate",
        "kind": "proportion",
        "higher_is_better": True,
        "value": 0.60,
        "london": 0.45,
        "lowest": 0.20,
        "q25": 0.35,
        "q75": 0.55,
        "highest": 0.70,
        "significance": "higher",
    }
    return spine.SpineRow(**{**base, **fields})


def _marker_x(svg: str) -> float:
    area = re.search(r'<g class="dsvb-spine__area">(.*?)</g>', svg).group(1)
    numbers = [float(n) for n in re.findall(r"(-?\d+\.\d)", area)]
    xs = numbers[0::2] if "polygon" in area else numbers[:1]
    return sum(xs) / len(xs)


def _london_x(svg: str) -> float:
    return float(re.search(r'class="dsvb-spine__london" x1="([\d.]+)"', svg).group(1))


def test_a_spine_names_itself_and_draws_range_middle_london_and_the_marker() -> None:
    svg = str(spine.spine_svg(_row(), "spine-sd", "60.0% against London's 45.0%"))
    assert 'role="img"' in svg and 'aria-labelledby="spine-sd-title spine-sd-desc"' in svg
    assert (
        '<title id="spine-sd-title">Sanction detection rate: '
        "Significantly better than London</title>" in svg
    )
    assert "60.0% against London&#x27;s 45.0%" in svg
    for part in ("dsvb-spine__range", "dsvb-spine__middle", "dsvb-spine__london"):
        assert part in svg
    assert 'data-shape="triangle-up"' in svg and "<polygon" in svg
    assert 'fill="#0072b2"' in svg  # better: blue


def test_better_is_always_on_the_right() -> None:
    # higher is better: a value above London is to the right of London's line
    up = str(spine.spine_svg(_row(), "a", ""))
    assert _marker_x(up) > _london_x(up)
    assert 'data-reversed="false"' in up
    # lower is better: the same value (now worse) is drawn to the left of London
    down = str(spine.spine_svg(_row(higher_is_better=False), "b", ""))
    assert _marker_x(down) < _london_x(down)
    assert 'data-reversed="true"' in down and 'data-judgement="worse"' in down
    # no better direction: low to high, not judged
    neutral = str(spine.spine_svg(_row(higher_is_better=None), "c", ""))
    assert _marker_x(neutral) > _london_x(neutral)
    assert 'data-judgement="higher"' in neutral
    assert _row(higher_is_better=None).orientation.startswith("no better direction")


def test_a_spine_without_a_value_draws_no_marker() -> None:
    svg = str(spine.spine_svg(_row(value=None, significance="not compared"), "d", ""))
    assert "dsvb-spine__area" not in svg and "dsvb-spine__range" in svg


def test_the_map_by_significance_has_a_whole_legend_and_symbols_on_the_tiles(db) -> None:
    tiles = [
        charts.SignificanceTile(0, 0, "LAM", 0.5, "higher"),
        charts.SignificanceTile(0, 1, "SOU", 0.4, "similar"),
    ]
    svg, legend = charts.significance_tile_map_svg(
        chart_id="m",
        title="Map",
        description="Boroughs against London",
        kind="proportion",
        higher_is_better=False,
        tiles=tiles,
        columns=2,
        rows=1,
    )
    # every judgement, better first, though no tile is worse or not compared
    assert [j.key for j in legend] == ["better", "similar", "worse", "not compared"]
    text = str(svg)
    for j in legend:
        assert j.words in text  # the legend drawn in the chart too
    assert "▲ 50.0%" in text and "● 40.0%" in text  # higher (worse here) and similar
    assert 'role="img"' in text


def test_funnel_points_are_named_focusable_and_every_line_is_in_the_legend(db) -> None:
    areas = [
        {
            "area_name": "Lambeth",
            "numerator": 80,
            "denominator": 200,
            "value": 0.4,
            "flag": "within",
        },
        {
            "area_name": "Camden",
            "numerator": 10,
            "denominator": 100,
            "value": 0.1,
            "flag": "below_998",
        },
    ]
    curve = [
        {"n": n, "lower_95": 0.3, "upper_95": 0.5, "lower_998": 0.25, "upper_998": 0.55}
        for n in (90, 150, 220)
    ]
    svg = str(
        charts.funnel_svg(
            chart_id="f",
            title="Funnel",
            description="Boroughs",
            indicator_label="Sanction detection rate",
            denominator_label="Offences",
            target=0.4,
            areas=areas,
            curve=curve,
            reference_target=0.45,
        )
    )
    points = re.findall(
        r'<path class="dsvb-point" tabindex="0" role="img" aria-label="([^"]+)"', svg
    )
    assert sorted(points) == [
        "Camden: 10.0% (10 of 100), below the 99.8% limit",
        "Lambeth: 40.0% (80 of 200), within the 95% limits",
    ]
    assert "<title>Camden: 10.0% (10 of 100), below the 99.8% limit</title></path>" in svg
    # a chart with focusable parts is a group, not an image (whose parts are hidden)
    assert re.search(r'<svg[^>]*role="group"', svg)
    for entry in ("95% limits", "99.8% limits", "London value 40.0%", "Target 45.0%"):
        assert f">{entry}</text>" in svg, entry
    for flag in Flag:
        assert f">{flag.label}</text>" in svg, flag
