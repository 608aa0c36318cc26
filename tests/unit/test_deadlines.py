"""The cycle's deadlines: the rules file, and the dates drawn from it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsvb.oversight import deadlines


def test_the_brief_dates_for_the_kingston_session():
    dates = deadlines.brief_dates(dt.date(2007, 11, 6))
    assert dates.draft_due == dt.date(2007, 10, 23)  # two weeks before
    assert dates.final_due == dt.date(2007, 10, 30)  # one week before
    assert dates.sent < dates.draft_due


@given(st.dates(min_value=dt.date(2007, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_brief_dates_are_in_order_before_the_meeting(day):
    d = deadlines.brief_dates(day)
    assert d.sent < d.draft_due < d.final_due < d.meeting


@pytest.mark.parametrize(
    ("letter", "due"),
    [
        (dt.date(2008, 4, 29), dt.date(2008, 10, 29)),
        (dt.date(2008, 8, 31), dt.date(2009, 2, 28)),  # no 31 February: the month's last day
        (dt.date(2011, 8, 31), dt.date(2012, 2, 29)),  # a leap year
    ],
)
def test_the_follow_up_is_due_six_months_after_the_letter(letter, due):
    assert deadlines.due("follow_up_due", letter) == due


def test_an_action_with_no_date_is_due_at_the_next_meeting():
    assert deadlines.due("action_due", dt.date(2010, 1, 1), next_meeting=None) is None
    nxt = dt.date(2010, 3, 1)
    assert deadlines.due("action_due", dt.date(2010, 1, 1), next_meeting=nxt) == nxt


def test_no_rule_before_the_board_existed():
    with pytest.raises(KeyError, match="in force on 2001"):
        deadlines.due("draft_due", dt.date(2001, 1, 1))


def test_every_rule_names_its_source():
    assert all(r.source for r in deadlines.rules())
    names = {r.rule for r in deadlines.rules()}
    assert {"brief_sent", "draft_due", "final_due", "letter_due", "follow_up_due"} <= names


HEADER = "rule,anchor,offset,unit,valid_from,valid_to,source\n"


@pytest.mark.parametrize(
    ("row", "column", "why"),
    [
        ("draft_due,meeting,two,weeks,2007-01-01,,x", "offset", "'two' is not a whole number"),
        ("draft_due,meeting,-2,fortnights,2007-01-01,,x", "unit", "'fortnights'"),
        ("draft_due,session,-2,weeks,2007-01-01,,x", "anchor", "'session'"),
        ("draft_due,meeting,-2,weeks,2007-13-01,,x", "valid_from/valid_to", "month"),
    ],
)
def test_a_mistake_in_the_rules_names_its_line_and_column(row, column, why):
    text = HEADER + "final_due,meeting,-7,days,2007-01-01,,ok\n" + row + "\n"
    with pytest.raises(deadlines.RuleFileError) as caught:
        deadlines.parse_rules(text, "rules.csv")
    message = str(caught.value)
    assert message.startswith(f"rules.csv, line 3, column '{column}':"), message
    assert why in message
