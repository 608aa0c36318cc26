"""Imports from the browser (being built)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required


@policy_required(lambda user, **_: policies.can_view_imports(user))
def import_list(request: HttpRequest) -> HttpResponse:
    return render(request, "imports/list.html")
