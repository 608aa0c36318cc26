"""Malformed published tables made from the real ones, and what a correct reading of each is.

Each :class:`Mutation` changes the bytes of one real published table and says what must
happen: a refusal at a given row, true line and column (``refused``), or an import whose
stored figures are exactly what the file prints (``refused is None``). The oracle for what a
file prints is Python's csv module over the file's text with universal newlines, a reading
independent of the reader under test.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

import dsvb.reference
from tests.support.store import contents

PUBLISHED = Path(dsvb.reference.__file__).parent / "published"
DV = "dv_by_borough_12m_to_2010-11.csv"
SEXUAL = "sexual_offences_by_unit_12m_to_2010-11.csv"
SCD2 = "scd2_sexual_offences_2009-10_vs_2008-09.csv"
HEADLINE = "vaw_headline_12m_to_2010-11.csv"
KINGSTON = "kingston_return_2006-07.csv"
TABLES = (DV, SEXUAL, SCD2, HEADLINE, KINGSTON)


def original(name: str) -> bytes:
    return (PUBLISHED / name).read_bytes()


def line_starting(data: bytes, prefix: bytes) -> int:
    """The true line (1 = first) of the first line that starts with ``prefix``."""
    for number, line in enumerate(re.split(rb"\r\n|\r|\n", data), start=1):
        if line.startswith(prefix):
            return number
    raise AssertionError(f"no line starts with {prefix!r}")


@dataclass(frozen=True)
class Mutation:
    """One malformed table: how it is made and the refusal expected (None: it imports)."""

    name: str
    table: str
    mutate: Callable[[bytes], bytes]
    #: (row as the message names it, the true line, the column), or None for an import
    refused: Callable[[bytes], tuple[int | str, int, str]] | None = None
    #: words the refusal must say, or a figure (row label, column) that must not be stored
    says: str = ""
    not_a_figure: tuple[str, str] | None = None


def _cut_after(prefix: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data[: data.index(prefix) + len(prefix)]


def _replace(old: bytes, new: bytes, count: int = 1) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        assert old in data, old
        return data.replace(old, new, count)

    return mutate


def _at(label: bytes, column: str, *, offset: int = 0) -> Callable[[bytes], tuple[int, int, str]]:
    """The row, line and column of the row labelled ``label`` in the mutated file."""

    def where(data: bytes) -> tuple[int, int, str]:
        line = line_starting(data, label) + offset
        return line - 1, line, column

    return where


def _header(column: str, line: int = 1) -> Callable[[bytes], tuple[str, int, str]]:
    return lambda data: ("header row", line, column)


def _xlsx(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("xl/worksheets/sheet1.xml", data * 20)
    whole = buffer.getvalue()
    return whole[: len(whole) // 2]  # a workbook cut short in transfer


def _columns(n: int) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        first, rest = data.split(b"\n", 1)
        extra = b"".join(b",%d/%02d" % (1000 + i, (i + 1) % 100) for i in range(n))
        return first.rstrip(b"\r") + extra + b"\n" + rest

    return mutate


def _mixed_endings(data: bytes) -> bytes:
    """The lines of an LF file ended in turn by CRLF, a lone CR and LF."""
    lines = data.split(b"\n")
    ends = (b"\r\n", b"\r", b"\n")
    return b"".join(line + ends[i % 3] for i, line in enumerate(lines[:-1])) + lines[-1]


def _many_rows(data: bytes) -> bytes:
    row = b"refuge_spaces_2006-07,16,,\n"
    return data + row * 5_100


def _many_cells(data: bytes) -> bytes:
    """200 columns (the ceiling) and 260 rows: 52,000 cells, over the 50,000 ceiling."""
    header, rest = data.split(b"\n", 1)
    extra = b"".join(b",%d" % (1800 + i) for i in range(197))
    return header + extra + b"\n" + rest + b"Incidents,1,2\n" * 250


MUTATIONS: tuple[Mutation, ...] = (
    # --- cut short ---------------------------------------------------------------------------
    Mutation(
        "cut mid-row (36 for 3667)",
        DV,
        _cut_after(b"Hillingdon,36"),
        _at(b"Hillingdon", "dv_incidents"),
        "the file ends in the middle of row 16",
    ),
    Mutation(
        "cut mid-row in the unit rows",
        SEXUAL,
        _cut_after(b"SCD5,2577,14"),
        _at(b"SCD5", "sexual_offences"),
        "looks cut short",
    ),
    Mutation(
        "cut after a row label",
        HEADLINE,
        lambda data: data[: data.index(b"\nRape") + len(b"\nRape")],
        _at(b"Rape", "offence"),
        "looks cut short",
    ),
    Mutation(
        "cut inside a quoted note",
        KINGSTON,
        _cut_after(b'dv_offences,791,,"54% of'),
        _at(b"dv_offences", "note"),
        "unbalanced quote",
    ),
    Mutation(
        "cut inside a UTF-8 character",
        DV,
        lambda data: data[: data.index(b"Westminster")] + "Westminsté".encode()[:-1],
        _at(b"Westminst", "borough"),
        "ends in the middle of a character",
    ),
    Mutation(
        "cut inside the last figure, no line end",
        DV,
        lambda data: data.rstrip(b"\r\n")[:-2],
        None,
        not_a_figure=("MPS Total", "dv_cautions"),
    ),
    Mutation(
        "no line end after the last figure",
        SCD2,
        lambda data: data.rstrip(b"\r\n"),
        None,
        not_a_figure=("Incidents referred to the Havens", "2008/09"),
    ),
    Mutation(
        "cut between rows",
        SEXUAL,
        lambda data: data[: data.index(b"Non-Borough Total")],
        None,
    ),
    Mutation(
        "short last row, no line end",
        KINGSTON,
        lambda data: data.rstrip(b"\n").rsplit(b"\n", 1)[0] + b"\nrefuge_spaces,1",
        _at(b"refuge_spaces", "value"),
        "looks cut short",
    ),
    # --- not a CSV table ---------------------------------------------------------------------
    Mutation(
        "a NUL byte in a figure",
        DV,
        _replace(b"Barnet,3525", b"Barnet,35\x0025"),
        _at(b"Barnet", "dv_incidents"),
        "NUL byte",
    ),
    Mutation(
        "a Latin-1 byte in a label",
        SEXUAL,
        _replace(b"Barnet", "Barnét".encode("latin-1")),
        _at(b"Barn", "borough_or_unit"),
        "not UTF-8",
    ),
    Mutation(
        "saved as UTF-16",
        SCD2,
        lambda data: data.decode().encode("utf-16"),
        _header("#1"),
        "UTF-16",
    ),
    Mutation("an xlsx workbook cut short", DV, _xlsx, _header("#1"), "zip archive"),
    Mutation("a PDF", HEADLINE, lambda data: b"%PDF-1.4\n" + data, _header("#1"), "PDF"),
    Mutation(
        "separated by semicolons",
        DV,
        lambda data: data.replace(b",", b";"),
        _header("borough;dv_incidents;dv_offences;dv_sanction_detections;dv_charges;dv_cautions"),
        "semicolons",
    ),
    # --- quotes, cells, columns, rows --------------------------------------------------------
    Mutation(
        "an unbalanced quote before a label",
        DV,
        _replace(b"\r\nBarnet,", b'\r\n"Barnet,'),
        _at(b'"Barnet', "borough"),
        "unbalanced quote",
    ),
    Mutation(
        "an unbalanced quote in a figure",
        SEXUAL,
        _replace(b"Bexley,112,", b'Bexley,"112,'),
        _at(b"Bexley", "sexual_incidents"),
        "unbalanced quote",
    ),
    Mutation(
        "a 100,000-character cell",
        HEADLINE,
        _replace(b'Rape,"4,033"', b"Rape," + b"9" * 100_000),
        _at(b"Rape", "incidents"),
        "a cell of 100,000 characters",
    ),
    Mutation(
        "a 1 MB cell",
        DV,
        _replace(b"Barnet,3525", b"Barnet," + b"7" * 1_000_000),
        _at(b"Barnet", "dv_incidents"),
        "a cell of more than",
    ),
    Mutation(
        "5,000 columns", SCD2, _columns(5_000), _header("#201"), "the header has 5,003 columns"
    ),
    Mutation(
        "5,100 more rows",
        KINGSTON,
        _many_rows,
        lambda data: (5_001, 5_002, "indicator"),
        "more than 5,000 data rows",
    ),
    Mutation(
        "more cells than the ceiling",
        SCD2,
        _many_cells,
        lambda data: (251, 252, "measure"),
        "more than 250 data rows (50,200 cells with the header's 200 columns)",
    ),
    Mutation(
        "an extra cell",
        DV,
        _replace(b"Barnet,3525,1202,730,455,275", b"Barnet,3525,1202,730,455,275,9"),
        _at(b"Barnet", "#7"),
        "7 cells where the header has 6",
    ),
    Mutation(
        "a duplicated column",
        DV,
        _replace(b"dv_charges", b"dv_offences"),
        _header("dv_offences"),
        "twice",
    ),
    Mutation(
        "an empty column name",
        SCD2,
        _replace(b",2008/09", b","),
        _header("#3"),
        "empty column name",
    ),
    Mutation(
        "an unknown measure",
        HEADLINE,
        _replace(b"incidents", b"widgets"),
        _header("widgets"),
        "not a known measure",
    ),
    Mutation(
        "an unknown area",
        DV,
        _replace(b"Bexley,", b"Atlantis,"),
        _at(b"Atlantis", "borough"),
        "not a known area",
    ),
    Mutation(
        "a duplicated row",
        SEXUAL,
        _replace(b"Bexley,", b"Barnet,"),
        lambda data: (3, 4, "borough_or_unit"),
        "the same area",
    ),
    Mutation(
        "an impossible date",
        KINGSTON,
        _replace(b"2006-04-01", b"2006-13-01"),
        _at(b"period_start", "value"),
        "not a date",
    ),
    Mutation(
        "header only",
        KINGSTON,
        lambda data: data.split(b"\n")[0] + b"\n",
        _header("indicator"),
        "no data rows",
    ),
    Mutation("empty", SCD2, lambda data: b"", _header("#1"), "the file is empty"),
    Mutation(
        "blank lines only", HEADLINE, lambda data: b"\r\n" * 5, _header("#1"), "the file is empty"
    ),
    # --- line endings and true line numbers --------------------------------------------------
    Mutation(
        "CR-only line endings, an unknown area",
        DV,
        lambda data: data.replace(b"Bromley", b"Narnia").replace(b"\r\n", b"\r"),
        _at(b"Narnia", "borough"),
        "not a known area",
    ),
    Mutation(
        "mixed line endings, an unknown area",
        SEXUAL,
        lambda data: (
            data.replace(b"\r\n", b"\n", 7).replace(b"\r\n", b"\r", 9).replace(b"Harrow", b"Gondor")
        ),
        _at(b"Gondor", "borough_or_unit"),
        "not a known area",
    ),
    Mutation(
        "100,000 blank lines, an unknown area after them",
        DV,
        lambda data: data.replace(b"\r\nBarnet", b"\r\n" * 100_001 + b"Barnet").replace(
            b"Camden", b"Mordor"
        ),
        lambda data: (6, line_starting(data, b"Mordor"), "borough"),
        "not a known area",
    ),
    Mutation(
        "100,000 blank lines, a NUL byte after them",
        DV,
        lambda data: data.replace(b"\r\nBarnet", b"\r\n" * 100_001 + b"Barnet").replace(
            b"Camden,3085", b"Camden,30\x0085"
        ),
        lambda data: (6, line_starting(data, b"Camden"), "dv_incidents"),
        "NUL byte",
    ),
    Mutation(
        "blank lines before the header, an unknown measure",
        SCD2,
        lambda data: b"\r\n\r\n" + data.replace(b"2008/09", b"last year"),
        _header("last year", line=3),
        "not a period label",
    ),
    # --- imported: what the file prints, and nothing that is not a figure as a figure ---------
    Mutation("CR-only line endings", DV, lambda data: data.replace(b"\r\n", b"\r")),
    Mutation("CRLF line endings", KINGSTON, lambda data: data.replace(b"\n", b"\r\n")),
    Mutation(
        "mixed line endings",
        SCD2,
        _mixed_endings,
    ),
    Mutation("a byte-order mark", HEADLINE, lambda data: b"\xef\xbb\xbf" + data),
    Mutation(
        "100,000 blank lines",
        SEXUAL,
        lambda data: data.replace(b"\r\nBarnet", b"\r\n" * 100_001 + b"Barnet"),
    ),
    Mutation(
        "formula text in a figure",
        DV,
        _replace(b"Barnet,3525", b"Barnet,=SUM(B2:B9)"),
        None,
        not_a_figure=("Barnet", "dv_incidents"),
    ),
    Mutation(
        "a stray quote inside a figure",
        DV,
        _replace(b"Bexley,2882", b'Bexley,28"82'),
        None,
        not_a_figure=("Bexley", "dv_incidents"),
    ),
    Mutation(
        "400 digits",
        SEXUAL,
        _replace(b"Brent,167", b"Brent," + b"1" * 400),
        None,
        not_a_figure=("Brent", "sexual_incidents"),
    ),
    Mutation(
        "a short row that ends its line",
        DV,
        _replace(b"Camden,3085,1063,530,297,228", b"Camden,3085,1063"),
        None,
        not_a_figure=("Camden", "dv_charges"),
    ),
    Mutation(
        "a quoted figure with a comma",
        KINGSTON,
        _replace(b"dv_incidents,1474", b'dv_incidents,"1,474"'),
        None,
    ),
)


# --- the oracle: what a file prints ---------------------------------------------------------


def printed(data: bytes) -> tuple[list[str], dict[tuple[int, int], str]]:
    """The header and each data cell's text by (data row, column), read independently."""
    text = data.decode("utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(f.strip() for f in r)]
    header = rows[0]
    cells = {(i, j): f for i, row in enumerate(rows[1:], start=1) for j, f in enumerate(row)}
    return header, cells


_FIGURE = re.compile(r"^(?:of\s+)?£?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*%?\s*[¹²³⁴⁵⁶⁷⁸⁹⁰*†‡§]*$")


def figure_of(text: str) -> Decimal | None:
    """The number a printed cell shows (``48.2%`` -> 48.2, ``1,474`` -> 1474), or None."""
    m = _FIGURE.match(text.strip())
    return Decimal(m[1].replace(",", "")) if m else None


def stored_figures(con: duckdb.DuckDBPyConnection, return_id: int) -> list[tuple]:
    return con.execute(
        "SELECT row_number, column_number, row_label, column_name, raw, value, value_kind, "
        "status FROM published_cells WHERE return_id = ? AND value IS NOT NULL",
        [return_id],
    ).fetchall()


# --- the store ------------------------------------------------------------------------------


def digest(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """A SHA-256 of every table of the store, table by table."""
    return {t: hashlib.sha256(repr(rows).encode()).hexdigest() for t, rows in contents(con).items()}
