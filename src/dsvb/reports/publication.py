"""What dsvb publishes: statistical releases of headline indicators by borough.

A *release* is a frozen, numbered publication: one period, the tables of every public
family under one disclosure-control policy version, audited before it leaves. Once made it
never changes (a later import does not rewrite what the public has already read), and the
public pages, their downloads and ``dsvb publish`` all show releases and nothing else. The
register of releases is kept by the application (``dsvb.web.public``); this module holds the
rules, and is plain Python.

**Periods: a fixed cycle, never overlapping.** Every release covers 12 whole months. The
first covers the latest 12 months the store holds; each later one the 12 months after the
last release ended (or, when the store no longer holds those, the earliest 12 months after
it that it does). Releases never overlap: figures for overlapping periods could be
subtracted from each other to get small counts for the months where they differ back,
which suppression within one table cannot prevent (DOMAIN.md, "Disclosure control": "earlier
publications of overlapping periods"). For the same reason a released period is never
released again with revised figures: a revision would say how many records changed.

**Families.** Domestic violence, serious sexual offences and all sexual offences — the
families the board reports — controlled *together*: other sexual offences are sexual minus
serious sexual, so a small count hidden in one family's table must not come back from the
other two.

**Indicators** (the board's headline measures, as in its published tables):

- *Incidents* and *offences*: volume, the first columns of every published return.
- *Crime conversion* (offences as a share of incidents): in the SCD2 and Kingston returns;
  it adds no count that is not already published.
- *Sanction detection rate*: the board's headline outcome, with the force's DV target.
- *Caution share* (cautions as a share of sanction detections): ACPO calls cautions "rarely
  appropriate" for DV, and the board asks about it borough by borough.
- *Arrest rate* (offences with an arrest): positive action, with the force's target.
- *Repeat victimisation*: whether victims come back. It looks back 12 months before each
  offence; when that reaches before the first month the store holds, the release says the
  figure is understated (:mod:`dsvb.indicators.caveats`).
- *Risk-form completion* (DV only): the 124D/DASH policy-compliance measure.
- *Referrals to the Havens* (serious sexual offences only, as the SCD2 return counts them):
  support for victims.

Left out on purpose: the charge rate (beside the sanction detection rate and caution share
it would give "other" sanction detections by subtraction — small in most boroughs — and
force the detection rate itself to be suppressed widely); flags that are small almost
everywhere below force level (HBV and forced marriage, FGM, LGBT, homicides, unsupported
prosecutions), where a borough figure could point at a person in a small community; and the
internal process measures (Victims' Code, CAD-to-CRIS), which stay on the internal pages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from dsvb.indicators import caveats
from dsvb.indicators.definitions import ALL_FAMILIES, COUNTS, FAMILIES, INDICATORS
from dsvb.indicators.engine import IndicatorQuery
from dsvb.indicators.model import Period, add_months
from dsvb.indicators.periods import months_label
from dsvb.indicators.results import FORCE_CODE, IndicatorResult
from dsvb.reports.disclosure import (
    NOT_APPLICABLE,
    SUPPRESSED,
    Disclosure,
    Policy,
    PublishedCell,
    PublishedTable,
    apply,
    audit,
)
from dsvb.reports.spreadsheets import defused

__all__ = [
    "COLUMNS",
    "HEADLINE",
    "PUBLIC_FAMILIES",
    "RELEASE_MONTHS",
    "Release",
    "ReleaseRefused",
    "Shown",
    "Source",
    "make_release",
    "next_period",
    "public_results",
    "shown",
    "store_source",
    "to_csv",
    "to_xlsx",
    "write_files",
]

PUBLIC_FAMILIES = ("dv", "serious_sexual", "sexual")
HEADLINE = (
    "incidents",
    "offences",
    "crime_conversion",
    "sd_rate",
    "caution_share",
    "arrest_rate_offences",
    "repeat_victim_rate",
    "risk_form_completion",
    "havens_referral_rate",
)
RELEASE_MONTHS = 12
FORCE_LABEL = "Force (all areas)"
DASH = "–"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headline(family: str) -> list[str]:
    return [i for i in HEADLINE if INDICATORS[i].applies_to(family)]


def public_results(results: Sequence[IndicatorResult]) -> list[IndicatorResult]:
    """The figures a release publishes, from exact results by area (all families)."""
    return [r for r in results if r.family in PUBLIC_FAMILIES and r.indicator in headline(r.family)]


# --- periods ------------------------------------------------------------------------------------


def period_label(period: Period) -> str:
    """``12 months to November 2010``: as the pages and the assessment name a period."""
    return months_label(period)


@dataclass(frozen=True)
class NextPeriod:
    """The period the next release would cover, or why there is none yet."""

    period: Period | None
    reason: str


def next_period(
    first_month: dt.date | None, last_month: dt.date | None, released: Sequence[Period]
) -> NextPeriod:
    """The period of the next release, given the months the store holds (first days of its
    first and last months) and the periods already released.

    The first release covers the latest 12 months held; later ones the 12 months after the
    last release (or the earliest 12 months after it that the store holds), so releases
    never overlap and follow one yearly cycle.
    """
    if first_month is None or last_month is None:
        return NextPeriod(None, "the store holds no records")
    held_end = add_months(last_month, 1)
    months_held = (held_end.year - first_month.year) * 12 + held_end.month - first_month.month
    if not released:
        if months_held < RELEASE_MONTHS:
            return NextPeriod(
                None,
                f"a release covers {RELEASE_MONTHS} whole months and the store holds "
                f"{months_held} ({first_month:%B %Y} to {last_month:%B %Y})",
            )
        return NextPeriod(Period(add_months(held_end, -RELEASE_MONTHS), held_end), "")
    last_end = max(p.end for p in released)
    start = max(last_end, first_month)
    end = add_months(start, RELEASE_MONTHS)
    if end > held_end:
        wanted = Period(start, end)
        return NextPeriod(
            None,
            f"the next release covers {period_label(wanted)} ({start:%-d %B %Y} to "
            f"{end - dt.timedelta(days=1):%-d %B %Y}); the store holds data to "
            f"{last_month:%B %Y}",
        )
    return NextPeriod(Period(start, end), "")


# --- where the figures come from -------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a release's figures come from: the months the store holds (first days of its
    first and last months), its version, and a way to compute exact results by area for a
    period (the web's shared cache, or the engine on a store file)."""

    first_month: dt.date | None
    last_month: dt.date | None
    version: str
    results: Callable[[Period], list[IndicatorResult]]


def store_source(path: str | Path) -> Source:
    """The figures straight from a store file, opened read-only (``dsvb publish``)."""
    import ibis

    from dsvb import store
    from dsvb.indicators.engine import compute

    con = store.connect(path, read_only=True)
    try:
        first, last = con.execute(
            "SELECT min(m), max(m) FROM (SELECT min(reported_month) m FROM incidents "
            "UNION ALL SELECT max(reported_month) FROM incidents "
            "UNION ALL SELECT min(recorded_month) FROM crimes "
            "UNION ALL SELECT max(recorded_month) FROM crimes)"
        ).fetchone()
        latest_import = con.execute(
            "SELECT import_id, content_hash FROM import_log WHERE status = 'imported' "
            "ORDER BY import_id DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    version = f"{latest_import[0]}-{latest_import[1][:16]}" if latest_import else "0"

    def results(period: Period) -> list[IndicatorResult]:
        con = store.connect(path, read_only=True)
        try:
            query = IndicatorQuery(ALL_FAMILIES, period.start, period.end, by=("area",))
            return compute(ibis.duckdb.from_connection(con), query)
        finally:
            con.close()

    return Source(first, last, version, results)


# --- releases ----------------------------------------------------------------------------------


class ReleaseRefused(Exception):
    """A release would give a small number away (or cannot be made); nothing is published."""

    def __init__(self, message: str, disclosures: Sequence[Disclosure] = ()) -> None:
        super().__init__(message)
        self.disclosures = tuple(disclosures)


@dataclass(frozen=True)
class Release:
    """One publication: numbered, frozen, self-contained (it needs no store to be shown)."""

    number: int
    period: Period
    table: PublishedTable
    caveats: dict[str, str] = field(default_factory=dict)  # indicator -> why understated
    store_version: str = ""  # the data it was made from (the store's latest import)
    published_at: dt.datetime | None = None
    published_by: str = ""

    @property
    def policy(self) -> Policy:
        return self.table.policy

    @property
    def label(self) -> str:
        return period_label(self.period)

    @property
    def key(self) -> str:
        return f"12m-{add_months(self.period.end, -1):%Y-%m}"

    @property
    def last_day(self) -> dt.date:
        return self.period.end - dt.timedelta(days=1)

    def families(self) -> list[str]:
        return [f for f in PUBLIC_FAMILIES if f in self.table.families()]

    def areas(self) -> list[tuple[str, str]]:
        return sorted(self.table.areas(), key=lambda a: a[1])

    def area_name(self, code: str) -> str | None:
        return dict(self.table.areas()).get(code)

    def cells(self, family: str | None = None, area: str | None = None) -> list[PublishedCell]:
        """Cells in publication order: family, indicator, areas by name, force last."""
        order = {code: k for k, (code, _) in enumerate(self.areas())}
        out = []
        for f in [family] if family else self.families():
            for indicator in headline(f):
                chosen = [
                    c
                    for c in self.table.cells
                    if c.family == f
                    and c.indicator == indicator
                    and (area is None or c.area_code in (area, FORCE_CODE))
                ]
                chosen.sort(key=lambda c: (c.force_level, order.get(c.area_code, 0)))
                out.extend(chosen)
        return out

    # --- storage: the release as plain data, and back -------------------------------------

    def to_data(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "period": [self.period.start.isoformat(), self.period.end.isoformat()],
            "policy": self.policy.settings(),
            "caveats": self.caveats,
            "store_version": self.store_version,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "published_by": self.published_by,
            "cells": [
                [
                    c.family,
                    c.indicator,
                    c.area_code,
                    c.area_name,
                    c.is_rate,
                    c.numerator,
                    c.denominator,
                    c.suppressed,
                    c.force_level,
                ]
                for c in self.table.cells
            ],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Release:
        policy = Policy(**data["policy"])
        cells = tuple(
            PublishedCell(f, i, a, n, rate, num, den, sup, force)
            for f, i, a, n, rate, num, den, sup, force in data["cells"]
        )
        start, end = (dt.date.fromisoformat(d) for d in data["period"])
        published = data.get("published_at")
        return cls(
            number=data["number"],
            period=Period(start, end),
            table=PublishedTable(policy, cells),
            caveats=dict(data.get("caveats", {})),
            store_version=data.get("store_version", ""),
            published_at=dt.datetime.fromisoformat(published) if published else None,
            published_by=data.get("published_by", ""),
        )


def make_release(
    results: Sequence[IndicatorResult],
    period: Period,
    policy: Policy,
    *,
    number: int,
    released: Sequence[Period] = (),
    first_month: dt.date | None = None,
    store_version: str = "",
    published_at: dt.datetime | None = None,
    published_by: str = "",
) -> Release:
    """Control, audit and freeze one release of ``results`` (exact figures by area for
    ``period``, every family: the public ones are picked here).

    Refused, naming what goes wrong, when the period overlaps an earlier release, when the
    policy cannot protect a figure, or when the audit of the finished tables (from scratch,
    :func:`dsvb.reports.disclosure.audit`) finds any small figure given away.
    """
    for earlier in released:
        if earlier.start < period.end and period.start < earlier.end:
            raise ReleaseRefused(
                f"{period_label(period)} overlaps the release of {period_label(earlier)}: "
                "overlapping periods could be subtracted to give small counts away"
            )
    chosen = public_results(results)
    if not chosen:
        raise ReleaseRefused(f"there are no figures for {period_label(period)}")
    try:
        table = apply(chosen, policy)
    except ValueError as exc:  # DisclosureError: a figure that cannot be protected
        raise ReleaseRefused(f"disclosure control failed: {exc}") from exc
    found = audit(chosen, table)
    if found:
        raise ReleaseRefused(
            f"the audit finds {len(found)} small figure(s) given away; nothing is published",
            found,
        )
    notes: dict[str, str] = {}
    for indicator in dict.fromkeys(i for f in PUBLIC_FAMILIES for i in headline(f)):
        gap = caveats.history_gap(indicator, period, first_month)
        if gap is not None:
            notes[indicator] = gap.text
    return Release(
        number=number,
        period=period,
        table=table,
        caveats=notes,
        store_version=store_version,
        published_at=published_at,
        published_by=published_by,
    )


# --- how published figures are written ----------------------------------------------------


def _half_up(value: float, places: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def count_text(value: int | None) -> str:
    return SUPPRESSED if value is None else f"{value:,}"


def percent_text(value: float) -> str:
    return f"{_half_up(value * 100, 1)}%"


@dataclass(frozen=True)
class Shown:
    """A published cell as the pages write it."""

    text: str  # "1,234", "48.9%", "[c]" or "–"
    parts: str  # "3,613 of 7,472" for a rate (a suppressed part as [c]); "" for a count
    suppressed: bool
    no_rate: bool  # a rate with a zero denominator


def shown(cell: PublishedCell | None) -> Shown:
    if cell is None:
        return Shown(DASH, "", False, True)
    if not cell.is_rate:
        return Shown(count_text(cell.numerator), "", cell.suppressed, False)
    parts = f"{count_text(cell.numerator)} of {count_text(cell.denominator)}"
    if cell.suppressed:
        return Shown(SUPPRESSED, parts, True, False)
    if cell.zero_denominator:
        return Shown(DASH, parts, False, True)
    kind = INDICATORS[cell.indicator].kind
    value = cell.value
    text = f"{_half_up(value, 2)}" if kind == "ratio" else percent_text(value)
    return Shown(text, parts, False, False)


def indicator_note(indicator_id: str) -> str:
    indicator = INDICATORS[indicator_id]
    numerator = COUNTS[indicator.numerator].description
    if indicator.denominator is None:
        return f"{numerator}."
    denominator = COUNTS[indicator.denominator].description
    return f"{numerator}, as a share of: {denominator.lower()}."


COLUMNS = (
    "area_code",
    "area_name",
    "geography_level",
    "family",
    "family_label",
    "indicator",
    "indicator_label",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "disclosure_policy",
    "disclosure_policy_version",
    "caveat",
    "release",
)


def _records(release: Release, cells: list[PublishedCell]) -> list[dict[str, Any]]:
    records = []
    for cell in cells:
        if cell.suppressed:
            value: Any = SUPPRESSED
        elif cell.is_rate:
            value = NOT_APPLICABLE if cell.zero_denominator else cell.value
        else:
            value = cell.numerator
        records.append(
            {
                "period_start": release.period.start.isoformat(),
                "period_end": release.last_day.isoformat(),
                "family": cell.family,
                "family_label": FAMILIES[cell.family].label,
                "indicator": cell.indicator,
                "indicator_label": INDICATORS[cell.indicator].label,
                "area_code": cell.area_code,
                "area_name": FORCE_LABEL if cell.force_level else cell.area_name,
                "geography_level": "force" if cell.force_level else "area",
                "numerator": SUPPRESSED if cell.numerator is None else cell.numerator,
                "denominator": (
                    NOT_APPLICABLE
                    if not cell.is_rate
                    else SUPPRESSED
                    if cell.denominator is None
                    else cell.denominator
                ),
                "value": value,
                "disclosure_policy": release.policy.describe(),
                "disclosure_policy_version": release.policy.version,
                "caveat": release.caveats.get(cell.indicator, ""),
                "release": release.number,
            }
        )
    return records


def _csv_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return value if isinstance(value, int) else defused(str(value))


def to_csv(release: Release, cells: list[PublishedCell] | None = None) -> str:
    """One header row, then one row per area and indicator (tidy, ready for R or pandas).

    Every row names the disclosure-control policy and its version and the release, so rows
    keep their provenance when filtered or combined with other downloads. ``[c]`` marks a
    suppressed figure and ``[z]`` one that does not apply (a count's denominator, a rate
    with a zero denominator), after the GSS shorthand; read them as missing values.
    ``caveat`` says when a figure is understated (a repeat look-back reaching before the
    data held).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in _records(release, release.cells() if cells is None else cells):
        writer.writerow([_csv_value(record[c]) for c in COLUMNS])
    return out.getvalue()


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def notes(release: Release) -> list[str]:
    """The numbered notes printed with every published table and download."""
    policy = release.policy
    rounding = (
        "Counts are rounded to the nearest 5 (a count above zero is never shown as 0). Force "
        "totals are the sum of the published (rounded) area figures plus the rounded "
        "remainder (areas shown [c] and records not attributed to an area), and rates are "
        "worked out from the rounded counts."
        if policy.rounding
        else "Counts are not rounded. The force total includes areas shown [c] and any "
        "records not attributed to an area."
    )
    understated = [f"{INDICATORS[i].label}: {text}" for i, text in release.caveats.items()]
    return [
        f"Disclosure control: {policy.describe()}.",
        f"[c] means a figure is withheld: it counts 1 to {policy.threshold} people or crimes "
        "below force level, or it would let such a figure be worked out, or narrowed to a "
        f"range of fewer than {policy.protection_width + 1} values, from the others (from a "
        "total, from related figures such as sanction detections and cautions or offences "
        "and victims, or from the serious and all sexual offences tables). A rate is "
        "withheld when its numerator or denominator is. Zero is shown as 0.",
        rounding,
        "[z] means not applicable: a count has no denominator, and a rate with a zero "
        "denominator cannot be worked out (shown as – on the pages).",
        "Rates are shown as percentages with one decimal place; downloads give them as "
        "proportions between 0 and 1, worked out from the published numerator and "
        "denominator.",
        f"Period: {release.label} ({_day(release.period.start)} to "
        f"{_day(release.last_day)}). Releases cover 12 whole months and never overlap, so "
        "that figures for overlapping periods cannot be subtracted from each other; a "
        "released period is not released again.",
        f"Release {release.number}"
        + (f", published {release.published_at:%-d %B %Y}" if release.published_at else "")
        + ". Source: police records held by the Domestic and Sexual Violence Board (dsvb)"
        + (f", store version {release.store_version}." if release.store_version else "."),
        *understated,
    ]


def to_xlsx(release: Release, cells: list[PublishedCell] | None = None, title: str = "") -> bytes:
    """A workbook: Cover, Notes (policy, shorthand, definitions) and Data."""
    cells = release.cells() if cells is None else cells
    title = title or f"Published indicators by area, {release.label}"
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Cover"
    bold = Font(bold=True)
    published = release.published_at.strftime("%d %B %Y %H:%M") if release.published_at else ""
    cover_rows: list[tuple[str, Any]] = [
        (title, None),
        ("Period", release.label),
        ("Release", release.number),
        ("Disclosure control", release.policy.describe()),
        ("Disclosure-control policy version", release.policy.version),
        ("Published", published),
        ("Sheets", "Notes: what the figures mean; Data: the figures"),
    ]
    for r, (label, value) in enumerate(cover_rows, start=1):
        cover.cell(row=r, column=1, value=label).font = bold
        if value is not None:
            cover.cell(row=r, column=2, value=value).alignment = Alignment(wrap_text=True)
    cover["A1"].font = Font(bold=True, size=14)
    cover.column_dimensions["A"].width = 34
    cover.column_dimensions["B"].width = 100

    sheet = workbook.create_sheet("Notes")
    sheet.append(["Note", "Text"])
    for k, text in enumerate(notes(release), start=1):
        sheet.append([k, text])
    for indicator in dict.fromkeys(c.indicator for c in cells):
        sheet.append(
            [
                f"Indicator {indicator}",
                f"{INDICATORS[indicator].label}: {indicator_note(indicator)}",
            ]
        )
    for cell in sheet[1]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 110

    table = workbook.create_sheet("Data")
    table.append(list(COLUMNS))
    for cell in table[1]:
        cell.font = bold
    formats = {"numerator": "#,##0", "denominator": "#,##0", "value": None}
    for record in _records(release, cells):
        table.append([record[c] if record[c] != "" else None for c in COLUMNS])
        row = table.max_row
        for name, number_format in formats.items():
            target = table.cell(row=row, column=COLUMNS.index(name) + 1)
            if isinstance(target.value, int | float) and not isinstance(target.value, bool):
                if name == "value":
                    is_rate = record["denominator"] != NOT_APPLICABLE
                    target.number_format = "0.0%" if is_rate else "#,##0"
                else:
                    target.number_format = number_format or "General"
            elif isinstance(target.value, str) and target.value.startswith("["):
                target.alignment = Alignment(horizontal="right")
    table.freeze_panes = "A2"
    widths = {"disclosure_policy": 60, "indicator_label": 40, "area_name": 28, "caveat": 60}
    for k, name in enumerate(COLUMNS, start=1):
        table.column_dimensions[get_column_letter(k)].width = widths.get(name, 16)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def file_stem(release: Release) -> str:
    """The name of a release's files: number, period and policy version."""
    return (
        f"dsvb-release-{release.number}-{release.period.start:%Y-%m}-to-"
        f"{release.last_day:%Y-%m}-sdc-v{release.policy.version}"
    )


def write_files(releases: Sequence[Release], folder: Path) -> list[Path]:
    """Each release as CSV and XLSX in ``folder``: what the public pages offer for download."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for release in releases:
        stem = file_stem(release)
        csv_path = folder / f"{stem}.csv"
        csv_path.write_text(to_csv(release), encoding="utf-8", newline="")
        xlsx_path = folder / f"{stem}.xlsx"
        xlsx_path.write_bytes(to_xlsx(release))
        written += [csv_path, xlsx_path]
    return written
