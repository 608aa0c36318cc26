"""Forms for signing in, second factors and administering users (GOV.UK markup via crispy)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Submit
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from dsvb.web.accounts.models import User
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


class UserForm(forms.ModelForm):
    """Create or change a user (the secretariat only)."""

    password = forms.CharField(
        label="Password",
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters, not a common password. Leave empty to keep it.",
    )

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
        self.fields["password"].required = self.creating
        if self.creating:
            self.fields["password"].help_text = "At least 12 characters, not a common password."
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
            Field.text("password", field_width=Fluid.ONE_THIRD),
            submit="Save user",
        )

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password, self.instance)
        return password

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user
