"""Who may see and add to the cycle's objects, decided in the one place, with reasons; and
the attacks: another borough's object, a draft, a closed brief, a partner agency."""

from __future__ import annotations

import datetime as dt

import pytest

from dsvb.access import Membership, Principal, decide
from dsvb.access.model import AreaRef
from dsvb.access.roles import Role
from dsvb.oversight.access import (
    CONTRIBUTE,
    RUN_CYCLE,
    VIEW_CYCLE,
    VIEW_DUE,
    VIEW_ITEM,
    CycleObject,
)

DAY = dt.date(2010, 6, 1)
LAMBETH, SOUTHWARK = "E09000022", "E09000028"


def person(role, area=None, agency=None, **dates):
    return Principal(role.value, (Membership(role, area, agency, **dates),))


SECRETARIAT = person(Role.SECRETARIAT)
MEMBER = person(Role.BOARD_MEMBER)
LAMBETH_USER = person(Role.BOROUGH_USER, LAMBETH)
ANALYST = person(Role.FORCE_ANALYST)
PARTNER = person(Role.PARTNER, agency="Refuge")
AUDITOR = person(Role.AUDITOR)


def brief(area=LAMBETH, state="sent"):
    return CycleObject("brief", "7", owner_area=area, state=state, board_only=state == "draft")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (SECRETARIAT, {VIEW_CYCLE, RUN_CYCLE, VIEW_DUE}),
        (MEMBER, {VIEW_CYCLE, VIEW_DUE}),
        (LAMBETH_USER, {VIEW_DUE}),
        (ANALYST, set()),
        (PARTNER, set()),
        (AUDITOR, set()),
    ],
)
def test_role_level_actions(who, allowed):
    for action in (VIEW_CYCLE, RUN_CYCLE, VIEW_DUE):
        assert bool(decide(who, action, on=DAY)) == (action in allowed), action


def test_a_borough_sees_and_adds_to_its_own_brief_only():
    own, other = brief(LAMBETH), brief(SOUTHWARK)
    assert decide(LAMBETH_USER, VIEW_ITEM, own, on=DAY)
    assert decide(LAMBETH_USER, CONTRIBUTE, own, on=DAY)
    refused = decide(LAMBETH_USER, VIEW_ITEM, other, on=DAY)
    assert (
        not refused
        and "Southwark" in refused.reason
        and "borough user of Lambeth" in (refused.reason)
    )
    assert not decide(LAMBETH_USER, CONTRIBUTE, other, on=DAY)


def test_the_board_sees_every_borough_and_only_the_secretariat_adds_for_one():
    other = brief(SOUTHWARK)
    assert decide(MEMBER, VIEW_ITEM, other, on=DAY)
    assert decide(SECRETARIAT, CONTRIBUTE, other, on=DAY)
    assert not decide(MEMBER, CONTRIBUTE, other, on=DAY)


@pytest.mark.parametrize("who", [ANALYST, PARTNER, AUDITOR])
def test_nobody_outside_the_board_and_the_borough_sees_its_papers(who):
    assert not decide(who, VIEW_ITEM, brief(), on=DAY)
    assert not decide(who, CONTRIBUTE, brief(), on=DAY)


def test_a_draft_is_the_boards_alone_even_for_its_own_borough():
    draft = brief(state="draft")
    refused = decide(LAMBETH_USER, VIEW_ITEM, draft, on=DAY)
    assert not refused and "the board's alone" in refused.reason
    assert decide(MEMBER, VIEW_ITEM, draft, on=DAY)


def test_minutes_are_shared_with_the_boroughs_invited_once_approved():
    invited = frozenset({AreaRef(LAMBETH)})
    approved = CycleObject("minutes", "3", shared_with=invited, state="approved")
    draft = CycleObject("minutes", "3", shared_with=invited, state="draft", board_only=True)
    not_invited = CycleObject("minutes", "4", shared_with=frozenset({AreaRef(SOUTHWARK)}))
    assert decide(LAMBETH_USER, VIEW_ITEM, approved, on=DAY)
    assert not decide(LAMBETH_USER, VIEW_ITEM, draft, on=DAY)
    assert not decide(LAMBETH_USER, VIEW_ITEM, not_invited, on=DAY)
    # shared to read is not owned to change
    assert not decide(LAMBETH_USER, CONTRIBUTE, approved, on=DAY)


@pytest.mark.parametrize("state", ["draft", "closed", "withdrawn"])
def test_a_brief_takes_reports_only_while_sent(state):
    refused = decide(LAMBETH_USER, CONTRIBUTE, brief(state=state), on=DAY)
    assert not refused and "takes nothing now" in refused.reason
    assert not decide(SECRETARIAT, CONTRIBUTE, brief(state=state), on=DAY)


def test_a_membership_that_ended_sees_nothing():
    ended = person(Role.BOROUGH_USER, LAMBETH, valid_to=dt.date(2010, 5, 31))
    refused = decide(ended, VIEW_ITEM, brief(), on=DAY)
    assert not refused and "ended" in refused.reason


def test_an_action_of_draft_minutes_is_refused_saying_why():
    action = CycleObject(
        "action",
        "9",
        owner_area=LAMBETH,
        state="open",
        board_only=True,
        why_board_only="comes from minutes not yet approved",
    )
    refused = decide(LAMBETH_USER, VIEW_ITEM, action, on=DAY)
    assert not refused
    assert refused.reason == (
        "action 9 of Lambeth comes from minutes not yet approved: the board's alone"
    )
