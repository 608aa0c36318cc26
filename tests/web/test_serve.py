"""`dsvb serve` refuses to expose the application unsafely (gunicorn itself is not started)."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from dsvb.cli import main


@pytest.fixture
def started(monkeypatch) -> list[list[str]]:
    """Replace the final exec of gunicorn by a record of its arguments."""
    calls: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, args: calls.append(list(args)))
    monkeypatch.delenv("DSVB_SECRET_KEY", raising=False)
    return calls


def serve(*args: str):
    return CliRunner().invoke(main, ["serve", *args])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"])
def test_this_machine_only_needs_nothing_more(started, settings, host) -> None:
    settings.HTTPS = False
    result = serve("--host", host, "--port", "8123")
    assert result.exit_code == 0, result.output
    (args,) = started
    assert args[args.index("--bind") + 1] == f"{host}:8123"
    assert "WARNING" not in result.output


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "dsvb.example.org"])
def test_another_address_needs_https_and_a_secret_key(started, settings, host) -> None:
    settings.HTTPS = False
    refused = serve("--host", host)
    assert refused.exit_code == 2 and not started
    assert "DSVB_HTTPS is not set" in refused.output
    assert "DSVB_SECRET_KEY is not set" in refused.output


@pytest.mark.django_db(transaction=True)
def test_with_both_set_it_serves(started, settings, monkeypatch) -> None:
    settings.HTTPS = True
    monkeypatch.setenv("DSVB_SECRET_KEY", "a-long-secret-for-this-test-only-0123456789")
    result = serve("--host", "0.0.0.0")
    assert result.exit_code == 0, result.output
    assert len(started) == 1 and "WARNING" not in result.output


@pytest.mark.django_db(transaction=True)
def test_allow_insecure_serves_with_warnings(started, settings) -> None:
    settings.HTTPS = False
    result = serve("--host", "0.0.0.0", "--allow-insecure")
    assert result.exit_code == 0 and len(started) == 1
    assert "WARNING: DSVB_HTTPS is not set" in result.output


@pytest.mark.django_db(transaction=True)
def test_serving_first_removes_what_killed_uploads_left(started, settings, tmp_path) -> None:
    """Upload files of a process that is gone (killed mid-upload) do not outlive a restart,
    even before any page is opened or any job runs."""
    settings.HTTPS = False
    settings.UPLOAD_DIR = tmp_path / "uploads"
    gone = 2**22 + 1  # above the largest pid Linux gives out (PID_MAX_LIMIT)
    staged = settings.UPLOAD_DIR / ".staging" / f"{gone}.12345.0123abcd"
    incoming = settings.UPLOAD_DIR / ".incoming" / f"{gone}.12345"
    for folder in (staged, incoming):
        folder.mkdir(parents=True)
        (folder / "incidents.csv").write_text("incident_id\nI1\n")
    result = serve("--host", "127.0.0.1")
    assert result.exit_code == 0, result.output
    assert not staged.exists() and not incoming.exists()


def test_serving_first_ends_jobs_whose_runner_died(
    started, settings, tmp_path, transactional_db
) -> None:
    """A job killed with the previous server is not shown as running once it is back."""
    from datetime import timedelta

    from django.utils import timezone

    from dsvb.web.imports import jobs
    from dsvb.web.imports.models import ImportJob, Status

    settings.HTTPS = False
    settings.DSVB_STORE = tmp_path / "store.duckdb"  # nothing stored: the job stored nothing
    long_ago = timezone.now() - jobs.ABANDONED_AFTER - timedelta(minutes=1)
    job = ImportJob.objects.create(
        kind="return",
        created_by_username="analyst",
        status=Status.RUNNING,
        file_names=["dv.csv"],
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    result = serve("--host", "127.0.0.1")
    assert result.exit_code == 0, result.output
    job.refresh_from_db()
    assert job.status == Status.FAILED
