"""The calendar feed: the secret address is the only key; it shows what its person may see
on the day it is fetched (a borough never another borough's deadlines); unknown, renewed and
disabled addresses give nothing; every fetch and refusal is audited; nothing is cached."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.test import Client

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import AuditEvent
from dsvb.web.oversight import models as m
from tests.support.web_fixtures import LAMBETH, SOUTHWARK


def _feed(client: Client, token: str) -> tuple[int, list]:
    response = client.get(f"/board/calendar/{token}.ics")
    if response.status_code != 200:
        return response.status_code, []
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    cal = icalendar.Calendar.from_ical(response.content)
    return 200, list(cal.walk("VEVENT"))


@pytest.fixture
def upcoming(cycle_objects):
    """Sent briefs of Lambeth and Southwark at the coming meeting, their reports not yet in:
    deadlines in everyone's future."""
    meeting = m.Meeting.objects.get(pk=cycle_objects["{meeting_coming}"])
    for session in meeting.sessions.all():
        brief, _ = m.Brief.objects.get_or_create(
            session=session,
            defaults={
                "period_start": dt.date(2029, 1, 1),
                "period_end": dt.date(2029, 12, 31),
                **m.Brief.defaults_for(meeting.date),
            },
        )
        brief.status, brief.sent_on = "sent", dt.date(2030, 9, 1)
        brief.save()
    return meeting


def test_a_borough_feed_never_shows_another_boroughs_deadlines(
    make_user, cycle_objects, upcoming
) -> None:
    lambeth = make_user(Role.BOROUGH_USER, username="lambeth", area_code=LAMBETH)
    southwark = make_user(Role.BOROUGH_USER, username="southwark", area_code=SOUTHWARK)
    board = make_user(Role.SECRETARIAT, username="sec", second_factor=False)
    feeds = {}
    for user in (lambeth, southwark, board):
        status, events = _feed(Client(), m.CalendarToken.for_user(user).token)
        assert status == 200
        feeds[user.username] = [str(e["summary"]) for e in events]
    assert any("Lambeth" in s for s in feeds["lambeth"])
    assert not any("Southwark" in s for s in feeds["lambeth"])
    assert any("Southwark" in s for s in feeds["southwark"])
    assert not any("Lambeth" in s for s in feeds["southwark"])
    board_feed = feeds["sec"]
    assert any("Lambeth" in s for s in board_feed) and any("Southwark" in s for s in board_feed)
    # the coming meeting: both boroughs are invited to it, so both see it; the board sees all
    assert sum("DSVB:" in s for s in board_feed) == m.Meeting.objects.count()
    assert sum("DSVB:" in s for s in feeds["lambeth"]) < m.Meeting.objects.count() + 1
    fetched = AuditEvent.objects.filter(action="calendar_fetched")
    assert fetched.count() == 3 and {e.actor_username for e in fetched} == {
        "lambeth",
        "southwark",
        "sec",
    }


def test_an_unknown_or_renewed_address_gives_nothing_and_is_audited(make_user, cycle_objects):
    user = make_user(Role.BOROUGH_USER, username="lambeth", area_code=LAMBETH)
    old = m.CalendarToken.for_user(user).token
    assert _feed(Client(), "x" * 43)[0] == 404
    new = m.CalendarToken.for_user(user, renew=True).token
    assert new != old
    assert _feed(Client(), old)[0] == 404
    assert _feed(Client(), new)[0] == 200
    refused = AuditEvent.objects.filter(action="calendar_refused")
    assert refused.count() == 2


def test_a_disabled_persons_address_gives_nothing(make_user, cycle_objects) -> None:
    user = make_user(Role.SECRETARIAT, username="gone", second_factor=False)
    token = m.CalendarToken.for_user(user).token
    user.is_active = False
    user.save()
    assert _feed(Client(), token)[0] == 404
    assert AuditEvent.objects.filter(action="calendar_refused", actor_id=user.pk).exists()


def test_the_page_shows_the_persons_address_and_renews_it(client_for, cycle_objects) -> None:
    client = client_for(Role.BOROUGH_USER)
    page = client.get("/board/calendar/").content.decode()
    token = m.CalendarToken.objects.get(user=client.user).token
    assert f"/board/calendar/{token}.ics" in page
    assert client.post("/board/calendar/renew/").status_code == 302
    assert m.CalendarToken.objects.get(user=client.user).token != token
