"""Who may do what with imports, and that each audited action is recorded exactly once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.imports.models import ImportJob, Status
from tests.support.builder import rewrite_cell
from tests.web.imports.conftest import DV, post_extract, post_return, upload, zip_folder

READ = "read"
UPLOAD = "upload"


def _finished_job() -> ImportJob:
    return ImportJob.objects.create(
        kind="extract",
        created_by_username="someone",
        status=Status.FAILED,
        file_names=["x.zip"],
        finished_at=timezone.now(),
        summary="The extract was not imported: 1 problem found. Nothing was stored.",
        report={
            "outcome": "failed",
            "summary": "The extract was not imported: 1 problem found. Nothing was stored.",
            "problems": [
                {
                    "file": "people.csv",
                    "row": 2,
                    "column": "sex",
                    "value": "=HYPERLINK()",
                    "message": "not one of: female, male",
                    "count": 1,
                }
            ],
            "problem_total": 1,
        },
    )


def _urls(job_id: int) -> list[tuple[str, str, str]]:
    return [
        ("GET", "/imports/", READ),
        ("GET", f"/imports/{job_id}/", READ),
        ("GET", f"/imports/{job_id}/status/", READ),
        ("GET", f"/imports/{job_id}/report/", READ),
        ("GET", f"/imports/{job_id}/report.csv", READ),
        ("GET", "/imports/extract/", UPLOAD),
        ("GET", "/imports/return/", UPLOAD),
        ("POST", "/imports/extract/", UPLOAD),
        ("POST", "/imports/return/", UPLOAD),
    ]


ALLOWED = {
    Role.FORCE_ANALYST: {READ, UPLOAD},
    Role.SECRETARIAT: {READ},
    Role.BOARD_MEMBER: set(),
    Role.BOROUGH_USER: set(),
    Role.PARTNER: set(),
    Role.AUDITOR: set(),
}


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r or "anonymous")
def test_permission_matrix(client_for, role) -> None:
    job = _finished_job()
    client = client_for(role)
    for method, url, need in _urls(job.pk):
        before = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count()
        # an empty upload: people allowed to upload get the form back with an error
        response = client.get(url) if method == "GET" else client.post(url, {})
        denied_audit = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() - before
        if role is None:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/sign-in/"), url
            assert denied_audit == 0
        elif need in ALLOWED[role]:
            assert response.status_code in (200, 400), (role, method, url, response.status_code)
            assert denied_audit == 0
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)
            assert denied_audit == 1, (role, url)
    assert not ImportJob.objects.exclude(pk=job.pk).exists()


def test_the_secretariat_reads_but_cannot_upload(client_for) -> None:
    job = _finished_job()
    client = client_for(Role.SECRETARIAT)
    html = client.get("/imports/").content.decode()
    assert "Upload an extract" not in html and 'type="file"' not in html
    assert f"/imports/{job.pk}/report/" in html
    assert client.get(f"/imports/{job.pk}/report/").status_code == 200
    response = post_return(client, upload(DV.name, DV.read_bytes()))
    assert response.status_code == 403
    assert not ImportJob.objects.exclude(pk=job.pk).exists()


def _count(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_a_successful_import_is_audited_once_at_start_and_once_at_success(
    analyst: Client,
) -> None:
    response = post_return(analyst, upload(DV.name, DV.read_bytes()))
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{job.pk}/"
    started = AuditEvent.objects.get(action=Action.IMPORT_STARTED)
    succeeded = AuditEvent.objects.get(action=Action.IMPORT_SUCCEEDED)
    assert _count(Action.IMPORT_FAILED) == 0
    for event in (started, succeeded):
        assert event.actor_id == analyst.user.pk
        assert event.actor_username == analyst.user.username
        assert (event.object_type, event.object_id) == ("import_job", str(job.pk))
    assert started.ip_address == "127.0.0.1"
    assert started.details["files"] == [DV.name]
    assert succeeded.details["outcome"] == "imported" and succeeded.details["store_import_id"] == 1
    assert succeeded.details["submitted_from"] == "127.0.0.1"
    # looking at the progress page and the status does not touch the audit
    analyst.get(f"/imports/{job.pk}/")
    analyst.get(f"/imports/{job.pk}/status/")
    assert _count(Action.IMPORT_REPORT_VIEWED) == 0


def test_a_failed_import_is_audited_once(analyst: Client, extract_folder) -> None:
    bad = extract_folder()
    rewrite_cell(bad / "people.csv", 2, "sex", "")
    post_extract(analyst, upload("bad.zip", zip_folder(bad)))
    job = ImportJob.objects.get()
    assert job.status == Status.FAILED
    assert _count(Action.IMPORT_STARTED) == 1
    assert _count(Action.IMPORT_FAILED) == 1
    assert _count(Action.IMPORT_SUCCEEDED) == 0
    failed = AuditEvent.objects.get(action=Action.IMPORT_FAILED)
    assert failed.details["problems"] == 1 and failed.actor_id == analyst.user.pk


def test_each_view_of_a_report_is_audited_once(client_for) -> None:
    job = _finished_job()
    client = client_for(Role.SECRETARIAT)
    client.get(f"/imports/{job.pk}/report/")
    assert _count(Action.IMPORT_REPORT_VIEWED) == 1
    client.get(f"/imports/{job.pk}/report/")
    events = AuditEvent.objects.filter(action=Action.IMPORT_REPORT_VIEWED)
    assert events.count() == 2
    assert {(e.object_type, e.object_id, e.actor_username) for e in events} == {
        ("import_job", str(job.pk), client.user.username)
    }


def test_the_report_csv_is_audited_as_an_export_and_defused(client_for) -> None:
    job = _finished_job()
    client = client_for(Role.FORCE_ANALYST)
    response = client.get(f"/imports/{job.pk}/report.csv")
    assert response.status_code == 200
    assert f'filename="import-{job.pk}-problems.csv"' in response["Content-Disposition"]
    assert "'=HYPERLINK()" in response.content.decode("utf-8-sig")
    (event,) = AuditEvent.objects.filter(action=Action.EXPORTED)
    assert (event.object_type, event.object_id, event.details["rows"]) == (
        "import_job",
        str(job.pk),
        1,
    )
    assert _count(Action.IMPORT_REPORT_VIEWED) == 0
