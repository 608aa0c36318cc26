"""People who sign in."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from dsvb import access, reference
from dsvb.web.accounts.roles import Role


def _area_choices() -> list[tuple[str, str]]:
    return [(a.code, a.name) for a in sorted(reference.areas(), key=lambda a: a.name)]


class User(AbstractUser):
    """A person with one role. Borough users belong to one area; partners to an agency."""

    role = models.CharField(max_length=32, choices=Role.choices)
    area_code = models.CharField(
        "borough", max_length=16, blank=True, choices=_area_choices, help_text="Borough users only"
    )
    agency = models.CharField(max_length=200, blank=True, help_text="Partner agency users only")
    require_second_factor = models.BooleanField(
        default=False, help_text="Must sign in with a one-time code from an authenticator app"
    )

    class Meta:
        ordering = ["username"]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.BOROUGH_USER and not self.area_code:
            raise ValidationError({"area_code": "A borough user must belong to a borough."})
        if self.role != Role.BOROUGH_USER and self.area_code:
            raise ValidationError({"area_code": "Only borough users belong to a borough."})
        if self.role == Role.PARTNER and not self.agency:
            raise ValidationError({"agency": "A partner agency user must name their agency."})

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    @property
    def area_name(self) -> str:
        return reference.areas().by_code(self.area_code).name if self.area_code else ""


class Membership(models.Model):
    """A role a person holds, and the area or agency it applies to, between two dates.

    The user's own ``role``, ``area_code`` and ``agency`` are their *primary* membership,
    kept here in step whenever the user is saved (memberships.py); more may be added (a
    borough user of two boroughs). Access is decided from these rows (dsvb.access).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    area_code = models.CharField(
        "borough", max_length=16, blank=True, choices=_area_choices, help_text="Borough users only"
    )
    agency = models.CharField(max_length=200, blank=True, help_text="Partner agency users only")
    valid_from = models.DateField(null=True, blank=True, help_text="First day (blank: always)")
    valid_to = models.DateField(null=True, blank=True, help_text="Last day (blank: no end)")
    primary = models.BooleanField(
        default=False, editable=False, help_text="The user's own role, area and agency"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "-primary", "role", "area_code", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(primary=True), name="one_primary_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()}: {self.as_core().describe()}"

    def clean(self) -> None:
        super().clean()
        try:
            self.as_core()
        except ValueError as exc:
            raise ValidationError(str(exc).capitalize() + ".") from exc

    def as_core(self) -> access.Membership:
        return access.Membership(
            access.Role(self.role), self.area_code, self.agency, self.valid_from, self.valid_to
        )

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    @property
    def describe(self) -> str:
        return self.as_core().describe()
