"""The MARAC pages: referring (consent, shares, alert, repeat), a coordinator's meeting and
actions, a non-member refused, transfers, an action's update by its agency, and the
quarterly return's numbers on the fixture's small known set."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.cases import audit
from dsvb.web.cases import models as m
from tests.support.case_fixtures import CHILDREN, MARAC, OWN_AGENCY, POLICE

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(client_for):
    return client_for(Role.PARTNER)


@pytest.fixture
def coordinator(client_for):
    return client_for(Role.PARTNER, username="coord", agency=MARAC)


def _refer(client, case_id: int, marac_id: int, **extra):
    data = {"marac": marac_id, "criteria": ["visible_high_risk"], "consent": "given", **extra}
    return client.post(f"/cases/{case_id}/refer/", data)


def test_the_refer_page_shows_the_proposals_with_their_reasons(partner, case_objects) -> None:
    page = partner.get(f"/cases/{case_objects['{case_own}']}/refer/").content.decode()
    assert "A MARAC referral is proposed" in page
    assert "scored 15: 14 or more is visible high risk" in page
    assert 'value="visible_high_risk"' in page and "checked" in page


def test_referring_without_consent_needs_a_reason(partner, case_objects) -> None:
    case, marac = case_objects["{case_own}"], case_objects["{marac}"]
    before = m.Referral.objects.count()
    page = _refer(partner, case, marac, consent="not_given")
    assert page.status_code == 200
    assert "Give the reason for referring without the victim" in page.content.decode()
    page = _refer(partner, case, marac, criteria=["professional_judgement"])
    assert "Give the concerns behind the professional judgement" in page.content.decode()
    assert m.Referral.objects.count() == before
    done = _refer(partner, case, marac, consent="not_sought", consent_reason="risk of escalation")
    assert done.status_code == 302
    new = m.Referral.objects.latest("pk")
    assert (new.consent, new.consent_reason) == ("not_sought", "risk of escalation")


def test_a_referral_shares_the_case_by_need_alerts_the_marac_and_records_a_repeat(
    partner, case_objects, case_agencies
) -> None:
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    perpetrator = case.parties.get(role="perpetrator").person
    # a new incident (coercive control) since the referral of 2 September 2026
    m.CaseIncident.objects.create(
        case=case, perpetrator=perpetrator, occurred_on=dt.date(2026, 10, 1), kind="other",
        recorded_by=case.agency,
    )  # fmt: skip
    # the fixture's referral already shares the case with the MARAC and its members: a new
    # referral shares nothing with an agency that already sees as much (decision 0037), so
    # those shares are taken away here to see what a first referral shares
    m.Share.objects.filter(case=case).delete()
    before_shares = set(m.Share.objects.values_list("pk", flat=True))
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = _refer(partner, case.pk, case_objects["{marac}"])
    assert response.status_code == 302
    referral = m.Referral.objects.latest("pk")
    assert referral.status == "referred" and referral.referring_agency.name == OWN_AGENCY
    assert referral.is_repeat and referral.repeat_definition == "any_abuse"
    assert set(referral.criteria) == {"visible_high_risk", "repeat"}
    shares = {
        s.to_agency.name: s
        for s in m.Share.objects.exclude(pk__in=before_shares).select_related("to_agency")
    }
    # the MARAC and each member agency but the owner, each with its kind's need
    assert set(shares) == {MARAC, POLICE, CHILDREN}
    assert set(shares[MARAC].groups) == {
        "identity", "address", "household", "perpetrator", "risk", "marac",
    }  # fmt: skip
    assert set(shares[CHILDREN].groups) == set(shares[MARAC].groups)
    assert all(s.basis == "legal_basis" and s.referral_id == referral.pk for s in shares.values())
    assert shares[POLICE].legal_basis == f"MARAC referral {referral.referred_on.isoformat()}"
    alert = m.Alert.objects.get(agency__name=MARAC, kind="marac_referral")
    assert f"Case {case.pk} referred by {OWN_AGENCY}" in alert.text and "repeat" in alert.text
    entries = list(AuditEvent.objects.filter(id__gt=last))
    assert [e.action for e in entries] == [audit.REFERRAL_MADE]
    assert "Testperson" not in entries[0].summary + json.dumps(entries[0].details)


def test_a_coordinator_holds_a_meeting_and_records_actions(coordinator, case_objects) -> None:
    marac = case_objects["{marac}"]
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    waiting = m.Referral.objects.create(
        case=case, marac_id=marac, referring_agency=case.agency, consent="given",
        criteria=["repeat"], is_repeat=True, repeat_definition="any_abuse",
    )  # fmt: skip
    response = coordinator.post(f"/cases/maracs/{marac}/meetings/new/", {"date": "2027-01-12"})
    assert response.status_code == 302
    meeting = m.MaracMeeting.objects.get(date=dt.date(2027, 1, 12))
    page = coordinator.get(f"/cases/marac-meetings/{meeting.pk}/").content.decode()
    assert f"Case {case.pk}, referred" in page  # waiting to be listed
    coordinator.post(f"/cases/marac-meetings/{meeting.pk}/list/", {"referral": waiting.pk})
    waiting.refresh_from_db()
    assert (waiting.status, waiting.meeting_id) == ("listed", meeting.pk)
    response = coordinator.post(
        f"/cases/referrals/{waiting.pk}/actions/new/",
        {
            "agency": case_objects["{agency_own}"],
            "owner": "IDVA Test",
            "task": "Safety plan review",
            "due_on": "2027-01-26",
        },
    )
    assert response.status_code == 302
    action = m.MaracAction.objects.get(task="Safety plan review")
    assert (action.owner, action.due_on, action.meeting_id) == (
        "IDVA Test", dt.date(2027, 1, 26), meeting.pk,
    )  # fmt: skip
    coordinator.post(f"/cases/marac-meetings/{meeting.pk}/held/")
    meeting.refresh_from_db()
    waiting.refresh_from_db()
    assert meeting.status == "held" and waiting.status == "heard"
    page = coordinator.get(f"/cases/marac-meetings/{meeting.pk}/").content.decode()
    assert "Safety plan review" in page and "IDVA Test" in page and "26 January 2027" in page
    assert AuditEvent.objects.filter(action=audit.MARAC_MEETING_CHANGED).count() == 2


def test_a_member_sees_the_case_list_and_its_own_actions_only(partner, case_objects) -> None:
    page = partner.get(f"/cases/marac-meetings/{case_objects['{marac_meeting}']}/")
    html = page.content.decode()
    assert page.status_code == 200 and f"Case {case_objects['{case_own}']}" in html
    assert "Flag the address" not in html  # the police's action
    assert "The meeting was held" not in html and "List it" not in html


def test_an_agency_that_is_not_a_member_is_refused_the_meeting(
    make_user, client_for, case_objects
) -> None:
    other = client_for(Role.PARTNER, username="southwark", agency="Southwark IDVA service")
    meeting = case_objects["{marac_meeting}"]
    assert other.get(f"/cases/marac-meetings/{meeting}/").status_code == 403
    refusal = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("id")
    assert refusal.object_type == "marac" and refusal.object_id == str(case_objects["{marac}"])
    assert "takes no part in Lambeth MARAC" in refusal.details["reason"]
    assert other.post(f"/cases/marac-meetings/{meeting}/held/").status_code == 403


def test_a_transfer_moves_the_referral_and_shares_with_the_new_marac(
    coordinator, case_objects, case_agencies
) -> None:
    target = m.Agency.objects.create(name="Southwark MARAC", kind="marac")
    referral = m.Referral.objects.get(pk=case_objects["{referral}"])
    page = coordinator.post(f"/cases/referrals/{referral.pk}/transfer/", {"to": target.pk})
    assert page.status_code == 200 and "This field is required" in page.content.decode()
    response = coordinator.post(
        f"/cases/referrals/{referral.pk}/transfer/", {"to": target.pk, "reason": "The victim moved"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "transferred" and referral.transferred_to_id == target.pk
    assert referral.status_reason == "The victim moved" and referral.meeting_id is None
    new = m.Referral.objects.get(marac=target)
    assert new.status == "referred" and new.case_id == referral.case_id
    assert new.consent == referral.consent and new.criteria == referral.criteria
    share = m.Share.objects.get(to_agency=target)
    assert share.referral_id == new.pk and "marac" in share.groups
    assert m.Alert.objects.filter(agency=target, kind="marac_transfer").exists()
    # a second transfer of the same referral is refused in words
    again = coordinator.post(
        f"/cases/referrals/{referral.pk}/transfer/", {"to": target.pk, "reason": "again"}
    )
    assert again.status_code == 200
    assert "A referral that is transferred cannot become transferred" in again.content.decode()
    assert m.Referral.objects.filter(case_id=referral.case_id, marac=target).count() == 1


def test_the_agency_an_action_is_for_updates_it_and_dropping_needs_a_reason(
    client_for, case_objects
) -> None:
    police = client_for(Role.PARTNER, username="ds-test", agency=POLICE)
    path = f"/cases/marac-actions/{case_objects['{marac_action}']}/"
    assert police.get(path).status_code == 200
    page = police.post(path, {"status": "dropped"})
    assert page.status_code == 200
    action = m.MaracAction.objects.get(pk=case_objects["{marac_action}"])
    assert action.status == "open"
    assert police.post(path, {"status": "dropped", "reason": "Moved away"}).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.status_reason) == ("dropped", "Moved away")
    assert police.post(path, {"status": "done"}).status_code == 200  # reopen first
    assert police.post(path, {"status": "open", "reason": "Back"}).status_code == 302
    assert police.post(path, {"status": "done"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.done_on is not None


def _hold_the_fixture_meeting(case_objects) -> None:
    meeting = m.MaracMeeting.objects.get(pk=case_objects["{marac_meeting}"])
    meeting.move_to("held")
    meeting.save()
    referral = m.Referral.objects.get(pk=case_objects["{referral}"])
    referral.move_to("heard")
    referral.save()


def test_the_return_page_counts_the_cases_heard_in_the_period(client_for, case_objects) -> None:
    _hold_the_fixture_meeting(case_objects)
    board = client_for(Role.BOARD_MEMBER)
    marac = case_objects["{marac}"]
    query = "from=2026-10-01&to=2026-12-31&women=10000&idva_fte=1"
    page = board.get(f"/cases/maracs/{marac}/return/?{query}")
    assert page.status_code == 200
    rows = {r.measure: r for r in page.context["rows"]}
    assert rows["Cases discussed"].value == 1
    assert rows["Children in the households"].value == 1
    assert rows[f"Referrals by {OWN_AGENCY}"].value == 1
    assert rows["Referrals by the police"].value == 0
    assert rows["Victims BME"].value == 0 and rows["Victims BME: not recorded"].value == 0
    assert rows["Victims LGBT: not recorded"].value == 1
    # 1 case in 92 days, a year per 10,000 women; 1 IDVA referral per 1 IDVA
    assert rows["Cases a year per 10,000 adult women"].value == round(365.25 / 92, 1) == 4.0
    assert rows["Cases a year per 10,000 adult women"].benchmark == 40
    assert rows["IDVA referrals a year per full-time IDVA"].value == 4.0
    # a quarter without the meeting: nothing
    empty = board.get(f"/cases/maracs/{marac}/return/?from=2026-07-01&to=2026-09-30")
    assert {r.measure: r for r in empty.context["rows"]}["Cases discussed"].value == 0
    bad = board.get(f"/cases/maracs/{marac}/return/?from=2026-12-31&to=2026-10-01")
    assert "The end must be on or after the start" in bad.content.decode()


def test_the_return_downloads_as_csv_and_json_and_is_audited(client_for, case_objects) -> None:
    _hold_the_fixture_meeting(case_objects)
    board = client_for(Role.SECRETARIAT)
    marac = case_objects["{marac}"]
    got = board.get(f"/cases/maracs/{marac}/return.csv?from=2026-10-01&to=2026-12-31")
    assert got.status_code == 200 and got["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.content.decode())))
    assert rows[0] == {
        "measure": "Cases discussed", "value": "1", "benchmark": "",
        "note": "discussed 1 October 2026 to 31 December 2026",
    }  # fmt: skip
    data = json.loads(
        board.get(f"/cases/maracs/{marac}/return.json?from=2026-10-01&to=2026-12-31").content
    )
    assert data["marac"] == MARAC and data["from"] == "2026-10-01"
    by = {r["measure"]: r for r in data["rows"]}
    assert by["Cases a year per 10,000 adult women"]["benchmark"] == 40
    assert by["Cases a year per 10,000 adult women"]["value"] is None
    assert AuditEvent.objects.filter(action=audit.MARAC_RETURN_EXPORTED).count() == 2
    bad = board.get(f"/cases/maracs/{marac}/return.csv?from=yesterday")
    assert bad.status_code == 400 and b"Enter a valid date" in bad.content
    assert board.get(f"/cases/maracs/{marac}/return.xlsx").status_code == 404


def test_a_member_that_does_not_coordinate_is_refused_the_return(partner, case_objects) -> None:
    assert partner.get(f"/cases/maracs/{case_objects['{marac}']}/return/").status_code == 403


def test_the_proposal_tag_shows_to_those_who_may_refer(make_user, case_objects) -> None:
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    template = Template("{% load cases_marac %}{% marac_proposal case %}")
    request = RequestFactory().get("/")
    request.user = make_user(Role.PARTNER, username="idva")
    html = template.render(Context({"request": request, "case": case}))
    assert "Refer to MARAC" in html and f"/cases/{case.pk}/refer/" in html
    assert "Visible high risk" in html
    request.user = make_user(Role.PARTNER, username="sw", agency="Southwark IDVA service")
    assert template.render(Context({"request": request, "case": case})).strip() == ""
    case.assessments.update(score=5, level="medium", score_level="medium")
    request.user = make_user(Role.PARTNER, username="idva2")
    assert template.render(Context({"request": request, "case": case})).strip() == ""


def test_the_caseload_fragment_lists_the_agency_s_actions(client_for, case_objects) -> None:
    police = client_for(Role.PARTNER, username="ds-test", agency=POLICE)
    request = RequestFactory().get("/")
    request.user = police.user
    html = Template("{% include 'cases/fragments/caseload_marac.html' %}").render(
        Context({"request": request})
    )
    assert "Flag the address" in html and "DS Test" in html
    assert "Lambeth MARAC" in html and "your agency attends" in html


def test_the_case_fragment_shows_the_referrals_to_those_who_see_the_marac_group(
    case_objects,
) -> None:
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    m.Referral.objects.filter(pk=case_objects["{referral}"]).update(
        is_repeat=True, repeat_definition="violence_threats_stalking_sexual"
    )
    fragment = Template("{% include 'cases/fragments/case_marac.html' %}")
    html = fragment.render(Context({"case": case, "show": {"marac": True}, "can_contribute": True}))
    assert "Lambeth MARAC, meeting of 15 December 2026" in html and "Listed" in html
    assert "Yes (violence, threats, stalking or sexual abuse)" in html
    assert "Lambeth Police CSU: Flag the address (open, due 22 December 2026)" in html
    assert f"/cases/{case.pk}/refer/" in html
    hidden = fragment.render(Context({"case": case, "show": {}, "can_contribute": True}))
    assert hidden.strip() == ""


def test_the_proposals_use_the_local_escalation_number_of_the_agency_s_marac(
    partner, case_objects
) -> None:
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    m.CaseIncident.objects.all().delete()
    for days in (10, 40):
        m.CaseIncident.objects.create(
            case=case, occurred_on=dt.date.today() - dt.timedelta(days=days), kind="threats",
            reported_to_police=True, recorded_by=case.agency,
        )  # fmt: skip
    path = f"/cases/{case.pk}/refer/"
    assert "police-reported incidents in the 12 months" not in partner.get(path).content.decode()
    m.Agency.objects.filter(pk=case_objects["{marac}"]).update(escalation_incidents=2)
    page = partner.get(path).content.decode()
    assert "2 police-reported incidents" in page and "the MARAC&#x27;s local number is 2" in page


def test_every_repeat_definition_fits_the_referrals_field() -> None:
    """PostgreSQL refuses a value longer than its column (SQLite does not): each definition
    a setting may name must fit where a referral records it."""
    from dsvb.cases import settings as case_settings

    names = {s.value for s in case_settings.settings() if s.name == "repeat_definition"}
    field = m.Referral._meta.get_field("repeat_definition")
    assert names and all(len(str(n)) <= field.max_length for n in names)
