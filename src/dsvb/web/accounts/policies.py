"""Who may do what, as views ask it. Each ``can_*`` function is a thin wrapper over
:func:`dsvb.access.decide` (the one place that decides, from the person's memberships) and
answers True or False as before; a refusal's :class:`~dsvb.access.Decision` (its reason) is
kept on the user object (:func:`last_refusal`), where ``policy_required`` finds it to write
to the audit log with the refusal.

Anonymous visitors are the public: they see published, disclosure-controlled pages only.
"""

from __future__ import annotations

import contextlib
from typing import Any

from dsvb.access import AgencyRef, AreaRef, Decision
from dsvb.access import permissions as can
from dsvb.access.roles import ALL_AREAS, SECOND_FACTOR_ROLES, Role
from dsvb.web.accounts.memberships import decide, principal_of, today

# Pages anyone may read without signing in (URL names). Only these may be kept by a browser's
# or a proxy's cache, and only when the visitor is not signed in: every other response says
# ``Cache-Control: no-store``.
PUBLIC_PAGES = frozenset(
    {
        "home",
        "accessibility",
        "glossary",
        "health",
        "public:home",
        "public:download",
        "public:family",
        "public:family-download",
        "public:area",
        "public:area-download",
        "public:release-download",
        "public:policy",
        "oversight:annual-published",
        "oversight:annual-published-pdf",
    }
)

# What a signed-in person may reach before giving their second factor: the public pages, and
# the steps of signing in and out. Not, for instance, the page that removes the authenticator
# app, or a password alone would switch the second factor off.
BEFORE_SECOND_FACTOR = PUBLIC_PAGES | {
    "accounts:sign-in",
    "accounts:sign-out",
    "accounts:signed-out",
    "accounts:second-factor",
    "accounts:second-factor-setup",
    "accounts:invitation",
}


# where a refusal's decision waits for policy_required (one user object per request)
_REFUSAL = "dsvb_refusal"


def _answer(user: Any, decision: Decision) -> bool:
    if not decision.allowed and user is not None:
        # (AnonymousUser and the like may refuse attributes)
        with contextlib.suppress(AttributeError):
            setattr(user, _REFUSAL, decision)
    return decision.allowed


def last_refusal(user: Any) -> Decision | None:
    """The decision of the latest refusal answered for this user object (None: none)."""
    return getattr(user, _REFUSAL, None)


def forget_refusal(user: Any) -> None:
    if hasattr(user, _REFUSAL):
        delattr(user, _REFUSAL)


def _open_roles(user: Any) -> frozenset[Role]:
    """The roles of the memberships a person holds today or will hold (not those ended)."""
    principal = principal_of(user)
    if principal is None or not principal.active:
        return frozenset()
    day = today()
    return frozenset(m.role for m in principal.memberships if not m.valid_to or m.valid_to >= day)


def _current_roles(user: Any) -> frozenset[Role]:
    principal = principal_of(user)
    if principal is None or not principal.active:
        return frozenset()
    return principal.roles_on(today())


def must_use_second_factor(user: Any) -> bool:
    """Whether the person must sign in with an authenticator app: always when their own role,
    or a membership they hold (or are yet to hold), is of a role in ``SECOND_FACTOR_ROLES``,
    and for anyone the secretariat has required it of."""
    if principal_of(user) is None or not user.is_active:
        return False
    roles = _open_roles(user) | {user.role}  # the user's own role always counts, as before
    return bool(roles & SECOND_FACTOR_ROLES) or bool(user.require_second_factor)


def may_cache(user: Any, url_name: str | None) -> bool:
    """Whether a response may be kept by a cache: a public page seen by the public only."""
    return url_name in PUBLIC_PAGES and not getattr(user, "is_authenticated", False)


def can_view_performance(user: Any) -> bool:
    """Any performance data at all (for borough users, only their own borough's)."""
    return _answer(user, decide(user, can.VIEW_PERFORMANCE))


def can_view_all_areas(user: Any) -> bool:
    """The pan-force overview: every area side by side."""
    return _answer(user, decide(user, can.VIEW_ALL_AREAS))


def can_view_area(user: Any, area_code: str) -> bool:
    """One area's data: every area for the roles that see all, else one's own boroughs."""
    return _answer(user, decide(user, can.VIEW_AREA, AreaRef(area_code)))


def can_view_agency(user: Any, agency: str) -> bool:
    """An agency's own page and people: its members, and the secretariat."""
    return _answer(user, decide(user, can.VIEW_AGENCY, AgencyRef(agency)))


def can_import(user: Any) -> bool:
    return _answer(user, decide(user, can.IMPORT))


def can_view_imports(user: Any) -> bool:
    """Import reports quote rows of the extract, so only those who import see them."""
    return _answer(user, decide(user, can.VIEW_IMPORTS))


def can_search_audit(user: Any) -> bool:
    return _answer(user, decide(user, can.SEARCH_AUDIT))


def can_manage_users(user: Any) -> bool:
    """Invite people, change their accounts, unlock accounts locked out after failures."""
    return _answer(user, decide(user, can.MANAGE_USERS))


def can_sign_in_to_admin(user: Any) -> bool:
    """Django's admin is for the secretariat (user administration), read-mostly."""
    return can_manage_users(user)


def landing_page(user: Any) -> str:
    """Where a person goes after signing in: the URL name for their widest role."""
    roles = _current_roles(user)
    if roles & ALL_AREAS:
        return "performance:overview"
    if Role.BOROUGH_USER in roles:
        return "performance:scorecard"
    if Role.AUDITOR in roles:
        return "audit:search"
    if Role.PARTNER in roles:
        return "cases:caseload"  # a partner agency lands on its caseload
    return "accounts:account"


def can_export_performance(user: Any) -> bool:
    """Exports of performance tables follow the same rule as viewing them (area by area)."""
    return _answer(user, decide(user, can.EXPORT_PERFORMANCE))


def can_change_disclosure_policy(user: Any) -> bool:
    return _answer(user, decide(user, can.CHANGE_DISCLOSURE_POLICY))


def can_publish(user: Any) -> bool:
    """Publishing a statistical release is the board's act, done by its secretariat."""
    return _answer(user, decide(user, can.PUBLISH))
