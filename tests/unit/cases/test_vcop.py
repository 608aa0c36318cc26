"""The Victims' Code for cases: contacts owed by events, deadlines in working days, monthly
updates, the overdue list, and compliance through the same indicator as an extract's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dsvb.cases import vcop
from dsvb.cases.vcop import ContactRow, EventKind
from dsvb.indicators.engine import IndicatorQuery, compute_from_extract
from dsvb.reference import victims_code as vc
from tests.support.builder import ExtractBuilder

LONDON = ZoneInfo("Europe/London")
LAMBETH, SOUTHWARK = "E09000022", "E09000028"


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59))


# 2026: Christmas Day is a Friday, Boxing Day a Saturday, so Monday 28 December is the
# substitute bank holiday.
@pytest.mark.parametrize(
    ("kind", "at", "enhanced", "due"),
    [
        # Friday 18 December 2026, 16:00: the next working day is Monday
        (EventKind.ARREST, dt.datetime(2026, 12, 18, 16), True, dt.date(2026, 12, 21)),
        # five working days from that Friday: 21, 22, 23, 24, (25 and 28 holidays) 29
        (EventKind.ARREST, dt.datetime(2026, 12, 18, 16), False, dt.date(2026, 12, 29)),
        # Christmas Eve: Christmas, the weekend and the substitute Boxing Day skipped
        (EventKind.SUSPECT_CHARGED, dt.datetime(2026, 12, 24, 9), True, dt.date(2026, 12, 29)),
        # on Boxing Day itself (a Saturday): counted from Christmas Eve, the working day before
        (EventKind.BAIL, dt.datetime(2026, 12, 26, 11), True, dt.date(2026, 12, 29)),
        # a Sunday: from the Friday before, so Monday
        (EventKind.BAIL_CHANGE, dt.datetime(2026, 12, 13, 11), True, dt.date(2026, 12, 14)),
        # the Friday before the early May bank holiday (Monday 3 May 2027): Tuesday
        (EventKind.NON_COURT_DISPOSAL, dt.datetime(2027, 4, 30, 17), True, dt.date(2027, 5, 4)),
        # a decision not to charge on a Wednesday
        (EventKind.DECISION_NOT_TO_CHARGE, dt.datetime(2026, 6, 10, 9), True, dt.date(2026, 6, 11)),
        # a referral to support: 2 working days whatever the service
        (EventKind.SUPPORT_REFERRAL, dt.datetime(2026, 12, 23, 9), False, dt.date(2026, 12, 29)),
    ],
)
def test_deadlines_in_working_days(
    kind: EventKind, at: dt.datetime, enhanced: bool, due: dt.date
) -> None:
    (contact,) = vcop.owed(kind, at, enhanced=enhanced)
    assert contact.due_at == end_of(due)
    assert contact.edition == "2020 Code"


def test_an_aware_time_gives_an_aware_london_deadline() -> None:
    # 23:30 UTC on Friday 18 December is still Friday in London (GMT): due Monday
    at = dt.datetime(2026, 12, 18, 23, 30, tzinfo=dt.UTC)
    (contact,) = vcop.owed("arrest", at, enhanced=True)
    assert contact.due_at == end_of(dt.date(2026, 12, 21)).replace(tzinfo=LONDON)
    # 23:30 UTC on Saturday 27 June 2026 is 00:30 on Sunday in London (BST): from Friday
    at = dt.datetime(2026, 6, 26, 23, 30, tzinfo=dt.UTC)
    (contact,) = vcop.owed("arrest", at, enhanced=True)
    assert contact.due_at.date() == dt.date(2026, 6, 29)


def test_the_2020_code_adds_interview_and_release_under_investigation_from_1_april_2021() -> None:
    before, on = dt.datetime(2021, 3, 31, 12), dt.datetime(2021, 4, 1, 12)
    assert vcop.owed(EventKind.INTERVIEW, before, enhanced=True) == ()
    (interview,) = vcop.owed(EventKind.INTERVIEW, on, enhanced=True)
    # Good Friday 2 April and Easter Monday 5 April 2021 skipped
    assert (interview.reason, interview.edition, interview.due_at) == (
        "interview",
        "2020 Code",
        end_of(dt.date(2021, 4, 6)),
    )
    # under the 2015 Code a release under investigation owed the release-without-charge contact
    (old,) = vcop.owed(EventKind.RELEASED_UNDER_INVESTIGATION, before, enhanced=True)
    assert (old.reason, old.edition, old.due_at) == (
        "suspect_released",
        "2015 Code",
        end_of(dt.date(2021, 4, 1)),
    )
    (new,) = vcop.owed(EventKind.RELEASED_UNDER_INVESTIGATION, on, enhanced=False)
    assert (new.reason, new.edition) == ("released_under_investigation", "2020 Code")
    # five working days from Thursday 1 April 2021: 6, 7, 8, 9, 12
    assert new.due_at == end_of(dt.date(2021, 4, 12))
    # a decision not to charge was owed under every edition
    (dnc,) = vcop.owed(EventKind.DECISION_NOT_TO_CHARGE, dt.datetime(2010, 4, 1, 9), enhanced=True)
    assert (dnc.edition, dnc.due_at) == ("2006 Code", end_of(dt.date(2010, 4, 6)))


def test_every_event_kind_owes_contacts_with_rules_and_opening_owes_none() -> None:
    at = dt.datetime(2026, 3, 4, 10)
    for kind in EventKind:
        contacts = vcop.owed(kind, at, enhanced=True)
        assert len(contacts) == (0 if kind == EventKind.INVESTIGATION_OPENED else 1), kind
        for c in contacts:
            assert c.reason in vc.contact_types()
    with pytest.raises(ValueError, match="'escape'"):
        vcop.owed("escape", at, enhanced=True)


def test_monthly_updates_stop_at_the_arrest() -> None:
    opened = dt.datetime(2026, 1, 31, 10)
    updates = vcop.monthly_updates(opened, None, None, dt.datetime(2026, 6, 30))
    # a month on from 31 January: 28 February 2026 (a Saturday) rolls to Monday 2 March;
    # the day of the month is counted from the opening, so no drift to the 28th after
    assert updates == (
        end_of(dt.date(2026, 3, 2)),
        end_of(dt.date(2026, 3, 31)),
        end_of(dt.date(2026, 4, 30)),
        end_of(dt.date(2026, 6, 1)),  # Sunday 31 May rolls to Monday 1 June
    )
    # an arrest on 30 April, before that day's update falls due: no more updates owed
    arrested = vcop.monthly_updates(
        opened, dt.datetime(2026, 4, 30, 11), None, dt.datetime(2026, 6, 30)
    )
    assert arrested == updates[:2]
    # closing the case stops them too
    closed = vcop.monthly_updates(opened, None, dt.datetime(2026, 3, 5), dt.datetime(2026, 6, 30))
    assert closed == updates[:1]
    # nothing falls due before a month has passed
    assert vcop.monthly_updates(opened, None, None, dt.datetime(2026, 3, 1)) == ()


def test_monthly_updates_skip_christmas() -> None:
    updates = vcop.monthly_updates(
        dt.datetime(2026, 11, 25, 9), None, None, dt.datetime(2027, 1, 1)
    )
    # 25 December 2026 is Christmas Day, 26-27 the weekend, 28 the substitute Boxing Day
    assert updates == (end_of(dt.date(2026, 12, 29)),)


def test_the_update_rules_file_is_checked() -> None:
    header = "edition,interval_months,valid_from,valid_to,source\n"
    rules = vc.load_update_rules(header + "2020 Code,2,2021-04-01,,s\n", "u.csv")
    assert rules.rule(dt.date(2022, 1, 1)).interval_months == 2
    with pytest.raises(ValueError, match="no Victims' Code rule for updates"):
        rules.rule(dt.date(2020, 1, 1))
    bad = [
        ("2020 Code,0,2021-04-01,,s\n", "u.csv, line 2, column 'interval_months'"),
        ("2020 Code,1,1 April 2021,,s\n", "u.csv, line 2, column 'valid_from': '1 April 2021'"),
        ("2019 Code,1,2021-04-01,,s\n", "u.csv, line 2, column 'edition': '2019 Code' is not"),
        ("2020 Code,1,2021-05-01,,s\n", "u.csv, line 2, column 'valid_from': 2020 Code is in"),
    ]
    for row, message in bad:
        with pytest.raises(vc.DeadlineRulesError) as caught:
            vc.load_update_rules(header + row, "u.csv", vc.deadline_rules())
        assert str(caught.value).startswith(message), str(caught.value)


def test_contact_status_and_the_overdue_list_by_team() -> None:
    now = dt.datetime(2026, 12, 22, 9)
    due = end_of(dt.date(2026, 12, 21))
    assert vcop.contact_status(due, due, now) == "made"  # at the deadline is on time
    assert vcop.contact_status(due, due + dt.timedelta(seconds=1), now) == "late"
    assert vcop.contact_status(due, None, now) == "overdue"
    assert vcop.contact_status(due, None, dt.datetime(2026, 12, 21, 12)) == "due"
    rows = [
        ContactRow(1, "arrest", due, team="Lambeth CSU"),
        ContactRow(2, "update", due - dt.timedelta(days=3), team="Lambeth CSU"),
        ContactRow(3, "arrest", due, due, team="Lambeth CSU"),  # made
        ContactRow(4, "bail_change", due + dt.timedelta(days=2), team="Southwark CSU"),  # not yet
        ContactRow(5, "interview", due - dt.timedelta(days=1), team=""),
    ]
    late = vcop.overdue(rows, now)
    assert [c.case_id for c in late] == [2, 5, 1]
    grouped = vcop.by_team(late)
    assert list(grouped) == ["Lambeth CSU", "No team"]
    assert [c.case_id for c in grouped["Lambeth CSU"]] == [2, 1]


def _figures(results: list, indicator: str) -> dict[tuple, tuple]:
    return {
        (r.area_code, r.family, r.cuts): (r.numerator, r.denominator)
        for r in results
        if r.indicator == indicator
    }


def test_cases_and_an_extract_give_the_same_compliance(tmp_path: Path) -> None:
    """The same contacts, entered as cases and imported as an extract, give the same
    numerators and denominators of every Victims' Code indicator."""
    contacts = [
        # (case, area, reason, due (local), made (local) or None)
        (1, LAMBETH, "arrest", "2026-03-02T23:59:59", "2026-03-02T10:00:00"),
        (1, LAMBETH, "support_referral", "2026-03-03T23:59:59", "2026-03-05T09:00:00"),
        (1, LAMBETH, "update", "2026-04-01T23:59:59", None),
        (2, SOUTHWARK, "bail_change", "2026-06-30T23:59:59", "2026-06-30T23:59:59"),
        (2, SOUTHWARK, "suspect_charged", "2026-07-01T23:59:59", None),
        (3, LAMBETH, "non_court_disposal", "2026-10-26T00:30:00", "2026-10-25T23:00:00"),
        (3, LAMBETH, "arrest", "2027-02-01T10:00:00", None),  # after the period
    ]
    b = ExtractBuilder()
    crimes = {
        case: b.crime(area=area, recorded_at="2026-03-01T10:00:00") for case, area, *_ in contacts
    }
    for case, _, reason, due, made in contacts:
        b.contact(crimes[case], reason, due, made or "")
    period = {"start": dt.date(2026, 1, 1), "end": dt.date(2027, 1, 1)}
    indicators = vcop.compliance_indicators()
    for by in ((), ("area",), ("reason",)):
        from_extract = compute_from_extract(
            b.write(tmp_path / f"extract{len(by)}{by[:1]}"),
            IndicatorQuery(**period, by=by, indicators=indicators, families=("dv",)),
        )
        rows = [
            ContactRow(
                case,
                reason,
                dt.datetime.fromisoformat(due).replace(tzinfo=LONDON),
                dt.datetime.fromisoformat(made).replace(tzinfo=LONDON) if made else None,
                team="CSU",
                area_code=area,
            )
            for case, area, reason, due, made in contacts
        ]
        from_cases = [r for r in vcop.case_compliance(rows, **period, by=by) if r.family == "dv"]
        for indicator in indicators:
            assert _figures(from_cases, indicator) == _figures(from_extract, indicator), (
                by,
                indicator,
            )
    overall = _figures(from_cases, "vcop_compliance")
    assert overall[("ALL", "dv", (("reason", "ALL"),))] == (3, 6)
    assert overall[("ALL", "dv", (("reason", "support_referral"),))] == (0, 1)


def test_case_only_contacts_count_in_the_overall_indicator_and_by_reason() -> None:
    due = dt.datetime(2026, 5, 6, 23, 59, 59, tzinfo=LONDON)
    rows = [
        ContactRow(1, "interview", due, due - dt.timedelta(hours=1), area_code=LAMBETH),
        ContactRow(1, "decision_not_to_charge", due, None, area_code=LAMBETH),
        # a sexual offence that is not domestic abuse: the sexual family, not dv
        ContactRow(
            2, "arrest", due, due, area_code=LAMBETH, domestic_abuse=False, sexual_offence=True
        ),
        # neither: in no family, as in an extract
        ContactRow(3, "arrest", due, None, area_code=LAMBETH, domestic_abuse=False),
    ]
    results = vcop.case_compliance(rows, dt.date(2026, 5, 1), dt.date(2026, 6, 1), by=("reason",))
    overall = _figures(results, "vcop_compliance")
    assert overall[("ALL", "dv", (("reason", "ALL"),))] == (1, 2)
    assert overall[("ALL", "dv", (("reason", "interview"),))] == (1, 1)
    assert overall[("ALL", "dv", (("reason", "decision_not_to_charge"),))] == (0, 1)
    assert overall[("ALL", "sexual", (("reason", "ALL"),))] == (1, 1)
    assert overall[("ALL", "serious_sexual", (("reason", "ALL"),))] == (0, 0)


def test_the_code_is_in_force_from_its_first_edition_and_not_before() -> None:
    first = vcop.code_in_force_from()
    assert first == min(r.valid_from for r in vc.update_rules()) == dt.date(2006, 4, 3)
    opened = dt.datetime.combine(first, dt.time(10))
    assert vcop.monthly_updates(opened, None, None, opened + dt.timedelta(days=40))
    # a day earlier the rules cannot date the updates: the form refuses such a date
    with pytest.raises(ValueError, match="no Victims' Code rule"):
        vcop.monthly_updates(opened - dt.timedelta(days=1), None, None, opened)
