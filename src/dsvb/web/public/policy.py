"""The disclosure-control policy in force, its history, and changing it (the secretariat)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from dsvb.reports.disclosure import Policy
from dsvb.web.audit.models import Action
from dsvb.web.audit.recorder import record
from dsvb.web.public.models import DisclosurePolicyVersion


@dataclass(frozen=True)
class PolicyVersion:
    policy: Policy
    created_at: object | None  # a datetime; None for the built-in first version
    created_by: str


def current() -> Policy:
    """The policy every published output uses now."""
    latest = DisclosurePolicyVersion.objects.order_by("-version").first()
    return latest.policy if latest is not None else Policy()


def history() -> list[PolicyVersion]:
    """Every version, latest first (version 1 is the built-in default until changed)."""
    rows = [
        PolicyVersion(row.policy, row.created_at, row.created_by)
        for row in DisclosurePolicyVersion.objects.order_by("-version")
    ]
    if not rows:  # the migrations add the versions; before they run, the code's default
        rows.append(PolicyVersion(Policy(), None, ""))
    return rows


def change(
    request: HttpRequest, *, threshold: int, rounding: bool, protection_width: int
) -> Policy | None:
    """Make new settings the next version (under the rules in code), audited once; None when
    nothing changed."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                old = current()
                new = Policy(
                    version=old.version + 1,
                    threshold=threshold,
                    rounding=rounding,
                    protection_width=protection_width,
                )
                if replace(old, version=new.version) == new:
                    return None
                DisclosurePolicyVersion.objects.create(
                    version=new.version,
                    threshold=new.threshold,
                    rounding=new.rounding,
                    protection_width=new.protection_width,
                    rules_revision=new.rules_revision,
                    created_by=request.user.get_username(),
                )
                record(
                    request,
                    Action.SETTING_CHANGED,
                    f"Disclosure-control policy changed to version {new.version}",
                    object_type="disclosure_policy",
                    object_id=new.version,
                    old=old.settings(),
                    new=new.settings(),
                )
                return new
        except IntegrityError:  # someone else saved a version at the same moment
            continue
    raise RuntimeError("could not save the disclosure-control policy; try again")
