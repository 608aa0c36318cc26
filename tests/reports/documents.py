"""Reading the board's generated documents back, as a reader (or a screen reader) would:
the text of a PDF (pdfplumber) and of a DOCX (python-docx, with the page headers and
footers and the pictures' alternative text), word by word; and a page drawn to PNG."""

from __future__ import annotations

import io
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import docx
import pdfplumber
import pypdfium2

from dsvb.oversight.document import Document

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"
# a word: letters, digits and the marks figures are written with; punctuation around it is
# not part of it ("(reference)" and "reference" are the same word). Hyphens, dashes and
# slashes split words: a line may break after them (in a table cell too, where the rest of
# the word is not on the next line of the extracted text), so "co-chair" is "co" and "chair"
_WORD = re.compile(r"[\w%£$\[\]*]+(?:[.,:'’&][\w%£$\[\]*]+)*")


def words(text: str) -> Counter[str]:
    return Counter(m.group(0) for m in _WORD.finditer(text))


@lru_cache(maxsize=16)  # several tests read the same document
def pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as opened:
        return "\n".join(page.extract_text() or "" for page in opened.pages)


@lru_cache(maxsize=16)
def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of the body in order, the page headers and footers,
    and each picture's alternative text."""
    word = docx.Document(io.BytesIO(data))
    out: list[str] = []
    for block in word.iter_inner_content():
        if isinstance(block, docx.table.Table):
            for row in block.rows:
                out.append("\t".join(cell.text for cell in row.cells))
        else:
            out.append(block.text)
            out.extend(d.get("descr", "") for d in block._p.xpath(".//wp:docPr"))
    for section in word.sections:
        out.extend(p.text for p in section.header.paragraphs)
        out.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(out)


def missing_words(doc: Document, extracted: str) -> Counter[str]:
    """The words of ``doc.text()`` the extracted text lacks (each as often as it is short)."""
    return words(doc.text()) - words(extracted)


def docx_styles(data: bytes) -> list[tuple[str, str]]:
    word = docx.Document(io.BytesIO(data))
    return [(p.style.name if p.style is not None else "", p.text) for p in word.paragraphs]


def save_first_page(pdf: bytes, kind: str) -> Path:
    """Draw the first page to ``test-artifacts/documents/<kind>.png`` (for a person to look at
    when layout breaks) and check it is not blank: some share of it is ink."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=1).to_pil()
    path = ARTIFACTS / f"{kind}.png"
    image.save(path)
    grey = image.convert("L")
    histogram = grey.histogram()
    dark = sum(histogram[:128])
    assert dark > 0.005 * grey.width * grey.height, f"page 1 of the {kind} is blank"
    return path
