"""Who may do what, and why: one rule per action, and :func:`decide`, the one place that
answers. (As in OpenSAFELY Airlock: permissions say who may, from the person's memberships;
an action's state rule, a policy, says whether the object's state allows it at all, to
anyone: a withdrawn brief, a closed case. Later kinds bring their own.)

Every answer is a :class:`~dsvb.access.model.Decision` with its reason in words ("a borough
user of Lambeth may see Lambeth only, not Southwark"), which refusals carry to the audit log.
Later packages add their own actions with :func:`register` (no migration: nothing stored
depends on the list).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dsvb.access.model import (
    AccessObject,
    AgencyRef,
    AreaRef,
    Decision,
    Membership,
    Principal,
    Resource,
    area_name,
)
from dsvb.access.registry import Registry
from dsvb.access.roles import ALL_AREAS, Role

# a rule sees the memberships valid today (at least one) and the object asked about
Rule = Callable[[tuple[Membership, ...], AccessObject], Decision]
# a state rule sees the object only: whether anyone may do the action to it now
StateRule = Callable[[AccessObject], Decision | None]


@dataclass(frozen=True)
class ActionSpec:
    name: str
    description: str
    rule: Rule
    objects: tuple[type, ...] = ()  # the object types it is asked about (() : none)
    state: StateRule | None = None


ACTIONS: Registry[ActionSpec] = Registry("access action")


def register(
    name: str,
    description: str,
    rule: Rule,
    *,
    objects: Iterable[type] = (),
    state: StateRule | None = None,
) -> ActionSpec:
    """Add an action (for instance ``case.view``, with its own rule) to what ``decide`` knows."""
    return ACTIONS.add(name, ActionSpec(name, description, rule, tuple(objects), state))


def decide(
    principal: Principal | None, action: str, obj: AccessObject = None, *, on: dt.date
) -> Decision:
    """Whether ``principal`` may do ``action`` to ``obj`` on the day ``on``, and why.

    Nobody signed in, a disabled account, or no membership valid that day: refused, saying
    which. Otherwise the action's rule decides from the memberships valid that day, then the
    object's state may still refuse. An unknown action or an object of the wrong kind is a
    programming error (raised), never silently allowed.
    """
    spec = ACTIONS.get(action)
    if spec.objects and not isinstance(obj, spec.objects):
        raise TypeError(f"{action} is asked of {_names(spec.objects)}, not {obj!r}")
    if not spec.objects and obj is not None:
        raise TypeError(f"{action} is asked of no object, not {obj!r}")
    if principal is None:
        return Decision(False, "not signed in")
    if not principal.active:
        return Decision(False, f"the account {principal.name} is disabled")
    current = principal.current(on)
    if not current:
        return Decision(False, _no_membership(principal, on))
    decision = spec.rule(current, obj)
    if decision.allowed and spec.state is not None:
        refused = spec.state(obj)
        if refused is not None and not refused.allowed:
            return refused
    return decision


def _names(types: tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in types)


def _no_membership(principal: Principal, day: dt.date) -> str:
    if not principal.memberships:
        return f"{principal.name} holds no membership"
    ended = [m for m in principal.memberships if m.valid_to and m.valid_to < day]
    if ended:
        last = max(ended, key=lambda m: m.valid_to or day)
        return f"{principal.name}'s membership as {last.describe()} ended on {last.valid_to}"
    starts = min(m.valid_from for m in principal.memberships if m.valid_from)
    return f"{principal.name}'s membership starts on {starts}"


def _as(memberships: Iterable[Membership]) -> str:
    """ "a borough user of Lambeth", "a borough user of Lambeth and a borough user of Camden"."""
    words = [m.describe() for m in memberships]
    words = list(dict.fromkeys(words))
    return " and ".join(f"{'an' if w[0] in 'aeiou' else 'a'} {w}" for w in words)


# --- the rules ------------------------------------------------------------------------------


def by_role(roles: Iterable[Role], doing: str) -> Rule:
    """A rule for an action on no object: allowed to the roles named, whatever their area."""
    allowed = frozenset(roles)

    def rule(memberships: tuple[Membership, ...], obj: AccessObject) -> Decision:
        holding = [m for m in memberships if m.role in allowed]
        if holding:
            return Decision(True, f"{_as(holding[:1])} may {doing}")
        return Decision(False, f"{_as(memberships)} may not {doing}")

    return rule


def _area(memberships: tuple[Membership, ...], obj: AccessObject) -> Decision:
    """An area's data: every area for the roles that see all areas, else the areas of one's
    borough memberships."""
    assert isinstance(obj, AreaRef)
    wide = [m for m in memberships if m.role in ALL_AREAS]
    if wide:
        return Decision(True, f"{_as(wide[:1])} may see every area")
    own = [m for m in memberships if m.role == Role.BOROUGH_USER]
    if any(m.area_code == obj.code for m in own):
        return Decision(True, f"a borough user of {obj.describe()} may see {obj.describe()}")
    if own:
        areas = " and ".join(dict.fromkeys(area_name(m.area_code or "") for m in own))
        return Decision(False, f"{_as(own)} may see {areas} only, not {obj.describe()}")
    return Decision(False, f"{_as(memberships)} sees no area's performance data")


def _agency(memberships: tuple[Membership, ...], obj: AccessObject) -> Decision:
    """An agency's own page and people: its members, and the secretariat (which administers
    every account)."""
    assert isinstance(obj, AgencyRef)
    if any(m.role == Role.SECRETARIAT for m in memberships):
        return Decision(True, "the board secretariat may see every agency")
    own = [m for m in memberships if m.role == Role.PARTNER]
    if any(m.agency == obj.name for m in own):
        return Decision(True, f"a partner agency user of {obj.name} may see {obj.name}")
    if own:
        agencies = " and ".join(dict.fromkeys(m.agency or "" for m in own))
        return Decision(False, f"{_as(own)} may see {agencies} only, not {obj.name}")
    return Decision(False, f"{_as(memberships)} belongs to no agency, so not to {obj.name}")


def _resource(memberships: tuple[Membership, ...], obj: AccessObject) -> Decision:
    """An object owned by an agency is seen by that agency and those it is shared with (need
    to know: not by everyone who sees all areas); one owned by an area, by that area's
    borough users, by those it is shared with, and by the roles that see every area."""
    assert isinstance(obj, Resource)
    shared = obj.shared_with
    for m in memberships:
        if (
            m.role == Role.PARTNER
            and m.agency
            and (m.agency == obj.owner_agency or AgencyRef(m.agency) in shared)
        ):
            if m.agency == obj.owner_agency:
                return Decision(True, f"{m.agency} owns {obj.describe()}")
            return Decision(True, f"{obj.describe()} is shared with {m.agency}")
        if (
            m.role == Role.BOROUGH_USER
            and m.area_code
            and (
                (obj.owner_agency is None and m.area_code == obj.owner_area)
                or AreaRef(m.area_code) in shared
            )
        ):
            return Decision(True, f"{_as([m])} may see {obj.describe()}")
        if obj.owner_agency is None and obj.owner_area and m.role in ALL_AREAS:
            return Decision(True, f"{_as([m])} may see every area's {obj.kind}")
    if obj.owner_agency:
        return Decision(
            False, f"{obj.describe()} is {obj.owner_agency}'s, not shared with {_as(memberships)}"
        )
    return Decision(False, f"{_as(memberships)} may not see {obj.describe()}")


IMPORTERS = (Role.FORCE_ANALYST,)
PERFORMANCE = (*ALL_AREAS, Role.BOROUGH_USER)

VIEW_PERFORMANCE = register(
    "performance.view",
    "See performance data at all (borough users: their own borough's only)",
    by_role(PERFORMANCE, "see performance data"),
).name
VIEW_ALL_AREAS = register(
    "performance.view_all_areas",
    "See every area side by side (the pan-force overview)",
    by_role(ALL_AREAS, "see every area side by side"),
).name
VIEW_AREA = register(
    "area.view", "See one area's performance data and exports", _area, objects=[AreaRef]
).name
EXPORT_PERFORMANCE = register(
    "performance.export",
    "Download performance tables (same rule as seeing them)",
    by_role(PERFORMANCE, "download performance tables"),
).name
IMPORT = register(
    "imports.run", "Import extracts and returns", by_role(IMPORTERS, "import extracts")
).name
VIEW_IMPORTS = register(
    "imports.view",
    "See import jobs and their reports (they quote rows of the extract)",
    by_role((Role.FORCE_ANALYST, Role.SECRETARIAT), "see import reports"),
).name
SEARCH_AUDIT = register(
    "audit.search",
    "Search and export the audit log",
    by_role((Role.SECRETARIAT, Role.AUDITOR), "search the audit log"),
).name
MANAGE_USERS = register(
    "users.manage",
    "Invite people, change their accounts and memberships, unlock accounts",
    by_role((Role.SECRETARIAT,), "manage users"),
).name
CHANGE_DISCLOSURE_POLICY = register(
    "disclosure.change",
    "Change the disclosure-control policy",
    by_role((Role.SECRETARIAT,), "change the disclosure-control policy"),
).name
PUBLISH = register(
    "release.publish",
    "Publish a statistical release (the board's act, done by its secretariat)",
    by_role((Role.SECRETARIAT,), "publish a statistical release"),
).name
VIEW_AGENCY = register(
    "agency.view", "See an agency's own page and people", _agency, objects=[AgencyRef]
).name
VIEW_RESOURCE = register(
    "resource.view",
    "See an object owned by an area or an agency (need to know)",
    _resource,
    objects=[Resource],
).name
