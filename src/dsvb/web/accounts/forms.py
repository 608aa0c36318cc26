"""Forms for signing in, second factors and administering users (GOV.UK markup via crispy)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm

from dsvb.web.accounts.models import Membership, User
from dsvb.web.accounts.roles import Role
from dsvb.web.forms import fields_only


def _helper(*fields: Any, submit: str) -> FormHelper:
    return fields_only(*fields, Submit("submit", submit))


class SignInForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "User name"
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["username"].widget.attrs.pop("autofocus", None)  # keep the page's context
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.helper = _helper(
            Field.text("username", field_width=Fluid.ONE_THIRD),
            Field.text("password", field_width=Fluid.ONE_THIRD),
            submit="Sign in",
        )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code shown in the app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, submit: str = "Continue", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("code", field_width=5), submit=submit)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("Enter the 6 digits shown in your authenticator app")
        return code


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("old_password", field_width=Fluid.ONE_THIRD),
            Field.text("new_password1", field_width=Fluid.ONE_THIRD),
            Field.text("new_password2", field_width=Fluid.ONE_THIRD),
            submit="Change password",
        )


class InvitationPasswordForm(SetPasswordForm):
    """The invited person chooses their own password (the same rules as any password)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 12 characters, not a common password."
        self.fields["new_password2"].label = "Confirm the new password"
        self.helper = _helper(
            Field.text("new_password1", field_width=Fluid.ONE_THIRD),
            Field.text("new_password2", field_width=Fluid.ONE_THIRD),
            submit="Set password",
        )


class UserForm(forms.ModelForm):
    """Create or change a user (the secretariat only). There is no password field: a new user
    is sent a link to set their own (see ``invitations``)."""

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "area_code",
            "agency",
            "require_second_factor",
            "is_active",
        ]
        labels = {"username": "User name", "is_active": "Can sign in"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = self.instance.pk is None
        self.fields["email"].help_text = "The link to set a password is emailed here"
        self.fields["require_second_factor"].help_text = (
            "Always required of the secretariat, force analysts and auditors; tick to require "
            "it of this person whatever their role"
        )
        self.fields["role"].choices = Role.choices
        self.fields["area_code"].choices = [
            ("", "Not a borough user"),
            *self.fields["area_code"].choices[1:],
        ]
        self.helper = _helper(
            Field.text("username", field_width=Fluid.ONE_THIRD),
            Field.text("first_name", field_width=Fluid.ONE_THIRD),
            Field.text("last_name", field_width=Fluid.ONE_THIRD),
            Field.text("email", field_width=Fluid.ONE_HALF),
            Field.select("role"),
            Field.select("area_code"),
            Field.text("agency", field_width=Fluid.ONE_HALF),
            Field.checkbox("require_second_factor"),
            Field.checkbox("is_active"),
            submit="Save and send a link to set a password" if self.creating else "Save user",
        )

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        if self.creating:
            user.set_unusable_password()  # until they set their own from the link
        if commit:
            user.save()
        return user


class MembershipForm(forms.ModelForm):
    """Another membership for a person (the secretariat only): a borough user of a second
    borough, or a role for a while. Their own role, borough and agency stay on the user."""

    class Meta:
        model = Membership
        fields = ["role", "area_code", "agency", "valid_from", "valid_to"]
        labels = {"valid_from": "From (inclusive)", "valid_to": "Until (inclusive)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices
        self.fields["area_code"].choices = [
            ("", "Not a borough user"),
            *self.fields["area_code"].choices[1:],
        ]
        for name in ("valid_from", "valid_to"):
            self.fields[name].help_text = "For example, 2026-11-01; blank for no limit"
        self.helper = _helper(
            Field.select("role"),
            Field.select("area_code"),
            Field.text("agency", field_width=Fluid.ONE_HALF),
            Field.text("valid_from", field_width=10),
            Field.text("valid_to", field_width=10),
            submit="Add membership",
        )
