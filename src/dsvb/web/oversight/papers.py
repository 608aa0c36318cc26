"""The web app's one door to the cycle's documents: a brief built from the stored brief and
the data (:mod:`dsvb.oversight.brief`), drawn as HTML, PDF or DOCX (:mod:`dsvb.oversight.render`),
and a borough report's figures checked (:mod:`dsvb.oversight.report_check`). Everything here
gathers inputs from the models and the cached data; the rules are in those modules.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from dsvb.oversight import render
from dsvb.oversight.document import MEDIA_TYPES, Document
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit, data
from dsvb.web.oversight import models as m

log = logging.getLogger(__name__)

FAMILIES = ("dv", "serious_sexual", "sexual")
#: how long the published equality tables of a period are kept (they change only with the
#: store, whose version is in the key, or the policy, whose version is too)
PUBLISHED_SECONDS = 7 * 24 * 3600
#: how long one worker may hold the right to prepare them before another may try
PREPARING_SECONDS = 1800


class Preparing(Exception):
    """A published brief's figures are being put under disclosure control in the background
    (every borough's tables of a strand at once: minutes, once per period and policy); the
    page says so and asks the reader to come back."""


#: the family a borough report's figures are compared with first (the brief's B1 leads with it)
REPORT_FAMILY = "dv"


# --- the brief's template ---------------------------------------------------------------------


def default_template_text(year: int) -> str:
    """The held template for ``year`` (the 2010 brief unless a later one is held)."""
    from importlib import resources

    from dsvb.oversight import brief_template

    years = brief_template.template_years()
    chosen = max((y for y in years if y <= year), default=years[0])
    return (
        resources.files("dsvb.oversight")
        .joinpath("brief_templates", f"{chosen}.md")
        .read_text(encoding="utf-8")
    )


def template_text(year: int) -> tuple[str, bool]:
    """The template text for ``year`` and whether the secretariat edited it."""
    stored = m.BriefTemplate.objects.filter(year=year).first()
    if stored is not None:
        return stored.text, True
    return default_template_text(year), False


def template_problem(text: str, year: int) -> str:
    """What is wrong with an edited template, in words ("" when it reads)."""
    from dsvb.oversight import brief_template

    try:
        brief_template.load_template(year, text)
    except ValueError as exc:
        return str(exc)
    return ""


# --- the brief --------------------------------------------------------------------------------


def _contacts(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    for line in text.splitlines():
        if line.strip():
            role, _, rest = line.partition(":")
            out.append((role.strip(), rest.strip()) if rest else ("Contact", line.strip()))
    return tuple(out)


#: briefs built lately, by everything they are built from (a published brief's disclosure
#: control of every strand's table is slow: its page and downloads reuse one build)
_BUILT: dict[tuple, Document] = {}
_BUILT_MAX = 32


def brief_document(brief: m.Brief) -> Document:
    """The brief as the borough receives it, from its stored dates and the data for its
    period and borough."""
    from dsvb.web.performance import data as store_data

    meeting = brief.session.meeting
    text, edited = template_text(meeting.date.year)
    key = (
        brief.pk,
        brief.session.area_code,
        meeting.date,
        brief.period_start,
        brief.period_end,
        brief.draft_due,
        brief.final_due,
        brief.sent_on,
        brief.length_limit,
        brief.contacts,
        brief.published,
        text if edited else None,
        str(settings.DSVB_STORE),
        store_data.state().version,
        _policy_key(brief),
    )
    if key not in _BUILT:
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.pop(next(iter(_BUILT)))
        _BUILT[key] = _build_brief(brief)
    return _BUILT[key]


def _policy_key(brief: m.Brief) -> Any:
    if not brief.published:
        return None
    from dsvb.web.public import policy

    return policy.current()


def _build_brief(brief: m.Brief) -> Document:
    meeting = brief.session.meeting
    sent = brief.sent_on or min(m.Brief.defaults_for(meeting.date)["draft_due"], brief.draft_due)
    from dsvb.oversight.brief import BriefInputs, build_brief

    assessments = tuple(
        a
        for a in (data.assessment(f, brief.period_start, brief.period_end) for f in FAMILIES)
        if a is not None
    )
    equality = tuple(
        e
        for e in (data.equality(brief.period_start, brief.period_end, f) for f in FAMILIES)
        if e is not None
    )
    text, edited = template_text(meeting.date.year)
    extra: dict[str, Any] = {}
    if brief.published:  # figures under the disclosure control every published output uses
        from dsvb.web.public import policy

        extra["policy"] = policy.current()
        extra["published_equality"] = published_equality(
            equality, extra["policy"], brief.period_start, brief.period_end
        )
    inputs = BriefInputs(
        area_code=brief.area_code,
        area_name=brief.session.area_name,
        meeting=meeting.date,
        assessments=assessments,
        equality=equality,
        published=brief.published,
        sent=min(sent, brief.draft_due),
        draft_due=brief.draft_due,
        final_due=brief.final_due,
        length_limit=brief.length_limit,
        contacts=_contacts(brief.contacts),
        reference=f"DSVB/{meeting.date:%Y}/{brief.pk}",
        template_text=text if edited else None,
        **extra,
    )
    return build_brief(inputs)


def _published_key(policy: Any, start: dt.date, end: dt.date) -> str:
    from dsvb.oversight.brief import BRIEF_STRANDS
    from dsvb.web.performance import data as store_data

    strands = ",".join(BRIEF_STRANDS)
    return (
        f"dsvb:cycle:published-equality:{store_data.state().token}:{start}:{end}:"
        f"{policy.version}:{policy.rules_revision}:{strands}"
    )


def published_equality(analyses: tuple, policy: Any, start: dt.date, end: dt.date) -> tuple:
    """Every family's equality tables for the period under ``policy``, controlled once for
    every borough together (as a publication must be) and kept in the shared cache; while
    they are being prepared (a background thread of this worker), :class:`Preparing`."""
    from dsvb.equality.publication import publish
    from dsvb.oversight.brief import BRIEF_STRANDS

    key = _published_key(policy, start, end)
    held = cache.get(key)
    if held is not None:
        return held
    if cache.add(f"{key}:preparing", True, PREPARING_SECONDS):  # one worker prepares it

        def prepare() -> None:
            try:
                built = tuple(publish(a, policy, BRIEF_STRANDS) for a in analyses)
                cache.set(key, built, PUBLISHED_SECONDS)
            except Exception:  # logged; the next view tries again
                log.exception("preparing the published equality tables failed")
            finally:
                cache.delete(f"{key}:preparing")

        threading.Thread(target=prepare, name="published-brief", daemon=True).start()
    raise Preparing(
        "The figures of a published brief are being put under disclosure control, every "
        "borough's together (a few minutes, once for each period). Come back to this page "
        "shortly; nothing else waits for it."
    )


def to_html(doc: Document) -> str:
    """The document as an HTML fragment for a page (the ``<article>`` alone)."""
    return render.to_html(doc, standalone=False)


def to_pdf(doc: Document) -> bytes:
    return render.to_pdf(doc)


def to_docx(doc: Document) -> bytes:
    return render.to_docx(doc)


def render_document(doc: Document, fmt: str) -> bytes:
    """``doc`` as PDF or DOCX bytes, or as an HTML fragment (UTF-8)."""
    if fmt == "pdf":
        return to_pdf(doc)
    if fmt == "docx":
        return to_docx(doc)
    return to_html(doc).encode("utf-8")


def html_fragment(doc: Document, *, beneath_heading: bool = False) -> str:
    """The document's ``<article>`` to embed in a page (its own styles are left out: the
    pages run under a policy with no inline style). ``beneath_heading``: the page has its
    own ``<h1>``, so the document's headings go one level down (one ``<h1>`` per page)."""
    html = to_html(doc)
    return demote_headings(html) if beneath_heading else html


def demote_headings(html: str) -> str:
    """Every heading one level down (h1 -> h2 ... h5 -> h6; h6 stays)."""

    def down(match: re.Match[str]) -> str:
        level = min(int(match[2]) + 1, 6)
        return f"<{match[1]}h{level}"

    return re.sub(r"<(/?)h([1-5])(?=[\s>])", down, html)


def download(
    request: HttpRequest,
    content: bytes,
    *,
    name: str,
    fmt: str,
    object_type: str,
    object_id: Any,
    summary: str,
    **details: Any,
) -> HttpResponse:
    """A document of the cycle as an attachment, with the download in the audit log."""
    record(
        request,
        audit.DOCUMENT_DOWNLOADED,
        summary,
        object_type=object_type,
        object_id=str(object_id),
        format=fmt,
        **details,
    )
    response = HttpResponse(content, content_type=MEDIA_TYPES[fmt])
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe}.{fmt}"'
    return response


# --- a borough report's figures -----------------------------------------------------------------


def comparison_data(brief: m.Brief) -> Any:
    """dsvb's figures for the brief's borough and period (what a report's figures are
    compared with), or None when the store holds no data for it."""
    from dsvb.oversight.report_check import ComparisonData, from_assessment

    assessed = data.assessment(REPORT_FAMILY, brief.period_start, brief.period_end)
    if assessed is None:
        return None
    return ComparisonData(
        brief.area_code,
        brief.session.area_name,
        REPORT_FAMILY,
        brief.period_start,
        brief.period_end + dt.timedelta(days=1),
        tuple(from_assessment(assessed, brief.area_code)),
    )


def check(content: bytes, name: str, brief: m.Brief) -> tuple[dict | None, str]:
    """The check of every figure the report states, as stored (``check_result``), or the
    reason there is none (``check_error``): a file that cannot be read, or no checker."""
    import json

    from dsvb.oversight.reading import DocumentError, read_document

    try:
        lines = read_document(content, name)
    except DocumentError as exc:
        return None, str(exc)
    from dsvb.oversight.report_check import check_report

    result = check_report(lines, data=comparison_data(brief))
    return json.loads(result.to_json()), ""
