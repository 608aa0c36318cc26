"""A person with an authenticator app set up (or required to have one) must use it; and no
response but a public page seen by the public may be kept by a cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django_otp import user_has_device
from django_otp.models import Device

from dsvb.web.accounts import policies

DEVICE_CACHE_SECONDS = 60


def _device_key(user_id: Any) -> str:
    return f"dsvb:has-confirmed-device:{user_id}"


def has_confirmed_device(user: Any) -> bool:
    """Whether the user has a confirmed one-time-password device (asked of the database at
    most once a minute per user; any change to a device forgets the answer at once)."""
    key = _device_key(user.pk)
    answer = cache.get(key)
    if answer is None:
        answer = user_has_device(user, confirmed=True)
        cache.set(key, answer, DEVICE_CACHE_SECONDS)
    return answer


@receiver(post_save)
@receiver(post_delete)
def _forget_devices(sender: type, instance: Any, **_: Any) -> None:
    if isinstance(instance, Device):
        cache.delete(_device_key(instance.user_id))


def second_factor_step(user: Any, next_url: str = "") -> str | None:
    """Where a signed-in person must go before anything else (the code page, or setting up
    an authenticator app), or None when they may go on."""
    if not user.is_authenticated:
        return None
    is_verified = getattr(user, "is_verified", None)  # django-otp's; not yet there at sign-in
    if is_verified is not None and is_verified():
        return None
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    if has_confirmed_device(user):
        return f"{reverse('accounts:second-factor')}{query}"
    if policies.must_use_second_factor(user):
        return f"{reverse('accounts:second-factor-setup')}{query}"
    return None


class SecondFactorMiddleware:
    """Until the second factor is given, only the pages ``policies.BEFORE_SECOND_FACTOR``
    names may be reached (decided by the URL's name, so a new page is closed by default)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or request.resolver_match is None:
            return None
        if request.resolver_match.view_name in policies.BEFORE_SECOND_FACTOR:
            return None
        step = second_factor_step(user, request.get_full_path())
        return redirect(step) if step else None


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and Django's other never-cache headers) on every response
    except a public page seen by someone not signed in: staff pages, sign-in and account pages
    must not be kept by a browser's history cache or a proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if not policies.may_cache(getattr(request, "user", None), match and match.view_name):
            add_never_cache_headers(response)
        return response
