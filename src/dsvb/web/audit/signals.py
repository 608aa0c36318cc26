"""Sign-in, sign-out, failed sign-ins and lock-outs are audited from Django's and axes' signals."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from dsvb.web.audit.models import Action
from dsvb.web.audit.recorder import record


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(request, Action.SIGN_IN, f"{user.get_username()} signed in", user=user)


@receiver(user_logged_out)
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(request, Action.SIGN_OUT, f"{user.get_username()} signed out", user=user)


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    if getattr(request, "axes_locked_out", False):
        return  # recorded once, as a lock-out or an attempt while locked (below)
    username = str(credentials.get("username", ""))[:150]
    record(
        request,
        Action.SIGN_IN_FAILED,
        f"Failed sign-in as {username!r}",
        user=None,
        username=username,
    )


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    """axes signals the failure that starts a lock-out and every attempt during one (each of
    which also restarts the cool-off period); only the first is the lock-out itself."""
    from django.conf import settings

    failures = getattr(request, "axes_failures_since_start", None)
    if failures == settings.AXES_FAILURE_LIMIT:
        record(
            request,
            Action.LOCKED_OUT,
            f"{username!r} locked out after {failures} failed sign-ins",
            user=None,
            username=username or "",
        )
    else:
        record(
            request,
            Action.SIGN_IN_WHILE_LOCKED,
            f"Sign-in as {username!r} refused: the account is locked",
            user=None,
            username=username or "",
        )
