"""A person with an authenticator app set up (or required to have one) must use it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

ALLOWED_PREFIXES = ("/static/", "/accounts/sign-out", "/accounts/second-factor")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not user.is_verified()
        ):
            if user_has_device(user, confirmed=True):
                return redirect(f"{reverse('accounts:second-factor')}?next={request.path}")
            if user.require_second_factor:
                return redirect("accounts:second-factor-setup")
        return self.get_response(request)
