"""Who may do what in the board's cycle: the cycle's actions, added to the one place that
decides (:func:`dsvb.access.decide`).

The board (its secretariat and members) sees the whole cycle; the secretariat runs it. A
borough sees its own part only -- its briefs, the reports it sent, the board's letters to it,
its follow-up items, the actions the minutes gave it, and the approved minutes of the
sessions it was invited to -- and contributes to those (uploads a report, answers a
follow-up item, reports progress on an action) while their state allows. Nobody else sees
any of it: partner agencies, auditors and force analysts have no part in the cycle (the
board's papers name boroughs' commanders and concerns before they are published).

Each object is asked about as a :class:`CycleObject`: kind, id, the borough it belongs to
(or the boroughs it is shared with, for a meeting's minutes), its state, and whether it is
still the board's alone (draft minutes, draft findings and letters: never shown outside the
board, whatever the role).
"""

from __future__ import annotations

from dataclasses import dataclass

from dsvb.access.model import AreaRef, Decision, Membership, Resource
from dsvb.access.permissions import by_role, register
from dsvb.access.roles import Role

BOARD = frozenset({Role.SECRETARIAT, Role.BOARD_MEMBER})

# the states in which a borough may still contribute to an object, by kind
CONTRIBUTABLE = {
    "brief": frozenset({"sent"}),  # upload a draft or final report
    "letter": frozenset({"sent"}),  # answer the follow-up items
    "action": frozenset({"open", "in_progress"}),  # report progress
}


@dataclass(frozen=True)
class CycleObject(Resource):
    """An object of the cycle: ``owner_area`` for a borough's own (a brief, a report, a
    letter), ``shared_with`` for the boroughs a meeting invited (its minutes); ``state`` its
    typed state's value; ``board_only`` while it is the board's alone."""

    state: str = ""
    board_only: bool = False
    why_board_only: str = ""  # in words, when not its own state ("its minutes are a draft")

    def describe(self) -> str:
        if self.owner_area or self.owner_agency:
            return super().describe()
        return f"{self.kind} {self.id}".strip()


def _is_board(memberships: tuple[Membership, ...]) -> Membership | None:
    return next((m for m in memberships if m.role in BOARD), None)


def _borough(memberships: tuple[Membership, ...], obj: CycleObject) -> Membership | None:
    """The borough membership the object belongs to or is shared with, if any."""
    for m in memberships:
        if m.role != Role.BOROUGH_USER or not m.area_code:
            continue
        if m.area_code == obj.owner_area or AreaRef(m.area_code) in obj.shared_with:
            return m
    return None


def _view(memberships: tuple[Membership, ...], obj: object) -> Decision:
    assert isinstance(obj, CycleObject)
    board = _is_board(memberships)
    if board is not None:
        return Decision(True, f"the board ({board.describe()}) sees the whole cycle")
    borough = _borough(memberships, obj)
    if borough is not None:
        if obj.board_only:
            why = obj.why_board_only or f"is {obj.state or 'a draft'}"
            return Decision(False, f"{obj.describe()} {why}: the board's alone")
        return Decision(True, f"a {borough.describe()} may see {obj.describe()}")
    roles = " and ".join(dict.fromkeys(m.describe() for m in memberships))
    return Decision(False, f"{obj.describe()} is not shown to a {roles}")


def _contribute(memberships: tuple[Membership, ...], obj: object) -> Decision:
    assert isinstance(obj, CycleObject)
    if any(m.role == Role.SECRETARIAT for m in memberships):
        return Decision(True, "the secretariat may act for a borough")
    borough = _borough(memberships, obj)
    if borough is not None and obj.owner_area and borough.area_code == obj.owner_area:
        return Decision(True, f"a {borough.describe()} may add to {obj.describe()}")
    roles = " and ".join(dict.fromkeys(m.describe() for m in memberships))
    return Decision(False, f"a {roles} may not add to {obj.describe()}")


def _open_to_contributions(obj: object) -> Decision | None:
    assert isinstance(obj, CycleObject)
    states = CONTRIBUTABLE.get(obj.kind)
    if states is not None and obj.state not in states:
        return Decision(
            False, f"{obj.describe()} is {obj.state.replace('_', ' ')}: it takes nothing now"
        )
    return None


VIEW_CYCLE = register(
    "oversight.view",
    "See the board's whole cycle: planner, meetings, every brief, report, letter and action",
    by_role(BOARD, "see the board's whole cycle"),
).name
RUN_CYCLE = register(
    "oversight.manage",
    "Run the cycle: plan, brief, minute, draft findings and letters, recommend, report",
    by_role((Role.SECRETARIAT,), "run the board's cycle"),
).name
VIEW_DUE = register(
    "oversight.due",
    "See what is due in the cycle (boroughs: their own deadlines only)",
    by_role((*BOARD, Role.BOROUGH_USER), "see what is due in the board's cycle"),
).name
VIEW_ITEM = register(
    "oversight.item.view",
    "See one object of the cycle (boroughs: their own, and approved minutes they were at)",
    _view,
    objects=[CycleObject],
).name
CONTRIBUTE = register(
    "oversight.item.contribute",
    "Add to a borough's object (upload a report, answer a follow-up, report on an action)",
    _contribute,
    objects=[CycleObject],
    state=_open_to_contributions,
).name
