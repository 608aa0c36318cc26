"""Every table the performance pages show, as CSV and as an Excel workbook.

The export of a table is built from the same figures as the page (the typed assessment
of :mod:`dsvb.indicators.assessment`, cached by :mod:`dsvb.web.performance.figures`), so the
two always agree. CSV files hold the table
alone (a header row, then one row per record; rates as proportions between 0 and 1, full
precision). Workbooks hold the table on a sheet "Data" (header row frozen, percentages and
thousands separators as number formats) and a sheet "About" with the family, period,
source and time of generation.

These are internal exports with exact figures: they are not disclosure-controlled and the
"About" sheet says so.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from dsvb.indicators import assessment as assessed
from dsvb.indicators.assessment import Figure, IndicatorAssessment, TargetInfo
from dsvb.indicators.comparison import Flag
from dsvb.web.performance import charts, figures
from dsvb.web.spreadsheets import defused

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {
    "count": "#,##0",
    "proportion": "0.0%",
    "ratio": "0.00",
    "int": "0",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
CHANGE_FORMATS = {
    "proportion": "+0.0%;-0.0%;0.0%",
    "ratio": "+0.00;-0.00;0.00",
    "count": "+#,##0;-#,##0;0",
}
INTERNAL = "Exact figures for internal use: no disclosure control has been applied. Do not publish."


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    fmt: str = "text"  # text | int | count | proportion | ratio | value | change | date


@dataclass
class ExportTable:
    name: str
    title: str
    filename: str  # without extension
    columns: Sequence[Column]
    rows: list[dict[str, Any]]
    about: list[tuple[str, Any]] = field(default_factory=list)


# --- the tables ---------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def period_slug(sel: figures.Selection) -> str:
    return sel.choice.slug


class Proportion(float):
    """A value of the About sheet shown as a percentage (other numbers, such as a p-value or a
    variance, are shown as they are)."""


def _about(sel: figures.Selection, title: str, **extra: Any) -> list[tuple[str, Any]]:
    last = sel.period.end - dt.timedelta(days=1)
    current = sel.current
    coverage = (
        f"{current.first_month:%B %Y} to {current.last_month:%B %Y}"
        if current.has_data
        else "no data"
    )
    rows: list[tuple[str, Any]] = [
        ("Table", title),
        ("Crime family", f"{sel.family_label} ({sel.family})"),
        ("Period", sel.choice.label),
        ("Period start", sel.period.start),
        ("Period end (last day)", last),
        (
            "Previous period",
            sel.previous_label if sel.has_previous else "no data (before the first month held)",
        ),
    ]
    rows += list(extra.items())
    rows += [
        (
            "Source",
            f"dsvb analytical store, data version {current.version} "
            f"(records for {coverage}); indicators as defined in dsvb.indicators.definitions",
        ),
        ("Generated at (London time)", timezone.localtime().replace(tzinfo=None, microsecond=0)),
        ("Disclosure", INTERNAL),
        (
            "Rates",
            "Rates are numerator / denominator, written as proportions (0.489 = 48.9%); "
            "changes in rates are differences in proportions (percentage points). Empty "
            "cells: no figure (a denominator of 0, no previous period, or no comparable "
            "previous figure for a person-based indicator: see the change note).",
        ),
    ]
    return [(k.replace("_", " "), v) for k, v in rows]


def _with_info(figure: Figure, assessment: IndicatorAssessment) -> dict[str, Any]:
    info = assessment.info
    return {
        **figure.record(),
        "indicator": info.id,
        "indicator_label": info.label,
        "kind": info.kind,
        "direction": info.direction_text,
        "target_value": _target(assessment.target),
    }


def _target(target: TargetInfo | None) -> float | None:
    return target.value if target else None


def _flag_label(flag: str | None) -> str:
    return Flag(flag).label if flag else ""


def _limit_columns(widened: bool) -> list[Column]:
    """The limits each area's flag was judged by, then the flag, then which limits they are."""
    which = " allowing for over-dispersion" if widened else ""
    return [
        Column("lower_95", f"95% lower limit{which}", "proportion"),
        Column("upper_95", f"95% upper limit{which}", "proportion"),
        Column("lower_998", f"99.8% lower limit{which}", "proportion"),
        Column("upper_998", f"99.8% upper limit{which}", "proportion"),
        Column("flag", "Flag"),
        Column("flag_label", "Against the force rate (funnel plot)"),
        Column("limits", "Limits the flag was judged by"),
    ]


def _funnel_rows(d: IndicatorAssessment, kind: str) -> list[dict[str, Any]]:
    method = d.funnel.method
    return [
        {
            **a.record(),
            "kind": kind,
            "flag_label": _flag_label(a.flag),
            "exact_flag_label": _flag_label(a.exact_flag),
            "limits": method if a.lower_95 is not None else None,
        }
        for a in d.areas
    ]


# why a change is missing (no previous period held, no figure, no comparable figure), and
# person-based indicators' look-back reaching before the data held
CAVEAT_COLUMNS = (
    Column("no_change_reason", "Why there is no change"),
    Column("history_caveat", "Look-back caveat"),
    Column("no_comparison", "Change note"),
)


def _caveats(figure: Figure) -> dict[str, str]:
    """About-sheet rows for one indicator's look-back and change (person-based ones)."""
    out = {}
    if figure.history_caveat:
        out["Look-back caveat"] = figure.history_caveat
    if figure.no_comparison:
        out["Change on previous period"] = figure.no_comparison
    return out


OVERVIEW_TABLES = ("summary", "areas", "funnel", "trend")
SCORECARD_TABLES = ("scorecard", "monthly", "notes")


def overview_table(sel: figures.Selection, name: str, indicator_id: str) -> ExportTable:
    judged = figures.assessment(sel)
    info = assessed.indicator_info(indicator_id)
    stem = f"dsvb-overview-{sel.family}"
    period = period_slug(sel)
    if name == "summary":
        rows = [{**_with_info(r.force, r), "outside_998": r.outside_998} for r in judged.indicators]
        title = f"{sel.family_label}: every indicator at force level, {sel.choice.label}"
        columns = [
            Column("indicator", "Indicator id"),
            Column("indicator_label", "Indicator"),
            Column("kind", "Kind"),
            Column("numerator", "Numerator", "count"),
            Column("denominator", "Denominator", "count"),
            Column("value", "Force value", "value"),
            Column("target_value", "Target", "value"),
            Column("target_met", "Target met"),
            Column("previous_numerator", "Previous numerator", "count"),
            Column("previous_denominator", "Previous denominator", "count"),
            Column("previous_value", "Previous value", "value"),
            Column("change", "Change on previous period", "change"),
            Column("outside_998", "Areas outside the 99.8% limits", "int"),
            *CAVEAT_COLUMNS,
        ]
        return ExportTable(
            name, title, f"{stem}-all-indicators-{period}", columns, rows, _about(sel, title)
        )
    d = judged.indicator(indicator_id)
    extra = {
        "Indicator": f"{info.label} ({info.id}); {info.direction_text}",
        **_caveats(d.force),
    }
    if name == "areas":
        target = _target(d.target)
        rows = [{**a, "target_value": target} for a in _funnel_rows(d, info.kind)]
        title = f"{sel.family_label}: {info.label} by area, {sel.choice.label}"
        columns = [
            Column("area_code", "Area code"),
            Column("area_name", "Area"),
            Column("numerator", info.numerator_short, "count"),
            Column("denominator", info.denominator_short or "Denominator", "count"),
            Column("value", info.label, "value"),
            Column("rank", "Rank", "int"),
            Column("ranked", "Areas ranked", "int"),
            Column("previous_value", "Previous value", "value"),
            Column("change", "Change on previous period", "change"),
            Column("assessment", "Change is"),
            Column("no_change_reason", "Why there is no change"),
            Column("target_value", "Target", "value"),
            Column("target_met", "Target met"),
        ]
        if info.is_binomial:
            columns += [
                Column("wilson_lower", "95% interval: lower", "proportion"),
                Column("wilson_upper", "95% interval: upper", "proportion"),
            ]
        if d.funnel.available:
            columns += _limit_columns(d.funnel.widened)
        if not info.is_rate:
            columns = [c for c in columns if c.key != "denominator"]
        return ExportTable(
            name,
            title,
            f"{stem}-{info.id}-by-area-{period}",
            columns,
            rows,
            _about(sel, title, **extra),
        )
    if name == "funnel":
        if not d.funnel.available:  # counts, ratios: views answer 404
            raise KeyError(name)
        rows = _funnel_rows(d, info.kind)
        widened = d.funnel.widened
        title = (
            f"{sel.family_label}: {info.label}, funnel-plot control limits around the force "
            f"rate, {sel.choice.label}"
        )
        columns = [
            Column("area_code", "Area code"),
            Column("area_name", "Area"),
            Column("numerator", info.numerator_short, "count"),
            Column("denominator", info.denominator_short or "Denominator", "count"),
            Column("value", info.label, "proportion"),
            *_limit_columns(widened),
        ]
        target = d.funnel.target
        extra["Force rate (target of the limits)"] = None if target is None else Proportion(target)
        extra["Method"] = (
            "Exact limits: at each denominator, the lowest and highest rates an area can have "
            "without an exact one-sided binomial test against the force rate flagging it (2.5% "
            "in each direction for 95%, 0.1% for 99.8%); an area on a limit is within it. Too "
            "few to judge: no rate on the area's side of the force rate could be flagged at "
            "95% at its denominator (or it is 0)."
        )
        dispersion = d.funnel.dispersion
        if dispersion:
            extra["Dispersion ratio (Winsorised, Spiegelhalter 2005)"] = dispersion.phi
            extra["Over-dispersion test p-value (chi-squared)"] = dispersion.p_value
        if widened and dispersion:
            extra["Between-area variance (tau squared)"] = dispersion.tau2
            extra["Limits the flags were judged by"] = (
                "widened for over-dispersion: the outer of the exact limits and the normal "
                "limits with the between-area variance added"
            )
            columns += [
                Column("exact_lower_998", "99.8% lower limit for chance alone", "proportion"),
                Column("exact_upper_998", "99.8% upper limit for chance alone", "proportion"),
                Column("exact_flag_label", "Against the limits for chance alone"),
            ]
        else:
            extra["Limits the flags were judged by"] = "exact"
        return ExportTable(
            name,
            title,
            f"{stem}-{info.id}-funnel-limits-{period}",
            columns,
            rows,
            _about(sel, title, **extra),
        )
    if name == "trend":
        if d.trend_note:  # person-based: no monthly series (views answer 404)
            raise KeyError(name)
        rows = [{**dataclasses.asdict(m), "kind": info.kind} for m in d.trend]
        title = f"{sel.family_label}: {info.label} by month, all areas, {sel.choice.label}"
        columns = [
            Column("month", "Month"),
            Column("numerator", info.numerator_short, "count"),
            Column("denominator", info.denominator_short or "Denominator", "count"),
            Column("value", info.label, "value"),
        ]
        if not info.is_rate:
            columns = [c for c in columns if c.key != "denominator"]
        return ExportTable(
            name,
            title,
            f"{stem}-{info.id}-by-month-{period}",
            columns,
            rows,
            _about(sel, title, **extra),
        )
    raise KeyError(name)


def scorecard_table(sel: figures.Selection, name: str, area_code: str) -> ExportTable:
    judged = figures.assessment(sel)
    card = judged.scorecard(area_code)
    area_name = judged.area_name(area_code)
    stem = f"dsvb-scorecard-{_slug(area_name)}"
    period = period_slug(sel)
    extra = {"Area": f"{area_name} ({area_code})"}
    if name == "scorecard":
        rows = [
            {
                **_with_info(r.figure, r.assessed),
                "force_value": r.force_value,
                "trend": r.trend_note or charts.describe_trend(r.figure.series, r.info.kind),
            }
            for r in card
        ]
        title = f"{area_name} scorecard: {sel.family_label}, {sel.choice.label}"
        columns = [
            Column("indicator", "Indicator id"),
            Column("indicator_label", "Indicator"),
            Column("kind", "Kind"),
            Column("numerator", "Numerator", "count"),
            Column("denominator", "Denominator", "count"),
            Column("value", "Value", "value"),
            Column("wilson_lower", "95% interval: lower", "proportion"),
            Column("wilson_upper", "95% interval: upper", "proportion"),
            Column("force_value", "Force value", "value"),
            Column("target_value", "Target", "value"),
            Column("target_met", "Target met"),
            Column("rank", "Rank", "int"),
            Column("ranked", "Areas ranked", "int"),
            Column("direction", "Direction"),
            Column("previous_value", "Previous value", "value"),
            Column("change", "Change on previous period", "change"),
            Column("trend", "Trend by month"),
            *CAVEAT_COLUMNS,
        ]
        return ExportTable(
            name,
            title,
            f"{stem}-{sel.family}-{period}",
            columns,
            rows,
            _about(sel, title, **extra),
        )
    if name == "monthly":
        rows = [
            {**_with_info(r.figure, r.assessed), **dataclasses.asdict(m)}
            for r in card
            for m in r.figure.series
        ]
        not_monthly = [r.info.label for r in card if r.trend_note]
        if not_monthly:
            extra["Not by month"] = f"{', '.join(not_monthly)}: {assessed.NO_MONTHLY_TREND_REASON}."
        title = f"{area_name}: every indicator by month, {sel.family_label}, {sel.choice.label}"
        columns = [
            Column("indicator", "Indicator id"),
            Column("indicator_label", "Indicator"),
            Column("kind", "Kind"),
            Column("month", "Month"),
            Column("numerator", "Numerator", "count"),
            Column("denominator", "Denominator", "count"),
            Column("value", "Value", "value"),
        ]
        return ExportTable(
            name,
            title,
            f"{stem}-{sel.family}-by-month-{period}",
            columns,
            rows,
            _about(sel, title, **extra),
        )
    if name == "notes":
        from dsvb.web.performance import published

        rows = [
            {
                "return_id": ret["return_id"],
                "return_title": ret["title"],
                "return_period": ret["period_label"],
                "source_name": ret["source_name"],
                **note,
            }
            for ret in published.notes_for_area(area_code, sel.current.token)
            for note in ret["notes"] + ret["return_notes"]
        ]
        title = f"{area_name}: notes from the published returns"
        columns = [
            Column("return_id", "Return", "int"),
            Column("return_title", "Return title"),
            Column("return_period", "Return period"),
            Column("source_name", "File"),
            Column("scope", "About (area rows or the whole return)"),
            Column("kind", "Kind of note"),
            Column("row_number", "Row", "int"),
            Column("column_name", "Column"),
            Column("message", "Note"),
            Column("expected", "Expected", "count"),
            Column("found", "Found", "count"),
        ]
        about = [
            ("Table", title),
            *extra.items(),
            ("Source", f"Published returns in the dsvb store, data version {sel.current.version}"),
            (
                "Generated at (London time)",
                timezone.localtime().replace(tzinfo=None, microsecond=0),
            ),
            ("Disclosure", INTERNAL),
        ]
        return ExportTable(name, title, f"{stem}-published-return-notes", columns, rows, about)
    raise KeyError(name)


# --- writing --------------------------------------------------------------------------------


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return defused(value)  # names and notes come from published files
    return value


def to_csv(table: ExportTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(row.get(c.key)) for c in table.columns])
    return out.getvalue().encode("utf-8")


def _number_format(column: Column, row: dict[str, Any]) -> str | None:
    kind = row.get("kind", "count")
    if column.fmt == "value":
        return NUMBER_FORMATS.get(kind)
    if column.fmt == "change":
        return CHANGE_FORMATS.get(kind)
    return NUMBER_FORMATS.get(column.fmt)


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def to_xlsx(table: ExportTable) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    bold = Font(bold=True)
    sheet.append([c.label for c in table.columns])
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(table.rows, start=2):
        for c, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=r, column=c, value=_cell(row.get(column.key)))
            if cell.data_type == "f":  # text starting "=" is kept as text, never a formula
                cell.data_type = "s"
            number_format = _number_format(column, row)
            if number_format and isinstance(cell.value, (int, float)):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    for c, column in enumerate(table.columns, start=1):
        width = max(10, min(48, len(column.label) + 2))
        if column.fmt == "text":
            longest = max((len(str(row.get(column.key) or "")) for row in table.rows), default=0)
            width = max(width, min(60, longest + 2))
        sheet.column_dimensions[get_column_letter(c)].width = width

    about = book.create_sheet("About")
    about.append(["Item", "Value"])
    for cell in about[1]:
        cell.font = bold
    for label, value in table.about:
        about.append([label, _cell(value)])
        cell = about.cell(row=about.max_row, column=2)
        if cell.data_type == "f":
            cell.data_type = "s"
        if isinstance(value, dt.datetime):
            cell.number_format = NUMBER_FORMATS["datetime"]
        elif isinstance(value, dt.date):
            cell.number_format = NUMBER_FORMATS["date"]
        elif isinstance(value, Proportion):
            cell.number_format = NUMBER_FORMATS["proportion"]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 34
    about.column_dimensions["B"].width = 100

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def response(table: ExportTable, fmt: str) -> HttpResponse:
    if fmt == "csv":
        body, content_type = to_csv(table), "text/csv; charset=utf-8"
    else:
        body, content_type = to_xlsx(table), XLSX_TYPE
    resp = HttpResponse(body, content_type=content_type)
    resp["Content-Disposition"] = f'attachment; filename="{table.filename}.{fmt}"'
    resp["Cache-Control"] = "no-store"
    return resp
