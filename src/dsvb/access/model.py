"""Who is asking (a principal and its memberships), about what (object references), and the
answer (a decision with its reason in words). Frozen dataclasses, no Django."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dsvb.access.roles import AGENCY_ROLES, AREA_ROLES, Role


def area_name(code: str) -> str:
    """The area's name for a reason ("Camden"), or its code when the reference list lacks it."""
    from dsvb import reference

    try:
        return reference.areas().by_code(code).name
    except KeyError:
        return code


@dataclass(frozen=True)
class Membership:
    """One role held, and the area or agency it applies to, between two dates (inclusive;
    None: open). A person may hold several (a borough user of two boroughs)."""

    role: Role
    area_code: str | None = None
    agency: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        object.__setattr__(self, "area_code", self.area_code or None)
        object.__setattr__(self, "agency", self.agency or None)
        if self.role in AREA_ROLES and self.area_code is None:
            raise ValueError(f"a {self.role.label.lower()} membership must name an area")
        if self.role not in AREA_ROLES and self.area_code is not None:
            raise ValueError(f"a {self.role.label.lower()} membership names no area")
        if self.role in AGENCY_ROLES and self.agency is None:
            raise ValueError(f"a {self.role.label.lower()} membership must name an agency")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("a membership cannot end before it starts")

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def describe(self) -> str:
        """In words: "borough user of Camden", "partner agency user of Refuge", "auditor"."""
        what = self.role.label.lower()
        if self.area_code:
            return f"{what} of {area_name(self.area_code)}"
        if self.agency:
            return f"{what} of {self.agency}"
        return what


@dataclass(frozen=True)
class Principal:
    """A person (or a named system actor) with the memberships they hold, current or not."""

    name: str
    memberships: tuple[Membership, ...] = ()
    user_id: int | None = None
    active: bool = True

    def current(self, day: dt.date) -> tuple[Membership, ...]:
        return tuple(m for m in self.memberships if m.valid_on(day))

    def roles_on(self, day: dt.date) -> frozenset[Role]:
        return frozenset(m.role for m in self.current(day))


@dataclass(frozen=True)
class AreaRef:
    """An area (a borough), by its ONS code."""

    code: str

    def describe(self) -> str:
        return area_name(self.code)


@dataclass(frozen=True)
class AgencyRef:
    """A partner agency, by its name."""

    name: str

    def describe(self) -> str:
        return self.name


@dataclass(frozen=True)
class Resource:
    """Any object owned by an area or an agency, and shared with others on a need to know:
    the shape later kinds (partnership cases, briefs, borough reports) take."""

    kind: str
    id: str = ""
    owner_area: str | None = None
    owner_agency: str | None = None
    shared_with: frozenset[AreaRef | AgencyRef] = field(default_factory=frozenset)

    def describe(self) -> str:
        owner = (
            self.owner_agency
            if self.owner_agency
            else area_name(self.owner_area)
            if self.owner_area
            else "nobody"
        )
        return f"{self.kind} {self.id} of {owner}".replace("  ", " ")


AccessObject = AreaRef | AgencyRef | Resource | None


@dataclass(frozen=True)
class Decision:
    """Allowed or not, and why, in words fit for the audit log and a 403 page. True in a
    boolean context when allowed, so callers that only ask "may they?" read it as before."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed
