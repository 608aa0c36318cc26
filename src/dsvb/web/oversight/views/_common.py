"""What the planning views share: a state move made, saved and audited in one place."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.contrib import messages
from django.db import models
from django.http import HttpRequest

from dsvb.oversight.states import InvalidMove
from dsvb.web.audit.recorder import record


def move(
    request: HttpRequest,
    obj: models.Model,
    to: StrEnum,
    *,
    action: str,
    summary: str,
    reason: str = "",
    kind: str,
    **extra: Any,
) -> bool:
    """Move ``obj`` to ``to`` (with the reason it needs), save and audit; on a move the
    state does not allow, say why on the next page and change nothing."""
    try:
        obj.move_to(to, reason=reason)  # type: ignore[attr-defined]
    except InvalidMove as exc:
        messages.error(request, str(exc).capitalize())
        return False
    if hasattr(obj, "status_reason"):
        obj.status_reason = reason[:300]  # type: ignore[attr-defined]
    for k, v in extra.items():
        setattr(obj, k, v)
    obj.save()
    record(request, action, summary, object_type=kind, object_id=obj.pk, reason=reason)
    return True


def posted(request: HttpRequest) -> Any:
    """The form's data on a POST (even an empty one: a confirmation has no fields), else
    None (the form unbound)."""
    return request.POST if request.method == "POST" else None
