"""The vocabulary of published returns and what a return is once read.

Measures and the rates built from them (ids of the DOMAIN.md indicator table), note kinds,
cells, notes, the return as read, the outcome of an import, and how a printed figure is read
(its decimals, and whether it is the figure recomputed from its counts). Everything else in
the package builds on these; this module imports nothing from it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path

from dsvb.indicators import definitions, relations
from dsvb.ingest.returns.limits import LIMITS
from dsvb.reference import areas

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
#: the family of figures whose table names none (and whose file name does not either)
UNSPECIFIED_FAMILY = "unspecified"

#: the rates published returns print and the reader reads, in the order it lists them (ids
#: of the DOMAIN.md indicator table)
RETURN_RATES = (
    "crime_conversion",
    "sd_rate",
    "charge_rate",
    "caution_share",
    "caution_rate",
    "no_crime_rate",
    "cri_rate",
    "havens_referral_rate",
    "repeat_victim_rate",
    "offences_per_repeat_victim",
    "arrest_rate_offences",
    "arrest_rate_incidents",
    "cad_to_cris",
    "risk_form_completion",
    "risk_form_supervision",
)
#: rate id -> (numerator measure, denominator measure): what each is a rate of comes from the
#: indicator definitions (a count's measure is its id, or its declared ``returns_name``)
RATES: dict[str, tuple[str, str]] = relations.rates(
    definitions.COUNTS, definitions.INDICATORS, RETURN_RATES
)
RATIOS = frozenset({"offences_per_repeat_victim"})  # printed as a plain number, not a %

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


#: headline rows: normalised label -> (family or offence group, the total it belongs to)
_HEADLINE_ROWS: dict[str, tuple[str, str | None]] = {
    "domestic violence": ("dv", None),
    "dv": ("dv", None),
    "rape": ("rape", "sexual"),
    "other sexual offences": ("sexual_not_rape", "sexual"),  # reference: published_families
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
_MAX_DIGITS = LIMITS.max_digits


def _shown(text: str, width: int = 60) -> str:
    """A cell's text for a message: quoted, and cut to ``width`` characters if longer."""
    if len(text) <= width:
        return repr(text)
    return repr(text[:width]) + f"… ({len(text):,} characters)"


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
        self.line = line
        self.column = column
        where = [source]
        if row is not None:
            where.append(f"row {row}" if isinstance(row, int) else str(row))
        if line is not None:
            where[-1] += f" (line {line})"
        if column is not None:
            where.append(f"column {column!r}")
        self.message = message
        super().__init__(f"{', '.join(where)}: {message}")

    def at_line(self, line: int) -> ReturnError:
        """The same error placed at ``line`` (the header's true line, say)."""
        return ReturnError(self.source, self.message, row=self.row, line=line, column=self.column)


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
    #: the report the table belongs to (``report_of``); tables of one report are checked
    #: against each other when stored
    report: str | None = None

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
        """What was stored, and warnings about the store; the table's notes are apart
        (``notes_text``), one a line, so that a program can keep them apart (the CLI prints
        them on stderr)."""
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
            + f": {self.cells:,} cells, {self.notes:,} notes"
            + (f", report {ret.report!r}" if ret and ret.report else "")
            + "."
        ]
        if self.warnings:
            lines.append("Warnings:")
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)

    def notes_text(self) -> list[str]:
        """The stored table's notes, one a line: ``[kind] message`` (none when nothing was
        stored)."""
        if self.status != "imported" or self.published_return is None:
            return []
        return [str(n) for n in self.published_return.notes]


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


#: in a file name, what follows this names the report the table belongs to
#: (``vaw_headline_12m_to_2010-11__annual_report_2010.csv``)
REPORT_SEPARATOR = "__"


def split_report(stem: str) -> tuple[str, str | None]:
    """A file name's stem as (the table's own name, the report it names, or None)."""
    name, _, report = stem.partition(REPORT_SEPARATOR)
    return name, report.strip() or None


def report_of(
    source_name: str, layout: str, cells: Iterable[Cell], period_label: str | None
) -> str:
    """The report a table belongs to: the one its file name names, else its publisher and
    period.

    The publisher is the borough for a key-value return (a borough's own data sheet), the
    force for every other layout (the force's tables), so the force's tables of one period
    are one report (the annual report's tables for the 12 months to November 2010) and a
    borough's return is a report of its own. A table whose period is not known is a report
    of its own: nothing says which others it was published with.
    """
    named = split_report(Path(source_name).stem)[1]
    if named:
        return named
    if period_label is None:
        return f"{source_name} (period not stated)"
    publisher = _force_name()
    if layout == KEY_VALUE:
        codes = {c.area_code for c in cells if c.area_code}
        if len(codes) == 1:
            publisher = areas().by_code(codes.pop()).name
    return f"{publisher}, {period_label}"


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
    digits = sum(ch.isdigit() for ch in text)
    if digits > _MAX_DIGITS:
        return _Parsed(
            None,
            kind,
            GARBLED,
            f"{_shown(raw.strip())} has {digits:,} digits: more than a published figure has "
            f"({_MAX_DIGITS})",
            footnote,
        )
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
