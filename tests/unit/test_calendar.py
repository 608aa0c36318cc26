"""The calendar feed: timed meetings in London time, all-day deadlines, stable UIDs."""

from __future__ import annotations

import datetime as dt

import icalendar

from dsvb.oversight.calendar import CalendarMeeting, build_calendar
from dsvb.oversight.due import Deadline

STAMP = dt.datetime(2010, 5, 1, 9, 0, tzinfo=dt.UTC)
SUMMER = CalendarMeeting("meeting-1", dt.date(2010, 6, 15), dt.time(14, 0), "Borough session")
WINTER = CalendarMeeting("meeting-2", dt.date(2010, 12, 7), dt.time(14, 0), "Thematic session")
OPEN = Deadline(
    "draft_report",
    "Lambeth's draft report",
    "E09000022",
    dt.date(2010, 6, 1),
    None,
    "brief-3-draft",
)
MET = Deadline(
    "brief_send",
    "Brief to Lambeth",
    "E09000022",
    dt.date(2010, 4, 20),
    dt.date(2010, 4, 19),
    "brief-3-send",
)


def events(feed: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(feed)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_meetings_are_timed_in_london_time_summer_and_winter() -> None:
    found = events(build_calendar([SUMMER, WINTER], [], name="Board", stamp=STAMP))
    summer = found["meeting-1@dsvb.board"].decoded("dtstart")
    winter = found["meeting-2@dsvb.board"].decoded("dtstart")
    # 14:00 in London is 13:00 UTC in British Summer Time and 14:00 UTC in winter
    assert summer.astimezone(dt.UTC).hour == 13 and winter.astimezone(dt.UTC).hour == 14
    assert str(found["meeting-1@dsvb.board"]["dtstart"].params["TZID"]) == "Europe/London"
    assert b"BEGIN:VTIMEZONE" in build_calendar([SUMMER], [], name="Board", stamp=STAMP)


def test_deadlines_are_all_day_and_only_those_not_yet_done() -> None:
    found = events(build_calendar([], [OPEN, MET], name="Board", stamp=STAMP))
    assert set(found) == {"brief-3-draft@dsvb.board"}
    event = found["brief-3-draft@dsvb.board"]
    assert event.decoded("dtstart") == dt.date(2010, 6, 1)  # a date, not a time
    assert event.decoded("dtend") == dt.date(2010, 6, 2)
    assert "Draft report" in str(event["summary"])


def test_uids_are_the_same_in_every_fetch_and_differ_between_events() -> None:
    first = build_calendar([SUMMER, WINTER], [OPEN], name="Board", stamp=STAMP)
    later = build_calendar(
        [WINTER, SUMMER], [OPEN], name="Board", stamp=STAMP + dt.timedelta(days=3)
    )
    assert set(events(first)) == set(events(later))
    assert len(events(first)) == 3
