"""What the after-session views share: a letter and a follow-up report built from the stored
cycle through the plain-Python builders (drawing and downloading them is ``papers``').

The builders (``dsvb.oversight.letters``, ``annual_report``, ``render``) decide the content;
this module only gathers their inputs from the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dsvb.oversight.letters import item_status
from dsvb.oversight.states import FindingKind, FindingStatus, ResponseStatus
from dsvb.web.oversight import models as m

# --- letters and follow-ups ----------------------------------------------------------------


def _signatories(letter: m.Letter) -> tuple[tuple[str, str], ...]:
    lines = [line.strip() for line in letter.signatories.splitlines() if line.strip()]
    if not lines:
        chairs = m.Member.objects.filter(role="co_chair")
        lines = [f"{c.name}, Co-chair" for c in chairs] or ["The co-chairs, the board"]
    out = []
    for line in lines:
        name, _, title = line.partition(",")
        out.append((name.strip(), title.strip() or "Co-chair"))
    return tuple(out)


def agreed(session: m.Session, kind: FindingKind) -> list[m.Finding]:
    return list(
        session.findings.filter(kind=kind.value, status=FindingStatus.AGREED.value).order_by(
            "order", "id"
        )
    )


def letter_document(letter: m.Letter) -> Any:
    """The letter as the board sends it: the agreed commendations and follow-ups."""
    from dsvb.oversight.letters import LetterInputs, build_letter

    session = letter.session
    return build_letter(
        LetterInputs(
            area_code=session.area_code,
            area_name=session.area_name,
            meeting=session.meeting.date,
            letter_date=letter.date,
            recipient_name=letter.addressee,
            co_chairs=_signatories(letter),
            commendations=tuple(f.text for f in agreed(session, FindingKind.COMMEND)),
            follow_ups=tuple(f.text for f in agreed(session, FindingKind.FOLLOW_UP)),
            reference=letter.reference,
            follow_up_due=letter.follow_up_due,
        )
    )


def follow_up_items(letter: m.Letter) -> list[m.Finding]:
    return agreed(letter.session, FindingKind.FOLLOW_UP)


def follow_up_document(letter: m.Letter, as_of: dt.date | None = None) -> Any:
    """The follow-up report: each item of the letter with the borough's response."""
    from dsvb.oversight.letters import FollowUpInputs, FollowUpItem, build_follow_up

    items = tuple(
        FollowUpItem(
            number=str(k),
            text=f.text,
            response=f.response,
            status=item_status(ResponseStatus(f.response_status)),
            responded_on=timezone.localtime(f.responded_at).date() if f.responded_at else None,
        )
        for k, f in enumerate(follow_up_items(letter), start=1)
    )
    session = letter.session
    return build_follow_up(
        FollowUpInputs(
            area_code=session.area_code,
            area_name=session.area_name,
            meeting=session.meeting.date,
            letter_date=letter.date,
            items=items,
            as_of=as_of or timezone.localdate(),
            session=letter.follow_up_meeting.date if letter.follow_up_meeting else None,
            report_received=letter.follow_up_received,
            due=letter.follow_up_due,
        )
    )
