"""Who may see and change a partnership case, and why: the cases' actions, added to the one
place that decides (:func:`dsvb.access.decide`), and :func:`case_decision`, which adds the
one thing membership cannot say -- a person's own emergency ("break glass") grant.

Need to know, not rank: a case is seen by the agency that owns it, by the agencies it is
actively shared with, and by the MARAC it is referred to (whose coordinators are that
agency's users, decision 0035). Nobody else -- not the board's secretariat, not a force
analyst -- sees a case; the secretariat answers a person's request for what is held about
them (subject access) and reviews records past their retention period, both audited acts
of their own. Which *fields* a viewer sees is :func:`dsvb.cases.fields.visible_groups`.

Objects are asked about as :class:`CaseObject` (a case: its owner, the agencies it is
shared with, its state, who holds an emergency grant on it now) and :class:`MaracObject`
(a MARAC: its coordinating agency and its member agencies).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dsvb.access.model import AgencyRef, Decision, Membership, Principal, Resource
from dsvb.access.permissions import by_role, decide, register
from dsvb.access.roles import Role

BOARD = frozenset({Role.SECRETARIAT, Role.BOARD_MEMBER})


@dataclass(frozen=True)
class CaseObject(Resource):
    """A case. ``shared_with`` holds the agencies it is actively shared with and the MARAC
    it is referred to; ``state`` is ``open`` or ``closed``; ``emergency_users`` the user ids
    holding an unexpired emergency grant on it at the moment it was built."""

    kind: str = "case"
    state: str = "open"
    emergency_users: frozenset[int] = field(default_factory=frozenset)

    def describe(self) -> str:
        return f"case {self.id} of {self.owner_agency}"


@dataclass(frozen=True)
class MaracObject(Resource):
    """A MARAC (an agency of kind ``marac``): ``owner_agency`` is the MARAC's name, whose
    users coordinate it; ``shared_with`` its member agencies."""

    kind: str = "marac"

    def describe(self) -> str:
        return self.owner_agency or "a MARAC"


def _agencies(memberships: tuple[Membership, ...]) -> list[Membership]:
    return [m for m in memberships if m.role == Role.PARTNER and m.agency]


def _words(memberships: tuple[Membership, ...]) -> str:
    roles = list(dict.fromkeys(m.describe() for m in memberships))
    return " and ".join(f"{'an' if r[0] in 'aeiou' else 'a'} {r}" for r in roles)


def _owner(memberships: tuple[Membership, ...], obj: Resource) -> Membership | None:
    return next((m for m in _agencies(memberships) if m.agency == obj.owner_agency), None)


def _shared(memberships: tuple[Membership, ...], obj: Resource) -> Membership | None:
    return next(
        (m for m in _agencies(memberships) if AgencyRef(m.agency or "") in obj.shared_with),
        None,
    )


def _view(memberships: tuple[Membership, ...], obj: object) -> Decision:
    assert isinstance(obj, CaseObject)
    own = _owner(memberships, obj)
    if own is not None:
        return Decision(True, f"{own.agency} owns {obj.describe()}")
    shared = _shared(memberships, obj)
    if shared is not None:
        return Decision(True, f"{obj.describe()} is shared with or referred to {shared.agency}")
    return Decision(False, f"{obj.describe()} is not shared with {_words(memberships)}")


def _owner_only(doing: str):
    def rule(memberships: tuple[Membership, ...], obj: object) -> Decision:
        assert isinstance(obj, Resource)
        own = _owner(memberships, obj)
        if own is not None:
            return Decision(True, f"{own.agency} owns {obj.describe()} and may {doing}")
        return Decision(False, f"only {obj.owner_agency}, which owns {obj.describe()}, may {doing}")

    return rule


def _break_glass(memberships: tuple[Membership, ...], obj: object) -> Decision:
    assert isinstance(obj, CaseObject)
    partners = _agencies(memberships)
    if not partners:
        return Decision(False, f"{_words(memberships)} takes no part in partnership cases")
    if _owner(memberships, obj) or _shared(memberships, obj):
        return Decision(False, f"{partners[0].agency} already sees {obj.describe()}")
    return Decision(
        True, f"a partner agency user of {partners[0].agency} may ask for emergency access"
    )


def _open_only(doing: str):
    def state(obj: object) -> Decision | None:
        assert isinstance(obj, CaseObject)
        if obj.state != "open":
            return Decision(False, f"{obj.describe()} is {obj.state}: reopen it to {doing}")
        return None

    return state


def _coordinate(memberships: tuple[Membership, ...], obj: object) -> Decision:
    assert isinstance(obj, MaracObject)
    own = _owner(memberships, obj)
    if own is not None:
        return Decision(True, f"a partner agency user of {own.agency} coordinates it")
    return Decision(False, f"{_words(memberships)} does not coordinate {obj.describe()}")


def _view_marac(memberships: tuple[Membership, ...], obj: object) -> Decision:
    assert isinstance(obj, MaracObject)
    own = _owner(memberships, obj) or _shared(memberships, obj)
    if own is not None:
        return Decision(True, f"{own.agency} takes part in {obj.describe()}")
    return Decision(False, f"{_words(memberships)} takes no part in {obj.describe()}")


def _marac_return(memberships: tuple[Membership, ...], obj: object) -> Decision:
    """The quarterly return holds counts only: its coordinators, and the board (which
    oversees the partnership's response)."""
    assert isinstance(obj, MaracObject)
    board = next((m for m in memberships if m.role in BOARD), None)
    if board is not None:
        return Decision(True, f"the board ({board.describe()}) reads MARAC returns")
    return _coordinate(memberships, obj)


USE_CASES = register(
    "cases.use",
    "Work on partnership cases: the caseload, open a case, ask for emergency access",
    by_role((Role.PARTNER,), "work on partnership cases"),
).name
VIEW_CASE = register(
    "case.view",
    "See a case (its owner, the agencies it is shared with, its MARAC; fields by need)",
    _view,
    objects=[CaseObject],
).name
EDIT_CASE = register(
    "case.edit",
    "Change a case's people, addresses and details (the owning agency, while open)",
    _owner_only("change it"),
    objects=[CaseObject],
    state=_open_only("change it"),
).name
CLOSE_CASE = register(
    "case.close",
    "Close or reopen a case (the owning agency)",
    _owner_only("close or reopen it"),
    objects=[CaseObject],
).name
CONTRIBUTE = register(
    "case.contribute",
    "Add one's own part to a case: an assessment, a note, a referral, an event "
    "(the owner and the agencies it is shared with, while open)",
    _view,
    objects=[CaseObject],
    state=_open_only("add to it"),
).name
SHARE_CASE = register(
    "case.share",
    "Share a case with another agency, or withdraw a share (the owning agency)",
    _owner_only("share it"),
    objects=[CaseObject],
).name
BREAK_GLASS = register(
    "case.break_glass",
    "Ask for emergency, time-limited access to a case not shared with one's agency",
    _break_glass,
    objects=[CaseObject],
).name
SUBJECT_ACCESS = register(
    "cases.subject_access",
    "Produce everything held about one person across agencies (a subject access request)",
    by_role((Role.SECRETARIAT,), "answer a subject access request"),
).name
RETENTION = register(
    "cases.retention",
    "Review records past their retention period and delete them",
    by_role((Role.SECRETARIAT,), "review records past their retention period"),
).name
COORDINATE_MARAC = register(
    "marac.coordinate",
    "Run a MARAC: meetings, case lists, actions, transfers",
    _coordinate,
    objects=[MaracObject],
).name
VIEW_MARAC = register(
    "marac.view",
    "See a MARAC's meetings (its coordinators and member agencies)",
    _view_marac,
    objects=[MaracObject],
).name
MARAC_RETURN = register(
    "marac.return",
    "Read a MARAC's quarterly return (counts only): its coordinators and the board",
    _marac_return,
    objects=[MaracObject],
).name


def case_decision(
    principal: Principal | None, action: str, obj: CaseObject, *, on: dt.date
) -> Decision:
    """As :func:`dsvb.access.decide`, and for seeing a case, a person's own unexpired
    emergency grant (``obj.emergency_users``) allows what membership does not."""
    decision = decide(principal, action, obj, on=on)
    if (
        not decision.allowed
        and action == VIEW_CASE
        and principal is not None
        and principal.active
        and principal.current(on)
        and principal.user_id is not None
        and principal.user_id in obj.emergency_users
    ):
        return Decision(True, f"emergency access (break glass) to {obj.describe()}")
    return decision
