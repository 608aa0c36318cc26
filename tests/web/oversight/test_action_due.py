"""An action the minutes gave no date is due at the next meeting: the register and what's due
judge it late on the same day (one rule, ``ActionItem.effective_due``)."""

from __future__ import annotations

import datetime as dt

from dsvb.web.accounts.roles import Role
from dsvb.web.oversight import models as m


def test_an_undated_action_is_late_after_the_next_meeting_on_every_page(client_for, db):
    first = m.Meeting.objects.create(date=dt.date(2020, 1, 14), kind="borough_session")
    m.Meeting.objects.create(date=dt.date(2020, 3, 10), kind="borough_session")
    minutes = m.Minutes.objects.create(meeting=first, status="approved")
    action = m.ActionItem.objects.create(
        meeting=first, owners="Board staff", task="Invite the LSP chairs"
    )
    assert minutes.pk and action.due is None
    assert action.effective_due == dt.date(2020, 3, 10)
    client = client_for(Role.SECRETARIAT)
    register = client.get("/board/actions/?overdue=yes").content.decode()
    assert "Invite the LSP chairs" in register and "Overdue" in register
    assert "10 Mar 2020 (next meeting)" in register
    due = client.get("/board/due/").content.decode()
    assert "Invite the LSP chairs" in due
    # with no next meeting planned, it is due at none and late on neither
    m.Meeting.objects.filter(date=dt.date(2020, 3, 10)).delete()
    action.refresh_from_db()
    assert action.effective_due is None
    assert "Invite the LSP chairs" not in client.get("/board/actions/?overdue=yes").content.decode()
