"""The typed states of the board's cycle, and the moves each allows.

Every object of the cycle that changes over time (a meeting, a brief, a borough's report,
minutes, an action, a finding, a letter, a follow-up item, a recommendation) has a state from
one of the enumerations here, and moves only along the transitions listed with it, by
:func:`move`. So "draft minutes are never published", "a sent letter is not edited" and "a
withdrawn brief takes no uploads" are rules in one place, checked the same way by the web
app, the command line and the demo, and tested without a database (as OpenSAFELY Airlock
keeps its request states and their moves apart from who may make them).
"""

from __future__ import annotations

from enum import StrEnum


class InvalidMove(ValueError):
    """A move the state does not allow, in words ("minutes already approved cannot go back
    to draft")."""


class MeetingKind(StrEnum):
    BOROUGH = "borough_session"
    THEMATIC = "thematic_session"
    FOLLOW_UP = "follow_up_session"
    BUSINESS = "business_meeting"

    @property
    def label(self) -> str:
        return {
            "borough_session": "Borough session",
            "thematic_session": "Thematic session",
            "follow_up_session": "Follow-up session",
            "business_meeting": "Business meeting",
        }[self.value]


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class Attendance(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"
    GUEST = "guest"  # presenting or invited: a borough's commander, an SCD2 team


class BriefStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    CLOSED = "closed"  # the session was held: no more uploads
    WITHDRAWN = "withdrawn"


class ReportKind(StrEnum):
    DRAFT = "draft"
    FINAL = "final"


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def is_open(self) -> bool:
        return self in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class FindingKind(StrEnum):
    COMMEND = "commend"
    FOLLOW_UP = "follow_up"

    @property
    def label(self) -> str:
        return "Commended" if self is FindingKind.COMMEND else "Asked to follow up"


class FindingStatus(StrEnum):
    DRAFT = "draft"  # drafted by a rule or written by the secretariat, not yet agreed
    AGREED = "agreed"  # goes into the letter
    REJECTED = "rejected"  # a drafted finding the secretariat set aside


class LetterStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"


class ResponseStatus(StrEnum):
    AWAITED = "awaited"
    ANSWERED = "answered"
    PARTLY = "partly_answered"
    NOT_ANSWERED = "not_answered"


class RecommendationStatus(StrEnum):
    OPEN = "open"
    ONGOING = "ongoing"
    COMPLETE = "complete"


class ReportStatus(StrEnum):
    """The annual report's."""

    DRAFT = "draft"
    PUBLISHED = "published"


# state -> the states it may move to
MOVES: dict[type[StrEnum], dict[StrEnum, frozenset[StrEnum]]] = {
    MeetingStatus: {
        MeetingStatus.PLANNED: frozenset({MeetingStatus.HELD, MeetingStatus.CANCELLED}),
        MeetingStatus.HELD: frozenset(),
        MeetingStatus.CANCELLED: frozenset({MeetingStatus.PLANNED}),
    },
    BriefStatus: {
        BriefStatus.DRAFT: frozenset({BriefStatus.SENT, BriefStatus.WITHDRAWN}),
        BriefStatus.SENT: frozenset({BriefStatus.CLOSED, BriefStatus.WITHDRAWN}),
        BriefStatus.CLOSED: frozenset(),
        BriefStatus.WITHDRAWN: frozenset({BriefStatus.DRAFT}),
    },
    MinutesStatus: {
        MinutesStatus.DRAFT: frozenset({MinutesStatus.APPROVED}),
        MinutesStatus.APPROVED: frozenset(),
    },
    ActionStatus: {
        ActionStatus.OPEN: frozenset(
            {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.DROPPED}
        ),
        ActionStatus.IN_PROGRESS: frozenset(
            {ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.DROPPED}
        ),
        ActionStatus.DONE: frozenset({ActionStatus.OPEN}),  # reopened, with a note
        ActionStatus.DROPPED: frozenset({ActionStatus.OPEN}),
    },
    FindingStatus: {
        FindingStatus.DRAFT: frozenset({FindingStatus.AGREED, FindingStatus.REJECTED}),
        FindingStatus.AGREED: frozenset({FindingStatus.DRAFT}),
        FindingStatus.REJECTED: frozenset({FindingStatus.DRAFT}),
    },
    LetterStatus: {
        LetterStatus.DRAFT: frozenset({LetterStatus.SENT}),
        LetterStatus.SENT: frozenset(),
    },
    ResponseStatus: {
        ResponseStatus.AWAITED: frozenset(
            {ResponseStatus.ANSWERED, ResponseStatus.PARTLY, ResponseStatus.NOT_ANSWERED}
        ),
        ResponseStatus.ANSWERED: frozenset({ResponseStatus.PARTLY, ResponseStatus.NOT_ANSWERED}),
        ResponseStatus.PARTLY: frozenset({ResponseStatus.ANSWERED, ResponseStatus.NOT_ANSWERED}),
        ResponseStatus.NOT_ANSWERED: frozenset({ResponseStatus.ANSWERED, ResponseStatus.PARTLY}),
    },
    RecommendationStatus: {
        RecommendationStatus.OPEN: frozenset(
            {RecommendationStatus.ONGOING, RecommendationStatus.COMPLETE}
        ),
        RecommendationStatus.ONGOING: frozenset(
            {RecommendationStatus.OPEN, RecommendationStatus.COMPLETE}
        ),
        RecommendationStatus.COMPLETE: frozenset({RecommendationStatus.ONGOING}),
    },
    ReportStatus: {
        ReportStatus.DRAFT: frozenset({ReportStatus.PUBLISHED}),
        ReportStatus.PUBLISHED: frozenset(),
    },
}

# moves that need a reason in words (recorded with the move)
NEEDS_REASON: frozenset[tuple[StrEnum, StrEnum]] = frozenset(
    {
        (ActionStatus.DONE, ActionStatus.OPEN),
        (ActionStatus.DROPPED, ActionStatus.OPEN),
        (ActionStatus.OPEN, ActionStatus.DROPPED),
        (ActionStatus.IN_PROGRESS, ActionStatus.DROPPED),
        (BriefStatus.SENT, BriefStatus.WITHDRAWN),
        (BriefStatus.DRAFT, BriefStatus.WITHDRAWN),
        (RecommendationStatus.COMPLETE, RecommendationStatus.ONGOING),
        (MeetingStatus.PLANNED, MeetingStatus.CANCELLED),
    }
)


def allowed_moves(state: StrEnum) -> frozenset[StrEnum]:
    """The states ``state`` may move to (none for a final state)."""
    return MOVES[type(state)][state]


def move(state: StrEnum, to: StrEnum, *, reason: str = "") -> StrEnum:
    """``to``, when the move from ``state`` is allowed (and has its reason if it needs one);
    else :class:`InvalidMove` saying why. Staying in the same state is not a move."""
    return checked_move(MOVES, NEEDS_REASON, state, to, reason=reason)


def checked_move(
    moves: dict[type[StrEnum], dict[StrEnum, frozenset[StrEnum]]],
    needs_reason: frozenset[tuple[StrEnum, StrEnum]],
    state: StrEnum,
    to: StrEnum,
    *,
    reason: str = "",
) -> StrEnum:
    """The one check of a move against a table of moves (the cycle's here, the partnership
    cases' in :mod:`dsvb.cases.states`): ``to`` or :class:`InvalidMove` in words."""
    if type(state) is not type(to):
        raise InvalidMove(f"{state!r} and {to!r} are states of different things")
    allowed = moves[type(state)][state]
    if to not in allowed:
        what = type(state).__name__.removesuffix("Status").removesuffix("State").lower()
        targets = ", ".join(sorted(s.value for s in allowed)) or "nothing"
        raise InvalidMove(
            f"a {what or 'item'} that is {state.value.replace('_', ' ')} cannot become "
            f"{to.value.replace('_', ' ')} (it may become: {targets})"
        )
    if (state, to) in needs_reason and not reason.strip():
        raise InvalidMove(
            f"moving from {state.value.replace('_', ' ')} to {to.value.replace('_', ' ')} "
            "needs a reason"
        )
    return to
