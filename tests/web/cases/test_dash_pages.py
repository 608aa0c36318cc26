"""DASH pages as partner agencies use them: completing an assessment through the form,
judgement that would lower the level refused in words, the police checklist and grading,
another agency's case reached by id refused and audited, one audit entry per page view,
a shared case's risk seen by the agency it is shared with for risk and refused to one whose
share lacks it, licensed wording shown when an installation loads it, and a victim's
assessments side by side."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client

from dsvb.cases import dash
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.cases import audit
from dsvb.web.cases import models as m
from tests.support.case_fixtures import POLICE, REFUGE

DAY = dt.date(2026, 11, 20)


def form_data(checklist: str, yes: int, **extra: str) -> dict[str, str]:
    """Every scored question answered: the first ``yes`` yes, the rest no."""
    questions = dash.checklist(checklist).scored(DAY)
    data = {f"q_{q.id}": "yes" if i < yes else "no" for i, q in enumerate(questions)}
    return {"assessed_on": DAY.isoformat(), **data, **extra}


@pytest.fixture
def idva(client_for) -> Client:
    return client_for(Role.PARTNER)  # Lambeth IDVA service


def entries(action: str | None = None) -> int:
    events = AuditEvent.objects.all()
    return (events.filter(action=action) if action else events).count()


def test_an_idva_completes_a_dash_of_15_yes_and_sees_visible_high_risk(idva, case_objects):
    case = case_objects["{case_own}"]
    page = idva.get(f"/cases/{case}/assessments/new/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "SafeLives DASH risk identification checklist" in body
    assert 'name="q_injured"' in body and 'name="q_children_hurt"' not in body
    assert 'name="graded"' not in body  # not a police agency
    before = entries(audit.ASSESSMENT_RECORDED)
    response = idva.post(f"/cases/{case}/assessments/new/", form_data("safelives", 15))
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = m.Assessment.objects.filter(case_id=case).latest("pk")
    assert response["Location"] == f"/cases/assessments/{saved.pk}/"
    assert (saved.score, saved.score_level, saved.level) == (15, "high", "high")
    assert saved.agency.name == "Lambeth IDVA service"
    assert saved.assessor == idva.user
    assert saved.checklist == "safelives" and saved.rules_version == "safelives:2009-01-01:vhr14"
    assert len(saved.answers) == 24 and saved.answers["injured"] == "yes"
    assert entries(audit.ASSESSMENT_RECORDED) == before + 1
    entry = AuditEvent.objects.filter(action=audit.ASSESSMENT_RECORDED).latest("pk")
    assert entry.object_id == str(case)
    assert "injured" not in str(entry.details) and "Alexandra" not in entry.summary
    shown = idva.get(response["Location"]).content.decode()
    assert "Visible high risk" in shown
    assert '<dd class="govuk-summary-list__value" id="dash-score">15' in shown
    assert "Injured in this incident" in shown


def test_a_missing_answer_is_named_and_nothing_is_saved(idva, case_objects):
    case = case_objects["{case_own}"]
    data = form_data("safelives", 3)
    del data["q_weapons"]
    count = m.Assessment.objects.count()
    response = idva.post(f"/cases/{case}/assessments/new/", data)
    assert response.status_code == 200
    assert "Answer question 13: yes, no or not known" in response.content.decode()
    assert m.Assessment.objects.count() == count


def test_judgement_that_would_lower_the_level_is_refused_with_the_message(idva, case_objects):
    case = case_objects["{case_own}"]
    count = m.Assessment.objects.count()
    data = form_data("safelives", 15, judgement="medium", reasons="she is coping well")
    response = idva.post(f"/cases/{case}/assessments/new/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Professional judgement cannot lower the level from high to medium" in body
    # beside the judgement field, not only in the summary
    assert re.search(r'id="id_judgement_1_error"[^>]*>.*?cannot lower the level', body, re.S)
    assert m.Assessment.objects.count() == count


def test_judgement_raises_the_level_with_reasons_and_a_raise_without_them_is_refused(
    idva, case_objects
):
    case = case_objects["{case_own}"]
    refused = idva.post(
        f"/cases/{case}/assessments/new/", form_data("safelives", 5, judgement="high")
    )
    assert "raises the level from standard to high: give the reasons" in refused.content.decode()
    response = idva.post(
        f"/cases/{case}/assessments/new/",
        form_data("safelives", 5, judgement="high", reasons="threats to kill since the report"),
    )
    assert response.status_code == 302
    saved = m.Assessment.objects.filter(case_id=case).latest("pk")
    assert (saved.score, saved.score_level, saved.judgement_level, saved.level) == (
        5,
        "standard",
        "high",
        "high",
    )
    assert "threats to kill since the report" in idva.get(response["Location"]).content.decode()


def test_the_police_grade_on_the_police_checklist(client_for, case_objects):
    police = client_for(Role.PARTNER, username="dc-test", agency=POLICE)
    case = case_objects["{case_shared}"]
    body = police.get(f"/cases/{case}/assessments/new/").content.decode()
    assert "Police DASH risk assessment (ACPO 2009)" in body
    assert 'name="q_children_hurt"' in body and 'name="graded"' in body
    assert "govuk-details" in body and 'name="q_stalking_threats"' in body  # screening
    data = form_data(
        "acpo_dash", 10, graded="medium", reasons="escalating", q_stalking_threats="yes"
    )
    response = police.post(f"/cases/{case}/assessments/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = m.Assessment.objects.filter(case_id=case).latest("pk")
    assert (saved.checklist, saved.score, saved.graded_level, saved.level) == (
        "acpo_dash",
        10,  # the screening yes is not scored
        "medium",
        "medium",
    )
    assert saved.agency.name == POLICE
    assert saved.answers["stalking_threats"] == "yes"


def test_another_agencys_case_by_id_is_refused_and_audited(idva, case_objects):
    other = case_objects["{case_other}"]
    for path in (
        f"/cases/{other}/assessments/new/",
        f"/cases/{other}/assessments/",
        f"/cases/assessments/{case_objects['{assessment_other}']}/",
    ):
        before = entries(Action.ACCESS_DENIED)
        assert idva.get(path).status_code == 403, path
        assert entries(Action.ACCESS_DENIED) == before + 1, path
        denied = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("pk")
        assert denied.object_id == str(other)
    count = m.Assessment.objects.count()
    response = idva.post(f"/cases/{other}/assessments/new/", form_data("safelives", 20))
    assert response.status_code == 403
    assert m.Assessment.objects.count() == count


def test_each_page_view_is_one_audit_entry(idva, case_objects):
    case = case_objects["{case_own}"]
    for path in (
        f"/cases/{case}/assessments/new/",
        f"/cases/{case}/assessments/",
        f"/cases/assessments/{case_objects['{assessment_own}']}/",
    ):
        before = entries()
        assert idva.get(path).status_code == 200
        assert entries() == before + 1, path
        entry = AuditEvent.objects.latest("pk")
        assert entry.action == Action.PAGE_VIEWED
        assert entry.details.get("case") == str(case)


def test_the_shared_case_shows_its_risk_to_the_idva(idva, case_objects, case_agencies):
    case = case_objects["{case_shared}"]
    police = case_agencies[POLICE]
    m.Assessment.objects.create(
        case_id=case, agency=police, checklist="acpo_dash", assessed_on=dt.date(2026, 10, 1),
        answers={"injured": "yes", "weapons": "yes"}, score=2, score_level="standard",
        graded_level="medium", judgement_reasons="weapon in the house", level="medium",
    )  # fmt: skip
    history = idva.get(f"/cases/{case}/assessments/")
    assert history.status_code == 200
    body = history.content.decode()
    assert "Lambeth Police CSU" in body and "Medium" in body
    assert idva.get(f"/cases/{case}/assessments/new/").status_code == 200


def test_a_share_without_risk_is_refused_the_assessment_pages(
    client_for, case_objects, case_agencies
):
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    m.Share.objects.create(
        case=case, to_agency=case_agencies[REFUGE], basis="consent",
        consent_recorded_on=dt.date(2026, 9, 3), groups=["identity"],
    )  # fmt: skip
    refuge = client_for(Role.PARTNER, username="refuge-worker", agency=REFUGE)
    for path in (
        f"/cases/{case.pk}/assessments/",
        f"/cases/{case.pk}/assessments/new/",
        f"/cases/assessments/{case_objects['{assessment_own}']}/",
    ):
        before = entries(Action.ACCESS_DENIED)
        assert refuge.get(path).status_code == 403, path
        assert entries(Action.ACCESS_DENIED) == before + 1, path
        reason = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("pk").summary
        assert "risk" in reason.lower()


def test_assessments_side_by_side_mark_the_newly_yes_answers(idva, case_objects, case_agencies):
    case = case_objects["{case_own}"]
    own = case_agencies["Lambeth IDVA service"]
    m.Assessment.objects.filter(case_id=case).delete()
    for day, answers, score, level in (
        (dt.date(2026, 9, 1), {"injured": "yes", "weapons": "no"}, 1, "standard"),
        (dt.date(2026, 10, 1), {"injured": "yes", "weapons": "yes"}, 2, "standard"),
    ):
        m.Assessment.objects.create(
            case_id=case, agency=own, checklist="safelives", assessed_on=day, answers=answers,
            score=score, score_level=level, level=level,
        )  # fmt: skip
    body = idva.get(f"/cases/{case}/assessments/").content.decode()
    assert "2 assessments" in body
    assert body.index("1 September 2026") < body.index("1 October 2026")
    assert (
        body.count('govuk-tag--red">Yes (new)') == 1
    )  # weapons: no, then yes (injured was yes already)
    assert "2 (+1)" in body


def test_licensed_wording_is_shown_when_an_installation_loads_it(
    idva, case_objects, tmp_path: Path, settings
):
    wording = tmp_path / "dash-wording.csv"
    wording.write_text(
        "checklist,question_id,wording\nsafelives,injured,Licensed text of question one\n",
        encoding="utf-8",
    )
    settings.DSVB_DASH_WORDING = str(wording)
    case = case_objects["{case_own}"]
    body = idva.get(f"/cases/{case}/assessments/new/").content.decode()
    assert "1. Licensed text of question one" in body
    assert "Frightened" not in body and "Victim very frightened" in body  # others: labels
    wording.write_text("checklist,question_id,wording\nsafelives,nope,x\n", encoding="utf-8")
    body = idva.get(f"/cases/{case}/assessments/new/").content.decode()
    assert "Injured in this incident" in body  # a broken file: the labels, not an error page


def test_the_case_page_shows_the_latest_risk_and_links_to_the_dash_pages(
    idva, case_objects, client_for, case_agencies
):
    case = case_objects["{case_own}"]
    body = idva.get(f"/cases/{case}/").content.decode()
    assert 'id="case-risk"' in body
    assert "Score 15 on 1 September 2026 (Lambeth IDVA service)" in body
    assert f'href="/cases/{case}/assessments/new/"' in body
    assert f'href="/cases/{case}/assessments/"' in body
    assert f'href="/cases/assessments/{case_objects["{assessment_own}"]}/"' in body
    # the back link of the DASH pages goes to the case page
    new = idva.get(f"/cases/{case}/assessments/new/").content.decode()
    assert f'<a href="/cases/{case}/" class="govuk-back-link">Case {case}</a>' in new
    # an agency whose share lacks risk sees the case but not its risk
    m.Share.objects.create(
        case_id=case, to_agency=case_agencies[REFUGE], basis="consent",
        consent_recorded_on=dt.date(2026, 9, 3), groups=["identity"],
    )  # fmt: skip
    refuge = client_for(Role.PARTNER, username="refuge-worker", agency=REFUGE)
    page = refuge.get(f"/cases/{case}/")
    assert page.status_code == 200
    assert 'id="case-risk"' not in page.content.decode()
    assert "/assessments/" not in page.content.decode()
