"""The typed states of partnership cases and the moves each allows (checked by the same
:func:`~dsvb.oversight.states.checked_move` as the board's cycle).

A closed case takes no new assessments or referrals until it is reopened, with a reason; a
referral is heard at one meeting, then closed, or transferred to another MARAC; a withdrawn
share stays withdrawn (a new share is a new record, so who saw what when stays true).
"""

from __future__ import annotations

from enum import StrEnum

from dsvb.oversight.states import InvalidMove, checked_move

__all__ = [
    "ActionState",
    "CaseState",
    "Consent",
    "InvalidMove",
    "MeetingState",
    "PartyRole",
    "ReferralState",
    "RiskLevel",
    "ShareBasis",
    "ShareState",
    "move",
]


class CaseState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ReferralState(StrEnum):
    REFERRED = "referred"  # received by the MARAC, not yet listed
    LISTED = "listed"  # on a meeting's case list
    HEARD = "heard"  # discussed; actions given
    CLOSED = "closed"
    TRANSFERRED = "transferred"  # to another MARAC (the victim moved)
    WITHDRAWN = "withdrawn"


class MeetingState(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class ActionState(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class ShareState(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class RiskLevel(StrEnum):
    """Police grading (DOMAIN.md): ordered, so judgement can be checked to only raise."""

    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return ("standard", "medium", "high").index(self.value)


class ShareBasis(StrEnum):
    """Why a share is lawful: the victim's consent, or a legal basis without it."""

    CONSENT = "consent"
    LEGAL_BASIS = "legal_basis"


class Consent(StrEnum):
    """A MARAC referral's consent: given, or the referral proceeds without it, for a reason."""

    GIVEN = "given"
    NOT_GIVEN = "not_given"  # refused: proceeding without, with the reason recorded
    NOT_SOUGHT = "not_sought"  # seeking it would raise the risk: with the reason recorded


class PartyRole(StrEnum):
    PERPETRATOR = "perpetrator"
    CHILD = "child"
    HOUSEHOLD = "household_member"


MOVES: dict[type[StrEnum], dict[StrEnum, frozenset[StrEnum]]] = {
    CaseState: {
        CaseState.OPEN: frozenset({CaseState.CLOSED}),
        CaseState.CLOSED: frozenset({CaseState.OPEN}),
    },
    ReferralState: {
        ReferralState.REFERRED: frozenset(
            {ReferralState.LISTED, ReferralState.TRANSFERRED, ReferralState.WITHDRAWN}
        ),
        ReferralState.LISTED: frozenset(
            {
                ReferralState.HEARD,
                ReferralState.REFERRED,  # taken off a cancelled meeting's list
                ReferralState.TRANSFERRED,
                ReferralState.WITHDRAWN,
            }
        ),
        ReferralState.HEARD: frozenset({ReferralState.CLOSED, ReferralState.TRANSFERRED}),
        ReferralState.CLOSED: frozenset(),
        ReferralState.TRANSFERRED: frozenset(),
        ReferralState.WITHDRAWN: frozenset(),
    },
    MeetingState: {
        MeetingState.PLANNED: frozenset({MeetingState.HELD, MeetingState.CANCELLED}),
        MeetingState.HELD: frozenset(),
        MeetingState.CANCELLED: frozenset(),
    },
    ActionState: {
        ActionState.OPEN: frozenset({ActionState.DONE, ActionState.DROPPED}),
        ActionState.DONE: frozenset({ActionState.OPEN}),
        ActionState.DROPPED: frozenset({ActionState.OPEN}),
    },
    ShareState: {
        ShareState.ACTIVE: frozenset({ShareState.WITHDRAWN}),
        ShareState.WITHDRAWN: frozenset(),
    },
}

NEEDS_REASON: frozenset[tuple[StrEnum, StrEnum]] = frozenset(
    {
        (CaseState.CLOSED, CaseState.OPEN),
        (ReferralState.REFERRED, ReferralState.WITHDRAWN),
        (ReferralState.LISTED, ReferralState.WITHDRAWN),
        (ReferralState.REFERRED, ReferralState.TRANSFERRED),
        (ReferralState.LISTED, ReferralState.TRANSFERRED),
        (ReferralState.HEARD, ReferralState.TRANSFERRED),
        (ActionState.OPEN, ActionState.DROPPED),
        (ActionState.DONE, ActionState.OPEN),
        (ActionState.DROPPED, ActionState.OPEN),
        (ShareState.ACTIVE, ShareState.WITHDRAWN),
        (MeetingState.PLANNED, MeetingState.CANCELLED),
    }
)


def move(state: StrEnum, to: StrEnum, *, reason: str = "") -> StrEnum:
    """``to`` if the move is allowed (with its reason where one is needed), else
    :class:`InvalidMove` in words."""
    return checked_move(MOVES, NEEDS_REASON, state, to, reason=reason)
