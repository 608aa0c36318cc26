"""A person with an authenticator app set up (or required to have one) must use it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device
from django_otp.models import Device

# Before the second factor is given only these may be reached: not, for instance, the page
# that removes the authenticator app, or a password alone would switch the second factor off.
ALLOWED_PREFIXES = ("/static/", "/accounts/sign-out")
ALLOWED_NAMES = ("accounts:second-factor", "accounts:second-factor-setup")
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


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(ALLOWED_PREFIXES)
            and request.path not in {reverse(name) for name in ALLOWED_NAMES}
        ):
            if has_confirmed_device(user):
                return redirect(f"{reverse('accounts:second-factor')}?next={request.path}")
            if user.require_second_factor:
                return redirect("accounts:second-factor-setup")
        return self.get_response(request)
