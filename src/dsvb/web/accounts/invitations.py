"""Inviting people: a one-time link to set their own password (the secretariat never types one).

The link is Django's password-reset mechanism with its own salt: the token signs the user's id,
their password hash, last sign-in and the time it was made. A new user has an unusable
password until they set one; setting it changes the hash, so the link then fails, and sending
a new link gives the account a new unusable password, so every earlier link fails too. Links
expire after ``settings.PASSWORD_RESET_TIMEOUT`` seconds.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from dsvb.web.audit.models import Action
from dsvb.web.audit.recorder import record

log = logging.getLogger(__name__)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens, salted apart so that no other token of Django's is accepted."""

    key_salt = "dsvb.web.accounts.invitations.InvitationTokenGenerator"

    def problem(self, user: Any, token: str | None) -> str | None:
        """Why a link does not work, for the person holding it: ``None`` when it works, else
        ``"used"`` (a password was set with it or a later one), ``"expired"`` (genuine but
        too old), or ``"invalid"`` (replaced by a newer link, or not a link of ours)."""
        if user is None or not token:
            return "invalid"
        if self.check_token(user, token):
            return None
        if user.has_usable_password():
            return "used"
        try:
            made = base36_to_int(token.split("-")[0])
        except ValueError:
            return "invalid"
        # genuine (signed for this account as it is now) but outside the time limit?
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, made, secret), token):
                return "expired"
        return "invalid"


tokens = InvitationTokenGenerator()

PROBLEMS = {
    "used": "This link has already been used: the account's password is set. Sign in with "
    "it, or ask the board's secretariat for a new link if you have forgotten it.",
    "expired": "This link has expired. Ask the board's secretariat for a new one.",
    "invalid": "This link does not work: a newer link may have been sent to you, or it was "
    "copied incompletely. Use the newest link, or ask the board's secretariat for a new one.",
}


@dataclass(frozen=True)
class Invitation:
    link: str
    expires: dt.datetime
    emailed_to: str  # empty when not emailed
    email_problem: str = ""


def lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def invite(request: HttpRequest, person: Any) -> Invitation:
    """Give ``person`` a new link to set their password (any earlier link and any password
    stop working), email it when they have an address, and audit it (without the link)."""
    person.set_unusable_password()
    person.save(update_fields=["password"])
    path = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": tokens.make_token(person),
        },
    )
    link = request.build_absolute_uri(path)
    expires = timezone.now() + lifetime()
    emailed_to, problem = "", ""
    if person.email:
        try:
            send_mail(
                "Set your password for the Domestic and Sexual Violence Board's service",
                _message(person, link, expires),
                None,  # DEFAULT_FROM_EMAIL
                [person.email],
            )
            emailed_to = person.email
        except Exception as exc:
            log.warning("could not email the invitation to %s: %s", person.username, exc)
            problem = str(exc)[:200] or exc.__class__.__name__
    record(
        request,
        Action.INVITATION_CREATED,
        f"Sent {person.username} a link to set a password"
        + (f" (emailed to {emailed_to})" if emailed_to else " (shown to pass on)"),
        object_type="user",
        object_id=person.pk,
        emailed=bool(emailed_to),
        expires=expires.isoformat(),
    )
    return Invitation(link=link, expires=expires, emailed_to=emailed_to, email_problem=problem)


def _message(person: Any, link: str, expires: dt.datetime) -> str:
    when = timezone.localtime(expires).strftime("%-d %B %Y at %H:%M")
    return (
        f"Hello {person.get_full_name() or person.username},\n\n"
        "The board's secretariat has given you an account (user name: "
        f"{person.username}). Set your password with this link:\n\n{link}\n\n"
        f"It works once, until {when}. If you did not expect this message, tell the "
        "board's secretariat and do not use the link.\n"
    )
