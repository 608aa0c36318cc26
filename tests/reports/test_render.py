"""Any document drawn as HTML, PDF and DOCX says every word it holds, in its structure:
text taken back out of the PDF (pdfplumber) and the DOCX (python-docx) word for word,
headings as Word headings, tables as tables, the marking on every page, page numbers."""

from __future__ import annotations

import builtins
import io

import docx
import pdfplumber
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image

from dsvb.oversight import render
from dsvb.oversight.document import (
    BulletList,
    Chart,
    Document,
    FieldList,
    Paragraph,
    Section,
    Table,
)
from tests.reports.documents import (
    docx_styles,
    docx_text,
    missing_words,
    pdf_text,
    save_first_page,
    words,
)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 30), (29, 112, 184)).save(out, format="PNG")
    return out.getvalue()


SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" viewBox="0 0 300 120">'
    '<rect x="10" y="20" width="80" height="90" fill="#1d70b8"/>'
    '<rect x="110" y="50" width="80" height="60" fill="#1d70b8"/></svg>'
)


def sample() -> Document:
    return Document(
        kind="sample",
        title="Annual report <draft>",
        subtitle="Domestic & Sexual Violence Board",
        marking='OFFICIAL – internal "test" </style>',
        preamble=(Paragraph("Opening words <script>alert(1)</script> & more."),),
        sections=(
            Section(
                "A: Administration",
                (FieldList((("Meeting", "16 November 2010"), ("Draft due", "2 November 2010"))),),
                key="A",
            ),
            Section(
                "B1: Data",
                (
                    Table(
                        "Sanction detections by borough",
                        ("Borough", "Offences", "Rate"),
                        (("Newham", "1,056", "47.8%"), ("Sutton", "495", "34.3%")),
                        numeric=(False, True, True),
                        notes=("Source: the 2010 annual report.",),
                    ),
                    BulletList(("first", "second"), numbered=True),
                    BulletList(("third", "fourth"), numbered=True),
                    Chart("Offences by borough", SVG, "Newham 1,056 offences; Sutton 495.", _png()),
                ),
                subsections=(
                    Section(
                        "B1 a) By strand",
                        (Paragraph("A numbered paragraph.", number="3.2", emphasis=True),),
                        level=3,
                        key="B1.a",
                    ),
                ),
                key="B1",
            ),
        ),
        closing=(Paragraph("Yours sincerely\nA. Chair\nCo-chair"),),
        footer=("dsvb disclosure control v2", "Synthetic data."),
    )


@pytest.fixture(scope="module")
def drawn() -> tuple[Document, str, bytes, bytes]:
    doc = sample()
    return doc, render.to_html(doc), render.to_pdf(doc), render.to_docx(doc)


def test_every_word_is_in_the_pdf_and_the_docx(drawn) -> None:
    doc, _html, pdf, data = drawn
    assert not missing_words(doc, pdf_text(pdf))
    assert not missing_words(doc, docx_text(data))
    # and the comparison can fail: a word the document does not hold is missed
    assert missing_words(Document("x", "Absent word", ()), pdf_text(pdf))


def test_html_escapes_every_text_and_the_css_string(drawn) -> None:
    _doc, html, _pdf, _data = drawn
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Annual report &lt;draft&gt;" in html
    # the marking goes into the page header as a CSS string: nothing in it ends the sheet
    assert html.count("</style>") == 1
    assert "Domestic &amp; Sexual Violence Board" in html


def test_the_fragment_is_the_article_alone() -> None:
    fragment = render.to_html(sample(), standalone=False)
    assert fragment.lstrip().startswith("<article") and "<html" not in fragment
    assert "<style" not in fragment and "@page" not in fragment
    assert ".dsvb-doc__table" in render.stylesheet()


def test_numeric_columns_are_right_aligned_and_tables_have_captions(drawn) -> None:
    _doc, html, _pdf, data = drawn
    assert "<caption>Sanction detections by borough</caption>" in html
    assert '<td class="dsvb-doc__num">1,056</td>' in html
    assert '<th scope="col" class="dsvb-doc__num">Offences</th>' in html
    word = docx.Document(io.BytesIO(data))
    table = word.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Borough", "Offences", "Rate"]
    assert table.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[1].cells[0].paragraphs[0].alignment is None
    # the header row repeats on each page (and marks the header for screen readers)
    assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")
    assert ("Caption", "Sanction detections by borough") in docx_styles(data)


def test_docx_headings_are_word_headings(drawn) -> None:
    _doc, _html, _pdf, data = drawn
    styles = docx_styles(data)
    assert ("Heading 1", "Annual report <draft>") in styles
    assert ("Heading 2", "A: Administration") in styles
    assert ("Heading 2", "B1: Data") in styles
    assert ("Heading 3", "B1 a) By strand") in styles
    assert ("Subtitle", "Domestic & Sexual Violence Board") in styles


def test_each_numbered_list_starts_at_one_in_word(drawn) -> None:
    _doc, _html, _pdf, data = drawn
    word = docx.Document(io.BytesIO(data))
    items = [p for p in word.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in items] == ["first", "second", "third", "fourth"]
    num_ids = [p._p.pPr.numPr.numId.val for p in items]
    assert num_ids[0] == num_ids[1] != num_ids[2] == num_ids[3]
    numbering = word.part.numbering_part.element
    for num_id in (num_ids[0], num_ids[2]):
        num = numbering.num_having_numId(num_id)
        assert num.xpath("./w:lvlOverride/w:startOverride/@w:val") == ["1"]


def test_charts_carry_their_alternative_text(drawn) -> None:
    _doc, html, _pdf, data = drawn
    assert 'alt="Newham 1,056 offences; Sutton 495."' in html
    assert 'src="data:image/svg+xml;base64,' in html and "<svg" not in html
    word = docx.Document(io.BytesIO(data))
    descriptions = [d.get("descr") for d in word.element.body.xpath(".//wp:docPr")]
    assert descriptions == ["Newham 1,056 offences; Sutton 495."]
    assert len(word.inline_shapes) == 1


def test_every_page_has_the_marking_and_its_number(drawn) -> None:
    doc, _html, pdf, data = drawn
    with pdfplumber.open(io.BytesIO(pdf)) as opened:
        pages = [p.extract_text() for p in opened.pages]
    for k, text in enumerate(pages, start=1):
        assert 'OFFICIAL – INTERNAL "TEST" </STYLE>' in text
        assert f"Page {k} of {len(pages)}" in text
    word = docx.Document(io.BytesIO(data))
    header = word.sections[0].header.paragraphs[0].text
    assert header == doc.marking.upper()
    footer = word.sections[0].footer
    assert [p.text for p in footer.paragraphs][:2] == list(doc.footer)
    assert {"PAGE", "NUMPAGES"} <= {
        t.strip() for t in footer._element.xpath(".//w:instrText/text()")
    }


def test_a_line_break_in_a_paragraph_stays_one(drawn) -> None:
    _doc, html, pdf, data = drawn
    assert "Yours sincerely\nA. Chair\nCo-chair" in html
    assert "A. Chair\nCo-chair" in pdf_text(pdf)
    assert "Yours sincerely\nA. Chair\nCo-chair" in docx_text(data)


def test_the_page_is_drawn(drawn) -> None:
    _doc, _html, pdf, _data = drawn
    save_first_page(pdf, "sample")


def test_a_missing_system_library_names_the_packages(monkeypatch) -> None:
    real_import = builtins.__import__

    def failing(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': No such file")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(__import__("sys").modules, "weasyprint", raising=False)
    monkeypatch.setattr(builtins, "__import__", failing)
    with pytest.raises(render.RenderError) as error:
        render.to_pdf(sample())
    message = str(error.value)
    for package in (
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-dejavu-core",
    ):
        assert package in message
    assert "libpango-1.0-0': No such file" in message


def test_documents_fetch_nothing_from_outside() -> None:
    fetcher = render._fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher("file:///etc/passwd")
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher("http://example.invalid/track.png")
    assert fetcher("data:text/plain,hi").read() == b"hi"


# --- any document ---------------------------------------------------------------------------------

VOCABULARY = (
    "Newham",
    "Hounslow",
    "caution",
    "48.9%",
    "1,056",
    "£2,000",
    "[c]",
    "–",
    "Victims'",
    "Code",
    "co-chair",
    "<b>",
    "&",
    "Café",
    "ratio",
    "0.85",
    "O'Brien",
    "2010",
)
text = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=8).map(" ".join)


@st.composite
def tables(draw) -> Table:
    columns = draw(st.integers(1, 4))
    rows = draw(
        st.lists(st.tuples(*[text] * columns), min_size=0, max_size=4).map(tuple),
    )
    numeric = draw(st.one_of(st.just(()), st.tuples(*[st.booleans()] * columns)))
    return Table(draw(text), tuple(draw(text) for _ in range(columns)), rows, numeric)


blocks = st.one_of(
    st.builds(Paragraph, text, st.one_of(st.none(), st.sampled_from(("1", "2.3"))), st.booleans()),
    st.builds(BulletList, st.lists(text, min_size=1, max_size=3).map(tuple), st.booleans()),
    tables(),
    st.builds(FieldList, st.lists(st.tuples(text, text), min_size=1, max_size=3).map(tuple)),
)
sections = st.builds(
    Section,
    text,
    st.lists(blocks, max_size=3).map(tuple),
    st.lists(
        st.builds(Section, text, st.lists(blocks, max_size=2).map(tuple), level=st.just(3)),
        max_size=2,
    ).map(tuple),
)
documents = st.builds(
    Document,
    st.just("generated"),
    text,
    st.lists(sections, min_size=1, max_size=3).map(tuple),
    subtitle=st.one_of(st.just(""), text),
    marking=st.sampled_from(("", "OFFICIAL", "DRAFT")),
    preamble=st.lists(blocks, max_size=2).map(tuple),
    footer=st.lists(text, max_size=2).map(tuple),
)


# each example draws a PDF (a fraction of a second): few examples, and no shrinking (which
# would draw hundreds more); a failure prints the document that failed
@settings(
    max_examples=12,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(documents)
def test_any_document_says_every_word_in_pdf_and_docx(doc: Document) -> None:
    assert not missing_words(doc, pdf_text(render.to_pdf(doc)))
    assert not missing_words(doc, docx_text(render.to_docx(doc)))


def test_words_split_on_spaces_and_keep_figures_whole() -> None:
    assert words("Newham 1,056 (47.8%), [c]: caution; co-chair O'Brien.") == {
        "Newham": 1,
        "1,056": 1,
        "47.8%": 1,
        "[c]": 1,
        "caution": 1,
        "co": 1,
        "chair": 1,
        "O'Brien": 1,
    }
