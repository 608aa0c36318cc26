"""A queued import job checks, when it runs, that the person who submitted it may still
import: a membership ended (or an account disabled) meanwhile refuses it, audited with the
reason, and nothing is stored."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from django.utils import timezone

from dsvb.web.accounts.models import Membership
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.imports import jobs
from dsvb.web.imports.models import ImportJob, Status
from tests.web.imports.conftest import DV, snapshot


def queued_return(user) -> ImportJob:
    job = ImportJob.objects.create(
        kind="return",
        created_by=user,
        created_by_username=user.username if user else "gone",
        file_names=[DV.name],
        size_bytes=DV.stat().st_size,
    )
    job.upload_dir.mkdir(parents=True)
    shutil.copy(DV, job.upload_dir / DV.name)
    return job


def run_next() -> ImportJob:
    job = jobs.claim_next()
    assert job is not None
    return jobs.run(job)


def test_a_job_whose_submitter_no_longer_may_import_is_refused_with_the_reason(
    make_user, empty_store: Path
) -> None:
    analyst = make_user(Role.FORCE_ANALYST, second_factor=False)
    job = queued_return(analyst)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Membership.objects.filter(user=analyst).update(valid_to=yesterday)
    ran = run_next()
    reason = f"{analyst.username}'s membership as force performance analyst ended on {yesterday}"
    assert (
        ran.status == Status.FAILED and ran.summary == f"Refused: {reason}; nothing was imported."
    )
    assert snapshot(empty_store) == {}  # nothing stored
    assert not job.upload_dir.exists()  # the uploaded records are gone
    (refused,) = AuditEvent.objects.filter(action=Action.ACCESS_DENIED)
    assert (refused.actor_username, refused.actor_role) == (f"job:import:{job.pk}", "system")
    assert refused.details["reason"] == reason and refused.details["outcome"] == "refused"
    assert refused.details["submitted_by"] == analyst.username
    (failed,) = AuditEvent.objects.filter(action=Action.IMPORT_FAILED)
    assert failed.actor_id == analyst.pk
    assert AuditEvent.objects.filter(action=Action.IMPORT_SUCCEEDED).count() == 0
    messages = list(ran.messages.values_list("message", flat=True))
    assert f"Refused: {reason}" in messages


def test_a_job_of_a_deleted_account_or_another_role_is_refused(make_user) -> None:
    borough = make_user(Role.BOROUGH_USER, second_factor=False)
    queued_return(borough)
    assert run_next().summary == (
        "Refused: a borough user of Lambeth may not import extracts; nothing was imported."
    )
    analyst = make_user(Role.FORCE_ANALYST, second_factor=False)
    orphan = queued_return(analyst)
    ImportJob.objects.filter(pk=orphan.pk).update(created_by=None)
    assert (
        run_next().summary
        == f"Refused: {analyst.username} has no account now; nothing was imported."
    )


def test_a_job_whose_submitter_still_may_import_runs(make_user, empty_store: Path) -> None:
    analyst = make_user(Role.FORCE_ANALYST, second_factor=False)
    queued_return(analyst)
    ran = run_next()
    assert ran.status == Status.SUCCEEDED, ran.summary
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() == 0
    assert snapshot(empty_store) != {}
