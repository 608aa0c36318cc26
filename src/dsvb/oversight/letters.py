"""The letter to the borough commander after a session, and the follow-up report.

After a borough's session the board writes to its commander: thanks for the session, what
the board commends, and what it asks the borough to follow up, each item numbered so the
borough's answer and the follow-up session can refer to it ("item 2"); the follow-up report
is due about six months after the letter (:func:`dsvb.oversight.deadlines.due`). At the
follow-up session the board reads each item beside the borough's recorded response and its
status (:func:`build_follow_up`).

The inputs are plain values: the web app fills them from its records, and the texts of the
commendations and follow-ups are whatever the secretariat settled on (drafted by the
findings rules, edited by people; nothing here depends on how they were drafted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dsvb.oversight.deadlines import due
from dsvb.oversight.document import (
    Block,
    BulletList,
    Document,
    FieldList,
    Paragraph,
    Section,
    Table,
)
from dsvb.oversight.states import ResponseStatus

__all__ = [
    "STATUSES",
    "FollowUpInputs",
    "FollowUpItem",
    "LetterInputs",
    "build_follow_up",
    "build_letter",
    "follow_up_due",
]

COMMITTEE = "Domestic and Sexual Violence Board"
#: A follow-up item's status, as the board records it (the recommendations use the same words).
STATUSES = {"open": "Open", "ongoing": "Ongoing", "complete": "Complete"}

#: a follow-up item's status as the follow-up report states it, from the borough's answer
ITEM_STATUS = {
    ResponseStatus.AWAITED: "open",
    ResponseStatus.NOT_ANSWERED: "open",
    ResponseStatus.PARTLY: "ongoing",
    ResponseStatus.ANSWERED: "complete",
}


def item_status(response: ResponseStatus) -> str:
    """Open (awaited, or not answered), ongoing (partly answered) or complete (answered)."""
    return ITEM_STATUS[response]


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def follow_up_due(letter_date: dt.date) -> dt.date:
    """When the borough's follow-up report is due: the dated rule, counted from the letter."""
    day = due("follow_up_due", letter_date)
    assert day is not None  # counted in months, never "the next meeting"
    return day


@dataclass(frozen=True)
class LetterInputs:
    """A letter to a borough commander after the borough's session.

    ``co_chairs``: (name, what they are: "Co-chair, … Board; Deputy Mayor …") who sign it.
    ``follow_up_due`` None: the default from the letter's date.
    """

    area_code: str
    area_name: str
    meeting: dt.date
    letter_date: dt.date
    recipient_name: str
    co_chairs: tuple[tuple[str, str], ...]
    commendations: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()
    recipient_title: str = "Borough Commander"
    recipient_address: tuple[str, ...] = ()
    sender_address: tuple[str, ...] = ()
    salutation: str = ""  # default "Dear <recipient_name>"
    reference: str = ""
    your_reference: str = ""
    presenters: str = ""  # who presented: "you, DI Smith and the Sapphire team"
    follow_up_due: dt.date | None = None
    committee: str = COMMITTEE
    marking: str = "OFFICIAL"
    cc: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.letter_date < self.meeting:
            raise ValueError(
                f"the letter ({self.letter_date}) is dated before the session it follows "
                f"({self.meeting})"
            )
        if not self.co_chairs:
            raise ValueError("a letter from the board is signed by its co-chairs: name them")
        for k, text in enumerate((*self.commendations, *self.follow_ups), start=1):
            if not text.strip():
                raise ValueError(f"item {k} of the letter's commendations and follow-ups is empty")


def build_letter(inputs: LetterInputs) -> Document:
    """The letter as a document (render it as PDF or DOCX)."""
    due_on = inputs.follow_up_due or follow_up_due(inputs.letter_date)
    if due_on <= inputs.letter_date:
        raise ValueError(f"the follow-up report is due ({due_on}) before the letter is sent")
    meeting = _date(inputs.meeting)
    preamble: list[Block] = []
    if inputs.sender_address:
        preamble.append(Paragraph("\n".join((inputs.committee, *inputs.sender_address))))
    refs = [("Date", _date(inputs.letter_date))]
    if inputs.reference:
        refs.append(("Our reference", inputs.reference))
    if inputs.your_reference:
        refs.append(("Your reference", inputs.your_reference))
    preamble.append(FieldList(tuple(refs)))
    preamble.append(
        Paragraph(
            "\n".join(
                (
                    inputs.recipient_name,
                    f"{inputs.recipient_title}, {inputs.area_name}",
                    *inputs.recipient_address,
                )
            )
        )
    )
    preamble.append(Paragraph(inputs.salutation or f"Dear {inputs.recipient_name}"))

    who = inputs.presenters or "you and your colleagues"
    sections = [
        Section(
            f"{inputs.area_name}: the Board's session of {meeting}",
            (
                Paragraph(
                    f"Thank you for attending the meeting of the {inputs.committee} on "
                    f"{meeting}. The Board is grateful to {who} for the report and for "
                    f"answering members' questions about {inputs.area_name}'s response to "
                    "domestic and sexual violence."
                ),
            ),
            key="thanks",
        )
    ]
    if inputs.commendations:
        sections.append(
            Section(
                "What the Board commends",
                (
                    Paragraph(f"The Board commended {inputs.area_name} for:"),
                    BulletList(inputs.commendations),
                ),
                key="commend",
            )
        )
    if inputs.follow_ups:
        items = tuple(
            Paragraph(text, number=f"{k}.") for k, text in enumerate(inputs.follow_ups, start=1)
        )
        sections.append(
            Section(
                "What the Board asks the borough to follow up",
                (
                    Paragraph(f"The Board asked {inputs.area_name} to follow up on:"),
                    *items,
                    Paragraph(
                        f"Please send the Board a short follow-up report by {_date(due_on)}, "
                        "answering each numbered item above. The Board will consider it at "
                        "a follow-up session, about six months after this meeting, so that "
                        "new work has had time to take effect."
                    ),
                ),
                key="follow_up",
            )
        )
    else:
        sections.append(
            Section(
                "Follow-up",
                (Paragraph("The Board did not ask for a follow-up report from this session."),),
                key="follow_up",
            )
        )
    closing: list[Block] = [Paragraph("Yours sincerely")]
    closing.extend(Paragraph(f"{name}\n{role}") for name, role in inputs.co_chairs)
    if inputs.cc:
        closing.append(FieldList((("Copy to", "; ".join(inputs.cc)),)))
    return Document(
        kind="letter",
        title=inputs.committee,
        subtitle=f"Letter to the {inputs.recipient_title}, {inputs.area_name}",
        marking=inputs.marking,
        preamble=tuple(preamble),
        sections=tuple(sections),
        closing=tuple(closing),
        footer=(
            f"{inputs.committee}: letter to the {inputs.recipient_title}, {inputs.area_name}, "
            f"after the session of {meeting}. Follow-up report due {_date(due_on)}."
            if inputs.follow_ups
            else f"{inputs.committee}: letter to the {inputs.recipient_title}, "
            f"{inputs.area_name}, after the session of {meeting}.",
        ),
        metadata=(
            ("author", inputs.committee),
            ("dsvb-area", inputs.area_code),
            ("dsvb-meeting", inputs.meeting.isoformat()),
            ("dsvb-follow-up-due", due_on.isoformat()),
        ),
    )


# --- the follow-up report -------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpItem:
    """One item the board asked the borough to follow up, with the borough's response as
    recorded (empty while none is) and its status (:data:`STATUSES`)."""

    number: str
    text: str
    response: str = ""
    status: str = "open"
    responded_on: dt.date | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(
                f"follow-up item {self.number}: status {self.status!r} is not one of "
                f"{', '.join(STATUSES)}"
            )
        if not self.text.strip():
            raise ValueError(f"follow-up item {self.number} has no text")


@dataclass(frozen=True)
class FollowUpInputs:
    """The follow-up report for a borough: the items of the letter after its session, with
    responses. ``as_of``: the day the report is drawn up (overdue is judged against it)."""

    area_code: str
    area_name: str
    meeting: dt.date
    letter_date: dt.date
    items: tuple[FollowUpItem, ...]
    as_of: dt.date
    session: dt.date | None = None  # the follow-up session, when planned
    report_received: dt.date | None = None
    due: dt.date | None = None  # None: the default from the letter's date
    committee: str = COMMITTEE
    marking: str = "OFFICIAL"

    def __post_init__(self) -> None:
        numbers = [i.number for i in self.items]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"follow-up items are numbered twice: {', '.join(numbers)}")


def build_follow_up(inputs: FollowUpInputs) -> Document:
    """The follow-up report: each item with the borough's response and status, for the
    follow-up session."""
    due_on = inputs.due or follow_up_due(inputs.letter_date)
    if inputs.report_received is not None:
        received = _date(inputs.report_received)
    elif inputs.as_of > due_on:
        received = f"Not received: overdue since {_date(due_on)}"
    else:
        received = "Not yet received"
    summary = [
        ("Borough", f"{inputs.area_name} ({inputs.area_code})"),
        ("Session", _date(inputs.meeting)),
        ("Letter sent", _date(inputs.letter_date)),
        ("Follow-up report due", _date(due_on)),
        ("Follow-up report received", received),
    ]
    if inputs.session is not None:
        summary.append(("Follow-up session", _date(inputs.session)))
    counts = {s: sum(i.status == s for i in inputs.items) for s in STATUSES}
    summary.append(
        ("Items", ", ".join(f"{n} {STATUSES[s].lower()}" for s, n in counts.items()) or "none")
    )
    table = Table(
        caption=f"Follow-up items for {inputs.area_name}",
        columns=("Item", "What the Board asked", "Status", "Response recorded"),
        rows=tuple(
            (
                i.number,
                i.text,
                STATUSES[i.status],
                _date(i.responded_on) if i.responded_on else "–",
            )
            for i in inputs.items
        ),
    )
    details = tuple(
        Section(
            f"Item {i.number}",
            (
                Paragraph(i.text, number=i.number),
                FieldList(
                    (
                        ("Status", STATUSES[i.status]),
                        ("Response recorded", _date(i.responded_on) if i.responded_on else "–"),
                    )
                ),
                Paragraph(i.response) if i.response.strip() else _no_response(),
            ),
            level=3,
            key=f"item-{i.number}",
        )
        for i in inputs.items
    )
    return Document(
        kind="follow_up",
        title=f"Follow-up report: {inputs.area_name}",
        subtitle=f"{inputs.committee}, after the session of {_date(inputs.meeting)}",
        marking=inputs.marking,
        sections=(
            Section("Summary", (FieldList(tuple(summary)), table), key="summary"),
            Section("The borough's responses", (), details, key="responses"),
        ),
        footer=(
            f"{inputs.committee}: follow-up report for {inputs.area_name}, drawn up "
            f"{_date(inputs.as_of)}.",
        ),
        metadata=(
            ("author", inputs.committee),
            ("dsvb-area", inputs.area_code),
            ("dsvb-meeting", inputs.meeting.isoformat()),
        ),
    )


def _no_response() -> Paragraph:
    return Paragraph("No response recorded.", emphasis=True)
