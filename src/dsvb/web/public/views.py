"""Published, disclosure-controlled pages: open to everyone, no sign-in.

The public role is anonymous visitors; signed-in people see the same pages. Nothing here
shows an exact figure below force level: every table is a statistical release of
:mod:`dsvb.reports.publication`, frozen when it was made and kept in the register
(:mod:`dsvb.web.public.releases`). The pages show the latest release; earlier ones stay
downloadable. Only the settings and publishing pages are guarded (the secretariat).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dsvb.indicators.definitions import FAMILIES, INDICATORS
from dsvb.indicators.results import FORCE_CODE
from dsvb.reports.disclosure import Policy
from dsvb.reports.publication import (
    FORCE_LABEL,
    XLSX_TYPE,
    Release,
    ReleaseRefused,
    file_stem,
    headline,
    indicator_note,
    notes,
    period_label,
    shown,
    to_csv,
    to_xlsx,
)
from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required
from dsvb.web.audit.models import Action
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.performance import data
from dsvb.web.public import policy as policy_service
from dsvb.web.public import releases
from dsvb.web.public.forms import PolicyForm, PublishForm

FORMATS = ("csv", "xlsx")


def _publication() -> tuple[Release | None, Policy]:
    """The latest release and the policy in force now (None before the first release)."""
    return releases.latest(), policy_service.current()


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


def _context(pub: Release | None, policy: Policy, **extra: Any) -> dict[str, Any]:
    return {
        "pub": pub,
        "policy": policy,
        "notes": notes(pub) if pub else [],
        "earlier": [
            {
                "number": r.number,
                "label": r.label,
                "policy": r.policy,
                "downloads": _downloads("release", str(r.number)),
            }
            for r in releases.all_releases()[1:]
        ]
        if pub
        else [],
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
    name = {
        "all": "public:download",
        "family": "public:family-download",
        "release": "public:release-download",
    }.get(kind, "public:area-download")
    return [{"format": fmt.upper(), "href": reverse(name, args=[*args, fmt])} for fmt in FORMATS]


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
            can_publish=policies.can_publish(request.user),
        ),
    )


def _family_or_404(pub: Release | None, family: str) -> None:
    if pub is None or family not in pub.families():
        raise Http404("no published figures for this family")


def family(request: HttpRequest, family: str) -> HttpResponse:
    pub, policy = _publication()
    _family_or_404(pub, family)
    indicators = headline(family)
    caveats = pub.caveats
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


def area(request: HttpRequest, area_code: str) -> HttpResponse:
    pub, policy = _publication()
    name = pub.area_name(area_code) if pub else None
    if name is None:
        raise Http404("no published figures for this area")
    caveats = pub.caveats
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


def _export(
    request: HttpRequest,
    *,
    fmt: str,
    family: str = "",
    area_code: str = "",
    release: Release | None = None,
) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("unknown format")
    pub = release or releases.latest()
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
    title = f"{title}, {pub.label}"
    filename = f"{file_stem(pub)}-{scope.replace('_', '-').lower()}.{fmt}"
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
        release=pub.number,
        period=pub.key,
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


def release_download(request: HttpRequest, number: int, fmt: str) -> HttpResponse:
    """An earlier release, whole: it stays public once published."""
    found = releases.get(number)
    if found is None:
        raise Http404("no such release")
    return _export(request, fmt=fmt, release=found)


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
    initial = {
        "threshold": current.threshold,
        "protection_width": current.protection_width,
        "rounding": "yes" if current.rounding else "no",
    }
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        new = policy_service.change(
            request,
            threshold=form.cleaned_data["threshold"],
            rounding=form.cleaned_data["rounding"],
            protection_width=form.cleaned_data["protection_width"],
        )
        if new is None:
            messages.info(request, f"Nothing changed: version {current.version} stays in force.")
        else:
            messages.success(
                request, f"Saved. Version {new.version} of the policy is now in force."
            )
        return redirect("public:policy")
    return render(request, "public/policy_change.html", {"form": form, "policy": current})


@require_http_methods(["GET", "POST"])
@policy_required(lambda user, **_: policies.can_publish(user))
@audited_view("the next statistical release")
@_store_ready
def publish(request: HttpRequest) -> HttpResponse:
    """The next release: what it would cover, and publishing it (the secretariat)."""
    source = releases.web_source()
    upcoming = releases.plan(source)
    viewed(request, period=upcoming.period and period_label(upcoming.period))
    form = PublishForm(request.POST if request.method == "POST" else None)
    refused = None
    if request.method == "POST" and form.is_valid() and upcoming.period is not None:
        try:
            made = releases.publish(
                source, published_by=request.user.get_username(), request=request
            )
        except ReleaseRefused as exc:
            refused = exc
        else:
            if made is not None:
                messages.success(request, f"Published release {made.number}: {made.label}.")
                return redirect("public:home")
    return render(
        request,
        "public/publish.html",
        {
            "form": form,
            "upcoming": upcoming,
            "label": period_label(upcoming.period) if upcoming.period else "",
            "policy": policy_service.current(),
            "latest": releases.latest(),
            "refused": refused,
        },
    )
