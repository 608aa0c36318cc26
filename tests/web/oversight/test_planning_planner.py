"""The review planner's page: coverage of the current cycle from held sessions and reviews
held before dsvb; the proposal for the coming meetings with its reasons, accepted (sessions
with the planner's reasons) or changed by the secretariat, both audited."""

from __future__ import annotations

import datetime as dt

import pytest

from dsvb import reference
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import AuditEvent
from dsvb.web.oversight import models as m
from tests.support.web_fixtures import LAMBETH

CAMDEN = "E09000007"


@pytest.fixture
def planned(cycle_objects):
    """A current cycle, and an empty borough session in 2031 (two free places)."""
    m.Cycle.objects.create(name="2030-33", starts=dt.date(2010, 1, 1), ends=dt.date(2099, 1, 1))
    return m.Meeting.objects.create(date=dt.date(2031, 1, 14), kind="borough_session")


def test_a_review_before_dsvb_is_entered_and_counted(client_for, planned) -> None:
    client = client_for(Role.SECRETARIAT)
    response = client.post(
        "/board/planner/past-reviews/new/", {"area_code": CAMDEN, "date": "2009-03-10"}
    )
    assert response.status_code == 302
    page = client.get("/board/planner/").content.decode()
    assert "10 Mar 2009" in page and "15 Jun 2010" in page  # Camden's, and Lambeth's session
    # Lambeth and Southwark were reviewed in the cycle (their 2010 session); Camden before it
    assert f"2 of {len(reference.boroughs())} boroughs reviewed" in page


def test_the_proposal_is_accepted_with_its_reasons(client_for, planned) -> None:
    client = client_for(Role.SECRETARIAT)
    page = client.get("/board/planner/").content.decode()
    assert "never reviewed" in page  # a reason, in words
    assert client.post("/board/planner/accept/").status_code == 302
    sessions = list(planned.sessions.all())
    assert len(sessions) == 2
    assert all("never reviewed" in s.planned_reason for s in sessions)
    assert LAMBETH not in {s.area_code for s in sessions}  # reviewed, and already invited
    entry = AuditEvent.objects.filter(action="plan_accepted").latest("id")
    assert all(s.area_name in entry.summary for s in sessions)
    # accepted again: the meeting is full, nothing more is added
    client.post("/board/planner/accept/")
    assert planned.sessions.count() == 2


def test_the_secretariat_chooses_other_boroughs(client_for, planned) -> None:
    client = client_for(Role.SECRETARIAT)
    field = f"meeting_{planned.pk}"
    assert field in client.get("/board/planner/change/").content.decode()
    response = client.post("/board/planner/change/", {field: [CAMDEN]})
    assert response.status_code == 302
    assert [s.area_code for s in planned.sessions.all()] == [CAMDEN]
    assert (
        "Changed the plan" in AuditEvent.objects.filter(action="plan_accepted").latest("id").summary
    )
    # a borough chosen for two meetings at once is refused
    other = m.Meeting.objects.create(date=dt.date(2031, 3, 14), kind="borough_session")
    response = client.post(
        "/board/planner/change/", {field: [CAMDEN], f"meeting_{other.pk}": [CAMDEN]}
    )
    assert response.status_code == 200 and "already chosen" in response.content.decode()


def test_a_board_member_sees_the_planner_but_cannot_accept(client_for, planned) -> None:
    client = client_for(Role.BOARD_MEMBER)
    page = client.get("/board/planner/").content.decode()
    assert "Accept the proposal" not in page
    assert client.post("/board/planner/accept/").status_code == 403
    assert not planned.sessions.exists()


def test_with_data_the_proposal_names_the_concerns_it_weighs(client_for, demo_store) -> None:
    today = dt.date.today()
    m.Cycle.objects.create(
        name="Now", starts=today.replace(day=1), ends=today.replace(year=today.year + 3)
    )
    m.Meeting.objects.create(date=today + dt.timedelta(days=60), kind="borough_session")
    page = client_for(Role.BOARD_MEMBER).get("/board/planner/").content.decode()
    assert "Concerns are read from the data for" in page
    reasons = ("outside the 99.8% limits", "for the worse", "missed", "follow-up request")
    assert any(r in page for r in reasons), page[page.find("proposal") :][:3000]
