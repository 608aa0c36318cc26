"""Holes an independent review found in the secretariat's subject access answers and
retention review, each shut: the reason for deleting records is a code (the audit log keeps
whatever it is given, forever); a person taken off a case is deleted with their agency's
next case deleted, and listed for review until then; the download buttons of a subject
access answer carry the search; a perpetrator's answer leaves out the victim's data.

The partner test user works for "Lambeth IDVA service" (``case_objects``): ``{case_own}``
its case of Alexandra Testperson (perpetrator Brian, child Casey), ``{case_other}``
Southwark's case of Erin Othername.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import docx
import pdfplumber
import pytest

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import AuditEvent
from dsvb.web.cases import models as m
from dsvb.web.cases.forms_sharing import DELETION_REASONS
from dsvb.web.cases.views.sharing import delete_case
from tests.support.case_fixtures import OTHER_AGENCY, POLICE

pytestmark = pytest.mark.django_db


def _past_retention(pk: int) -> m.Case:
    case = m.Case.objects.get(pk=pk)
    case.status, case.opened_on, case.closed_on = "closed", dt.date(2014, 1, 1), dt.date(2015, 1, 1)
    case.save()
    case.assessments.update(assessed_on=dt.date(2015, 1, 1))
    return case


def test_deleting_records_past_retention_audits_a_reason_code_never_free_text(
    client_for, case_objects
):
    case = _past_retention(case_objects["{case_other}"])
    secretariat = client_for(Role.SECRETARIAT)
    url = f"/cases/retention/{case.pk}/delete/"
    page = secretariat.get(url).content.decode()
    for code, label in DELETION_REASONS:
        assert f'value="{code}"' in page and label in page
    # a sentence (which may name the victim) is not a reason: refused in words, nothing deleted
    r = secretariat.post(url, {"reason": "Erin Othername moved away, no longer needed"})
    assert r.status_code == 200 and "Choose one of the reasons listed" in r.content.decode()
    assert m.Case.objects.filter(pk=case.pk).exists()
    r = secretariat.post(url, {"reason": ""})
    assert "Choose why the records are being deleted" in r.content.decode()
    r = secretariat.post(url, {"reason": "no_further_need"})
    assert r.status_code == 302 and not m.Case.objects.filter(pk=case.pk).exists()
    (entry,) = AuditEvent.objects.filter(action="case_records_deleted")
    assert entry.details["reason"] == "no_further_need"
    for e in AuditEvent.objects.all():
        assert "Othername" not in e.summary + json.dumps(e.details)


def test_deleting_a_case_deletes_its_agencys_people_that_nothing_names_any_longer(case_objects):
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    own = case.agency
    child = case.parties.get(role="child")
    child_id = child.person_id
    child.delete()  # taken off the case, as party_remove does: the person's record stays
    assert m.Person.objects.filter(pk=child_id).exists()
    # another case of the agency keeps its victim; another agency's unnamed record is not ours
    kept = m.Person.objects.create(agency=own, given_name="Keeper", family_name="Example")
    m.Case.objects.create(agency=own, victim=kept, opened_on=dt.date(2026, 1, 1))
    elsewhere = m.Person.objects.create(
        agency=m.Agency.objects.get(name=OTHER_AGENCY), given_name="Unnamed", family_name="Other"
    )
    victim, perpetrator = case.victim_id, case.parties.get(role="perpetrator").person_id
    assert delete_case(case) == 3  # the victim, the perpetrator and the child taken off
    assert not m.Person.objects.filter(pk__in=[child_id, victim, perpetrator]).exists()
    assert m.Person.objects.filter(pk__in=[kept.pk, elsewhere.pk]).count() == 2


def test_the_retention_page_lists_person_records_no_case_names_without_their_names(
    client_for, case_objects
):
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    child = case.parties.get(role="child")
    person = child.person
    owner = client_for(Role.PARTNER)
    r = owner.post(f"/cases/{case.pk}/parties/{child.pk}/remove/")
    assert r.status_code == 302 and m.Person.objects.filter(pk=person.pk).exists()
    page = client_for(Role.SECRETARIAT).get("/cases/retention/").content.decode()
    listed = page[page.index('id="unreferenced-people"') :]
    assert f"Person record {person.pk}" in listed and case.agency.name in listed
    assert person.created_at.strftime("%B %Y") in listed
    assert "Casey" not in page and "Testperson" not in page
    # the people cases name are not listed
    assert f"Person record {case.victim_id}<" not in listed


def _text(fmt: str, body: bytes) -> str:
    if fmt == "pdf":
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            return "\n".join(p.extract_text() or "" for p in pdf.pages)
    d = docx.Document(io.BytesIO(body))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_the_download_buttons_of_a_subject_access_answer_give_the_report(client_for, case_objects):
    client = client_for(Role.SECRETARIAT)
    query = {"given_name": "Alexandra", "family_name": "Testperson", "date_of_birth": "1985-03-04"}
    page = client.post("/cases/subject-access/", query).content.decode()
    assert "1 record found" in page
    form = page[page.index('class="govuk-button-group"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert fields["given_name"] == "Alexandra" and fields["date_of_birth"] == "1985-03-04"
    actions = re.findall(r'formaction="([^"]+)"', form)
    assert [a.rsplit(".", 1)[1] for a in actions] == ["pdf", "docx"]
    for action in actions:
        fmt = action.rsplit(".", 1)[1]
        r = client.post(action, {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"})
        assert r.status_code == 200, (action, r.status_code, r.get("Location"))
        text = _text(fmt, r.content)
        assert "Alexandra Testperson" in " ".join(text.split()), fmt
        assert "Refuge House" in text, fmt


def test_a_perpetrators_subject_access_answer_leaves_out_the_victims_data(client_for, case_objects):
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    brian = case.parties.get(role="perpetrator").person
    police = m.Agency.objects.get(name=POLICE)
    m.CaseIncident.objects.create(
        case=case, perpetrator=brian, occurred_on=dt.date(2026, 10, 3), kind="threats",
        reported_to_police=True, recorded_by=police, summary="Sent Alexandra threatening texts",
    )  # fmt: skip
    client = client_for(Role.SECRETARIAT)
    query = {"given_name": "Brian", "family_name": "Testperson"}
    page = client.post("/cases/subject-access/", query).content.decode()
    assert "1 record found" in page
    report = page[page.index('class="dsvb-document"') :]
    assert "Details about other people withheld" in report
    assert "3 October 2026" in report and "Threats" in report  # his own: when, what kind
    assert "threatening texts" not in report and "Alexandra" not in report
    assert POLICE not in report  # who recorded it is the victim's case's detail
    # the victim's own answer still has the incident in full
    page = client.post("/cases/subject-access/", {**query, "given_name": "Alexandra"})
    report = page.content.decode()
    assert "Sent Alexandra threatening texts" in report and POLICE in report


def test_marac_meeting_notes_past_retention_are_listed_and_deleted_the_meeting_kept(
    client_for, case_objects
):
    marac = m.Agency.objects.get(pk=case_objects["{marac}"])
    old = m.MaracMeeting.objects.create(
        marac=marac, date=dt.date(2019, 3, 5), status="held", notes="Alexandra's case: refuge"
    )
    recent = m.MaracMeeting.objects.get(pk=case_objects["{marac_meeting}"])
    recent.notes = "Alexandra's case heard again"
    recent.save()
    secretariat = client_for(Role.SECRETARIAT)
    page = secretariat.get("/cases/retention/").content.decode()
    listed = page[page.index('id="meeting-notes"') :]
    assert f"Meeting {old.pk}" in listed and "5 March 2019" in listed
    assert f"Meeting {recent.pk}" not in listed and "Alexandra" not in page
    action = f"/cases/retention/meetings/{old.pk}/delete-notes/"
    assert f'action="{action}"' in listed
    assert secretariat.get(action).status_code == 405
    r = secretariat.post(action)
    assert r.status_code == 302
    old.refresh_from_db()
    assert old.notes == "" and old.date == dt.date(2019, 3, 5)  # the meeting stays
    (entry,) = AuditEvent.objects.filter(action="case_records_deleted")
    assert entry.object_type == "marac_meeting" and entry.object_id == str(old.pk)
    assert "Alexandra" not in entry.summary + json.dumps(entry.details)
    # a meeting not yet past retention keeps its notes whatever is posted
    secretariat.post(f"/cases/retention/meetings/{recent.pk}/delete-notes/")
    recent.refresh_from_db()
    assert recent.notes == "Alexandra's case heard again"
    assert AuditEvent.objects.filter(action="case_records_deleted").count() == 1
    # partner users may not
    partner = client_for(Role.PARTNER)
    assert partner.post(action).status_code == 403


def test_an_imported_case_deleted_past_retention_is_not_brought_back_by_a_reimport(db):
    from dsvb.cases.interchange_read import InterchangeError
    from dsvb.web.cases import importer

    folder = Path(__file__).parents[2] / "data" / "cases"
    importer.import_cases(folder, new_agencies=True)
    case = m.Case.objects.get(external_id="IDVA-2024-001")
    agency = case.agency
    delete_case(case)
    (gone,) = m.DeletedRecord.objects.all()
    assert (gone.agency, gone.external_id) == (agency, "IDVA-2024-001")  # an id, no name
    before = {model: model.objects.count() for model in (m.Case, m.Person, AuditEvent)}
    with pytest.raises(InterchangeError) as e:
        importer.import_cases(folder)
    (problem,) = e.value.problems
    assert (problem.file, problem.line, problem.column) == ("cases.csv", 2, "case_id")
    assert "IDVA-2024-001 of Northbrook IDVA service was deleted" in problem.message
    assert {model: model.objects.count() for model in before} == before  # nothing stored
    assert not m.Case.objects.filter(external_id="IDVA-2024-001").exists()
