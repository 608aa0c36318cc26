"""The board's meetings and the cycle's deadlines as an iCalendar feed (RFC 5545).

Calendar applications cannot sign in, so the web app serves each person a feed at a secret
address and decides there what that person may see; this module only writes the calendar.
Meetings are timed events in London time (with the Europe/London time zone, so a meeting in
British Summer Time is at the right hour all year); deadlines are all-day events. Each event's
UID is built from the stored object's id, so a calendar application updates an event that
moved instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar

from dsvb.oversight.due import Deadline

LONDON = ZoneInfo("Europe/London")
DOMAIN = "dsvb.board"
PRODUCT = "-//Domestic and Sexual Violence Board//dsvb//EN"


@dataclass(frozen=True)
class CalendarMeeting:
    """A meeting as the feed shows it: ``key`` stable per meeting ("meeting-7")."""

    key: str
    date: dt.date
    starts_at: dt.time
    title: str
    location: str = ""
    description: str = ""
    hours: float = 2.0
    cancelled: bool = False


def uid(key: str) -> str:
    """The event's UID: the same for the same meeting or deadline in every fetch."""
    return f"{key}@{DOMAIN}"


def build_calendar(
    meetings: Iterable[CalendarMeeting],
    deadlines: Iterable[Deadline],
    *,
    name: str,
    stamp: dt.datetime,
) -> bytes:
    """The feed: one timed event per meeting, one all-day event per deadline not yet done
    (a deadline met no longer needs a place in anyone's diary). ``stamp`` (UTC) is the
    DTSTAMP of every event: when the feed was made."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/London")
    stamp = stamp.astimezone(dt.UTC)
    for m in meetings:
        event = icalendar.Event()
        event.add("uid", uid(m.key))
        event.add("dtstamp", stamp)
        start = dt.datetime.combine(m.date, m.starts_at, tzinfo=LONDON)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(hours=m.hours))
        event.add("summary", m.title)
        if m.location:
            event.add("location", m.location)
        if m.description:
            event.add("description", m.description)
        event.add("status", "CANCELLED" if m.cancelled else "CONFIRMED")
        cal.add_component(event)
    for d in deadlines:
        if d.done is not None:
            continue
        event = icalendar.Event()
        event.add("uid", uid(d.key or f"{d.kind.value}-{d.due}-{d.subject}"))
        event.add("dtstamp", stamp)
        event.add("dtstart", d.due)  # a date: an all-day event
        event.add("dtend", d.due + dt.timedelta(days=1))
        event.add("summary", f"Due: {d.kind.label}: {d.subject}")
        event.add("transp", "TRANSPARENT")
        event.add("categories", [d.kind.label])
        cal.add_component(event)
    if any(True for _ in cal.walk("VEVENT")):
        cal.add_missing_timezones()
    return cal.to_ical()
