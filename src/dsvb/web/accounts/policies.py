"""Who may do what. Views ask these functions; nothing else decides access.

Anonymous visitors are the public: they see published, disclosure-controlled pages only.
"""

from __future__ import annotations

from typing import Any

from dsvb.web.accounts.roles import ALL_AREAS, SECOND_FACTOR_ROLES, Role

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


def _role(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def must_use_second_factor(user: Any) -> bool:
    """Whether the person must sign in with an authenticator app: always for the roles in
    ``SECOND_FACTOR_ROLES``, and for anyone the secretariat has required it of."""
    if _role(user) is None:
        return False
    return user.role in SECOND_FACTOR_ROLES or bool(user.require_second_factor)


def may_cache(user: Any, url_name: str | None) -> bool:
    """Whether a response may be kept by a cache: a public page seen by the public only."""
    return url_name in PUBLIC_PAGES and not getattr(user, "is_authenticated", False)


def can_view_performance(user: Any) -> bool:
    """Any performance data at all (for borough users, only their own borough's)."""
    return _role(user) in ALL_AREAS or _role(user) == Role.BOROUGH_USER


def can_view_all_areas(user: Any) -> bool:
    """The pan-force overview: every area side by side."""
    return _role(user) in ALL_AREAS


def can_view_area(user: Any, area_code: str) -> bool:
    role = _role(user)
    if role in ALL_AREAS:
        return True
    return role == Role.BOROUGH_USER and user.area_code == area_code


def can_import(user: Any) -> bool:
    return _role(user) == Role.FORCE_ANALYST


def can_view_imports(user: Any) -> bool:
    """Import reports quote rows of the extract, so only those who import see them."""
    return _role(user) in (Role.FORCE_ANALYST, Role.SECRETARIAT)


def can_search_audit(user: Any) -> bool:
    return _role(user) in (Role.SECRETARIAT, Role.AUDITOR)


def can_manage_users(user: Any) -> bool:
    """Invite people, change their accounts, unlock accounts locked out after failures."""
    return _role(user) == Role.SECRETARIAT


def can_sign_in_to_admin(user: Any) -> bool:
    """Django's admin is for the secretariat (user administration), read-mostly."""
    return can_manage_users(user)


def landing_page(user: Any) -> str:
    """Where a person goes after signing in: the URL name for their role."""
    role = _role(user)
    if role in ALL_AREAS:
        return "performance:overview"
    if role == Role.BOROUGH_USER:
        return "performance:scorecard"
    if role == Role.AUDITOR:
        return "audit:search"
    return "accounts:account"


def can_export_performance(user: Any) -> bool:
    """Exports of performance tables follow the same rule as viewing them (area by area)."""
    return can_view_performance(user)


def can_change_disclosure_policy(user: Any) -> bool:
    return _role(user) == Role.SECRETARIAT


def can_publish(user: Any) -> bool:
    """Publishing a statistical release is the board's act, done by its secretariat."""
    return _role(user) == Role.SECRETARIAT
