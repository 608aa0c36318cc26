"""Published, disclosure-controlled pages: open to everyone, no sign-in.

The public role is anonymous visitors; signed-in people see the same pages. Nothing here
shows an exact figure below force level: every table is the one publication of
:mod:`dsvb.web.public.publication`, made by the disclosure-control policy in force. Only
the settings page is guarded (the secretariat).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dsvb.indicators.definitions import FAMILIES, INDICATORS
from dsvb.indicators.results import FORCE_CODE
from dsvb.reports.disclosure import Policy
from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required
from dsvb.web.audit.models import Action
from dsvb.web.audit.recorder import record
from dsvb.web.performance import data
from dsvb.web.public import policy as policy_service
from dsvb.web.public.forms import PolicyForm
from dsvb.web.public.publication import (
    FORCE_LABEL,
    XLSX_TYPE,
    Publication,
    headline,
    history_caveats,
    indicator_note,
    notes,
    publication,
    shown,
    to_csv,
    to_xlsx,
)

FORMATS = ("csv", "xlsx")


def _publication() -> tuple[Publication | None, Policy]:
    """The publication under the policy in force (None when nothing is published yet)."""
    policy = policy_service.current()
    return publication(policy), policy


def _store_ready(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """While an import holds the store, or when the file is not a store, say so (503)
    rather than fail."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except data.StoreBusy:
            response = render(request, "public/busy.html", status=503)
            response["Retry-After"] = "30"
            return response
        except data.StoreUnreadable:
            return render(request, "errors/store_unreadable.html", status=503)

    return wrapped


def _context(pub: Publication | None, policy: Policy, **extra: Any) -> dict[str, Any]:
    return {
        "pub": pub,
        "policy": policy,
        "notes": notes(pub) if pub else [],
        "families": [
            {
                "id": f,
                "label": FAMILIES[f].label,
                "href": reverse("public:family", args=[f]),
                "indicators": [INDICATORS[i].label for i in headline(f)],
                "downloads": _downloads("family", f),
            }
            for f in (pub.families() if pub else [])
        ],
        **extra,
    }


def _downloads(kind: str, *args: str) -> list[dict[str, str]]:
    name = {"all": "public:download", "family": "public:family-download"}.get(
        kind, "public:area-download"
    )
    return [{"format": fmt.upper(), "href": reverse(name, args=[*args, fmt])} for fmt in FORMATS]


@_store_ready
def home(request: HttpRequest) -> HttpResponse:
    pub, policy = _publication()
    return render(
        request,
        "public/home.html",
        _context(
            pub,
            policy,
            areas=[
                {"code": code, "name": name, "href": reverse("public:area", args=[code])}
                for code, name in (pub.areas() if pub else [])
            ],
            downloads=_downloads("all"),
            can_change=policies.can_change_disclosure_policy(request.user),
        ),
    )


def _family_or_404(pub: Publication | None, family: str) -> None:
    if pub is None or family not in pub.families():
        raise Http404("no published figures for this family")


@_store_ready
def family(request: HttpRequest, family: str) -> HttpResponse:
    pub, policy = _publication()
    _family_or_404(pub, family)
    indicators = headline(family)
    caveats = history_caveats(pub)
    rows = []
    for code, name in [*pub.areas(), (FORCE_CODE, FORCE_LABEL)]:
        rows.append(
            {
                "code": code,
                "name": name,
                "href": None if code == FORCE_CODE else reverse("public:area", args=[code]),
                "force": code == FORCE_CODE,
                "cells": [shown(pub.table.get(family, i, code)) for i in indicators],
            }
        )
    return render(
        request,
        "public/family.html",
        _context(
            pub,
            policy,
            family={"id": family, "label": FAMILIES[family].label},
            indicators=[
                {
                    "id": i,
                    "label": INDICATORS[i].label,
                    "is_rate": INDICATORS[i].is_rate,
                    "note": indicator_note(i),
                    "caveat": caveats.get(i),
                }
                for i in indicators
            ],
            rows=rows,
            downloads=_downloads("family", family),
        ),
    )


@_store_ready
def area(request: HttpRequest, area_code: str) -> HttpResponse:
    pub, policy = _publication()
    name = pub.area_name(area_code) if pub else None
    if name is None:
        raise Http404("no published figures for this area")
    caveats = history_caveats(pub)
    tables = []
    for f in pub.families():
        tables.append(
            {
                "id": f,
                "label": FAMILIES[f].label,
                "href": reverse("public:family", args=[f]),
                "rows": [
                    {
                        "label": INDICATORS[i].label,
                        "note": indicator_note(i),
                        "caveat": caveats.get(i),
                        "area": shown(pub.table.get(f, i, area_code)),
                        "force": shown(pub.table.get(f, i, FORCE_CODE)),
                    }
                    for i in headline(f)
                ],
            }
        )
    return render(
        request,
        "public/area.html",
        _context(
            pub,
            policy,
            area={"code": area_code, "name": name},
            tables=tables,
            downloads=_downloads("area", area_code),
        ),
    )


@_store_ready
def _export(
    request: HttpRequest, *, fmt: str, family: str = "", area_code: str = ""
) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("unknown format")
    pub, _policy = _publication()
    if pub is None:
        raise Http404("nothing is published yet")
    if family:
        _family_or_404(pub, family)
        scope, title = family, f"{FAMILIES[family].label} by area"
    elif area_code:
        name = pub.area_name(area_code)
        if name is None:
            raise Http404("no published figures for this area")
        scope, title = area_code, f"{name}: published indicators"
    else:
        scope, title = "all", "Published indicators by area"
    cells = pub.cells(family=family or None, area=area_code or None)
    title = f"{title}, {pub.choice.label}"
    filename = (
        f"dsvb-published-{scope.replace('_', '-').lower()}-{pub.choice.key}"
        f"-sdc-v{pub.policy.version}.{fmt}"
    )
    if fmt == "csv":
        response = HttpResponse(to_csv(pub, cells), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(to_xlsx(pub, cells, title), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    record(
        request,
        Action.EXPORTED,
        f"Public download: {title} ({fmt.upper()})",
        object_type="public_export",
        object_id=scope,
        format=fmt,
        period=pub.choice.key,
        rows=len(cells),
        disclosure_policy=pub.policy.name,
        disclosure_policy_version=pub.policy.version,
        store_version=pub.store_version,
    )
    return response


def download(request: HttpRequest, fmt: str) -> HttpResponse:
    return _export(request, fmt=fmt)


def family_download(request: HttpRequest, family: str, fmt: str) -> HttpResponse:
    return _export(request, fmt=fmt, family=family)


def area_download(request: HttpRequest, area_code: str, fmt: str) -> HttpResponse:
    return _export(request, fmt=fmt, area_code=area_code)


def policy(request: HttpRequest) -> HttpResponse:
    """The disclosure-control policy, its rules and every version (public)."""
    return render(
        request,
        "public/policy.html",
        {
            "policy": policy_service.current(),
            "history": policy_service.history(),
            "can_change": policies.can_change_disclosure_policy(request.user),
        },
    )


@policy_required(lambda user, **_: policies.can_change_disclosure_policy(user))
def policy_change(request: HttpRequest) -> HttpResponse:
    current = policy_service.current()
    initial = {"threshold": current.threshold, "rounding": "yes" if current.rounding else "no"}
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        new = policy_service.change(
            request,
            threshold=form.cleaned_data["threshold"],
            rounding=form.cleaned_data["rounding"],
        )
        if new is None:
            messages.info(request, f"Nothing changed: version {current.version} stays in force.")
        else:
            messages.success(
                request, f"Saved. Version {new.version} of the policy is now in force."
            )
        return redirect("public:policy")
    return render(request, "public/policy_change.html", {"form": form, "policy": current})
