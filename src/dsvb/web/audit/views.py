"""Searching and exporting the audit log (secretariat and auditors). Read-only."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from crispy_forms_gds.layout import Field, Fluid, Submit
from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required
from dsvb.web.audit import chain
from dsvb.web.audit.models import Action, AuditEvent, action_choices
from dsvb.web.audit.pageview import audited_view
from dsvb.web.audit.recorder import record
from dsvb.web.forms import fields_only
from dsvb.web.spreadsheets import defused

auditors = policy_required(lambda user, **_: policies.can_search_audit(user))

# Up to this many entries the log page checks the whole chain as it opens (about 50,000
# entries a second); beyond, it asks for `dsvb audit verify` on the server.
VERIFY_ON_PAGE = 50_000


def tamper_check() -> chain.Verification | int:
    """The chain's verification, or the number of entries when there are too many to check."""
    count = AuditEvent.objects.count()
    if count > VERIFY_ON_PAGE:
        return count
    return chain.verify()


class SearchForm(forms.Form):
    text = forms.CharField(label="Contains", required=False, help_text="Words in the entry")
    username = forms.CharField(label="User name", required=False)
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=lambda: [("", "Any action"), *action_choices()],  # actions added later too
    )
    date_from = forms.DateField(
        label="From (inclusive)", required=False, help_text="For example, 2026-11-01"
    )
    date_to = forms.DateField(label="To (inclusive)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(
            Field.text("text", field_width=Fluid.ONE_HALF),
            Field.text("username", field_width=Fluid.ONE_THIRD),
            Field.select("action"),
            Field.text("date_from", field_width=10),
            Field.text("date_to", field_width=10),
            Submit("search", "Search"),
        )


def _filtered(form: SearchForm) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    if data["text"]:
        events = events.filter(
            Q(summary__icontains=data["text"]) | Q(object_id__icontains=data["text"])
        )
    if data["username"]:
        events = events.filter(actor_username__iexact=data["username"].strip())
    if data["action"]:
        events = events.filter(action=data["action"])
    tz = timezone.get_current_timezone()
    if data["date_from"]:
        events = events.filter(at__gte=dt.datetime.combine(data["date_from"], dt.time(), tz))
    if data["date_to"]:
        end = data["date_to"] + dt.timedelta(days=1)
        events = events.filter(at__lt=dt.datetime.combine(end, dt.time(), tz))
    return events


def _criteria(form: SearchForm) -> dict[str, str]:
    return {k: str(v) for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}


@require_safe
@auditors
@audited_view("the audit log")
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    events = _filtered(form) if request.GET else AuditEvent.objects.all()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    # The page's entries are read now, before the entry below is written: read later (as the
    # template would), the new entry would take the first place and push the oldest off.
    page.object_list = list(page.object_list)
    verification = tamper_check()  # before this reading of the log is itself recorded
    # Reading the log is itself recorded, searched or not: it names people and addresses.
    record(
        request,
        Action.AUDIT_SEARCHED,
        "Searched the audit log" if _criteria(form) else "Read the audit log",
        criteria=_criteria(form),
        page=page.number,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/search.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "verification": verification if not isinstance(verification, int) else None,
            "unverified_count": verification if isinstance(verification, int) else None,
        },
    )


@require_safe
@auditors
@audited_view("the audit log (CSV download)")
def export(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    events = _filtered(form) if request.GET else AuditEvent.objects.all()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dsvb-audit-log.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["at", "user", "role", "address", "action", "object_type", "object_id", "summary"]
    )
    count = 0
    for e in events.iterator():
        writer.writerow(
            [
                e.at.isoformat(),
                defused(e.actor_username),  # typed by anyone at the sign-in page
                defused(e.actor_role),
                e.ip_address or "",
                e.action,
                defused(e.object_type),
                defused(e.object_id),
                defused(e.summary),
            ]
        )
        count += 1
    record(
        request,
        Action.AUDIT_EXPORTED,
        f"Exported {count} audit entries",
        criteria=_criteria(form),
        rows=count,
    )
    return response
