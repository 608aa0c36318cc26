"""Documents out, in every format: HTML (for the pages and for print), PDF and DOCX.

Every document the board sends or publishes is built once as a
:class:`~dsvb.oversight.document.Document` and drawn here, so the three formats cannot say
different things: what :meth:`Document.text` holds is what a reader of each format reads
(the tests take the text back out of the PDF and the DOCX and compare word for word).

* :func:`to_html` -- Jinja2 with autoescaping (every text in a document is data, typed by
  the secretariat or a borough); a standalone page with the print stylesheet (A4, the
  marking at the top of every page, "Page X of Y" at the foot), or a fragment for the web
  pages to embed in their own layout (:func:`stylesheet` gives its CSS).
* :func:`to_pdf` -- WeasyPrint from that HTML. WeasyPrint needs Pango and HarfBuzz from the
  system; it is imported only here, so the rest of dsvb (and the CLI) work without them,
  and a missing library is reported as the Debian packages to install.
* :func:`to_docx` -- python-docx: Word's own heading styles (so the navigation pane and a
  screen reader see the structure), real tables with a repeating header row, lists with
  Word numbering, charts as PNG with their alternative text, the marking in the page
  header and the footer lines and page numbers in the page footer.

A chart is an SVG drawn from the same figures as a table beside it; its description
(``Chart.alt``) is printed beneath it in every format too, because a printed page has no
alternative text and the 2010 brief asks that data be given in words.
"""

from __future__ import annotations

import base64
import io
import re
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from dsvb.oversight.document import (
    Block,
    BulletList,
    Chart,
    Document,
    FieldList,
    Paragraph,
    Section,
    Table,
)

__all__ = ["PDF_PACKAGES", "RenderError", "stylesheet", "to_docx", "to_html", "to_pdf"]

#: The Debian packages WeasyPrint needs (the fonts: DejaVu Sans, the last fallback).
PDF_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core")
FONT = "Arial"  # DOCX: Word substitutes Liberation Sans or DejaVu Sans where Arial is missing
GREY = (0x50, 0x5A, 0x5F)


class RenderError(RuntimeError):
    """A document cannot be drawn in a format on this machine (a missing system library)."""


# --- HTML ---------------------------------------------------------------------------------------


def _kind(block: Block) -> str:
    if isinstance(block, Paragraph):
        return "paragraph"
    if isinstance(block, BulletList):
        return "list"
    if isinstance(block, Table):
        return "table"
    if isinstance(block, Chart):
        return "chart"
    if isinstance(block, FieldList):
        return "fields"
    raise TypeError(f"not a document block: {block!r}")


def _numeric(table: Table, column: int) -> bool:
    return bool(table.numeric) and table.numeric[column]


def _anchor(key: str) -> str:
    return "section-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


def _heading(level: int) -> int:
    return min(max(level, 2), 6)


def _svg_uri(chart: Chart) -> str:
    """The chart as a data URI: an <img> runs no script and fetches nothing, whatever the SVG
    holds, where inline SVG would be markup in the page."""
    return "data:image/svg+xml;base64," + base64.b64encode(chart.svg.encode("utf-8")).decode()


_CSS_PLAIN = re.compile(r"[A-Za-z0-9 ]")


def _css_string(text: str) -> Markup:
    """A CSS string literal: every character but letters, digits and spaces escaped as a hex
    code, so no text (quotes, ``</style>``, new lines) can end the string or the sheet."""
    out = "".join(ch if _CSS_PLAIN.fullmatch(ch) else f"\\{ord(ch):x} " for ch in text)
    return Markup(f'"{out}"')


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dsvb.oversight", "templates"),
        autoescape=True,  # every template, whatever its name: the texts are data
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )
    env.filters["css_string"] = _css_string
    env.globals.update(
        kind=_kind, numeric=_numeric, anchor=_anchor, heading=_heading, svg_uri=_svg_uri
    )
    return env


def stylesheet() -> str:
    """The documents' CSS for the screen (the web pages add it beside a fragment)."""
    return _environment().loader.get_source(_environment(), "document.css")[0]  # type: ignore[union-attr]


def to_html(doc: Document, *, standalone: bool = True) -> str:
    """The document as HTML: a whole page with the screen and print stylesheets
    (``standalone``), or the ``<article>`` alone for a page to embed."""
    env = _environment()
    print_css = env.get_template("print.css.j2").render(
        marking=doc.marking,
        short_title=doc.title if not doc.subtitle else f"{doc.title}: {doc.subtitle}",
    )
    return env.get_template("document.html.j2").render(
        doc=doc,
        standalone=standalone,
        stylesheet=Markup(stylesheet()),
        print_stylesheet=Markup(print_css),
    )


# --- PDF ----------------------------------------------------------------------------------------


def _fetcher() -> Any:
    """WeasyPrint's URL fetcher for documents: data URIs only (the charts); a document never
    reaches out to a file or the network, whatever text it holds."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",))


def _weasyprint() -> Any:
    try:
        import weasyprint
    except OSError as exc:  # cffi could not open Pango, HarfBuzz …
        raise RenderError(
            "PDF documents need the system libraries Pango and HarfBuzz, which could not be "
            f"loaded ({exc}). On Debian or Ubuntu install them with: "
            f"apt-get install {' '.join(PDF_PACKAGES)} (scripts/system_deps.sh does this)"
        ) from None
    except ImportError as exc:
        raise RenderError(
            f"PDF documents need the Python package WeasyPrint, which is not installed ({exc}); "
            "run `make install`"
        ) from None
    return weasyprint


def to_pdf(doc: Document) -> bytes:
    """The document as a PDF (A4), drawn by WeasyPrint from :func:`to_html`."""
    weasyprint = _weasyprint()
    html = weasyprint.HTML(string=to_html(doc), url_fetcher=_fetcher(), base_url=None)
    return html.write_pdf()


# --- DOCX ---------------------------------------------------------------------------------------


def to_docx(doc: Document) -> bytes:
    """The document as a Word file (.docx)."""
    import docx
    from docx.shared import Pt

    word = docx.Document()
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Heading 4", "Title", "Caption"):
        style = word.styles[name]
        style.font.name = FONT
        style.font.color.rgb = None
    props = word.core_properties
    props.title = doc.title
    props.subject = doc.subtitle
    meta = dict(doc.metadata)
    props.author = meta.get("author", "dsvb")
    props.keywords = doc.kind
    _page_furniture(word, doc)
    word.add_heading(doc.title, level=1)
    if doc.subtitle:
        word.add_paragraph(doc.subtitle, style="Subtitle")
    for block in doc.preamble:
        _docx_block(word, block)
    for section in doc.sections:
        _docx_section(word, section)
    for block in doc.closing:
        _docx_block(word, block)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _page_furniture(word: Any, doc: Document) -> None:
    """The marking in every page's header; the footer lines and "Page X of Y" in its footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    section = word.sections[0]
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.marking:
        run = header.add_run(doc.marking.upper())
        run.bold = True
        run.font.size = Pt(9)
    footer = section.footer
    first = footer.paragraphs[0]
    for k, line in enumerate(doc.footer):
        p = first if k == 0 else footer.add_paragraph()
        run = p.add_run(line)
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(*GREY)
    pages = first if not doc.footer else footer.add_paragraph()
    pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for piece in ("Page ", "PAGE", " of ", "NUMPAGES"):
        if piece.isupper():
            _field(pages, piece)
        else:
            pages.add_run(piece).font.size = Pt(9)


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the pages out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    run = paragraph.add_run()
    run._r.append(char("begin"))
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run._r.append(code)
    run._r.append(char("separate"))
    shown = OxmlElement("w:t")
    shown.text = "1"
    run._r.append(shown)
    run._r.append(char("end"))


def _docx_section(word: Any, section: Section) -> None:
    word.add_heading(section.title, level=min(max(section.level, 2), 9))
    for block in section.blocks:
        _docx_block(word, block)
    for sub in section.subsections:
        _docx_section(word, sub)


def _docx_block(word: Any, block: Block) -> None:
    from docx.shared import Cm

    if isinstance(block, Paragraph):
        p = word.add_paragraph()
        if block.number:
            p.paragraph_format.left_indent = Cm(1.25)
            p.paragraph_format.first_line_indent = Cm(-1.25)
            p.paragraph_format.tab_stops.add_tab_stop(Cm(1.25))
            p.add_run(block.number).bold = True
            p.add_run("\t")
        run = p.add_run(block.text)
        run.bold = block.emphasis or None
    elif isinstance(block, BulletList):
        _docx_list(word, block)
    elif isinstance(block, Table):
        _docx_table(word, block)
    elif isinstance(block, Chart):
        _docx_chart(word, block)
    elif isinstance(block, FieldList):
        for label, value in block.items:
            p = word.add_paragraph()
            p.paragraph_format.space_after = Cm(0.1)
            p.add_run(f"{label}:").bold = True
            p.add_run(f" {value}")
    else:
        raise TypeError(f"not a document block: {block!r}")


def _docx_list(word: Any, block: BulletList) -> None:
    """Bullets, or Word numbering that starts at 1 for each list (Word's "List Number" style
    would otherwise continue one count through the whole document)."""
    style = "List Number" if block.numbered else "List Bullet"
    num_id = _restarted_numbering(word) if block.numbered else None
    for item in block.items:
        p = word.add_paragraph(item, style=style)
        if num_id is not None:
            p_pr = p._p.get_or_add_pPr()
            p_pr.get_or_add_numPr().get_or_add_numId().val = num_id
            p_pr.get_or_add_numPr().get_or_add_ilvl().val = 0


def _restarted_numbering(word: Any) -> int:
    numbering = word.part.numbering_part.element
    style = word.styles["List Number"]
    style_num = style.element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(style_num).abstractNumId.val
    num = numbering.add_num(abstract)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(num.numId)


def _docx_table(word: Any, table: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    word.add_paragraph(table.caption, style="Caption")
    grid = word.add_table(rows=1 + len(table.rows), cols=len(table.columns))
    grid.style = "Table Grid"
    header = grid.rows[0]
    # the header row repeats on every page the table runs onto, and is marked as a header
    # for screen readers
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for row_cells, texts, bold in (
        (header.cells, table.columns, True),
        *((grid.rows[i + 1].cells, row, False) for i, row in enumerate(table.rows)),
    ):
        for column, (cell, text) in enumerate(zip(row_cells, texts, strict=True)):
            p = cell.paragraphs[0]
            run = p.add_run(text)
            run.bold = bold or None
            run.font.size = Pt(9.5)
            if _numeric(table, column):
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for note in table.notes:
        p = word.add_paragraph()
        run = p.add_run(note)
        run.font.size = Pt(8.5)
        run.font.color.rgb = RGBColor(*GREY)


def _docx_chart(word: Any, chart: Chart) -> None:
    from docx.shared import Cm, Pt, RGBColor

    word.add_paragraph(chart.caption, style="Caption")
    if chart.png:
        word.add_picture(io.BytesIO(chart.png), width=Cm(15))
        picture = word.paragraphs[-1]
        for doc_pr in picture._p.xpath(".//wp:docPr"):
            doc_pr.set("descr", chart.alt)  # Word's alternative text
            doc_pr.set("title", chart.caption)
    description = word.add_paragraph()
    run = description.add_run(chart.alt)
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor(*GREY)
