"""Documents in: real files of every kind a borough or secretariat sends, read as numbered
lines (table rows with their cells), and the files that cannot be read refused in words."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from dsvb.oversight.reading import DocumentError, read_document

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"  # copies of ../shared/seeds


def _docx() -> bytes:
    document = docx.Document()
    document.add_heading("Domestic violence", level=2)
    document.add_paragraph("There were 1474 incidents of which 791 were offences (54%).")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [("Measure", "2006/07", "2007/08"), ("Offences", "791", "802"), ("Arrests", "512", "530")]
    ):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    merged = document.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Total"
    merged.cell(0, 2).text = "1593"
    document.add_paragraph("Action: Kingston to send the figures.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_document_gives_paragraphs_and_table_rows_in_order():
    lines = read_document(_docx(), "report.docx")
    texts = [line.text for line in lines]
    assert texts[0] == "Domestic violence" and lines[0].style == "Heading 2"
    assert texts[1].startswith("There were 1474 incidents")
    assert lines[2].cells == ("Measure", "2006/07", "2007/08")
    assert lines[3].cells == ("Offences", "791", "802") and lines[3].is_table_row
    assert lines[5].cells == ("Total", "1593")  # a merged cell once
    assert texts[-1] == "Action: Kingston to send the figures."
    assert [line.number for line in lines] == list(range(1, len(lines) + 1))


def test_markdown_tables_and_pasted_spreadsheet_rows_keep_their_cells():
    text = (
        b"# Report\n\n| Measure | Value |\n|---|---:|\n| Offences | 791 |\n"
        b"Sanction detection rate\t48.9%\n"
    )
    lines = read_document(text, "report.md")
    by_number = {line.number: line for line in lines}
    assert by_number[3].cells == ("Measure", "Value")
    assert 4 not in by_number  # the divider row is not a line of the report
    assert by_number[5].cells == ("Offences", "791")
    assert by_number[6].cells == ("Sanction detection rate", "48.9%")


def test_text_keeps_its_true_line_numbers_and_windows_encoding():
    text = "first\n\nthird \u2013 dash\n".encode("cp1252")
    lines = read_document(text, "notes.txt")
    assert [(line.number, line.text) for line in lines] == [
        (1, "first"),
        (2, ""),
        (3, "third \u2013 dash"),
    ]


def test_a_pdf_gives_its_lines_with_their_pages():
    weasyprint = pytest.importorskip("weasyprint")
    html = "<p>1474 incidents of which 791 were offences</p>"
    html += "<p style='break-before: page'>2671 victims, 749 repeat victims (28%)</p>"
    pdf = weasyprint.HTML(string=html).write_pdf()
    lines = [line for line in read_document(pdf, "report.pdf") if line.text.strip()]
    assert lines[0].text == "1474 incidents of which 791 were offences" and lines[0].page == 1
    assert lines[1].text.startswith("2671 victims") and lines[1].page == 2


def test_the_seeds_read_whole():
    seed = SEEDS / "002_kingston_report_2007-11-06.txt"
    lines = read_document(seed)
    assert any("1474" in line.text for line in lines)
    assert len(lines) == len(seed.read_text().splitlines())


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"hello", "report.rtf", "is a .rtf; dsvb reads"),
        (b"  \n", "report.txt", "is empty"),
        (b"not a zip", "report.docx", "is not a Word (.docx) document"),
        (b"<html>", "report.pdf", "is not a PDF"),
        (b"%PDF-1.4 garbage", "report.pdf", "report.pdf:"),
    ],
)
def test_files_that_cannot_be_read_are_refused_naming_the_file(data, name, message):
    with pytest.raises(DocumentError) as caught:
        read_document(data, name)
    assert str(caught.value).startswith(f"{name}: ") and message in str(caught.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DocumentError, match=r"gone\.txt: cannot be read"):
        read_document(tmp_path / "gone.txt")
