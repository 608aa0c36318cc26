"""What the public pages publish: headline indicators by borough, after disclosure control.

**Period.** The latest 12-month period in the store, and only that one. Publishing every
rolling 12-month period (or quarters beside years) would let a reader subtract one from
another and get a month's small counts back, which cell suppression within one table cannot
prevent; a new period is published when new data is imported.

**Families.** Domestic violence, serious sexual offences and all sexual offences — the
families the board reports. Their tables are controlled *together*: other sexual offences
are sexual minus serious sexual, so a small count hidden in one family's table must not come
back from the other two.

**Indicators** (the board's headline measures, as in its published tables):

- *Incidents* and *offences*: volume, the first columns of every published return.
- *Crime conversion* (offences as a share of incidents): in the SCD2 and Kingston returns;
  it adds no count that is not already published.
- *Sanction detection rate*: the board's headline outcome, with the force's DV target.
- *Caution share* (cautions as a share of sanction detections): ACPO calls cautions "rarely
  appropriate" for DV, and the board asks about it borough by borough.
- *Arrest rate* (offences with an arrest): positive action, with the force's target.
- *Repeat victimisation*: whether victims come back. It looks back 12 months before each
  offence; when that reaches before the first month the store holds, the pages, the notes
  and the downloads say the figure is understated (:func:`history_caveats`).
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
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from dsvb.indicators.definitions import ALL_FAMILIES, COUNTS, FAMILIES, INDICATORS
from dsvb.indicators.engine import IndicatorQuery
from dsvb.indicators.results import FORCE_CODE
from dsvb.reports.disclosure import (
    NOT_APPLICABLE,
    SUPPRESSED,
    Policy,
    PublishedCell,
    PublishedTable,
    apply,
)
from dsvb.web.performance import data, figures
from dsvb.web.spreadsheets import defused

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
FORCE_LABEL = "Force (all areas)"
CACHE_SECONDS = 6 * 60 * 60
DASH = "–"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headline(family: str) -> list[str]:
    return [i for i in HEADLINE if INDICATORS[i].applies_to(family)]


def latest_choice(current: data.StoreState) -> data.PeriodChoice | None:
    """The latest 12-month period with data."""
    return next((c for c in data.period_choices(current) if c.key.startswith("12m-")), None)


@dataclass(frozen=True)
class Publication:
    choice: data.PeriodChoice
    table: PublishedTable
    store_version: int
    first_month: dt.date | None = None  # the first month the store holds

    @property
    def policy(self) -> Policy:
        return self.table.policy

    @property
    def last_day(self) -> dt.date:
        return self.choice.period.end - dt.timedelta(days=1)

    def families(self) -> list[str]:
        return [f for f in PUBLIC_FAMILIES if f in self.table.families()]

    def areas(self) -> list[tuple[str, str]]:
        return sorted(self.table.areas(), key=lambda a: a[1])

    def area_name(self, code: str) -> str | None:
        return dict(self.table.areas()).get(code)

    def cells(self, family: str | None = None, area: str | None = None) -> list[PublishedCell]:
        """Cells in publication order: family, indicator, areas by name, force last."""
        order = {code: k for k, (code, _) in enumerate(self.areas())}
        families = [family] if family else self.families()
        out = []
        for f in families:
            for indicator in headline(f):
                chosen = []
                for cell in self.table.cells:
                    if cell.family != f or cell.indicator != indicator:
                        continue
                    if area is not None and cell.area_code not in (area, FORCE_CODE):
                        continue
                    chosen.append(cell)
                chosen.sort(key=lambda c: (c.force_level, order.get(c.area_code, 0)))
                out.extend(chosen)
        return out


def _compute(current: data.StoreState, choice: data.PeriodChoice, policy: Policy) -> Publication:
    # the same query the performance pages warm, so the figures come from the shared cache
    query = IndicatorQuery(ALL_FAMILIES, choice.period.start, choice.period.end, by=("area",))
    results = [
        r
        for r in data.results(query, current)
        if r.family in PUBLIC_FAMILIES and r.indicator in headline(r.family)
    ]
    return Publication(choice, apply(results, policy), current.version, current.first_month)


def publication(policy: Policy) -> Publication | None:
    """The published tables for the latest 12 months under ``policy`` (cached), or None."""
    current = data.state()
    choice = latest_choice(current)
    if choice is None:
        return None
    key = (
        f"dsvb:public:v2:{current.token}:{choice.key}:"
        f"{policy.version}:{policy.threshold}:{int(policy.rounding)}"
    )
    found = cache.get(key)
    if found is None:
        found = _compute(current, choice, policy)
        cache.set(key, found, CACHE_SECONDS)
    return found


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


def history_caveats(pub: Publication) -> dict[str, str]:
    """Person-based headline indicators whose look-back reaches before the first month the
    store holds, indicator -> why the figure is understated (see docs/decisions/0004)."""
    out = {}
    for indicator in dict.fromkeys(i for f in PUBLIC_FAMILIES for i in headline(f)):
        gap = figures.history_gap(
            figures.indicator_info(indicator), pub.choice.period, pub.first_month
        )
        if gap is not None:
            out[indicator] = gap.text
    return out


def indicator_note(indicator_id: str) -> str:
    indicator = INDICATORS[indicator_id]
    numerator = COUNTS[indicator.numerator].description
    if indicator.denominator is None:
        return f"{numerator}."
    denominator = COUNTS[indicator.denominator].description
    return f"{numerator}, as a share of: {denominator.lower()}."


# --- exports ------------------------------------------------------------------------------

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
)


def _records(pub: Publication, cells: list[PublishedCell]) -> list[dict[str, Any]]:
    caveats = history_caveats(pub)
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
                "period_start": pub.choice.period.start.isoformat(),
                "period_end": pub.last_day.isoformat(),
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
                "disclosure_policy": pub.policy.describe(),
                "disclosure_policy_version": pub.policy.version,
                "caveat": caveats.get(cell.indicator, ""),
            }
        )
    return records


def _csv_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return value if isinstance(value, int) else defused(str(value))


def to_csv(pub: Publication, cells: list[PublishedCell]) -> str:
    """One header row, then one row per area and indicator (tidy, ready for R or pandas).

    Every row names the disclosure-control policy and its version, so rows keep their
    provenance when filtered or combined with other downloads. ``[c]`` marks a suppressed
    figure and ``[z]`` one that does not apply (a count's denominator, a rate with a zero
    denominator), after the GSS shorthand; read them as missing values. ``caveat`` says when
    a figure is understated (a repeat look-back reaching before the data held).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in _records(pub, cells):
        writer.writerow([_csv_value(record[c]) for c in COLUMNS])
    return out.getvalue()


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def notes(pub: Publication) -> list[str]:
    """The numbered notes printed with every published table and download."""
    policy = pub.policy
    rounding = (
        "Counts are rounded to the nearest 5 (a count above zero is never shown as 0). Force "
        "totals are the sum of the published (rounded) area figures plus the rounded "
        "remainder (areas shown [c] and records not attributed to an area), and rates are "
        "worked out from the rounded counts."
        if policy.rounding
        else "Counts are not rounded. The force total includes areas shown [c] and any "
        "records not attributed to an area."
    )
    caveats = [
        f"{INDICATORS[indicator].label}: {text}" for indicator, text in history_caveats(pub).items()
    ]
    return [
        f"Disclosure control: {policy.describe()}.",
        f"[c] means a figure is withheld: it counts 1 to {policy.threshold} people or crimes "
        "below force level, or it would let such a figure be worked out from the others "
        "(from a total, from related figures such as sanction detections and cautions, or "
        "from the serious and all sexual offences tables). A rate is withheld when its "
        "numerator or denominator is. Zero is shown as 0.",
        rounding,
        "[z] means not applicable: a count has no denominator, and a rate with a zero "
        "denominator cannot be worked out (shown as – on the pages).",
        "Rates are shown as percentages with one decimal place; downloads give them as "
        "proportions between 0 and 1, worked out from the published numerator and "
        "denominator.",
        f"Period: {pub.choice.label} ({_day(pub.choice.period.start)} to "
        f"{_day(pub.last_day)}). Only the latest 12 months are published, so that figures "
        "for overlapping periods cannot be subtracted from each other.",
        "Source: police records held by the Domestic and Sexual Violence Board (dsvb), "
        f"store version {pub.store_version}.",
        *caveats,
    ]


def to_xlsx(pub: Publication, cells: list[PublishedCell], title: str) -> bytes:
    """A workbook: Cover, Notes (policy, shorthand, definitions) and Data."""
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Cover"
    bold = Font(bold=True)
    cover_rows: list[tuple[str, Any]] = [
        (title, None),
        ("Period", pub.choice.label),
        ("Disclosure control", pub.policy.describe()),
        ("Disclosure-control policy version", pub.policy.version),
        ("Published", timezone.localtime().strftime("%d %B %Y %H:%M")),
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
    for k, text in enumerate(notes(pub), start=1):
        sheet.append([k, text])
    indicators = list(dict.fromkeys(c.indicator for c in cells))
    for indicator in indicators:
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
    for record in _records(pub, cells):
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
