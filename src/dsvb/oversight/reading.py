"""Documents in: the text of a borough's report or a meeting's minutes, as numbered lines.

Boroughs and secretariats send Word documents, PDFs, plain text and Markdown. Everything that
reads them (the minutes' actions, the report's figures) works on one shape: the document's
lines in order, each with the number a reader can find it by, and -- when the line was a row
of a table -- its cells, so that a figure in a table keeps its row label and column heading.

Line numbers: for text and Markdown the true line number in the file; for DOCX the position of
the paragraph or table row in the body (1-based, tables' rows counted one by one); for PDF the
line's position in the extracted text, counted across pages, with its page.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".txt", ".md", ".markdown", ".docx", ".pdf")

# a Markdown table's divider row: |---|:--:|
_DIVIDER = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


class DocumentError(ValueError):
    """A document that cannot be read, naming it (and the reason in plain words)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Line:
    """One line of a document: a paragraph, a line of text, or a table row (with its cells)."""

    number: int
    text: str
    cells: tuple[str, ...] = ()
    page: int | None = None
    style: str = ""  # the DOCX paragraph style ("Heading 2", "List Number"), else ""

    @property
    def is_table_row(self) -> bool:
        return bool(self.cells)


def read_document(source: Path | bytes, name: str | None = None) -> list[Line]:
    """The lines of a document, by its name's suffix (.txt, .md, .docx, .pdf).

    ``source`` is a path or the file's bytes (an upload); ``name`` is the file name to judge
    the kind by and to name in errors (by default the path's name). Raises
    :class:`DocumentError` for an unknown kind, an empty file, or a file that is not what its
    name says (a .docx that is not a Word document, a .pdf that is not a PDF).
    """
    if isinstance(source, Path):
        name = name or source.name
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise DocumentError(name, f"cannot be read ({exc.strerror or exc})") from None
    else:
        data = source
        name = name or "document"
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        kinds = ", ".join(SUFFIXES)
        raise DocumentError(name, f"is a {suffix or 'file with no suffix'}; dsvb reads {kinds}")
    if not data.strip():
        raise DocumentError(name, "is empty")
    if suffix == ".docx":
        return _docx(data, name)
    if suffix == ".pdf":
        return _pdf(data, name)
    return _text(data, name)


def _text(data: bytes, name: str) -> list[Line]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise DocumentError(name, "is not text in UTF-8 or Windows-1252")
    lines: list[Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if _DIVIDER.match(line) and "|" in line:
            continue
        cells: tuple[str, ...] = ()
        stripped = line.strip()
        if stripped.startswith("|") and stripped.count("|") >= 2:
            cells = tuple(c.strip() for c in stripped.strip("|").split("|"))
        elif "\t" in stripped:
            cells = tuple(c.strip() for c in stripped.split("\t"))
        lines.append(Line(number, line, cells))
    return lines


def _docx(data: bytes, name: str) -> list[Line]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(name, f"is not a Word (.docx) document ({exc})") from None
    lines: list[Line] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            style = block.style.name if block.style is not None else ""
            lines.append(Line(len(lines) + 1, block.text.rstrip(), style=style or ""))
        elif isinstance(block, Table):
            for row in block.rows:
                cells = _unique_cells(row.cells)
                lines.append(Line(len(lines) + 1, "\t".join(cells), cells, style="table"))
    return lines


def _unique_cells(cells: list) -> tuple[str, ...]:
    """A row's cells' text, a merged cell (python-docx repeats it) once."""
    out: list[str] = []
    seen: list[object] = []
    for cell in cells:
        if any(cell._tc is s for s in seen):
            continue
        seen.append(cell._tc)
        out.append(" ".join(cell.text.split()))
    return tuple(out)


def _pdf(data: bytes, name: str) -> list[Line]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    if not data.lstrip().startswith(b"%PDF"):
        raise DocumentError(name, "is not a PDF (it does not start with %PDF)")
    lines: list[Line] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page_number, page in enumerate(pdf.pages, start=1):
                text = page.extract_text(layout=False) or ""
                for raw in text.splitlines():
                    lines.append(Line(len(lines) + 1, raw.rstrip(), page=page_number))
    except (PDFSyntaxError, PdfminerException) as exc:
        raise DocumentError(name, f"is a damaged PDF ({exc})") from None
    if not any(line.text.strip() for line in lines):
        raise DocumentError(
            name, "has no text layer (a scanned image?); send the report as Word or text"
        )
    return lines
