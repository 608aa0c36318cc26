"""Documents out: what the board sends and publishes (a commissioning brief, a letter, a
follow-up report, the annual report), as one plain structure that every format is drawn from.

Content is built once, as a :class:`Document` (headings, numbered paragraphs, lists, tables,
charts), by the module that knows the content (``brief``, ``letters``, ``annual_report``);
``render`` turns any document into HTML, PDF and DOCX. So a figure is written into a brief in
one place, and the three formats cannot say different things.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The media type of each kind of document file, by format name (no dot): what the board
#: sends (html, pdf, docx) and what boroughs and the secretariat send it (also txt, md).
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
}


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of prose; ``number`` when the document numbers its paragraphs ("3.2").
    A new line in ``text`` is a line break within the paragraph (an address)."""

    text: str
    number: str | None = None
    emphasis: bool = False  # a note set apart (a caveat, "draft: not for publication")


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    """A table: a caption, column headings and rows of text (already formatted, already under
    disclosure control where the document is published). ``numeric`` marks the columns to
    right-align; ``notes`` are printed beneath (sources, suppression markers explained)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.caption!r}: a row has {len(row)} cells, not {len(self.columns)}"
                )
        if self.numeric and len(self.numeric) != len(self.columns):
            raise ValueError(f"table {self.caption!r}: numeric marks every column or none")


@dataclass(frozen=True)
class Chart:
    """A chart as SVG (drawn from the same figures as a table beside it), with the words a
    screen reader and the DOCX use in its place (``alt``)."""

    caption: str
    svg: str
    alt: str
    png: bytes = b""  # for DOCX, which cannot hold SVG: the same chart as PNG


@dataclass(frozen=True)
class FieldList:
    """Labelled values: a brief's administration section, a letter's reference block."""

    items: tuple[tuple[str, str], ...]


Block = Paragraph | BulletList | Table | Chart | FieldList


@dataclass(frozen=True)
class Section:
    """A titled section (``level`` 2 under the document's title, 3 beneath that), its blocks,
    and its subsections."""

    title: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()
    level: int = 2
    key: str = ""  # a stable name for tests and anchors ("B1", "recommendations")


@dataclass(frozen=True)
class Document:
    """A whole document. ``kind`` names the template family (brief, letter, follow_up,
    annual_report); ``marking`` is printed at the top of every page ("DRAFT", "OFFICIAL");
    ``footer`` lines close the document (the disclosure policy and its version on anything
    published; "synthetic data" on the demo's)."""

    kind: str
    title: str
    sections: tuple[Section, ...]
    subtitle: str = ""
    marking: str = ""
    preamble: tuple[Block, ...] = ()
    footer: tuple[str, ...] = ()
    # blocks after the last section, under no heading: a letter's sign-off
    closing: tuple[Block, ...] = ()
    metadata: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def section(self, key: str) -> Section:
        """The section (at any depth) with ``key``."""
        stack = list(self.sections)
        while stack:
            s = stack.pop(0)
            if s.key == key:
                return s
            stack.extend(s.subsections)
        raise KeyError(key)

    def text(self) -> str:
        """Every word of the document in reading order, one block per line: what a reader of
        any format sees (tests compare it with the text taken back out of the PDF and DOCX)."""
        out = [self.title, self.subtitle, *(_block_text(b) for b in self.preamble)]
        stack = list(self.sections)

        def walk(s: Section) -> None:
            out.append(s.title)
            out.extend(_block_text(b) for b in s.blocks)
            for sub in s.subsections:
                walk(sub)

        for s in stack:
            walk(s)
        out.extend(_block_text(b) for b in self.closing)
        out.extend(self.footer)
        return "\n".join(t for t in out if t)


def _block_text(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"{block.number} {block.text}" if block.number else block.text
    if isinstance(block, BulletList):
        return "\n".join(block.items)
    if isinstance(block, Table):
        rows = ["\t".join(block.columns), *("\t".join(r) for r in block.rows)]
        return "\n".join([block.caption, *rows, *block.notes])
    if isinstance(block, Chart):
        return f"{block.caption}\n{block.alt}"
    return "\n".join(f"{label}: {value}" for label, value in block.items)
