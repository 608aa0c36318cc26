"""The holes an independent review found in the MARAC part (decision 0037, addendum), each
shut: a referral never widens anyone's view beyond what the case's owner allowed; the
meeting's case list shows each member only what it sees of each case; the refer page keeps
incident dates from those without the criminal-justice group; repeats are per victim; and a
referral's shares end when the referral is transferred, withdrawn or closed. The second
review's (decision 0037, second addendum): a referral's open actions are dropped with it and
an action is read only by those who see the case's MARAC group (its coordinators while the
referral is live); no action is given on an ended referral; and the coordinators' waiting
lists hold no referral of a case the MARAC cannot see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.cases import audit
from dsvb.web.cases import marac_data as data
from dsvb.web.cases import models as m
from tests.support.case_fixtures import CHILDREN, MARAC, OWN_AGENCY, POLICE

pytestmark = pytest.mark.django_db

FULL = ["identity", "address", "household", "perpetrator", "risk", "marac"]


def _ag(name: str) -> m.Agency:
    return m.Agency.objects.get(name=name)


def _refer(client, case_id, marac_id, **extra):
    form = {
        "marac": marac_id,
        "criteria": ["professional_judgement"],
        "concerns": "worried",
        "consent": "given",
        **extra,
    }
    return client.post(f"/cases/{case_id}/refer/", form)


def _active(case_id) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for s in m.Share.objects.filter(case_id=case_id, status="active").select_related("to_agency"):
        out.setdefault(s.to_agency.name, set()).update(s.groups)
    return out


def _shared_case_with_marac_group(case_objects) -> m.Case:
    """The police's case, shared with the IDVA for identity, risk, household and marac (not
    address, perpetrator, criminal justice), with an address and a perpetrator recorded."""
    case = m.Case.objects.get(pk=case_objects["{case_shared}"])
    m.Share.objects.filter(pk=case_objects["{share}"]).update(
        groups=["identity", "risk", "household", "marac"]
    )
    m.Address.objects.create(case=case, kind="home", lines="9 Secret Close", postcode="SW2 9ZZ")
    perp = m.Person.objects.create(agency=case.agency, given_name="Gary", family_name="Hiddenperp")
    m.CaseParty.objects.create(case=case, person=perp, role="perpetrator")
    return case


# --- 1. a referral never widens a view --------------------------------------------------


def test_a_shared_agency_without_the_marac_group_may_not_refer(case_objects, client_for) -> None:
    idva = client_for(Role.PARTNER, username="idva-ref")
    cs = case_objects["{case_shared}"]
    before = _active(cs)
    assert idva.get(f"/cases/{cs}/refer/").status_code == 403
    assert _refer(idva, cs, case_objects["{marac}"]).status_code == 403
    assert _active(cs) == before and not m.Referral.objects.filter(case_id=cs).exists()


def test_a_shared_agency_s_referral_passes_on_only_what_it_sees_and_alerts_the_owner(
    case_objects, client_for
) -> None:
    case = _shared_case_with_marac_group(case_objects)
    idva = client_for(Role.PARTNER, username="idva-w")
    page = idva.get(f"/cases/{case.pk}/").content.decode()
    assert "9 Secret Close" not in page and "Hiddenperp" not in page
    assert _refer(idva, case.pk, case_objects["{marac}"]).status_code == 302
    after = _active(case.pk)
    seen = {"identity", "risk", "household", "marac"}
    # never a share to the referrer itself or the owner; the others within what it sees
    assert after[OWN_AGENCY] == seen and POLICE not in after
    assert after[MARAC] <= seen and after[CHILDREN] <= seen
    assert {MARAC, CHILDREN} <= set(after)
    assert all(
        s.basis == "legal_basis" for s in m.Share.objects.filter(case=case, referral__isnull=False)
    )
    page = idva.get(f"/cases/{case.pk}/").content.decode()
    assert "9 Secret Close" not in page and "Hiddenperp" not in page
    kids = client_for(Role.PARTNER, username="kids", agency=CHILDREN)
    page = kids.get(f"/cases/{case.pk}/").content.decode()
    assert "9 Secret Close" not in page and "Hiddenperp" not in page
    alert = m.Alert.objects.get(agency__name=POLICE, case=case, kind="marac_referral")
    assert f"referred to {MARAC} by {OWN_AGENCY}" in alert.text


def test_an_owner_s_referral_shares_nothing_with_an_agency_that_already_sees_as_much(
    case_objects, client_for
) -> None:
    idva = client_for(Role.PARTNER, username="idva-own")
    own = case_objects["{case_own}"]
    # the fixture's referral already shares the referral's groups with every member but the
    # police, whose share is narrowed here
    m.Share.objects.filter(case_id=own, to_agency__name=POLICE).update(groups=["identity"])
    before = set(m.Share.objects.values_list("pk", flat=True))
    assert _refer(idva, own, case_objects["{marac}"]).status_code == 302
    new = m.Share.objects.exclude(pk__in=before).select_related("to_agency")
    assert {s.to_agency.name for s in new} == {POLICE}
    assert set(new.get().groups) == set(FULL)
    assert not m.Alert.objects.filter(agency__name=OWN_AGENCY, kind="marac_referral").exists()


def test_only_the_referring_agency_s_maracs_or_the_case_s_borough_s_are_offered(
    case_objects, client_for
) -> None:
    southwark = m.Agency.objects.create(name="Southwark MARAC", kind="marac", area_code="E09000028")
    southwark.members.add(_ag("Southwark IDVA service"))
    idva = client_for(Role.PARTNER, username="idva-m")
    own = case_objects["{case_own}"]
    page = idva.get(f"/cases/{own}/refer/").content.decode()
    assert MARAC in page and "Southwark MARAC" not in page
    before = m.Referral.objects.count()
    assert _refer(idva, own, southwark.pk).status_code == 200
    assert m.Referral.objects.count() == before
    # the case's borough's MARAC is offered though the agency is not a member
    _ag(MARAC).members.remove(_ag(OWN_AGENCY))
    assert MARAC in idva.get(f"/cases/{own}/refer/").content.decode()
    assert data.maracs_for([_ag(OWN_AGENCY)]) == []


# --- 2. the meeting's case list ---------------------------------------------------------


def _row(page: str, referral_id) -> str:
    start = page.index(f'id="listed-{referral_id}"')
    return page[start : page.index("</tr>", start)]


def test_a_member_that_cannot_see_a_case_does_not_see_its_row(case_objects, client_for) -> None:
    edu = m.Agency.objects.create(name="Lambeth Schools", kind="education", area_code="E09000022")
    _ag(MARAC).members.add(edu)
    school = client_for(Role.PARTNER, username="edu", agency="Lambeth Schools")
    assert school.get(f"/cases/{case_objects['{case_own}']}/").status_code == 403
    page = school.get(f"/cases/marac-meetings/{case_objects['{marac_meeting}']}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Case {case_objects['{case_own}']}" not in body and "High" not in body
    assert "No case is listed yet" in body


def test_each_row_shows_the_level_only_with_risk_and_repeat_and_consent_only_with_marac(
    case_objects, client_for
) -> None:
    own, ref = case_objects["{case_own}"], case_objects["{referral}"]
    meeting = f"/cases/marac-meetings/{case_objects['{marac_meeting}']}/"
    m.Share.objects.filter(case_id=own, to_agency__name=CHILDREN).update(
        groups=["identity", "household", "marac"]
    )
    m.Share.objects.filter(case_id=own, to_agency__name=POLICE).update(groups=["identity", "risk"])
    kids = _row(
        client_for(Role.PARTNER, username="k", agency=CHILDREN).get(meeting).content.decode(), ref
    )
    assert "High" not in kids and "Given" in kids and "No" in kids
    police = _row(
        client_for(Role.PARTNER, username="p", agency=POLICE).get(meeting).content.decode(), ref
    )
    assert "High" in police and "Given" not in police
    assert police.count("Not shared with your agency") == 2
    coordinator = client_for(Role.PARTNER, username="coord", agency=MARAC)
    row = _row(coordinator.get(meeting).content.decode(), ref)
    assert "High" in row and "Given" in row and "Not shared" not in row


# --- 3. the refer page and incident dates -----------------------------------------------


def test_the_refer_page_keeps_the_incident_date_from_a_viewer_without_criminal_justice(
    case_objects, client_for
) -> None:
    case = _shared_case_with_marac_group(case_objects)
    m.Referral.objects.create(
        case=case, marac=_ag(MARAC), referring_agency=_ag(POLICE),
        referred_on=dt.date(2026, 10, 15), consent="given", status="heard",
    )  # fmt: skip
    m.CaseIncident.objects.create(
        case=case, occurred_on=dt.date(2026, 11, 20), kind="threats", reported_to_police=True,
        recorded_by=_ag(POLICE), perpetrator=case.parties.get(role="perpetrator").person,
    )  # fmt: skip
    idva = client_for(Role.PARTNER, username="idva-ref2")
    body = idva.get(f"/cases/{case.pk}/refer/").content.decode()
    assert "20 November 2026" not in body and "15 October 2026" not in body
    assert "This referral will be recorded as a repeat" in body
    police = client_for(Role.PARTNER, username="ds", agency=POLICE)
    body = police.get(f"/cases/{case.pk}/refer/").content.decode()
    assert "This is a repeat: an incident on 20 November 2026" in body


# --- 5. repeats per victim --------------------------------------------------------------


def test_a_repeat_is_per_victim_across_her_cases(case_objects) -> None:
    own = m.Case.objects.get(pk=case_objects["{case_own}"])  # referred 2 September 2026
    perp = own.parties.get(role="perpetrator").person
    new = m.Case.objects.create(
        agency=own.agency, victim=own.victim, opened_on=dt.date(2026, 11, 1)
    )
    m.CaseParty.objects.create(case=new, person=perp, role="perpetrator")
    m.CaseIncident.objects.create(
        case=new, perpetrator=perp, occurred_on=dt.date(2026, 11, 5), kind="violence",
        reported_to_police=True, recorded_by=own.agency,
    )  # fmt: skip
    rep = data.repeat_for(new, dt.date(2026, 12, 1))
    assert rep is not None and rep.last_referral_on == dt.date(2026, 9, 2)
    # another victim's case with the same perpetrator is not her repeat
    other = m.Person.objects.create(agency=own.agency, given_name="Fay", family_name="Example")
    theirs = m.Case.objects.create(agency=own.agency, victim=other, opened_on=dt.date(2026, 11, 1))
    m.CaseIncident.objects.create(
        case=theirs, perpetrator=perp, occurred_on=dt.date(2026, 11, 5), kind="violence",
        reported_to_police=True, recorded_by=own.agency,
    )  # fmt: skip
    assert data.repeat_for(theirs, dt.date(2026, 12, 1)) is None


# --- 6. a referral's shares end with it -------------------------------------------------


@pytest.fixture
def coordinator(client_for):
    return client_for(Role.PARTNER, username="coord", agency=MARAC)


def test_withdrawing_a_referral_needs_a_reason_and_ends_its_shares(
    case_objects, coordinator, client_for
) -> None:
    ref = m.Referral.objects.get(pk=case_objects["{referral}"])
    own = ref.case_id
    path = f"/cases/referrals/{ref.pk}/withdraw/"
    coordinator.post(path, {"reason": ""})
    ref.refresh_from_db()
    assert ref.status == "listed" and set(_active(own)) == {MARAC, POLICE, CHILDREN}
    response = coordinator.post(path, {"reason": "the victim moved abroad"})
    assert response.status_code == 302
    ref.refresh_from_db()
    assert (ref.status, ref.status_reason, ref.meeting_id) == (
        "withdrawn", "the victim moved abroad", None,
    )  # fmt: skip
    assert _active(own) == {}
    ended = m.Share.objects.filter(referral=ref)
    assert {s.withdrawn_reason for s in ended} == {"the victim moved abroad"}
    assert all(s.withdrawn_at and s.withdrawn_by_id == coordinator.user.pk for s in ended)
    alert = m.Alert.objects.get(agency__name=OWN_AGENCY, case_id=own, kind="share_withdrawn")
    assert f"Referral {ref.pk}" in alert.text and "withdrawn" in alert.text
    police = client_for(Role.PARTNER, username="ds2", agency=POLICE)
    assert police.get(f"/cases/{own}/").status_code == 403


def test_closing_a_heard_referral_ends_its_shares(case_objects, coordinator) -> None:
    ref = m.Referral.objects.get(pk=case_objects["{referral}"])
    path = f"/cases/referrals/{ref.pk}/close/"
    coordinator.post(path)  # listed, not heard: cannot close
    ref.refresh_from_db()
    assert ref.status == "listed" and _active(ref.case_id)
    coordinator.post(f"/cases/marac-meetings/{ref.meeting_id}/held/")
    page = coordinator.get(f"/cases/marac-meetings/{ref.meeting_id}/").content.decode()
    assert path in page
    assert coordinator.post(path).status_code == 302
    ref.refresh_from_db()
    assert ref.status == "closed" and _active(ref.case_id) == {}
    assert m.Alert.objects.filter(agency__name=OWN_AGENCY, kind="share_withdrawn").exists()


def test_a_transfer_ends_the_old_shares_and_shares_no_more_with_the_new_marac(
    case_objects, coordinator
) -> None:
    ref = m.Referral.objects.get(pk=case_objects["{referral}"])
    m.Share.objects.filter(case_id=ref.case_id, to_agency__name=MARAC).update(
        groups=["identity", "risk", "marac"]
    )
    target = m.Agency.objects.create(name="Croydon MARAC", kind="marac", area_code="E09000008")
    response = coordinator.post(
        f"/cases/referrals/{ref.pk}/transfer/", {"to": target.pk, "reason": "the victim moved"}
    )
    assert response.status_code == 302
    active = _active(ref.case_id)
    assert active == {"Croydon MARAC": {"identity", "risk", "marac"}}
    assert {s.withdrawn_reason for s in m.Share.objects.filter(referral=ref)} == {
        "the victim moved"
    }
    assert m.Alert.objects.filter(agency__name=OWN_AGENCY, kind="share_withdrawn").exists()


# --- 7. an action never outlives its referral (second review) ---------------------------


def _caseload(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% include 'cases/fragments/caseload_marac.html' %}").render(
        Context({"request": request})
    )


def _refusal() -> AuditEvent:
    return AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("id")


def _hold(ref: m.Referral, coordinator) -> None:
    assert coordinator.post(f"/cases/marac-meetings/{ref.meeting_id}/held/").status_code == 302


@pytest.mark.parametrize(
    ("act", "what"),
    [
        ("withdraw", "withdrawn"),
        ("close", "closed"),
        ("transfer", "transferred"),
    ],
)
def test_ending_a_referral_drops_its_open_actions_and_the_agency_loses_them(
    case_objects, coordinator, client_for, act, what
) -> None:
    ref = m.Referral.objects.get(pk=case_objects["{referral}"])
    action_id = case_objects["{marac_action}"]
    done = m.MaracAction.objects.create(
        referral=ref, agency=_ag(POLICE), task="Check the record", status="done"
    )
    police = client_for(Role.PARTNER, username="ds-act", agency=POLICE)
    path = f"/cases/marac-actions/{action_id}/"
    assert police.get(path).status_code == 200
    assert "Flag the address" in _caseload(police.user)
    if act == "close":
        _hold(ref, coordinator)
        response = coordinator.post(f"/cases/referrals/{ref.pk}/close/")
    elif act == "withdraw":
        response = coordinator.post(
            f"/cases/referrals/{ref.pk}/withdraw/", {"reason": "Ms Example withdrew consent"}
        )
    else:
        target = m.Agency.objects.create(name="Croydon MARAC", kind="marac", area_code="E09000008")
        response = coordinator.post(
            f"/cases/referrals/{ref.pk}/transfer/", {"to": target.pk, "reason": "Ms Example moved"}
        )
    assert response.status_code == 302
    action = m.MaracAction.objects.get(pk=action_id)
    # dropped with the act's words, never the typed reason (it may name people)
    assert (action.status, action.status_reason) == ("dropped", f"MARAC referral {ref.pk} {what}")
    done.refresh_from_db()
    assert done.status == "done"  # a finished action stays as it was
    entry = AuditEvent.objects.filter(action=audit.REFERRAL_CHANGED).latest("id")
    assert entry.details["actions_dropped"] == [action_id]
    assert "Example" not in str(entry.details) and "Example" not in entry.summary
    # the police no longer see the case: neither the action nor its caseload row
    assert police.get(path).status_code == 403
    refusal = _refusal()
    assert (refusal.object_type, refusal.object_id) == ("marac_action", str(action_id))
    assert "Flag the address" not in _caseload(police.user)
    # nor do the coordinators, once the referral is no longer live
    assert coordinator.get(path).status_code == 403


def test_an_agency_that_no_longer_sees_the_marac_group_cannot_read_its_action(
    case_objects, coordinator, client_for
) -> None:
    police = client_for(Role.PARTNER, username="ds-nar", agency=POLICE)
    own, path = (
        case_objects["{case_own}"],
        f"/cases/marac-actions/{case_objects['{marac_action}']}/",
    )
    # the owner narrows the police's share: the case is seen, its MARAC group is not
    m.Share.objects.filter(case_id=own, to_agency__name=POLICE).update(groups=["identity", "risk"])
    assert police.get(f"/cases/{own}/").status_code == 200
    assert police.get(path).status_code == 403
    assert "Flag the address" not in _caseload(police.user)
    # the share ends: the case is not seen at all
    m.Share.objects.filter(case_id=own, to_agency__name=POLICE).update(status="withdrawn")
    assert police.get(path).status_code == 403
    assert police.post(path, {"status": "done"}).status_code == 403
    assert m.MaracAction.objects.get(pk=case_objects["{marac_action}"]).status == "open"
    # the coordinators still work on it while the referral is live
    assert coordinator.get(path).status_code == 200


def test_a_dropped_action_of_an_ended_referral_cannot_be_reopened(
    case_objects, coordinator, client_for
) -> None:
    ref = m.Referral.objects.get(pk=case_objects["{referral}"])
    own = ref.case_id
    # the police see the case's MARAC group on a share of their own, not the referral's
    m.Share.objects.create(
        case_id=own, to_agency=_ag(POLICE), basis="legal_basis", legal_basis="s.115",
        groups=["identity", "marac"],
    )  # fmt: skip
    coordinator.post(f"/cases/referrals/{ref.pk}/withdraw/", {"reason": "the victim moved"})
    police = client_for(Role.PARTNER, username="ds-re", agency=POLICE)
    path = f"/cases/marac-actions/{case_objects['{marac_action}']}/"
    page = police.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Referral {ref.pk} is withdrawn: this action can no longer be changed" in body
    assert "<form" not in body.split('id="action-ended"')[0].split("<h1")[1]
    assert police.post(path, {"status": "open", "reason": "back"}).status_code == 403
    assert m.MaracAction.objects.get(pk=case_objects["{marac_action}"]).status == "dropped"


def test_no_action_is_given_on_a_referral_that_has_ended(case_objects, coordinator) -> None:
    ref = m.Referral.objects.get(pk=case_objects["{referral}"])
    path = f"/cases/referrals/{ref.pk}/actions/new/"
    assert coordinator.get(path).status_code == 200  # listed: live
    coordinator.post(f"/cases/referrals/{ref.pk}/withdraw/", {"reason": "the victim moved"})
    before = m.MaracAction.objects.count()
    assert coordinator.get(path).status_code == 403
    form = {"agency": _ag(POLICE).pk, "owner": "DS Test", "task": "Visit", "due_on": ""}
    assert coordinator.post(path, form).status_code == 403
    assert m.MaracAction.objects.count() == before
    refusal = _refusal()
    assert (refusal.object_type, refusal.object_id) == ("marac_referral", str(ref.pk))
    assert "withdrawn" in refusal.details["reason"]


# --- 8. the coordinators' waiting lists -------------------------------------------------


def test_the_waiting_lists_hold_no_referral_of_a_case_the_marac_cannot_see(
    case_objects, coordinator
) -> None:
    marac = _ag(MARAC)
    hidden = m.Referral.objects.create(
        case_id=case_objects["{case_other}"], marac=marac, referring_agency=_ag(OWN_AGENCY),
        referred_on=dt.date(2026, 11, 3), consent="given", status="referred",
    )  # fmt: skip
    seen = m.Referral.objects.create(
        case_id=case_objects["{case_own}"], marac=marac, referring_agency=_ag(OWN_AGENCY),
        referred_on=dt.date(2026, 11, 4), consent="given", status="referred",
    )  # fmt: skip
    meeting = f"/cases/marac-meetings/{case_objects['{marac_meeting}']}/"
    for path in (f"/cases/maracs/{marac.pk}/", meeting):
        page = coordinator.get(path)
        assert [r.pk for r in page.context["waiting"]] == [seen.pk], path
        body = page.content.decode()
        assert f"Case {case_objects['{case_other}']}" not in body
        assert f"Case {case_objects['{case_own}']}, referred 4 November 2026" in body
    # nor may it be listed by its id
    coordinator.post(f"{meeting}list/", {"referral": hidden.pk})
    hidden.refresh_from_db()
    assert (hidden.status, hidden.meeting_id) == ("referred", None)
    coordinator.post(f"{meeting}list/", {"referral": seen.pk})
    seen.refresh_from_db()
    assert seen.status == "listed"
