"""Checks within one return: totals against their rows, parts against their whole, printed
rates against their counts. Each difference is a note; no figure is ever changed.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from dsvb.ingest.returns.figures import (
    FigureGroup,
    Published,
    figure_groups,
)
from dsvb.ingest.returns.model import (
    _HEADLINE_ROWS,
    BOROUGHS,
    BY_AREA,
    COUNT,
    FORCE,
    GARBLED,
    INTERPRETED,
    KEY_VALUE,
    MISSING,
    OFFENCE_HEADLINE,
    OK,
    RATES,
    RATIOS,
    RECONCILIATION,
    SPECIALIST_UNITS,
    Cell,
    Note,
    PublishedReturn,
    _fmt,
    _pct,
    _readings,
    check_printed,
)
from dsvb.ingest.returns.precision import TRUNCATED, printed_figure
from dsvb.reference import areas, normalise_name

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
    """The numerator range a printed rate allows, as the report prints (``precision``)."""
    figure = printed_figure(p.text)
    assert figure is not None  # a published rate with status ok is a number
    low, high, _ = figure.interval()
    return low * Fraction(den), high * Fraction(den)


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
    """Printed percentages against the ones recomputed from the printed counts, and against
    the denominator alone when the numerator is not printed (a rate no whole number over its
    denominator can give is impossible)."""
    notes = []
    for rate, p in g.published.items():
        num_m, den_m = RATES[rate]
        num, den = g.count(num_m), g.count(den_m)
        if p.status != OK or den is None:
            continue
        period = dict(g.cuts).get("period")
        where = f"row {p.row_number} ({g.area_name}{', ' + period if period else ''})"
        impossible = _impossible(p, den, g.counts[den_m], den_m)
        if num is None or not den:
            if impossible:
                notes.append(
                    Note(
                        RECONCILIATION,
                        p.row_number,
                        p.column_name,
                        f"{where}, {p.column_name}: {rate} printed {p.text} {impossible}",
                        found=p.value,
                    )
                )
            continue
        check = check_printed(num, den, p.text)
        if check == "ok":
            continue
        computed = num / den
        readings = _readings(num, den, p.text)
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
            if impossible:
                message += f"; and it is impossible {impossible}"
        notes.append(Note(RECONCILIATION, p.row_number, p.column_name, message, computed, p.value))
    return notes


def _impossible(p: Published, den: float, den_cell: Cell, den_measure: str) -> str | None:
    """Why no whole-number numerator over ``den`` prints as ``p``, or None when one does.

    Tried at the printed decimals, rounded or truncated as the reports print (``precision``):
    ``3%`` of 12 is impossible (0/12 = 0%, 1/12 = 8.33%), ``8%`` of 12 is not (1/12 = 8.33%,
    rounded).
    """
    figure = printed_figure(p.text)
    if figure is None or not float(den).is_integer():
        return None
    n = int(den)
    if p.row_number == den_cell.row_number:
        of = f"of {_fmt(n)} ({den_cell.column_name})"
    else:
        of = (
            f"of {_fmt(n)} ({den_measure}, row {den_cell.row_number} "
            f"{den_cell.row_label.strip()!r})"
        )
    if n == 0:
        return f"{of}: no rate can be taken over a denominator of 0"
    if figure.numerators(n):
        return None
    below, above = figure.nearest(n)
    text = (
        f"{of}, but no whole number out of {_fmt(n)} gives {p.text} {figure.how()}: the "
        f"nearest are {_fmt(below)} / {_fmt(n)} = {figure.show(Fraction(below, n))} and "
        f"{_fmt(above)} / {_fmt(n)} = {figure.show(Fraction(above, n))}"
    )
    if TRUNCATED not in figure.readings and (fits := figure.numerators(n, (TRUNCATED,))):
        k = fits[0]
        text += (
            f" ({_fmt(k)} / {_fmt(n)} = {figure.show(Fraction(k, n))} gives it only truncated, "
            f"and figures printed with {figure.decimals} decimal"
            f"{'s' if figure.decimals > 1 else ''} are rounded)"
        )
    return text
