"""The cycle's typed states: every allowed move works, every other is refused in words, and
the moves that need a reason refuse without one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsvb.oversight import states
from dsvb.oversight.states import (
    ActionStatus,
    BriefStatus,
    InvalidMove,
    LetterStatus,
    MinutesStatus,
    ReportStatus,
    move,
)

ALL_STATES = [s for enum in states.MOVES for s in enum]


def test_every_state_of_every_enumeration_has_its_moves_listed():
    for enum, moves in states.MOVES.items():
        assert set(moves) == set(enum), enum
        for targets in moves.values():
            assert all(isinstance(t, enum) for t in targets)


@given(st.sampled_from(ALL_STATES), st.sampled_from(ALL_STATES))
def test_a_move_is_allowed_exactly_when_listed(state, to):
    listed = type(state) is type(to) and to in states.allowed_moves(state)
    try:
        result = move(state, to, reason="because")
    except InvalidMove:
        assert not listed
    else:
        assert listed and result is to


@pytest.mark.parametrize(
    ("state", "to"),
    [
        (MinutesStatus.APPROVED, MinutesStatus.DRAFT),  # approved minutes stay approved
        (LetterStatus.SENT, LetterStatus.DRAFT),  # a sent letter is not unsent
        (ReportStatus.PUBLISHED, ReportStatus.DRAFT),  # published is published
        (BriefStatus.CLOSED, BriefStatus.SENT),  # no uploads after the session
    ],
)
def test_final_states_do_not_go_back(state, to):
    with pytest.raises(InvalidMove, match="cannot become"):
        move(state, to, reason="please")


def test_moves_that_need_a_reason_refuse_without_one():
    with pytest.raises(InvalidMove, match="needs a reason"):
        move(ActionStatus.DONE, ActionStatus.OPEN)
    with pytest.raises(InvalidMove, match="needs a reason"):
        move(BriefStatus.SENT, BriefStatus.WITHDRAWN, reason="   ")
    assert move(ActionStatus.DONE, ActionStatus.OPEN, reason="not done after all") is (
        ActionStatus.OPEN
    )


def test_states_of_different_things_do_not_mix():
    with pytest.raises(InvalidMove, match="different things"):
        move(ActionStatus.OPEN, BriefStatus.SENT)


def test_an_open_action_is_open_in_progress_too():
    assert ActionStatus.OPEN.is_open and ActionStatus.IN_PROGRESS.is_open
    assert not ActionStatus.DONE.is_open and not ActionStatus.DROPPED.is_open
