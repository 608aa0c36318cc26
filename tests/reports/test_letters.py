"""The letter to the borough commander and the follow-up report: what they say, in the order a
letter says it, with the follow-up items numbered and the report's due date from the dated
rule; drawn as PDF and DOCX with every word."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from dsvb.oversight import render
from dsvb.oversight.deadlines import add_months
from dsvb.oversight.document import Document, FieldList, Paragraph, Table
from dsvb.oversight.letters import (
    FollowUpInputs,
    FollowUpItem,
    LetterInputs,
    build_follow_up,
    build_letter,
    follow_up_due,
)
from tests.reports.documents import (
    docx_styles,
    docx_text,
    missing_words,
    pdf_text,
    save_first_page,
)

# the session the letter seed answers (its letter of 29/04/2008, and its three issues)
FOLLOW_UPS = (
    "Use of Safer Neighbourhood Teams for gathering intelligence on domestic violence.",
    "Welfare checking of sex workers and action taken around violence against women working "
    "in the sex industry.",
    "Community Safety Unit engagement with Moroccan communities.",
)
COMMENDS = (
    "99% compliance with the Victims' Code of Practice.",
    "Proactive risk management work when offenders are released from prison.",
)
LETTER = LetterInputs(
    area_code="E09000020",
    area_name="Kensington and Chelsea",
    meeting=dt.date(2008, 4, 15),
    letter_date=dt.date(2008, 4, 29),
    recipient_name="Mark Heath",
    co_chairs=(
        ("Cindy Butts", "Co-chair, Domestic and Sexual Violence Board"),
        ("Jo Bloggs", "Co-chair, Domestic and Sexual Violence Board"),
    ),
    commendations=COMMENDS,
    follow_ups=FOLLOW_UPS,
    recipient_address=("Kensington Police Station", "72-74 Earls Court Road", "London W8 6EQ"),
    sender_address=("10 Dean Farrar Street", "London SW1H 0NY"),
    reference="DSVB/2008/KC/1",
    presenters="you, the Community Safety Unit and the Sapphire team",
)


@pytest.fixture(scope="module")
def letter() -> tuple[Document, bytes, bytes]:
    doc = build_letter(LETTER)
    return doc, render.to_pdf(doc), render.to_docx(doc)


def test_the_letter_says_every_word_in_pdf_and_docx(letter) -> None:
    doc, pdf, data = letter
    assert not missing_words(doc, pdf_text(pdf))
    assert not missing_words(doc, docx_text(data))
    save_first_page(pdf, "letter")


def test_the_letter_reads_in_a_letters_order(letter) -> None:
    _doc, pdf, _data = letter
    text = " ".join(pdf_text(pdf).split())
    order = [
        "10 Dean Farrar Street",
        "29 April 2008",
        "DSVB/2008/KC/1",
        "Mark Heath Borough Commander, Kensington and Chelsea Kensington Police Station",
        "Dear Mark Heath",
        "Thank you for attending the meeting of the Domestic and Sexual Violence Board on "
        "15 April 2008",
        "What the Board commends",
        COMMENDS[0],
        "What the Board asks the borough to follow up",
        f"1. {FOLLOW_UPS[0]}",
        f"3. {FOLLOW_UPS[2]}",
        "Please send the Board a short follow-up report by 29 October 2008",
        "Yours sincerely",
        "Cindy Butts Co-chair, Domestic and Sexual Violence Board",
        "Jo Bloggs",
    ]
    positions = [text.index(" ".join(part.split())) for part in order]
    assert positions == sorted(positions)
    assert "you, the Community Safety Unit and the Sapphire team" in text


def test_follow_up_items_are_numbered_and_the_report_is_due_six_months_on(letter) -> None:
    doc, _pdf, data = letter
    section = doc.section("follow_up")
    items = [b for b in section.blocks if isinstance(b, Paragraph) and b.number]
    assert [(p.number, p.text) for p in items] == [
        (f"{k}.", text) for k, text in enumerate(FOLLOW_UPS, start=1)
    ]
    # the dated rule: six months from the letter
    assert follow_up_due(LETTER.letter_date) == add_months(LETTER.letter_date, 6)
    assert follow_up_due(LETTER.letter_date) == dt.date(2008, 10, 29)
    assert "29 October 2008" in section.blocks[-1].text  # type: ignore[union-attr]
    assert dict(doc.metadata)["dsvb-follow-up-due"] == "2008-10-29"
    # Word: the numbered items keep their numbers as written (the follow-up report cites them)
    body = [text for _style, text in docx_styles(data)]
    assert f"1.\t{FOLLOW_UPS[0]}" in body
    assert ("Heading 2", "What the Board commends") in docx_styles(data)
    assert ("List Bullet", COMMENDS[1]) in docx_styles(data)


def test_a_date_set_on_the_letter_overrides_the_rule() -> None:
    doc = build_letter(dataclasses.replace(LETTER, follow_up_due=dt.date(2008, 12, 1)))
    assert "by 1 December 2008" in doc.text()


def test_a_letter_without_follow_ups_asks_for_no_report() -> None:
    doc = build_letter(dataclasses.replace(LETTER, follow_ups=()))
    assert "did not ask for a follow-up report" in doc.text()
    assert "Please send" not in doc.text()
    assert "due" not in doc.footer[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"letter_date": dt.date(2008, 4, 1)}, "dated before the session"),
        ({"co_chairs": ()}, "signed by its co-chairs"),
        ({"follow_ups": ("fine", " ")}, "item 4 of the letter's commendations and follow-ups"),
    ],
)
def test_a_letter_that_cannot_be_sent_is_refused(change, message) -> None:
    with pytest.raises(ValueError, match=message):
        build_letter(dataclasses.replace(LETTER, **change))


# --- the follow-up report ------------------------------------------------------------------------

RESPONSE = (
    "Safer Neighbourhood teams on the borough are briefed on and sensitive to issues of domestic "
    "violence on their wards."
)


def follow_up(**changes) -> FollowUpInputs:
    base = FollowUpInputs(
        area_code=LETTER.area_code,
        area_name=LETTER.area_name,
        meeting=LETTER.meeting,
        letter_date=LETTER.letter_date,
        items=(
            FollowUpItem("1", FOLLOW_UPS[0], RESPONSE, "complete", dt.date(2008, 6, 24)),
            FollowUpItem("2", FOLLOW_UPS[1], "Welfare visits continue.", "ongoing"),
            FollowUpItem("3", FOLLOW_UPS[2]),
        ),
        as_of=dt.date(2008, 11, 20),
        session=dt.date(2008, 11, 25),
    )
    return dataclasses.replace(base, **changes)


def test_the_follow_up_report_shows_each_item_with_its_response_and_status() -> None:
    doc = build_follow_up(follow_up())
    pdf, data = render.to_pdf(doc), render.to_docx(doc)
    assert not missing_words(doc, pdf_text(pdf))
    assert not missing_words(doc, docx_text(data))
    save_first_page(pdf, "follow_up")
    table = doc.section("summary").blocks[1]
    assert isinstance(table, Table)
    assert table.rows == (
        ("1", FOLLOW_UPS[0], "Complete", "24 June 2008"),
        ("2", FOLLOW_UPS[1], "Ongoing", "–"),
        ("3", FOLLOW_UPS[2], "Open", "–"),
    )
    one = doc.section("item-1")
    assert one.blocks[0] == Paragraph(FOLLOW_UPS[0], number="1")
    assert one.blocks[2].text == RESPONSE  # type: ignore[union-attr]
    three = doc.section("item-3")
    assert three.blocks[2] == Paragraph("No response recorded.", emphasis=True)
    summary = dict(doc.section("summary").blocks[0].items)  # type: ignore[union-attr]
    assert summary["Items"] == "1 open, 1 ongoing, 1 complete"
    assert summary["Follow-up report due"] == "29 October 2008"
    assert summary["Follow-up session"] == "25 November 2008"
    text = " ".join(pdf_text(pdf).split())
    assert f"1 {FOLLOW_UPS[0]}" in text and RESPONSE in text


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        ({}, "Not received: overdue since 29 October 2008"),
        ({"as_of": dt.date(2008, 10, 1)}, "Not yet received"),
        ({"report_received": dt.date(2008, 10, 20)}, "20 October 2008"),
    ],
)
def test_an_overdue_report_is_said_to_be(changes, shown) -> None:
    doc = build_follow_up(follow_up(**changes))
    summary = doc.section("summary").blocks[0]
    assert isinstance(summary, FieldList)
    assert dict(summary.items)["Follow-up report received"] == shown


def test_follow_up_items_with_a_bad_status_or_number_twice_are_refused() -> None:
    with pytest.raises(ValueError, match="status 'done' is not one of open, ongoing, complete"):
        FollowUpItem("1", "x", status="done")
    with pytest.raises(ValueError, match="numbered twice: 1, 1"):
        follow_up(items=(FollowUpItem("1", "a"), FollowUpItem("1", "b")))
