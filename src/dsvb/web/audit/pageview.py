"""Auditing page views of figures and records: one decorator, one entry per view.

Figures, case and import records and the audit log itself name people, places and crimes, so
who looked at which of them is recorded, not only who exported them. Views that show such
things are wrapped in :func:`audited_view` and name the objects they resolved (the area,
indicator, family and period actually shown, after defaults) with :func:`viewed`. The wrapper
then writes exactly one entry per successful view: the view's own typed entry if it records
one (an export, a search of the audit log, a report read), which gains the page's path and
objects; otherwise a ``page_viewed`` entry. Refusals are recorded by the policy check instead,
and responses that show nothing (redirects, errors, a busy store) are not recorded.

``tests/web/test_page_audit.py`` walks the URL configuration and fails when a signed-in view
is neither audited nor exempted with a reason.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse

from dsvb.web.audit.models import Action
from dsvb.web.audit.recorder import PAGE_VIEW_ATTRIBUTE, record

View = Callable[..., HttpResponse]

# the view arguments (from the URL) that name what a page shows
OBJECT_ARGUMENTS = {"area_code": "area", "job_id": "import_job", "table": "table", "fmt": "format"}


@dataclass
class PageView:
    """The page an audited view is showing: filled in by the view, read by ``record``."""

    path: str
    what: str
    objects: dict[str, str] = field(default_factory=dict)
    recorded: bool = False


def viewed(request: HttpRequest, **objects: Any) -> None:
    """Name what the page shows (``area=``, ``indicator=``, ``family=``, ``period=``, ...).

    Values left empty are ignored; outside an audited view this does nothing."""
    page = getattr(request, PAGE_VIEW_ATTRIBUTE, None)
    if page is not None:
        page.objects.update({k: str(v) for k, v in objects.items() if v not in (None, "")})


def _summary(page: PageView) -> str:
    shown = ", ".join(
        page.objects[k] for k in ("area", "family", "period", "indicator") if k in page.objects
    )
    return f"Viewed {page.what}" + (f" ({shown})" if shown else "")


def audited_view(what: str) -> Callable[[View], View]:
    """Record one audit entry for each successful (2xx) response of the view.

    ``what`` names the page in the entry's summary, e.g. ``"the pan-force overview"``.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            page = PageView(path=request.get_full_path()[:500], what=what)
            setattr(request, PAGE_VIEW_ATTRIBUTE, page)
            viewed(
                request,
                **{OBJECT_ARGUMENTS[k]: v for k, v in kwargs.items() if k in OBJECT_ARGUMENTS},
            )
            try:
                response = view(request, *args, **kwargs)
            finally:
                delattr(request, PAGE_VIEW_ATTRIBUTE)
            if 200 <= response.status_code < 300 and not page.recorded:
                record(
                    request,
                    Action.PAGE_VIEWED,
                    _summary(page),
                    object_type="page",
                    object_id=request.path[:120],
                    **page.objects,
                    path=page.path,
                )
            return response

        wrapped.dsvb_audited = what  # type: ignore[attr-defined]  # read by the URL-walk test
        return wrapped

    return decorator
