"""The cycle's views ask :mod:`dsvb.oversight.access` (through the one ``decide``) and nothing
else: these are the thin wrappers every cycle view uses.

``cycle_view`` / ``cycle_manage`` / ``due_view`` guard a whole view by role (refusals audited by
``policy_required``). :func:`get_item` fetches one object by id and asks whether this person
may see it -- or add to it -- *per object*: a borough user who changes the id in the address
to another borough's brief gets a 403 with the reason recorded, exactly as for a page they
may not see. Objects that do not exist are 404 for everyone (whether an id exists is not
itself hidden: ids are sequential and say nothing about a borough).
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from dsvb.access import Decision
from dsvb.oversight import access as rules
from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required
from dsvb.web.accounts.memberships import decide
from dsvb.web.audit.models import Action
from dsvb.web.audit.pageview import viewed
from dsvb.web.audit.recorder import record

M = TypeVar("M", bound=models.Model)


def can_view_cycle(user: Any) -> bool:
    """The whole cycle (the board: secretariat and members)."""
    return policies._answer(user, decide(user, rules.VIEW_CYCLE))


def can_run_cycle(user: Any) -> bool:
    """Plan, brief, minute, draft, send, recommend, report (the secretariat)."""
    return policies._answer(user, decide(user, rules.RUN_CYCLE))


def can_view_due(user: Any) -> bool:
    """What is due (boroughs: their own)."""
    return policies._answer(user, decide(user, rules.VIEW_DUE))


def item_decision(user: Any, obj: models.Model, *, contribute: bool = False) -> Decision:
    """Whether ``user`` may see (or add to) one object of the cycle, and why."""
    action = rules.CONTRIBUTE if contribute else rules.VIEW_ITEM
    return decide(user, action, obj.access_object())  # type: ignore[attr-defined]


def may_see(user: Any, obj: models.Model) -> bool:
    """For lists and links: filter without auditing (a list shows only what one may see)."""
    return item_decision(user, obj).allowed


cycle_view = policy_required(lambda user, **_: can_view_cycle(user))
cycle_manage = policy_required(lambda user, **_: can_run_cycle(user))
due_view = policy_required(lambda user, **_: can_view_due(user))
# signed in with some role in the cycle (the board or a borough): the object decides the rest
cycle_member = policy_required(lambda user, **_: can_view_due(user))


def get_item(
    request: HttpRequest,
    model: type[M],
    pk: Any,
    *,
    contribute: bool = False,
    queryset: models.QuerySet | None = None,
) -> M:
    """The object ``pk`` of ``model`` if this person may see it (or, with ``contribute``, add
    to it); 404 if there is none; 403 with the refusal audited if they may not. The object is
    named to the page's audit entry (``viewed``)."""
    obj = get_object_or_404(queryset if queryset is not None else model.objects.all(), pk=pk)
    decision = item_decision(request.user, obj, contribute=contribute)
    kind = obj.access_object().kind  # type: ignore[attr-defined]
    if not decision.allowed:
        refuse(request, decision.reason, object_type=kind, object_id=str(pk))
    # ("action" is record()'s own argument: an action item is named "action_item")
    viewed(request, **{"action_item" if kind == "action" else kind: pk})
    return obj


def refuse(
    request: HttpRequest, reason: str, *, object_type: str = "url", object_id: str = ""
) -> NoReturn:
    """A 403 with the refusal in the audit log (as ``policy_required`` records one): an
    object this person may not see, or an act they may not do on a page they may see."""
    record(
        request,
        Action.ACCESS_DENIED,
        f"Refused {request.method} {request.path}: {reason}",
        object_type=object_type,
        object_id=object_id or request.path[:120],
        reason=reason,
    )
    raise PermissionDenied(reason)
