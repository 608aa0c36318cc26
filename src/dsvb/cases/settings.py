"""The partnership cases' numbers that are settings, not code: dated rows in
``reference/data/case_settings.csv`` (the visible-high-risk score, the escalation number,
the repeat window and definition, the MARAC benchmarks, how long an emergency view lasts,
how long closed cases are kept). A setting that changed (the MARAC repeat definition) has a
row per period; :func:`setting` gives the value in force on a day, so a repeat judged in
2012 is judged by the definition of 2012."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

from dsvb.reference.file_errors import (
    ReferenceFileError,
    checked_rows,
    read_date,
    read_optional_date,
)

FILE_NAME = "case_settings.csv"
COLUMNS = ("name", "value", "valid_from", "valid_to", "source")
NAMES = (
    "escalation_incidents",
    "repeat_window_months",
    "repeat_definition",
    "visible_high_risk_score",
    "marac_cases_per_10000_women",
    "idva_referrals_per_fte",
    "break_glass_hours",
    "retention_years",
)
TEXT = frozenset({"repeat_definition"})  # every other setting is a whole number


class CaseSettingsError(ReferenceFileError):
    """A settings file that cannot be used, with the file, line and column named."""


@dataclass(frozen=True)
class Setting:
    name: str
    value: int | str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


def load_settings(text: str, file: str = FILE_NAME) -> tuple[Setting, ...]:
    """Read and check a settings file; CaseSettingsError names the file, line and column.
    Every setting must be given, and one setting's periods must not overlap."""
    rows: list[tuple[int, Setting]] = []
    for line, v in checked_rows(text, file, COLUMNS, CaseSettingsError):
        if v["name"] not in NAMES:
            raise CaseSettingsError(
                file, line, "name", f"{v['name']!r} is not a setting ({', '.join(NAMES)})"
            )
        value: int | str = v["value"]
        if v["name"] not in TEXT:
            if not v["value"].isdigit() or int(v["value"]) < 1:
                raise CaseSettingsError(
                    file, line, "value", f"{v['value']!r} is not a whole number above 0"
                )
            value = int(v["value"])
        elif not v["value"]:
            raise CaseSettingsError(file, line, "value", "the value is empty")
        start = read_date(file, line, "valid_from", v["valid_from"], CaseSettingsError)
        end = read_optional_date(file, line, "valid_to", v["valid_to"], CaseSettingsError)
        if end is not None and end <= start:
            raise CaseSettingsError(file, line, "valid_to", f"{end} is not after {start}")
        setting = Setting(v["name"], value, start, end, v["source"])
        for other_line, other in rows:
            if other.name == setting.name and _overlap(setting, other):
                raise CaseSettingsError(
                    file, line, "valid_from", f"{setting.name} overlaps line {other_line}"
                )
        rows.append((line, setting))
    missing = set(NAMES) - {s.name for _, s in rows}
    if missing:
        raise CaseSettingsError(file, 1, "name", f"missing: {', '.join(sorted(missing))}")
    return tuple(s for _, s in rows)


def _overlap(a: Setting, b: Setting) -> bool:
    far = dt.date.max
    return a.valid_from < (b.valid_to or far) and b.valid_from < (a.valid_to or far)


@cache
def settings() -> tuple[Setting, ...]:
    text = resources.files("dsvb.reference").joinpath("data", FILE_NAME).read_text("utf-8")
    return load_settings(text)


def setting_row(name: str, on: dt.date) -> Setting:
    """The row of ``name`` in force on ``on`` (ValueError if none: before every row)."""
    if name not in NAMES:
        raise KeyError(name)
    for s in settings():
        if s.name == name and s.in_force(on):
            return s
    raise ValueError(f"no {name} setting is in force on {on.isoformat()}")


def setting(name: str, on: dt.date) -> int | str:
    """The value of ``name`` in force on ``on``."""
    return setting_row(name, on).value


def number(name: str, on: dt.date) -> int:
    value = setting(name, on)
    assert isinstance(value, int), name
    return value
