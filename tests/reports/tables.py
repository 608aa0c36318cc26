"""Small hand-written tables of areas for disclosure-control tests."""

from __future__ import annotations

from collections.abc import Mapping

from dsvb.indicators.definitions import INDICATORS
from dsvb.indicators.results import FORCE_CODE, IndicatorResult

Value = int | tuple[int, int]


def rows(
    family: str,
    indicator: str,
    areas: Mapping[str, Value],
    unattributed: Value = 0,
) -> list[IndicatorResult]:
    """One indicator for some areas and the force row (their sum plus ``unattributed``)."""
    is_rate = INDICATORS[indicator].denominator is not None
    out = []
    total_n = total_d = 0
    for code, value in [*areas.items(), (None, unattributed)]:
        n, d = value if isinstance(value, tuple) else (value, None)
        total_n += n
        total_d += d or 0
        if code is not None:
            out.append(IndicatorResult(code, f"Area {code}", family, indicator, n, d, is_rate))
    out.append(
        IndicatorResult(
            FORCE_CODE,
            "All areas",
            family,
            indicator,
            total_n,
            total_d if is_rate else None,
            is_rate,
        )
    )
    return out
