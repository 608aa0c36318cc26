"""Navigation items for the signed-in person's role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from dsvb.web.accounts import policies


def _can_view_due(user: Any) -> bool:
    from dsvb.oversight.access import VIEW_DUE
    from dsvb.web.accounts.memberships import decide

    return bool(getattr(user, "is_authenticated", False)) and decide(user, VIEW_DUE).allowed


def _can_use_cases(user: Any) -> bool:
    from dsvb.cases.access import USE_CASES
    from dsvb.web.accounts.memberships import decide

    return bool(getattr(user, "is_authenticated", False)) and decide(user, USE_CASES).allowed


def _can_view_linkage(user: Any) -> bool:
    from dsvb.linkage.access import VIEW_LINKAGE
    from dsvb.web.accounts.memberships import decide

    return bool(getattr(user, "is_authenticated", False)) and decide(user, VIEW_LINKAGE).allowed


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items: list[tuple[str, str]] = []
    if policies.can_view_all_areas(user):
        items.append(("Overview", reverse("performance:overview")))
    if policies.can_view_performance(user):
        label = "Scorecard" if policies.can_view_all_areas(user) else "My borough"
        items.append((label, reverse("performance:scorecard")))
        items.append(("Equality", reverse("performance:equality")))
        items.append(("Compliance", reverse("compliance:index")))
    if _can_view_due(user):
        items.append(("Board", reverse("oversight:home")))
    if _can_use_cases(user):
        items.append(("Cases", reverse("cases:caseload")))
    if _can_view_linkage(user):
        items.append(("Linked people", reverse("linkage:summary")))
    if policies.can_view_imports(user):
        items.append(("Imports", reverse("imports:list")))
    if policies.can_search_audit(user):
        items.append(("Audit log", reverse("audit:search")))
    if policies.can_manage_users(user):
        items.append(("Users", reverse("accounts:users")))
    items.append(("Published data", reverse("public:home")))
    path = request.path
    matching = [href for _, href in items if href != "/" and path.startswith(href)]
    active = max(matching, key=len) if matching else None  # the most specific item only
    return {
        "nav_items": [
            {"label": label, "href": href, "active": href == active} for label, href in items
        ]
    }
