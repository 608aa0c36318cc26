"""Indicator results: one record per area (or other cut), family and indicator.

Every rate is carried as numerator and denominator; ``value`` is derived. Output columns
are fixed: ``area_code, area_name, <cut columns>, family, indicator, numerator,
denominator, value, <extra columns>``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

FORCE_CODE = "ALL"
BASE_COLUMNS = ("area_code", "area_name")
MEASURE_COLUMNS = ("family", "indicator", "numerator", "denominator", "value")


@dataclass(frozen=True)
class IndicatorResult:
    area_code: str
    area_name: str
    family: str
    indicator: str
    numerator: int | float | None
    denominator: int | float | None = None
    is_rate: bool = False
    cuts: tuple[tuple[str, str], ...] = ()
    extra: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    @property
    def value(self) -> float | int | None:
        if not self.is_rate:
            return self.numerator
        if self.numerator is None or not self.denominator:
            return None
        return self.numerator / self.denominator

    def cut(self, name: str) -> str | None:
        return dict(self.cuts).get(name)

    def key(self) -> tuple:
        return (self.area_code, self.cuts, self.family, self.indicator)

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"area_code": self.area_code, "area_name": self.area_name}
        record.update(dict(self.cuts))
        record.update(
            family=self.family,
            indicator=self.indicator,
            numerator=self.numerator,
            denominator=self.denominator,
            value=self.value,
        )
        record.update(dict(self.extra))
        return record


def columns_for(results: Sequence[IndicatorResult]) -> list[str]:
    cut_names: list[str] = []
    extra_names: list[str] = []
    for r in results:
        for name, _ in r.cuts:
            if name not in cut_names:
                cut_names.append(name)
        for name, _ in r.extra:
            if name not in extra_names:
                extra_names.append(name)
    return [*BASE_COLUMNS, *cut_names, *MEASURE_COLUMNS, *extra_names]


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def to_csv(results: Sequence[IndicatorResult]) -> str:
    columns = columns_for(results)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for r in results:
        record = r.as_record()
        writer.writerow([_csv_cell(record.get(c)) for c in columns])
    return out.getvalue()


def to_records(results: Iterable[IndicatorResult]) -> list[dict[str, Any]]:
    records = []
    for r in results:
        record = r.as_record()
        for k, v in record.items():
            if isinstance(v, float) and math.isnan(v):
                record[k] = None
        records.append(record)
    return records


def to_json(results: Sequence[IndicatorResult]) -> str:
    return json.dumps(to_records(results), indent=2, default=str) + "\n"
