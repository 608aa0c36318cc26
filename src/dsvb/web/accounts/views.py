"""Signing in and out, second factors, passwords, and user administration."""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from dsvb.web.accounts import invitations, lockouts, policies
from dsvb.web.accounts.decorators import policy_required
from dsvb.web.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    InvitationPasswordForm,
    MembershipForm,
    SignInForm,
    UserForm,
)
from dsvb.web.accounts.middleware import second_factor_step
from dsvb.web.accounts.models import Membership, User
from dsvb.web.accounts.roles import DESCRIPTIONS, Role
from dsvb.web.audit.models import Action
from dsvb.web.audit.recorder import record

signed_in = policy_required(lambda user, **_: True)


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse(policies.landing_page(self.request.user))

    def get_success_url(self) -> str:
        """Straight on to the second factor when one is set up or required (a person who must
        use one and has none sets it up now, before anything else)."""
        url = super().get_success_url()
        return second_factor_step(self.request.user, url) or url


def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signed_out.html")


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@signed_in
def account(request: HttpRequest) -> HttpResponse:
    devices = TOTPDevice.objects.devices_for_user(request.user, confirmed=True)
    return render(
        request,
        "accounts/account.html",
        {
            "has_device": devices.exists(),
            "second_factor_required": policies.must_use_second_factor(request.user),
            "role_description": DESCRIPTIONS.get(Role(request.user.role), ""),
            "memberships": list(request.user.memberships.all()),
            "today": timezone.localdate(),
        },
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@signed_in
def second_factor(request: HttpRequest) -> HttpResponse:
    """Ask for the code from the person's authenticator app."""
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:second-factor-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            record(request, Action.SECOND_FACTOR_VERIFIED, "Second factor verified")
            return redirect(_safe_next(request, reverse(policies.landing_page(request.user))))
        record(request, Action.SECOND_FACTOR_FAILED, "Second factor code rejected")
        form.add_error("code", "The code is not right or has expired; try the current code")
    return render(
        request, "accounts/second_factor.html", {"form": form, "next": request.GET.get("next", "")}
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@signed_in
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: show its key, confirm with a first code."""
    if TOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists():
        messages.info(request, "You already have an authenticator app set up.")
        return redirect("accounts:account")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    form = CodeForm(request.POST or None, submit="Set up")
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            record(request, Action.SECOND_FACTOR_ENROLLED, "Authenticator app set up")
            messages.success(request, "Your authenticator app is set up.")
            return redirect(_safe_next(request, reverse(policies.landing_page(request.user))))
        form.add_error("code", "The code is not right; check the app shows dsvb and try again")
    key = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "required": policies.must_use_second_factor(request.user),
            "qr": _qr_svg(device.config_url),
            "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        },
    )


@signed_in
def second_factor_remove(request: HttpRequest) -> HttpResponse:
    """Remove the authenticator app: only in a session signed in with it, and only with a
    current code from it (someone who has the password alone cannot switch it off)."""
    if policies.must_use_second_factor(request.user):
        messages.error(request, "Your account must use an authenticator app; ask the secretariat.")
        return redirect("accounts:account")
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:account")
    if not request.user.is_verified():
        return redirect(f"{reverse('accounts:second-factor')}?next={request.path}")
    form = CodeForm(request.POST or None, submit="Remove authenticator app")
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            TOTPDevice.objects.filter(user=request.user).delete()
            record(request, Action.SECOND_FACTOR_REMOVED, "Authenticator app removed")
            messages.success(request, "Your authenticator app was removed.")
            return redirect("accounts:account")
        record(request, Action.SECOND_FACTOR_FAILED, "Second factor code rejected (removal)")
        form.add_error("code", "The code is not right or has expired; try the current code")
    return render(request, "accounts/second_factor_remove.html", {"form": form})


@signed_in
def change_password(request: HttpRequest) -> HttpResponse:
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        record(request, Action.PASSWORD_CHANGED, "Changed own password")
        messages.success(request, "Your password was changed.")
        return redirect("accounts:account")
    return render(request, "accounts/change_password.html", {"form": form})


# --- user administration (secretariat) ------------------------------------------------------

manage_users = policy_required(lambda user, **_: policies.can_manage_users(user))


@manage_users
def users(request: HttpRequest) -> HttpResponse:
    people = list(User.objects.all().order_by("role", "username"))
    locked = lockouts.locked_out_usernames()
    for person in people:
        person.locked_out = person.username in locked
        person.second_factor_required = policies.must_use_second_factor(person)
    return render(
        request,
        "accounts/users.html",
        {"people": people, "locked": [p for p in people if p.locked_out]},
    )


# every field the form edits is recorded with its old and new value
_AUDITED_FIELDS = tuple(UserForm.Meta.fields)


def _changes(before: dict[str, Any], user: User) -> dict[str, list[Any]]:
    return {
        f: [before.get(f), getattr(user, f)]
        for f in _AUDITED_FIELDS
        if before.get(f) != getattr(user, f)
    }


def _invitation_page(
    request: HttpRequest, person: User, invitation: invitations.Invitation
) -> HttpResponse:
    """The link, shown once to the secretariat to pass on (the page is never cached)."""
    return render(
        request,
        "accounts/invitation_sent.html",
        {
            "person": person,
            "invitation": invitation,
            "email_configured": settings.DSVB_EMAIL_CONFIGURED,
        },
    )


def _add_membership(request: HttpRequest, person: User) -> HttpResponse:
    """Add a membership to a person (a second borough, a role for a while); audited. Posted
    from the user's page (the second form on it: ``add_membership``)."""
    form = MembershipForm(request.POST, instance=Membership(user=person))
    if not form.is_valid():
        problems = "; ".join(e for errors in form.errors.values() for e in errors)
        messages.error(request, f"The membership was not added: {problems}")
        return redirect("accounts:user-edit", person.pk)
    added = form.save()
    record(
        request,
        Action.MEMBERSHIP_ADDED,
        f"Added a membership to {person.username}: {added.describe}",
        object_type="user",
        object_id=person.pk,
        membership=added.pk,
        role=added.role,
        area_code=added.area_code,
        agency=added.agency,
        valid_from=added.valid_from and added.valid_from.isoformat(),
        valid_to=added.valid_to and added.valid_to.isoformat(),
    )
    messages.success(request, f"Added a membership to {person.username}: {added.describe}.")
    return redirect("accounts:user-edit", person.pk)


@manage_users
def user_edit(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id) if user_id else User()
    if request.method == "POST" and person.pk and "add_membership" in request.POST:
        return _add_membership(request, person)
    before = {f: getattr(person, f) for f in _AUDITED_FIELDS}
    form = UserForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        creating = form.creating
        saved = form.save()
        if creating:
            record(
                request,
                Action.USER_CREATED,
                f"Created user {saved.username} ({saved.role_label})",
                object_type="user",
                object_id=saved.pk,
                role=saved.role,
                area_code=saved.area_code,
            )
            return _invitation_page(request, saved, invitations.invite(request, saved))
        changes = _changes(before, saved)
        record(
            request,
            Action.USER_CHANGED,
            f"Changed user {saved.username}" + (f": {', '.join(changes)}" if changes else ""),
            object_type="user",
            object_id=saved.pk,
            changes=changes,
        )
        messages.success(request, f"Saved {saved.username}.")
        return redirect("accounts:users")
    return render(
        request,
        "accounts/user_edit.html",
        {
            "form": form,
            "person": person,
            "invite_form": Form(),
            "password_set": person.pk is not None and person.has_usable_password(),
            "memberships": list(person.memberships.all()) if person.pk else [],
            "membership_form": MembershipForm(),
            "today": timezone.localdate(),
        },
    )


@require_POST
@manage_users
def user_invite(request: HttpRequest, user_id: int) -> HttpResponse:
    """A new link to set a password (the old link, and any password, stop working)."""
    person = get_object_or_404(User, pk=user_id)
    return _invitation_page(request, person, invitations.invite(request, person))


@require_POST
@manage_users
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    """Unlock an account django-axes locked after failed sign-ins; the reason is audited."""
    person = get_object_or_404(User, pk=user_id)
    reason = " ".join(request.POST.get("reason", "").split())[:300]
    if not reason:
        messages.error(request, f"Say why you are unlocking {person.username}, then unlock.")
        return redirect(f"{reverse('accounts:users')}#locked")
    was_locked = person.username in lockouts.locked_out_usernames()
    removed = lockouts.unlock(person.username)
    record(
        request,
        Action.ACCOUNT_UNLOCKED,
        f"Unlocked {person.username}: {reason}",
        object_type="user",
        object_id=person.pk,
        reason=reason,
        was_locked=was_locked,
        attempts_removed=removed,
    )
    messages.success(request, f"Unlocked {person.username}: they can sign in again.")
    return redirect("accounts:users")


# --- invitations (the invited person, not signed in) ----------------------------------------


class InvitationView(auth_views.PasswordResetConfirmView):
    """The link from an invitation: choose a password, once. Django's reset view (which moves
    the token from the URL into the session before showing the form, so it cannot leak in a
    Referer header), with the invitation's tokens, audit entries and messages."""

    template_name = "accounts/invitation.html"
    form_class = InvitationPasswordForm
    token_generator = invitations.tokens
    success_url = reverse_lazy("accounts:sign-in")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)
        token = kwargs["token"]
        if token == self.reset_url_token:
            token = request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN, "")
        about = {"object_type": "user", "object_id": self.user.pk if self.user else ""}
        name = self.user.get_username() if self.user else ""
        if not self.validlink and response.status_code == 200:
            self.problem = invitations.tokens.problem(self.user, token)
            response.context_data["problem"] = invitations.PROBLEMS[self.problem]
            record(
                request,
                Action.INVITATION_REFUSED,
                f"Refused a link to set a password ({self.problem})"
                + (f" for {name}" if name else ""),
                user=None,
                username=name,
                problem=self.problem,
                **about,
            )
        elif kwargs["token"] != self.reset_url_token and response.status_code == 302:
            record(
                request,
                Action.INVITATION_OPENED,
                f"{name} opened their link to set a password",
                user=None,
                username=name,
                **about,
            )
        return response

    def form_valid(self, form: InvitationPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        record(
            self.request,
            Action.PASSWORD_SET,
            f"{self.user.get_username()} set their password from their link",
            user=None,
            username=self.user.get_username(),
            object_type="user",
            object_id=self.user.pk,
        )
        messages.success(self.request, "Your password is set. Sign in with it.")
        return response
