"""The annual report drawn as PDF and DOCX (``dsvb.oversight.render``): the text taken back out
of each has every word of the document, with the generated sentence and a table row intact,
and the first page is drawn to PNG (``test-artifacts/documents/``) so layout breakage is seen.
The 2010 tables (read with the returns import) are the figures: fast, and known."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsvb.ingest.returns import read_return
from dsvb.oversight import annual_report as ar
from dsvb.oversight import render
from tests.reports.documents import docx_text, missing_words, pdf_text, save_first_page

PUBLISHED = Path(__file__).resolve().parents[2] / "src/dsvb/reference/published"
SENTENCE = (
    "The MPS recorded 49,883 domestic violence offences in the 12 months to November 2010, of "
    "which 48.9% (24,406) were sanction detected; 45.6% of those were cautions."
)


@pytest.fixture(scope="module")
def document():
    figures = ar.figures_from_returns(
        [
            read_return(PUBLISHED / "dv_by_borough_12m_to_2010-11.csv"),
            read_return(PUBLISHED / "sexual_offences_by_unit_12m_to_2010-11.csv"),
        ]
    )
    return ar.build_annual_report(ar.AnnualReportInputs(2010, figures))


def test_the_pdf_says_what_the_document_says(document) -> None:
    pdf = render.to_pdf(document)
    text = pdf_text(pdf)
    assert not missing_words(document, text)
    flat = " ".join(text.split())
    assert SENTENCE in flat
    assert "Newham 5,169 2,211 1,056 638 47.8% 60.4%" in flat
    assert "dsvb disclosure control v2" in flat
    save_first_page(pdf, "annual_report")


def test_the_docx_says_what_the_document_says(document) -> None:
    text = docx_text(render.to_docx(document))
    assert not missing_words(document, text)
    assert SENTENCE in text.splitlines()
    assert "Newham\t5,169\t2,211\t1,056\t638\t47.8%\t60.4%" in text.splitlines()
    assert "The most were in SCD2 (3,662)." in text  # a chart's words in its place
