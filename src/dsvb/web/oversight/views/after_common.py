"""What the after-session views share: documents built from the stored cycle (a letter, a
follow-up report, an annual report) through the plain-Python builders, and downloads of them
(each one audited).

The builders (``dsvb.oversight.letters``, ``annual_report``, ``render``) decide the content;
this module only gathers their inputs from the database.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dsvb.oversight.states import FindingKind, FindingStatus, ResponseStatus
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit
from dsvb.web.oversight import models as m

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}

# a follow-up item's answer, as the follow-up report states it (its words: open, ongoing,
# complete)
RESPONSE_TO_ITEM_STATUS = {
    ResponseStatus.AWAITED.value: "open",
    ResponseStatus.NOT_ANSWERED.value: "open",
    ResponseStatus.PARTLY.value: "ongoing",
    ResponseStatus.ANSWERED.value: "complete",
}


def download(
    request: HttpRequest,
    content: bytes,
    *,
    name: str,
    fmt: str,
    object_type: str,
    object_id: Any,
    what: str,
) -> HttpResponse:
    """A document as an attachment, with the download in the audit log."""
    record(
        request,
        audit.DOCUMENT_DOWNLOADED,
        f"Downloaded {what} ({fmt.upper()})",
        object_type=object_type,
        object_id=str(object_id),
        format=fmt,
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe}.{fmt}"'
    return response


def render_document(doc: Any, fmt: str) -> bytes:
    """``doc`` as PDF or DOCX bytes, or as an HTML fragment (UTF-8)."""
    from dsvb.oversight import render

    if fmt == "pdf":
        return render.to_pdf(doc)
    if fmt == "docx":
        return render.to_docx(doc)
    return render.to_html(doc, standalone=False).encode("utf-8")


def html_fragment(doc: Any, *, beneath_heading: bool = False) -> str:
    """The document's ``<article>`` to embed in a page (its own styles are left out: the
    pages run under a policy with no inline style). ``beneath_heading``: the page has its
    own ``<h1>``, so the document's headings go one level down (one ``<h1>`` per page)."""
    from dsvb.oversight import render

    html = render.to_html(doc, standalone=False)
    return demote_headings(html) if beneath_heading else html


def demote_headings(html: str) -> str:
    """Every heading one level down (h1 -> h2 ... h5 -> h6; h6 stays)."""

    def down(match: re.Match[str]) -> str:
        level = min(int(match[2]) + 1, 6)
        return f"<{match[1]}h{level}"

    return re.sub(r"<(/?)h([1-5])(?=[\s>])", down, html)


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
            status=RESPONSE_TO_ITEM_STATUS[f.response_status],
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


def refuse(request: HttpRequest, reason: str) -> None:
    """A 403 for an act this person may not do on a page they may see, with the refusal in
    the audit log (as ``policy_required`` records one)."""
    from django.core.exceptions import PermissionDenied

    from dsvb.web.audit.models import Action

    record(
        request,
        Action.ACCESS_DENIED,
        f"Refused {request.method} {request.path}: {reason}",
        object_type="url",
        object_id=request.path[:120],
        reason=reason,
    )
    raise PermissionDenied(reason)
