"""Published aggregate returns: read them, reconcile them, store them and read them back.

A *return* is a small table published by the force or a borough (an annual report table, a
borough's data sheet), transcribed to CSV. Published returns have flaws (DOMAIN.md): typos in
names, cells garbled by PDF extraction, total rows, totals that are not the sum of their rows,
parts that do not add up to the whole, percentages printed rounded or truncated. The reader
keeps every cell exactly as published, normalises what it can and records a note for each
change, marks what it cannot read as garbled (never guessing a value), and reports every
reconciliation difference with the figure expected and the figure found. It never "fixes" a
figure. What it cannot read at all (an unknown header, row label or measure, a file that is
not UTF-8) is rejected with a :class:`ReturnError` naming the file, the row and the column.

Four layouts are recognised from the header:

``by_area``
    ``borough`` / ``borough_or_unit`` / ``area``, then one column per family and measure
    (``dv_incidents``, ``sexual_offence_cautions``, …). Rows are areas (matched to the
    reference list), specialist units (``SCD2``) or totals (``Borough Total``,
    ``Non-Borough Total``, ``MPS Total``).
``measure_by_period``
    ``measure``, then one column per period (``2009/10``). Rows are measures
    (``Crimes as a % of Incidents`` is the printed ``crime_conversion``).
``key_value``
    ``indicator,value,comparator,note``: one borough's return, one figure a row.
``offence_headline``
    ``offence``, then measures; rows are offence families or groups.

Dates: ``period_start`` and ``period_end`` are the first and the last day of the period, both
included (as the returns print them).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from dsvb import __version__
from dsvb.reference import areas, normalise_name, units
from dsvb.store import transaction

__all__ = [
    "LAYOUTS",
    "RATES",
    "Cell",
    "FigureGroup",
    "ImportOutcome",
    "Note",
    "Published",
    "PublishedReturn",
    "ReturnError",
    "ReturnSummary",
    "check_printed",
    "figure_groups",
    "import_return",
    "list_returns",
    "load_return",
    "measure_kind",
    "printed_decimals",
    "read_return",
    "table_identity",
]

# --- vocabulary ----------------------------------------------------------------------------

BY_AREA = "by_area"
MEASURE_BY_PERIOD = "measure_by_period"
KEY_VALUE = "key_value"
OFFENCE_HEADLINE = "offence_headline"
LAYOUTS = (BY_AREA, MEASURE_BY_PERIOD, KEY_VALUE, OFFENCE_HEADLINE)

# note kinds
NORMALISED = "normalised"  # a label read as something else (a typo, a variant)
GARBLED = "garbled"  # a cell that is not a readable figure; stored as NULL
RECONCILIATION = "reconciliation"  # a difference between figures that should agree
UNREAD = "unread"  # published text kept but not interpreted
INTERPRETED = "interpreted"  # a reading the table does not state explicitly

# cell statuses and value kinds
OK, MISSING = "ok", "missing"
COUNT, PROPORTION, RATIO, MONEY, TEXT = "count", "proportion", "ratio", "money", "text"

# row scopes (what a row covers when it is not one area or unit)
FORCE, BOROUGHS, SPECIALIST_UNITS = "force", "boroughs", "specialist_units"
SCOPE_UNIT = {FORCE: "ALL", BOROUGHS: "BOROUGH", SPECIALIST_UNITS: "SPECIALIST"}
FORCE_AREA = "ALL"

#: rate id -> (numerator measure, denominator measure), ids of the DOMAIN.md indicator table
RATES: dict[str, tuple[str, str]] = {
    "crime_conversion": ("offences", "incidents"),
    "sd_rate": ("sanction_detections", "offences"),
    "charge_rate": ("charges", "offences"),
    "caution_share": ("cautions", "sanction_detections"),
    "caution_rate": ("cautions", "offences"),
    "no_crime_rate": ("no_crimes", "incidents"),
    "cri_rate": ("cris", "incidents"),
    "havens_referral_rate": ("havens_referrals", "incidents"),
    "repeat_victim_rate": ("repeat_victims", "victims"),
    "offences_per_repeat_victim": ("offences_against_repeat_victims", "repeat_victims"),
    "arrest_rate_offences": ("offences_with_arrest", "offences"),
    "arrest_rate_incidents": ("incidents_with_arrest", "incidents"),
    "cad_to_cris": ("incidents_with_crime_or_reason", "incidents"),
    "risk_form_completion": ("risk_forms_completed", "offences"),
    "risk_form_supervision": ("risk_forms_supervised", "risk_forms"),
}
RATIOS = frozenset({"offences_per_repeat_victim"})  # printed as a plain number, not a %
_RATE_BY_PARTS = {parts: rate for rate, parts in RATES.items()}

#: "x of N" comparators: the measure whose whole N is
DENOMINATOR_OF = dict(RATES.values()) | {"officers_trained": "officers"}

COUNT_MEASURES = frozenset(
    {
        "incidents",
        "offences",
        "sanction_detections",
        "charges",
        "cautions",
        "no_crimes",
        "cris",
        "havens_referrals",
        "dv_flagged",
        "victims",
        "repeat_victims",
        "persons_charged",
        "fm_flagged",
        "mental_health_flagged",
        "homicides",
        "officers_trained",
        "officers",
        "one_stop_shop_victims",
        "refuge_spaces",
        *(num for num, _ in RATES.values()),
        *(den for _, den in RATES.values()),
    }
)
PROPORTION_MEASURES = frozenset({*(r for r in RATES if r not in RATIOS), "staff_trained_share"})
MONEY_MEASURES = frozenset({"cdrp_funding"})
TEXT_MEASURES = frozenset({"period_start", "period_end", "area"})


def measure_kind(measure: str) -> str:
    """The value kind a measure is published as."""
    if measure in COUNT_MEASURES:
        return COUNT
    if measure in PROPORTION_MEASURES:
        return PROPORTION
    if measure in RATIOS:
        return RATIO
    if measure in MONEY_MEASURES:
        return MONEY
    return TEXT


_MEASURE_SYNONYMS = {
    "incidents": "incidents",
    "offences": "offences",
    "crimes": "offences",
    "confirmed_crimes": "offences",
    "sanction_detections": "sanction_detections",
    "sanction_detection": "sanction_detections",
    "sds": "sanction_detections",
    "sd": "sanction_detections",
    "charges": "charges",
    "cautions": "cautions",
    "no_crimes": "no_crimes",
    "no_crimed": "no_crimes",
    "incidents_no_crimed": "no_crimes",
    "cris": "cris",
    "crid": "cris",
    "incidents_crid": "cris",
    "crime_related_incidents": "cris",
    "havens_referrals": "havens_referrals",
    "referrals_to_the_havens": "havens_referrals",
    "referred_to_the_havens": "havens_referrals",
    "incidents_referred_to_the_havens": "havens_referrals",
    "dv_flagged": "dv_flagged",
    "flagged_as_dv": "dv_flagged",
    "offences_flagged_as_dv": "dv_flagged",
    "victims": "victims",
    "repeat_victims": "repeat_victims",
    "sanction_detection_rate": "sd_rate",
    "percentage_of_sanction_detections": "sd_rate",
    "crime_conversion_rate": "crime_conversion",
    "no_crime_rate": "no_crime_rate",
    **{rate: rate for rate in RATES},
}
_LEADING_WORDS = ("number_of_", "total_", "all_")
_FAMILY_PREFIXES = (
    ("serious_sexual_offence_", "serious_sexual"),
    ("serious_sexual_", "serious_sexual"),
    ("total_sexual_offence_", "sexual"),
    ("total_sexual_", "sexual"),
    ("sexual_offence_", "sexual"),
    ("sexual_", "sexual"),
    ("domestic_violence_", "dv"),
    ("dv_", "dv"),
)
#: key-value returns: borough data sheets name their figures more freely
_KV_MEASURES = {
    "sanction_detection_rate": "sd_rate",
    "incident_arrest_rate": "arrest_rate_incidents",
    "arrest_rate_substantive_offences": "arrest_rate_offences",
    "arrest_rate": "arrest_rate_offences",
    "persons_charged": "persons_charged",
    "forced_marriage_flags": "fm_flagged",
    "survivors_flagged_mental_health": "mental_health_flagged",
    "homicides": "homicides",
    "cad_to_cris_conversion": "cad_to_cris",
    "form_124d_completion": "risk_form_completion",
    "risk_form_completion": "risk_form_completion",
    "form_124d_supervised": "risk_forms_supervised",
    "risk_forms_supervised": "risk_forms_supervised",
    "officers_trained": "officers_trained",
    "police_staff_trained": "staff_trained_share",
    "one_stop_shop_victims": "one_stop_shop_victims",
    "cdrp_funding": "cdrp_funding",
    "refuge_spaces": "refuge_spaces",
    "period_start": "period_start",
    "period_end": "period_end",
    "area": "area",
    "borough": "area",
}

_BY_AREA_FIRST = {
    "borough",
    "boroughs",
    "borough_or_unit",
    "borough_unit",
    "borough_investigating_unit",
    "area",
    "area_name",
    "bocu",
}
_KV_COLUMNS = ("indicator", "value", "comparator", "note")

_TOTAL_LABELS = {
    "mps total": FORCE,
    "force total": FORCE,
    "total": FORCE,
    "grand total": FORCE,
    "borough total": BOROUGHS,
    "boroughs total": BOROUGHS,
    "total boroughs": BOROUGHS,
    "bocu total": BOROUGHS,
    "non borough total": SPECIALIST_UNITS,
    "non bocu total": SPECIALIST_UNITS,
    "specialist units total": SPECIALIST_UNITS,
    "total specialist units": SPECIALIST_UNITS,
}
_UNIT_LABEL = re.compile(r"^(scd)\s*(\d+)\b(.*)$")
_UNIT_FAMILY = {"SCD2": "serious_sexual"}

#: headline rows: normalised label -> (family or offence group, the total it belongs to)
_HEADLINE_ROWS: dict[str, tuple[str, str | None]] = {
    "domestic violence": ("dv", None),
    "dv": ("dv", None),
    "rape": ("rape", "sexual"),
    "other sexual offences": ("other_sexual", "sexual"),
    "total sexual offences": ("sexual", None),
    "sexual offences": ("sexual", None),
    "harassment": ("harassment", None),
    "putting a person in fear of violence": ("fear_of_violence", None),
    "trafficking for sexual exploitation": ("trafficking_sexual_exploitation", None),
    "buying the sexual services of a child": ("buying_sexual_services_of_child", None),
    "controlling a child for prostitution": ("controlling_child_prostitution", None),
    "causing or arranging child prostitution or pornography": (
        "causing_child_prostitution_or_pornography",
        None,
    ),
    "female genital mutilation": ("fgm", None),
    "fgm": ("fgm", None),
}

_MISSING_TEXT = {"", "-", "–", "—", "..", ":", "n/a", "na"}
_FOOTNOTE = re.compile(r"\s*[¹²³⁴⁵⁶⁷⁸⁹⁰*†‡§]+\s*$")
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_MONTHS = tuple(dt.date(2000, month, 1).strftime("%B") for month in range(1, 13))


# --- errors and results --------------------------------------------------------------------


class ReturnError(ValueError):
    """A return that cannot be read; the message names the file, the row and the column."""

    def __init__(
        self,
        source: str,
        message: str,
        *,
        row: int | str | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.source = source
        self.row = row
        self.column = column
        where = [source]
        if row is not None:
            where.append(f"row {row}" if isinstance(row, int) else str(row))
        if line is not None:
            where[-1] += f" (line {line})"
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


@dataclass(frozen=True)
class Cell:
    """One published cell, as printed, with what it was read as.

    The row label column is kept as a cell too (``column_number`` 0, kind ``text``), so a
    return can be shown exactly as published from the store.
    """

    row_number: int  # data row, 1 = first row after the header
    row_label: str
    column_number: int  # 0 = the row label column
    column_name: str
    raw: str | None  # exactly as published; None when the row had no such cell
    value: float | None  # None when missing or unreadable
    value_kind: str  # count | proportion | ratio | money | text
    status: str  # ok | missing | garbled
    area_code: str | None = None
    unit: str | None = None
    period_label: str | None = None
    family: str | None = None
    measure: str | None = None
    is_total: bool = False
    scope: str | None = None  # force | boroughs | specialist_units; None for an area or unit

    @property
    def ok(self) -> bool:
        return self.status == OK and self.value is not None

    @property
    def number(self) -> int | float | None:
        """The value, as an int when it is a whole number."""
        if self.value is None:
            return None
        return int(self.value) if float(self.value).is_integer() else self.value


@dataclass(frozen=True)
class Note:
    """What the reader noticed: a change it made, a cell it could not read, a difference."""

    kind: str  # normalised | garbled | reconciliation | unread | interpreted
    row_number: int | None
    column_name: str | None
    message: str
    expected: float | None = None
    found: float | None = None

    def __str__(self) -> str:
        return f"[{self.kind}] {self.message}"


@dataclass(frozen=True)
class PublishedReturn:
    """A return as read: every cell and every note."""

    source_name: str
    content_hash: str
    layout: str
    title: str | None
    period_label: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    cells: tuple[Cell, ...]
    notes: tuple[Note, ...]

    @property
    def header(self) -> tuple[str, ...]:
        names = {c.column_number: c.column_name for c in self.cells}
        return tuple(names[i] for i in sorted(names))

    def rows(self) -> dict[int, tuple[Cell, ...]]:
        out: dict[int, list[Cell]] = defaultdict(list)
        for c in self.cells:
            out[c.row_number].append(c)
        return {n: tuple(cells) for n, cells in sorted(out.items())}

    def cell(self, row_label: str, column_name: str) -> Cell:
        """The cell by its printed row label (or canonical area name/code) and column."""
        for c in self.cells:
            if c.column_name != column_name:
                continue
            if row_label in (c.row_label, c.area_code) or (
                c.area_code and areas().by_code(c.area_code).name == row_label
            ):
                return c
        raise KeyError((row_label, column_name))

    @property
    def identity(self) -> str:
        """What identifies the table: its layout and every cell as published.

        Unlike ``content_hash`` (the SHA-256 of the file's bytes), it does not change when only
        the bytes do: line endings, a byte-order mark, quoting, blank lines.
        """
        return table_identity(self.layout, self.cells)

    def notes_of(self, kind: str) -> tuple[Note, ...]:
        return tuple(n for n in self.notes if n.kind == kind)

    def notes_for_area(self, area_code: str) -> tuple[Note, ...]:
        """Notes about the rows of one area (a borough's page shows these)."""
        rows = {c.row_number for c in self.cells if c.area_code == area_code}
        return tuple(n for n in self.notes if n.row_number in rows)


@dataclass(frozen=True)
class ImportOutcome:
    status: str  # imported | already_imported
    return_id: int
    source: str
    content_hash: str
    cells: int = 0
    notes: int = 0
    published_return: PublishedReturn | None = field(default=None, repr=False)
    #: already imported: ``file`` (the same bytes) or ``content`` (the same table, other bytes)
    matched_by: str | None = None
    #: about the store rather than the table, e.g. an earlier return for the same period
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        """What a person needs to read after an import: what was kept, changed and found."""
        if self.status == "already_imported":
            how = (
                ": the same table, in a file whose line endings, byte-order mark or quoting differ"
                if self.matched_by == "content"
                else ""
            )
            return (
                f"Return {self.source} is already in the store (return {self.return_id}{how}); "
                "nothing changed."
            )
        ret = self.published_return
        lines = [
            f"Imported {self.source} as return {self.return_id}"
            + (f" ({ret.layout}, {ret.period_label or 'period not stated'})" if ret else "")
            + f": {self.cells:,} cells, {self.notes:,} notes."
        ]
        if self.warnings:
            lines.append("Warnings:")
            lines += [f"  - {w}" for w in self.warnings]
        if ret is not None:
            headings = {
                NORMALISED: "Normalised",
                INTERPRETED: "Interpreted",
                GARBLED: "Unreadable cells (kept as published, no value)",
                RECONCILIATION: "Reconciliation differences",
                UNREAD: "Kept but not interpreted",
            }
            for kind, heading in headings.items():
                notes = ret.notes_of(kind)
                if notes:
                    lines.append(f"{heading}:")
                    lines += [f"  - {n.message}" for n in notes]
        return "\n".join(lines)


@dataclass(frozen=True)
class ReturnSummary:
    return_id: int
    source_name: str
    layout: str
    title: str | None
    period_label: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    content_hash: str
    imported_at: dt.datetime | None
    cells: int
    notes: dict[str, int]


# --- small helpers -------------------------------------------------------------------------


def _key(text: str) -> str:
    """A header or label as an identifier.

    ``Cautions as a % of all SDs`` -> ``cautions_as_a_pct_of_all_sds``.
    """
    t = _FOOTNOTE.sub("", text).lower()
    for quote in ("'", "’", "‘", '"'):
        t = t.replace(quote, "")
    t = t.replace("%", " pct ").replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_")


def _fmt(n: float | int | None) -> str:
    if n is None:
        return "—"
    if float(n).is_integer():
        return f"{int(n):,}"
    return f"{n:,.2f}"


def _unify_newlines(text: str | None) -> str | None:
    return None if text is None else text.replace("\r\n", "\n").replace("\r", "\n")


def table_identity(layout: str, cells: Iterable[Cell]) -> str:
    """SHA-256 of a table as published: its layout and each cell's place, names and text.

    Two files that read as the same cells (whatever their line endings, byte-order mark,
    quoting or blank lines) have the same identity; so do a return as read and as stored.
    """
    digest = hashlib.sha256(layout.encode())
    for c in sorted(cells, key=lambda c: (c.row_number, c.column_number)):
        place = [c.row_number, c.column_number, c.column_name, c.row_label, c.raw]
        digest.update(
            json.dumps([_unify_newlines(x) if isinstance(x, str) else x for x in place]).encode()
        )
    return digest.hexdigest()


def _pct(x: float | Fraction, places: int = 2) -> str:
    return f"{float(x) * 100:.{places}f}%"


def _percent(text: str) -> float:
    """``"48.9"`` (per cent) as the nearest float to the fraction 0.489."""
    return float(Decimal(text.replace(",", "")) / 100)


def _last_day(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _fy(year: int, yy: int) -> str | None:
    """``2009, 10`` -> ``2009/10`` when the years are consecutive."""
    return f"{year}/{yy:02d}" if (year + 1) % 100 == yy else None


def _fy_dates(label: str) -> tuple[dt.date, dt.date]:
    year = int(label[:4])
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


@cache
def _force_name() -> str:
    text = resources.files("dsvb.reference").joinpath("data", "forces.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    return rows[0]["force_name"] if len(rows) == 1 else "All areas"


@dataclass(frozen=True)
class _Parsed:
    value: float | None
    kind: str
    status: str
    problem: str | None = None  # why garbled
    footnote: str | None = None  # a footnote mark that was removed


def _parse_value(raw: str | None, kind: str) -> _Parsed:
    """Read one published figure as ``kind``; never guess."""
    if raw is None:
        return _Parsed(None, kind, MISSING)
    text = raw.strip()
    if kind == TEXT:
        return _Parsed(None, TEXT, OK if text else MISSING)
    footnote = None
    stripped = _FOOTNOTE.sub("", text)
    if stripped != text and stripped:
        footnote = text[len(stripped) :].strip()
        text = stripped
    if text.lower() in _MISSING_TEXT:
        return _Parsed(None, kind, MISSING, footnote=footnote)
    money = text.startswith("£")
    if money:
        text = text[1:].strip()
    percent = text.endswith("%")
    if percent:
        text = text[:-1].strip()
    if not _NUMBER.match(text):
        return _Parsed(None, kind, GARBLED, f"{raw.strip()!r} is not a number", footnote)
    number = float(text.replace(",", ""))
    if kind == PROPORTION:
        if not percent:
            return _Parsed(
                None,
                kind,
                GARBLED,
                f"{raw.strip()!r} has no % sign where a percentage is expected",
                footnote,
            )
        return _Parsed(float(Decimal(text.replace(",", "")) / 100), kind, OK, footnote=footnote)
    if percent:
        return _Parsed(
            None, kind, GARBLED, f"{raw.strip()!r} is a percentage where a {kind} is expected"
        )
    if kind == COUNT:
        if money:
            return _Parsed(
                None, kind, GARBLED, f"{raw.strip()!r} is money where a count is expected"
            )
        if number < 0:
            return _Parsed(None, kind, GARBLED, f"{raw.strip()!r} is negative: not a count")
        if not number.is_integer():
            return _Parsed(None, kind, GARBLED, f"{raw.strip()!r} is not a whole number")
    return _Parsed(number, kind, OK, footnote=footnote)


def printed_decimals(raw: str) -> int:
    """Decimal places a figure was printed with (``48.9%`` -> 1, ``49%`` -> 0)."""
    text = _FOOTNOTE.sub("", raw.strip()).rstrip("%").strip()
    return len(text.split(".", 1)[1]) if "." in text else 0


def check_printed(numerator: float, denominator: float, printed: str) -> str:
    """Compare a printed percentage (or ratio) with the one recomputed from its counts.

    ``ok``: the printed figure is the recomputed one rounded to the printed precision
    (either way at an exact half); ``truncated``: it fits only if the recomputed figure was
    cut off rather than rounded; ``differs``: it fits neither reading.
    """
    text = _FOOTNOTE.sub("", printed.strip())
    percent = text.endswith("%")
    number = text.rstrip("%").strip().replace(",", "")
    try:
        shown = Fraction(Decimal(number))
    except (InvalidOperation, ValueError):
        return "differs"
    computed = Fraction(numerator) / Fraction(denominator) * (100 if percent else 1)
    step = Fraction(1, 10 ** printed_decimals(printed))
    diff = computed - shown
    if abs(diff) <= step / 2:
        return "ok"
    if 0 <= diff < step:
        return "truncated"
    return "differs"


def _readings(numerator: float, denominator: float, printed: str) -> str:
    """``47.76%, which is 48% rounded or 47% truncated``."""
    percent = printed.strip().endswith("%")
    places = printed_decimals(printed)
    scale = 100 if percent else 1
    computed = Fraction(numerator) / Fraction(denominator) * scale
    exact = Decimal(computed.numerator) / Decimal(computed.denominator)
    q = Decimal(1).scaleb(-places)
    rounded = exact.quantize(q, rounding="ROUND_HALF_UP")
    truncated = exact.quantize(q, rounding="ROUND_DOWN")
    sign = "%" if percent else ""
    shown = f"{float(exact):.{places + 2}f}{sign}"
    if rounded == truncated:
        return f"{shown}, which is {rounded}{sign} rounded or truncated"
    return f"{shown}, which is {rounded}{sign} rounded or {truncated}{sign} truncated"


# --- reading -------------------------------------------------------------------------------


@dataclass
class _Build:
    """What a layout reader hands back."""

    cells: list[Cell]
    notes: list[Note]
    garbled: dict[tuple[int, str], str]  # (row, column) -> problem
    period_label: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    title: str | None


def _decode(source: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8-sig", errors="replace")
        line = data[: exc.start].count(b"\n") + 1
        row: int | str = "header row" if line == 1 else line - 1
        column = None
        try:
            rows = list(csv.reader(io.StringIO(text)))
            header = rows[0] if rows else []
            fields = rows[line - 1] if len(rows) >= line else []
            for i, value in enumerate(fields):
                if "\ufffd" in value:
                    column = header[i] if i < len(header) and line > 1 else f"#{i + 1}"
                    break
        except csv.Error:
            pass
        raise ReturnError(
            source,
            f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; "
            "save the file as UTF-8 and import it again",
            row=row,
            line=line,
            column=column,
        ) from None


def _open_quote(text: str) -> tuple[int, int] | None:
    """``(line, field index)`` of a quote that opens a cell and is never closed, else None.

    Follows the csv module's reading (a quote opens a cell only at its start, ``""`` inside a
    quoted cell is a quote), which without ``strict`` reads an unclosed quote to the end of
    the file as one cell. Lines are counted as the reader counts them (by ``\\n``).
    """
    if '"' not in text:
        return None
    line, field_index = 1, 0
    quoted, at_start = False, True
    opened = (0, 0)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quoted:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 2
                    continue
                quoted = False
            elif ch == "\n":
                line += 1
        elif ch == '"' and at_start:
            quoted, at_start, opened = True, False, (line, field_index)
        elif ch == ",":
            at_start, field_index = True, field_index + 1
        elif ch in "\r\n":
            at_start, field_index = True, 0
            line += ch == "\n"
        else:
            at_start = False
        i += 1
    return opened if quoted else None


_OTHER_DELIMITERS = ((";", "semicolons"), ("\t", "tabs"))


def _parse_csv(source: str, text: str) -> tuple[list[str], list[tuple[int, int, list[str]]]]:
    """The header and the data rows as ``(row_number, line, fields)``, blank lines skipped."""
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    header_line = 1
    rows: list[tuple[int, int, list[str]]] = []
    try:
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue
            if header is None:
                header = fields
                header_line = reader.line_num
                continue
            rows.append((len(rows) + 1, reader.line_num, fields))
    except csv.Error as exc:
        raise ReturnError(
            source, f"not a readable CSV file: {exc}", row=len(rows) + 1, line=reader.line_num
        ) from None
    opened = _open_quote(text)
    if opened is not None:
        line, index = opened
        last = text.count("\n") + (not text.endswith("\n"))
        in_header = header is None or line <= header_line
        fields = (header or []) if in_header else rows[-1][2]
        cell = (
            fields[index].replace("\r", "").replace("\n", " ").strip()
            if index < len(fields)
            else ""
        )
        lines = f"line {line}" if last <= line else f"lines {line} to {last}"
        raise ReturnError(
            source,
            "unbalanced quote: the '\"' that opens this cell is never closed, so the rest of "
            f"the file ({lines}) was read as one cell, "
            f"{cell if len(cell) <= 40 else cell[:40] + '…'!r}; close the quote or remove it",
            row="header row" if in_header else rows[-1][0],
            line=line,
            column=(header or [])[index]
            if not in_header and index < len(header or [])
            else f"#{index + 1}",
        )
    if header is None:
        raise ReturnError(
            source,
            "the file is empty: expected a header such as 'borough,dv_incidents,...', "
            "'measure,2009/10', 'indicator,value,comparator,note' or 'offence,incidents,...'",
            row="header row",
            line=1,
            column="#1",
        )
    if len(header) == 1:
        for delimiter, name in _OTHER_DELIMITERS:
            parts = header[0].split(delimiter)
            if len(parts) > 1 and all(p.strip() for p in parts):
                raise ReturnError(
                    source,
                    f"the header {header[0]!r} is separated by {name} ({delimiter!r}), not "
                    "commas: a return must be comma-separated (CSV); save it with ',' as the "
                    "delimiter and import it again",
                    row="header row",
                    line=header_line,
                )
    seen: set[str] = set()
    for i, name in enumerate(header):
        if not name.strip():
            raise ReturnError(source, "empty column name", row="header row", column=f"#{i + 1}")
        if name.strip() in seen:
            raise ReturnError(
                source, "column appears twice in the header", row="header row", column=name
            )
        seen.add(name.strip())
    for number, line, fields in rows:
        if len(fields) > len(header):
            raise ReturnError(
                source,
                f"{len(fields)} cells where the header has {len(header)} columns: "
                f"cannot tell which column {fields[len(header)]!r} belongs to",
                row=number,
                line=line,
                column=f"#{len(header) + 1}",
            )
    if not rows:
        raise ReturnError(
            source,
            f"no data rows after the header {','.join(header)!r}: the return has no figures; "
            "nothing was stored",
            row="header row",
            line=header_line,
        )
    return header, rows


def _detect_layout(source: str, header: list[str]) -> str:
    first = _key(header[0])
    if first in _BY_AREA_FIRST:
        return BY_AREA
    if first == "measure":
        return MEASURE_BY_PERIOD
    if first in ("indicator", "key"):
        return KEY_VALUE
    if first in ("offence", "offences", "offence_s"):
        return OFFENCE_HEADLINE
    raise ReturnError(
        source,
        f"cannot recognise the layout from the header {','.join(header)!r}: the first column "
        "should be borough, borough_or_unit or area (a table by area), measure (a measure by "
        "period table), indicator (indicator,value,comparator,note) or offence (a headline "
        "table)",
        row="header row",
        line=1,
        column=header[0],
    )


def _lookup_plain(key: str) -> str | None:
    for _ in range(4):
        if key in _MEASURE_SYNONYMS:
            return _MEASURE_SYNONYMS[key]
        if "_as_a_pct_of_" in key:
            num, den = key.split("_as_a_pct_of_", 1)
            parts = (_lookup_plain(num), _lookup_plain(den))
            return _RATE_BY_PARTS.get(parts)  # type: ignore[arg-type]
        if key.endswith("_pct"):
            key = key[: -len("_pct")]
            continue
        if key.startswith("pct_"):
            key = key[len("pct_") :]
            continue
        for word in _LEADING_WORDS:
            if key.startswith(word):
                key = key[len(word) :]
                break
        else:
            return None
    return None


def _lookup_measure(label: str) -> tuple[str | None, str] | None:
    """``dv_sanction_detections`` -> ``("dv", "sanction_detections")``."""
    key = re.sub(r"^scd\d+_", "", _key(label))
    for prefix, family in _FAMILY_PREFIXES:
        if key.startswith(prefix):
            measure = _lookup_plain(key[len(prefix) :])
            if measure:
                return family, measure
    measure = _lookup_plain(key)
    return (None, measure) if measure else None


def _period_from_name(stem: str) -> tuple[str | None, dt.date | None, dt.date | None]:
    m = re.search(r"(\d+)m_to_(\d{4})-(\d{2})(?!\d)", stem)
    if m:
        months, year, month = int(m[1]), int(m[2]), int(m[3])
        if 1 <= month <= 12:
            end = _last_day(year, month)
            index = year * 12 + month - months
            start = dt.date(index // 12, index % 12 + 1, 1)
            return f"{months} months to {_MONTHS[month - 1]} {year}", start, end
    m = re.search(r"(\d{4})-(\d{2})_vs_(\d{4})-(\d{2})", stem)
    if m:
        a, b = _fy(int(m[1]), int(m[2])), _fy(int(m[3]), int(m[4]))
        if a and b:
            starts = sorted([_fy_dates(a), _fy_dates(b)])
            return f"{a} vs {b}", starts[0][0], starts[-1][1]
    m = re.search(r"(?<!\d)(\d{4})-(\d{2})(?!\d)", stem)
    if m:
        label = _fy(int(m[1]), int(m[2]))
        if label:
            start, end = _fy_dates(label)
            return label, start, end
    return None, None, None


def _title_from_name(stem: str) -> str:
    words = re.sub(r"_?(\d+m_to_)?\d{4}-\d{2}(_vs_\d{4}-\d{2})?", "", stem).split("_")
    upper = {"dv", "vaw", "mps", "scd1", "scd2", "scd5", "scd9", "cdrp"}
    text = " ".join(w.upper() if w in upper else w for w in words if w)
    return text[:1].upper() + text[1:]


def _name_tokens(stem: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", stem.lower()) if t]


def _family_from_name(stem: str) -> tuple[str | None, str | None]:
    """(family, unit) named by a file name such as ``scd2_sexual_offences_...``."""
    tokens = _name_tokens(stem)
    unit = next((t.upper() for t in tokens if t.upper() in units() and t.startswith("scd")), None)
    if unit in _UNIT_FAMILY:
        return _UNIT_FAMILY[unit], unit
    if "dv" in tokens or "domestic" in tokens:
        return "dv", unit
    if "serious" in tokens and "sexual" in tokens:
        return "serious_sexual", unit
    if "sexual" in tokens:
        return "sexual", unit
    return None, unit


def read_return(path: str | os.PathLike[str]) -> PublishedReturn:
    """Read one published return; see the module docstring for what is handled and how."""
    path = Path(path)
    source = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReturnError(source, f"cannot be read: {exc.strerror or exc}") from None
    return _read_bytes(source, data)


def _read_bytes(source: str, data: bytes) -> PublishedReturn:
    content_hash = hashlib.sha256(data).hexdigest()
    text = _decode(source, data)
    header, rows = _parse_csv(source, text)
    layout = _detect_layout(source, header)
    stem = Path(source).stem
    reader = {
        BY_AREA: _read_by_area,
        MEASURE_BY_PERIOD: _read_measure_by_period,
        KEY_VALUE: _read_key_value,
        OFFENCE_HEADLINE: _read_headline,
    }[layout]
    build = reader(source, stem, header, rows)
    cells = tuple(build.cells)
    notes = list(build.notes)
    draft = PublishedReturn(
        source,
        content_hash,
        layout,
        build.title,
        build.period_label,
        build.period_start,
        build.period_end,
        cells,
        (),
    )
    notes.extend(_reconcile(draft, build.garbled))
    return replace(draft, notes=tuple(notes))


def _strip_header(source: str, name: str, notes: list[Note]) -> str:
    cleaned = _FOOTNOTE.sub("", name).strip()
    if cleaned != name.strip():
        notes.append(
            Note(
                NORMALISED,
                None,
                name,
                f"header {name.strip()!r}: footnote mark {name.strip()[len(cleaned) :].strip()!r} "
                f"removed, read as {cleaned!r}",
            )
        )
    return cleaned


def _value_cells(
    source: str,
    row_number: int,
    row_label: str,
    fields: list[str],
    columns: Sequence[tuple[int, str, str | None, str]],  # (index, name, family, measure)
    base: dict[str, Any],
    notes: list[Note],
    garbled: dict[tuple[int, str], str],
) -> list[Cell]:
    out = []
    for index, name, family, measure in columns:
        raw = fields[index] if index < len(fields) else None
        kind = measure_kind(measure)
        parsed = _parse_value(raw, kind)
        if raw is None:
            notes.append(
                Note(
                    UNREAD,
                    row_number,
                    name,
                    f"row {row_number} {row_label!r} has no cell in column {name}; read as missing",
                )
            )
        if parsed.footnote:
            notes.append(
                Note(
                    NORMALISED,
                    row_number,
                    name,
                    f"row {row_number} {row_label!r}, column {name}: footnote mark "
                    f"{parsed.footnote!r} removed from {raw.strip()!r}",  # type: ignore[union-attr]
                )
            )
        if parsed.status == GARBLED:
            garbled[(row_number, name)] = parsed.problem or "not readable"
        out.append(
            Cell(
                row_number,
                row_label,
                index,
                name,
                raw,
                parsed.value,
                parsed.kind,
                parsed.status,
                family=family,
                measure=measure,
                **base,
            )
        )
    return out


def _measure_columns(
    source: str, header: list[str], notes: list[Note], *, need_family: bool, stem: str
) -> list[tuple[int, str, str | None, str]]:
    columns = []
    seen: dict[tuple[str | None, str], str] = {}
    name_family: str | None = None
    for index, name in enumerate(header[1:], start=1):
        cleaned = _strip_header(source, name, notes)
        found = _lookup_measure(cleaned)
        if found is None:
            raise ReturnError(
                source,
                f"{name!r} is not a known measure (expected e.g. dv_incidents, dv_offences, "
                "dv_sanction_detections, dv_charges, dv_cautions, sexual_offence_cautions, "
                "dv_sd_rate)",
                row="header row",
                line=1,
                column=name,
            )
        family, measure = found
        if need_family and family is None:
            if name_family is None:
                name_family, _ = _family_from_name(stem)
                if name_family is None:
                    raise ReturnError(
                        source,
                        f"{name!r} does not say which family it counts (dv_, sexual_, "
                        "serious_sexual_) and neither does the file name",
                        row="header row",
                        line=1,
                        column=name,
                    )
                notes.append(
                    Note(
                        INTERPRETED,
                        None,
                        name,
                        f"column {name!r} names no family; read as {name_family} from the "
                        f"file name {stem!r}",
                    )
                )
            family = name_family
        if (family, measure) in seen:
            raise ReturnError(
                source,
                f"reads as {family or ''} {measure}, "
                f"the same as column {seen[(family, measure)]!r}",
                row="header row",
                line=1,
                column=name,
            )
        seen[(family, measure)] = name
        columns.append((index, name, family, measure))
    return columns


def _label_cell(row_number: int, label: str, first: str, base: dict[str, Any]) -> Cell:
    return Cell(row_number, label, 0, first, label, None, TEXT, OK, **base)


def _classify_area_row(
    source: str, row_number: int, line: int, label: str, first: str, notes: list[Note]
) -> dict[str, Any]:
    """The row's identity: an area, a specialist unit or a total."""
    text = label.strip()
    if not text:
        raise ReturnError(source, "empty row label", row=row_number, line=line, column=first)
    key = normalise_name(text)
    if key in _TOTAL_LABELS:
        return {"is_total": True, "scope": _TOTAL_LABELS[key]}
    m = _UNIT_LABEL.match(key)
    if m:
        code = f"SCD{m[2]}"
        unit = units().get(code)
        if unit is None or unit.kind != "specialist":
            raise ReturnError(
                source,
                f"{text!r} is not a known specialist unit (known: "
                f"{', '.join(u.code for u in units().values() if u.kind == 'specialist')})",
                row=row_number,
                line=line,
                column=first,
            )
        if text != code:
            notes.append(
                Note(
                    NORMALISED,
                    row_number,
                    first,
                    f"row {row_number} {text!r} read as unit {code} ({unit.name})",
                )
            )
        return {"unit": code}
    match = areas().match(text)
    if match.area is None:
        raise ReturnError(
            source,
            f"{text!r} is not a known area, specialist unit (SCD1, SCD2, SCD5, SCD9) or total row "
            "(Borough Total, Non-Borough Total, MPS Total)",
            row=row_number,
            line=line,
            column=first,
        )
    if match.changed:
        how = {"normalised": "", "variant": " (a known variant)"}.get(match.how, "")
        if match.how == "similar":
            how = f" by similarity ({match.score:.0f}%); check the source"
        notes.append(
            Note(
                NORMALISED,
                row_number,
                first,
                f"row {row_number} {text!r} read as {match.area.name} ({match.area.code}){how}",
            )
        )
    return {"area_code": match.area.code}


def _read_by_area(
    source: str, stem: str, header: list[str], rows: list[tuple[int, int, list[str]]]
) -> _Build:
    notes: list[Note] = []
    garbled: dict[tuple[int, str], str] = {}
    first = header[0]
    columns = _measure_columns(source, header, notes, need_family=True, stem=stem)
    label, start, end = _period_from_name(stem)
    cells: list[Cell] = []
    seen: dict[tuple[str, str], tuple[int, str]] = {}
    for number, line, fields in rows:
        row_label = fields[0]
        base = _classify_area_row(source, number, line, row_label, first, notes)
        identity = (
            ("area", base["area_code"])
            if "area_code" in base
            else ("unit", base["unit"])
            if "unit" in base
            else ("total", base["scope"])
        )
        if identity in seen:
            other_row, other_label = seen[identity]
            raise ReturnError(
                source,
                f"{row_label.strip()!r} reads as the same {identity[0]} ({identity[1]}) as row "
                f"{other_row} {other_label.strip()!r}; a return may have one row for each "
                "(correct the duplicate row or the name)",
                row=number,
                line=line,
                column=first,
            )
        seen[identity] = (number, row_label)
        base["period_label"] = label
        cells.append(_label_cell(number, row_label, first, base))
        cells.extend(_value_cells(source, number, row_label, fields, columns, base, notes, garbled))
    title = _title_from_name(stem) + (f", {label}" if label else "")
    return _Build(cells, notes, garbled, label, start, end, title)


_PERIOD_COLUMN = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2})$")


def _read_measure_by_period(
    source: str, stem: str, header: list[str], rows: list[tuple[int, int, list[str]]]
) -> _Build:
    notes: list[Note] = []
    garbled: dict[tuple[int, str], str] = {}
    first = header[0]
    periods: list[tuple[int, str, str]] = []
    for index, name in enumerate(header[1:], start=1):
        cleaned = _strip_header(source, name, notes)
        m = _PERIOD_COLUMN.match(cleaned)
        label = _fy(int(m[1]), int(m[2])) if m else None
        if label is None and re.fullmatch(r"\d{4}", cleaned):
            label = cleaned
        if label is None:
            raise ReturnError(
                source,
                f"{name!r} is not a period label such as 2009/10",
                row="header row",
                line=1,
                column=name,
            )
        periods.append((index, name, label))
    family, unit = _family_from_name(stem)
    if family is None:
        family = "unspecified"
        notes.append(
            Note(
                INTERPRETED,
                None,
                None,
                "no family named in the header or the file name; "
                "figures carry family 'unspecified'",
            )
        )
    else:
        notes.append(
            Note(
                INTERPRETED,
                None,
                None,
                f"family {family}"
                + (f" and unit {unit}" if unit else "")
                + f" taken from the file name {stem!r}",
            )
        )
    cells: list[Cell] = []
    seen: dict[str, tuple[int, str]] = {}
    for number, line, fields in rows:
        row_label = fields[0]
        found = _lookup_measure(row_label) if row_label.strip() else None
        if found is None:
            raise ReturnError(
                source,
                f"{row_label.strip()!r} is not a known measure (e.g. Incidents, Crimes, "
                "Sanction Detections, Number of Cautions, Crimes as a % of Incidents)",
                row=number,
                line=line,
                column=first,
            )
        measure = found[1]
        if measure in seen:
            raise ReturnError(
                source,
                f"{row_label.strip()!r} reads as {measure}, the same as row {seen[measure][0]} "
                f"{seen[measure][1].strip()!r}",
                row=number,
                line=line,
                column=first,
            )
        seen[measure] = (number, row_label)
        base = {"unit": unit, "scope": None if unit else FORCE}
        cells.append(_label_cell(number, row_label, first, base))
        for index, name, label in periods:
            cells.extend(
                _value_cells(
                    source,
                    number,
                    row_label,
                    fields,
                    [(index, name, family, measure)],
                    {**base, "period_label": label},
                    notes,
                    garbled,
                )
            )
    name_label, start, end = _period_from_name(stem)
    if name_label is None:
        labels = [p[2] for p in periods]
        name_label = " vs ".join(labels)
        fy = [_fy_dates(x) for x in labels if "/" in x]
        if fy:
            start, end = min(d[0] for d in fy), max(d[1] for d in fy)
    title = _title_from_name(stem) + f", {name_label}"
    return _Build(cells, notes, garbled, name_label, start, end, title)


_KV_PERIODS = (
    (re.compile(r"_(\d{4}-\d{2})_to_(\d{4}-\d{2})$"), lambda m: f"{m[1]} to {m[2]}"),
    (re.compile(r"_from_(\d{4}-\d{2})$"), lambda m: f"from {m[1]}"),
    (re.compile(r"_last_(\d+)_months?$"), lambda m: f"last {m[1]} months"),
    (re.compile(r"_(\d+)_?(?:yr|yrs|years?)$"), lambda m: f"last {m[1]} years"),
    (re.compile(r"_(\d+)_?(?:m|months?)$"), lambda m: f"last {m[1]} months"),
    (re.compile(r"_(\d{4})-(\d{2})$"), lambda m: _fy(int(m[1]), int(m[2]))),
)


def _parse_kv_key(key: str) -> tuple[str | None, str, str | None] | None:
    """A key-value return's indicator name as (family, measure, period).

    ``cad_to_cris_conversion_2007-04_to_2007-07`` -> ``(None, "cad_to_cris", "2007-04 to
    2007-07")``.
    """
    k = key.strip().lower()
    money = k.endswith("_gbp")
    if money:
        k = k[: -len("_gbp")]
    period = None
    for pattern, label in _KV_PERIODS:
        m = pattern.search(k)
        if m and label(m):
            period = label(m)
            k = k[: m.start()]
            break
    tokens = [t for t in re.split(r"[^a-z0-9]+", k) if t]
    family = None
    if "dv" in tokens:
        family = "dv"
        tokens = [t for t in tokens if t != "dv"]
    rest = "_".join(tokens)
    measure = _KV_MEASURES.get(rest)
    if measure is None:
        found = _lookup_measure(("dv_" if family else "") + rest)
        if found is None:
            return None
        family = found[0] or family
        measure = found[1]
    if money and measure_kind(measure) != MONEY:
        return None
    return family, measure, period


_COMPARATOR_OF = re.compile(r"^of\s+(\d[\d,]*)$", re.IGNORECASE)


def _read_key_value(
    source: str, stem: str, header: list[str], rows: list[tuple[int, int, list[str]]]
) -> _Build:
    notes: list[Note] = []
    garbled: dict[tuple[int, str], str] = {}
    keys = [_key(h) for h in header]
    for i, k in enumerate(keys):
        if k not in _KV_COLUMNS:
            raise ReturnError(
                source,
                f"{header[i]!r} is not a column of an indicator,value,comparator,note return",
                row="header row",
                line=1,
                column=header[i],
            )
    if "value" not in keys:
        raise ReturnError(source, "no value column", row="header row", line=1, column=header[0])
    col = {k: i for i, k in enumerate(keys)}
    first = header[0]

    parsed_rows = []
    seen: dict[tuple[str | None, str, str | None], int] = {}
    for number, line, fields in rows:
        label = fields[0]
        found = _parse_kv_key(label) if label.strip() else None
        if found is None:
            raise ReturnError(
                source,
                f"{label.strip()!r} is not a known indicator (e.g. dv_incidents, dv_offences, "
                "dv_sanction_detection_rate, victims_3yr, repeat_victims_3yr, period_start)",
                row=number,
                line=line,
                column=first,
            )
        if found in seen:
            raise ReturnError(
                source,
                f"{label.strip()!r} repeats row {seen[found]}",
                row=number,
                line=line,
                column=first,
            )
        seen[found] = number
        parsed_rows.append((number, line, fields, found))

    def field_of(fields: list[str], name: str) -> str | None:
        i = col.get(name)
        return fields[i] if i is not None and i < len(fields) else None

    # the return's own period and area
    period_start = period_end = None
    stated: dict[str, tuple[int, int]] = {}  # period_start / period_end -> (row, line)
    area_code = None
    for number, line, fields, (_, measure, _) in parsed_rows:
        value = (field_of(fields, "value") or "").strip()
        if measure in ("period_start", "period_end"):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                raise ReturnError(
                    source,
                    f"{value!r} is not a date (YYYY-MM-DD)",
                    row=number,
                    line=line,
                    column=header[col["value"]],
                ) from None
            stated[measure] = (number, line)
            if measure == "period_start":
                period_start = day
            else:
                period_end = day
        elif measure == "area":
            match = areas().match(value)
            if match.area is None:
                raise ReturnError(
                    source,
                    f"{value!r} is not a known area",
                    row=number,
                    line=line,
                    column=header[col["value"]],
                )
            area_code = match.area.code
            if match.changed:
                notes.append(
                    Note(
                        NORMALISED,
                        number,
                        header[col["value"]],
                        f"row {number} area {match.describe()}",
                    )
                )
    if area_code is None:
        tokens = _name_tokens(Path(source).stem)
        for n in range(len(tokens), 0, -1):
            match = areas().match(" ".join(tokens[:n]))
            if match.area is not None and match.how != "similar":
                area_code = match.area.code
                notes.append(
                    Note(
                        INTERPRETED,
                        None,
                        None,
                        f"the return names no area; {' '.join(tokens[:n])!r} in the file name "
                        f"read as {match.area.name} ({match.area.code})",
                    )
                )
                break
    if area_code is None:
        raise ReturnError(
            source,
            "cannot tell which area this return is for: add a row 'area,<name>' or name the "
            "area in the file name",
            row="header row",
            column=first,
        )
    label, period_start, period_end = _kv_period(
        source, stem, header[col["value"]], period_start, period_end, stated, notes
    )

    # one family for rows that do not name one, when the return names exactly one
    named = {f for _, _, _, (f, m, _) in parsed_rows if f and m not in TEXT_MEASURES}
    default_family = next(iter(named)) if len(named) == 1 else None
    unnamed = [
        fields[0].strip()
        for _, _, fields, (f, m, _) in parsed_rows
        if f is None and m not in TEXT_MEASURES
    ]
    if unnamed and default_family:
        notes.append(
            Note(
                INTERPRETED,
                None,
                first,
                f"rows that name no family ({', '.join(unnamed)}) read as {default_family}, the "
                "only family this return names",
            )
        )

    cells: list[Cell] = []
    for number, _line, fields, (family, measure, row_period) in parsed_rows:
        label_text = fields[0]
        text_row = measure in TEXT_MEASURES
        base = {
            "area_code": area_code,
            "period_label": None if text_row else (row_period or label),
        }
        cells.append(_label_cell(number, label_text, first, base))
        fam = None if text_row else family or default_family or "unspecified"
        value_measure = measure
        columns = [(col["value"], header[col["value"]], fam, value_measure)]
        cells.extend(
            _value_cells(source, number, label_text, fields, columns, base, notes, garbled)
        )
        if "comparator" in col:
            name = header[col["comparator"]]
            raw = field_of(fields, "comparator")
            m = _COMPARATOR_OF.match((raw or "").strip())
            den = DENOMINATOR_OF.get(measure)
            if m and den:
                parsed = _parse_value(m[1], COUNT)
                if parsed.status == GARBLED:
                    garbled[(number, name)] = parsed.problem or "not readable"
                cells.append(
                    Cell(
                        number,
                        label_text,
                        col["comparator"],
                        name,
                        raw,
                        parsed.value,
                        COUNT,
                        parsed.status,
                        family=fam,
                        measure=den,
                        **base,
                    )
                )
            else:
                cells.append(
                    Cell(
                        number,
                        label_text,
                        col["comparator"],
                        name,
                        raw,
                        None,
                        TEXT,
                        OK if raw and raw.strip() else MISSING,
                        family=fam,
                        measure="comparator",
                        **base,
                    )
                )
                leftover = _comparators(raw)[1]
                if leftover:
                    notes.append(
                        Note(
                            UNREAD,
                            number,
                            name,
                            f"row {number} {label_text.strip()!r}: comparator {leftover!r} "
                            "kept as text, not read",
                        )
                    )
        if "note" in col:
            raw = field_of(fields, "note")
            cells.append(
                Cell(
                    number,
                    label_text,
                    col["note"],
                    header[col["note"]],
                    raw,
                    None,
                    TEXT,
                    OK if raw and raw.strip() else MISSING,
                    family=fam,
                    measure="note",
                    **base,
                )
            )
    cells = _reinterpret_caution_rate(cells, notes)
    title = f"{areas().by_code(area_code).name} return" + (f", {label}" if label else "")
    return _Build(cells, notes, garbled, label, period_start, period_end, title)


def _kv_period(
    source: str,
    stem: str,
    column: str,
    start: dt.date | None,
    end: dt.date | None,
    stated: dict[str, tuple[int, int]],
    notes: list[Note],
) -> tuple[str | None, dt.date | None, dt.date | None]:
    """A key-value return's period: the dates it states, else those its file name gives.

    An impossible period (start after end) is an error; dates that disagree with the
    period in the file name get a reconciliation note (the dates the return states are used).
    """
    name_label, name_start, name_end = _period_from_name(stem)
    given = {"period_start": start, "period_end": end}
    from_name = {"period_start": name_start, "period_end": name_end}
    if start and end:
        label = _kv_period_label(start, end)
    else:
        label, start, end = name_label, start or name_start, end or name_end
    if start and end and start > end:
        which = "period_start" if "period_start" in stated else "period_end"
        row, line = stated[which]
        if len(stated) == 2:
            against = f"period_end {end.isoformat()} (row {stated['period_end'][0]})"
        elif which == "period_start":
            against = f"period_end {end.isoformat()} (from the file name {stem!r})"
        else:
            against = f"period_start {start.isoformat()} (from the file name {stem!r})"
        day = start if which == "period_start" else end
        raise ReturnError(
            source,
            f"{which} {day.isoformat()} is {'after' if which == 'period_start' else 'before'} "
            f"{against}: the period is impossible; correct the date",
            row=row,
            line=line,
            column=column,
        )
    differ = [m for m in stated if name_label and given[m] != from_name[m]]
    if differ:
        if len(stated) == 1:  # the other date comes from the name: label the dates used
            label = _kv_period_label(start, end)  # type: ignore[arg-type]
        said = " and ".join(f"{m} {given[m]} (row {stated[m][0]})" for m in differ)
        notes.append(
            Note(
                RECONCILIATION,
                stated[differ[0]][0],
                column,
                f"the return states {said} but its file name {stem!r} says {name_label} "
                f"({name_start} to {name_end}); read as {label}, as the return states",
            )
        )
    return label, start, end


def _kv_period_label(start: dt.date, end: dt.date) -> str:
    """``2006/07`` for a financial year, else ``2007-04-01 to 2007-07-31``."""
    fy = f"{start.year}/{(start.year + 1) % 100:02d}"
    return fy if (start, end) == _fy_dates(fy) else f"{start.isoformat()} to {end.isoformat()}"


def _reinterpret_caution_rate(cells: list[Cell], notes: list[Note]) -> list[Cell]:
    """A printed 'caution rate' above the SD rate cannot be cautions / offences.

    Cautions are sanction detections, so cautions / offences never exceeds the SD rate; a
    borough sheet's 'caution rate' that does is the caution share of SDs (the MPS measured
    'cautions as a proportion of sanction detections').
    """
    sd = [c for c in cells if c.measure == "sd_rate" and c.ok]
    out = []
    for c in cells:
        if c.measure == "caution_rate" and c.column_number != 0 and c.ok and sd:
            ref = max(sd, key=lambda s: s.value or 0)
            if c.value is not None and ref.value is not None and c.value > ref.value:
                notes.append(
                    Note(
                        INTERPRETED,
                        c.row_number,
                        c.column_name,
                        f"row {c.row_number} {c.row_label.strip()!r} "
                        f"({(c.raw or '').strip()}) read as "
                        "caution_share (cautions / sanction detections), not caution_rate "
                        "(cautions / offences): cautions are sanction detections, so a caution "
                        f"rate cannot exceed the SD rate, printed {(ref.raw or '').strip()} in row "
                        f"{ref.row_number}",
                        expected=ref.value,
                        found=c.value,
                    )
                )
                c = replace(c, measure="caution_share")
        out.append(c)
    return out


def _read_headline(
    source: str, stem: str, header: list[str], rows: list[tuple[int, int, list[str]]]
) -> _Build:
    notes: list[Note] = []
    garbled: dict[tuple[int, str], str] = {}
    first = header[0]
    columns = _measure_columns(source, header, notes, need_family=False, stem=stem)
    label, start, end = _period_from_name(stem)
    cells: list[Cell] = []
    seen: dict[str, int] = {}
    for number, line, fields in rows:
        row_label = fields[0]
        entry = _HEADLINE_ROWS.get(normalise_name(row_label))
        if entry is None:
            raise ReturnError(
                source,
                f"{row_label.strip()!r} is not a known offence row (e.g. Domestic Violence, "
                "Rape, Other Sexual Offences, Total Sexual Offences, Harassment)",
                row=number,
                line=line,
                column=first,
            )
        family, _parent = entry
        if family in seen:
            raise ReturnError(
                source,
                f"{row_label.strip()!r} repeats row {seen[family]}",
                row=number,
                line=line,
                column=first,
            )
        seen[family] = number
        is_total = any(parent == family for _, parent in _HEADLINE_ROWS.values())
        base = {"period_label": label, "scope": FORCE, "is_total": is_total}
        cells.append(replace(_label_cell(number, row_label, first, base), family=family))
        row_columns = [(i, n, family, m) for i, n, _f, m in columns]
        cells.extend(
            _value_cells(source, number, row_label, fields, row_columns, base, notes, garbled)
        )
    title = _title_from_name(stem) + (f", {label}" if label else "")
    return _Build(cells, notes, garbled, label, start, end, title)


# --- figure groups: the figures of one area/unit/total, family and period --------------------


@dataclass(frozen=True)
class Published:
    """A rate as printed: in a cell of its own, or in a note's text."""

    indicator: str
    value: float | None  # a fraction for percentages
    text: str  # as printed, e.g. "49%"
    row_number: int
    column_name: str
    status: str  # ok | garbled
    source: str = "cell"  # cell | note
    comparators: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, eq=False)
class FigureGroup:
    """The figures a return gives for one area (unit, total), family and period."""

    area_code: str
    area_name: str
    cuts: tuple[tuple[str, str], ...]
    family: str
    period_label: str | None
    counts: dict[str, Cell]
    published: dict[str, Published]
    notes_text: tuple[str, ...] = ()

    def count(self, measure: str) -> int | float | None:
        c = self.counts.get(measure)
        return c.number if c is not None and c.ok else None

    def where(self) -> str:
        rows = sorted({(c.row_number, c.row_label.strip()) for c in self.counts.values()})
        if len(rows) == 1:
            return f"row {rows[0][0]} {rows[0][1]!r}"
        period = dict(self.cuts).get("period")
        return self.area_name + (f", {period}" if period else "")


def _entity(ret: PublishedReturn, cell: Cell, has_units: bool) -> tuple[str, str, tuple]:
    cuts: list[tuple[str, str]] = []
    if ret.layout == BY_AREA:
        if cell.area_code:
            code, name = cell.area_code, areas().by_code(cell.area_code).name
            unit = "BOROUGH"
        elif cell.unit:
            code, name, unit = FORCE_AREA, cell.row_label.strip(), cell.unit
        else:
            code, name, unit = FORCE_AREA, cell.row_label.strip(), SCOPE_UNIT[cell.scope or FORCE]
        if has_units:
            cuts.append(("unit", unit))
    elif ret.layout == MEASURE_BY_PERIOD:
        code = FORCE_AREA
        if cell.unit:
            name = units()[cell.unit].name
            cuts.append(("unit", cell.unit))
        else:
            name = _force_name()
    elif ret.layout == KEY_VALUE:
        code = cell.area_code or FORCE_AREA
        name = areas().by_code(code).name if cell.area_code else _force_name()
    else:
        code, name = FORCE_AREA, _force_name()
    return code, name, tuple(cuts)


_NOTE_PCT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%")
_NOTE_PER_REPEAT = re.compile(r"average\s+(\d+(?:\.\d+)?)\s+offences\s+per\s+repeat\s+victim", re.I)
_FORCE_AVERAGE = re.compile(r"^(?:mps|force)\s+average\s+(\d+(?:\.\d+)?)\s*%$", re.I)
_TARGET = re.compile(r"^target\s+(\d+(?:\.\d+)?)\s*%$", re.I)
_RANK = re.compile(r"ranked\s+(\d+)(?:st|nd|rd|th)", re.I)


def _comparators(raw: str | None) -> tuple[tuple[tuple[str, Any], ...], str]:
    """Read ``MPS average 59.7%; target 60%``; returns what was read and what was not."""
    out: list[tuple[str, Any]] = []
    rest: list[str] = []
    for part in (raw or "").split(";"):
        text = part.strip()
        if not text:
            continue
        if m := _FORCE_AVERAGE.match(text):
            out.append(("force_average", _percent(m[1])))
        elif m := _TARGET.match(text):
            out.append(("target", _percent(m[1])))
        elif m := _RANK.search(text):
            out.append(("rank", int(m[1])))
        elif _COMPARATOR_OF.match(text):
            continue
        else:
            rest.append(text)
    return tuple(out), "; ".join(rest)


def figure_groups(ret: PublishedReturn) -> list[FigureGroup]:
    """Group a return's cells into figures per area/unit/total, family and period."""
    has_units = any(c.unit or c.scope in (BOROUGHS, SPECIALIST_UNITS) for c in ret.cells)
    periods = {c.period_label for c in ret.cells if c.period_label and c.column_number}
    many_periods = len(periods) > 1
    groups: dict[tuple, dict[str, Any]] = {}
    by_row: dict[int, list[Cell]] = defaultdict(list)
    for c in ret.cells:
        by_row[c.row_number].append(c)
    for c in ret.cells:
        if c.column_number == 0 or not c.family or not c.measure:
            continue
        code, name, cuts = _entity(ret, c, has_units)
        if many_periods and c.period_label:
            cuts = (*cuts, ("period", c.period_label))
        key = (code, cuts, c.family, c.period_label)
        g = groups.setdefault(
            key,
            {"name": name, "counts": {}, "published": {}, "notes": []},
        )
        kind = c.value_kind
        if c.measure in RATES and kind in (PROPORTION, RATIO):
            comparators: tuple[tuple[str, Any], ...] = ()
            for other in by_row[c.row_number]:
                if other.measure == "comparator":
                    comparators += _comparators(other.raw)[0]
                elif other.measure == "note":
                    comparators += (
                        _comparators(other.raw)[0] if _RANK.search(other.raw or "") else ()
                    )
            g["published"][c.measure] = Published(
                c.measure,
                c.value,
                (c.raw or "").strip(),
                c.row_number,
                c.column_name,
                OK if c.ok else c.status,
                "cell",
                comparators,
            )
        elif kind in (COUNT, MONEY) or c.measure in PROPORTION_MEASURES:
            g["counts"][c.measure] = c
        elif c.measure == "note" and c.raw and c.raw.strip():
            g["notes"].append((c, by_row[c.row_number]))
    out = []
    for (code, cuts, family, period), g in groups.items():
        published = dict(g["published"])
        counts = g["counts"]
        for note_cell, row_cells in g["notes"]:
            row_measure = next(
                (
                    x.measure
                    for x in row_cells
                    if x.column_name != note_cell.column_name
                    and x.column_number
                    and x.measure in COUNT_MEASURES
                ),
                None,
            )
            text = note_cell.raw or ""
            if row_measure and (m := _NOTE_PCT.match(text)):
                rates = [
                    r for r, (num, den) in RATES.items() if num == row_measure and den in counts
                ]
                if len(rates) == 1 and rates[0] not in published:
                    published[rates[0]] = Published(
                        rates[0],
                        _percent(m[1]),
                        f"{m[1]}%",
                        note_cell.row_number,
                        note_cell.column_name,
                        OK,
                        "note",
                    )
            m = _NOTE_PER_REPEAT.search(text)
            if m and "offences_per_repeat_victim" not in published:
                published["offences_per_repeat_victim"] = Published(
                    "offences_per_repeat_victim",
                    float(m[1]),
                    m[1],
                    note_cell.row_number,
                    note_cell.column_name,
                    OK,
                    "note",
                )
        out.append(
            FigureGroup(
                code,
                g["name"],
                cuts,
                family,
                period,
                counts,
                published,
                tuple(n.raw or "" for n, _ in g["notes"]),
            )
        )
    return out


# --- reconciliation ------------------------------------------------------------------------


def _reconcile(ret: PublishedReturn, garbled: dict[tuple[int, str], str]) -> list[Note]:
    notes: list[Note] = []
    implications: dict[tuple[int, str], list[str]] = defaultdict(list)
    implied_values: dict[tuple[int, str], float] = {}
    if ret.layout in (BY_AREA, OFFENCE_HEADLINE):
        notes.extend(_totals(ret, implications, implied_values))
    groups = figure_groups(ret)
    for g in groups:
        notes.extend(_parts(g))
        notes.extend(_printed_rates(g))
        if ret.layout == KEY_VALUE:
            for p in g.published.values():
                if p.source == "note":
                    notes.append(
                        Note(
                            INTERPRETED,
                            p.row_number,
                            p.column_name,
                            f"row {p.row_number}: the note's {p.text} read as the published "
                            f"{p.indicator} ({g.area_name}, {g.family}, {g.period_label})",
                            found=p.value,
                        )
                    )
    garbled_notes = []
    labels = {c.row_number: c.row_label.strip() for c in ret.cells}
    for (row, column), problem in garbled.items():
        message = (
            f"{ret.source_name} row {row} {labels[row]!r}, column {column}: {problem}; "
            "stored as garbled with no value (the rest of the row is kept)"
        )
        if implications.get((row, column)):
            message += "; " + "; ".join(implications[(row, column)])
        garbled_notes.append(
            Note(GARBLED, row, column, message, expected=implied_values.get((row, column)))
        )
    return garbled_notes + notes


def _relations(ret: PublishedReturn) -> list[tuple[Cell, list[Cell], str]]:
    """(total row's label cell, part rows' label cells, description of the parts)."""
    labels = [c for c in ret.cells if c.column_number == 0]
    if ret.layout == OFFENCE_HEADLINE:
        out = []
        for total in (c for c in labels if c.is_total):
            parts = [
                c
                for c in labels
                if _HEADLINE_ROWS.get(normalise_name(c.row_label), (None, None))[1] == total.family
            ]
            if parts:
                names = " + ".join(p.row_label.strip() for p in parts)
                out.append((total, parts, names))
        return out
    area_rows = [c for c in labels if c.area_code]
    unit_rows = [c for c in labels if c.unit and not c.is_total]
    totals = {c.scope: c for c in labels if c.is_total}
    boroughs = f"the {len(area_rows)} borough rows" + _missing_boroughs(area_rows)
    out = []
    if BOROUGHS in totals:
        out.append((totals[BOROUGHS], area_rows, boroughs))
    if SPECIALIST_UNITS in totals:
        out.append((totals[SPECIALIST_UNITS], unit_rows, f"the {len(unit_rows)} unit rows"))
    if FORCE in totals:
        parts: list[Cell] = []
        words = []
        if BOROUGHS in totals:
            parts.append(totals[BOROUGHS])
            words.append(totals[BOROUGHS].row_label.strip())
        elif area_rows:
            parts.extend(area_rows)
            words.append(boroughs)
        if SPECIALIST_UNITS in totals:
            parts.append(totals[SPECIALIST_UNITS])
            words.append(totals[SPECIALIST_UNITS].row_label.strip())
        elif unit_rows:
            parts.extend(unit_rows)
            words.append(f"the {len(unit_rows)} unit rows")
        out.append((totals[FORCE], parts, " + ".join(words)))
    return out


def _missing_boroughs(area_rows: list[Cell]) -> str:
    """`` (no row for Barnet)``: the boroughs of the rows' forces that have no row, if any."""
    present = {c.area_code for c in area_rows}
    forces = sorted({areas().by_code(code).force_code for code in present if code})
    missing = [
        a.name
        for force in forces
        for a in areas().for_force(force)
        if a.kind == "borough" and a.code not in present
    ]
    if not missing:
        return ""
    return (
        f" (no row for {', '.join(missing[:-1])}{' or ' if len(missing) > 1 else ''}{missing[-1]})"
    )


def _totals(
    ret: PublishedReturn,
    implications: dict[tuple[int, str], list[str]],
    implied_values: dict[tuple[int, str], float],
) -> list[Note]:
    notes = []
    grid = {(c.row_number, c.column_name): c for c in ret.cells}
    columns = [
        (c.column_number, c.column_name)
        for c in ret.cells
        if c.row_number == min(x.row_number for x in ret.cells) and c.column_number
    ]
    for total, parts, description in _relations(ret):
        tname = total.row_label.strip()
        mismatched: dict[str, float] = {}
        pending: list[tuple[str, list[Cell], float]] = []
        for _, column in columns:
            tcell = grid.get((total.row_number, column))
            if tcell is None or tcell.value_kind != COUNT or not tcell.ok:
                continue
            pcells = [grid[(p.row_number, column)] for p in parts if (p.row_number, column) in grid]
            unknown = [c for c in pcells if not c.ok]
            known = sum(c.value for c in pcells if c.ok)  # type: ignore[misc]
            if unknown:
                pending.append((column, unknown, tcell.value - known))  # type: ignore[operator]
                continue
            if known != tcell.value:
                diff = tcell.value - known  # type: ignore[operator]
                mismatched[column] = diff
                notes.append(
                    Note(
                        RECONCILIATION,
                        total.row_number,
                        column,
                        f"row {total.row_number} {tname}, {column}: "
                        f"printed {_fmt(tcell.value)} but "
                        f"{description} sum to {_fmt(known)} (the total is {_fmt(abs(diff))} "
                        f"{'more' if diff > 0 else 'less'})",
                        expected=known,
                        found=tcell.value,
                    )
                )
        for column, unknown, remainder in pending:
            rows_text = ", ".join(f"row {c.row_number} {c.row_label.strip()!r}" for c in unknown)
            others = (
                "it equals the sum of its rows in every other column"
                if not mismatched
                else "but it is not the sum of its rows in "
                + ", ".join(f"{k} ({'+' if v > 0 else ''}{_fmt(v)})" for k, v in mismatched.items())
                + ", so this is indicative only"
            )
            if len(unknown) == 1:
                cell = unknown[0]
                text = f"the {tname} implies {_fmt(remainder)} ({others})"
                pieces = (cell.raw or "").split()
                if (
                    len(pieces) > 1
                    and all(p.isdigit() for p in pieces)
                    and sum(int(p) for p in pieces) == remainder
                ):
                    text += (
                        f"; the printed pieces {' + '.join(pieces)} also sum to {_fmt(remainder)}"
                    )
                key = (cell.row_number, column)
                implications[key].append(text)
                implied_values.setdefault(key, remainder)
                if cell.status == MISSING:
                    notes.append(
                        Note(
                            RECONCILIATION,
                            cell.row_number,
                            column,
                            f"row {cell.row_number} {cell.row_label.strip()!r}, "
                            f"{column} is missing: "
                            f"{text}; not stored as its value",
                            expected=remainder,
                        )
                    )
            else:
                notes.append(
                    Note(
                        RECONCILIATION,
                        total.row_number,
                        column,
                        f"row {total.row_number} {tname}, {column}: cannot check against "
                        f"{description} ({rows_text} not readable); together they would be "
                        f"{_fmt(remainder)}",
                        expected=remainder,
                    )
                )
        notes.extend(_total_rate_bounds(ret, total, parts, description))
    return notes


def _bounds(p: Published, den: float) -> tuple[Fraction, Fraction]:
    """The numerator range a printed rate allows, rounded or truncated."""
    text = p.text.strip()
    scale = 100 if text.endswith("%") else 1
    shown = Fraction(Decimal(text.rstrip("%").strip())) / scale
    step = Fraction(1, 10 ** printed_decimals(text)) / scale
    return max(Fraction(0), (shown - step / 2)) * Fraction(den), (shown + step) * Fraction(den)


def _total_rate_bounds(
    ret: PublishedReturn, total: Cell, parts: list[Cell], description: str
) -> list[Note]:
    """A total's printed rate against the rates printed for its parts."""
    groups = figure_groups(ret)

    def group_of(row: int) -> FigureGroup | None:
        return next(
            (g for g in groups if any(c.row_number == row for c in g.counts.values())), None
        )

    tg = group_of(total.row_number)
    pgs = [group_of(p.row_number) for p in parts]
    if tg is None or any(g is None for g in pgs):
        return []
    notes = []
    for rate, tp in tg.published.items():
        if rate in RATIOS or tp.status != OK:
            continue
        den_measure = RATES[rate][1]
        tden = tg.count(den_measure)
        if tden is None or tg.count(RATES[rate][0]) is not None:
            continue  # checked from counts instead
        lo = hi = Fraction(0)
        for g in pgs:
            assert g is not None
            pp = g.published.get(rate)
            pden = g.count(den_measure)
            if pp is None or pp.status != OK or pden is None:
                break
            a, b = _bounds(pp, pden)
            lo, hi = lo + a, hi + b
        else:
            a, b = _bounds(tp, tden)
            if b <= lo or a >= hi:
                notes.append(
                    Note(
                        RECONCILIATION,
                        total.row_number,
                        tp.column_name,
                        f"row {total.row_number} {total.row_label.strip()}, "
                        f"{tp.column_name}: printed "
                        f"{tp.text}, but the rates printed for {description} allow only "
                        f"{_pct(lo / Fraction(tden), 1)} to {_pct(hi / Fraction(tden), 1)}",
                        expected=float((lo + hi) / 2 / Fraction(tden)),
                        found=tp.value,
                    )
                )
    return notes


def _parts(g: FigureGroup) -> list[Note]:
    """Parts that exceed their whole, within one row's figures."""
    notes = []
    sds, charges, cautions = (g.count(m) for m in ("sanction_detections", "charges", "cautions"))
    where = g.where()

    def cell_of(measure: str) -> Cell:
        return g.counts[measure]

    if sds is not None and charges is not None and cautions is not None:
        if charges + cautions > sds:
            c = cell_of("sanction_detections")
            notes.append(
                Note(
                    RECONCILIATION,
                    c.row_number,
                    c.column_name,
                    f"{where}: charges ({_fmt(charges)}) + cautions ({_fmt(cautions)}) = "
                    f"{_fmt(charges + cautions)} exceed the sanction detections ({_fmt(sds)}); "
                    f"other SDs would be {_fmt(sds - charges - cautions)}",
                    expected=sds,
                    found=charges + cautions,
                )
            )
    elif sds is not None and cautions is not None and cautions > sds:
        c = cell_of("cautions")
        notes.append(
            Note(
                RECONCILIATION,
                c.row_number,
                c.column_name,
                f"{where}: cautions ({_fmt(cautions)}) exceed "
                f"the sanction detections ({_fmt(sds)})",
                expected=sds,
                found=cautions,
            )
        )
    if sds is not None and charges is not None and cautions is None and charges > sds:
        c = cell_of("charges")
        notes.append(
            Note(
                RECONCILIATION,
                c.row_number,
                c.column_name,
                f"{where}: charges ({_fmt(charges)}) exceed the sanction detections ({_fmt(sds)})",
                expected=sds,
                found=charges,
            )
        )
    for part, whole in (("offences", "incidents"), ("sanction_detections", "offences")):
        a, b = g.count(part), g.count(whole)
        if a is not None and b is not None and a > b:
            c = cell_of(part)
            notes.append(
                Note(
                    RECONCILIATION,
                    c.row_number,
                    c.column_name,
                    f"{where}: {part} ({_fmt(a)}) exceed {whole} ({_fmt(b)}), a rate above 100% "
                    "(possible when records are reclassified between types or detected from an "
                    "earlier period; check the source)",
                    expected=b,
                    found=a,
                )
            )
    return notes


def _printed_rates(g: FigureGroup) -> list[Note]:
    """Printed percentages against the ones recomputed from the printed counts."""
    notes = []
    for rate, p in g.published.items():
        num_m, den_m = RATES[rate]
        num, den = g.count(num_m), g.count(den_m)
        if p.status != OK or num is None or not den:
            continue
        check = check_printed(num, den, p.text)
        if check == "ok":
            continue
        computed = num / den
        readings = _readings(num, den, p.text)
        period = dict(g.cuts).get("period")
        where = f"row {p.row_number} ({g.area_name}{', ' + period if period else ''})"
        if check == "truncated":
            message = (
                f"{where}, {p.column_name}: {rate} printed {p.text}; "
                f"{_fmt(num)} / {_fmt(den)} = {readings}: the printed figure fits only if "
                "truncated"
            )
        else:
            message = (
                f"{where}, {p.column_name}: {rate} printed {p.text} but "
                f"{_fmt(num)} / {_fmt(den)} = {readings}"
            )
        notes.append(Note(RECONCILIATION, p.row_number, p.column_name, message, computed, p.value))
    return notes


# --- storing -------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def import_return(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str]) -> ImportOutcome:
    """Read a return and store it, all or nothing; the same table twice is stored once.

    The same table is the same file (its bytes) or the same cells in another file (other line
    endings, a byte-order mark, other quoting). A different table with the same source name,
    layout and period as a stored one is stored too, with a warning naming the earlier one.
    """
    started = _now()
    path = Path(path)
    ret = read_return(path)  # a ReturnError here: nothing is written
    previous = _previous(con, ret)
    if previous is not None:
        return ImportOutcome(
            "already_imported", previous[0], str(path), ret.content_hash, matched_by=previous[1]
        )
    with transaction(con):
        previous = _previous(con, ret)
        if previous is not None:
            return ImportOutcome(
                "already_imported",
                previous[0],
                str(path),
                ret.content_hash,
                matched_by=previous[1],
            )
        warnings = _same_period(con, ret)
        return_id = con.execute(
            "SELECT coalesce(max(import_id), 0) + 1 FROM import_log"
        ).fetchone()[0]  # type: ignore[index]
        _insert_return(con, return_id, ret)
        _insert_cells(con, return_id, ret.cells)
        _insert_notes(con, return_id, ret.notes)
        _insert_log(con, return_id, str(path), ret, started, warnings)
    return ImportOutcome(
        "imported",
        return_id,
        str(path),
        ret.content_hash,
        len(ret.cells),
        len(ret.notes),
        ret,
        warnings=tuple(warnings),
    )


def _previous(con: duckdb.DuckDBPyConnection, ret: PublishedReturn) -> tuple[int, str] | None:
    """The stored return that is this one: ``(return_id, "file" or "content")``, or None."""
    row = con.execute(
        "SELECT import_id FROM import_log WHERE kind = 'return' AND content_hash = ? "
        "AND status = 'imported' ORDER BY import_id LIMIT 1",
        [ret.content_hash],
    ).fetchone()
    if row is None:
        row = con.execute(
            "SELECT return_id FROM published_returns WHERE content_hash = ? ORDER BY 1 LIMIT 1",
            [ret.content_hash],
        ).fetchone()
    if row is not None:
        return row[0], "file"
    # the same cells from other bytes; only returns of the same layout and size can be
    candidates = con.execute(
        "SELECT r.return_id FROM published_returns r WHERE r.layout = ? AND "
        "(SELECT count(*) FROM published_cells c WHERE c.return_id = r.return_id) = ? "
        "ORDER BY 1",
        [ret.layout, len(ret.cells)],
    ).fetchall()
    identity = ret.identity
    for (return_id,) in candidates:
        if table_identity(ret.layout, _stored_cells(con, return_id).values()) == identity:
            return return_id, "content"
    return None


def _stored_cells(con: duckdb.DuckDBPyConnection, return_id: int) -> dict[tuple[int, int], Cell]:
    """A stored return's cells by (row, column), with what identifies them (no values)."""
    rows = con.execute(
        "SELECT row_number, row_label, column_number, column_name, raw FROM published_cells "
        "WHERE return_id = ?",
        [return_id],
    ).fetchall()
    return {(r, c): Cell(r, label, c, name, raw, None, TEXT, OK) for r, label, c, name, raw in rows}


def _same_period(con: duckdb.DuckDBPyConnection, ret: PublishedReturn) -> list[str]:
    """Warnings for stored returns with this one's source name, layout and period.

    They are different tables (the same one is not stored again): a corrected transcription,
    or a wrong one. Both are kept, since there is no way to withdraw a stored return, and a
    borough's scorecard lists every return with rows for it; so say which, and how they differ.
    """
    earlier = con.execute(
        "SELECT r.return_id, l.source, l.finished_at FROM published_returns r "
        "LEFT JOIN import_log l ON l.import_id = r.return_id "
        "WHERE r.source_name = ? AND r.layout = ? AND r.period_label IS NOT DISTINCT FROM ? "
        "AND r.period_start IS NOT DISTINCT FROM ? AND r.period_end IS NOT DISTINCT FROM ? "
        "ORDER BY 1",
        [ret.source_name, ret.layout, ret.period_label, ret.period_start, ret.period_end],
    ).fetchall()
    new = {(c.row_number, c.column_number): c for c in ret.cells}
    out = []
    for return_id, source, finished in earlier:
        old = _stored_cells(con, return_id)
        places = sorted(
            k for k in set(old) | set(new) if _text_of(old.get(k)) != _text_of(new.get(k))
        )
        shown = []
        for place in places[:3]:
            cell = new.get(place) or old[place]
            shown.append(
                f"row {place[0]} {cell.row_label.strip()!r}, {cell.column_name}: "
                f"{_text_of(old.get(place))} there, {_text_of(new.get(place))} here"
            )
        when = f", imported {finished:%Y-%m-%d %H:%M}" if finished else ""
        differ = f"{len(places):,} cells differ" if len(places) != 1 else "1 cell differs"
        out.append(
            f"return {return_id} ({source or ret.source_name}{when}) has the same source name, "
            f"layout and period ({ret.layout}, {ret.period_label or 'period not stated'}) but "
            f"different content: {differ} ({'; '.join(shown)}{'; …' if len(places) > 3 else ''})"
            ". Both are now stored, and a borough's scorecard lists both: check which is right"
        )
    return out


def _text_of(cell: Cell | None) -> str:
    """A cell's text for a message: as published, or ``no cell``."""
    if cell is None or cell.raw is None:
        return "no cell"
    return repr(_unify_newlines(cell.raw))


def _insert_return(con: duckdb.DuckDBPyConnection, return_id: int, ret: PublishedReturn) -> None:
    con.execute(
        "INSERT INTO published_returns (return_id, content_hash, source_name, layout, title, "
        "period_label, period_start, period_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            return_id,
            ret.content_hash,
            ret.source_name,
            ret.layout,
            ret.title,
            ret.period_label,
            ret.period_start,
            ret.period_end,
        ],
    )


_CELL_COLUMNS = (
    "row_number",
    "row_label",
    "column_number",
    "column_name",
    "raw",
    "value",
    "value_kind",
    "status",
    "area_code",
    "unit",
    "period_label",
    "family",
    "measure",
    "is_total",
    "scope",
)
_NOTE_COLUMNS = ("kind", "row_number", "column_name", "message", "expected", "found")


def _insert_cells(con: duckdb.DuckDBPyConnection, return_id: int, cells: Iterable[Cell]) -> None:
    rows = [[return_id, *(getattr(c, name) for name in _CELL_COLUMNS)] for c in cells]
    if rows:
        con.executemany(
            f"INSERT INTO published_cells (return_id, {', '.join(_CELL_COLUMNS)}) "
            f"VALUES ({', '.join('?' * (len(_CELL_COLUMNS) + 1))})",
            rows,
        )


def _insert_notes(con: duckdb.DuckDBPyConnection, return_id: int, notes: Iterable[Note]) -> None:
    rows = [
        [return_id, number, *(getattr(n, name) for name in _NOTE_COLUMNS)]
        for number, n in enumerate(notes, start=1)
    ]
    if rows:
        con.executemany(
            f"INSERT INTO published_notes (return_id, note_number, {', '.join(_NOTE_COLUMNS)}) "
            f"VALUES ({', '.join('?' * (len(_NOTE_COLUMNS) + 2))})",
            rows,
        )


def _insert_log(
    con: duckdb.DuckDBPyConnection,
    return_id: int,
    source: str,
    ret: PublishedReturn,
    started: dt.datetime,
    store_warnings: Sequence[str] = (),
) -> None:
    rows = {c.row_number for c in ret.cells}
    row_counts = {
        "rows": len(rows),
        "published_cells": len(ret.cells),
        "published_notes": len(ret.notes),
        "garbled_cells": sum(c.status == GARBLED for c in ret.cells),
    }
    normalised = [n.message for n in ret.notes if n.kind == NORMALISED]
    warnings = [f"earlier return: {w}" for w in store_warnings]
    warnings += [f"{n.kind}: {n.message}" for n in ret.notes if n.kind != NORMALISED]
    con.execute(
        "INSERT INTO import_log (import_id, kind, source, content_hash, started_at, "
        "finished_at, status, row_counts, normalised, warnings, dsvb_version, format_version) "
        "VALUES (?, 'return', ?, ?, ?, ?, 'imported', ?, ?, ?, ?, NULL)",
        [
            return_id,
            source,
            ret.content_hash,
            started,
            _now(),
            json.dumps(row_counts),
            json.dumps(normalised),
            json.dumps(warnings),
            __version__,
        ],
    )


def list_returns(con: duckdb.DuckDBPyConnection) -> list[ReturnSummary]:
    """Every stored return, oldest first, with its cell count and notes by kind."""
    rows = con.execute(
        "SELECT r.return_id, r.source_name, r.layout, r.title, r.period_label, r.period_start, "
        "r.period_end, r.content_hash, l.finished_at, "
        "(SELECT count(*) FROM published_cells c WHERE c.return_id = r.return_id) "
        "FROM published_returns r LEFT JOIN import_log l ON l.import_id = r.return_id "
        "ORDER BY r.return_id"
    ).fetchall()
    kinds: dict[int, dict[str, int]] = defaultdict(dict)
    for return_id, kind, n in con.execute(
        "SELECT return_id, kind, count(*) FROM published_notes GROUP BY 1, 2 ORDER BY 1, 2"
    ).fetchall():
        kinds[return_id][kind] = n
    return [ReturnSummary(*row[:10], notes=kinds.get(row[0], {})) for row in rows]


def load_return(con: duckdb.DuckDBPyConnection, return_id: int) -> PublishedReturn:
    """A stored return, exactly as it was read."""
    row = con.execute(
        "SELECT content_hash, source_name, layout, title, period_label, period_start, "
        "period_end FROM published_returns WHERE return_id = ?",
        [return_id],
    ).fetchone()
    if row is None:
        raise KeyError(f"no stored return {return_id}")
    content_hash, source_name, layout, title, period_label, period_start, period_end = row
    cells = tuple(
        Cell(*r)
        for r in con.execute(
            f"SELECT {', '.join(_CELL_COLUMNS)} FROM published_cells WHERE return_id = ? "
            "ORDER BY row_number, column_number",
            [return_id],
        ).fetchall()
    )
    notes = tuple(
        Note(*r)
        for r in con.execute(
            f"SELECT {', '.join(_NOTE_COLUMNS)} FROM published_notes WHERE return_id = ? "
            "ORDER BY note_number",
            [return_id],
        ).fetchall()
    )
    return PublishedReturn(
        source_name,
        content_hash,
        layout,
        title,
        period_label,
        period_start,
        period_end,
        cells,
        notes,
    )
