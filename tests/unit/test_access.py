"""The access core without Django: memberships, dates, objects, reasons, the registry."""

from __future__ import annotations

import datetime as dt

import pytest

from dsvb import access, reference
from dsvb.access import (
    AgencyRef,
    AreaRef,
    Decision,
    Membership,
    Principal,
    Resource,
    Role,
    decide,
)
from dsvb.access import permissions as can

DAY = dt.date(2026, 6, 1)
LAMBETH = reference.areas().by_code("E09000022")
SOUTHWARK = reference.areas().by_code("E09000028")
CAMDEN = reference.areas().by_code("E09000007")


def person(*memberships: Membership, active: bool = True) -> Principal:
    return Principal("pat", memberships, user_id=7, active=active)


def borough(area, **dates) -> Membership:
    return Membership(Role.BOROUGH_USER, area.code, **dates)


def test_the_area_codes_are_the_reference_list() -> None:
    assert (LAMBETH.name, SOUTHWARK.name, CAMDEN.name) == ("Lambeth", "Southwark", "Camden")


def test_a_borough_user_sees_their_own_borough_and_is_told_why_not_another() -> None:
    lambeth = person(borough(LAMBETH))
    own = decide(lambeth, can.VIEW_AREA, AreaRef(LAMBETH.code), on=DAY)
    other = decide(lambeth, can.VIEW_AREA, AreaRef(SOUTHWARK.code), on=DAY)
    assert own == Decision(True, "a borough user of Lambeth may see Lambeth")
    assert other == Decision(False, "a borough user of Lambeth may see Lambeth only, not Southwark")
    assert bool(own) and not bool(other)


def test_a_borough_user_of_two_boroughs_sees_both_and_no_third() -> None:
    two = person(borough(LAMBETH), borough(SOUTHWARK))
    assert decide(two, can.VIEW_AREA, AreaRef(SOUTHWARK.code), on=DAY)
    assert decide(two, can.VIEW_AREA, AreaRef(LAMBETH.code), on=DAY)
    third = decide(two, can.VIEW_AREA, AreaRef(CAMDEN.code), on=DAY)
    assert not third
    assert third.reason == (
        "a borough user of Lambeth and a borough user of Southwark may see Lambeth and "
        "Southwark only, not Camden"
    )


def test_an_expired_membership_is_refused_and_says_when_it_ended() -> None:
    ended = person(borough(LAMBETH, valid_to=dt.date(2026, 5, 31)))
    decision = decide(ended, can.VIEW_AREA, AreaRef(LAMBETH.code), on=DAY)
    assert decision == Decision(
        False, "pat's membership as borough user of Lambeth ended on 2026-05-31"
    )
    # the last day is still inside it
    assert decide(ended, can.VIEW_AREA, AreaRef(LAMBETH.code), on=dt.date(2026, 5, 31))


def test_a_membership_not_yet_started_is_refused() -> None:
    later = person(borough(LAMBETH, valid_from=dt.date(2026, 7, 1)))
    decision = decide(later, can.VIEW_PERFORMANCE, on=DAY)
    assert decision == Decision(False, "pat's membership starts on 2026-07-01")


def test_only_the_current_memberships_count() -> None:
    """An analyst membership that ended leaves the borough membership only."""
    mixed = person(Membership(Role.FORCE_ANALYST, valid_to=dt.date(2026, 1, 31)), borough(LAMBETH))
    assert not decide(mixed, can.VIEW_ALL_AREAS, on=DAY)
    assert not decide(mixed, can.IMPORT, on=DAY)
    assert decide(mixed, can.IMPORT, on=dt.date(2026, 1, 31))


def test_nobody_signed_in_a_disabled_account_and_no_membership_are_refused() -> None:
    assert decide(None, can.VIEW_PERFORMANCE, on=DAY) == Decision(False, "not signed in")
    disabled = person(Membership(Role.SECRETARIAT), active=False)
    assert decide(disabled, can.PUBLISH, on=DAY) == Decision(False, "the account pat is disabled")
    assert decide(person(), can.PUBLISH, on=DAY) == Decision(False, "pat holds no membership")


def test_a_partner_sees_their_agency_and_is_told_why_not_another() -> None:
    refuge = person(Membership(Role.PARTNER, agency="Refuge"))
    assert decide(refuge, can.VIEW_AGENCY, AgencyRef("Refuge"), on=DAY)
    other = decide(refuge, can.VIEW_AGENCY, AgencyRef("Galop"), on=DAY)
    assert other == Decision(
        False, "a partner agency user of Refuge may see Refuge only, not Galop"
    )
    assert not decide(refuge, can.VIEW_PERFORMANCE, on=DAY)


def test_agency_objects_are_need_to_know_area_objects_are_not() -> None:
    case = Resource("case", "41", owner_agency="Refuge", owner_area=LAMBETH.code)
    shared = Resource(
        "case", "42", owner_agency="Galop", shared_with=frozenset({AgencyRef("Refuge")})
    )
    brief = Resource("brief", "7", owner_area=LAMBETH.code)
    refuge = person(Membership(Role.PARTNER, agency="Refuge"))
    galop = person(Membership(Role.PARTNER, agency="Galop"))
    secretariat = person(Membership(Role.SECRETARIAT))
    lambeth = person(borough(LAMBETH))
    southwark = person(borough(SOUTHWARK))
    assert decide(refuge, can.VIEW_RESOURCE, case, on=DAY)
    assert decide(refuge, can.VIEW_RESOURCE, shared, on=DAY)
    assert decide(galop, can.VIEW_RESOURCE, shared, on=DAY)
    refused = decide(galop, can.VIEW_RESOURCE, case, on=DAY)
    assert refused == Decision(
        False, "case 41 of Refuge is Refuge's, not shared with a partner agency user of Galop"
    )
    # seeing every area does not open an agency's case, nor does its borough
    assert not decide(secretariat, can.VIEW_RESOURCE, case, on=DAY)
    assert not decide(lambeth, can.VIEW_RESOURCE, case, on=DAY)
    # an area's brief: its borough, and the roles that see every area; not another borough
    assert decide(lambeth, can.VIEW_RESOURCE, brief, on=DAY)
    assert decide(secretariat, can.VIEW_RESOURCE, brief, on=DAY)
    assert not decide(southwark, can.VIEW_RESOURCE, brief, on=DAY)
    assert not decide(refuge, can.VIEW_RESOURCE, brief, on=DAY)


def test_an_unknown_action_or_the_wrong_object_is_an_error_never_an_answer() -> None:
    secretariat = person(Membership(Role.SECRETARIAT))
    with pytest.raises(access.UnknownName, match=r"no access action is named 'area\.veiw'"):
        decide(secretariat, "area.veiw", AreaRef(LAMBETH.code), on=DAY)
    with pytest.raises(TypeError, match=r"area\.view is asked of AreaRef"):
        decide(secretariat, can.VIEW_AREA, AgencyRef("Refuge"), on=DAY)
    with pytest.raises(TypeError, match="asked of no object"):
        decide(secretariat, can.PUBLISH, AreaRef(LAMBETH.code), on=DAY)


def test_a_later_package_registers_its_own_action_with_its_rule_and_state() -> None:
    def closed(obj: access.AccessObject) -> Decision | None:
        assert isinstance(obj, Resource)
        return Decision(False, f"{obj.describe()} is closed") if obj.id == "closed" else None

    spec = access.register(
        "test_case.edit",
        "Change a case (a test's own action)",
        access.by_role([Role.PARTNER], "change a case"),
        objects=[Resource],
        state=closed,
    )
    try:
        partner = person(Membership(Role.PARTNER, agency="Refuge"))
        analyst = person(Membership(Role.FORCE_ANALYST))
        assert decide(partner, spec.name, Resource("case", "open"), on=DAY)
        assert decide(analyst, spec.name, Resource("case", "open"), on=DAY) == Decision(
            False, "a force performance analyst may not change a case"
        )
        assert decide(partner, spec.name, Resource("case", "closed"), on=DAY) == Decision(
            False, "case closed of nobody is closed"
        )
        # the same name again with another meaning is refused
        with pytest.raises(ValueError, match="already registered, differently"):
            access.register("test_case.edit", "Something else", spec.rule)
    finally:
        access.ACTIONS.remove("test_case.edit")
    assert "test_case.edit" not in access.ACTIONS


@pytest.mark.parametrize("name", ["", "Upper", "has space", "1starts_with_digit", "x" * 41])
def test_a_registry_refuses_names_that_would_not_fit_or_read(name: str) -> None:
    with pytest.raises(ValueError, match="lower-case letters"):
        access.Registry("audit action", max_length=40).add(name, "a description")


@pytest.mark.parametrize(
    ("membership", "problem"),
    [
        ({"role": Role.BOROUGH_USER}, "must name an area"),
        ({"role": Role.AUDITOR, "area_code": "E09000022"}, "names no area"),
        ({"role": Role.PARTNER}, "must name an agency"),
        (
            {
                "role": Role.AUDITOR,
                "valid_from": dt.date(2026, 2, 1),
                "valid_to": dt.date(2026, 1, 1),
            },
            "cannot end before it starts",
        ),
    ],
)
def test_a_membership_that_makes_no_sense_is_refused(membership: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Membership(**membership)


def test_the_access_core_imports_no_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, dsvb.access, dsvb.access.permissions; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
