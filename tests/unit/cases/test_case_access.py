"""The partnership cases' access rules, field groups, states and settings, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from dsvb.access import AgencyRef, Membership, Principal, Role, decide
from dsvb.cases import access as rules
from dsvb.cases import settings as case_settings
from dsvb.cases.agencies import AgencyKind
from dsvb.cases.fields import (
    FieldGroup,
    FieldNeedsError,
    load_needs,
    needed_groups,
    needs,
    visible_groups,
)
from dsvb.cases.states import CaseState, InvalidMove, ShareState, move

DAY = dt.date(2026, 12, 6)
IDVA, POLICE, OTHER, MARAC = "Lambeth IDVA", "Lambeth CSU", "Southwark IDVA", "Lambeth MARAC"


def partner(agency: str, user_id: int = 1, **fields) -> Principal:
    return Principal(
        f"user-{user_id}", (Membership(Role.PARTNER, agency=agency, **fields),), user_id=user_id
    )


def case(**fields) -> rules.CaseObject:
    values = {"id": "7", "owner_agency": POLICE, "shared_with": frozenset({AgencyRef(IDVA)})}
    return rules.CaseObject(**{**values, **fields})


def test_the_owner_and_the_agencies_shared_with_see_a_case_others_do_not() -> None:
    assert decide(partner(POLICE), rules.VIEW_CASE, case(), on=DAY)
    shared = decide(partner(IDVA), rules.VIEW_CASE, case(), on=DAY)
    assert shared and "shared with or referred to Lambeth IDVA" in shared.reason
    refused = decide(partner(OTHER), rules.VIEW_CASE, case(), on=DAY)
    assert not refused
    assert refused.reason == (
        "case 7 of Lambeth CSU is not shared with a partner agency user of Southwark IDVA"
    )


@pytest.mark.parametrize("role", [r for r in Role if r != Role.PARTNER])
def test_no_other_role_sees_a_case_not_even_the_secretariat(role) -> None:
    fields = {"area_code": "E09000022"} if role == Role.BOROUGH_USER else {}
    person = Principal("x", (Membership(role, **fields),), user_id=9)
    assert not decide(person, rules.VIEW_CASE, case(), on=DAY)
    assert not decide(person, rules.USE_CASES, on=DAY)


def test_only_the_owner_changes_shares_or_closes_and_a_closed_case_takes_no_change() -> None:
    for action in (rules.EDIT_CASE, rules.SHARE_CASE, rules.CLOSE_CASE):
        assert decide(partner(POLICE), action, case(), on=DAY)
        refused = decide(partner(IDVA), action, case(), on=DAY)
        assert not refused and refused.reason.startswith("only Lambeth CSU")
    closed = case(state="closed")
    edit = decide(partner(POLICE), rules.EDIT_CASE, closed, on=DAY)
    assert not edit and "is closed: reopen it" in edit.reason
    assert decide(partner(POLICE), rules.CLOSE_CASE, closed, on=DAY)  # reopening
    assert not decide(partner(IDVA), rules.CONTRIBUTE, closed, on=DAY)
    assert decide(partner(IDVA), rules.CONTRIBUTE, case(), on=DAY)


def test_an_emergency_grant_is_personal_and_needs_a_current_membership() -> None:
    grant = case(emergency_users=frozenset({5}))
    assert not rules.case_decision(partner(OTHER, user_id=6), rules.VIEW_CASE, grant, on=DAY)
    allowed = rules.case_decision(partner(OTHER, user_id=5), rules.VIEW_CASE, grant, on=DAY)
    assert allowed and "break glass" in allowed.reason
    # a grant opens the view only, never a change
    assert not rules.case_decision(partner(OTHER, user_id=5), rules.EDIT_CASE, grant, on=DAY)
    ended = partner(OTHER, user_id=5, valid_to=DAY - dt.timedelta(days=1))
    assert not rules.case_decision(ended, rules.VIEW_CASE, grant, on=DAY)
    disabled = Principal("x", partner(OTHER, user_id=5).memberships, user_id=5, active=False)
    assert not rules.case_decision(disabled, rules.VIEW_CASE, grant, on=DAY)


def test_breaking_the_glass_is_for_those_who_do_not_already_see_the_case() -> None:
    assert decide(partner(OTHER), rules.BREAK_GLASS, case(), on=DAY)
    assert not decide(partner(IDVA), rules.BREAK_GLASS, case(), on=DAY)
    board = Principal("b", (Membership(Role.BOARD_MEMBER),))
    assert not decide(board, rules.BREAK_GLASS, case(), on=DAY)


def test_a_marac_is_run_by_its_own_agency_seen_by_members_and_its_return_read_by_the_board():
    marac = rules.MaracObject(id="3", owner_agency=MARAC, shared_with=frozenset({AgencyRef(IDVA)}))
    assert decide(partner(MARAC), rules.COORDINATE_MARAC, marac, on=DAY)
    assert not decide(partner(IDVA), rules.COORDINATE_MARAC, marac, on=DAY)
    assert decide(partner(IDVA), rules.VIEW_MARAC, marac, on=DAY)
    assert not decide(partner(OTHER), rules.VIEW_MARAC, marac, on=DAY)
    board = Principal("b", (Membership(Role.BOARD_MEMBER),))
    assert decide(board, rules.MARAC_RETURN, marac, on=DAY)
    assert not decide(partner(IDVA), rules.MARAC_RETURN, marac, on=DAY)


KINDS = {POLICE: AgencyKind.POLICE, IDVA: AgencyKind.IDVA, "Kids": AgencyKind.CHILDREN}


def test_an_owner_sees_every_group_a_share_narrows_and_never_widens_beyond_need() -> None:
    owner = visible_groups([POLICE], owner=POLICE, shares={}, kinds=KINDS)
    assert owner.groups == frozenset(FieldGroup)
    everything = frozenset(FieldGroup)
    kids = visible_groups(["Kids"], owner=POLICE, shares={"Kids": everything}, kinds=KINDS)
    assert FieldGroup.REFUGE_ADDRESS not in kids.groups  # not a need of children's services
    assert FieldGroup.NOTES not in kids.groups and FieldGroup.HEALTH not in kids.groups
    assert kids.groups == needed_groups(AgencyKind.CHILDREN)
    narrow = visible_groups(
        [IDVA], owner=POLICE, shares={IDVA: frozenset({FieldGroup.IDENTITY})}, kinds=KINDS
    )
    assert narrow.groups == {FieldGroup.IDENTITY}
    assert FieldGroup.CONTACT in narrow.hidden
    nobody = visible_groups(["Kids"], owner=POLICE, shares={}, kinds=KINDS)
    assert not nobody.groups and not nobody.reason
    emergency = visible_groups(["Kids"], owner=POLICE, shares={}, kinds=KINDS, emergency=True)
    assert emergency.emergency and emergency.groups == needed_groups(AgencyKind.CHILDREN)


def test_every_kind_of_agency_has_its_needs_and_a_refuge_address_only_where_needed() -> None:
    table = needs()
    assert all(FieldGroup.IDENTITY in table[kind] for kind in AgencyKind)
    holders = {kind for kind in AgencyKind if FieldGroup.REFUGE_ADDRESS in table[kind]}
    assert holders == {AgencyKind.IDVA, AgencyKind.HOUSING, AgencyKind.REFUGE}


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("nurses,identity,why", "agency_kind", "'nurses' is not a kind"),
        ("police,secrets,why", "field_group", "'secrets' is not a group"),
        ("police,notes,why", "field_group", "case notes stay with the agency"),
        ("police,identity,", "why", "say why"),
    ],
)
def test_a_needs_file_error_names_its_line_and_column(row, column, words) -> None:
    text = "agency_kind,field_group,why\npolice,risk,grading\n" + row + "\n"
    with pytest.raises(FieldNeedsError) as error:
        load_needs(text, "needs.csv")
    assert (error.value.file, error.value.line, error.value.column) == ("needs.csv", 3, column)
    assert words in str(error.value)


def test_states_move_by_the_rule_and_some_moves_need_a_reason() -> None:
    assert move(CaseState.OPEN, CaseState.CLOSED) == CaseState.CLOSED
    with pytest.raises(InvalidMove, match="needs a reason"):
        move(CaseState.CLOSED, CaseState.OPEN)
    assert move(CaseState.CLOSED, CaseState.OPEN, reason="new incident") == CaseState.OPEN
    with pytest.raises(InvalidMove, match="cannot become active"):
        move(ShareState.WITHDRAWN, ShareState.ACTIVE)


def test_settings_are_dated_and_the_repeat_definition_changes_on_its_date() -> None:
    assert case_settings.number("visible_high_risk_score", DAY) == 14
    assert case_settings.number("escalation_incidents", DAY) == 3
    old = case_settings.setting("repeat_definition", dt.date(2013, 3, 31))
    new = case_settings.setting("repeat_definition", dt.date(2013, 4, 1))
    assert (old, new) == ("violence_threats_stalking_sexual", "any_abuse")
    with pytest.raises(ValueError, match="no break_glass_hours setting is in force"):
        case_settings.setting("break_glass_hours", dt.date(2000, 1, 1))


def test_a_settings_file_with_overlapping_or_missing_rows_is_refused() -> None:
    header = "name,value,valid_from,valid_to,source\n"
    rows = "".join(
        f"{name},{'x' if name == 'repeat_definition' else 1},2009-01-01,,s\n"
        for name in case_settings.NAMES
    )
    assert len(case_settings.load_settings(header + rows)) == len(case_settings.NAMES)
    with pytest.raises(case_settings.CaseSettingsError, match="overlaps line 2") as error:
        case_settings.load_settings(header + rows + "escalation_incidents,4,2010-01-01,,s\n")
    assert error.value.line == len(case_settings.NAMES) + 2
    with pytest.raises(case_settings.CaseSettingsError, match="missing: retention_years"):
        case_settings.load_settings(header + rows.replace("retention_years", "#").split("#")[0])
    with pytest.raises(case_settings.CaseSettingsError, match="not a whole number"):
        case_settings.load_settings(
            header + rows.replace("escalation_incidents,1", "escalation_incidents,0")
        )
