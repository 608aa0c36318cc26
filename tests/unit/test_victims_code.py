"""Victims' Code deadlines: the dated rules file, its checks, and the deadline computation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from dsvb.ingest.extract_format import CONTACT_REASONS
from dsvb.reference import victims_code as vc

HEADER = "edition,contact_type,victim_category,working_days,valid_from,valid_to,source\n"
GOOD = (
    HEADER
    + "2015 Code,arrest,enhanced,1,2015-11-16,2021-04-01,the 2015 Code\n"
    + '2020 Code,arrest,enhanced,3,2021-04-01,,"the 2020 Code,\nRight 6"\n'
    + "2020 Code,arrest,standard,5,2021-04-01,,the 2020 Code\n"
)


def test_the_shipped_rules_load_and_cover_every_timed_contact_in_every_edition() -> None:
    rules = vc.deadline_rules()
    editions = {(r.edition, r.valid_from, r.valid_to) for r in rules}
    assert editions == {
        ("2006 Code", dt.date(2006, 4, 3), dt.date(2013, 12, 10)),
        ("2013 Code", dt.date(2013, 12, 10), dt.date(2015, 11, 16)),
        ("2015 Code", dt.date(2015, 11, 16), dt.date(2021, 4, 1)),
        ("2020 Code", dt.date(2021, 4, 1), None),
    }
    timed = [c for c in CONTACT_REASONS if c != "update"]  # updates recur monthly
    for edition, valid_from, _ in editions:
        for contact in timed:
            for category in vc.CATEGORIES:
                rule = rules.rule(contact, valid_from, category)
                assert rule.edition == edition
                expected = (
                    2 if contact == "support_referral" else 1 if category == "enhanced" else 5
                )
                assert rule.working_days == expected, (edition, contact, category)


def test_a_good_file_is_read() -> None:
    rules = vc.load_deadline_rules(GOOD, "x.csv")
    assert len(rules) == 3
    rule = rules.rule("arrest", dt.date(2022, 1, 1))
    assert (rule.edition, rule.working_days, rule.source) == (
        "2020 Code",
        3,
        "the 2020 Code,\nRight 6",
    )
    assert rules.rule("arrest", dt.date(2022, 1, 1), "standard").working_days == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "x.csv, line 1: the file is empty"),
        ("edition,contact_type\n", "x.csv, line 1: the header must be"),
        (HEADER, "x.csv, line 2: the file has no rules"),
        (
            HEADER + "2015 Code,arrested,enhanced,1,2015-11-16,,s\n",
            "x.csv, line 2, column 'contact_type': 'arrested' is not a contact type",
        ),
        (
            HEADER + "2015 Code,arrest,vulnerable,1,2015-11-16,,s\n",
            "x.csv, line 2, column 'victim_category': 'vulnerable' is not a victim category",
        ),
        (
            HEADER + "2015 Code,arrest,enhanced,0,2015-11-16,,s\n",
            "x.csv, line 2, column 'working_days': '0' is not a whole number of working days",
        ),
        (
            HEADER + "2015 Code,arrest,enhanced,one,2015-11-16,,s\n",
            "x.csv, line 2, column 'working_days': 'one' is not a whole number",
        ),
        (
            HEADER + "2015 Code,arrest,enhanced,1,16/11/2015,,s\n",
            "x.csv, line 2, column 'valid_from': '16/11/2015' is not a date",
        ),
        (
            HEADER + "2015 Code,arrest,enhanced,1,2015-11-16,2015-11-16,s\n",
            "x.csv, line 2, column 'valid_to': 2015-11-16 is not after valid_from",
        ),
        (
            HEADER + "2015 Code,arrest,enhanced,1,2015-11-16,,\n",
            "x.csv, line 2, column 'source': the source is empty",
        ),
        (
            HEADER + "2015 Code,arrest,enhanced,1,2015-11-16\n",
            "x.csv, line 2: the row has 5 values; it needs 7",
        ),
        (
            # a quoted source over two lines: the bad row is on line 4 of the file
            HEADER
            + '2015 Code,arrest,enhanced,1,2015-11-16,2021-04-01,"two\nlines"\n'
            + "2020 Code,arrest,enhanced,1,2021-03-01,,s\n",
            "x.csv, line 4, column 'valid_from': arrest (enhanced) already has a rule in force "
            "then (2015 Code, line 2); editions must not overlap",
        ),
        (
            HEADER
            + "2015 Code,arrest,enhanced,1,2015-11-16,2021-04-01,s\n"
            + "2015 Code,bail_change,enhanced,1,2015-11-16,,s\n",
            "x.csv, line 3, column 'valid_from': 2015 Code is in force 2015-11-16 to now here "
            "but 2015-11-16 to 2021-04-01 on line 2",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_file_line_and_column(text: str, message: str) -> None:
    with pytest.raises(vc.DeadlineRulesError) as caught:
        vc.load_deadline_rules(text, "x.csv")
    assert str(caught.value).startswith(message), str(caught.value)


# Bank holidays in England and Wales, 2010: Good Friday 2 April, Easter Monday 5 April;
# Christmas Day and Boxing Day fell on a weekend, so Monday 27 and Tuesday 28 December.
@pytest.mark.parametrize(
    ("contact", "event", "category", "due"),
    [
        # Thursday before Easter: Friday and Monday are bank holidays, so Tuesday
        ("arrest", dt.datetime(2010, 4, 1, 14, 30), "enhanced", dt.date(2010, 4, 6)),
        # five working days from that Thursday: Tue 6, Wed 7, Thu 8, Fri 9, Mon 12
        ("suspect_charged", dt.datetime(2010, 4, 1, 9, 0), "standard", dt.date(2010, 4, 12)),
        # an arrest on a Saturday counts from the Friday before: due Monday
        ("arrest", dt.datetime(2010, 4, 10, 23, 59), "enhanced", dt.date(2010, 4, 12)),
        # two working days for the referral to victim support, from Friday: Mon 12, Tue 13
        ("support_referral", dt.datetime(2010, 4, 9, 0, 0), "enhanced", dt.date(2010, 4, 13)),
        # Christmas Eve (a Friday): the weekend and both substitute bank holidays skipped
        ("bail_change", dt.datetime(2010, 12, 24, 16, 0), "enhanced", dt.date(2010, 12, 29)),
        # an ordinary Wednesday
        ("non_court_disposal", dt.datetime(2022, 6, 8, 12, 0), "enhanced", dt.date(2022, 6, 9)),
    ],
)
def test_deadline_across_bank_holidays_and_weekends(
    contact: str, event: dt.datetime, category: str, due: dt.date
) -> None:
    assert vc.deadline(contact, event, category) == dt.datetime.combine(due, dt.time(23, 59, 59))


def test_the_edition_in_force_sets_the_deadline() -> None:
    rules = vc.load_deadline_rules(GOOD, "x.csv")
    # Wednesday 31 March 2021, 2015 Code (1 day): Thursday 1 April
    assert vc.deadline("arrest", dt.datetime(2021, 3, 31, 12), rules=rules).date() == dt.date(
        2021, 4, 1
    )
    # Thursday 1 April 2021, this file's 2020 Code (3 days): Good Friday 2 April and Easter
    # Monday 5 April skipped, so Tue 6, Wed 7, Thu 8
    assert vc.deadline("arrest", dt.datetime(2021, 4, 1, 12), rules=rules).date() == dt.date(
        2021, 4, 8
    )
    shipped = vc.deadline_rules()
    assert shipped.edition(dt.date(2013, 12, 9)) == "2006 Code"
    assert shipped.edition(dt.date(2013, 12, 10)) == "2013 Code"
    assert shipped.edition(dt.date(2021, 3, 31)) == "2015 Code"
    assert shipped.edition(dt.date(2021, 4, 1)) == "2020 Code"


def test_no_deadline_is_made_up() -> None:
    with pytest.raises(ValueError, match="was in force on 2005-06-01"):
        vc.deadline("arrest", dt.datetime(2005, 6, 1, 12))
    with pytest.raises(ValueError, match="no edition of the Victims' Code was in force"):
        vc.deadline_rules().edition(dt.date(2006, 4, 2))
    with pytest.raises(ValueError, match="no Victims' Code deadline for 'update'"):
        vc.deadline("update", dt.datetime(2010, 4, 1, 12))
    with pytest.raises(ValueError, match="unknown victim category 'vulnerable'"):
        vc.deadline("arrest", dt.datetime(2010, 4, 1, 12), "vulnerable")


def test_the_array_form_gives_the_same_days_as_the_one_at_a_time_form() -> None:
    days = np.arange(np.datetime64("2010-03-25"), np.datetime64("2010-04-15"))
    calendar = vc.working_day_calendar(range(2009, 2012))
    due = vc.due_days("arrest", days, calendar, "standard")
    for day, d in zip(days.astype(dt.date), due.astype(dt.date), strict=True):
        event = dt.datetime.combine(day, dt.time(10))
        assert vc.deadline("arrest", event, "standard").date() == d
