"""Population estimates: import them into the store, and read them back per area and group.

A population file (``docs/population-format.md``, :mod:`dsvb.equality.population_format`)
is read and validated in full before anything is written, and written in one transaction:
a bad value, a missing column, an unknown area or a row that would be counted twice gives
problems naming the file, the line and the column, and nothing of that file is stored.
Rows that are totals of others (``Persons``, ``All ages``, the London region) are skipped
and the report says so; they are never added to their parts.

The rows are added up to dsvb's groups (sex, age band, broad ethnic group) at import and
stored per area and mid-year. A file for an (area, year) already held replaces what was
held for it, and says so; the same file imported again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dsvb import __version__, reference
from dsvb.equality import population_format as fmt
from dsvb.ingest.extract import MAX_EXAMPLES, MAX_LISTED, Problem
from dsvb.store import transaction

__all__ = [
    "ALL",
    "Population",
    "PopulationFormatError",
    "PopulationReport",
    "import_population",
    "not_a_file",
    "population",
    "year_for",
    "years_held",
]

Progress = Callable[[str], None]
KIND = "population"  # import_log.kind
#: the area code that means every area held: London, for the Metropolitan Police
ALL = "ALL"
#: population projections run decades ahead; a year further on is a mistake
YEARS_AHEAD = 50


class PopulationFormatError(Exception):
    """The population file cannot be imported. Nothing was stored."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.total = sum(p.count for p in problems)
        listed = problems[:MAX_LISTED]
        shown = "\n".join(f"  - {p}" for p in listed)
        more = self.total - sum(p.count for p in listed)
        tail = f"\n  ... and {more:,} more problem(s)" if more > 0 else ""
        super().__init__(
            f"Population file {path} was not imported: {self.total:,} problem(s); "
            f"nothing was stored.\n{shown}{tail}"
        )


@dataclass
class PopulationReport:
    """What an import of population estimates did."""

    import_id: int
    status: str  # imported | already_imported
    file: str
    source: str
    synthetic: bool
    content_hash: str
    rows_read: int = 0  # data rows of the file (totals and blank lines included)
    rows_stored: int = 0  # rows of the store's population table, one per area, year and group
    areas: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    total: int = 0  # people in the rows stored, all years added
    replaced: dict[int, dict[str, int]] = field(default_factory=dict)  # year -> area -> rows
    skipped: dict[str, int] = field(default_factory=dict)  # why -> rows
    normalised: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        if self.status == "already_imported":
            return (
                f"Population file {self.file} is already in the store (import "
                f"{self.import_id}); nothing changed."
            )
        label = " (synthetic)" if self.synthetic else ""
        years = ", ".join(f"mid-{y}" for y in self.years)
        lines = [
            f"Imported population estimates from {self.file} as import {self.import_id} in "
            f"{self.seconds:.1f} s: {self.rows_read:,} rows read, {self.rows_stored:,} stored "
            f"for {len(self.areas)} area(s) and {years}; {self.total:,} people in all.",
            f"Source: {self.source}{label}.",
        ]
        if self.replaced:
            parts = [
                f"mid-{year} for {len(areas)} area(s) ({sum(areas.values()):,} rows)"
                for year, areas in sorted(self.replaced.items())
            ]
            lines.append("Replaced the population already held: " + "; ".join(parts) + ".")
        if self.skipped:
            lines.append("Skipped (totals of other rows, never added to them):")
            lines += [f"  - {n:,} row(s): {why}" for why, n in self.skipped.items()]
        if self.normalised:
            lines.append("Normalised:")
            lines += [f"  - {n}" for n in self.normalised]
        if self.warnings:
            lines.append("Warnings:")
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)


# --- reading the file ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    area: str  # area code
    year: int
    sex: str
    first: int
    last: int | None
    band: str
    group: fmt.EthnicLabel
    population: int
    # a band across dsvb's bands: (dsvb band, years of age in it), shared by years
    split: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class _Skip:
    """A cell that makes its row a total of others: why."""

    why: str


@dataclass(frozen=True)
class _Bad:
    """A cell that cannot be read: why, and the value to show (None: nothing to show)."""

    message: str
    value: str | None


_UNSEEN = object()


def _value(column: str, raw: str, read: Callable[[str], object]) -> object:
    """One cell read: its value, a :class:`_Skip` or a :class:`_Bad`."""
    text = raw.strip()
    if not text:
        return _Bad("missing value", None)
    try:
        value = read(text)
    except fmt.ValueProblem as exc:
        return _Bad(str(exc), text)
    if value == fmt.TOTAL:
        return _Skip(f"{column.replace('_', ' ')} {text!r} (a total)")
    return value


class _Problems:
    """Problems found so far: the first rows of each kind listed, all of them counted."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.listed: list[Problem] = []
        self.counts: Counter[tuple[str | None, str]] = Counter()

    def add(self, message: str, *, line: int | None = None, column: str | None = None,
            value: str | None = None) -> None:  # fmt: skip
        key = (column, message)
        self.counts[key] += 1
        if self.counts[key] <= MAX_EXAMPLES:
            self.listed.append(Problem(self.name, message, column=column, value=value, line=line))

    def __bool__(self) -> bool:
        return bool(self.counts)

    def all(self) -> list[Problem]:
        more = [
            Problem(self.name, f"{n - MAX_EXAMPLES:,} more row(s) with the same problem: "
                    f"{message}", column=column, count=n - MAX_EXAMPLES)
            for (column, message), n in self.counts.items()
            if n > MAX_EXAMPLES
        ]  # fmt: skip
        listed = sorted(self.listed, key=lambda p: p.line or 0)  # in the file's order
        return listed + more


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PopulationFormatError(
            path,
            [Problem(path.name, "the file is not UTF-8 text (save it as CSV UTF-8)", line=line)],
        ) from None


def _header(path: Path, header: list[str], notes: list[str]) -> dict[str, int]:
    """Which position each column of the format is at; problems raised for a missing or
    doubled column."""
    problems = _Problems(path.name)
    names = fmt.header_names()
    found: dict[str, list[tuple[int, int, str]]] = defaultdict(list)  # column -> (rank, i, name)
    unused: list[str] = []
    seen: Counter[str] = Counter(fmt.header_key(h) for h in header)
    doubled: set[str] = set()
    for i, name in enumerate(header):
        key = fmt.header_key(name)
        if seen[key] > 1 and key in names:  # columns not used may repeat (blank ones do)
            if key in doubled:  # named where it comes again
                problems.add("column appears more than once", line=1, column=name)
            doubled.add(key)
            continue
        if key in names:
            column, rank = names[key]
            found[column.name].append((rank, i, name))
        elif name.strip() or "(unnamed)" not in unused:
            unused.append(name.strip() or "(unnamed)")
    positions: dict[str, int] = {}
    for column in fmt.COLUMNS:
        given = sorted(found.get(column.name, []))
        if not given:
            if not any(names[key][0] is column for key in doubled):
                problems.add(
                    "required column is missing (also accepted as: "
                    + ", ".join(column.aliases)
                    + ")",
                    line=1,
                    column=column.name,
                )
            continue
        if len(given) > 1 and column is not fmt.AREA:
            both = " and ".join(name for _, _, name in given)
            problems.add(f"columns {both} both give the {column.name}: keep one", line=1,
                         column=given[1][2])  # fmt: skip
            continue
        positions[column.name] = given[0][1]
        if len(given) > 1:
            others = ", ".join(name for _, _, name in given[1:])
            notes.append(f"areas read from column {given[0][2]} ({others} not used)")
    if problems:
        raise PopulationFormatError(path, problems.all())
    if unused:
        notes.append("columns not used: " + ", ".join(unused))
    return positions


def _read(path: Path, data: bytes, report: PopulationReport) -> list[_Row]:
    """Every data row of the file read and checked; totals skipped (counted in the report)."""
    text = _decode(path, data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise PopulationFormatError(path, [Problem(path.name, "the file is empty")]) from None
    except csv.Error as exc:
        raise PopulationFormatError(
            path, [Problem(path.name, f"cannot be read as CSV: {exc}", line=1)]
        ) from None
    positions = _header(path, header, report.normalised)
    names = {column: header[i].strip() or column for column, i in positions.items()}
    problems = _Problems(path.name)
    registry = reference.areas()
    low = reference.plausible_values().earliest_date.year
    high = dt.date.today().year + YEARS_AHEAD
    matched: list[reference.AreaMatch] = []

    def area(raw: str) -> str | _Skip:
        why = fmt.skipped_area(raw)
        if why is not None:
            return _Skip(f"area {why}")
        match = registry.match(raw)
        if match.area is None:
            raise fmt.ValueProblem("not a known area (an ONS code or a borough name)")
        matched.append(match)
        return match.area.code

    readers: dict[str, Callable[[str], object]] = {
        "area": area,
        "year": lambda v: fmt.read_year(v, low, high),
        "sex": fmt.read_sex,
        "age": fmt.read_age,
        "ethnic_group": fmt.read_ethnic_group,
        "population": fmt.read_population,
    }
    # each distinct cell is read once: a file repeats its areas, years, ages and groups
    columns = [(c, positions[c], {}, readers[c], names[c]) for c in readers]
    bands: dict[tuple[int, int | None], str | tuple[tuple[str, int], ...] | _Bad] = {}
    split: dict[tuple[int, int | None], tuple[tuple[str, int], ...]] = {}
    skipped: Counter[str] = Counter()
    rows: list[_Row] = []
    width = len(header)
    line = 1
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add(f"cannot be read as CSV: {exc}", line=start)
            break
        line = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue  # a blank line
        report.rows_read += 1
        if len(cells) != width:
            problems.add(f"the row has {len(cells)} fields where the header has {width}",
                         line=start)  # fmt: skip
            continue
        got: list[object] = []
        total_of: str | None = None
        bad = False
        for column, i, cache, read, name in columns:
            raw = cells[i]
            value = cache.get(raw, _UNSEEN)
            if value is _UNSEEN:
                value = cache[raw] = _value(column, raw, read)
            if type(value) is _Bad:
                problems.add(value.message, line=start, column=name, value=value.value)
                bad = True
            elif type(value) is _Skip:
                total_of = total_of or value.why
            got.append(value)
        if bad:
            continue
        if total_of is not None:
            skipped[total_of] += 1
            continue
        code, year, sex, (first, last), group, people = got  # type: ignore[misc]
        band = bands.get((first, last))
        if band is None:
            try:
                band = bands[(first, last)] = fmt.band_of(first, last)
            except fmt.ValueProblem as exc:
                try:
                    band = bands[(first, last)] = fmt.split_band(first, last)
                except fmt.ValueProblem:
                    band = bands[(first, last)] = _Bad(str(exc), None)
        if type(band) is _Bad:
            problems.add(band.message, line=start, column=names["age"],
                         value=cells[positions["age"]].strip())  # fmt: skip
            continue
        if isinstance(band, tuple):
            split[(first, last)] = band
            rows.append(_Row(start, code, year, sex, first, last, "", group, people, band))  # type: ignore[arg-type]
            continue
        rows.append(_Row(start, code, year, sex, first, last, band, group, people))  # type: ignore[arg-type]
    _counted_twice(rows, problems, names)
    if problems:
        raise PopulationFormatError(path, problems.all())
    report.skipped = dict(sorted(skipped.items()))
    if split:
        shared = ", ".join(
            f"{first}-{last} ({' : '.join(f'{n} to {b}' for b, n in shares)})"
            for (first, last), shares in sorted(split.items(), key=lambda kv: kv[0][0])
        )
        report.normalised.append(
            "age bands across dsvb's bands were shared between them by years of age "
            f"(people taken as evenly spread over a band's years): {shared}"
        )
    changed = sorted((m for m in matched if m.changed), key=lambda m: m.raw)
    report.normalised += [f"area {m.describe()}" for m in changed]
    return rows


#: ages above this are one "and over" span when rows are checked for overlaps
_TOP = fmt.MAX_AGE + 1


def _counted_twice(rows: list[_Row], problems: _Problems, names: dict[str, str]) -> None:
    """Rows that would count the same people twice: a duplicate row, ages that overlap for
    one group, or a broad group given beside its own detailed categories."""
    by_category: dict[tuple, dict[int, _Row]] = defaultdict(dict)
    by_level: dict[tuple, dict[int, _Row]] = defaultdict(dict)
    for row in rows:
        last = _TOP if row.last is None else min(row.last, _TOP)
        ages = range(min(row.first, _TOP), last + 1)
        where = (row.area, row.year, row.sex)
        held = by_category[(*where, row.group.category)]
        clash = next((held[a] for a in ages if a in held), None)
        if clash is not None:
            if (clash.first, clash.last) == (row.first, row.last):
                problems.add(
                    f"a duplicate row: the same area, year, sex, age and ethnic group as "
                    f"line {clash.line}",
                    line=row.line,
                    column=names["ethnic_group"],
                    value=row.group.label,
                )
            else:
                problems.add(
                    f"its ages overlap those of line {clash.line} for the same area, year, "
                    "sex and ethnic group: those people would be counted twice",
                    line=row.line,
                    column=names["age"],
                )
            continue
        other = "detailed" if row.group.level == "broad" else "broad"
        across = by_level[(*where, row.group.broad_group, other)]
        clash = next((across[a] for a in ages if a in across), None)
        if clash is not None:
            whole, part = (row, clash) if row.group.level == "broad" else (clash, row)
            problems.add(
                f"the group {whole.group.label!r} (line {whole.line}) and its part "
                f"{part.group.label!r} (line {part.line}) are both given for the same area, "
                "year, sex and ages: those people would be counted twice; give the group or "
                "its parts",
                line=row.line,
                column=names["ethnic_group"],
                value=row.group.label,
            )
            continue
        mine = by_level[(*where, row.group.broad_group, row.group.level)]
        for a in ages:
            held[a] = row
            mine[a] = row


def _aggregate(rows: list[_Row]) -> dict[tuple[str, int, str, str, str], int]:
    """The rows added up to (area, year, sex, age band, ethnic group)."""
    cells: dict[tuple[str, int, str, str, str], int] = defaultdict(int)
    for row in rows:
        where = (row.area, row.year, row.sex)
        if not row.split:
            cells[(*where, row.band, row.group.broad_group)] += row.population
            continue
        for band, people in _shared(row.population, row.split):
            cells[(*where, band, row.group.broad_group)] += people
    return dict(cells)


def _shared(population: int, split: tuple[tuple[str, int], ...]) -> list[tuple[str, int]]:
    """A band's people shared by years of age, in whole people that add up to the band's
    (largest remainders: 10 people over 3 + 2 years is 6 and 4)."""
    years = sum(n for _, n in split)
    exact = [(band, population * n / years) for band, n in split]
    whole = [(band, int(value)) for band, value in exact]
    left = population - sum(n for _, n in whole)
    order = sorted(range(len(exact)), key=lambda i: -(exact[i][1] - whole[i][1]))
    bump = set(order[:left])
    return [(band, n + (1 if i in bump else 0)) for i, (band, n) in enumerate(whole)]


def _gaps(cells: dict[tuple[str, int, str, str, str], int]) -> list[str]:
    """Groups an (area, year) has no row for at all: its rate would be over nobody."""
    seen: dict[tuple[str, int], dict[str, set[str]]] = defaultdict(
        lambda: {strand: set() for strand in fmt.STRANDS}
    )
    for area, year, sex, band, group in cells:
        held = seen[(area, year)]
        held["sex"].add(sex)
        held["age_band"].add(band)
        held["ethnicity"].add(group)
    warnings = []
    for (area, year), held in sorted(seen.items()):
        for strand, groups in fmt.STRANDS.items():
            missing = [g for g in groups if g not in held[strand]]
            if missing:
                warnings.append(
                    f"{area} mid-{year}: no rows for {strand.replace('_', ' ')} "
                    f"{', '.join(missing)} (their population is taken as 0)"
                )
    return warnings


# --- the import -----------------------------------------------------------------------------


def _next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM import_log").fetchone()[0]


def _content_hash(data: bytes, source: str, synthetic: bool) -> str:
    digest = hashlib.sha256(data)
    digest.update(f"\0{source}\0{synthetic}".encode())
    return digest.hexdigest()


def _already(con: duckdb.DuckDBPyConnection, content_hash: str) -> int | None:
    """The import that stored this very file (and labels) if all it stored is still held."""
    found = con.execute(
        "SELECT import_id, row_counts FROM import_log WHERE kind = ? AND content_hash = ? "
        "AND status = 'imported' ORDER BY import_id DESC LIMIT 1",
        [KIND, content_hash],
    ).fetchone()
    if found is None:
        return None
    import_id, counts = found
    stored = json.loads(counts).get(KIND, -1) if isinstance(counts, str) else -1
    held = con.execute(
        "SELECT count(*) FROM population WHERE import_id = ?", [import_id]
    ).fetchone()[0]
    return import_id if held == stored else None


def not_a_file(path: Path) -> PopulationFormatError | None:
    """The error for a path that is not a file to read (checked before a store is opened,
    so that a mistyped name creates none)."""
    if path.is_file():
        return None
    why = "is a folder, not a file" if path.is_dir() else "does not exist"
    return PopulationFormatError(path, [Problem(str(path), why)])


def import_population(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    source: str | None = None,
    synthetic: bool = False,
    progress: Progress | None = None,
) -> PopulationReport:
    """Validate the population file at ``path`` and store it, all or nothing.

    ``source`` says where the estimates come from (shown beside every rate computed on
    them; default: the file's name); ``synthetic`` labels made-up estimates (the demo's).
    Raises :class:`PopulationFormatError`, having stored nothing, when the file is wrong.
    """
    path = Path(path)
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if (missing := not_a_file(path)) is not None:
        raise missing
    data = path.read_bytes()
    label = (source or "").strip() or path.name
    content_hash = _content_hash(data, label, synthetic)
    report = PopulationReport(0, "imported", str(path), label, synthetic, content_hash)
    say(f"reading {path.name}")
    rows = _read(path, data, report)
    if not rows:
        raise PopulationFormatError(
            path, [Problem(path.name, "no rows of population to store (only totals, or none)")]
        )
    cells = _aggregate(rows)
    report.warnings += _gaps(cells)
    earlier = _already(con, content_hash)
    if earlier is not None:
        report.import_id, report.status = earlier, "already_imported"
        report.seconds = time.perf_counter() - started
        return report
    places = sorted({(area, year) for area, year, *_ in cells})
    say("storing")
    with transaction(con):
        import_id = _next_import_id(con)
        con.execute("CREATE OR REPLACE TEMP TABLE population_places (area_code VARCHAR, year INT)")
        con.executemany("INSERT INTO population_places VALUES (?, ?)", places)
        replaced: dict[int, dict[str, int]] = defaultdict(dict)
        for area, year, n in con.execute(
            "SELECT p.area_code, p.year, count(*) FROM population p "
            "JOIN population_places USING (area_code, year) GROUP BY ALL ORDER BY ALL"
        ).fetchall():
            replaced[year][area] = n
        con.execute(
            "DELETE FROM population USING population_places p "
            "WHERE population.area_code = p.area_code AND population.year = p.year"
        )
        con.execute("DROP TABLE population_places")
        keys = sorted(cells)
        columns = [[key[i] for key in keys] for i in range(5)]
        # the rows as lists, one per column, unnested side by side: no DataFrame library
        # (whose import would cost more than the insert) and no statement per row
        con.execute(
            "INSERT INTO population (area_code, year, sex, age_band, ethnicity, population, "
            "source, synthetic, import_id) SELECT unnest(?::VARCHAR[]), unnest(?::INTEGER[]), "
            "unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
            "unnest(?::BIGINT[]), ?, ?, ?",
            [*columns, [cells[key] for key in keys], label, synthetic, import_id],
        )
        report.warnings += _missing_boroughs(con, sorted({year for _, year in places}))
        report.import_id = import_id
        report.rows_stored = len(cells)
        report.areas = tuple(sorted({area for area, _ in places}))
        report.years = tuple(sorted({year for _, year in places}))
        report.total = sum(cells.values())
        report.replaced = dict(replaced)
        con.execute(
            "INSERT INTO import_log (import_id, kind, source, content_hash, started_at, "
            "finished_at, status, row_counts, normalised, warnings, dsvb_version, "
            "format_version, replaced) VALUES (?, ?, ?, ?, ?, ?, 'imported', ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                KIND,
                str(path),
                content_hash,
                started_at,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                json.dumps({KIND: report.rows_stored}),
                json.dumps(report.normalised),
                json.dumps(
                    report.warnings
                    + [f"skipped {n:,} row(s): {why}" for why, n in report.skipped.items()]
                ),
                __version__,
                fmt.FORMAT_VERSION,
                json.dumps({KIND: sum(sum(a.values()) for a in replaced.values())}),
            ],
        )
    report.seconds = time.perf_counter() - started
    say(f"stored import {import_id}")
    return report


def _missing_boroughs(con: duckdb.DuckDBPyConnection, years: list[int]) -> list[str]:
    """Years for which the store now holds some of a force's boroughs but not all: London's
    population (the sum over the areas held) would be too small."""
    registry = reference.areas()
    warnings = []
    for year in years:
        rows = con.execute("SELECT DISTINCT area_code FROM population WHERE year = ?", [year])
        held = {r[0] for r in rows.fetchall()}
        forces = sorted({registry.by_code(code).force_code for code in held})
        for force in forces:
            missing = sorted(set(reference.boroughs(force)) - held)
            if missing:
                names = ", ".join(reference.boroughs(force)[c] for c in missing[:8])
                if len(missing) > 8:
                    names += f" and {len(missing) - 8} more"
                warnings.append(
                    f"mid-{year}: the store holds the population of {len(held)} area(s) but "
                    f"not of {names}: the {force} total is the sum over the areas held"
                )
    return warnings


# --- reading the store ------------------------------------------------------------------------


def _has_population(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store has the population table (stores made before schema 6 have not)."""
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'population'"
        ).fetchone()[0]
    )


def years_held(con: duckdb.DuckDBPyConnection) -> tuple[int, ...]:
    """The mid-years the store holds a population for, earliest first."""
    if not _has_population(con):
        return ()
    rows = con.execute("SELECT DISTINCT year FROM population ORDER BY year").fetchall()
    return tuple(r[0] for r in rows)


@dataclass(frozen=True)
class Population:
    """The population of one mid-year, per area and group (sex x age band x ethnic group).

    ``cells`` holds (area code, sex, age band, ethnic group, people); ``count`` and
    ``total`` add them up. The area code :data:`ALL` is every area held (London, for the
    Metropolitan Police).
    """

    year: int
    source: str
    synthetic: bool
    cells: tuple[tuple[str, str, str, str, int], ...] = field(repr=False)

    @property
    def areas(self) -> tuple[str, ...]:
        """The areas held, by code."""
        return tuple(sorted({cell[0] for cell in self.cells}))

    @functools.cached_property
    def _sums(self) -> dict[tuple[str, str, str], int]:
        sums: dict[tuple[str, str, str], int] = defaultdict(int)
        for area, sex, band, group, n in self.cells:
            for place in (area, ALL):
                sums[(place, "sex", sex)] += n
                sums[(place, "age_band", band)] += n
                sums[(place, "ethnicity", group)] += n
                sums[(place, "", "")] += n
        return dict(sums)

    def _check_area(self, area_code: str) -> None:
        if area_code != ALL and (area_code, "", "") not in self._sums:
            raise KeyError(f"no population for area {area_code} in mid-{self.year}")

    def count(self, area_code: str, strand: str, group: str) -> int:
        """People of ``group`` in one strand (sex, age_band or ethnicity) of the area."""
        groups = fmt.STRANDS.get(strand)
        if groups is None:
            raise ValueError(f"{strand!r} is not a strand: one of {', '.join(fmt.STRANDS)}")
        if group not in groups:
            raise ValueError(f"{group!r} is not a group of {strand}: one of {', '.join(groups)}")
        self._check_area(area_code)
        return self._sums.get((area_code, strand, group), 0)

    def total(self, area_code: str) -> int:
        """Everyone in the area."""
        self._check_area(area_code)
        return self._sums.get((area_code, "", ""), 0)


def population(con: duckdb.DuckDBPyConnection, year: int | None = None) -> Population | None:
    """The population of mid-``year`` (default: the latest held), or None if not held."""
    held = years_held(con)
    if not held:
        return None
    year = held[-1] if year is None else year
    if year not in held:
        return None
    cells = con.execute(
        "SELECT area_code, sex, age_band, ethnicity, sum(population)::BIGINT FROM population "
        "WHERE year = ? GROUP BY ALL ORDER BY ALL",
        [year],
    ).fetchall()
    labels = con.execute(
        "SELECT DISTINCT source, synthetic FROM population WHERE year = ? ORDER BY ALL", [year]
    ).fetchall()
    sources = sorted({source for source, _ in labels})
    return Population(
        year=year,
        source="; ".join(sources),
        synthetic=any(synthetic for _, synthetic in labels),
        cells=tuple((a, s, b, g, int(n)) for a, s, b, g, n in cells),
    )


def _mid_year(year: int) -> dt.date:
    return dt.date(year, 6, 30)  # the estimates are for 30 June


def year_for(
    held_years: tuple[int, ...] | list[int], period_start: dt.date, period_end: dt.date
) -> tuple[int, str | None]:
    """The held mid-year nearest the middle of the period ``[period_start, period_end)``,
    with a note when it is not the period's own (the mid-year nearest its middle).

    Raises ValueError when no year is held.
    """
    if not held_years:
        raise ValueError("the store holds no population estimates (dsvb import-population)")
    middle = period_start + (period_end - period_start) / 2
    own = min(
        (middle.year - 1, middle.year, middle.year + 1),
        key=lambda y: abs((_mid_year(y) - middle).days),
    )
    chosen = min(sorted(held_years), key=lambda y: (abs((_mid_year(y) - middle).days), y))
    if chosen == own:
        return chosen, None
    last_day = period_end - dt.timedelta(days=1)
    return chosen, (
        f"population for mid-{chosen} used for the period {period_start:%d %B %Y} to "
        f"{last_day:%d %B %Y} (mid-{own} is not held)"
    )
