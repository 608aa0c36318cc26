"""The managers' compliance lists and the police records they name: a thin adapter over
:mod:`dsvb.cases.compliance` (every list, count and record comes from there).

Lists' counts (per area, per unit) follow who may see an area's data (``area.view``:
borough users their own area, all-area roles every area). A list's rows (record and person
ids, dates, fields) and its CSV, and one police record, follow ``record.view`` (force
analysts and the area's own borough users, not the board nor the secretariat): others get
the counts per unit only, and the CSV refused (decision 0040). A missing record id is
refused as another area's record is, unless the person may see every area's records, so a
refusal does not tell which ids are held. Every view is one audit entry; a refusal is an
audited 403.
"""

from __future__ import annotations

import csv
import datetime as dt
from itertools import groupby
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from dsvb.access.model import Decision
from dsvb.cases import compliance
from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required
from dsvb.web.accounts.memberships import decide
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.oversight.guards import refuse
from dsvb.web.performance import data, figures
from dsvb.web.performance.views import handles_busy_store


def _lists_allowed(user: Any, area_code: str | None = None, **_: Any) -> bool:
    return policies.can_view_performance(user) and (
        area_code is None or policies.can_view_area(user, area_code)
    )


def _selection(request: HttpRequest) -> figures.Selection | None:
    return figures.select("dv", request.GET.get("period"))


def _dates(sel: figures.Selection) -> dict[str, dt.date]:
    period = sel.choice.period
    return {"start": period.start, "end": period.end}


def _may_open(user: Any, kind: str, record_id: str, area_code: str) -> bool:
    if kind not in (compliance.CRIME, compliance.INCIDENT):
        return False
    resource = compliance.record_resource(kind, record_id, area_code)
    return decide(user, compliance.VIEW_RECORD, resource).allowed


def _may_list_records(user: Any, list_id: str, area_code: str) -> Decision:
    """May this person see the rows of a list for an area (not just its counts)?"""
    return decide(
        user, compliance.VIEW_RECORD, compliance.list_records_resource(list_id, area_code)
    )


def _sees_every_area(user: Any, kind: str, record_id: str) -> bool:
    """May this person see a record of this kind whatever its area? Only then may a missing
    id be told apart (404) from a refused one."""
    return all(
        decide(
            user, compliance.VIEW_RECORD, compliance.record_resource(kind, record_id, code)
        ).allowed
        for code in figures.borough_names()
    )


def _day(value: str) -> str:
    """An ISO date as pages write dates ("8 December 2009"); other text as it is."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def _shown(fields: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """A record's fields for a page: the column name in words, dates as pages write them."""
    return [(name.replace("_", " ").capitalize(), _day(value)) for name, value in fields]


def _record_href(kind: str, record_id: str) -> str:
    return reverse(f"compliance:{kind}", args=[record_id])


@policy_required(_lists_allowed)
@audited_view("the compliance lists")
@handles_busy_store
def index(request: HttpRequest) -> HttpResponse:
    sel = _selection(request)
    if sel is None:
        return render(request, "performance/no_data.html", {"heading": "Compliance lists"})
    viewed(request, family="dv", period=sel.choice.key)
    names = figures.borough_names()
    areas = [
        (code, name) for code, name in names.items() if policies.can_view_area(request.user, code)
    ]
    policies.forget_refusal(request.user)
    area = areas[0][0] if len(areas) == 1 else None
    rows = []
    with data.read_only() as con:
        for item in compliance.LISTS.values():
            counts = (
                compliance.counts_by_area(con, item.id, area=area, **_dates(sel))
                if con is not None
                else {}
            )
            rows.append(
                {
                    "list": item,
                    "areas": [
                        {
                            "code": code,
                            "name": name,
                            "count": counts.get(code, 0),
                            "href": reverse("compliance:list", args=[item.id, code])
                            + f"?period={sel.choice.key}",
                        }
                        for code, name in areas
                    ],
                }
            )
    return render(
        request,
        "compliance/index.html",
        {"sel": sel, "rows": rows, "areas": areas, "choices": figures.period_choices(sel.current)},
    )


def _checked(list_id: str, area_code: str) -> str:
    """The area's name, or 404 for a list or an area nobody defined."""
    if list_id not in compliance.LISTS:
        raise Http404("No such list")
    names = figures.borough_names()
    if area_code not in names:
        raise Http404("No such borough")
    return names[area_code]


def _list_records(request: HttpRequest, list_id: str, area_code: str):
    area_name = _checked(list_id, area_code)
    sel = _selection(request)
    found: list[compliance.Record] = []
    if sel is not None:
        with data.read_only() as con:
            if con is not None:
                found = compliance.records(con, list_id, area=area_code, **_dates(sel))
    viewed(request, area=area_code, family="dv", period=sel.choice.key if sel else "", list=list_id)
    return compliance.LISTS[list_id], area_name, sel, found


@policy_required(_lists_allowed)
@audited_view("a compliance list")
@handles_busy_store
def list_area(request: HttpRequest, list_id: str, area_code: str) -> HttpResponse:
    item, area_name, sel, found = _list_records(request, list_id, area_code)
    if sel is None:
        return render(request, "performance/no_data.html", {"heading": item.title})
    shown = _may_list_records(request.user, list_id, area_code).allowed
    units = []
    for unit, rows in groupby(found, key=lambda r: r.unit):
        if not shown:  # the count per unit only: no ids, dates nor fields
            units.append({"unit": unit, "count": sum(1 for _ in rows), "rows": []})
            continue
        listed = []
        for r in rows:
            target = r.id if r.kind != compliance.PERSON else ""
            listed.append(
                {
                    "record": r,
                    "fields": [(n, v) for n, v in _shown(r.fields) if v],
                    "href": _record_href(r.kind, r.id)
                    if target and _may_open(request.user, r.kind, r.id, r.area_code)
                    else None,
                    "cautions": [
                        {
                            "id": c,
                            "href": _record_href(compliance.CRIME, c)
                            if _may_open(request.user, compliance.CRIME, c, r.area_code)
                            else None,
                        }
                        for c in r.crime_ids
                    ],
                }
            )
        units.append({"unit": unit, "count": len(listed), "rows": listed})
    return render(
        request,
        "compliance/list.html",
        {
            "list": item,
            "area_code": area_code,
            "area_name": area_name,
            "sel": sel,
            "count": len(found),
            "units": units,
            "records_shown": shown,
            "csv_href": reverse("compliance:list-csv", args=[item.id, area_code])
            + f"?period={sel.choice.key}"
            if shown
            else None,
            "scorecard_href": reverse("performance:scorecard-area", args=[area_code])
            + f"?family=dv&period={sel.choice.key}",
        },
    )


@policy_required(_lists_allowed)
@audited_view("a compliance list (download)")
@handles_busy_store
def list_csv(request: HttpRequest, list_id: str, area_code: str) -> HttpResponse:
    _checked(list_id, area_code)
    decision = _may_list_records(request.user, list_id, area_code)
    if not decision.allowed:  # the CSV is the records: refused, not cut down to counts
        refuse(
            request,
            decision.reason,
            object_type="compliance_list",
            object_id=f"{list_id}/{area_code}",
        )
    item, _name, sel, found = _list_records(request, list_id, area_code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    key = sel.choice.key if sel else "no-data"
    response["Content-Disposition"] = f'attachment; filename="{item.id}-{area_code}-{key}.csv"'
    header, rows = compliance.table(item.id, found)
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _record_page(request: HttpRequest, kind: str, record_id: str) -> HttpResponse:
    with data.read_only() as con:
        found = None
        if con is not None:
            find = compliance.find_crime if kind == compliance.CRIME else compliance.find_incident
            found = find(con, record_id)
    if found is None:
        if not _sees_every_area(request.user, kind, record_id):
            # the same 403 a record of another area gets: not an oracle of which ids exist
            refuse(
                request,
                f"{kind} {record_id} is not held or not one this user may see (refused "
                "alike, as this user may not see every area's records)",
                object_type=kind,
                object_id=record_id,
            )
        raise Http404(f"No such {kind}")
    decision = decide(request.user, compliance.VIEW_RECORD, found.resource())
    if not decision.allowed:
        refuse(request, decision.reason, object_type=kind, object_id=record_id)
    crime = found.crime_resource()
    crime_shown = crime is not None and decide(request.user, compliance.VIEW_RECORD, crime).allowed
    if crime is not None and not crime_shown:  # another area's crime: not its people
        found = found.without_crime()
    viewed(request, area=found.area_code, **{kind: record_id})
    return render(
        request,
        "compliance/record.html",
        {
            "record": found,
            "fields": _shown(found.fields),
            "contacts": [
                (reason.replace("_", " "), _day(due), _day(made))
                for reason, due, made in found.contacts
            ],
            "area_name": figures.borough_names().get(found.area_code, found.area_code),
            "crime_href": _record_href(compliance.CRIME, found.crime_id) if crime_shown else None,
            "crime_withheld": crime is not None and not crime_shown,
        },
    )


@policy_required(lambda user, **_: policies.can_view_performance(user))
@audited_view("a police crime record")
@handles_busy_store
def crime(request: HttpRequest, crime_id: str) -> HttpResponse:
    return _record_page(request, compliance.CRIME, crime_id)


@policy_required(lambda user, **_: policies.can_view_performance(user))
@audited_view("a police incident record")
@handles_busy_store
def incident(request: HttpRequest, incident_id: str) -> HttpResponse:
    return _record_page(request, compliance.INCIDENT, incident_id)
