"""Reading a return: the file's bytes, its CSV, its layout and every cell.

A file that cannot be read at all raises :class:`~dsvb.ingest.returns.model.ReturnError`
naming the file, the row and the column; what can be read is kept exactly as published, with
a note for each change or reading made (see the package docstring).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dsvb.ingest.returns.figures import (
    _COMPARATOR_OF,
    _comparators,
)
from dsvb.ingest.returns.files import (
    Record,
    Table,
    check_bytes,
    decode,
    parse_csv,
    read_file_bytes,
)
from dsvb.ingest.returns.model import (
    _FOOTNOTE,
    _HEADLINE_ROWS,
    BOROUGHS,
    BY_AREA,
    COUNT,
    DENOMINATOR_OF,
    FORCE,
    GARBLED,
    INTERPRETED,
    KEY_VALUE,
    MEASURE_BY_PERIOD,
    MISSING,
    MONEY,
    NORMALISED,
    OFFENCE_HEADLINE,
    OK,
    RATES,
    RECONCILIATION,
    SPECIALIST_UNITS,
    TEXT,
    TEXT_MEASURES,
    UNREAD,
    UNSPECIFIED_FAMILY,
    Cell,
    Note,
    PublishedReturn,
    ReturnError,
    _fy,
    _fy_dates,
    _key,
    _last_day,
    _parse_value,
    _shown,
    measure_kind,
    report_of,
    split_report,
)
from dsvb.ingest.returns.readings import denominator_readings
from dsvb.ingest.returns.reconcile import (
    _reconcile,
)
from dsvb.reference import areas, normalise_name, published_families, units

_RATE_BY_PARTS = {parts: rate for rate, parts in RATES.items()}

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
_MONTHS = tuple(dt.date(2000, month, 1).strftime("%B") for month in range(1, 13))


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
    #: key-value rows that state no period of their own and take the return's
    inherited_period_rows: frozenset[int] = frozenset()


_OTHER_DELIMITERS = ((";", "semicolons"), ("\t", "tabs"))


def _parse_csv(
    source: str, text: str, table: Table
) -> tuple[list[str], list[tuple[int, int, list[str]]]]:
    """The header and the data rows as ``(row_number, line, fields)``, blank lines skipped.

    ``files.parse_csv`` reads the records within the ceilings; this checks the header and
    the rows against it.
    """
    header, header_line = table.header, table.header_line
    rows = [(r.row, r.line, r.fields) for r in table.rows]
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
                    column=header[0],
                )
    seen: set[str] = set()
    for i, name in enumerate(header):
        if not name.strip():
            raise ReturnError(
                source,
                "empty column name",
                row="header row",
                line=header_line,
                column=f"#{i + 1}",
            )
        if name.strip() in seen:
            raise ReturnError(
                source,
                "column appears twice in the header",
                row="header row",
                line=header_line,
                column=name,
            )
        seen.add(name.strip())
    for number, line, fields in rows:
        if len(fields) > len(header):
            raise ReturnError(
                source,
                f"{len(fields)} cells where the header has {len(header)} columns: "
                f"cannot tell which column {_shown(fields[len(header)])} belongs to",
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
            column=header[0],
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
    """Read one published return; see the module docstring for what is handled and how.

    Only a regular file within the ceilings (``limits``) is read; anything else is refused
    before its content is read (``files.read_file_bytes``).
    """
    path = Path(path)
    source = path.name
    return _read_bytes(source, read_file_bytes(source, path))


def _read_bytes(source: str, data: bytes) -> PublishedReturn:
    content_hash = hashlib.sha256(data).hexdigest()
    check_bytes(source, data)
    text = decode(source, data)
    del data
    table = parse_csv(source, text)
    try:
        return _read_table(source, content_hash, text, table)
    except ReturnError as exc:
        if exc.row == "header row" and exc.line in (None, 1) and table.header_line != 1:
            raise exc.at_line(table.header_line) from None
        if exc.row == "header row" and exc.line is None:
            raise exc.at_line(table.header_line) from None
        raise


def _read_table(source: str, content_hash: str, text: str, table: Table) -> PublishedReturn:
    header, rows = _parse_csv(source, text, table)
    _refuse_a_cut_row(source, header, table)
    layout = _detect_layout(source, header)
    stem, _ = split_report(Path(source).stem)  # the report is not read as the table's name
    reader = {
        BY_AREA: _read_by_area,
        MEASURE_BY_PERIOD: _read_measure_by_period,
        KEY_VALUE: _read_key_value,
        OFFENCE_HEADLINE: _read_headline,
    }[layout]
    build = reader(source, stem, header, rows)
    if not table.ends_with_line_end:
        _last_cell_unread(build, table.rows[-1])
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
        report_of(source, layout, cells, build.period_label),
    )
    notes.extend(_reconcile(draft, build.garbled))
    notes.extend(denominator_readings(draft, build.inherited_period_rows))
    return replace(draft, notes=tuple(notes))


def _refuse_a_cut_row(source: str, header: list[str], table: Table) -> None:
    """Refuse a file whose last row stops short of the header's columns with no line end.

    That is how a file cut short mid-row looks (a copy interrupted, an upload cut off): the
    last cell it holds is likely a figure cut mid-number (``36`` for a printed ``3667``),
    so the file is refused rather than that cell stored as a figure. A short row that ends
    with a line end is a row with cells left off, read as before (the missing cells noted).
    """
    last = table.rows[-1]
    if table.ends_with_line_end or len(last.fields) >= len(header):
        return
    index = len(last.fields) - 1
    raise ReturnError(
        source,
        f"the file ends in the middle of row {last.row}: the row has {len(last.fields)} of "
        f"the header's {len(header)} cells and no line end, so the file looks cut short and "
        f"its last cell, {_shown(last.fields[index].strip(), 40)}, may be part of a figure; "
        "import the whole file (nothing was stored)",
        row=last.row,
        line=last.line,
        column=header[index],
    )


def _last_cell_unread(build: _Build, last: Record) -> None:
    """With no line end after it, the file's last figure may be cut: keep it as garbled.

    A file cut short just inside its last cell (``38`` for ``383``) reads as a complete row;
    only the missing line end tells. The cell's text is kept as printed but it is stored as
    garbled, with a note naming its row and column, never as a figure. A table that truly
    ends there loses nothing by a line end added after it.
    """
    index = len(last.fields) - 1
    for i, cell in enumerate(build.cells):
        if cell.row_number == last.row and cell.column_number == index:
            if cell.value_kind == TEXT or cell.value is None:
                return
            build.cells[i] = replace(cell, value=None, status=GARBLED)
            build.garbled[(last.row, cell.column_name)] = (
                f"{_shown((cell.raw or '').strip(), 40)} is the file's last cell and no line "
                "end follows it, so the file may have been cut short inside this figure; "
                "it is not read as a figure (if the table is complete, end the file with a "
                "line end and import it again)"
            )
            return


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
    notes.extend(_name_period_notes(stem, label, start, end))
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
        family = UNSPECIFIED_FAMILY
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
    labels = [p[2] for p in periods]
    financial = [x for x in labels if "/" in x]
    if name_label is None:
        name_label = " vs ".join(labels)
        fy = [_fy_dates(x) for x in financial]
        if fy:
            start, end = min(d[0] for d in fy), max(d[1] for d in fy)
    else:
        notes.extend(_name_period_notes(stem, name_label, start, end))
    if financial:
        notes.append(
            Note(
                INTERPRETED,
                None,
                None,
                f"period column{'s' if len(financial) > 1 else ''} {', '.join(financial)} read "
                "as financial years (1 April to 31 March)",
            )
        )
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
        tokens = _name_tokens(stem)
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

    inherited_rows = {
        number: fields[0].strip()
        for number, _, fields, (_, m, row_period) in parsed_rows
        if row_period is None and m not in TEXT_MEASURES
    }
    inherited = list(inherited_rows.values())
    if inherited and label:
        notes.append(
            Note(
                INTERPRETED,
                None,
                first,
                f"rows that state no period of their own ({', '.join(inherited)}) read as "
                f"{label}, the return's period",
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
        fam = None if text_row else family or default_family or UNSPECIFIED_FAMILY
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
    return _Build(
        cells,
        notes,
        garbled,
        label,
        period_start,
        period_end,
        title,
        frozenset(inherited_rows) if label else frozenset(),
    )


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
    taken = [m for m in ("period_start", "period_end") if m not in stated and from_name[m]]
    if len(taken) == 2:
        notes.extend(_name_period_notes(stem, name_label, name_start, name_end))
    elif taken:
        notes.append(
            Note(
                INTERPRETED,
                None,
                None,
                f"{taken[0]} {from_name[taken[0]]} read from the file name {stem!r}: the return "
                f"does not state it",
            )
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
        if family in published_families():
            notes.append(_published_family_note(number, row_label, first, family))
        is_total = any(parent == family for _, parent in _HEADLINE_ROWS.values())
        base = {"period_label": label, "scope": FORCE, "is_total": is_total}
        cells.append(replace(_label_cell(number, row_label, first, base), family=family))
        row_columns = [(i, n, family, m) for i, n, _f, m in columns]
        cells.extend(
            _value_cells(source, number, row_label, fields, row_columns, base, notes, garbled)
        )
    title = _title_from_name(stem) + (f", {label}" if label else "")
    notes.extend(_name_period_notes(stem, label, start, end))
    return _Build(cells, notes, garbled, label, start, end, title)


def _published_family_note(row_number: int, row_label: str, column: str, family: str) -> Note:
    """A row read as a family that is not the dsvb family its printed name suggests."""
    fam = published_families()[family]
    return Note(
        INTERPRETED,
        row_number,
        column,
        f"row {row_number} {row_label.strip()!r} read as family {family} ({fam.label}): "
        f"{fam.meaning}; it is kept under its own name and never compared with or used as "
        f"dsvb's {fam.unlike}",
    )


def _name_period_notes(
    stem: str, label: str | None, start: dt.date | None, end: dt.date | None
) -> list[Note]:
    """The period a table's file name gives it: the table itself does not state it."""
    if label is None:
        return []
    dates = f" ({start.isoformat()} to {end.isoformat()})" if start and end else ""
    return [
        Note(
            INTERPRETED,
            None,
            None,
            f"period {label}{dates} read from the file name {stem!r}: the table does not "
            "state its period",
        )
    ]
