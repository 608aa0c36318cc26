"""Guarding views with policies: sign-in first, then the policy, refusals audited."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from dsvb.web.accounts import policies
from dsvb.web.audit.models import Action
from dsvb.web.audit.recorder import record

View = Callable[..., HttpResponse]


def policy_required(check: Callable[..., Any]) -> Callable[[View], View]:
    """Allow the view when ``check(user, **view_kwargs)`` holds.

    Anonymous visitors are sent to sign in; signed-in people who fail the check get a
    403 page, and the refusal is audited with its reason (the decision of the policy that
    refused: see ``policies.last_refusal``).
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            policies.forget_refusal(request.user)
            if not check(request.user, **kwargs):
                refusal = policies.last_refusal(request.user)
                reason = refusal.reason if refusal is not None else "not allowed"
                record(
                    request,
                    Action.ACCESS_DENIED,
                    f"Refused {request.method} {request.path}: {reason}",
                    object_type="url",
                    object_id=request.path[:120],
                    reason=reason,
                    view_arguments={k: str(v) for k, v in kwargs.items()},
                )
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.dsvb_policy = check  # type: ignore[attr-defined]  # a signed-in view (tests)
        return wrapped

    return decorator
